"""Key figures that match a search, apart from the sections: one block per operation, year and language.

Key figures are short ("4,265 people of concern benefited from cash assistance") and many; ranked among sections they
crowded the first page. The search layer keeps its result set to sections and asks here for the figures matching the
same query and filters, grouped so that each block links once to the operation page's figures of that year, in the
figures' own language.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from kb.engine.backend import Query, SearchBackend
from kb.engine.stored import decode
from kb.highlight import best_paragraph, snippet
from kb.labels import Labels
from kb.model import KEY_FIGURES
from kb.urls import Urls

BLOCK_FIGURES = 30  # figures fetched for the blocks of one page; the total says how many match in all


@dataclass
class KeyFigureBlock:
    operation: str
    operation_label: str
    year: int
    lang: str
    url: str  # the operation page's figures of that year, in the figures' language
    figures: list[Any] = field(default_factory=list)  # Markup snippets, the query's words marked

    def to_json(self) -> dict[str, Any]:
        return {"operation": self.operation, "operation_label": self.operation_label, "year": self.year,
                "lang": self.lang, "url": self.url, "figures": [str(f.striptags()) for f in self.figures]}


def wants_figures_among_sections(filters: dict[str, Any]) -> bool:
    """A search that asks for the key-figures pseudo-section by name lists them as results, as before."""
    return KEY_FIGURES.slug in filters.get("section", ())


def figure_blocks(backend: SearchBackend, query: Query, labels: Labels, urls: Urls, ui_lang: str
                  ) -> tuple[int, list[KeyFigureBlock]]:
    """How many key figures match `query` (sections' filters applied to them), and the first ones in blocks."""
    filters = {**query.filters, "kind": frozenset({"figure"})}
    result = backend.search(replace(query, filters=filters, offset=0, limit=BLOCK_FIGURES, facets=(), trend=False))
    blocks: dict[tuple[str, int, str], KeyFigureBlock] = {}
    for hit in result.hits:
        doc = decode(hit.fields)
        key = (doc.operation, doc.year, doc.lang)
        block = blocks.get(key)
        if block is None:
            block = blocks[key] = KeyFigureBlock(
                doc.operation, labels.label("operation", doc.operation, ui_lang), doc.year, doc.lang,
                urls.for_ui(ui_lang).operation(doc.lang, doc.operation, year=doc.year))
        paragraphs = [(p.n, p.text) for p in doc.paragraphs]
        n, spans = best_paragraph(paragraphs, hit.terms.get(doc.lang, set()), doc.lang)
        found = doc.paragraph(n)
        block.figures.append(snippet(found.text if found else "", spans))
    return result.total, list(blocks.values())
