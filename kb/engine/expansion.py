"""Cross-language expansion: a parsed query (kb.engine.query_syntax) plus the glossary (kb.engine.glossary) -> the same
query with the other language's equivalents of its glossary terms added as alternatives, and what was added.

`expand(node, glossary, into)` adds terms of language `into` where the query's words match, in the other language, a
glossary term: words side by side (ANDed) are matched longest first on their analysed tokens ("certificats de
naissance" is "certificat de naissance" after stemming, accent folding and stop words), a phrase as a whole. A match
becomes `(typed OR equivalent^B OR ...)` with B = EQUIVALENT_BOOST < 1, so the words typed rank above their
translations; an equivalent of several words is a phrase; a field-qualified word gets equivalents in the same field
of the other language (`title_en:` -> `title_fr:`; `title:` stays `title:`, which each language reads as its own);
boolean structure is kept, so an equivalent inside a NOT is excluded too. Prefixes, wildcards, ranges and words with
a boost of their own are left as typed. Engine-neutral: the result is a tree any backend can translate or print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kb.engine.glossary import Glossary, key
from kb.engine.query_syntax import OPERATORS, And, AndMaybe, AndNot, Node, Not, Or, Phrase, Term, map_children

EQUIVALENT_BOOST = 0.5  # an equivalent's weight relative to the words typed
EXPANDABLE_FIELDS = frozenset({"title", "body", "text"})  # and title_xx, body_xx: the text fields
SIMPLE_WORD = re.compile(r"^\w+(?:['’.-]\w+)*$")


@dataclass(frozen=True)
class Match:
    """Words of the query that matched glossary terms of `lang`, and what was added for them in `into`."""

    typed: str  # the words as typed
    lang: str
    into: str
    equivalents: tuple[str, ...]  # the other language's terms added (those the typed words did not already search)
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"typed": self.typed, "lang": self.lang, "into": self.into, "equivalents": list(self.equivalents),
                "field": self.field}


@dataclass(frozen=True)
class Expansion:
    """The glossary's matches in a query; `applied`: whether their equivalents were searched (xlang on)."""

    matches: tuple[Match, ...] = ()
    applied: bool = False

    def added(self) -> dict[str, list[str]]:
        """Language -> the equivalents searched in it (in order, once each): what the page says was added."""
        out: dict[str, list[str]] = {}
        for match in self.matches:
            for term in match.equivalents:
                if term not in out.setdefault(match.into, []):
                    out[match.into].append(term)
        return {lang: terms for lang, terms in out.items() if terms}

    def to_json(self) -> dict[str, Any]:
        return {"applied": self.applied, "matches": [m.to_json() for m in self.matches], "added": self.added()}


def other(lang: str) -> str:
    return "fr" if lang == "en" else "en"


def field_in(field: str | None, into: str) -> str | None | bool:
    """The field equivalents in `into` go to, for a word in `field`; False when the field is not a text field."""
    if field is None or field in EXPANDABLE_FIELDS:
        return field
    name, _, lang = field.rpartition("_")
    if name in ("title", "body") and lang in ("en", "fr"):
        return f"{name}_{into}"
    return False


def expand(node: Node | None, glossary: Glossary, into: str) -> tuple[Node | None, list[Match]]:
    """`node` with equivalents in `into` of the glossary terms of the other language it contains, and the matches."""
    if node is None or not glossary:
        return node, []
    matches: list[Match] = []
    return _Expander(glossary, into, matches).visit(node), matches


class _Expander:
    def __init__(self, glossary: Glossary, into: str, matches: list[Match]) -> None:
        self.glossary, self.into, self.source, self.matches = glossary, into, other(into), matches

    def visit(self, node: Node) -> Node:
        if isinstance(node, Term):
            return self.run([node])[0] if self.eligible(node) else node
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, And):
            children = self.children(list(node.children))
            return children[0] if len(children) == 1 else And(tuple(children))
        if isinstance(node, (Or, Not, AndNot, AndMaybe)):
            return map_children(node, self.visit)
        return node  # wildcards and ranges

    @staticmethod
    def eligible(node: Node) -> bool:
        return isinstance(node, Term) and node.boost is None and field_in(node.field, "en") is not False

    def children(self, children: list[Node]) -> list[Node]:
        """ANDed children: runs of plain words (same field) matched together, anything else visited on its own."""
        out: list[Node] = []
        i = 0
        while i < len(children):
            child = children[i]
            if not self.eligible(child):
                out.append(self.visit(child))
                i += 1
                continue
            j = i
            while j < len(children) and self.eligible(children[j]) and children[j].field == child.field:  # type: ignore[union-attr]
                j += 1
            out.extend(self.run(children[i:j]))  # type: ignore[arg-type]
            i = j
        return out

    def run(self, words: list[Term]) -> list[Node]:
        """Words side by side: each longest span matching a glossary key becomes (span OR equivalents)."""
        tokens = [key(word.text, self.source) for word in words]
        longest = self.glossary.longest.get(self.source, 0)
        out: list[Node] = []
        i = 0
        while i < len(words):
            found = self.longest_match(tokens, i, longest) if tokens[i] else None
            if found is None:
                out.append(words[i])
                i += 1
                continue
            end, entries = found
            span = words[i:end]
            typed = " ".join(word.text for word in span)
            original: Node = span[0] if len(span) == 1 else And(tuple(span))
            out.append(self.alternatives(original, typed, entries, span[0].field))
            i = end
        return out

    def longest_match(self, tokens: list[tuple[str, ...]], start: int, longest: int
                      ) -> tuple[int, tuple[int, ...]] | None:
        """(end, entries) of the longest span of words from `start` whose tokens are a glossary key, or None."""
        best = None
        joined: tuple[str, ...] = ()
        for end in range(start + 1, len(tokens) + 1):
            joined += tokens[end - 1]
            if len(joined) > longest:
                break
            if tokens[end - 1]:  # a span ends on a word that has tokens (not a stop word)
                entries = self.glossary.lookup(joined, self.source)
                if entries:
                    best = (end, entries)
        return best

    def phrase(self, node: Phrase) -> Node:
        if node.boost is not None or (node.slop or 1) != 1 or field_in(node.field, "en") is False:
            return node
        entries = self.glossary.lookup(key(node.text, self.source), self.source)
        return self.alternatives(node, node.text, entries, node.field) if entries else node

    def alternatives(self, original: Node, typed: str, entries: tuple[int, ...], field: str | None) -> Node:
        """`original` OR the equivalents in `into` of `entries` (those the typed words do not already search)."""
        already = key(typed, self.into)
        terms = []
        for i in entries:
            for term in self.glossary.entries[i].terms(self.into):
                if term not in terms and key(term, self.into) != already:
                    terms.append(term)
        self.matches.append(Match(typed, self.source, self.into, tuple(terms), field))
        if not terms:
            return original
        target = field_in(field, self.into)
        added = [_leaf(term, target if isinstance(target, str) else None) for term in terms]
        return Or((original, *added))


def _leaf(term: str, field: str | None) -> Node:
    """An equivalent as a query leaf: a plain word as a term, anything else as a phrase."""
    if SIMPLE_WORD.match(term) and term not in OPERATORS:
        return Term(term, field, EQUIVALENT_BOOST)
    return Phrase(term, field, EQUIVALENT_BOOST)
