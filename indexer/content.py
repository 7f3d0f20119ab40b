"""Reading `content/`: front matter + Markdown body -> `Section` records with numbered paragraphs.

Every problem found is collected as a `Problem` (`path:line: message`); nothing here raises on bad content.
Validation of values (fields, slugs, translations, language) lives in `indexer.check`; this module owns parsing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

from indexer.model import Paragraph, Section

MAX_FILE_BYTES = 2 * 1024 * 1024  # a section is a few KB; anything near this is a mistake, not a report


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, printed as `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def markdown_parser() -> MarkdownIt:
    """CommonMark with raw HTML off: the one parser for splitting and for rendering."""
    return MarkdownIt("commonmark", {"html": False})


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
    """Number the body's paragraphs: each top-level paragraph, and each list item, is one paragraph."""
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
            paragraphs.append(Paragraph(n=len(paragraphs) + 1, text=text, kind=kind, line=first_line + start))
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
        data = yaml.safe_load(raw)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        reason = getattr(err, "problem", None) or str(err).splitlines()[0]
        return None, [Problem(path, line, f"invalid YAML in front matter: {reason}")]
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
        translated_from=meta.get("translated_from"),
        draft=bool(meta.get("draft", False)),
        body=body,
        content_hash=digest,
    )
