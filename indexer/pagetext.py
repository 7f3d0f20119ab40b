"""Global Focus page text -> `Page`: the operation's name, the years, narrative sections, figures and warnings.

This module owns the reading of one captured UNHCR Global Focus operation page (the variations are listed in
`shared/design/PAGE_FORMAT.md`): recognising headings in English and French, dropping the site's boilerplate, and
parsing key figures, people of concern, budgets and the latest contributions. It is pure — text in, `Page` out, no
I/O — and never raises on odd input: whatever is not understood, or is cut off, becomes a `PageWarning` that names its
line. Choosing operation slugs, years, file names and writing them is `indexer.importer`'s job.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kb.model import POPULATION_TYPES, SECTION_KINDS, SECTIONS

CONTRIBUTIONS_NOTE = "Parsed best-effort from page text; the grouping of dates and donors is ambiguous."
PILLAR_KEYS: tuple[str, ...] = ("p1", "p2", "p3", "p4")


# --- what a page holds --------------------------------------------------------------------------------------------


@dataclass
class PageWarning:
    """Something not understood, or cut off, at a line of the page (1-based; 0 for the page as a whole)."""

    line: int
    message: str


@dataclass
class Item:
    """One paragraph of a section: a prose line (`p`) or a bullet (`li`), whitespace already collapsed."""

    kind: str
    text: str
    line: int


@dataclass
class PageSection:
    """One narrative section as found on the page, under a recognised heading."""

    slug: str
    lang: str
    heading: str
    line: int
    heading_year: int | None = None  # "Key priorities in 2016", "2016 Plan Summary"
    items: list[Item] = field(default_factory=list)

    @property
    def report(self) -> str:
        return SECTIONS[self.slug].report


@dataclass
class KeyFigure:
    """One key figure: `display` as written, `value` as a number, and the text that follows it."""

    kind: str | None  # "year-end" or "plan"; None when the page gives no group heading
    year: int | None
    value: int | float
    unit: str | None  # None or "percent"
    display: str
    text: str
    line: int


@dataclass
class PeopleOfConcern:
    change: str | None = None  # "increase" | "decrease"
    change_percent: int | float | None = None
    totals: list[tuple[int, int]] = field(default_factory=list)  # (year, total), newest first as on the page
    breakdown: list[tuple[str, int]] = field(default_factory=list)  # (population type slug, count)
    line: int = 0


@dataclass
class Budget:
    """Budget and expenditure in USD millions; `None` in a list is a missing value, never zero."""

    years: list[int]
    budget: list[float | None]
    expenditure: list[float | None]
    budget_by_pillar: dict[str, list[float | None]]
    expenditure_by_pillar: dict[str, list[float | None]]
    line: int = 0


@dataclass
class Contribution:
    date: str  # ISO yyyy-mm-dd
    donors: list[str]


@dataclass
class Page:
    """Everything read from one page. Years here are what the page says; the importer resolves the final ones."""

    operation_name: str | None = None
    title_line: int = 0
    page_year: int | None = None  # the year selected on the site (before the budget data, or a bare year line)
    sections: list[PageSection] = field(default_factory=list)
    key_figures: list[KeyFigure] = field(default_factory=list)
    people: PeopleOfConcern | None = None
    budget: Budget | None = None
    contributions: list[Contribution] | None = None
    warnings: list[PageWarning] = field(default_factory=list)
    recognised: bool = False  # a title, a block heading or a section heading was found
    # The 2014-2015 layout's first line (no 'Operation:' line): `Chad - Sudanese refugees (in East) 2015`.
    layout_name: str | None = None  # "Chad - Sudanese refugees (in East)"
    layout_group: str | None = None  # "Sudanese refugees (in East)": the population group after the dash
    layout_year: int | None = None
    layout_line: int = 0

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(PageWarning(line, message))

    def figures_year(self, kind: str) -> int | None:
        """The year of the first key-figure group of this kind (`2020 year-end results` -> 2020)."""
        return next((kf.year for kf in self.key_figures if kf.kind == kind and kf.year), None)

    @property
    def newest_total_year(self) -> int | None:
        return self.people.totals[0][0] if self.people and self.people.totals else None

    @property
    def has_year_end(self) -> bool:
        return any(s.report == "year-end" for s in self.sections) or self.figures_year("year-end") is not None

    @property
    def has_figures(self) -> bool:
        return bool(self.key_figures or self.people or self.budget or self.contributions)


# --- lines ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    n: int  # 1-based line number in the page
    raw: str
    text: str  # whitespace runs (non-breaking spaces too) collapsed, stripped
    cells: str  # like text, but a pipe row's cells joined by one space (`7,800 | text |` -> `7,800 text`)
    key: str  # cells folded for matching: lower-case, accents stripped
    bullet: str | None  # the text after a `•` or `-` marker, if the line is a bullet


def collapse(text: str) -> str:
    return " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())


def fold(text: str) -> str:
    """Lower-case, accents stripped, curly apostrophes straightened, whitespace collapsed: for matching only."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return collapse("".join(c for c in decomposed if not unicodedata.combining(c)).lower())


_BULLET = re.compile(r"^\s*(?:[•●▪◦]\s*|-\s+)(.*)$")
_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")


def make_line(n: int, raw: str) -> Line:
    text = collapse(raw)
    cells = text
    if "|" in raw:
        parts = [collapse(part) for part in raw.split("|")]
        cells = " ".join(p for p in parts if p and not _SEPARATOR_CELL.match(p))
    bullet = _BULLET.match(raw)
    return Line(n, raw, text, cells, fold(cells), collapse(bullet.group(1)) if bullet else None)


# --- headings and boilerplate ---------------------------------------------------------------------------------------

_BOILERPLATE = re.compile(
    r"^(?:by clicking on the icons on the map.*|the boundaries and names shown.*"
    r"|latest\s*update\s*of\s*camps\s*and\s*office\s*locations.*|location|location\s*\{.*"
    r"|\{.*\"(?:longitude|latitude|iso_codes)\".*|loading\s*(?:\.\.\.|…)?|<\s*back|choose a year"
    r"|(?:[•●▪◦]|-)\s*(?:19|20)\d\d|eng or fr|operations|new\s*:.*planning.*|(?:year-end|plan) overview"
    r"|africa|the americas|americas|asia and (?:the )?pacific|europe|middle east and north africa"
    r"|east and horn of africa(?: and the great lakes)?|southern africa|west and central africa)$"
)
_TITLE = re.compile(r"^(?:operation|op[ée]ration)\s*:\s*(?:op[ée]ration\s*:\s*)?(?P<name>\S.*)$", re.I)
_BLOCK_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("figures", re.compile(r"^(?:key figures(?: chiffres cles)?|chiffres cles)$")),
    ("people", re.compile(r"^(?:people of concern(?: personnes relevant de la competence du hcr)?"
                          r"|personnes relevant de la competence du hcr)$")),
    ("budget", re.compile(r"^(?:budgets? and expenditures?|budgets? et depenses)(?: (?:for|in|pour|de) .{1,80})?$")),
    ("contributions", re.compile(r"^(?:latest contributions(?: dernieres contributions)?|dernieres contributions)$")),
    ("skip", re.compile(r"^latest updates(?: and related links)?$")),
)
_BUDGET_JSON = re.compile(
    r'^(?:(?P<year>(?:19|20)\d\d)\s+)?(?P<json>\{\s*"(?:categories|budget|expenditure|p[1-4])".*)$'
)
_BARE_YEAR = re.compile(r"^((?:19|20)\d\d)$")


def _section_headings() -> dict[str, tuple[str, str]]:
    """Folded heading -> (section slug, language): the model's titles, both run together, and older wordings."""
    table: dict[str, tuple[str, str]] = {}
    for kind in SECTION_KINDS:
        table[fold(kind.title_en)] = (kind.slug, "en")
        table[fold(kind.title_fr)] = (kind.slug, "fr")
        table[fold(f"{kind.title_en} {kind.title_fr}")] = (kind.slug, "en")
    table["use of flexible funding"] = ("flexible-funding", "en")
    return table


SECTION_HEADINGS = _section_headings()
_YEAR_FIRST = re.compile(r"^((?:19|20)\d\d) (.+)$")
_YEAR_LAST = re.compile(r"^(.+?) (?:in |en |pour )?((?:19|20)\d\d)$")


def match_section_heading(key: str) -> tuple[str, str, int | None] | None:
    """A folded heading -> (slug, lang, year stated in it): `key priorities in 2016` -> ("key-priorities", "en",
    2016); `resume du plan 2016` -> ("plan-summary", "fr", 2016)."""
    key = key.rstrip(":").strip()
    if key in SECTION_HEADINGS:
        return (*SECTION_HEADINGS[key], None)
    for pattern, year_group, rest_group in ((_YEAR_FIRST, 1, 2), (_YEAR_LAST, 2, 1)):
        match = pattern.match(key)
        if match and match.group(rest_group) in SECTION_HEADINGS:
            return (*SECTION_HEADINGS[match.group(rest_group)], int(match.group(year_group)))
    return None


def classify(line: Line) -> tuple[str, Any]:
    """What a line is: blank, boiler, title, a block heading (figures, people, budget, budget-json, contributions,
    skip), a section heading, or plain text."""
    if not line.text:
        return "blank", None
    if _BOILERPLATE.match(line.key):
        return "boiler", None
    title = _TITLE.match(line.text)
    if title:
        return "title", title.group("name").strip()
    json_line = _BUDGET_JSON.match(line.text)
    if json_line:
        return "budget-json", json_line
    for kind, pattern in _BLOCK_HEADINGS:
        if len(line.key) < 120 and pattern.match(line.key):
            return kind, None
    section = match_section_heading(line.key)
    if section:
        return "section", section
    return "text", None


# --- blocks ---------------------------------------------------------------------------------------------------------

_HEADING_KINDS = frozenset({"figures", "people", "budget", "contributions", "skip", "section"})


@dataclass
class Block:
    """A heading and the lines under it, up to the next heading; `preamble` holds the lines before the first one."""

    kind: str  # preamble | figures | people | budget | contributions | skip | section
    head: Line | None
    data: Any
    lines: list[tuple[Line, str, Any]] = field(default_factory=list)  # (line, classify kind, classify data)


def split_blocks(lines: list[Line]) -> list[Block]:
    classified = [(line, *classify(line)) for line in lines]
    _mark_budget_years(classified)
    blocks = [Block("preamble", None, None)]
    for line, kind, data in classified:
        if kind in ("budget-json", "budget-year"):
            if blocks[-1].kind != "budget":
                blocks.append(Block("budget", None, None))
            blocks[-1].lines.append((line, kind, data))
        elif kind in _HEADING_KINDS:
            blocks.append(Block(kind, line, data))
        else:
            blocks[-1].lines.append((line, kind, data))
    return blocks


def _mark_budget_years(classified: list[tuple[Line, str, Any]]) -> None:
    """A bare year line just before the budget data is the page year: it belongs to the budget block."""
    for i, (line, kind, _) in enumerate(classified):
        year = _BARE_YEAR.match(line.text)
        if kind != "text" or not year:
            continue
        following = next((k for _, k, _ in classified[i + 1 :] if k not in ("blank", "boiler")), None)
        if following == "budget-json":
            classified[i] = (line, "budget-year", int(year.group(1)))


def _content(block: Block) -> list[tuple[Line, str, Any]]:
    return [entry for entry in block.lines if entry[1] not in ("blank", "boiler", "title")]


def excerpt(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _prose_like(text: str) -> bool:
    words = len(text.split())
    return words >= 12 or (words >= 6 and text[-1:] in ".!?:;")


# --- preamble, sections, orphans ------------------------------------------------------------------------------------

_ENDS_SENTENCE = re.compile(r"[.!?:;)\]»\"'’”…]$")
_FUTURE_EN = re.compile(r"\bwill\b", re.I)
_FUTURE_FR = re.compile(r"\b(?:va|vont|\w+(?:era|ira|ront))\b", re.I)
_PLAN_YEAR_EN = re.compile(r"\b(?:in|during|throughout|for) ((?:19|20)\d\d)\b(?! and\b)", re.I)
_PLAN_YEAR_FR = re.compile(r"\b(?:en|pour|durant) ((?:19|20)\d\d)\b(?! et\b)", re.I)
_SENTENCES = re.compile(r"(?<=[.!?;:])\s+")


def _items(block: Block) -> list[Item]:
    items = []
    for line, _kind, _data in _content(block):
        if line.bullet is not None:
            if line.bullet:
                items.append(Item("li", line.bullet, line.n))
        else:
            items.append(Item("p", line.text, line.n))
    return items


def _drop_cut_item(items: list[Item], cut: int | None, where: str, page: Page) -> None:
    """At the end of a page with no final newline, a last paragraph that stops mid-sentence was cut: drop it."""
    if items and items[-1].line == cut and not _ENDS_SENTENCE.search(items[-1].text):
        item = items.pop()
        page.warn(item.line, f"the page is cut off in the middle of a paragraph of {where}; the incomplete paragraph "
                             f"('{excerpt(item.text)}') was not imported")


def parse_section(block: Block, page: Page, cut: int | None) -> None:
    slug, lang, year = block.data
    assert block.head is not None
    items = _items(block)
    _drop_cut_item(items, cut, f"'{block.head.text}'", page)
    existing = next((s for s in page.sections if s.slug == slug and s.lang == lang), None)
    if existing:
        page.warn(block.head.n, f"'{block.head.text}' appears a second time (first at line {existing.line}); "
                                "its paragraphs were added to the first")
        existing.items.extend(items)
        return
    if not items:
        page.warn(block.head.n, f"section '{block.head.text}' has no text; nothing written for it"
                                + (" (the page seems cut off here)" if block.head.n >= (cut or 0) - 2 else ""))
    page.sections.append(PageSection(slug, lang, block.head.text, block.head.n, year, items))


_LAYOUT_TITLE = re.compile(r"^(?P<name>[^\W\d_][^.!?;:|{}\[\]<>\d]*?)(?:,? (?P<year>(?:19|20)\d\d))?$")
_LAYOUT_GROUP = re.compile(r" [-–—] ")


def parse_layout_title(content: list[tuple[Line, str, Any]], page: Page) -> int:
    """The 2014-2015 layout: no 'Operation:' line; the first line names the operation, sometimes with a population
    group after a dash, and the year, on that line or alone on the next (`Chad - Sudanese refugees (in East) 2015`).
    Sets the page's layout title and year; returns how many of the content lines it took (0: not this layout)."""
    if page.operation_name is not None or not content:
        return 0
    first = content[0][0]
    match = _LAYOUT_TITLE.match(first.text)
    if not match or len(first.text) > 150 or len(first.text.split()) > 20:
        return 0
    year, taken = match.group("year"), 1
    if year is None and len(content) > 1 and _BARE_YEAR.match(content[1][0].text):
        year, taken = content[1][0].text, 2
    if year is None:
        return 0
    name = match.group("name").strip(" -–—,")
    parts = _LAYOUT_GROUP.split(name, maxsplit=1)
    page.layout_name, page.layout_line, page.layout_year = name, first.n, int(year)
    page.layout_group = parts[1].strip() if len(parts) > 1 else None
    if page.page_year is None:
        page.page_year = int(year)
    return taken


def parse_preamble(block: Block, page: Page, cut: int | None) -> None:
    """Before the first heading: the title (handled by parse_page) or the 2014-2015 layout's first line, menus, a
    bare year line, or the prose of a planning summary that starts without a heading."""
    content = _content(block)
    content = content[parse_layout_title(content, page):]
    start = next((i for i, (line, _, _) in enumerate(content) if _prose_like(line.text)), len(content))
    for line, _kind, _data in content[:start]:
        year = _BARE_YEAR.match(line.text)
        if year and page.page_year is None:
            page.page_year = int(year.group(1))
    orphans = Block("preamble", None, None, content[start:])
    items = _items(orphans)
    _drop_cut_item(items, cut, "the text before the first heading", page)
    if not items:
        return
    text = " ".join(item.text for item in items)
    lang = guess_lang(text)
    span = f"lines {items[0].line}-{items[-1].line}"
    if (_FUTURE_FR if lang == "fr" else _FUTURE_EN).search(text):
        page.sections.insert(0, PageSection("plan-summary", lang, "(text before the first heading)", items[0].line,
                                            None, items))
        page.warn(items[0].line, f"{span}: text before any section heading, taken as the plan summary")
    else:
        page.warn(items[0].line, f"{span}: text before any section heading was not imported: "
                                 f"'{excerpt(items[0].text)}'")


def parse_skip(block: Block, page: Page, cut: int | None) -> None:
    """`Latest Updates (and Related Links)`: a sidebar of links, dropped."""


def guess_lang(text: str) -> str:
    words = fold(text).replace("'", " ").split()
    french = sum(w in {"le", "la", "les", "des", "du", "et", "une", "pour", "dans", "sont"} for w in words)
    english = sum(w in {"the", "and", "of", "to", "will", "for", "with", "are", "is"} for w in words)
    return "fr" if french > english else "en"


def infer_plan_year(sections: list[PageSection], near: int | None = None) -> tuple[int, int, str] | None:
    """The year the planning sections are about, from sentences that state a year and speak of the future
    ("In 2020, … UNHCR will"): the most frequent such year, the earliest on a tie; within a year of `near` (the
    planning figures' or the page's year) when that is known. Returns (year, line, sentence) or None."""
    found: list[tuple[int, int, str]] = []
    for section in sections:
        if section.report != "plan" or section.heading_year:
            continue
        year_re, future_re = (_PLAN_YEAR_FR, _FUTURE_FR) if section.lang == "fr" else (_PLAN_YEAR_EN, _FUTURE_EN)
        for item in section.items:
            for sentence in _SENTENCES.split(item.text):
                if future_re.search(sentence):
                    found += [(int(m.group(1)), item.line, sentence) for m in year_re.finditer(sentence)]
    found = [f for f in found if near is None or abs(f[0] - near) <= 1]
    if not found:
        return None
    counts = Counter(year for year, _, _ in found)
    best = max(counts.values())
    return next(f for f in found if counts[f[0]] == best)


# --- key figures ----------------------------------------------------------------------------------------------------

_GROUP = re.compile(r"^((?:19|20)\d\d) (?:(?:year-end|end-year|year end|end year) (results|figures)|planning "
                    r"(?:figures|targets|results))$")
_FIGURE = re.compile(r"^(?P<display>(?:USD ?|US\$ ?|\$ ?)?(?P<num>\d[\d,]*(?:\.\d+)?)(?P<pct> ?%)?"
                     r"(?: (?P<scale>million|billion)\b)?) (?P<text>\S.*)$", re.I)


def number(text: str) -> int | float:
    """`4,265` -> 4265, `12.5` -> 12.5."""
    plain = text.replace(",", "")
    return float(plain) if "." in plain else int(plain)


def parse_figure(line: Line, kind: str | None, year: int | None) -> KeyFigure | None:
    match = _FIGURE.match(line.cells)
    if not match:
        return None
    value = number(match.group("num"))
    scale = {"million": 1_000_000, "billion": 1_000_000_000}.get((match.group("scale") or "").lower())
    if scale:
        value = round(value * scale)
    unit = "percent" if match.group("pct") else None
    return KeyFigure(kind, year, value, unit, match.group("display"), match.group("text"), line.n)


def _cut_group_heading(key: str) -> bool:
    """`2020 year-end res`: the start of a group heading, cut off."""
    match = re.match(r"^(?:19|20)\d\d (\S.*)$", key)
    wordings = ("year-end results", "year-end figures", "end-year results", "end-year figures", "planning figures")
    return bool(match) and any(w.startswith(match.group(1)) for w in wordings)


def parse_figures(block: Block, page: Page, cut: int | None) -> None:
    """Groups (`2020 year-end results`, `2021 planning figures`, in either order, pipe rows too) and their items."""
    kind: str | None = None
    year: int | None = None
    for line, _, _ in _content(block):
        group = _GROUP.match(line.key)
        if group:
            kind, year = ("year-end" if group.group(2) else "plan"), int(group.group(1))
            continue
        if line.n == cut and _cut_group_heading(line.key):
            page.warn(line.n, f"the page is cut off in the key-figure heading '{line.text}'")
            continue
        figure = parse_figure(line, kind, year)
        if figure is None:
            page.warn(line.n, f"not understood as a key figure: '{excerpt(line.text)}'")
            continue
        if line.n == cut:
            page.warn(line.n, f"the page ends in this key figure, which may be cut off: '{excerpt(line.text)}'")
        page.key_figures.append(figure)


# --- people of concern ----------------------------------------------------------------------------------------------

_PERCENT = re.compile(r"^(\d+(?:\.\d+)?) ?%$")
_CHANGE = re.compile(r"^(increase|decrease|augmentation|hausse|diminution|baisse)\b")
_TOTAL = re.compile(r"^((?:19|20)\d\d) (\d{1,3}(?:,\d{3})+|\d+)$")


def parse_people(block: Block, page: Page, cut: int | None) -> None:
    """Percentage, `Increase in` / `Decrease in`, totals (`2020 408,016` or `2015 | 474,478 |`), the JSON list."""
    assert block.head is not None
    people = page.people = PeopleOfConcern(line=block.head.n)
    for line, _, _ in _content(block):
        percent, change, total = _PERCENT.match(line.cells), _CHANGE.match(line.key), _TOTAL.match(line.cells)
        if percent:
            people.change_percent = number(percent.group(1))
        elif change:
            people.change = "increase" if change.group(1) in ("increase", "augmentation", "hausse") else "decrease"
        elif total and line.n == cut:
            page.warn(line.n, f"the page is cut off in the people-of-concern totals; '{line.text}' was not imported")
        elif total:
            people.totals.append((int(total.group(1)), number(total.group(2))))
        elif _BARE_YEAR.match(line.text):
            continue  # the year repeated on a line of its own
        elif line.text.startswith("["):
            people.breakdown = _breakdown(line, page)
        else:
            page.warn(line.n, f"not understood in People of Concern: '{excerpt(line.text)}'")
    if not people.totals:
        page.warn(block.head.n, "People of Concern has no totals")


def _breakdown(line: Line, page: Page) -> list[tuple[str, int]]:
    values, error = decode_values(line.text)
    pairs = values[0] if values and isinstance(values[0], list) else []
    breakdown = []
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) and isinstance(pair[1], int)):
            continue
        known = POPULATION_TYPES.get(pair[0])
        if known is None:
            page.warn(line.n, f"unknown population type '{pair[0]}', kept as '{slugify(pair[0])}'")
        breakdown.append((known[0] if known else slugify(pair[0]), pair[1]))
    if error:
        page.warn(line.n, f"the people-of-concern list is cut off or broken ({error}); "
                          f"kept its {len(breakdown)} complete entries")
    elif len(breakdown) != len(pairs):
        page.warn(line.n, "some people-of-concern entries were not [type, count] pairs and were skipped")
    return breakdown


def slugify(text: str) -> str:
    """Lower-case, accents stripped, runs of anything else than a-z 0-9 -> one `-`."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


# --- JSON, complete or cut ------------------------------------------------------------------------------------------

_DECODER = json.JSONDecoder()


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def decode_values(text: str) -> tuple[list[Any], str | None]:
    """The JSON values standing one after another in `text`, and what failed if the text is cut or broken (then the
    broken value is kept as far as its complete members go)."""
    values: list[Any] = []
    pos = _skip_ws(text, 0)
    while pos < len(text):
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            partial = _partial(text, pos)
            if partial is not None:
                values.append(partial)
            return values, f"{err.msg} at character {err.pos + 1}"
        values.append(value)
        pos = _skip_ws(text, pos)
    return values, None


def _partial(text: str, pos: int) -> list[Any] | dict[str, Any] | None:
    """The complete members of a cut JSON array or object at `pos`, each decoded by raw_decode. A member counts only
    when a `,` or a closing bracket follows it, so that a number cut mid-digits is never taken for a value."""
    opener = text[pos : pos + 1]
    if opener not in ("[", "{"):
        return None
    result: list[Any] | dict[str, Any] = [] if opener == "[" else {}
    pos += 1
    while True:
        key = None
        pos = _skip_ws(text, pos)
        if isinstance(result, dict):
            try:
                key, pos = _DECODER.raw_decode(text, pos)
            except json.JSONDecodeError:
                return result
            pos = _skip_ws(text, pos)
            if text[pos : pos + 1] != ":":
                return result
            pos = _skip_ws(text, pos + 1)
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError:
            inner = _partial(text, pos)
            if inner is not None:
                _add(result, key, inner)
            return result
        end = _skip_ws(text, end)
        if text[end : end + 1] not in (",", "]", "}"):
            return result
        _add(result, key, value)
        if text[end] != ",":
            return result
        pos = end + 1


def _add(container: list[Any] | dict[str, Any], key: Any, value: Any) -> None:
    if isinstance(container, dict):
        container[str(key)] = value
    else:
        container.append(value)


# --- budgets and expenditure ----------------------------------------------------------------------------------------


def parse_budget(block: Block, page: Page, cut: int | None) -> None:
    """The page year, then three JSON objects (by year, budget by pillar, expenditure by pillar) on one line or on
    three; a cut object keeps its complete values."""
    objects: list[Any] = []
    first = 0
    for line, kind, data in _content(block):
        year = data if kind == "budget-year" else None
        if kind == "budget-json":
            year = int(data.group("year")) if data.group("year") else None
            values, error = decode_values(data.group("json"))
            objects += values
            first = first or line.n
            if error:
                page.warn(line.n, f"the budget data is cut off or broken ({error}); the complete values were kept, "
                                  "the missing ones are written as null")
        elif _BARE_YEAR.match(line.text):
            year = int(line.text)
        elif kind != "budget-year":
            page.warn(line.n, f"not understood in the budget block: '{excerpt(line.text)}'")
        if year and page.page_year is None:
            page.page_year = year
    if objects:
        page.budget = _budget([o for o in objects if isinstance(o, dict)], first, page)
    elif block.head is not None:
        page.warn(block.head.n, "the budget heading is not followed by any budget data")


def _budget(objects: list[dict[str, Any]], line: int, page: Page) -> Budget | None:
    by_year = next((o for o in objects if "budget" in o or "expenditure" in o), {})
    pillars = [o for o in objects if any(k in o for k in PILLAR_KEYS)]
    categories = by_year.get("categories") or next((p["categories"] for p in pillars if p.get("categories")), [])
    years = [y for y in categories if isinstance(y, int) and not isinstance(y, bool)]
    if not years:
        page.warn(line, "the budget data has no years ('categories'); budget not imported")
        return None
    for what, present in (("budget by year", by_year), ("budget by pillar", len(pillars) > 0),
                          ("expenditure by pillar", len(pillars) > 1)):
        if not present:
            page.warn(line, f"the budget data has no {what}; written as null")

    def series(obj: dict[str, Any], key: str) -> list[float | None]:
        values = obj.get(key) if isinstance(obj.get(key), list) else []
        kept = [v if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in values]
        if len(kept) > len(years):
            page.warn(line, f"'{key}' has more values than years; the extra ones were dropped")
        return (kept + [None] * len(years))[: len(years)]

    budget_pillars, spent_pillars = (pillars + [{}, {}])[:2]
    return Budget(years, series(by_year, "budget"), series(by_year, "expenditure"),
                  {k: series(budget_pillars, k) for k in PILLAR_KEYS},
                  {k: series(spent_pillars, k) for k in PILLAR_KEYS}, line)


# --- latest contributions -------------------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{1,2})-([a-z]{3})-((?:19|20)\d\d)$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def iso_date(text: str) -> str | None:
    """`15-OCT-2021` -> `2021-10-15`."""
    match = _DATE.match(fold(text))
    if not match or match.group(2) not in _MONTHS or not 1 <= int(match.group(1)) <= 31:
        return None
    return f"{match.group(3)}-{_MONTHS.index(match.group(2)) + 1:02d}-{int(match.group(1)):02d}"


def parse_contributions(block: Block, page: Page, cut: int | None) -> None:
    """Best effort: each date opens a contribution; the donor lines after it, until the next date, are its donors."""
    items: list[Contribution] = []
    content = _content(block)
    for line, _, _ in content:
        text = line.bullet if line.bullet is not None else line.text
        date = iso_date(text)
        if date:
            items.append(Contribution(date, []))
        elif len(text.split()) > 10 or _prose_like(text):
            page.warn(line.n, f"lines {line.n}-{content[-1][0].n} after the latest contributions were not imported: "
                              f"'{excerpt(text)}'")
            break
        elif not items:
            page.warn(line.n, f"donor '{excerpt(text)}' before any date was skipped")
        elif text and text not in items[-1].donors:
            items[-1].donors.append(text)
    page.contributions = items or None


# --- the page -------------------------------------------------------------------------------------------------------

_PARSERS = {
    "preamble": parse_preamble,
    "section": parse_section,
    "figures": parse_figures,
    "people": parse_people,
    "budget": parse_budget,
    "contributions": parse_contributions,
    "skip": parse_skip,
}


def parse_page(text: str) -> Page:
    """Read one page. Never raises; check `Page.recognised` and `Page.warnings`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [make_line(n, raw) for n, raw in enumerate(text.split("\n"), 1)]
    cut = lines[-1].n if lines[-1].text else None  # no final newline: the last line may be cut off
    page = Page()
    blocks = split_blocks(lines)
    for block in blocks:
        for line, kind, data in block.lines:
            if kind == "title" and page.operation_name is None:
                page.operation_name, page.title_line = data, line.n
    for block in blocks[1:] + blocks[:1]:  # the preamble last: its prose may become the plan summary
        _PARSERS[block.kind](block, page, cut)
    page.recognised = page.operation_name is not None or any(b.kind not in ("preamble", "skip") for b in blocks)
    _check_people(page)
    page.warnings.sort(key=lambda w: w.line)
    return page


def _check_people(page: Page) -> None:
    people = page.people
    if not people or not people.breakdown or not people.totals:
        return
    if any("people-of-concern list" in w.message for w in page.warnings):
        return
    year, total = people.totals[0]
    listed = sum(count for _, count in people.breakdown)
    if listed != total:
        page.warn(people.line, f"the people-of-concern list sums to {listed:,}, not to the {year} total {total:,}")
