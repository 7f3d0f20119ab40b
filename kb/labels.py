"""Display labels, in English and French, for every facet value (themes, operations, sections, languages, reports)
and sort order.

Themes and operations come from the site data of the generation being served (so they follow `kb index`, never
content/ directly), the rest from `kb.model`; the search layer asks for labels in the interface language so
templates never translate data themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kb.model import KEY_FIGURES, PILLARS, POPULATION_TYPES, SECTIONS

LANG_NAMES = {"en": {"en": "English", "fr": "French"}, "fr": {"en": "anglais", "fr": "français"}}
REPORT_NAMES = {
    "en": {"year-end": "Year-end report", "plan": "Planning summary"},
    "fr": {"year-end": "Rapport de fin d'année", "plan": "Résumé de planification"},
}
SORT_NAMES = {
    "en": {"relevance": "relevance", "newest": "newest first", "oldest": "oldest first"},
    "fr": {"relevance": "pertinence", "newest": "plus récents d'abord", "oldest": "plus anciens d'abord"},
}
KIND_NAMES = {
    "en": {"section": "Section", "figure": "Key figure"},
    "fr": {"section": "Section", "figure": "Chiffre clé"},
}


@dataclass
class Labels:
    """Label lookups; an unknown value is shown as itself."""

    themes: dict[str, dict[str, str]] = field(default_factory=dict)  # slug -> lang -> label
    operations: dict[str, dict[str, Any]] = field(default_factory=dict)  # slug -> {en, fr, country}

    @classmethod
    def from_site(cls, site: dict[str, Any]) -> Labels:
        """The labels of a generation's site data (kb.engine.site; built by indexer.site from themes.yaml and
        operations.yaml)."""
        return cls(themes=dict(site.get("themes") or {}), operations=dict(site.get("operations") or {}))

    def label(self, field_name: str, value: str, lang: str) -> str:
        lang = "fr" if lang == "fr" else "en"
        if field_name == "theme":
            return self.themes.get(value, {}).get(lang) or value
        if field_name == "operation":
            return str(self.operations.get(value, {}).get(lang) or value)
        if field_name == "section":
            kind = SECTIONS.get(value) or (KEY_FIGURES if value == KEY_FIGURES.slug else None)
            return kind.title(lang) if kind else value
        if field_name == "lang":
            return LANG_NAMES[lang].get(value, value)
        if field_name == "report":
            return REPORT_NAMES[lang].get(value, value)
        if field_name == "sort":
            return SORT_NAMES[lang].get(value, value)
        if field_name == "kind":
            return KIND_NAMES[lang].get(value, value)
        return str(value)

    def population(self, type_slug: str, lang: str) -> str:
        for slug, en, fr in POPULATION_TYPES.values():
            if slug == type_slug:
                return fr if lang == "fr" else en
        return type_slug

    @staticmethod
    def pillar(key: str, lang: str) -> str:
        en, fr = PILLARS.get(key, (key, key))
        return fr if lang == "fr" else en
