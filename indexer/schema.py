"""The Whoosh schema and the English and French analyzers: the one definition of indexed fields.

One Whoosh document per section per language. The text of an English section goes to `title_en`/`body_en`
(English stemming and stop words), a French one to `title_fr`/`body_fr` (accent folding, then French stop words,
then the Snowball French stemmer), so that a query parsed over all four fields searches both languages.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

TOKEN_PATTERN = r"\w+(?:[-']\w+)*"  # keeps "self-reliance" and "l'accès" whole for the stemmer to see
SEPARATOR = "\n\n"  # between paragraphs in body fields


def fold(text: str) -> str:
    """Lower-case and strip accents: "Réfugiés" -> "refugies"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Porter2 splits a few verb/noun pairs researchers expect to match ("register" -> regist, "registration" ->
# registr). These stems are conflated after stemming, at index and query time alike.
STEM_CONFLATIONS: dict[str, str] = {"registr": "regist", "administr": "administ", "demonstr": "demonst"}


class ConflateFilter(Filter):
    """Map stems to a shared form (see STEM_CONFLATIONS)."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        table = self.table
        for token in tokens:
            token.text = table.get(token.text, token.text)
            yield token


@cache
def english_analyzer() -> Analyzer:
    return (
        RegexTokenizer(r"\w+(?:\.?\w+)*")
        | LowercaseFilter()
        | StopFilter(stoplist=stoplists["en"], minsize=1)
        | StemFilter(lang="en", cachesize=50000)
        | ConflateFilter(STEM_CONFLATIONS)
    )


@cache
def french_analyzer() -> Analyzer:
    french_stops = frozenset(fold(word) for word in stoplists["fr"]) | {"l", "d", "qu", "s", "n", "c", "j", "m", "t"}
    return (
        RegexTokenizer(r"\w+")  # splits "l'accès" into "l" + "accès"; the elided article is a stop word
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=french_stops, minsize=1)
        | StemFilter(lang="fr", cachesize=50000)
    )


def analyzer_for(lang: str) -> Analyzer:
    return french_analyzer() if lang == "fr" else english_analyzer()


def analyse(text: str, lang: str) -> list[str]:
    """The terms a text is indexed under, in order: used by theme tagging and by best-paragraph selection."""
    return [token.text for token in analyzer_for(lang)(text)]


# Facet fields, each defined once: the search layer counts these and the UI shows them in this order.
FACET_FIELDS: tuple[str, ...] = ("year", "theme", "section", "operation", "lang", "report")

TEXT_FIELDS: tuple[str, ...] = ("title_en", "body_en", "title_fr", "body_fr")


def build_schema() -> Schema:
    en, fr = english_analyzer(), french_analyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),  # operation/year/section/lang
        path=ID(stored=True),  # relative to content/, for incremental builds
        content_hash=ID(stored=True),
        operation=ID(stored=True),
        country=KEYWORD(stored=True, commas=True, lowercase=False),
        year=NUMERIC(int, stored=True, signed=False, sortable=True),
        report=ID(stored=True),
        section=ID(stored=True),
        lang=ID(stored=True),
        theme=KEYWORD(stored=True, commas=True, scorable=False),
        kind=ID(stored=True),  # "section" for narrative; "figure" for key figures (issue 5)
        translation_key=ID(stored=True),
        title_en=TEXT(analyzer=en, stored=True, field_boost=2.0, phrase=True),
        body_en=TEXT(analyzer=en, stored=True, phrase=True, spelling=True),
        title_fr=TEXT(analyzer=fr, stored=True, field_boost=2.0, phrase=True),
        body_fr=TEXT(analyzer=fr, stored=True, phrase=True, spelling=True),
        paragraphs=STORED(),  # list of (n, text, themes)
        source=STORED(),
        translated_from=STORED(),
        n_paragraphs=STORED(),
    )
