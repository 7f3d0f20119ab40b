"""The one decoder of a stored document: the fields a backend returns -> a `StoredDocument` with typed values.

Search hits, section pages, operation pages and the terminal all read stored documents through `decode`, so the
encoding of a field (themes as a comma-separated keyword, paragraphs as (n, text, themes, kind, id) tuples, the title
in `title_<lang>`) is known here and in kb.engine.schema only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class Anchored:
    """How a paragraph (stored or rendered: it has `n` and `id`) is named in anchors and permalinks."""

    n: int
    id: str | None

    @property
    def anchor(self) -> str:
        """Its anchor on the section page and in links: the stable identifier, else its position (`p3`)."""
        return self.id or f"p{self.n}"

    @property
    def ref(self) -> str:
        """How its permalink path names it (`.../p/<ref>`): the identifier, else its number."""
        return self.id or str(self.n)


@dataclass(frozen=True)
class StoredParagraph(Anchored):
    n: int
    text: str  # Markdown source
    themes: tuple[str, ...] = ()
    kind: str = "p"  # "p" or "li"
    id: str | None = None  # its stable identifier (docs/content-format.md), None in documents without them



@dataclass(frozen=True)
class StoredDocument:
    """A section (kind "section") or a key figure (kind "figure") as the index keeps it."""

    doc_id: str
    kind: str
    lang: str
    operation: str
    year: int
    section: str
    report: str = ""
    title: str = ""
    themes: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    translation_key: str = ""
    source: str = ""
    source_url: str | None = None  # the page's public address
    source_retrieved: str | None = None  # the date it was read (ISO)
    translated_from: str | None = None
    paragraphs: tuple[StoredParagraph, ...] = field(default_factory=tuple)
    notes: tuple[tuple[int, str], ...] = ()  # (¶n, an editor's note on it)
    path: str = ""  # the file it came from, relative to content/
    retired_ids: tuple[str, ...] = ()  # identifiers of paragraphs removed from the section since

    @property
    def is_section(self) -> bool:
        return self.kind == "section"

    def paragraph(self, n: int) -> StoredParagraph | None:
        return next((p for p in self.paragraphs if p.n == n), None)

    def find(self, ref: str) -> StoredParagraph | None:
        """The paragraph a permalink names: by its identifier (`k3f9a`), or by its number (`3`, `p3`) — a number
        only in a document whose paragraphs have no identifiers or for an old `#p3` link."""
        ref = ref[1:] if ref[:1] == "p" and ref[1:].isdigit() else ref
        if ref.isdigit():
            return self.paragraph(int(ref))
        return next((p for p in self.paragraphs if p.id == ref), None)


def _split(value: Any) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(",") if v)


def _paragraph(raw: Sequence[Any]) -> StoredParagraph:
    themes = tuple(raw[2]) if len(raw) > 2 and raw[2] else ()
    return StoredParagraph(int(raw[0]), str(raw[1]), themes, raw[3] if len(raw) > 3 else "p",
                           raw[4] if len(raw) > 4 and raw[4] else None)


def decode(fields: Mapping[str, Any]) -> StoredDocument:
    """A backend's stored fields as a StoredDocument."""
    lang = fields.get("lang") or "en"
    return StoredDocument(
        doc_id=fields["doc_id"],
        kind=fields.get("kind") or "section",
        lang=lang,
        operation=fields["operation"],
        year=int(fields["year"]),
        section=fields["section"],
        report=fields.get("report") or "",
        title=fields.get(f"title_{lang}") or fields.get("title_en") or "",
        themes=_split(fields.get("theme")),
        country=_split(fields.get("country")),
        translation_key=fields.get("translation_key") or "",
        source=fields.get("source") or "",
        source_url=fields.get("source_url") or None,
        source_retrieved=fields.get("source_retrieved") or None,
        path=fields.get("path") or "",
        translated_from=fields.get("translated_from"),
        paragraphs=tuple(_paragraph(p) for p in fields.get("paragraphs") or ()),
        notes=tuple((int(n), str(text)) for n, text in fields.get("notes") or ()),
        retired_ids=tuple(str(i) for i in fields.get("retired_ids") or ()),
    )


def outline(fields: Mapping[str, Any]) -> tuple[str, tuple[str | None, ...]] | None:
    """A stored section's title and its paragraphs' identifiers (None: without one), in order, without decoding the
    rest (a hit's link to its twin needs no more); None when the document is no section."""
    if (fields.get("kind") or "section") != "section":
        return None
    lang = fields.get("lang") or "en"
    title = fields.get(f"title_{lang}") or fields.get("title_en") or ""
    return title, tuple((raw[4] if len(raw) > 4 and raw[4] else None) for raw in fields.get("paragraphs") or ())
