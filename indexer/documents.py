"""What goes into the index: the Whoosh document of a section, and one per key figure of a figures.yaml.

Every document carries the relative path of the file it came from (`path`), so that an incremental build can
delete all documents of a changed file with one term. Themes are tagged per paragraph (`paragraph_theme`); themes set
by hand in a section's front matter tag each of its paragraphs.
"""

from __future__ import annotations

from typing import Any

from kb.engine.schema import SEPARATOR, paragraph_tags
from kb.figures_model import Figures
from kb.model import KEY_FIGURES, LANGS, Section


def section_document(section: Section, relpath: str) -> dict[str, Any]:
    """The Whoosh document of one section (fields as in kb.engine.schema)."""
    text = SEPARATOR.join(p.text for p in section.paragraphs)
    suffix = "fr" if section.lang == "fr" else "en"
    return {
        "doc_id": section.doc_id,
        "path": relpath,
        "content_hash": section.content_hash,
        "operation": section.operation,
        "country": ",".join(section.country),
        "year": section.year,
        "report": section.report,
        "section": section.section,
        "lang": section.lang,
        "theme": ",".join(section.all_themes()),
        "paragraph_theme": paragraph_tags([sorted({*p.themes, *section.themes}) for p in section.paragraphs]),
        "kind": "section",
        "translation_key": section.translation_key,
        f"title_{suffix}": section.title,
        f"body_{suffix}": text,
        "paragraphs": [(p.n, p.text, p.themes, p.kind, p.id) for p in section.paragraphs],
        "notes": section.notes,
        "retired_ids": section.retired_ids,
        "source": section.source,
        "source_url": section.source_url,
        "source_retrieved": section.source_retrieved,
        "translated_from": section.translated_from,
        "n_paragraphs": len(section.paragraphs),
    }


def figure_documents(figures: Figures, relpath: str, countries: list[str], tagger: Any) -> list[dict[str, Any]]:
    """One document per key figure per language it is written in: "4,265 people of concern benefited from cash
    assistance"."""
    docs = []
    for i, figure in enumerate(figures.key_figures, 1):
        key = f"{figures.operation}/{figures.year}/{KEY_FIGURES.slug}-{i}"
        for lang in LANGS:
            if not figure.text.get(lang):
                continue  # not written in this language: no document in it (the key figure is found in the other)
            text = f"{figure.display} {figure.text[lang]}"
            themes = sorted(tagger(text, lang))
            docs.append({
                "doc_id": f"{key}/{lang}",
                "path": relpath,
                "operation": figures.operation,
                "country": ",".join(countries),
                "year": figure.year,
                "report": figure.kind,
                "section": KEY_FIGURES.slug,
                "lang": lang,
                "theme": ",".join(themes),
                "paragraph_theme": paragraph_tags([themes]),
                "kind": "figure",
                "translation_key": key,
                f"title_{lang}": KEY_FIGURES.title(lang),
                f"body_{lang}": text,
                "paragraphs": [(1, text, themes, "p")],
                "source": figures.source,
                "n_paragraphs": 1,
            })
    return docs
