"""One section as a page: its rendered paragraphs, the other language, the same section in other years, provenance.

Reads stored documents through the search backend (drafts are never indexed, so never found here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kb.labels import Labels
from kb.render import RenderedParagraph, render_paragraphs


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
    source: str
    translated_from: str | None
    translation_key: str
    country: list[str]
    paragraphs: list[RenderedParagraph]
    themes: list[tuple[str, str]]  # (slug, label)
    other_lang: str | None = None  # URL of the other language's version, if any
    other_years: list[tuple[int, str]] = field(default_factory=list)  # (year, URL)
    raw_paragraphs: list[tuple[int, str]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/{self.lang}/{self.operation}/{self.year}/{self.section}"

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
            "translated_from": self.translated_from,
            "translation_key": self.translation_key,
            "themes": [slug for slug, _ in self.themes],
            "other_language": self.other_lang,
            "other_years": [{"year": y, "url": u} for y, u in self.other_years],
            "paragraphs": [
                {"n": n, "anchor": f"p{n}", "text": text, "themes": p.themes}
                for (n, text), p in zip(self.raw_paragraphs, self.paragraphs, strict=True)
            ],
        }


def load_section(
    backend: Any, labels: Labels, lang: str, operation: str, year: int, section: str, ui_lang: str,
    terms: set[str] | None = None,
) -> SectionPage | None:
    fields = backend.get(f"{operation}/{year}/{section}/{lang}")
    if not fields or fields.get("kind", "section") != "section":
        return None
    stored = fields.get("paragraphs") or []
    themes = [t for t in (fields.get("theme") or "").split(",") if t]
    page = SectionPage(
        doc_id=fields["doc_id"], lang=lang, title=fields.get(f"title_{lang}") or "", operation=operation,
        operation_label=labels.label("operation", operation, ui_lang), year=year, section=section,
        section_label=labels.label("section", section, ui_lang), report=fields.get("report", ""),
        report_label=labels.label("report", fields.get("report", ""), ui_lang), source=fields.get("source") or "",
        translated_from=fields.get("translated_from"), translation_key=fields.get("translation_key", ""),
        country=[c for c in (fields.get("country") or "").split(",") if c],
        paragraphs=render_paragraphs(stored, lang, terms),
        themes=[(t, labels.label("theme", t, ui_lang)) for t in themes],
        raw_paragraphs=[(p[0], p[1]) for p in stored],
    )
    for other in backend.documents(translation_key=page.translation_key):
        if other["lang"] != lang and other.get("kind", "section") == "section":
            page.other_lang = f"/{other['lang']}/{operation}/{year}/{section}"
    same = backend.documents(operation=operation, section=section, lang=lang)
    page.other_years = sorted(
        (int(d["year"]), f"/{lang}/{operation}/{d['year']}/{section}") for d in same if int(d["year"]) != year
    )
    return page
