"""Reading `content/`: front matter + Markdown body -> `Section` records with numbered paragraphs.

Every problem found is collected as a `Problem` (`path:line: message`); nothing here raises on bad content.
Validation of values (fields, slugs, translations, language) lives in `indexer.check`; this module owns parsing:
reading a file's bytes (size, UTF-8, BOM, CRLF: `read_content_file`), front matter, paragraphs, YAML with the lines
of its values (`load_yaml_nodes`), and how a problem names a file (`display_path`).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from indexer.notes import FIELD as NOTES_FIELD
from indexer.notes import parse_notes
from indexer.paragraph_ids import split_id
from kb.markdown import markdown_parser
from kb.model import Paragraph, Section

MAX_FILE_BYTES = 2 * 1024 * 1024  # a section is a few KB; anything near this is a mistake, not a report
BOM = b"\xef\xbb\xbf"
# libyaml's loader when PyYAML has it (ten times faster); errors are re-parsed by the pure-Python loader so that the
# messages do not depend on how PyYAML was built.
FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, printed as `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


_MD = markdown_parser()


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split `---` front matter from the body. Returns (yaml text or None, body, 1-based line where body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip("\r") != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r") == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return None, text, 1


def split_paragraphs(body: str, first_line: int = 1) -> list[Paragraph]:
    """Number the body's paragraphs: each top-level paragraph, and each list item, is one paragraph; a trailing
    `{#id}` is its identifier (indexer.paragraph_ids), taken off its text."""
    lines = body.split("\n")
    paragraphs: list[Paragraph] = []
    depth = 0
    for token in _MD.parse(body):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.map and (
            (token.type == "list_item_open" and depth == 1)
            or (token.type in ("paragraph_open", "heading_open", "blockquote_open") and depth == 0 and token.level == 0)
        ):
            start, end = token.map
            text = "\n".join(line.rstrip() for line in lines[start:end]).strip()
            kind = "li"
            if token.type == "list_item_open":
                marker = token.markup + (")" if token.info and token.markup == ")" else "")
                text = _strip_marker(text, token.info, marker)
            else:
                kind = "p"
            text, identifier = split_id(text)
            last = next((i for i in range(end - 1, start, -1) if lines[i].strip()), start)
            paragraphs.append(Paragraph(n=len(paragraphs) + 1, text=text, kind=kind, line=first_line + start,
                                        id=identifier, last_line=first_line + last))
    return paragraphs


def _strip_marker(text: str, number: str, marker: str) -> str:
    prefix = f"{number}{marker}" if number else marker
    if text.startswith(prefix):
        text = text[len(prefix) :]
    # continuation lines of a list item are indented; keep them as one paragraph
    return "\n".join(part.strip() for part in text.split("\n")).strip()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iter_section_files(content: Path) -> Iterator[Path]:
    """Every `*.md` file under content/, in a stable order."""
    yield from sorted(p for p in content.rglob("*.md") if p.is_file() or p.is_symlink())


def parse_front_matter(path: str, raw: str | None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse the YAML front matter, turning YAML errors into `path:line` problems."""
    if raw is None:
        return None, [Problem(path, 1, "no front matter: the file must start with a '---' line")]
    try:
        data = yaml.load(raw, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return None, [yaml_problem(path, raw, 2, "invalid YAML in front matter")]
    if not isinstance(data, dict):
        return None, [Problem(path, 2, "front matter must be a mapping of field: value")]
    return data, []


def section_from(path: Path, meta: dict[str, Any], body: str, body_line: int, digest: str) -> Section:
    """Build a Section from front matter already validated by indexer.check."""
    country = meta.get("country")
    return Section(
        path=path,
        title=str(meta["title"]),
        operation=str(meta["operation"]),
        country=[country] if isinstance(country, str) else list(country or []),
        year=int(meta["year"]),
        report=str(meta["report"]),
        section=str(meta["section"]),
        lang=str(meta["lang"]),
        translation_key=str(meta["translation_key"]),
        source=str(meta["source"]),
        paragraphs=split_paragraphs(body, body_line),
        themes=list(meta.get("themes") or []),
        source_url=meta.get("source_url"),
        source_retrieved=_iso(meta.get("source_retrieved")),
        translated_from=meta.get("translated_from"),
        draft=bool(meta.get("draft", False)),
        notes=[(note.paragraph, note.text) for note in parse_notes(meta.get(NOTES_FIELD))[0]],
        retired_ids=[str(i) for i in meta.get("retired_ids") or []],
        body=body,
        content_hash=digest,
    )


def _iso(value: Any) -> str | None:
    """A date of the front matter as YYYY-MM-DD (YAML reads an unquoted one as a date)."""
    return value.isoformat() if isinstance(value, date) else value


# ---------------------------------------------------------------------------------------------- reading files, lines


def load_yaml_file(path: Path) -> Any:
    """Read a YAML data file of content/ (utf-8-sig, safe loader)."""
    with path.open(encoding="utf-8-sig") as handle:
        return yaml.safe_load(handle)


def display_path(path: Path) -> str:
    """How a problem names a file: relative to the current directory when it is under it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def read_content_file(path: Path, shown: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[str | None, str, list[Problem]]:
    """Read a text file of content/: (text, sha256 of its bytes, problems).

    The file is stat-ed before it is read: anything that is not a regular file, or is larger than `max_bytes`, is a
    problem and is not read (text None). Otherwise the text comes back usable even when there are problems: a
    byte-order mark is dropped, CRLF becomes LF, bytes that are not UTF-8 become U+FFFD.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, "", [Problem(shown, 1, "not a regular file")]
        if info.st_size > max_bytes:
            return None, "", [Problem(shown, 1, f"file is {info.st_size:,} bytes, over the limit of {max_bytes:,}; "
                                                "a section is a few KB: split it or remove it")]
        data = path.read_bytes()
    except OSError as err:
        return None, "", [Problem(shown, 1, f"cannot read file: {err.strerror or err}")]
    problems: list[Problem] = []
    if data.startswith(BOM):
        problems.append(Problem(shown, 1, "file starts with a UTF-8 byte-order mark; save without BOM"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        bad = data[err.start : err.start + 1].hex()
        problems.append(Problem(shown, line, f"not valid UTF-8 (byte 0x{bad}); save the file as UTF-8"))
        text = data.decode("utf-8-sig", errors="replace")
    if "\r\n" in text:
        line = text.count("\n", 0, text.index("\r\n")) + 1
        problems.append(Problem(shown, line, "CRLF line endings; save with LF (Unix) line endings"))
        text = text.replace("\r\n", "\n")
    return text, content_hash(data), problems


def field_lines(raw: str, first_line: int = 2) -> dict[str, list[int]]:
    """Top-level keys of a flat YAML mapping (front matter) -> the lines they are on (more than one: a duplicate)."""
    lines: dict[str, list[int]] = {}
    for offset, line in enumerate(raw.split("\n")):
        match = _TOP_KEY.match(line)
        if match:
            lines.setdefault(match.group(1), []).append(first_line + offset)
    return lines


def yaml_problem(shown: str, text: str, first_line: int, what: str) -> Problem:
    """The problem for YAML that does not parse: the pure-Python loader's reason, at the line it points to."""
    try:
        yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        reason = getattr(err, "problem", None) or str(err).splitlines()[0]
        return Problem(shown, line, f"{what}: {reason}")
    return Problem(shown, first_line, f"{what}: libyaml rejects it")  # only libyaml objects: rare, still an error


def load_yaml_nodes(shown: str, text: str, what: str = "invalid YAML") -> tuple[Any, yaml.Node | None, list[Problem]]:
    """Parse a YAML data file keeping its node tree, whose marks give each value's line (`node.start_mark.line`)."""
    loader = FAST_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError:
        return None, None, [yaml_problem(shown, text, 1, what)]
    finally:
        loader.dispose()
    return data, node, duplicate_keys(shown, node)


def duplicate_keys(shown: str, node: yaml.Node | None) -> list[Problem]:
    """A key written twice in one mapping (YAML keeps the last one silently)."""
    problems: list[Problem] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        problems.append(Problem(shown, key.start_mark.line + 1, f"duplicate key {key.value!r}"))
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return problems
