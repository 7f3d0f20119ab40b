"""The Whoosh schema and the English and French analyzers: the one definition of indexed fields.

One Whoosh document per section per language. The text of an English section goes to `title_en`/`body_en`
(accent folding, English stop words and stemming), a French one to `title_fr`/`body_fr` (accent folding, then
French stop words, then the Snowball French stemmer), so that a query parsed over all four fields searches both
languages, and "Cote d'Ivoire" finds "Côte d'Ivoire" in either.

Paragraphs stay visible inside a document: a body's word positions start afresh at `i << PARAGRAPH_SHIFT` in its
i-th paragraph (0-based), so `position >> PARAGRAPH_SHIFT` is the paragraph a word stands in, and `paragraph_theme`
holds, at position i, the mark PARAGRAPH_MARK and the themes of paragraph i (kb.engine.paragraphs reads both).

`kb.model.ANALYSIS_VERSION` names this analysis: an index built under another one is rebuilt in full.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from functools import cache, lru_cache

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

from kb.settings import DEFAULTS

PARAGRAPH_SHIFT = 16  # a paragraph's words are positions i << 16 ... (i << 16) + 65535
PARAGRAPH_MARK = "_p"  # in `paragraph_theme`, at every paragraph's position: the paragraph exists
STEM_CACHE_WORDS = DEFAULTS["stem_cache_words"]  # per analyzer (kb.settings)
STEM_CACHE_LETTERS = 40  # longer words are stemmed each time, never remembered
NORMALS_KEPT = 2048  # paragraphs whose folded text the highlighter keeps (kb.highlight: the hits' best paragraph)
_NORMALS: dict[tuple[str, str], str] = {}
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
            if len(self._cache) < STEM_CACHE_WORDS and len(word) <= STEM_CACHE_LETTERS:  # hostile queries can't grow it
                self._cache[word] = found
        return found

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):  # type: ignore[no-untyped-def]
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if removestops and not chars and not keeporiginal:
            if mode == "index" and positions and SEPARATOR in value:  # a body: each paragraph at its own positions
                for i, paragraph in enumerate(value.split(SEPARATOR)):
                    yield from self._indexing(token, paragraph, positions, start_pos + (i << PARAGRAPH_SHIFT))
                return
            yield from self._indexing(token, value, positions, start_pos)
            return
        stops, charset, stem = self.stoplist, self.charset, self.stem
        pos = -1  # as StopFilter(renumber=True): the first kept word keeps its place, later ones close up
        for i, match in enumerate(self.expression.finditer(value)):
            word = match.group(0).lower()
            if charset is not None and not word.isascii():  # accent_map leaves ASCII as it is
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


    def normalise(self, text: str) -> str:
        """The text as the tokenizer sees it: lower-cased and, where this analyzer folds accents, folded."""
        lowered = text.lower()
        return lowered if self.charset is None or lowered.isascii() else lowered.translate(self.charset)

    def _normal(self, text: str) -> str:
        """normalise(text), the last NORMALS_KEPT paragraphs' kept: the hits of one search are often the last one's,
        and folding a long French paragraph costs more than finding its words."""
        if len(text) > 4000:
            return self.normalise(text)
        key = (self.lang, text)
        found = _NORMALS.get(key)
        if found is None:
            found = _NORMALS[key] = self.normalise(text)
            while len(_NORMALS) > NORMALS_KEPT:  # first in, first out: no reordering shared between threads
                with contextlib.suppress(RuntimeError, StopIteration):  # another thread changed it meanwhile
                    _NORMALS.pop(next(iter(_NORMALS)), None)
        return found

    def terms(self, text: str) -> list[str]:
        """The terms `text` is indexed under, in order: the indexing tokens' texts without the Token objects."""
        stops, cached, stem = self.stoplist, self._cache.get, self.stem
        return [cached(word) or stem(word) for word in self.expression.findall(self.normalise(text))
                if word not in stops]

    def matches(self, text: str, terms: set[str] | frozenset[str]) -> list[tuple[str, int, int]]:
        """(term, start, end) of each word of `text` whose term is one of `terms`; offsets into `text` as written.

        The same answer as filtering `self(text, chars=True)`, found faster: a regular expression finds only the
        words that begin like one of the terms (a stem keeps its word's first two letters, but for a "y" the
        stemmers turn into "i": "trying" -> "tri"), and only those are stemmed. For text whose length folding
        changes (rare ligatures), the tokens are walked instead.
        """
        if not terms or not text:
            return []
        normal = self._normal(text)
        if len(normal) != len(text):
            return [(t.text, t.startchar, t.endchar) for t in self(text, chars=True) if t.text in terms]
        stops, cached, stem = self.stoplist, self._cache.get, self.stem
        found = []
        for match in self._finder(frozenset(term[:2] for term in terms)).finditer(normal):
            word = match.group(0)
            if word not in stops and (term := cached(word) or stem(word)) in terms:
                found.append((term, match.start(), match.end()))
        return found

    @lru_cache(maxsize=512)  # noqa: B019 - analyzers live as long as the process
    def _finder(self, heads: frozenset[str]) -> re.Pattern[str]:
        """The tokens of this analyzer's pattern that start with one of `heads`, found only where a token starts."""
        starts = "|".join("".join("[iy]" if ch in "iy" else re.escape(ch) for ch in head)
                          for head in sorted(heads, key=len, reverse=True))
        # where a scan of the whole text starts a token: not after a letter, nor after "letter." when the pattern
        # lets a dot join words ("u.n.h.c.r")
        boundary = r"(?<!\w)(?<!\w\.)" if r"\." in self.expression.pattern else r"(?<!\w)"
        return re.compile(rf"{boundary}(?=(?:{starts})){self.expression.pattern}", re.UNICODE)

    def _indexing(self, token: Token, value: str, positions: bool, start_pos: int):  # type: ignore[no-untyped-def]
        """The same tokens as __call__ for the indexing case (stop words removed, no offsets), with less per word."""
        stops, charset, cached, stem = self.stoplist, self.charset, self._cache.get, self.stem
        token.stopped, token.boost = False, 1.0
        pos = -1
        for i, word in enumerate(self.expression.findall(value)):
            word = word.lower()
            if charset is not None and not word.isascii():  # accent_map leaves ASCII as it is: skip the lookups
                word = word.translate(charset)
            if word in stops:
                continue
            pos = start_pos + i if pos < 0 else pos + 1
            token.text = cached(word) or stem(word)
            if positions:
                token.pos = pos
            yield token


class ParagraphTags(Composable):
    """The analyzer of `paragraph_theme`: one line per paragraph, its tags separated by spaces, each tag a token at
    the paragraph's position (line i -> position i)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):  # type: ignore[no-untyped-def]
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i, line in enumerate(value.split("\n")):
            for tag in line.split():
                token.text, token.boost, token.stopped = tag, 1.0, False
                if positions:
                    token.pos = start_pos + i
                yield token


def paragraph_tags(themes_per_paragraph: list[list[str]]) -> str:
    """The `paragraph_theme` value of a document whose paragraphs have these themes, in order."""
    return "\n".join(" ".join([PARAGRAPH_MARK, *themes]) for themes in themes_per_paragraph)


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


def analyzer_for(lang: str) -> FusedAnalyzer:
    return french_analyzer() if lang == "fr" else english_analyzer()


def analyse(text: str, lang: str) -> list[str]:
    """The terms a text is indexed under, in order: used by theme tagging and by best-paragraph selection."""
    return analyzer_for(lang).terms(text)


# Facet fields, each defined once: the search layer counts these and the UI shows them in this order.
FACET_FIELDS: tuple[str, ...] = ("year", "theme", "section", "operation", "lang", "report")

TEXT_FIELDS: tuple[str, ...] = ("title_en", "body_en", "title_fr", "body_fr")
BODY_FIELDS: tuple[str, ...] = ("body_en", "body_fr")  # paragraph-numbered positions (PARAGRAPH_SHIFT)
PARAGRAPH_FIELD = "paragraph_theme"
SIDECAR_FIELDS: tuple[str, ...] = (*TEXT_FIELDS, PARAGRAPH_FIELD)  # the fields kb.engine.postings writes as arrays


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
        paragraph_theme=TEXT(analyzer=ParagraphTags(), phrase=True),  # per paragraph: PARAGRAPH_MARK and themes
        paragraphs=STORED(),  # list of (n, text, themes, kind, stable identifier or None)
        notes=STORED(),  # list of (n, editor's note on paragraph n)
        retired_ids=STORED(),  # identifiers of paragraphs removed from the section
        source=STORED(),
        source_url=STORED(),  # the page's public address, when known
        source_retrieved=STORED(),  # the date it was read (ISO), when known
        translated_from=STORED(),
        n_paragraphs=STORED(),
    )
