"""`kb ids`: give every paragraph of content/ that has no identifier one, the same in a document and its translation.

Run it after adding paragraphs by hand (or on content written before identifiers existed). It only adds: an
identifier already written is never changed or moved, and nothing else in a file changes (a file the importer wrote
and nobody edited since is signed again, so that it still counts as untouched). A document whose translation has a
different number of paragraphs is left alone, with a message: its paragraphs cannot be paired yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
import yaml

from indexer.content import display_path, iter_section_files, split_front_matter, split_paragraphs
from indexer.importer import checksum_state, resign, write_atomic
from indexer.paragraph_ids import complete_pair, seed_of, with_id
from kb.model import LANGS, Paragraph, is_paragraph_id


@dataclass
class Document:
    path: Path
    text: str
    paragraphs: list[Paragraph]
    retired: list[str]
    translation_key: str

    @property
    def ids(self) -> list[str | None]:
        return [p.id for p in self.paragraphs]


def read_document(path: Path) -> Document | None:
    """A section document's paragraphs and retired identifiers; None when it cannot be read (kb check says why)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    raw, body, body_line = split_front_matter(text)
    try:
        meta = yaml.safe_load(raw) if raw is not None else None
    except yaml.YAMLError:
        return None
    if not isinstance(meta, dict):
        return None
    retired = [i for i in meta.get("retired_ids") or [] if isinstance(i, str) and is_paragraph_id(i)]
    return Document(path, text, split_paragraphs(body, body_line), retired, str(meta.get("translation_key") or ""))


def with_ids(document: Document, ids: list[str]) -> bytes:
    """The document's bytes with the identifiers it lacked written at the end of their paragraphs."""
    lines = document.text.split("\n")
    for para, identifier in zip(document.paragraphs, ids, strict=True):
        if para.id is None:
            lines[para.last_line - 1] = with_id(lines[para.last_line - 1], identifier)
    data = "\n".join(lines).encode()
    return resign(data) if checksum_state(document.text.encode()) == "valid" else data


def pairs(content: Path) -> dict[tuple[Path, str], dict[str, Path]]:
    """content/<operation>/<year>/<section>.<lang>.md grouped by section: (folder, section) -> lang -> path."""
    grouped: dict[tuple[Path, str], dict[str, Path]] = {}
    for path in iter_section_files(content):
        section, _dot, lang = path.name.removesuffix(".md").rpartition(".")
        if lang in LANGS and section and path.is_file() and not path.is_symlink():
            grouped.setdefault((path.parent, section), {})[lang] = path
    return grouped


def complete(documents: list[Document]) -> tuple[list[tuple[Document, bytes]], str | None]:
    """The files to rewrite for one section (one document, or a document and its translation), or why not."""
    first, second = documents[0], documents[1] if len(documents) > 1 else None
    wrong = next((d for d in documents if any(i is not None and not is_paragraph_id(i) for i in d.ids)), None)
    if wrong is not None:
        return [], f"{display_path(wrong.path)} has an identifier that is not one: fix what kb check reports first"
    if all(first.ids) and (second is None or all(second.ids)):
        return [], None
    if second is not None and len(first.paragraphs) != len(second.paragraphs):
        return [], (f"{len(first.paragraphs)} paragraphs here but {len(second.paragraphs)} in "
                    f"{display_path(second.path)}: bring the translation up to date, then run kb ids again")
    taken = first.retired + (second.retired if second else [])
    seeds = [seed_of(first.translation_key, p.text) for p in first.paragraphs]
    mine, theirs = complete_pair(first.ids, second.ids if second else None, taken, seeds)
    changed = [(first, with_ids(first, mine))] if not all(first.ids) else []
    if second is not None and theirs is not None and not all(second.ids):
        changed.append((second, with_ids(second, theirs)))
    return changed, None


def run_ids(content: Path) -> int:
    """`kb ids`: exit 0 when every paragraph has an identifier afterwards, 1 when some section had to be skipped."""
    if not content.is_dir():
        click.echo(f"{display_path(content)}: no such content folder", err=True)
        return 1
    written = skipped = 0
    for languages in pairs(content).values():
        documents = [d for d in (read_document(languages[lang]) for lang in LANGS if lang in languages) if d]
        if not documents:
            continue
        changed, reason = complete(documents)
        if reason:
            click.echo(f"{display_path(documents[0].path)}: skipped: {reason}", err=True)
            skipped += 1
        for document, data in changed:
            write_atomic(document.path, data)
            added = sum(p.id is None for p in document.paragraphs)
            click.echo(f"{display_path(document.path)}: {added} identifier{'s' if added != 1 else ''} added")
            written += 1
    click.echo(f"kb ids: {written} file{'s' if written != 1 else ''} written, {skipped} skipped")
    return 1 if skipped else 0
