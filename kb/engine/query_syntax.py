"""kb's query syntax, engine-neutral: query text -> a small tree (Term, Phrase, Wildcard, Range, And, Or, Not, AndNot,
AndMaybe, each leaf with its field and boost) and the tree -> text in the same syntax.

The syntax is the one kb has always accepted (Whoosh's default query language, as `kb.engine.whoosh_backend` reads it):
words (implicitly ANDed), "phrases" with an optional ~slop, prefix* and wild?card words, [a TO b] ranges, `field:`
before a word, phrase, range or parenthesised group, ^boosts, and the operators NOT, AND, OR, ANDNOT and ANDMAYBE.
Binding, tightest first, as Whoosh binds them: NOT, AND, OR, ANDNOT, ANDMAYBE, then words side by side.

`parse` reads only well-formed queries: on anything else (a dangling operator, `NOT NOT`, an unknown `name:`, a
single-quoted term, a `~` after a word, an unclosed quote) it raises Unreadable, and the caller leaves the query text
as it was typed, so the engine gives its own answer or error for it, as before. A field or boost on a group is
carried down to the group's leaves (a leaf's own field wins; boosts multiply), which is what the engine does with
them, so `to_text(parse(text))` searches what `text` searches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")
# the names a query may put before `:` (the schema's searchable fields and their aliases: title, body, text, themes)
SEARCHABLE_FIELDS = ("title", "body", "text", "year", "theme", "themes", "section", "operation", "lang", "report",
                     "country", "kind", "title_en", "title_fr", "body_en", "body_fr")
TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<phrase>"(?P<words>[^"]*)"(?:~(?P<slop>[1-9][0-9]*))?)
  | (?P<range>[\[{][^\]}]*[\]}])
  | (?P<field>\w+):(?=[^\s)])
  | (?P<boost>\^(?P<factor>[0-9]*(?:\.[0-9]+)?)(?=$|[\s)]))
  | (?P<word>[^\s()"\[\]{}^:]+)
""", re.VERBOSE)


class Unreadable(ValueError):
    """The text is not a query this module reads whole; the caller keeps the text as typed."""


@dataclass(frozen=True)
class Term:
    text: str
    field: str | None = None
    boost: float | None = None


@dataclass(frozen=True)
class Phrase:
    text: str  # the words between the quotes, as typed
    field: str | None = None
    boost: float | None = None
    slop: int | None = None


@dataclass(frozen=True)
class Wildcard:
    """A word with * or ? (a prefix when its only wildcard is a final *)."""

    text: str
    field: str | None = None
    boost: float | None = None


@dataclass(frozen=True)
class Range:
    text: str  # "[2014 TO 2016]", "{a TO b]", as typed
    field: str | None = None
    boost: float | None = None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class AndNot:
    a: Node
    b: Node


@dataclass(frozen=True)
class AndMaybe:
    a: Node
    b: Node


Leaf = Term | Phrase | Wildcard | Range
Node = Term | Phrase | Wildcard | Range | And | Or | Not | AndNot | AndMaybe
LEAVES = (Term, Phrase, Wildcard, Range)


# ------------------------------------------------------------------------------------------------------ reading


def parse(text: str, fields: frozenset[str] | set[str] | tuple[str, ...]) -> Node | None:
    """The tree of `text` (None when it has no words); `fields`: the names allowed before a `:`. Raises Unreadable."""
    tokens = list(_tokens(text, frozenset(fields)))
    if not tokens:
        return None
    reader = _Reader(tokens)
    node = reader.sequence()
    if reader.peek() is not None:
        raise Unreadable("unbalanced parentheses")
    return node


def _tokens(text: str, fields: frozenset[str]) -> Iterator[tuple[str, object]]:
    """(kind, value) pairs: ("leaf", Leaf), ("op", name), ("open", field or None), ("close", boost or None)."""
    pos, field, glued = 0, None, False  # glued: the previous token ends where this one starts (no space)
    last = ""
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if match is None:
            raise Unreadable(f"unexpected {text[pos]!r}")
        kind, pos = match.lastgroup, match.end()
        if kind == "space":
            glued = False
            continue
        touching = glued
        glued = True
        starts_atom = kind in ("open", "phrase", "range", "word", "field")
        if touching and starts_atom and last in ("leaf", "op", "close", "boost"):
            raise Unreadable("two parts of the query touch without a space")
        if kind == "field":
            if match.group("field") not in fields or field is not None:
                raise Unreadable(f"unknown field {match.group('field')}")
            field = match.group("field")
        elif kind == "boost":
            if not touching or last not in ("leaf", "close") or not match.group("factor"):
                raise Unreadable("a boost must follow a word, phrase or group")
            yield "boost", float(match.group("factor"))
        elif kind == "open":
            yield "open", field
            field = None
        elif kind == "close":
            if field is not None:
                raise Unreadable("a field with nothing after it")
            yield "close", None
        else:
            token = _leaf(kind, match, field)
            field = None
            yield ("op", token) if isinstance(token, str) else ("leaf", token)
            kind = "op" if isinstance(token, str) else "leaf"
        last = kind
    if field is not None:
        raise Unreadable("a field with nothing after it")


def _leaf(kind: str | None, match: re.Match[str], field: str | None) -> Leaf | str:
    """The leaf a word, phrase or range token stands for; an operator's name for AND, OR, NOT, ANDNOT, ANDMAYBE."""
    if kind == "phrase":
        if not match.group("words").strip():
            raise Unreadable("an empty phrase")
        slop = match.group("slop")
        return Phrase(match.group("words"), field, None, int(slop) if slop else None)
    if kind == "range":
        if not re.search(r"(?i)\bto\b", match.group("range")):
            raise Unreadable("a range without TO")
        return Range(match.group("range"), field)
    word = match.group("word")
    if word in OPERATORS:
        if field is not None:
            raise Unreadable("a field before an operator")
        return word
    if word.startswith("'") or "~" in word or word == "*" or word == "REQUIRE":  # REQUIRE: an operator to Whoosh
        raise Unreadable(f"a word this module does not read: {word}")
    if "*" in word or "?" in word:
        return Wildcard(word, field)
    return Term(word, field)


class _Reader:
    """Recursive descent over the tokens, binding as the engine does (see the module docstring)."""

    BINARY = (("ANDMAYBE", AndMaybe), ("ANDNOT", AndNot))

    def __init__(self, tokens: list[tuple[str, object]]) -> None:
        self.tokens, self.i = tokens, 0

    def peek(self) -> tuple[str, object] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, object]:
        token = self.peek()
        if token is None:
            raise Unreadable("the query ends too early")
        self.i += 1
        return token

    def at(self, *kinds: str, op: str | None = None) -> bool:
        token = self.peek()
        return token is not None and token[0] in kinds and (op is None or token[1] == op)

    def sequence(self) -> Node:
        """Parts side by side: ANDed (the loosest binding)."""
        parts = []
        while self.peek() is not None and not self.at("close"):
            parts.append(self.binary(0))
        if not parts:
            raise Unreadable("an empty group")
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def binary(self, level: int) -> Node:
        """ANDMAYBE (level 0), then ANDNOT (level 1), each left-associative, over OR."""
        if level == len(self.BINARY):
            return self.infix("OR", Or, lambda: self.infix("AND", And, self.negation))
        name, node_type = self.BINARY[level]
        node = self.binary(level + 1)
        while self.at("op", op=name):
            self.take()
            node = node_type(node, self.binary(level + 1))
        return node

    def infix(self, name: str, node_type: type, operand: Callable[[], Node]) -> Node:
        parts = [operand()]
        while self.at("op", op=name):
            self.take()
            parts.append(operand())
        return parts[0] if len(parts) == 1 else node_type(tuple(parts))

    def negation(self) -> Node:
        if self.at("op", op="NOT"):
            self.take()
            if self.at("op"):
                raise Unreadable("NOT before an operator")
            return Not(self.atom())
        return self.atom()

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "leaf":
            node: Node = value  # type: ignore[assignment]
        elif kind == "open":
            inner = self.sequence()
            if not self.at("close"):
                raise Unreadable("a parenthesis is not closed")
            self.take()
            node = carry(inner, field=value) if value else inner  # type: ignore[arg-type]
        else:
            raise Unreadable(f"{value or kind} where a word was expected")
        if self.at("boost"):
            node = carry(node, boost=float(self.take()[1]))  # type: ignore[arg-type]
        return node


def carry(node: Node, field: str | None = None, boost: float | None = None) -> Node:
    """`node` with a group's field (where a leaf has none) and boost (multiplied) carried down to its leaves."""
    if isinstance(node, LEAVES):
        new_field = node.field or field
        new_boost = node.boost if boost is None else (node.boost or 1.0) * boost
        return replace(node, field=new_field, boost=new_boost)
    return map_children(node, lambda child: carry(child, field, boost))


def map_children(node: Node, visit: Callable[[Node], Node]) -> Node:
    """The same node with `visit` applied to each child (a leaf: itself)."""
    if isinstance(node, (And, Or)):
        return type(node)(tuple(visit(child) for child in node.children))
    if isinstance(node, Not):
        return Not(visit(node.child))
    if isinstance(node, (AndNot, AndMaybe)):
        return type(node)(visit(node.a), visit(node.b))
    return node


# ------------------------------------------------------------------------------------------------------ writing


def to_text(node: Node) -> str:
    """The query text of `node`, with a parenthesis around every group (so it reads back as the same tree)."""
    text = _text(node)
    return text[1:-1] if isinstance(node, (And, Or, AndNot, AndMaybe)) else text


def _text(node: Node) -> str:
    if isinstance(node, LEAVES):
        return _leaf_text(node)
    if isinstance(node, And):
        return "(" + " ".join(_text(child) for child in node.children) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(_text(child) for child in node.children) + ")"
    if isinstance(node, Not):
        return "NOT " + _text(node.child)
    if isinstance(node, AndNot):
        return f"({_text(node.a)} ANDNOT {_text(node.b)})"
    return f"({_text(node.a)} ANDMAYBE {_text(node.b)})"


def _leaf_text(leaf: Leaf) -> str:
    field = f"{leaf.field}:" if leaf.field else ""
    body = leaf.text
    if isinstance(leaf, Phrase):
        body = f'"{leaf.text}"' + (f"~{leaf.slop}" if leaf.slop else "")
    boost = "" if leaf.boost is None else "^" + _number(leaf.boost)
    return field + body + boost


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(round(value, 4))


def leaves(node: Node | None) -> Iterator[Leaf]:
    """Every leaf of the tree, in order."""
    if node is None:
        return
    if isinstance(node, LEAVES):
        yield node
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from leaves(child)
    elif isinstance(node, Not):
        yield from leaves(node.child)
    else:
        yield from leaves(node.a)
        yield from leaves(node.b)
