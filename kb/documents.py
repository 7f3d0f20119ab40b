"""One section as a page: its rendered paragraphs, the other language, the same section in other years, provenance.

Reads stored documents through the search backend (drafts are never indexed, so never found here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kb.engine.stored import StoredDocument, decode
from kb.labels import Labels
from kb.model import LANGS
from kb.render import RenderedParagraph, render_paragraphs
from kb.urls import Urls


@dataclass
class SectionPage:
    doc_id: str
    lang: str
    title: str
    operation: str
    operation_label: str
    year: int
    section: str
    section_label: str
    report: str
    report_label: str
    source: str  # the base name of the page file imported
    translated_from: str | None
    translation_key: str
    country: list[str]
    paragraphs: list[RenderedParagraph]
    themes: list[tuple[str, str]]  # (slug, label)
    other_lang: str | None = None  # URL of the other language's version, if any
    search_other_lang: str | None = None  # without one: a search of the other language's texts of this operation
    other_years: list[tuple[int, str]] = field(default_factory=list)  # (year, URL)
    notes: dict[int, list[str]] = field(default_factory=dict)  # ¶n -> the editor's notes on it
    raw_paragraphs: list[tuple[int, str]] = field(default_factory=list)
    path: str = ""  # the section's address on the site
    source_url: str | None = None  # the imported page's public address (the original source), when known
    source_retrieved: str | None = None  # the date that page was read (ISO YYYY-MM-DD), when known
    permalinks: dict[int, str] = field(default_factory=dict)  # ¶n -> its permalink's path (`…/p/<ref>`)
    retired_ids: tuple[str, ...] = ()  # identifiers of paragraphs removed from it (in either language)
    original: tuple[str, str] | None = None  # a translation's original, when indexed: (its language, its title)
    stored: StoredDocument | None = None

    def find(self, ref: str) -> RenderedParagraph | None:
        """The paragraph a permalink or a selection names (its identifier or number: StoredDocument.find)."""
        found = self.stored.find(ref) if self.stored else None
        return next((p for p in self.paragraphs if found and p.n == found.n), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.doc_id,
            "url": self.path,
            "lang": self.lang,
            "title": self.title,
            "operation": self.operation,
            "year": self.year,
            "section": self.section,
            "report": self.report,
            "country": self.country,
            "source": self.source,
            "source_url": self.source_url,
            "source_retrieved": self.source_retrieved,
            "translated_from": self.translated_from,
            "translation_key": self.translation_key,
            "themes": [slug for slug, _ in self.themes],
            "other_language": self.other_lang,
            "other_years": [{"year": y, "url": u} for y, u in self.other_years],
            "paragraphs": [
                {"n": n, "id": p.id, "anchor": p.anchor, "permalink": self.permalinks.get(n), "text": text,
                 "themes": p.themes}
                for (n, text), p in zip(self.raw_paragraphs, self.paragraphs, strict=True)
            ],
        }


def load_section(
    backend: Any, labels: Labels, urls: Urls, address: tuple[str, str, int, str], ui_lang: str,
    terms: set[str] | None = None,
) -> SectionPage | None:
    """The section at `address` (lang, operation, year, section) as a page, or None when there is none."""
    lang, operation, year, section = address
    fields = backend.get(f"{operation}/{year}/{section}/{lang}")
    doc = decode(fields) if fields else None
    if doc is None or not doc.is_section:
        return None
    page = SectionPage(
        doc_id=doc.doc_id, lang=lang, title=doc.title, operation=operation,
        operation_label=labels.label("operation", operation, ui_lang), year=year, section=section,
        section_label=labels.label("section", section, ui_lang), report=doc.report,
        report_label=labels.label("report", doc.report, ui_lang), source=doc.source,
        translated_from=doc.translated_from, translation_key=doc.translation_key,
        country=list(doc.country), paragraphs=render_paragraphs(doc.paragraphs, lang, terms),
        themes=[(t, labels.label("theme", t, ui_lang)) for t in doc.themes],
        raw_paragraphs=[(p.n, p.text) for p in doc.paragraphs],
        path=urls.section_path(lang, operation, year, section), retired_ids=doc.retired_ids, stored=doc,
        source_url=doc.source_url, source_retrieved=doc.source_retrieved,
    )
    page.permalinks = {p.n: urls.paragraph_path(lang, operation, year, section, p.ref) for p in page.paragraphs}
    for n, note in doc.notes:
        page.notes.setdefault(n, []).append(note)
    for other in map(decode, backend.documents(translation_key=page.translation_key)):
        if other.lang != lang and other.is_section:
            page.other_lang = urls.section(other.lang, operation, year, section)
            page.retired_ids += other.retired_ids  # a section's identifiers are retired in both languages at once
            if other.lang == doc.translated_from:
                page.original = (other.lang, other.title)
            if page.source_url is None:  # a translation that does not repeat its original's source
                page.source_url, page.source_retrieved = other.source_url, other.source_retrieved
    if page.other_lang is None:  # a section in one language only: offer the other language's texts
        page.search_other_lang = urls.search([("operation", operation), ("lang", other_language(lang))])
    same = map(decode, backend.documents(operation=operation, section=section, lang=lang))
    page.other_years = sorted((d.year, urls.section(lang, operation, d.year, section)) for d in same if d.year != year)
    return page


def other_language(lang: str) -> str:
    """The other of the two languages (`en` -> `fr`)."""
    return next(other for other in LANGS if other != lang)
