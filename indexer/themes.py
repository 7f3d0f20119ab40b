"""The theme vocabulary and paragraph tagging that can explain itself.

This module owns reading `content/themes.yaml` (the one definition of themes: slugs, impact areas, English and French
labels, trigger terms), tagging a paragraph with themes, and `kb themes --explain`.

Matching is done on analysed text, with the index's own analyzers (`kb.engine.schema`): each trigger term is analysed
once into a sequence of stems, and a paragraph has a theme when one of the theme's stem sequences occurs in the
paragraph's analysed terms as a contiguous run. So "birth certificates" matches "birth certificate", and "actes de
naissance" matches "acte de naissance". Numbers are ignored on both sides ("COVID-19 kits" is "covid kit"). At each
word the longest term starting there wins, and the words it covers are not matched again, so "gender-based violence"
is never also a bare "violence". Every match keeps the characters it came from, so a theme can always be explained by
the words, as written, that triggered it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kb.engine.schema import analyse, analyzer_for
from kb.model import LANGS, Paragraph, Section, is_slug

THEMES_FILE = "themes.yaml"
IMPACT_AREAS: tuple[str, ...] = ("protect", "assist", "empower", "solve", "cross-cutting")

Stems = tuple[str, ...]


class VocabularyError(ValueError):
    """`content/themes.yaml` is missing or malformed; the message names the file and the theme."""


@dataclass(frozen=True)
class Theme:
    """One theme of the controlled vocabulary."""

    slug: str
    impact_area: str
    labels: dict[str, str]  # lang -> label
    terms: dict[str, tuple[str, ...]]  # lang -> trigger terms, as written in themes.yaml

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Entry:
    """One analysed trigger term of one language: its stems, the term as written, and the themes it gives."""

    stems: Stems
    term: str
    slugs: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """One trigger found in a text: which entry, and where (characters `start:end` of the text)."""

    entry: Entry
    start: int
    end: int
    surface: str  # the words as written in the text


@dataclass
class Vocabulary:
    """The themes, and per language an index of analysed terms by their first stem (longest term first)."""

    themes: tuple[Theme, ...]
    index: dict[str, dict[str, list[Entry]]] = field(default_factory=dict)

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(theme.slug for theme in self.themes)

    def theme(self, slug: str) -> Theme:
        """The theme with this slug; KeyError if there is none."""
        for theme in self.themes:
            if theme.slug == slug:
                return theme
        raise KeyError(slug)

    def entries(self, lang: str) -> Iterable[Entry]:
        for bucket in self.index.get(lang, {}).values():
            yield from bucket

    def _found(self, stems: list[str], lang: str) -> Iterator[tuple[int, Entry]]:
        """(word index, entry) of every trigger among `stems`, left to right; the longest term at a word wins and
        consumes its words."""
        index = self.index.get(lang if lang in LANGS else "en", {})
        i, n = 0, len(stems)
        while i < n:
            step = 1
            for entry in index.get(stems[i], ()):
                size = len(entry.stems)
                if size == 1 or tuple(stems[i : i + size]) == entry.stems:
                    yield i, entry
                    step = size
                    break
            i += step

    def matches(self, text: str, lang: str) -> list[Match]:
        """Every trigger in `text`, left to right, with the words as written."""
        tokens = _tokens(text, lang)
        found: list[Match] = []
        for i, entry in self._found([stem for stem, _, _ in tokens], lang):
            start, end = tokens[i][1], tokens[i + len(entry.stems) - 1][2]
            found.append(Match(entry, start, end, _surface(text, start, end)))
        return found

    def themes_of(self, text: str, lang: str) -> list[str]:
        """The themes of `text` (sorted), as `tag` finds them, without the words as written (what indexing needs)."""
        stems = [t.text for t in analyzer_for(lang)(text) if not t.text.isdigit()]
        return sorted({slug for _, entry in self._found(stems, lang) for slug in entry.slugs})

    def tag(self, text: str, lang: str) -> dict[str, list[str]]:
        """Theme slug -> the words of `text`, as written, that triggered it (each once, in order), slugs sorted."""
        words: dict[str, dict[str, None]] = {}
        for match in self.matches(text, lang):
            for slug in match.entry.slugs:
                words.setdefault(slug, {})[match.surface] = None
        return {slug: list(words[slug]) for slug in sorted(words)}


def _tokens(text: str, lang: str) -> list[tuple[str, int, int]]:
    """The analysed terms of `text` with their character spans; numbers are left out."""
    return [
        (token.text, token.startchar, token.endchar)
        for token in analyzer_for(lang)(text, chars=True, positions=True)
        if not token.text.isdigit()
    ]


def _surface(text: str, start: int, end: int) -> str:
    """The matched words as written, widened to whole hyphenated words ("COVID" -> "COVID-19")."""

    def joins(i: int) -> bool:  # is text[i] part of the word, or a hyphen inside it?
        if text[i].isalnum():
            return True
        return text[i] == "-" and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()

    while start > 0 and joins(start - 1):
        start -= 1
    while end < len(text) and joins(end):
        end += 1
    return " ".join(text[start:end].split())


# ---------------------------------------------------------------- loading


def load_themes(content: Path) -> Vocabulary:
    """Read and check `content/themes.yaml`, and analyse every term. Raises VocabularyError."""
    path = content / THEMES_FILE
    stat = _stat(path)
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _stat(path: Path) -> Any:
    try:
        return path.stat()
    except OSError as err:
        raise VocabularyError(f"{path}: cannot read the theme vocabulary: {err.strerror}") from None


@cache
def _load(path: str, mtime_ns: int, size: int) -> Vocabulary:  # mtime and size key the cache: edits are seen
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8-sig"), Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise VocabularyError(f"{path}: cannot read the theme vocabulary: {str(err).splitlines()[0]}") from None
    if not isinstance(data, list) or not data:
        raise VocabularyError(f"{path}: must be a non-empty list of themes")
    themes = tuple(_theme(path, i, item) for i, item in enumerate(data, 1))
    slugs = [theme.slug for theme in themes]
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicates:
        raise VocabularyError(f"{path}: duplicate theme slugs: {', '.join(duplicates)}")
    return Vocabulary(themes, {lang: _index(path, themes, lang) for lang in LANGS})


def _theme(path: str, i: int, item: Any) -> Theme:
    where = f"{path}: theme {i}"
    if not isinstance(item, dict):
        raise VocabularyError(f"{where}: must be a mapping with slug, impact_area, label and terms")
    slug = item.get("slug")
    if not isinstance(slug, str) or not is_slug(slug):
        raise VocabularyError(f"{where}: slug must be lower-case words joined by hyphens, not {slug!r}")
    where = f"{path}: theme {slug}"
    unknown = sorted(set(item) - {"slug", "impact_area", "label", "terms"})
    if unknown:
        raise VocabularyError(f"{where}: unknown fields: {', '.join(unknown)}")
    if item.get("impact_area") not in IMPACT_AREAS:
        raise VocabularyError(f"{where}: impact_area must be one of {', '.join(IMPACT_AREAS)}")
    labels, terms = item.get("label"), item.get("terms")
    for lang in LANGS:
        if not isinstance(labels, dict) or not isinstance(labels.get(lang), str) or not labels[lang].strip():
            raise VocabularyError(f"{where}: label.{lang} must be a non-empty string")
        if not isinstance(terms, dict) or not isinstance(terms.get(lang), list) or not terms[lang]:
            raise VocabularyError(f"{where}: terms.{lang} must be a non-empty list")
        bad = [term for term in terms[lang] if not isinstance(term, str) or not term.strip()]
        if bad:
            raise VocabularyError(f"{where}: terms.{lang} must be strings, not {bad[0]!r}")
    return Theme(
        slug=slug,
        impact_area=item["impact_area"],
        labels={lang: labels[lang].strip() for lang in LANGS},
        terms={lang: tuple(str(term).strip() for term in terms[lang]) for lang in LANGS},
    )


def term_stems(term: str, lang: str) -> Stems:
    """A trigger term as the tagger sees it: its analysed terms, numbers left out."""
    return tuple(stem for stem in analyse(term, lang) if not stem.isdigit())


def _index(path: str, themes: tuple[Theme, ...], lang: str) -> dict[str, list[Entry]]:
    """First stem -> entries, longest first; a stem sequence listed by several themes gives all of them."""
    by_stems: dict[Stems, tuple[str, dict[str, None]]] = {}
    for theme in themes:
        for term in theme.terms[lang]:
            stems = term_stems(term, lang)
            if not stems:
                raise VocabularyError(f"{path}: theme {theme.slug}: {lang} term {term!r} is only stop words or numbers")
            by_stems.setdefault(stems, (term, {}))[1][theme.slug] = None
    index: dict[str, list[Entry]] = {}
    for stems, (term, slugs) in by_stems.items():
        index.setdefault(stems[0], []).append(Entry(stems, term, tuple(slugs)))
    for bucket in index.values():
        bucket.sort(key=lambda entry: (-len(entry.stems), entry.stems))
    return index


# ---------------------------------------------------------------- tagging with the project's vocabulary


def tag(text: str, lang: str, vocabulary: Vocabulary) -> dict[str, list[str]]:
    """Theme slug -> the words of the paragraph, as written, that triggered it."""
    return vocabulary.tag(text, lang)


def tag_section(section: Section, vocabulary: Vocabulary) -> None:
    """Fill each paragraph's `themes` (sorted slugs) from its text."""
    for para in section.paragraphs:
        para.themes = vocabulary.themes_of(para.text, section.lang)


# ---------------------------------------------------------------- kb themes --explain


class ExplainError(Exception):
    """A section file that cannot be explained; the message is one line."""


def explain(path: Path, content: Path) -> str:
    """Each paragraph of a section file, its themes, and under each theme the words that triggered it."""
    lang, paragraphs, by_hand = _read_section(path)
    vocabulary = load_themes(content)
    lines = [f"{path}  ({lang}, {len(paragraphs)} paragraphs)"]
    for para in paragraphs:
        found = vocabulary.tag(para.text, lang)
        lines.append(f"¶{para.n}  {', '.join(found) or '(no theme)'}")
        lines.extend(f"    {slug}: " + ", ".join(f'"{word}"' for word in words) for slug, words in found.items())
    if by_hand:
        lines.append(f"set by hand in the front matter: {', '.join(map(str, by_hand))}")
    return "\n".join(lines)


def _read_section(path: Path) -> tuple[str, list[Paragraph], list[Any]]:
    """(lang, paragraphs, themes set by hand) of a section file; ExplainError on anything unreadable."""
    from indexer.content import parse_front_matter, split_front_matter, split_paragraphs

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise ExplainError(f"{path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ExplainError(f"{path}: not UTF-8 text") from None
    raw, body, body_line = split_front_matter(text)
    meta, problems = parse_front_matter(str(path), raw)
    if problems or meta is None:
        raise ExplainError(str(problems[0]) if problems else f"{path}: no front matter")
    lang = meta.get("lang")
    if lang not in LANGS:
        raise ExplainError(f"{path}: lang must be one of {', '.join(LANGS)}, not {lang!r}")
    by_hand = meta.get("themes") or []
    return str(lang), split_paragraphs(body, body_line), by_hand if isinstance(by_hand, list) else [by_hand]


def run_explain(path: Path, content: Path) -> int:
    """`kb themes --explain FILE`: print the explanation; a one-line error and exit status 2 when it cannot."""
    try:
        report = explain(path, content)
    except (ExplainError, VocabularyError) as err:
        print(f"kb themes: {err}", file=sys.stderr)
        return 2
    print(report)
    return 0
