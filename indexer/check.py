"""Checking content/: the one loader (`load_content`) and `kb check` (`run_check`).

Owns every rule a file under content/ must follow (docs/content-format.md) and the loader the index builder and the
web app call. Every problem is a `Problem` (`path:line: message`); nothing raises on bad content, and all problems of
all files are found in one run.

- `check_file(path, content, context)`: one section document, alone — bytes (size, UTF-8, BOM, CRLF, final newline,
  symlinks), front matter (YAML, fields, types, values, location, file name, translation_key, editor's notes),
  body (paragraphs, language of each paragraph), themes. Returns the `Section` when the front matter is complete
  and well typed.
- `check_records(content, records)`: the checks across files, on small per-file records (so that an incremental
  build can run them without re-reading unchanged files): duplicates, translated_from, paragraph alignment of twins.
- `twin_notices(content, records)`: the sections in one language only. A translation is welcome, never required:
  these are notices, which `kb check --require-twins` turns into errors (the build never refuses them).
- `load_content(content)`: walks content/ (never following a symlink out of it), checks operations.yaml, themes.yaml,
  every figures.yaml and every section document, flags stray files, runs the cross-file checks.

Drafts are checked like any document, except for what a translation in progress cannot yet satisfy: the same
paragraphs as the twin, a non-empty body, and the language of each paragraph (and a draft gets no twin notice).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from pathlib import Path
from typing import Any

import click

from indexer import paragraph_ids
from indexer.content import (
    Problem,
    display_path,
    field_lines,
    load_yaml_nodes,
    parse_front_matter,
    read_content_file,
    section_from,
    split_front_matter,
)
from indexer.figures import At, Checker, load_figures
from indexer.glossary import GLOSSARY_FILE, load_glossary
from indexer.language import detect
from indexer.notes import FIELD as NOTES_FIELD
from indexer.notes import parse_notes
from indexer.provenance import source_problems
from kb.markdown import markdown_parser
from kb.model import FRONT_MATTER, LANGS, REPORT_KINDS, SECTIONS, YEAR_MAX, YEAR_MIN, Section, is_slug

OPERATIONS_FILE = "operations.yaml"
THEMES_FILE = "themes.yaml"
FIGURES_FILE = "figures.yaml"
TOP_LEVEL_FILES = (OPERATIONS_FILE, THEMES_FILE, GLOSSARY_FILE, "README.md")
LANG_NAMES = {"en": "English", "fr": "French"}
COUNTRY_RE = re.compile(r"[A-Z]{3}")
CHECKSUM_RE = re.compile(r"sha256:[0-9a-f]{64}")
FILE_NAME_RE = re.compile(r"(?P<section>[^.]+)\.(?P<lang>[^.]+)\.md")
TYPE_NAMES = {str: "a string", int: "an integer", list: "a list", bool: "true or false", date: "a date"}
LAYOUT = "content/<operation>/<year>/<section>.<lang>.md"

_MD = markdown_parser()


@dataclass
class CheckContext:
    """What checking one document needs besides the document: the known operations and themes."""

    content: Path
    operations: dict[str, set[str]] | None = None  # slug -> its countries; None when operations.yaml is unusable
    themes: frozenset[str] | None = None  # None when themes.yaml is absent or unusable (the check is skipped)
    problems: list[Problem] = field(default_factory=list)  # problems of the YAML files above and glossary.yaml
    glossary: int = 0  # entries of glossary.yaml


@dataclass
class Scan:
    """Everything `load_content` found; `run_check` prints it."""

    sections: list[Section] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)  # sections without a twin (errors with --require-twins)
    documents: int = 0
    figures: int = 0
    context: CheckContext | None = None
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # for the cross-file checks and notices


# ------------------------------------------------------------------------------- operations.yaml and themes.yaml


def load_context(content: Path) -> CheckContext:
    """Read operations.yaml and themes.yaml once, for checking many documents; check glossary.yaml too."""
    context = CheckContext(content)
    context.operations = _load_operations(content / OPERATIONS_FILE, context.problems)
    context.themes = _load_theme_slugs(content, context.problems)
    entries, problems = load_glossary(content, context.themes)
    context.problems += problems
    context.glossary = len(entries)
    return context


def _load_operations(path: Path, problems: list[Problem]) -> dict[str, set[str]] | None:
    shown = display_path(path)
    if not path.exists():
        problems.append(Problem(shown, 1, "missing: operations.yaml lists the operations (slug: {en, fr, country})"))
        return None
    text, _digest, found = read_content_file(path, shown)
    problems += found
    data, node, found = load_yaml_nodes(shown, text or "", "invalid YAML")
    problems += found
    if node is None:
        problems += [] if found else [Problem(shown, 1, "empty: operations.yaml lists the operations")]
        return None
    check = Checker(shown)
    root = At(data, node, "", node.start_mark.line + 1)
    operations: dict[str, set[str]] = {}
    if isinstance(data, dict):
        for slug in data:
            at = root.get(str(slug))
            if not isinstance(slug, str) or not is_slug(slug):
                check.bad(at, "an operation slug is lower-case words joined by hyphens")
            elif check.mapping(at, ("en", "fr"), ("country",)):
                for lang in LANGS:
                    check.text(at.get(lang))
                operations[slug] = _countries(check, at.get("country")) if at.get("country").present else set()
    else:
        check.bad(root, f"expected a mapping of operation slug -> {{en, fr, country}}, got {type(data).__name__}")
    problems += check.problems
    return operations


def _countries(check: Checker, at: At) -> set[str]:
    if isinstance(at.value, str):
        items = [at]
    elif isinstance(at.value, list):
        items = at.items()
    else:
        check.bad(at, "expected a list of ISO 3166-1 alpha-3 codes")
        return set()
    for item in items:
        if not isinstance(item.value, str) or not COUNTRY_RE.fullmatch(item.value):
            check.bad(item, f"{item.value!r} is not an ISO 3166-1 alpha-3 code in upper case (e.g. MLI)")
    return {item.value for item in items if isinstance(item.value, str) and COUNTRY_RE.fullmatch(item.value)}


def _load_theme_slugs(content: Path, problems: list[Problem]) -> frozenset[str] | None:
    """The theme slugs, from indexer.themes (which owns themes.yaml's rules); None: skip the themes check."""
    from indexer.themes import VocabularyError, load_themes

    path = content / THEMES_FILE
    if not path.exists():
        return None
    shown = display_path(path)
    text, _digest, found = read_content_file(path, shown)
    problems += found
    try:
        return frozenset(load_themes(content).slugs)
    except VocabularyError as err:
        _data, _node, found = load_yaml_nodes(shown, text or "", "invalid YAML")  # a YAML error, with its line
        message = str(err)
        for prefix in (f"{path.resolve()}: ", f"{path}: "):
            message = message.removeprefix(prefix)
        problems += found or [Problem(shown, 1, message)]
        return None


# ------------------------------------------------------------------------------------------- one section document


def check_file(path: Path, content: Path, context: CheckContext | None = None) -> tuple[Section | None, list[Problem]]:
    """Check one section document on its own; the Section comes back when its front matter is complete and typed.

    Pass a `context` (from `load_context`) when checking many files; without one, operations.yaml and themes.yaml
    are read for this call (and their own problems are not reported here).
    """
    context = context or load_context(content)
    shown = display_path(path)
    problems = _link_problems(path, content, shown)
    if problems:
        return None, problems
    text, digest, problems = read_content_file(path, shown)
    if text is None:
        return None, problems
    if text and not (text.endswith("\n") and not text.endswith("\n\n")):
        problems.append(Problem(shown, text.count("\n") + 1, "the file must end with exactly one newline"))
    raw, body, body_line = split_front_matter(text)
    meta, found = parse_front_matter(shown, raw)
    problems += found
    if meta is None:
        return None, problems
    lines = {key: found_lines[0] for key, found_lines in field_lines(raw or "").items()}
    problems += _duplicate_fields(shown, raw or "")
    found, complete = _field_problems(shown, meta, lines)
    problems += found
    if not complete:
        return None, problems
    problems += _value_problems(shown, meta, lines, context)
    problems += _location_problems(shown, meta, lines, _relative(path, content))
    section = section_from(path, meta, body, body_line, digest)
    _notes, wrong = parse_notes(meta.get(NOTES_FIELD), len(section.paragraphs))
    problems += [Problem(shown, lines.get(NOTES_FIELD, 1), message) for message in wrong]
    problems += _id_problems(shown, section, meta, lines)
    if not section.draft:
        problems += _body_problems(shown, section, body_line)
    return section, problems


def _id_problems(shown: str, section: Section, meta: dict[str, Any], lines: dict[str, int]) -> list[Problem]:
    """Paragraph identifiers: well formed, one per paragraph or none at all, unique, never a retired one."""
    found = paragraph_ids.document_problems([p.id for p in section.paragraphs], meta.get("retired_ids") or [])
    return [Problem(shown, section.paragraphs[n - 1].line if n else lines.get("retired_ids", 1), message)
            for n, message in found]


def _relative(path: Path, content: Path) -> tuple[str, ...]:
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(content)).parts
    except ValueError:
        return (path.name,)


def _link_problems(path: Path, content: Path, shown: str) -> list[Problem]:
    """A symlink must stay inside content/ (it is never followed out of it)."""
    if not path.is_symlink():
        return []
    target = Path(os.path.realpath(path))
    root = Path(os.path.realpath(content))
    if not target.is_relative_to(root):
        return [Problem(shown, 1, f"symbolic link to {target}, outside content/; not followed (copy the file in)")]
    if not target.exists():
        return [Problem(shown, 1, f"broken symbolic link to {target}")]
    return []


def _duplicate_fields(shown: str, raw: str) -> list[Problem]:
    return [
        Problem(shown, line, f"field {key!r} is given twice (YAML keeps only the last one)")
        for key, lines in field_lines(raw).items()
        for line in lines[1:]
    ]


def _field_problems(shown: str, meta: dict[str, Any], lines: dict[str, int]) -> tuple[list[Problem], bool]:
    """Unknown fields, missing required fields, fields of the wrong type; and whether it is complete and typed."""
    problems: list[Problem] = []
    complete = True
    for key in meta:
        if key not in FRONT_MATTER:
            problems.append(Problem(shown, lines.get(str(key), 1),
                                    f"unknown field {key!r} (allowed: {', '.join(FRONT_MATTER)})"))
    for key, (required, types) in FRONT_MATTER.items():
        if key not in meta:
            if required:
                problems.append(Problem(shown, 1, f"missing required field {key!r}"))
                complete = False
            continue
        value = meta[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            expected = " or ".join(TYPE_NAMES[kind] for kind in types)
            problems.append(Problem(shown, lines.get(key, 1), f"field {key!r} must be {expected}, not {_show(value)}"))
            complete = False
    return problems, complete


def _show(value: Any) -> str:
    if value is None:
        return "empty (null)"
    shown = repr(value)
    return f"{type(value).__name__} {shown if len(shown) <= 40 else shown[:40] + '…'}"


def _value_problems(shown: str, meta: dict[str, Any], lines: dict[str, int], context: CheckContext) -> list[Problem]:
    """Allowed values of well-typed fields, and what they must agree on."""
    found: list[tuple[str, str]] = []  # (field, message)
    operation, section, lang, year = meta["operation"], meta["section"], meta["lang"], meta["year"]
    if not meta["title"].strip():
        found.append(("title", "title is empty"))
    if not meta["source"].strip():
        found.append(("source", "source is empty"))
    if not is_slug(operation):
        found.append(("operation", f"operation {operation!r} is not a slug (lower-case words joined by hyphens)"))
    elif context.operations is not None and operation not in context.operations:
        found.append(("operation", f"unknown operation {operation!r}: add it to content/{OPERATIONS_FILE}"))
    found += _country_problems(meta["country"], (context.operations or {}).get(operation))
    if not YEAR_MIN <= year <= YEAR_MAX:
        found.append(("year", f"year {year} is out of range ({YEAR_MIN}..{YEAR_MAX})"))
    if meta["report"] not in REPORT_KINDS:
        found.append(("report", f"report {meta['report']!r} is not one of: {', '.join(REPORT_KINDS)}"))
    if section not in SECTIONS:
        found.append(("section", f"unknown section {section!r} (known: {', '.join(SECTIONS)})"))
    elif meta["report"] in REPORT_KINDS and SECTIONS[section].report != meta["report"]:
        found.append(("report", f"section {section!r} belongs to the {SECTIONS[section].report} report, "
                                f"but report is {meta['report']}"))
    if lang not in LANGS:
        found.append(("lang", f"lang {lang!r} is not one of: {', '.join(LANGS)}"))
    key = f"{operation}/{year}/{section}"
    if meta["translation_key"] != key:
        found.append(("translation_key", f"translation_key is {meta['translation_key']!r}; it must be {key!r} "
                                         "(<operation>/<year>/<section>)"))
    found += _translation_problems(meta)
    found += source_problems(meta)
    found += _theme_problems(meta.get("themes"), context.themes)
    return [Problem(shown, lines.get(name, 1), message) for name, message in found]


def _country_problems(country: str | list[Any], known: set[str] | None) -> list[tuple[str, str]]:
    codes = [country] if isinstance(country, str) else country
    if not codes:
        return [("country", "country is empty: give the ISO 3166-1 alpha-3 code (e.g. MLI)")]
    found = []
    for code in codes:
        if not isinstance(code, str) or not COUNTRY_RE.fullmatch(code):
            found.append(("country", f"country {code!r} is not an ISO 3166-1 alpha-3 code in upper case (e.g. MLI)"))
        elif known and code not in known:
            found.append(("country", f"country {code} is not one of the operation's countries in "
                                     f"{OPERATIONS_FILE} ({', '.join(sorted(known))})"))
    return found


def _translation_problems(meta: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    source_lang = meta.get("translated_from")
    if source_lang is not None and (source_lang not in LANGS or source_lang == meta["lang"]):
        others = [lang for lang in LANGS if lang != meta["lang"]]
        found.append(("translated_from", f"translated_from {source_lang!r} must name the language of the original "
                                         f"({', '.join(others)})"))
    checksum = meta.get("import_checksum")
    if checksum is not None and not CHECKSUM_RE.fullmatch(checksum):
        found.append(("import_checksum", "import_checksum must be 'sha256:' and 64 lower-case hex digits"))
    if checksum is not None and source_lang is not None:
        found.append(("import_checksum", "a translation has no import_checksum (only files the importer wrote do)"))
    return found


def _theme_problems(themes: list[Any] | None, known: frozenset[str] | None) -> list[tuple[str, str]]:
    found = []
    for theme in themes or []:
        if not isinstance(theme, str):
            found.append(("themes", f"themes must be theme slugs, not {_show(theme)}"))
        elif known is not None and theme not in known:
            found.append(("themes", f"unknown theme {theme!r}: themes are the slugs in content/{THEMES_FILE}"))
    return found


def _location_problems(
    shown: str, meta: dict[str, Any], lines: dict[str, int], parts: tuple[str, ...]
) -> list[Problem]:
    """The file's place and name agree with its front matter: `<operation>/<year>/<section>.<lang>.md`."""
    if len(parts) != 3:
        return [Problem(shown, 1, f"a section document lives at {LAYOUT}")]
    folder_operation, folder_year, name = parts
    found: list[tuple[str, str]] = []
    if meta["operation"] != folder_operation:
        found.append(("operation", f"operation is {meta['operation']!r} but the folder is {folder_operation!r}"))
    if not folder_year.isdigit():
        found.append(("year", f"folder {folder_year!r} is not a year; a section document lives at {LAYOUT}"))
    elif meta["year"] != int(folder_year):
        found.append(("year", f"year is {meta['year']} but the folder is {folder_year}"))
    match = FILE_NAME_RE.fullmatch(name)
    if match is None:
        found.append(("section", f"file name {name!r} is not <section>.<lang>.md"))
    else:
        for key in ("section", "lang"):
            if match[key] != meta[key]:
                found.append((key, f"{key} is {meta[key]!r} but the file name says {match[key]!r}"))
    return [Problem(shown, lines.get(name_, 1), message) for name_, message in found]


def _body_problems(shown: str, section: Section, body_line: int) -> list[Problem]:
    """A body with paragraphs, each in the document's language (when it is long enough to tell)."""
    if not section.paragraphs:
        return [Problem(shown, max(body_line - 1, 1), "empty body: no paragraphs after the front matter")]
    if section.lang not in LANGS:
        return []  # reported with the front matter
    problems = _image_problems(shown, section)
    judged = False
    for para in section.paragraphs:
        found = detect(para.text)
        judged = judged or found is not None
        if found is not None and found != section.lang:
            problems.append(Problem(shown, para.line, f"paragraph ¶{para.n} reads as {LANG_NAMES[found]}, "
                                                      f"but lang is {section.lang}"))
    if not judged:  # every paragraph too short to tell: judge them together
        found = detect("\n".join(para.text for para in section.paragraphs))
        if found is not None and found != section.lang:
            problems.append(Problem(shown, body_line, f"the body reads as {LANG_NAMES[found]}, "
                                                      f"but lang is {section.lang}"))
    return problems


def _image_problems(shown: str, section: Section) -> list[Problem]:
    """Markdown images (`![alt](url)`): kb shows text, never an image fetched from elsewhere (or a `data:` one)."""
    problems = []
    for para in section.paragraphs:
        for token in _MD.parseInline(para.text):
            if any(child.type == "image" for child in token.children or []):
                problems.append(Problem(shown, para.line, f"paragraph ¶{para.n} has a Markdown image: kb shows no "
                                                          "images; write its description as text, or a link"))
    return problems


# ------------------------------------------------------------------------------------------------- across files


def record_of(section: Section) -> dict[str, Any]:
    """What the cross-file checks need of a document (a superset of what indexer.stages keeps in its manifest)."""
    return {
        "translation_key": section.translation_key,
        "lang": section.lang,
        "operation": section.operation,
        "year": section.year,
        "report": section.report,
        "section": section.section,
        "country": sorted(section.country),
        "n_paragraphs": len(section.paragraphs),
        "kinds": "".join("l" if para.kind == "li" else "p" for para in section.paragraphs),
        "translated_from": section.translated_from,
        "draft": section.draft,
        "ids": [para.id or "" for para in section.paragraphs],
        "retired_ids": list(section.retired_ids),
    }


class _DisplayPaths(dict):
    """rel -> display_path(content / rel), computed on first use."""

    def __init__(self, content: Path) -> None:
        super().__init__()
        self.content = content

    def __missing__(self, rel: str) -> str:
        self[rel] = shown = display_path(self.content / rel)
        return shown


def _by_key(records: dict[str, dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """(translation_key, lang) -> the relative paths of the records that have them, sorted."""
    by_key: dict[tuple[str, str], list[str]] = {}
    for rel in sorted(records):
        by_key.setdefault((records[rel]["translation_key"], records[rel]["lang"]), []).append(rel)
    return by_key


def check_records(content: Path, records: dict[str, dict[str, Any]]) -> list[Problem]:
    """Duplicates, and the agreement of twins, over records keyed by path relative to content/ (POSIX).

    A record with `"broken": True` stands for a file that exists but could not be read into a Section: it is skipped.
    A section without a twin is no problem here (see `twin_notices`).
    """
    shown = _DisplayPaths(content)  # computed for the few files a problem names, not for every record
    by_key = _by_key(records)
    problems: list[Problem] = []
    for (key, lang), rels in by_key.items():
        if len(rels) > 1:
            for rel in rels:
                others = ", ".join(shown[other] for other in rels if other != rel)
                problems.append(Problem(shown[rel], 1, f"duplicate document: {key} in {lang} is also {others}"))
    for key in sorted({key for key, _lang in by_key}):
        present = {lang: by_key[(key, lang)][0] for lang in LANGS if (key, lang) in by_key}
        if len(present) == len(LANGS) == 2 and not any(records[rel].get("broken") for rel in present.values()):
            problems += _pair_problems(records, shown, present[LANGS[0]], present[LANGS[1]])
    return problems


def twin_notices(content: Path, records: dict[str, dict[str, Any]], required: bool = False) -> list[Problem]:
    """One line per published section that exists in one language only (a draft, or a file that could not be read,
    gets none; a broken file still counts as its section's twin). `required`: worded as the error
    `kb check --require-twins` reports."""
    shown = _DisplayPaths(content)
    by_key = _by_key(records)
    notices: list[Problem] = []
    for key in sorted({key for key, _lang in by_key}):
        present = {lang: by_key[(key, lang)][0] for lang in LANGS if (key, lang) in by_key}
        for rel in present.values():
            if not records[rel].get("draft") and not records[rel].get("broken"):
                notices += [_missing_twin(records[rel], shown[rel], lang, required) for lang in LANGS
                            if lang not in present]
    return notices


def _missing_twin(record: dict[str, Any], shown: str, lang: str, required: bool) -> Problem:
    expected = f"{record['translation_key']}.{lang}.md"
    name = LANG_NAMES.get(lang, lang)
    if required:
        return Problem(shown, 1, f"no {name} twin: {expected} is missing "
                                 "(translate it, or mark this document draft: true)")
    return Problem(shown, 1, f"notice: no {name} twin ({expected}); the section is published in "
                             f"{LANG_NAMES.get(record['lang'], record['lang'])} only")


def _pair_problems(records: dict[str, dict[str, Any]], shown: dict[str, str], first: str, second: str) -> list[Problem]:
    """A document and its translation: translated_from on the translation only, same metadata, same paragraphs.

    The translation is the one that says translated_from; when neither does, the second language's (French).
    """
    one, two = records[first], records[second]
    translation, original = (first, second) if one.get("translated_from") and not two.get("translated_from") else (
        second, first)
    problems: list[Problem] = []
    if one.get("translated_from") and two.get("translated_from"):
        problems += [Problem(shown[rel], 1, f"both {shown[first]} and {shown[second]} say translated_from; only the "
                                            "translation does") for rel in (first, second)]
    elif not one.get("translated_from") and not two.get("translated_from"):
        lang = records[original]["lang"]
        problems.append(Problem(shown[translation], 1, "translated_from is missing: a translation says "
                                f"'translated_from: {lang}' (its original is {shown[original]})"))
    for key in ("operation", "year", "report", "section", "country"):
        if key in one and key in two and one[key] != two[key]:
            problems.append(Problem(shown[translation], 1, f"{key} is {records[translation][key]!r} here but "
                                                           f"{records[original][key]!r} in its twin {shown[original]}"))
    if not one.get("draft") and not two.get("draft") and one.get("n_paragraphs") and two.get("n_paragraphs"):
        problems += _pair_paragraphs(records, shown, translation, original)  # (an empty body is reported already)
    return problems


def _pair_paragraphs(records: dict[str, dict[str, Any]], shown: dict[str, str], translation: str,
                     original: str) -> list[Problem]:
    """¶n of one language is ¶n of the other: same count, same kind (prose or list item)."""
    mine, theirs = records[translation], records[original]
    if mine.get("n_paragraphs") != theirs.get("n_paragraphs"):
        return [Problem(shown[translation], 1, f"{mine.get('n_paragraphs')} paragraphs here but "
                                               f"{theirs.get('n_paragraphs')} in its twin {shown[original]}; "
                                               "¶n of one language must be ¶n of the other")]
    kinds, other_kinds = mine.get("kinds"), theirs.get("kinds")
    if kinds and other_kinds and kinds != other_kinds:
        n = next(i for i, (a, b) in enumerate(zip(kinds, other_kinds, strict=True), 1) if a != b)
        names = {"p": "a paragraph", "l": "a list item"}
        return [Problem(shown[translation], 1, f"¶{n} is {names[kinds[n - 1]]} here but {names[other_kinds[n - 1]]} "
                                               f"in its twin {shown[original]}")]
    return _pair_ids(records, shown, translation, original)


def _pair_ids(records: dict[str, dict[str, Any]], shown: dict[str, str], translation: str,
              original: str) -> list[Problem]:
    """A paragraph and its translation share their identifier; neither keeps one the other retired."""
    mine = [i or None for i in records[translation].get("ids") or []]
    theirs = [i or None for i in records[original].get("ids") or []]
    problems = [Problem(shown[translation], 1, message)
                for message in paragraph_ids.pair_problems(mine, theirs, shown[original])]
    for rel, ids, other in ((translation, mine, original), (original, theirs, translation)):
        problems += [Problem(shown[rel], 1, message) for message in paragraph_ids.retired_in_twin(
            ids, records[other].get("retired_ids") or [], shown[other])]
    return problems


# ----------------------------------------------------------------------------------------------- the whole folder


def load_content(content: Path, jobs: int = 1) -> tuple[list[Section], list[Problem]]:
    """Every section document under content/, and every problem with any file there (sorted).

    A Section comes back for each document whose front matter is complete and well typed, drafts included
    (`draft=True`; callers skip them), even when the file has other problems: callers that must not use invalid
    content refuse when the problem list is not empty. `jobs` > 1 checks documents in that many processes.
    """
    scan = scan_content(content, jobs)
    return scan.sections, scan.problems


def scan_content(content: Path, jobs: int = 1) -> Scan:
    """`load_content`, plus the counts `kb check` reports."""
    context = load_context(content)
    scan = Scan(problems=list(context.problems), context=context)
    records: dict[str, dict[str, Any]] = {}
    documents: list[tuple[Path, tuple[str, ...]]] = []
    for path in _walk(content):
        parts = path.relative_to(content).parts
        shown = display_path(path)
        if path.is_symlink():
            found = _link_problems(path, content, shown)
            scan.problems += found
            if found and path.suffix == ".md" and _broken_record(parts):
                records["/".join(parts)] = _broken_record(parts)  # so that its twin is not "missing" as well
            if found or path.is_dir():  # a link to a folder inside content/ is not followed either
                continue
        if len(parts) == 1 and parts[0] in TOP_LEVEL_FILES:
            continue  # read by load_context; README.md is free text
        if parts[-1] == FIGURES_FILE:
            scan.figures += 1
            scan.problems += _figures_problems(path, shown, parts)
        elif path.suffix == ".md":
            documents.append((path, parts))
        else:
            scan.problems.append(Problem(shown, 1, "stray file: content/ holds only <section>.<lang>.md, "
                                                   f"{FIGURES_FILE}, {THEMES_FILE}, {OPERATIONS_FILE} and README.md; "
                                                   "move it out or delete it"))
    scan.documents = len(documents)
    checked = _check_documents([path for path, _parts in documents], content, context, jobs)
    for (_path, parts), (section, found) in zip(documents, checked, strict=True):
        scan.problems += found
        if section is not None:
            scan.sections.append(section)
        record = record_of(section) if section is not None else _broken_record(parts)
        if record is not None:
            records["/".join(parts)] = record
    scan.problems += check_records(content, records)
    scan.problems = sorted(set(scan.problems))
    scan.records = records
    return scan


PARALLEL_MIN = 200  # fewer documents than this are checked in-process: starting workers would cost more


def _check_documents(
    paths: list[Path], content: Path, context: CheckContext, jobs: int
) -> list[tuple[Section | None, list[Problem]]]:
    """check_file on each path, in `jobs` processes when there are many (language detection is the cost)."""
    if jobs > 1 and len(paths) >= PARALLEL_MIN:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        chunk = max(1, len(paths) // (jobs * 8))
        try:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                return list(pool.map(_check_file_safely, paths, repeat(content), repeat(context), chunksize=chunk))
        except (OSError, BrokenProcessPool):
            pass  # no processes to be had here: check in this one
    return [_check_file_safely(path, content, context) for path in paths]


def _walk(content: Path) -> Iterator[Path]:
    """Every file and symlink under content/, in a stable order; symlinked folders are yielded, never entered."""
    for folder, folders, files in os.walk(content):
        base = Path(folder)
        links = [name for name in folders if (base / name).is_symlink()]
        folders[:] = sorted(name for name in folders if name not in links)
        for name in sorted(files + links):
            yield base / name


def _check_file_safely(path: Path, content: Path, context: CheckContext) -> tuple[Section | None, list[Problem]]:
    """check_file; a bug in the checker is reported against the file, and the other files are still checked."""
    try:
        return check_file(path, content, context)
    except Exception as err:
        return None, [Problem(display_path(path), 1, f"internal error in kb check: {type(err).__name__}: {err}")]


def _broken_record(parts: tuple[str, ...]) -> dict[str, Any] | None:
    """A document that could not be read still stands for its translation_key, so its twin is not 'missing'."""
    match = FILE_NAME_RE.fullmatch(parts[-1])
    if len(parts) != 3 or match is None:
        return None
    return {"translation_key": f"{parts[0]}/{parts[1]}/{match['section']}", "lang": match["lang"], "broken": True}


def _figures_problems(path: Path, shown: str, parts: tuple[str, ...]) -> list[Problem]:
    if len(parts) != 3 or not parts[1].isdigit():
        return [Problem(shown, 1, f"{FIGURES_FILE} lives at content/<operation>/<year>/{FIGURES_FILE}")]
    _figures, problems = load_figures(path, shown, operation=parts[0], year=int(parts[1]))
    return problems


# ----------------------------------------------------------------------------------------------------- kb check


def run_check(content: Path, require_twins: bool = False) -> int:
    """`kb check`: print every problem as `path:line: message`, sorted, then a count; exit 1 if any, else 0.

    A section in one language only is a notice (`path:1: notice: …`), printed but never failing the check;
    `require_twins` makes each of them an error.
    """
    if not content.is_dir():
        click.echo(f"{display_path(content)}: no such content folder", err=True)
        return 1
    scan = scan_content(content, jobs=_cpus())
    notices = twin_notices(content, scan.records, required=require_twins)
    problems = sorted(set(scan.problems + notices)) if require_twins else scan.problems
    for line in sorted(set(scan.problems + notices)):
        click.echo(str(line))
    if problems:
        files = len({problem.path for problem in problems})
        click.echo(f"kb check: {_plural(len(problems), 'problem')} in {_plural(files, 'file')}")
        return 1
    langs = ", ".join(f"{sum(s.lang == lang for s in scan.sections):,} {lang}" for lang in LANGS)
    drafts = sum(section.draft for section in scan.sections)
    alone = f"; {_plural(len(notices), 'section')} in one language only" if notices else ""
    bare = sum(not any(p.id for p in section.paragraphs) for section in scan.sections)
    without = f"; {bare:,} without paragraph identifiers, which kb ids adds" if bare else ""
    entries = scan.context.glossary
    glossary = f", {entries:,} glossary entr{'y' if entries == 1 else 'ies'}" if entries else ""
    click.echo(f"kb check: {_plural(scan.documents, 'document')} ({langs}; {_plural(drafts, 'draft')}{alone}), "
               f"{_plural(scan.figures, 'figures file')}, {_plural(len(scan.context.operations or {}), 'operation')}"
               f"{glossary}: no problems{without}")
    return 0


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
