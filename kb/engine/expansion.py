"""Cross-language expansion: a parsed query (kb.engine.query_syntax) plus the glossary (kb.engine.glossary) -> the same
query with the other language's equivalents of its glossary terms added as alternatives, and what was added.

`expand(node, glossary, into)` adds terms of language `into` where the query's words match a glossary term:
- words side by side (ANDed) are matched longest first on their analysed tokens, in both languages ("certificats de
  naissance" is "certificat de naissance" after stemming, accent folding and stop words), a phrase as a whole;
- a match becomes `(typed OR term^B OR ...)` with B = EQUIVALENT_BOOST < 1, so the words typed rank above what was
  added: the terms in `into` of the matched entries (the other language's equivalents; for a term of `into` itself,
  its synonyms: "certificat de naissance" also searches "acte de naissance"; a word typed that is a term of both
  languages, "verification", gets only its synonyms); a term of several words is a phrase;
- left out: terms of more than MAX_TOKENS words, and all but the first MAX_EQUIVALENTS (the glossary's order): each
  is one more search;
- a field-qualified word gets terms in the same field of `into` (`title_en:` -> `title_fr:`; `title:` stays, each
  language reads it as its own); boolean structure is kept, so an equivalent inside a NOT is excluded too; prefixes,
  wildcards, ranges and words with a boost of their own are left as typed;
- where words side by side got terms, the plain words beside them that the texts of `into` never have (the backend's
  index says, through `absent`) become optional in `into` (`required ANDMAYBE optional`), and so do single words
  translated beside a translated phrase: an untranslated word ranks the other language's texts rather than exclude
  them, and a phrase translates more surely than a word ("formation" for "training" where the text says "formés").
  The language the query was typed in keeps every word it has.
Engine-neutral: the result is a tree any backend can translate or print.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kb.engine.glossary import Glossary, key
from kb.engine.query_syntax import OPERATORS, And, AndMaybe, AndNot, Node, Not, Or, Phrase, Term, Wildcard, map_children

EQUIVALENT_BOOST = 0.5  # an equivalent's weight relative to the words typed
MAX_EQUIVALENTS = 3  # terms added per match, in the glossary's order (the preferred term first): each costs a search
MAX_TOKENS = 4  # longer terms (official names) are left out: a phrase of many common words costs much, finds little
EXPANDABLE_FIELDS = frozenset({"title", "body", "text"})  # and title_xx, body_xx: the text fields
SIMPLE_WORD = re.compile(r"^\w+(?:['’.-]\w+)*$")


@dataclass(frozen=True)
class Match:
    """Words of the query that matched glossary terms of `lang`, and what was added for them in `into`."""

    typed: str  # the words as typed
    lang: str
    into: str
    equivalents: tuple[str, ...]  # the terms of `into` added (never empty: a match that adds nothing is not kept)
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


Absent = Callable[[str, str], bool]  # (word as typed, language) -> the language's texts never have it (the index says)


def expand(node: Node | None, glossary: Glossary, into: str, absent: Absent | None = None
           ) -> tuple[Node | None, list[Match]]:
    """`node` with equivalents in `into` of the glossary terms of the other language it contains, and the matches.

    `absent(word, into)`, when given, says which words the texts of `into` never have: beside words that got
    equivalents, those become optional (without it: the words beside a term of the other language).
    """
    if node is None or not glossary:
        return node, []
    matches: list[Match] = []
    return _Expander(glossary, into, matches, absent).visit(node), matches


class _Expander:
    def __init__(self, glossary: Glossary, into: str, matches: list[Match], absent: Absent | None) -> None:
        self.glossary, self.into, self.source, self.matches = glossary, into, other(into), matches
        self.absent = absent
        self.crossing: set[int] = set()  # ids of the alternatives added for a term of the other language

    def visit(self, node: Node) -> Node:
        if isinstance(node, Term):
            return self.run([node])[0] if self.eligible(node) else node
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, And):
            return self.lenient(node.children, self.children(list(node.children)))
        if isinstance(node, (Or, Not, AndNot, AndMaybe)):
            return map_children(node, self.visit)
        return node  # wildcards and ranges

    def lenient(self, typed: tuple[Node, ...], children: list[Node]) -> Node:
        """ANDed children once expanded: where some got equivalents, the plain words that got none are optional in
        this language (`required ANDMAYBE optional`): a word the glossary cannot translate does not exclude the other
        language's texts, it ranks higher those where it stands (a place name, "COVID-19")."""
        if len(children) == 1:
            return children[0]
        if self.absent is None:  # without the index: beside a term of the other language
            if not any(id(c) in self.crossing for c in children):
                return And(tuple(children))
            loose = [c in typed and _plain(c) for c in children]
        else:  # beside any equivalent, the words this language's texts never have
            if all(c in typed for c in children):
                return And(tuple(children))
            loose = [c in typed and _plain(c) and self.never(c) for c in children]
            if any(id(c) in self.crossing and not _one_word(c) for c in children):  # beside a translated phrase,
                loose = [free or (id(c) in self.crossing and _one_word(c)) for c, free in zip(children, loose,
                                                                                               strict=True)]
        optional = [c for c, free in zip(children, loose, strict=True) if free]
        required = [c for c, free in zip(children, loose, strict=True) if not free]
        if not optional or not required:
            return And(tuple(children))
        return AndMaybe(required[0] if len(required) == 1 else And(tuple(required)),
                        optional[0] if len(optional) == 1 else Or(tuple(optional)))

    def never(self, node: Node) -> bool:
        """The texts of this language never have this word (or a word of this phrase)."""
        assert self.absent is not None
        return isinstance(node, (Term, Phrase)) and self.absent(node.text, self.into)

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
        tokens = {lang: [key(word.text, lang) for word in words] for lang in (self.source, self.into)}
        out: list[Node] = []
        i = 0
        while i < len(words):
            found = self.longest_match(tokens, i)
            if found is None:
                out.append(words[i])
                i += 1
                continue
            end, crossing, same = found
            span = words[i:end]
            original: Node = span[0] if len(span) == 1 else And(tuple(span))
            added = self.alternatives(original, " ".join(word.text for word in span), crossing, same, span[0].field)
            out.extend(span if added is original else [added])
            i = end
        return out

    def longest_match(self, tokens: dict[str, list[tuple[str, ...]]], start: int
                      ) -> tuple[int, tuple[int, ...], tuple[int, ...]] | None:
        """(end, entries matched in the other language, entries matched in this one) of the longest span of words
        from `start` whose tokens are a glossary key in either language, or None."""
        best = None
        for lang in (self.source, self.into):
            words, longest = tokens[lang], self.glossary.longest.get(lang, 0)
            if not words[start]:
                continue
            joined: tuple[str, ...] = ()
            for end in range(start + 1, len(words) + 1):
                joined += words[end - 1]
                if len(joined) > longest:
                    break
                if words[end - 1] and (best is None or end >= best[0]) and self.glossary.lookup(joined, lang):
                    best = (end, lang) if best is None or end > best[0] else best
        if best is None:
            return None
        span = best[0]
        joined_keys = {lang: tuple(t for word in tokens[lang][start:span] for t in word) for lang in tokens}
        return (span, self.glossary.lookup(joined_keys[self.source], self.source),
                self.glossary.lookup(joined_keys[self.into], self.into))

    def phrase(self, node: Phrase) -> Node:
        if node.boost is not None or (node.slop or 1) != 1 or field_in(node.field, "en") is False:
            return node
        crossing = self.glossary.lookup(key(node.text, self.source), self.source)
        same = self.glossary.lookup(key(node.text, self.into), self.into)
        return self.alternatives(node, node.text, crossing, same, node.field) if crossing or same else node

    def alternatives(self, original: Node, typed: str, crossing: tuple[int, ...], same: tuple[int, ...],
                     field: str | None) -> Node:
        """`original` OR the terms in `into` of the entries it matched (`crossing`: as a term of the other language;
        `same`: of this one, whose other terms are its synonyms), those the typed words do not already search."""
        already = key(typed, self.into)
        terms: list[str] = []
        for i in (*same, *crossing):
            for term in self.glossary.entries[i].terms(self.into):
                tokens = key(term, self.into)
                if term not in terms and tokens != already and len(tokens) <= MAX_TOKENS:
                    terms.append(term)
        terms = terms[:MAX_EQUIVALENTS]
        if not terms:
            return original
        lang = self.into if same else self.source  # a term of this language too ("verification"): synonyms
        self.matches.append(Match(typed, lang, self.into, tuple(terms), field))
        target = field_in(field, self.into)
        added = Or((original, *[_leaf(term, target if isinstance(target, str) else None) for term in terms]))
        if not same:
            self.crossing.add(id(added))
        return added


def _one_word(node: Node) -> bool:
    """Alternatives added for one word typed (a single word translates less surely than a phrase)."""
    return isinstance(node, Or) and isinstance(node.children[0], Term)


def _plain(node: Node) -> bool:
    """A word, phrase or prefix of the text typed without a boost (not a filter such as year:2020)."""
    return (isinstance(node, (Term, Phrase, Wildcard)) and node.boost is None
            and field_in(node.field, "en") is not False)


def _leaf(term: str, field: str | None) -> Node:
    """An equivalent as a query leaf: a plain word as a term, anything else as a phrase."""
    if SIMPLE_WORD.match(term) and term not in OPERATORS:
        return Term(term, field, EQUIVALENT_BOOST)
    return Phrase(term, field, EQUIVALENT_BOOST)
