"""The Whoosh schema and the English and French analyzers: the one definition of indexed fields.

One Whoosh document per section per language. The text of an English section goes to `title_en`/`body_en`
(accent folding, English stop words and stemming), a French one to `title_fr`/`body_fr` (accent folding, then
French stop words, then the Snowball French stemmer), so that a query parsed over all four fields searches both
languages, and "Cote d'Ivoire" finds "Côte d'Ivoire" in either.

`indexer.model.ANALYSIS_VERSION` names this analysis: an index built under another one is rebuilt in full.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Composable,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.lang import stemmer_for_language
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


class FusedAnalyzer(Composable):
    """Tokenize, lower-case, (fold accents,) drop stop words, stem and conflate — in one pass.

    Equivalent to `RegexTokenizer | LowercaseFilter | [CharsetFilter] | StopFilter | StemFilter | ConflateFilter`
    (tests/test_analysis.py proves it on the corpus), but one generator instead of five and an unbounded stem cache:
    the chain's per-token overhead was most of the indexing time.
    """

    def __init__(self, pattern: str, stoplist: frozenset[str], lang: str, charset: dict | None = None,
                 conflate: dict[str, str] | None = None) -> None:
        self.expression = re.compile(pattern, re.UNICODE)
        self.stoplist = stoplist
        self.lang = lang
        self.charset = charset
        self.conflate = conflate or {}
        self._stem = stemmer_for_language(lang)
        self._cache: dict[str, str] = {}

    def stem(self, word: str) -> str:
        found = self._cache.get(word)
        if found is None:
            found = self._stem(word)
            found = self.conflate.get(found, found)
            if len(self._cache) < 500_000:
                self._cache[word] = found
        return found

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,  # noqa: ANN001
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):  # type: ignore[no-untyped-def]
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if removestops and not chars and not keeporiginal:
            yield from self._indexing(token, value, positions, start_pos)
            return
        stops, charset, stem = self.stoplist, self.charset, self.stem
        pos = -1  # as StopFilter(renumber=True): the first kept word keeps its place, later ones close up
        for i, match in enumerate(self.expression.finditer(value)):
            word = match.group(0).lower()
            if charset is not None:
                word = word.translate(charset)
            stopped = word in stops
            if stopped and removestops:
                continue
            token.stopped = stopped
            token.text = word if stopped else stem(word)
            token.boost = 1.0
            if keeporiginal:
                token.original = match.group(0)
            if not stopped:
                pos = start_pos + i if pos < 0 else pos + 1
            if positions:
                token.pos = start_pos + i if stopped else pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


    def _indexing(self, token: Token, value: str, positions: bool, start_pos: int):  # type: ignore[no-untyped-def]
        """The same tokens as __call__ for the indexing case (stop words removed, no offsets), with less per word."""
        stops, charset, cached, stem = self.stoplist, self.charset, self._cache.get, self.stem
        token.stopped, token.boost = False, 1.0
        pos = -1
        for i, word in enumerate(self.expression.findall(value)):
            word = word.lower() if charset is None else word.lower().translate(charset)
            if word in stops:
                continue
            pos = start_pos + i if pos < 0 else pos + 1
            token.text = cached(word) or stem(word)
            if positions:
                token.pos = pos
            yield token


FRENCH_STOPS = frozenset(fold(word) for word in stoplists["fr"]) | {"l", "d", "qu", "s", "n", "c", "j", "m", "t"}


@cache
def english_analyzer() -> Analyzer:
    return FusedAnalyzer(r"\w+(?:\.?\w+)*", frozenset(stoplists["en"]), "en", charset=accent_map,
                         conflate=STEM_CONFLATIONS)


@cache
def french_analyzer() -> Analyzer:
    # "\w+" splits "l'accès" into "l" + "accès"; the elided article is a stop word
    return FusedAnalyzer(r"\w+", FRENCH_STOPS, "fr", charset=accent_map)


@cache
def english_chain() -> Analyzer:
    """The reference chain FusedAnalyzer("en") must equal."""
    return (
        RegexTokenizer(r"\w+(?:\.?\w+)*")
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=stoplists["en"], minsize=1)
        | StemFilter(lang="en", cachesize=50000)
        | ConflateFilter(STEM_CONFLATIONS)
    )


@cache
def french_chain() -> Analyzer:
    """The reference chain FusedAnalyzer("fr") must equal."""
    return (
        RegexTokenizer(r"\w+")
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=FRENCH_STOPS, minsize=1)
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
        body_en=TEXT(analyzer=en, phrase=True),  # the text is stored once, in `paragraphs`
        title_fr=TEXT(analyzer=fr, stored=True, field_boost=2.0, phrase=True),
        body_fr=TEXT(analyzer=fr, phrase=True),
        paragraphs=STORED(),  # list of (n, text, themes)
        source=STORED(),
        translated_from=STORED(),
        n_paragraphs=STORED(),
    )
