"""The query mix of bench/compare.py: faceted searches built from a vocabulary taken from the synthetic corpus.

    python bench/queries.py CORPUS [--count 300] [--seed 7]     # prints the mix, one query a line

`Vocabulary.from_corpus` reads a seeded random sample of the English and French section files, splits their bodies into
words (letters only, lower-case), drops stop words (Whoosh's English and French lists, accents folded) and words of
fewer than four letters, and keeps per language each word's document frequency, the documents' word lists (for
multi-word AND queries whose words really co-occur) and their adjacent word pairs (for phrases). Facet values come
from the corpus itself: its years, operations, `themes.yaml` slugs, the seven sections and the two reports.

`QueryMix.make(n)` draws n distinct queries, deterministically from the seed: one word (35%), two or three words
ANDed (25% + 15%), a quoted two-word phrase (25%); English or French (half each, a fifth of French queries typed
without accents); half without any filter, half with one or two of year (one or two values), theme, section,
operation, lang (the query's language) and report. Each `BenchQuery` renders itself as kb `/api/search` parameters
and as a Datasette table querystring (`_search`, `_facet`, `_facet_array`, column filters).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

WORD_RE = re.compile(r"[^\W\d_]+")
MIN_LETTERS = 4
SECTIONS = ("operational-context", "population-trends", "key-achievements", "unmet-needs", "flexible-funding",
            "working-environment", "key-priorities")
REPORTS = ("year-end", "plan")
LANGS = ("en", "fr")
COMMON_WORDS = 300  # per language: the most frequent words, drawn from more often than the rest
KIND_WEIGHTS = {"word": 35, "and2": 25, "and3": 15, "phrase": 25}
FILTER_FIELDS = ("year", "theme", "section", "operation", "lang", "report")
DATASETTE_FACETS = (("_facet", "year"), ("_facet_array", "themes"), ("_facet", "section"), ("_facet", "lang"),
                    ("_facet", "report"))


def fold(text: str) -> str:
    """Lower-case, accents stripped: "réfugiés" -> "refugies"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stop_words() -> frozenset[str]:
    """Whoosh's English and French stop words, folded (what kb's analyzers drop), plus elisions."""
    from whoosh.lang.stopwords import stoplists

    return frozenset(fold(w) for lang in LANGS for w in stoplists[lang]) | {"l", "d", "qu", "s", "n", "c"}


def section_body(path: Path) -> str:
    """The Markdown body of a section file (front matter cut off)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        return text[end + 5:] if end >= 0 else text
    return text


@dataclass
class LangVocabulary:
    """One language's words: document frequency, per-document word lists and adjacent pairs."""

    df: Counter[str] = field(default_factory=Counter)
    docs: list[list[str]] = field(default_factory=list)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, body: str, stops: frozenset[str]) -> None:
        words = [w for w in dict.fromkeys(WORD_RE.findall(body.lower())) if keep(w, stops)]
        self.df.update(words)
        self.docs.append(words)
        tokens = list(WORD_RE.finditer(body))
        for first, second in zip(tokens, tokens[1:], strict=False):
            if body[first.end():second.start()] == " ":  # adjacent words, only a space between
                a, b = first.group().lower(), second.group().lower()
                if keep(a, stops) and keep(b, stops):
                    self.pairs[(a, b)] += 1


def keep(word: str, stops: frozenset[str]) -> bool:
    return len(word) >= MIN_LETTERS and fold(word) not in stops


@dataclass
class Vocabulary:
    """Words per language and facet values, read from a corpus."""

    langs: dict[str, LangVocabulary]
    years: list[str]
    operations: list[str]
    themes: list[str]

    @classmethod
    def from_corpus(cls, corpus: Path, files_per_lang: int = 800) -> Vocabulary:
        stops = stop_words()
        langs = {lang: LangVocabulary() for lang in LANGS}
        operations = sorted(p.name for p in corpus.iterdir() if p.is_dir())
        years = sorted({p.name for op in operations[:5] for p in (corpus / op).iterdir() if p.name.isdigit()})
        for lang in LANGS:
            files = sorted(corpus.glob(f"*/*/*.{lang}.md"))
            # a seeded sample, not every n-th file: a step that is a multiple of 7 would pick one section kind only
            for path in sorted(random.Random(lang).sample(files, min(files_per_lang, len(files)))):
                langs[lang].add(section_body(path), stops)
        return cls(langs, years, operations, theme_slugs(corpus))


def theme_slugs(corpus: Path) -> list[str]:
    path = corpus / "themes.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get("themes", data) if isinstance(data, dict) else data
    return [str(item["slug"]) for item in items or [] if isinstance(item, dict) and "slug" in item]


@dataclass(frozen=True)
class BenchQuery:
    """One search of the mix: text, its kind and language, and facet filters (field -> values)."""

    text: str
    kind: str  # word | and2 | and3 | phrase
    lang: str  # the language of the words
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def plain(self) -> bool:
        """A plain single-word or multi-word AND query (hit counts are compared for these)."""
        return self.kind != "phrase"

    def kb_params(self) -> list[tuple[str, str]]:
        """kb `/api/search` parameters (repeated values OR within a field, AND across fields)."""
        return [("q", self.text)] + [(name, value) for name, values in self.filters for value in values]

    def datasette_params(self, size: int = 10) -> list[tuple[str, str]]:
        """The Datasette table querystring: full-text search, the same filters, facets, one page without bodies."""
        pairs = [("_search", self.text)]
        for name, values in self.filters:
            column = "themes" if name == "theme" else name
            if name == "theme":
                pairs += [(f"{column}__arraycontains", value) for value in values]
            elif len(values) > 1:
                pairs.append((f"{column}__in", ",".join(values)))
            else:
                pairs.append((column, values[0]))
        return pairs + list(DATASETTE_FACETS) + [("_size", str(size)), ("_nocol", "body")]

    def label(self) -> str:
        filters = " ".join(f"{name}={'|'.join(values)}" for name, values in self.filters)
        return f"{self.text} [{self.lang}{' ' + filters if filters else ''}]"


class QueryMix:
    """Draws distinct queries from a vocabulary, deterministically from a seed."""

    def __init__(self, vocabulary: Vocabulary, seed: int = 7) -> None:
        self.vocabulary = vocabulary
        self.rng = random.Random(seed)
        self.common = {lang: [w for w, _ in v.df.most_common(COMMON_WORDS)] for lang, v in vocabulary.langs.items()}
        self.rare = {lang: [w for w, n in v.df.items() if n >= 3 and w not in set(self.common[lang])]
                     or self.common[lang] for lang, v in vocabulary.langs.items()}
        self.phrases = {lang: [p for p, n in v.pairs.items() if n >= 2] for lang, v in vocabulary.langs.items()}

    def make(self, count: int, exclude: set[BenchQuery] | None = None, max_tries: int = 50) -> list[BenchQuery]:
        """`count` distinct queries, none of them in `exclude`."""
        seen = set(exclude or ())
        out: list[BenchQuery] = []
        for _ in range(count * max_tries):
            if len(out) >= count:
                break
            query = self.one()
            if query not in seen:
                seen.add(query)
                out.append(query)
        return out

    def one(self) -> BenchQuery:
        rng = self.rng
        kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        lang = rng.choice(LANGS)
        words = self.words(kind, lang)
        if lang == "fr" and rng.random() < 0.2:
            words = [fold(w) for w in words]
        text = f'"{" ".join(words)}"' if kind == "phrase" else " ".join(words)
        return BenchQuery(text, kind, lang, self.filters(lang) if rng.random() < 0.5 else ())

    def words(self, kind: str, lang: str) -> list[str]:
        rng = self.rng
        if kind == "phrase":
            return list(rng.choice(self.phrases[lang]))
        if kind == "word":
            return [rng.choice(self.common[lang] if rng.random() < 0.6 else self.rare[lang])]
        wanted = 2 if kind == "and2" else 3
        docs = self.vocabulary.langs[lang].docs
        for _ in range(100):  # words that co-occur in one document, so the AND has hits somewhere
            doc = rng.choice(docs)
            if len(doc) >= wanted:
                return rng.sample(doc, wanted)
        return rng.sample(self.common[lang], wanted)

    def filters(self, lang: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        rng = self.rng
        chosen = sorted(rng.sample(FILTER_FIELDS, rng.choice((1, 1, 2))), key=FILTER_FIELDS.index)
        out = []
        for name in chosen:
            if name == "year":
                values = tuple(sorted(rng.sample(self.vocabulary.years, 2 if rng.random() < 0.25 else 1)))
            elif name == "lang":
                values = (lang,)
            else:
                pool = {"theme": self.vocabulary.themes, "section": SECTIONS, "operation": self.vocabulary.operations,
                        "report": REPORTS}[name]
                if not pool:
                    continue
                values = (rng.choice(list(pool)),)
            out.append((name, values))
        return tuple(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    for query in QueryMix(Vocabulary.from_corpus(args.corpus), args.seed).make(args.count):
        print(f"{query.kind:6} {query.label()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
