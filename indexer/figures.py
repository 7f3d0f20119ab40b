"""`content/<operation>/<year>/figures.yaml`: the schema and the loader, into the records of kb.figures_model.

Owns `load_figures(path) -> (Figures | None, problems)`. The schema is the one in docs/content-format.md; every
problem carries the line of the offending value (from the YAML node marks) and names it by its place in the file
(`budget.expenditure`, `key_figures[2].text.fr`). Nulls stay None: a missing number is missing, never zero.
`Figures` comes back only when the file has no problem at all, so a caller never draws a chart from half-valid data.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import yaml

from indexer.content import Problem, display_path, load_yaml_nodes, read_content_file
from indexer.provenance import RETRIEVED_FIELD, URL_FIELD, retrieved_date, source_problems
from kb.figures_model import (
    Budget,
    Contribution,
    Contributions,
    Figures,
    KeyFigure,
    Number,
    PeopleOfConcern,
    PopulationCount,
    PopulationTotal,
)
from kb.model import LANGS, PILLARS, POPULATION_TYPES, REPORT_KINDS, YEAR_MAX, YEAR_MIN

POPULATION_SLUGS: frozenset[str] = frozenset(slug for slug, _en, _fr in POPULATION_TYPES.values())
NUMBER_MAX = 10**15  # no figure of a Global Focus page comes near; beyond, floats lose units
CHANGES: tuple[str, ...] = ("increase", "decrease")
UNITS: tuple[str, ...] = ("percent",)


# ------------------------------------------------------------------------------------------- walking values + lines


class At:
    """A value, the YAML node it came from, its place in the file (`budget.years`) and its line.

    `At` and `Checker` are shared with indexer.check, which reads operations.yaml and themes.yaml the same way.
    """

    def __init__(self, value: Any, node: yaml.Node | None, where: str, line: int, present: bool = True) -> None:
        self.value, self.node, self.where, self.line, self.present = value, node, where, line, present

    def get(self, key: str) -> At:
        """The value under `key` of a mapping; when absent, a missing value at the mapping's line."""
        where = f"{self.where}.{key}" if self.where else key
        if isinstance(self.node, yaml.MappingNode):
            for key_node, value_node in self.node.value:
                if getattr(key_node, "value", None) == key:
                    return At(self.value.get(key), value_node, where, key_node.start_mark.line + 1)
        return At(None, None, where, self.line, present=False)

    def items(self) -> list[At]:
        nodes = self.node.value if isinstance(self.node, yaml.SequenceNode) else []
        return [
            At(value, node, f"{self.where}[{i}]", node.start_mark.line + 1)
            for i, (value, node) in enumerate(zip(self.value, nodes, strict=False))
        ]


class Checker:
    """Collects problems while reading values of one file."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []

    def bad(self, at: At, message: str) -> None:
        self.problems.append(Problem(self.shown, at.line, f"{at.where}: {message}"))

    def mapping(self, at: At, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        if not isinstance(at.value, dict):
            self.bad(at, f"expected a mapping, got {_describe(at.value)}")
            return False
        for key in at.value:
            if key not in required and key not in optional:
                self.bad(at.get(str(key)), f"unknown key (allowed: {', '.join(required + optional)})")
        for key in required:
            if key not in at.value:
                self.bad(at.get(key), "missing")
        return True

    def sequence(self, at: At) -> list[At] | None:
        if not isinstance(at.value, list):
            self.bad(at, f"expected a list, got {_describe(at.value)}")
            return None
        return at.items()

    def integer(self, at: At, minimum: int | None = None, maximum: int | None = None) -> int | None:
        value = at.value
        if not isinstance(value, int) or isinstance(value, bool):
            self.bad(at, f"expected an integer, got {_describe(value)}")
            return None
        if abs(value) > NUMBER_MAX:
            self.bad(at, f"{_magnitude(value)} is too large for a figure (at most {NUMBER_MAX:,})")
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.bad(at, f"{value} is out of range ({minimum}..{maximum if maximum is not None else ''})")
            return None
        return value

    def year(self, at: At) -> int | None:
        return self.integer(at, YEAR_MIN, YEAR_MAX)

    def number(self, at: At, nullable: bool = False) -> Number | None:
        value = at.value
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not math.isfinite(value)):
            self.bad(at, f"expected a number{' or null' if nullable else ''}, got {_describe(value)}")
            return None
        if abs(value) > NUMBER_MAX:
            self.bad(at, f"{_magnitude(value)} is too large for a figure (at most {NUMBER_MAX:,})")
            return None
        return value

    def text(self, at: At, choices: tuple[str, ...] = (), nullable: bool = False) -> str | None:
        value = at.value
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not value.strip():
            self.bad(at, f"expected {'null or ' if nullable else ''}a non-empty string, got {_describe(value)}")
            return None
        if choices and value not in choices:
            self.bad(at, f"{value!r} is not one of: {', '.join(choices)}")
            return None
        return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    shown = repr(value)
    return f"{type(value).__name__} {shown[:40] + '…' if len(shown) > 40 else shown}"


# ---------------------------------------------------------------------------------------------------- the sections


def _key_figure(check: Checker, at: At) -> KeyFigure | None:
    if not check.mapping(at, ("year", "kind", "value", "unit", "display", "text")):
        return None
    before = len(check.problems)
    year = check.year(at.get("year"))
    kind = check.text(at.get("kind"), REPORT_KINDS)
    value = check.number(at.get("value"))
    unit = check.text(at.get("unit"), UNITS, nullable=True)
    display = check.text(at.get("display"))
    texts = at.get("text")
    text: dict[str, str] = {}
    if check.mapping(texts, LANGS):  # null: not written in that language (yet); one language is enough
        found = {lang: check.text(texts.get(lang), nullable=True) for lang in LANGS if lang in texts.value}
        text = {lang: value for lang, value in found.items() if value is not None}
        if not text and all(texts.get(lang).value is None for lang in LANGS):
            check.bad(texts, "no text in any language")
    if len(check.problems) > before:
        return None
    return KeyFigure(year, kind, value, unit, display, text)


def _people_of_concern(check: Checker, at: At) -> PeopleOfConcern | None:
    if not check.mapping(at, ("change", "change_percent", "totals", "breakdown")):
        return None
    change = check.text(at.get("change"), CHANGES, nullable=True)
    percent = check.number(at.get("change_percent"), nullable=True)
    totals: list[PopulationTotal] = []
    for item in check.sequence(at.get("totals")) or []:
        if check.mapping(item, ("year", "total")):
            year, total = check.year(item.get("year")), check.integer(item.get("total"), 0)
            if year is not None and total is not None:
                if totals and year >= totals[-1].year:
                    check.bad(item.get("year"), f"totals must be newest first, and {year} follows {totals[-1].year}")
                totals.append(PopulationTotal(year, total))
    breakdown: list[PopulationCount] = []
    for item in check.sequence(at.get("breakdown")) or []:
        if check.mapping(item, ("type", "count")):
            kind = check.text(item.get("type"), tuple(sorted(POPULATION_SLUGS)))
            count = check.integer(item.get("count"), 0)
            if kind is not None and any(entry.type == kind for entry in breakdown):
                check.bad(item.get("type"), f"{kind!r} is listed twice")
            if kind is not None and count is not None:
                breakdown.append(PopulationCount(kind, count))
    return PeopleOfConcern(change, percent, totals, breakdown)


def _values(check: Checker, at: At, years: list[int] | None) -> list[float | None] | None:
    """One number or null per year."""
    items = check.sequence(at)
    if items is None:
        return None
    if years is not None and len(items) != len(years):
        check.bad(at, f"{len(items)} values for {len(years)} years (years: {years}); give one value per year, "
                      "null where the page has none")
        return None
    values = [_float(check.number(item, nullable=True)) for item in items]
    invalid = any(value is None and item.value is not None for value, item in zip(values, items, strict=True))
    return None if invalid else values


def _magnitude(value: Number) -> str:
    """A number short enough for a message: itself, or how many digits it has."""
    text = f"{value:.0f}" if isinstance(value, float) else str(value)
    return text if len(text) <= 20 else f"a number of {len(text.lstrip('-'))} digits"


def _float(value: Number | None) -> float | None:
    return None if value is None else float(value)


def _budget(check: Checker, at: At) -> Budget | None:
    lists = ("budget", "expenditure")
    if not check.mapping(at, ("unit", "years", *lists), ("budget_by_pillar", "expenditure_by_pillar")):
        return None
    unit = check.text(at.get("unit"))
    years: list[int] | None = None
    items = check.sequence(at.get("years"))
    if items is not None:
        found = [check.year(item) for item in items]
        if not found:
            check.bad(at.get("years"), "no years")
        elif all(year is not None for year in found):
            if any(b <= a for a, b in zip(found, found[1:], strict=False)):
                check.bad(at.get("years"), f"years must increase: {found}")
            else:
                years = found
    values = {name: _values(check, at.get(name), years) for name in lists}
    pillars = {name: _by_pillar(check, at.get(name), years) for name in ("budget_by_pillar", "expenditure_by_pillar")}
    if unit is None or years is None or None in values.values() or None in pillars.values():
        return None
    return Budget(unit, years, values["budget"], values["expenditure"], pillars["budget_by_pillar"],
                  pillars["expenditure_by_pillar"])


def _by_pillar(check: Checker, at: At, years: list[int] | None) -> dict[str, list[float | None]] | None:
    if not at.present or at.value is None:
        return {}
    if not check.mapping(at, (), tuple(PILLARS)):
        return None
    found = {str(pillar): _values(check, at.get(str(pillar)), years) for pillar in at.value if pillar in PILLARS}
    return None if None in found.values() or len(found) != len(at.value) else found


def _contributions(check: Checker, at: At) -> Contributions | None:
    if not check.mapping(at, ("items",), ("note",)):
        return None
    note = check.text(at.get("note"), nullable=True) if at.get("note").present else None
    items: list[Contribution] = []
    for item in check.sequence(at.get("items")) or []:
        if not check.mapping(item, ("date", "donors")):
            continue
        date = _iso_date(check, item.get("date"))
        donors = [check.text(donor) for donor in check.sequence(item.get("donors")) or []]
        if date is not None and donors and None not in donors:
            items.append(Contribution(date, donors))
    return Contributions(note, items)


def _iso_date(check: Checker, at: At) -> str | None:
    value = at.value
    if isinstance(value, dt.date):  # written without quotes: YAML reads a date
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    check.bad(at, f"expected an ISO date such as '2021-10-15', got {_describe(value)}")
    return None


# ------------------------------------------------------------------------------------------------------ the file

TOP_REQUIRED = ("operation", "year", "source")
TOP_OPTIONAL = (URL_FIELD, RETRIEVED_FIELD, "key_figures", "people_of_concern", "budget", "contributions",
                "import_checksum")
CHECKSUM_RE = re.compile(r"sha256:[0-9a-f]{64}")  # written by kb import (indexer.importer.sign_figures)


def load_figures(
    path: Path, shown: str | None = None, operation: str | None = None, year: int | None = None
) -> tuple[Figures | None, list[Problem]]:
    """Read and validate a figures.yaml; `operation`/`year`, when given, are what its folder says they must be."""
    shown = shown or display_path(path)
    text, _digest, problems = read_content_file(path, shown)
    if text is None:
        return None, problems
    data, node, found = load_yaml_nodes(shown, text, "invalid YAML")
    problems += found
    if node is None:
        return None, problems + ([] if found else [Problem(shown, 1, "empty file: expected the figures mapping")])
    check = Checker(shown)
    figures = _figures(check, At(data, node, "", node.start_mark.line + 1), path, operation, year)
    problems += check.problems
    return (figures if not problems else None), problems


def _figures(check: Checker, root: At, path: Path, operation: str | None, year: int | None) -> Figures | None:
    if not check.mapping(root, TOP_REQUIRED, TOP_OPTIONAL):
        return None
    found_operation = check.text(root.get("operation"))
    if found_operation is not None and operation is not None and found_operation != operation:
        check.bad(root.get("operation"), f"{found_operation!r} but the folder is {operation!r}")
    found_year = check.year(root.get("year"))
    if found_year is not None and year is not None and found_year != year:
        check.bad(root.get("year"), f"{found_year} but the folder is {year}")
    source = check.text(root.get("source"))
    for name, message in source_problems(root.value):
        check.problems.append(Problem(check.shown, root.get(name).line, message))
    checksum = root.get("import_checksum")
    if checksum.present and not (isinstance(checksum.value, str) and CHECKSUM_RE.fullmatch(checksum.value)):
        check.bad(checksum, "must be 'sha256:' and 64 lower-case hex digits (written by kb import)")
    key_figures = []
    if root.get("key_figures").present:
        key_figures = [_key_figure(check, item) for item in check.sequence(root.get("key_figures")) or []]
    parts = {
        name: reader(check, root.get(name)) if root.get(name).value is not None else None
        for name, reader in (("people_of_concern", _people_of_concern), ("budget", _budget),
                             ("contributions", _contributions))
    }
    if check.problems or found_operation is None or found_year is None or source is None:
        return None
    return Figures(path, found_operation, found_year, source, [kf for kf in key_figures if kf is not None],
                   parts["people_of_concern"], parts["budget"], parts["contributions"], root.value.get(URL_FIELD),
                   retrieved_date(root.value[RETRIEVED_FIELD])[0] if RETRIEVED_FIELD in root.value else None)
