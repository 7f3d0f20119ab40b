"""The bilingual glossary as the engine uses it: its entries, compiled to analysed keys, and its file in a generation.

An entry is one concept: English terms and French terms (the first of each side preferred) and optional themes. The
builder (indexer.glossary) reads and checks `content/glossary.yaml` and writes the entries into the generation it
builds (`kb-glossary.json`, `write_glossary`); a reader gets them back with `read_glossary` (an empty glossary when
the generation has none: no glossary means no expansion, not an error). `Glossary` compiles the entries once per
generation to a dict per language keyed by each term's analysed token tuple (the language's own analyzer from
kb.engine.schema: stemming, accent folding, stop words), so that matching a query costs a few dict lookups.
Nothing here is Whoosh's: any backend can use it (kb.engine.expansion does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.engine import generations
from kb.engine.schema import analyse

GLOSSARY_VERSION = 1
LANGS = ("en", "fr")


@dataclass(frozen=True)
class Entry:
    en: tuple[str, ...]
    fr: tuple[str, ...]
    themes: tuple[str, ...] = ()

    def terms(self, lang: str) -> tuple[str, ...]:
        return self.en if lang == "en" else self.fr

    def to_json(self) -> dict[str, Any]:
        return {"en": list(self.en), "fr": list(self.fr), "themes": list(self.themes)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(tuple(data["en"]), tuple(data["fr"]), tuple(data.get("themes") or ()))


def key(term: str, lang: str) -> tuple[str, ...]:
    """A term's analysed tokens in `lang`: what it matches in a query (empty: nothing survives analysis)."""
    return tuple(analyse(term, lang))


@dataclass
class Glossary:
    """Entries and, per language, analysed key -> the entries having a term with that key."""

    entries: tuple[Entry, ...] = ()
    keys: dict[str, dict[tuple[str, ...], tuple[int, ...]]] = field(default_factory=dict)
    longest: dict[str, int] = field(default_factory=dict)  # tokens of the longest key, per language

    @classmethod
    def compile(cls, entries: list[Entry] | tuple[Entry, ...]) -> Glossary:
        keys: dict[str, dict[tuple[str, ...], list[int]]] = {lang: {} for lang in LANGS}
        for i, entry in enumerate(entries):
            for lang in LANGS:
                for term in entry.terms(lang):
                    tokens = key(term, lang)
                    if tokens and i not in keys[lang].setdefault(tokens, []):
                        keys[lang][tokens].append(i)
        frozen = {lang: {k: tuple(v) for k, v in found.items()} for lang, found in keys.items()}
        longest = {lang: max((len(k) for k in frozen[lang]), default=0) for lang in LANGS}
        return cls(tuple(entries), frozen, longest)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def lookup(self, tokens: tuple[str, ...], lang: str) -> tuple[int, ...]:
        return self.keys.get(lang, {}).get(tokens, ())


def write_glossary(folder: Path, entries: list[Entry]) -> None:
    """Write the glossary of the generation being built in `folder` (durably); no file when it has no entries."""
    if entries:
        data = {"version": GLOSSARY_VERSION, "entries": [entry.to_json() for entry in entries]}
        generations.write_json(folder / generations.GLOSSARY, data)


def read_glossary(folder: Path) -> Glossary:
    """The compiled glossary of the generation in `folder`; empty when it has none (or one of another version)."""
    try:
        found = generations.read_json(folder / generations.GLOSSARY)
    except (OSError, ValueError):
        return Glossary()
    return glossary_from_json(found)


def glossary_from_json(found: Any) -> Glossary:
    """The compiled glossary of a generation's `kb-glossary.json` data; empty when it is of another version."""
    if not isinstance(found, dict) or found.get("version") != GLOSSARY_VERSION:
        return Glossary()
    return Glossary.compile([Entry.from_json(item) for item in found.get("entries") or []])
