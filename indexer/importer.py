"""`kb import`: one Global Focus page -> section documents and `figures.yaml` under content/, byte for byte as
docs/content-format.md says.

This module owns everything between the parsed page and the files: reading the page file (and refusing what is not a
page), resolving the operation (slug, country codes; adding a new operation to `content/operations.yaml`) and the
years (year-end, plan, figures), rendering each file with its import checksum, keeping the hand-written French texts
of key figures, refusing to overwrite files edited by hand or translated unless `--force`, and the messages and exit
codes. Reading the page text itself is `indexer.pagetext`'s job.

Exit codes: 0 imported (warnings may have been printed on stderr); 1 stopped because existing files would be
overwritten (or a file could not be written); 2 the page cannot be imported (missing, empty, binary, not a Global
Focus page, operation or year unknown). With 1 and 2 nothing is written (short of a failing disk).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from indexer.content import content_hash, load_yaml_file, split_paragraphs
from indexer.id_matching import keep_ids
from indexer.pagetext import (
    CONTRIBUTIONS_NOTE,
    Item,
    Page,
    PageSection,
    excerpt,
    infer_plan_year,
    parse_page,
    slugify,
)
from indexer.paragraph_ids import escape_lookalike, with_id
from indexer.provenance import Origin, source_fields
from kb.model import FRONT_MATTER_ORDER, SECTIONS, figures_path, is_slug, section_path

MAX_PAGE_BYTES = 20 * 1024 * 1024
SLUG_MAX = 80  # characters of an operation slug (a folder name under content/)
OPERATIONS_FILE = "operations.yaml"
OPERATIONS_HEADER = (
    "# The operations kb knows: slug -> display names in English and French, and ISO 3166-1 alpha-3 country codes.\n"
    "# The importer adds an operation it has not seen; names may then be corrected here by hand.\n"
)


class PageError(Exception):
    """The page cannot be imported: one line saying what is wrong (exit code 2, nothing written)."""


# --- country codes --------------------------------------------------------------------------------------------------

# ISO 3166-1 alpha-3 codes of the countries with a Global Focus operation page, by English name (and a few aliases,
# separated by |). Used only for operations that content/operations.yaml does not know yet.
_ISO_TABLE = """
AFG Afghanistan|ALB Albania|DZA Algeria|AGO Angola|ARG Argentina|ARM Armenia|ABW Aruba|AUS Australia|AUT Austria
AZE Azerbaijan|BGD Bangladesh|BLR Belarus|BEL Belgium|BLZ Belize|BEN Benin|BOL Bolivia|BIH Bosnia and Herzegovina
BWA Botswana|BRA Brazil|BGR Bulgaria|BFA Burkina Faso|BDI Burundi|KHM Cambodia|CMR Cameroon|CAN Canada
CAF Central African Republic|TCD Chad|CHL Chile|CHN China|COL Colombia|COG Congo|COG Republic of the Congo
CRI Costa Rica|CIV Cote d'Ivoire|HRV Croatia|CUB Cuba|CUW Curacao|CYP Cyprus|CZE Czechia|DNK Denmark|DJI Djibouti
COD Democratic Republic of the Congo|COD DRC|COD DR Congo|DOM Dominican Republic|ECU Ecuador|EGY Egypt
SLV El Salvador|GNQ Equatorial Guinea|ERI Eritrea|SWZ Eswatini|SWZ Swaziland|ETH Ethiopia|FIN Finland|FRA France
GAB Gabon|GMB Gambia|GEO Georgia|DEU Germany|GHA Ghana|GRC Greece|GTM Guatemala|GIN Guinea|GNB Guinea-Bissau
GUY Guyana|HTI Haiti|HND Honduras|HUN Hungary|IND India|IDN Indonesia|IRN Iran|IRN Islamic Republic of Iran
IRQ Iraq|IRL Ireland|ISR Israel|ITA Italy|JPN Japan|JOR Jordan|KAZ Kazakhstan|KEN Kenya|KWT Kuwait|KGZ Kyrgyzstan
LBN Lebanon|LSO Lesotho|LBR Liberia|LBY Libya|MDG Madagascar|MWI Malawi|MYS Malaysia|MLI Mali|MLT Malta
MRT Mauritania|MEX Mexico|MDA Republic of Moldova|MDA Moldova|MNG Mongolia|MNE Montenegro|MAR Morocco
MOZ Mozambique|MMR Myanmar|NAM Namibia|NPL Nepal|NLD Netherlands|NIC Nicaragua|NER Niger|NGA Nigeria
MKD North Macedonia|MKD The former Yugoslav Republic of Macedonia|NOR Norway|PAK Pakistan|PAN Panama
PNG Papua New Guinea|PRY Paraguay|PER Peru|PHL Philippines|POL Poland|PRT Portugal|KOR Republic of Korea
ROU Romania|RUS Russian Federation|RWA Rwanda|SAU Saudi Arabia|SEN Senegal|SRB Serbia|SLE Sierra Leone
SVK Slovakia|SOM Somalia|ZAF South Africa|SSD South Sudan|ESP Spain|LKA Sri Lanka|SDN Sudan|SWE Sweden
CHE Switzerland|SYR Syrian Arab Republic|SYR Syria|TJK Tajikistan|THA Thailand|TLS Timor-Leste|TGO Togo
TTO Trinidad and Tobago|TUN Tunisia|TUR Turkey|TUR Turkiye|TKM Turkmenistan|UGA Uganda|UKR Ukraine
ARE United Arab Emirates|GBR United Kingdom|TZA United Republic of Tanzania|TZA Tanzania|USA United States of America
URY Uruguay|UZB Uzbekistan|VEN Venezuela|VEN Bolivarian Republic of Venezuela|VNM Viet Nam|YEM Yemen|ZMB Zambia
ZWE Zimbabwe
"""
COUNTRY_CODES: dict[str, str] = {
    slugify(entry[4:]): entry[:3] for entry in _ISO_TABLE.replace("\n", "|").split("|") if entry.strip()
}


def country_codes(slug: str) -> tuple[list[str], str | None]:
    """ISO codes for an operation kb does not know yet, and a warning when they are a guess."""
    if slug in COUNTRY_CODES:
        return [COUNTRY_CODES[slug]], None
    prefixes = [name for name in COUNTRY_CODES if slug.startswith(name + "-")]
    if prefixes:
        code = COUNTRY_CODES[max(prefixes, key=len)]
        if "multi-country" in slug or "regional" in slug:
            return [code], (f"'{slug}' covers several countries; only {code} was written: add the others to "
                            f"{OPERATIONS_FILE} by hand")
        return [code], None
    return ["XXX"], (f"no ISO 3166-1 alpha-3 code known for '{slug}': country written as XXX; correct it in "
                     f"{OPERATIONS_FILE} and import again")


# --- what the page is imported as -----------------------------------------------------------------------------------


@dataclass
class Target:
    """The operation and the years a page is imported as."""

    slug: str
    name: str
    country: list[str]
    new_operation: bool
    year_end: int | None
    plan: int | None
    figures_year: int | None
    notes: list[str] = field(default_factory=list)  # how years were inferred, printed on stdout
    warnings: list[str] = field(default_factory=list)  # printed on stderr

    @property
    def planning_only(self) -> bool:
        return self.year_end is None


def resolve_operation(page: Page, operations: dict[str, Any], operation: str | None, target: Target) -> None:
    if operation is not None and len(operation) > SLUG_MAX:
        raise PageError(f"--operation is {len(operation)} characters long: at most {SLUG_MAX}")
    if operation is not None and not is_slug(operation):
        raise PageError(f"--operation '{operation}' is not a slug (lower-case letters, digits and '-', like 'mali')")
    if operation is None and page.operation_name is None and page.layout_name:
        raise PageError(f"a page of the 2014-2015 layout ('{page.layout_name}', {page.layout_year}, line "
                        f"{page.layout_line}) has no 'Operation:' title line: pass --operation SLUG (such as "
                        f"{slugify(page.layout_name)}) and --year {page.layout_year}")
    if operation is None and page.operation_name is None:
        raise PageError("the page has no 'Operation:' title line: pass --operation SLUG")
    target.slug = operation or slugify(page.operation_name or "")
    if not target.slug:
        raise PageError(f"no operation slug can be made from the title '{page.operation_name}': pass --operation")
    known = operations.get(target.slug)
    if isinstance(known, dict):
        country = known.get("country")
        target.country = [country] if isinstance(country, str) else [str(c) for c in country or []]
        target.name = str(known.get("en") or page.operation_name or target.slug)
    if not target.country:
        target.new_operation = target.slug not in operations
        target.country, warning = country_codes(target.slug)
        target.warnings += [warning] if warning else []
        target.name = page.operation_name or page.layout_name or target.slug.replace("-", " ").title()


def resolve_years(page: Page, year: int | None, plan_year: int | None, target: Target) -> None:
    """Year-end year: --year, the year-end figures, the page year, the newest people-of-concern total. Plan year:
    --plan-year, a year in a planning heading, the plan text ("In 2020, … UNHCR will"), the planning figures (on a
    planning-only page also --year and the page year)."""
    planning_only = not page.has_year_end
    if year is not None and page.layout_year is not None and year != page.layout_year:
        target.warnings.append(f"line {page.layout_line} says {page.layout_year}, but --year {year} was given: "
                               f"imported as {year}")
    year_end = None if planning_only else year or page.figures_year("year-end") or page.page_year
    year_end = year_end or (None if planning_only else page.newest_total_year)
    plan = plan_year or (year if planning_only else None)
    plan = plan or next((s.heading_year for s in page.sections if s.report == "plan" and s.heading_year), None)
    if plan is None:
        near = page.figures_year("plan") or page.page_year or year_end
        inferred = infer_plan_year(page.sections, near)
        if inferred:
            plan = inferred[0]
            target.notes.append(f"plan sections are about {plan}, from the text at line {inferred[1]}: "
                                f"'{excerpt(inferred[2], 70)}'")
    plan = plan or page.figures_year("plan") or (page.page_year if planning_only else None)
    if planning_only and plan is None and (page.has_figures or not page.sections):
        plan = page.page_year or page.newest_total_year
    _require_years(page, year_end, plan, planning_only)
    target.year_end, target.plan = year_end, plan
    target.figures_year = plan if planning_only else year_end


def _require_years(page: Page, year_end: int | None, plan: int | None, planning_only: bool) -> None:
    if not planning_only and year_end is None:
        raise PageError("the page does not say which year it reports on: pass --year")
    needs_plan = any(s.report == "plan" and s.items for s in page.sections) or page.figures_year("plan")
    if plan is None and (needs_plan or planning_only):
        raise PageError("the page does not say which year its planning sections are about: pass --plan-year "
                        "(or --year for a planning-only page)")


# --- section documents ----------------------------------------------------------------------------------------------

_BLOCK_START = re.compile(r"^(?:#{1,6}(?:\s|$)|>|[-+*](?:\s|$)|={3,}$|_{3,}$|`{3,}|~{3,})")
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])(\s|$)")
CHECKSUM_FIELD = "import_checksum"
_CHECKSUM_LINE = re.compile(rb"^import_checksum: *['\"]?sha256:([0-9a-f]{64})['\"]? *\n", re.M)


def escape_start(text: str) -> str:
    """Keep a paragraph a paragraph: escape a start that Markdown would read as a heading, list, quote or rule."""
    if _ORDERED_START.match(text):
        return _ORDERED_START.sub(r"\1\\\2\3", text, count=1)
    return "\\" + text if _BLOCK_START.match(text) else text


def paragraph_text(item: Item) -> str:
    """An item's text as the body holds it: escaped where Markdown would read it as something else."""
    return escape_start(escape_lookalike(item.text))


def render_body(items: list[Item], ids: list[str] | None = None) -> str:
    """Paragraphs separated by one blank line; consecutive bullets as consecutive `- ` lines; each paragraph's
    identifier at its end (`{#k3f9a}`) when `ids` are given."""
    blocks: list[str] = []
    previous = None
    for k, item in enumerate(items):
        text = paragraph_text(item) if ids is None else with_id(paragraph_text(item), ids[k])
        if item.kind == "li" and previous == "li":
            blocks[-1] += f"\n- {text}"
        else:
            blocks.append(f"- {text}" if item.kind == "li" else text)
        previous = item.kind
    return "\n\n".join(blocks)


def render_document(fields: dict[str, Any], body: str) -> bytes:
    ordered = {name: fields[name] for name in FRONT_MATTER_ORDER if name in fields}
    front = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n\n{body}\n".encode()


def sign(fields: dict[str, Any], body: str) -> bytes:
    """The document with `import_checksum`: the sha256 of its bytes without that line."""
    digest = content_hash(render_document(fields, body))
    return render_document({**fields, "import_checksum": f"sha256:{digest}"}, body)


def resign(data: bytes) -> bytes:
    """A file the importer wrote, then changed by a tool that keeps it "untouched" (kb ids): signed again."""
    end = data.find(b"\n---\n", 3)
    match = _CHECKSUM_LINE.search(data, 0, end + 1 if end > 0 else len(data))
    if not match:
        return data
    unsigned = data[: match.start()] + data[match.end() :]
    line = f"import_checksum: sha256:{content_hash(unsigned)}\n".encode()
    return data[: match.start()] + line + data[match.end() :]


def checksum_state(data: bytes) -> str:
    """`valid` (untouched since import), `mismatch` (edited since) or `none` (not written by the importer)."""
    end = data.find(b"\n---\n", 3)
    match = _CHECKSUM_LINE.search(data, 0, end + 1 if end > 0 else len(data))
    if not match:
        return "none"
    unsigned = data[: match.start()] + data[match.end() :]
    return "valid" if content_hash(unsigned) == match.group(1).decode() else "mismatch"


def section_fields(section: PageSection, target: Target, year: int, source: str) -> dict[str, Any]:
    return {
        "title": SECTIONS[section.slug].title(section.lang),
        "operation": target.slug,
        "country": target.country[0] if len(target.country) == 1 else list(target.country),
        "year": year,
        "report": section.report,
        "section": section.slug,
        "lang": section.lang,
        "translation_key": f"{target.slug}/{year}/{section.slug}",
        "source": source,
    }


def section_year(section: PageSection, target: Target, year: int | None, plan_year: int | None) -> int:
    """--year / --plan-year first, then a year stated in the section's own heading, then the page's."""
    given = year if section.report == "year-end" else plan_year or (year if target.planning_only else None)
    resolved = target.year_end if section.report == "year-end" else target.plan
    chosen = given or section.heading_year or resolved
    assert chosen is not None  # resolve_years made sure
    return chosen


# --- figures.yaml ---------------------------------------------------------------------------------------------------


def figures_data(page: Page, target: Target, source: str, french: dict[str, str]) -> dict[str, Any]:
    default_kind = "plan" if target.planning_only else "year-end"
    default_year = target.plan if target.planning_only else target.year_end
    people = page.people
    return {
        "operation": target.slug,
        "year": target.figures_year,
        "source": source,
        "key_figures": [
            {"year": kf.year or default_year, "kind": kf.kind or default_kind, "value": kf.value, "unit": kf.unit,
             "display": kf.display, "text": {"en": kf.text, "fr": french.get(kf.text)}}
            for kf in page.key_figures
        ],
        "people_of_concern": None if people is None else {
            "change": people.change,
            "change_percent": people.change_percent,
            "totals": [{"year": y, "total": t} for y, t in people.totals],
            "breakdown": [{"type": kind, "count": count} for kind, count in people.breakdown],
        },
        "budget": None if page.budget is None else {
            "unit": "USD millions",
            "years": page.budget.years,
            "budget": page.budget.budget,
            "expenditure": page.budget.expenditure,
            "budget_by_pillar": page.budget.budget_by_pillar,
            "expenditure_by_pillar": page.budget.expenditure_by_pillar,
        },
        "contributions": None if page.contributions is None else {
            "note": CONTRIBUTIONS_NOTE,
            "items": [{"date": c.date, "donors": c.donors} for c in page.contributions],
        },
    }


def render_yaml(data: Any) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000).encode()


# --- figures.yaml: its import checksum ------------------------------------------------------------------------------


def figures_digest(data: dict[str, Any]) -> str:
    """The sha256 of figures as the importer renders them, without `import_checksum` and with every key figure's
    French text left out: translators fill those in by hand, and the importer keeps them, so filling them in is not
    an edit that stops an import. Any other change of a value (a corrected number) changes the digest."""
    plain = {key: value for key, value in data.items() if key != CHECKSUM_FIELD}
    if isinstance(plain.get("key_figures"), list):
        plain["key_figures"] = [
            {**figure, "text": {**figure["text"], "fr": None}}
            if isinstance(figure, dict) and isinstance(figure.get("text"), dict) else figure
            for figure in plain["key_figures"]
        ]
    return content_hash(render_yaml(plain))


def sign_figures(data: dict[str, Any]) -> bytes:
    """figures.yaml with `import_checksum` last: the digest of its values (figures_digest)."""
    return render_yaml({**data, CHECKSUM_FIELD: f"sha256:{figures_digest(data)}"})


def figures_edit(old: bytes, new: bytes) -> str | None:
    """Why the existing figures.yaml `old` must not be replaced by `new` without --force (it was edited by hand, or
    cannot be told from a hand-written file), or None: its checksum still matches its values (untouched since the
    import, French texts aside), or its values are the new ones anyway, so that nothing written by hand is lost."""
    try:
        data = yaml.safe_load(old.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        return "cannot be read as YAML (edited by hand?)"
    if not isinstance(data, dict):
        return "is not a mapping of figures (edited by hand?)"
    digest = figures_digest(data)
    if digest == figures_digest(yaml.safe_load(new.decode("utf-8"))):
        return None
    recorded = data.get(CHECKSUM_FIELD)
    if recorded is None:
        return "has no import_checksum (written by hand, or by an older kb import)"
    if recorded != f"sha256:{digest}":
        return "was edited by hand since it was imported (its import_checksum no longer matches its values)"
    return None


def existing_french(path: Path) -> tuple[dict[str, str], str | None]:
    """English text -> hand-written French text of the key figures already in `path`, or why it cannot be read."""
    if not path.exists():
        return {}, None
    try:
        data = load_yaml_file(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        return {}, f"cannot be read as YAML ({str(err).splitlines()[0]})"
    if data is not None and not isinstance(data, dict):
        return {}, "is not a mapping of figures"
    french = {}
    for figure in (data or {}).get("key_figures") or []:
        text = figure.get("text") if isinstance(figure, dict) else None
        if isinstance(text, dict) and isinstance(text.get("en"), str) and isinstance(text.get("fr"), str):
            french[text["en"]] = text["fr"]
    return french, None


# --- the files an import writes -------------------------------------------------------------------------------------


@dataclass
class Output:
    """One file the import would write, and what stands in the way of replacing the existing one (figures.yaml)."""

    path: Path
    data: bytes
    kind: str  # "section" | "figures" | "operations"
    problem: str | None = None
    status: str = ""  # new | unchanged | replaced | conflict | forced | updated
    reason: str = ""


def build_outputs(page: Page, target: Target, content: Path, source: str, years: tuple[int | None, int | None],
                  origin: Origin | None = None) -> tuple[list[Output], list[str]]:
    """Every file to write, rendered; plus warnings about paragraph numbering. `origin` says where the page was read
    (its address and date: indexer.provenance), recorded in every file."""
    warnings: list[str] = []
    planned: dict[int, tuple[Path, dict, str]] = {}  # page order -> (path, fields, body); English first
    assigned: dict[tuple[str, int], list[str]] = {}  # (slug, year) -> identifiers given to the English
    for order, section in sorted(enumerate(page.sections), key=lambda item: item[1].lang != "en"):
        if not section.items:
            continue
        year = section_year(section, target, *years)
        path = section_path(content, target.slug, year, section.slug, section.lang)
        twin = section_path(content, target.slug, year, section.slug, "fr" if section.lang == "en" else "en")
        key = f"{target.slug}/{year}/{section.slug}"
        kept = keep_ids(path, key, [paragraph_text(item) for item in section.items], twin,
                        assigned.get((section.slug, year)) if section.lang != "en" else None)
        assigned.setdefault((section.slug, year), kept.ids)
        body = render_body(section.items, kept.ids)
        if len(split_paragraphs(body)) != len(section.items):
            warnings.append(f"{section.slug}: the Markdown body does not split into {len(section.items)} paragraphs")
        fields = section_fields(section, target, year, source) | ({"retired_ids": kept.retired} if kept.retired else {})
        planned[order] = (path, fields, body)
    figures_at = None
    if page.has_figures and target.figures_year is not None:
        figures_at = figures_path(content, target.slug, target.figures_year)
    files = [planned[order] for order in sorted(planned)]  # the page's order
    recorded = source_fields(origin, [path for path, _, _ in files] + ([figures_at] if figures_at else []))
    outputs = [Output(path, sign({**fields, **recorded}, body), "section") for path, fields, body in files]
    if figures_at is not None:
        outputs.append(_figures_output(page, target, content, source, recorded))
    if target.new_operation:
        outputs.append(_operations_output(target, content))
    return outputs, warnings


def _figures_output(page: Page, target: Target, content: Path, source: str, recorded: dict[str, str]) -> Output:
    assert target.figures_year is not None
    path = figures_path(content, target.slug, target.figures_year)
    french, problem = existing_french(path)
    data = figures_data(page, target, source, french)
    if recorded:  # the page's address and date, after `source`
        data = _insert_after(data, "source", recorded)
    lost = sorted(set(french) - {figure["text"]["en"] for figure in data["key_figures"]})
    if lost and not problem:
        problem = (f"holds French texts of {len(lost)} key figure(s) that are no longer on the page "
                   f"(first: '{lost[0][:60]}'); they would be lost")
    return Output(path, sign_figures(data), "figures", problem)


def _insert_after(data: dict[str, Any], key: str, extra: dict[str, Any]) -> dict[str, Any]:
    """`data` with the items of `extra` right after `key` (a figures.yaml's keys keep their documented order)."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        out[name] = value
        if name == key:
            out.update(extra)
    return out


def _operations_output(target: Target, content: Path) -> Output:
    path = content / OPERATIONS_FILE
    try:
        old = path.read_bytes().decode("utf-8") if path.exists() else OPERATIONS_HEADER
    except (OSError, UnicodeDecodeError) as err:
        raise PageError(f"{path} cannot be read: {err}") from None
    entry = {target.slug: {"en": target.name, "fr": target.name, "country": target.country}}
    added = yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)
    separator = "" if not old or old.endswith("\n") else "\n"
    return Output(path, (old + separator + added).encode(), "operations")


def load_operations(content: Path) -> dict[str, Any]:
    path = content / OPERATIONS_FILE
    if not path.exists():
        return {}
    try:
        data = load_yaml_file(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise PageError(f"{path} cannot be read: {str(err).splitlines()[0]}") from None
    if data is not None and not isinstance(data, dict):
        raise PageError(f"{path} is not a mapping of operations")
    return data or {}


def assess(output: Output, force: bool) -> None:
    """Set the output's status: new, unchanged, replaced (written by the importer and untouched), conflict or
    forced (edited by hand, a translation, or French texts that would be lost)."""
    if output.kind == "operations":
        output.status = "updated"
        return
    if not output.path.exists():
        output.status = "new"
        return
    try:
        old = output.path.read_bytes()
    except OSError as err:
        output.status, output.reason = "conflict", f"cannot be read ({err.strerror or err})"
        return
    if old == output.data:
        output.status = "unchanged"
        return
    reason = (output.problem or figures_edit(old, output.data)) if output.kind == "figures" else {
        "valid": None,
        "mismatch": "was edited by hand since it was imported (its import_checksum no longer matches)",
        "none": "has no import_checksum (a translation, or written by hand)",
    }[checksum_state(old)]
    output.status = "replaced" if reason is None else ("forced" if force else "conflict")
    output.reason = reason or ""


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


# --- reading the page file ------------------------------------------------------------------------------------------


def read_page(path: Path) -> str:
    """The page's text, or a PageError saying why it is not page text."""
    if not path.exists():
        raise PageError("no such file")
    if path.is_dir():
        raise PageError("is a directory, not a page file")
    if not path.is_file():  # a FIFO would wait forever, /dev/zero never end
        raise PageError("is not a regular file (a device, a pipe or a socket), not a page file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PAGE_BYTES + 1)  # never more, whatever the file claims to be
    except OSError as err:
        raise PageError(f"cannot be read ({err.strerror or err})") from None
    if len(data) > MAX_PAGE_BYTES:
        raise PageError(f"too large to be a Global Focus page (over {MAX_PAGE_BYTES:,} bytes)")
    if not data.strip():
        raise PageError("empty file")
    if b"\x00" in data:
        raise PageError("binary file, not page text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise PageError(f"not UTF-8 text (invalid byte at offset {err.start}): a binary file?") from None
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > len(text) // 100:
        raise PageError("binary file, not page text")
    return text


def check_page(page: Page) -> None:
    if not page.recognised:
        raise PageError("not a Global Focus page: no 'Operation:' title, Key Figures, People of Concern, budget data "
                        "or known section heading was found")
    if not any(s.items for s in page.sections) and not page.has_figures:
        raise PageError("nothing to import: the page has no section text and no figures")


# --- the command ----------------------------------------------------------------------------------------------------


def _show(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _stderr(kind: str, where: str, message: str) -> None:
    print(f"kb import: {kind}: {where}: {message}", file=sys.stderr)


def prepare(page_path: Path, content: Path, operation: str | None, year: int | None, plan_year: int | None,
            origin: Origin | None = None) -> tuple[Page, Target, list[Output], list[str]]:
    """Read, parse and render everything, writing nothing. Raises PageError."""
    page = parse_page(read_page(page_path))
    check_page(page)
    target = Target("", "", [], False, None, None, None)
    resolve_operation(page, load_operations(content), operation, target)
    resolve_years(page, year, plan_year, target)
    outputs, warnings = build_outputs(page, target, content, page_path.name, (year, plan_year),
                                      origin and origin.dated(page_path))
    return page, target, outputs, warnings


def run_import(page: Path, content: Path, *, operation: str | None = None, year: int | None = None,
               plan_year: int | None = None, force: bool = False, origin: Origin | None = None) -> int:
    """Import one page; print a summary on stdout and warnings and errors on stderr. Returns the exit code."""
    try:
        parsed, target, outputs, warnings = prepare(page, content, operation, year, plan_year, origin)
    except PageError as err:
        _stderr("error", str(page), str(err))
        return 2
    for warning in parsed.warnings:
        _stderr("warning", f"{page}:{warning.line}" if warning.line else str(page), warning.message)
    for message in target.warnings + warnings:
        _stderr("warning", str(page), message)
    for output in outputs:
        assess(output, force)
    conflicts = [o for o in outputs if o.status == "conflict"]
    for output in conflicts:
        _stderr("error", _show(output.path), f"{output.reason}; use --force to overwrite it")
    if conflicts:
        print(f"kb import: stopped: {len(conflicts)} existing file(s) would be overwritten; nothing written",
              file=sys.stderr)
        return 1
    return _write_all(page, target, outputs)


def _write_all(page: Path, target: Target, outputs: list[Output]) -> int:
    years = ", ".join(f"{label} {value}" for label, value in (("year-end", target.year_end), ("plan", target.plan))
                      if value)
    print(f"kb import: {page.name} -> {target.slug} ({target.name}, {', '.join(target.country)}): {years}")
    for note in target.notes:
        print(f"  note: {note}")
    labels = {"new": "written", "replaced": "written", "forced": "overwritten (--force)", "unchanged": "unchanged",
              "updated": "added operation to"}
    for output in outputs:
        if output.status != "unchanged":
            try:
                write_atomic(output.path, output.data)
            except OSError as err:
                _stderr("error", _show(output.path), f"cannot be written ({err.strerror or err})")
                return 1
        print(f"  {labels[output.status]:<22} {_show(output.path)}")
        _note_translation(output)
    written = sum(o.status != "unchanged" for o in outputs)
    print(f"{written} written, {len(outputs) - written} unchanged")
    return 0


def _note_translation(output: Output) -> None:
    if output.kind != "section" or output.status not in ("replaced", "forced") or ".en." not in output.path.name:
        return
    french = output.path.with_name(output.path.name.replace(".en.md", ".fr.md"))
    if french.exists():
        print(f"  note: {_show(french)} translates the previous English text; check it against the new one")
