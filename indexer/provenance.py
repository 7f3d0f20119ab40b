"""Where an imported page came from: its public address (`source_url`) and the date it was read
(`source_retrieved`), and the `kb import --sources FILE` mapping that gives them per page file.

Owns the rules of those two values — an http or https URL, an ISO date neither before YEAR_MIN nor in the future, the
one only with the other — which `kb check` applies to section documents and figures.yaml and the importer to its
options, and the reading of the mapping file (CSV or YAML: page file name -> URL, and optionally the date it was read
and the operation and years to import it as), each problem as `path:line: message`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from indexer.content import Problem, display_path, load_yaml_nodes, read_content_file
from kb.model import YEAR_MAX, YEAR_MIN, is_slug

URL_FIELD, RETRIEVED_FIELD = "source_url", "source_retrieved"
URL_MAX = 2000
MAPPING_MAX_BYTES = 5 * 1024 * 1024
# The columns (CSV) or keys (YAML) of a mapping entry: the page file's name and the URL are required.
COLUMNS: tuple[str, ...] = ("file", "url", "retrieved", "operation", "year", "plan_year")


def url_problem(value: Any) -> str | None:
    """Why `value` is not a page's public address (an absolute http or https URL), or None."""
    if not isinstance(value, str) or not value.strip():
        return f"{URL_FIELD} must be the page's address, such as https://reporting.unhcr.org/mali-2020"
    if len(value) > URL_MAX:
        return f"{URL_FIELD} is longer than {URL_MAX} characters"
    if value != value.strip() or any(c.isspace() or ord(c) < 32 for c in value):
        return f"{URL_FIELD} {value!r} contains spaces or control characters (write a space as %20)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return f"{URL_FIELD} {value!r} is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{URL_FIELD} {value!r} is not an http or https address (such as https://reporting.unhcr.org/…)"
    return None


def retrieved_date(value: Any, today: dt.date | None = None) -> tuple[str | None, str | None]:
    """(the ISO date, None) for a valid date the page was read, else (None, why not). A YAML date written without
    quotes is accepted (YAML reads it as a date)."""
    day: dt.date | None = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and len(value) == 10:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        return None, (f"{RETRIEVED_FIELD} must be the date the page was read, as YYYY-MM-DD (such as 2024-05-17), "
                      f"not {value!r}")
    today = today or dt.date.today()
    if day.year < YEAR_MIN:
        return None, f"{RETRIEVED_FIELD} {day.isoformat()} is before {YEAR_MIN}"
    if day > today:
        return None, f"{RETRIEVED_FIELD} {day.isoformat()} is in the future"
    return day.isoformat(), None


def source_problems(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for the source address and date of a front matter or figures.yaml (both optional, but the one
    only with the other)."""
    url, retrieved = fields.get(URL_FIELD), fields.get(RETRIEVED_FIELD)
    found: list[tuple[str, str]] = []
    if URL_FIELD in fields:
        problem = url_problem(url)
        found += [(URL_FIELD, problem)] if problem else []
        if RETRIEVED_FIELD not in fields:
            found.append((URL_FIELD, f"{URL_FIELD} needs {RETRIEVED_FIELD}, the date the page was read (YYYY-MM-DD)"))
    if RETRIEVED_FIELD in fields:
        problem = retrieved_date(retrieved)[1]
        found += [(RETRIEVED_FIELD, problem)] if problem else []
        if URL_FIELD not in fields:
            found.append((RETRIEVED_FIELD, f"{RETRIEVED_FIELD} without {URL_FIELD}: give the address the page was "
                                           "read from"))
    return found


# ------------------------------------------------------------------------------------- what an import records


@dataclass(frozen=True)
class Origin:
    """Where the page being imported was read, as the command line or the mapping file says: its address, and the
    date it was read when given; `fallback` is the date used when none is given or recorded (`dated`)."""

    url: str | None = None
    retrieved: str | None = None  # ISO date, given
    fallback: str | None = None  # ISO date: the page file's modification date

    def dated(self, page: Path) -> Origin:
        """This origin, with the page file's modification date (never later than today) as the fallback date."""
        try:
            modified = dt.date.fromtimestamp(page.stat().st_mtime)
        except (OSError, ValueError, OverflowError):
            modified = dt.date.today()
        return replace(self, fallback=min(modified, dt.date.today()).isoformat())


def source_fields(origin: Origin | None, paths: list[Path]) -> dict[str, str]:
    """The `source_url` and `source_retrieved` an import writes into the files at `paths` ({} for none).

    Nothing recorded is lost: without an address, an earlier import's (read from the existing files) is kept. With
    one, its date is the one given, else the date an earlier import recorded for the same address (so importing again
    changes nothing), else the fallback (the page file's modification date).
    """
    recorded = recorded_source(paths)
    if origin is None or origin.url is None:
        return {URL_FIELD: recorded[0], RETRIEVED_FIELD: recorded[1]} if recorded else {}
    if origin.retrieved:
        retrieved = origin.retrieved
    elif recorded and recorded[0] == origin.url:
        retrieved = recorded[1]
    else:
        retrieved = origin.fallback or dt.date.today().isoformat()
    return {URL_FIELD: origin.url, RETRIEVED_FIELD: retrieved}


def recorded_source(paths: list[Path]) -> tuple[str, str] | None:
    """The (address, date) an earlier import recorded in the first of these existing files that has valid ones."""
    import yaml

    from indexer.content import load_yaml_file, split_front_matter

    for path in paths:
        try:
            if path.suffix == ".md":
                raw, _body, _line = split_front_matter(path.read_text(encoding="utf-8"))
                data = yaml.safe_load(raw) if raw is not None else None
            else:
                data = load_yaml_file(path)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and URL_FIELD in data and not source_problems(data):
            return data[URL_FIELD], retrieved_date(data[RETRIEVED_FIELD])[0] or ""
    return None


# ---------------------------------------------------------------------------------------------- the mapping file


@dataclass(frozen=True)
class PageSource:
    """What the mapping file (or the command line) says of one page file."""

    url: str | None = None
    retrieved: str | None = None  # ISO date
    operation: str | None = None
    year: int | None = None
    plan_year: int | None = None
    line: int = 0  # the entry's line in the mapping file (0: from the command line)


class MappingError(Exception):
    """The mapping file cannot be used: its problems, each `path:line: message`."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def load_mapping(path: Path) -> dict[str, PageSource]:
    """Page file name -> its PageSource, from a CSV (a header row naming the columns `file,url[,retrieved]
    [,operation][,year][,plan_year]`) or a YAML file (`name: URL`, or `name: {url: …, retrieved: …, …}`).
    Raises MappingError with every problem found."""
    shown = display_path(path)
    if not path.is_file():
        raise MappingError([Problem(shown, 1, "no such mapping file")])
    text, _digest, problems = read_content_file(path, shown, MAPPING_MAX_BYTES)
    problems = [p for p in problems if "byte-order mark" not in p.message and "CRLF" not in p.message]
    if text is None or problems:
        raise MappingError(problems)
    if path.suffix.lower() == ".csv":
        entries, problems = _csv_entries(shown, text)
    elif path.suffix.lower() in (".yaml", ".yml"):
        entries, problems = _yaml_entries(shown, text)
    else:
        raise MappingError([Problem(shown, 1, "a mapping file is .csv or .yaml (page file name -> URL)")])
    mapping: dict[str, PageSource] = {}
    for line, raw in entries:
        source, found = _entry(shown, line, raw)
        problems += found
        if source is None:
            continue
        name = str(raw["file"]).strip()
        if name in mapping:
            problems.append(Problem(shown, line, f"{name} is mapped twice (first at line {mapping[name].line})"))
        mapping.setdefault(name, source)
    if problems:
        raise MappingError(sorted(problems))
    return mapping


def _csv_entries(shown: str, text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return [], [Problem(shown, 1, "empty mapping file: expected a header row such as 'file,url,retrieved'")]
    header_line, header = rows[0]
    names = [cell.strip().lower() for cell in header]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown or "file" not in names or "url" not in names:
        return [], [Problem(shown, header_line, f"the first row names the columns: file, url and optionally "
                                                f"{', '.join(COLUMNS[2:])} (found: {', '.join(names)})")]
    entries, problems = [], []
    for line, row in rows[1:]:
        if len(row) > len(names):
            problems.append(Problem(shown, line, f"{len(row)} cells, but the header names {len(names)} columns"))
            continue
        entries.append((line, {name: cell.strip() for name, cell in zip(names, row, strict=False) if cell.strip()}))
    return entries, problems


def _yaml_entries(shown: str, text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    import yaml

    data, node, problems = load_yaml_nodes(shown, text, "invalid YAML")
    if problems:
        return [], problems
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return [], [Problem(shown, 1, "expected a mapping of page file name -> URL (or -> {url: …, retrieved: …})")]
    entries = []
    for key_node, _value_node in node.value:
        name, value, line = key_node.value, data.get(key_node.value), key_node.start_mark.line + 1
        if isinstance(value, dict):
            unknown = [str(k) for k in value if k not in COLUMNS[1:]]
            if unknown:
                problems.append(Problem(shown, line, f"{name}: unknown key {unknown[0]!r} (allowed: "
                                                     f"{', '.join(COLUMNS[1:])})"))
                continue
            entries.append((line, {"file": name, **value}))
        else:
            entries.append((line, {"file": name, "url": value}))
    return entries, problems


def _entry(shown: str, line: int, raw: dict[str, Any]) -> tuple[PageSource | None, list[Problem]]:
    """One entry's values, checked."""
    messages: list[str] = []
    name = str(raw.get("file") or "").strip()
    if not name or "/" in name or "\\" in name:
        messages.append(f"{name or 'the file name'}: give the page file's name (no folder), such as mali_2020.txt")
    prefix = f"{name}: " if name else ""
    problem = url_problem(raw.get("url"))
    messages += [prefix + problem] if problem else []
    retrieved = None
    if raw.get("retrieved") not in (None, ""):
        retrieved, problem = retrieved_date(raw["retrieved"])
        messages += [prefix + problem] if problem else []
    operation = raw.get("operation")
    if operation is not None and not (isinstance(operation, str) and is_slug(operation)):
        messages.append(f"{prefix}operation {operation!r} is not a slug (lower-case letters, digits and '-')")
    years: dict[str, int | None] = {}
    for key in ("year", "plan_year"):
        years[key], problem = _year(raw.get(key), key)
        messages += [prefix + problem] if problem else []
    if messages:
        return None, [Problem(shown, line, message) for message in messages]
    return PageSource(raw["url"], retrieved, operation, years["year"], years["plan_year"], line), []


def _year(value: Any, key: str) -> tuple[int | None, str | None]:
    if value in (None, ""):
        return None, None
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None, f"{key} {value!r} is not a year"
    if isinstance(value, bool) or not YEAR_MIN <= year <= YEAR_MAX:
        return None, f"{key} {value!r} is not a year ({YEAR_MIN}..{YEAR_MAX})"
    return year, None
