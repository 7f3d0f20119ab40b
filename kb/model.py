"""The content model, defined once: section slugs, report kinds, front-matter fields and the records built from files.

Everything that reads or writes `content/` (the importer, the checker, the index builder, the web app) takes its
vocabulary from here, so that a slug or a field name exists in exactly one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

LANGS: tuple[str, ...] = ("en", "fr")
REPORT_KINDS: tuple[str, ...] = ("year-end", "plan")


@dataclass(frozen=True)
class SectionKind:
    """One kind of narrative section: its slug, its titles and the report it belongs to."""

    slug: str
    title_en: str
    title_fr: str
    report: str  # "year-end" or "plan"

    def title(self, lang: str) -> str:
        return self.title_fr if lang == "fr" else self.title_en


# The fixed list of section slugs, in reading order.
SECTION_KINDS: tuple[SectionKind, ...] = (
    SectionKind("operational-context", "Operational context", "Contexte opérationnel", "year-end"),
    SectionKind("population-trends", "Population trends", "Évolution de la population", "year-end"),
    SectionKind(
        "context-and-population-trends",
        "Operational context and population trends",
        "Contexte opérationnel et évolution de la population",
        "year-end",
    ),
    SectionKind("operational-highlights", "Operational highlights", "Faits marquants de l'opération", "year-end"),
    SectionKind("key-achievements", "Key achievements", "Principales réalisations", "year-end"),
    SectionKind("unmet-needs", "Unmet needs", "Besoins non satisfaits", "year-end"),
    SectionKind(
        "flexible-funding",
        "Use of flexible funding (unearmarked or softly earmarked funding)",
        "Utilisation des financements flexibles (non affectés ou faiblement affectés)",
        "year-end",
    ),
    SectionKind("operational-environment", "Operational environment", "Environnement opérationnel", "plan"),
    SectionKind("working-environment", "Working environment", "Environnement de travail", "plan"),
    SectionKind("key-priorities", "Key priorities", "Priorités clés", "plan"),
    SectionKind("plan-summary", "Plan summary", "Résumé du plan", "plan"),
)
SECTIONS: dict[str, SectionKind] = {kind.slug: kind for kind in SECTION_KINDS}
# Key figures are indexed as their own kind of result, under this pseudo-section (never a file name).
KEY_FIGURES = SectionKind("key-figures", "Key figures", "Chiffres clés", "year-end")

# Front matter: field -> (required, allowed Python types). `source_url`, `source_retrieved`, `themes`,
# `translated_from`, `draft`, `notes`, `import_checksum` are optional; `translated_from` is required on translations
# (see indexer.content); `source_url` and `source_retrieved` go together (indexer.provenance).
FRONT_MATTER: dict[str, tuple[bool, tuple[type, ...]]] = {
    "title": (True, (str,)),
    "operation": (True, (str,)),
    "country": (True, (str, list)),
    "year": (True, (int,)),
    "report": (True, (str,)),
    "section": (True, (str,)),
    "lang": (True, (str,)),
    "translation_key": (True, (str,)),
    "source": (True, (str,)),
    "source_url": (False, (str,)),  # the page's public address (http or https)
    "source_retrieved": (False, (str, date)),  # the date it was read, YYYY-MM-DD (YAML may read it as a date)
    "themes": (False, (list,)),
    "translated_from": (False, (str,)),
    "draft": (False, (bool,)),
    "notes": (False, (list,)),  # editor's notes on paragraphs: indexer.notes
    "retired_ids": (False, (list,)),  # identifiers of paragraphs removed since: never given again (indexer.ids)
    "import_checksum": (False, (str,)),
}
# The order in which fields are written, so that files are stable byte for byte.
FRONT_MATTER_ORDER: tuple[str, ...] = tuple(FRONT_MATTER)

YEAR_MIN, YEAR_MAX = 2000, 2100  # years a content file may have
YEAR_FILTER_MIN = 1900  # the lowest year a search's year filter or range accepts (YEAR_MAX is the highest)

# The one definition of a slug (operations, sections, themes: lower-case words joined by hyphens) and of a year in
# a path; URL rules, the checker and the importer all use these.
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_RE = re.compile(rf"^{SLUG}$")
YEAR = r"\d{4}"


def is_slug(value: str) -> bool:
    return bool(SLUG_RE.match(value))


# A paragraph's stable identifier (docs/content-format.md): five lower-case letters and digits, a letter first and at
# least one digit (so it is never a word, nor an id of the page's own elements), never `p` and four digits (the
# positional anchors `#p1`, `#p2`, … are kept for older links).
PARAGRAPH_ID = r"[a-z][a-z0-9]{4}"
PARAGRAPH_ID_RE = re.compile(rf"^{PARAGRAPH_ID}$")
POSITIONAL_RE = re.compile(r"^p\d+$")


def is_paragraph_id(value: str) -> bool:
    """A well-formed paragraph identifier (`k3f9a`)."""
    return bool(PARAGRAPH_ID_RE.match(value)) and any(c.isdigit() for c in value) and not POSITIONAL_RE.match(value)


@dataclass
class Paragraph:
    """One numbered paragraph (a prose paragraph or one list item): the unit researchers cite (`#p3`)."""

    n: int
    text: str  # Markdown source of the paragraph, without the list marker and without its identifier
    kind: str = "p"  # "p" or "li"
    line: int = 0  # 1-based line in the file where it starts
    themes: list[str] = field(default_factory=list)
    id: str | None = None  # its stable identifier (`{#k3f9a}` at its end in the file), None in files without them
    last_line: int = 0  # 1-based line in the file where it ends (where its identifier is written)

    @property
    def anchor(self) -> str:
        """Its anchor on the section page: the stable identifier, else the position (`p3`)."""
        return self.id or f"p{self.n}"


@dataclass
class Section:
    """One narrative document: `<operation>/<year>/<section>` in one language."""

    path: Path
    title: str
    operation: str
    country: list[str]
    year: int
    report: str
    section: str
    lang: str
    translation_key: str
    source: str
    paragraphs: list[Paragraph]
    themes: list[str] = field(default_factory=list)  # set by hand in the front matter
    source_url: str | None = None  # the page's public address
    source_retrieved: str | None = None  # the date it was read (ISO)
    translated_from: str | None = None
    draft: bool = False
    notes: list[tuple[int, str]] = field(default_factory=list)  # (¶n, editor's note)
    retired_ids: list[str] = field(default_factory=list)  # identifiers of paragraphs removed since
    body: str = ""
    content_hash: str = ""

    @property
    def doc_id(self) -> str:
        """The document's identity: `operation/year/section/lang`; URLs derive from it."""
        return f"{self.operation}/{self.year}/{self.section}/{self.lang}"

    @property
    def url_path(self) -> str:
        return f"/{self.lang}/{self.operation}/{self.year}/{self.section}"

    def all_themes(self) -> list[str]:
        """The section's themes: the union of its paragraphs' and the ones set by hand, in a stable order."""
        seen = dict.fromkeys(self.themes)
        for para in self.paragraphs:
            seen.update(dict.fromkeys(para.themes))
        return sorted(seen)


def section_path(content: Path, operation: str, year: int, section: str, lang: str) -> Path:
    """Where a section document lives: `content/<operation>/<year>/<section>.<lang>.md`."""
    return content / operation / str(year) / f"{section}.{lang}.md"


def figures_path(content: Path, operation: str, year: int) -> Path:
    return content / operation / str(year) / "figures.yaml"


# People of concern: the population types Global Focus pages use -> (slug, English label, French label).
POPULATION_TYPES: dict[str, tuple[str, str, str]] = {
    "Refugees": ("refugees", "Refugees", "Réfugiés"),
    "Asylum-seekers": ("asylum-seekers", "Asylum-seekers", "Demandeurs d'asile"),
    "IDPs": ("idps", "Internally displaced people", "Personnes déplacées internes"),
    "Returned IDPs": ("returned-idps", "Returned IDPs", "Déplacés internes de retour"),
    "Returned refugees": ("returned-refugees", "Returned refugees", "Réfugiés rapatriés"),
    "Stateless": ("stateless", "Stateless people", "Apatrides"),
    "Others of concern": (
        "others-of-concern",
        "Others of concern",
        "Autres personnes relevant de la compétence du HCR",
    ),
    "Refugee-like situation": (
        "refugee-like",
        "People in a refugee-like situation",
        "Personnes dans une situation assimilable à celle des réfugiés",
    ),
    "Venezuelans displaced abroad": (
        "venezuelans-displaced-abroad",
        "Venezuelans displaced abroad",
        "Vénézuéliens déplacés à l'étranger",
    ),
}

# Budget pillars -> (English label, French label).
PILLARS: dict[str, tuple[str, str]] = {
    "p1": ("Refugee programme", "Programme pour les réfugiés"),
    "p2": ("Stateless programme", "Programme pour les apatrides"),
    "p3": ("Reintegration projects", "Projets de réintégration"),
    "p4": ("IDP projects", "Projets pour les déplacés internes"),
}
