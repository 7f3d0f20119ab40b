"""`content/glossary.yaml`, the bilingual glossary: read and checked for `kb check` and `kb index`.

The file is a list of entries, one per concept: `en:` and `fr:` (lists of terms, the first the preferred one) and
an optional `themes:` (slugs of themes.yaml). Each problem is `content/glossary.yaml:LINE: what is wrong`: a side
missing or empty, a term that is not text, has characters of the query syntax, or has no word left after analysis
(only stop words), the same term (after analysis: "IDPs" is "IDP") twice in a language, in one entry or two, a theme
that themes.yaml does not have, an unknown key. No file: no glossary, no problem. The entries go into the index
generation (kb.engine.glossary.write_glossary), where searches find them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from indexer.content import Problem, display_path, load_yaml_nodes, read_content_file
from kb.engine.glossary import LANGS, Entry, key

GLOSSARY_FILE = "glossary.yaml"
KEYS = frozenset({"en", "fr", "themes"})
SYNTAX_CHARACTERS = frozenset('"()[]{}^:*?~')  # a term with one of these could not be searched as written
MAX_TERM_CHARS = 120


def load_glossary(content: Path, themes: frozenset[str] | None = None) -> tuple[list[Entry], list[Problem]]:
    """The entries of content/glossary.yaml and its problems; ([], []) when there is no such file.

    `themes`: the known theme slugs (None: themes are not checked, as when themes.yaml is unusable).
    """
    path = content / GLOSSARY_FILE
    if not path.exists():
        return [], []
    shown = display_path(path)
    text, _digest, problems = read_content_file(path, shown)
    data, node, found = load_yaml_nodes(shown, text or "", "invalid YAML")
    problems += found
    if node is None:
        return [], problems
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        return [], [*problems, Problem(shown, node.start_mark.line + 1, "expected a list of entries "
                                                                           "(- en: [...]\\n  fr: [...])")]
    reader = _Reader(shown, themes)
    entries = [entry for item, item_node in zip(data, node.value, strict=True)
               if (entry := reader.entry(item, item_node)) is not None]
    return entries, problems + reader.problems


class _Reader:
    def __init__(self, shown: str, themes: frozenset[str] | None) -> None:
        self.shown, self.themes = shown, themes
        self.problems: list[Problem] = []
        self.seen: dict[str, dict[tuple[str, ...], tuple[str, int]]] = {lang: {} for lang in LANGS}

    def bad(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Problem(self.shown, node.start_mark.line + 1, message))

    def entry(self, item: Any, node: yaml.Node) -> Entry | None:
        if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
            self.bad(node, "an entry is a mapping with en: and fr: (lists of terms) and optional themes:")
            return None
        nodes = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        for name in item:
            if name not in KEYS:
                self.bad(node, f"unknown key {name!r}: an entry has en:, fr: and optional themes:")
        sides = {lang: self.terms(item, nodes, node, lang) for lang in LANGS}
        themes = self.theme_list(item.get("themes"), nodes.get("themes", node))
        if not all(sides.values()):
            return None
        return Entry(tuple(sides["en"]), tuple(sides["fr"]), tuple(themes))

    def terms(self, item: dict[str, Any], nodes: dict[str, yaml.Node], node: yaml.Node, lang: str) -> list[str]:
        """The terms of one side, each checked; [] (with a problem) when the side is missing or empty."""
        value, at = item.get(lang), nodes.get(lang, node)
        if value is None or value == [] or value == "":
            self.bad(at, f"{lang}: missing: each entry needs terms in both languages (en: and fr:)")
            return []
        values, term_nodes = ([value], [at]) if isinstance(value, str) else (value, getattr(at, "value", []))
        if not isinstance(values, list):
            self.bad(at, f"{lang}: expected a list of terms")
            return []
        out = []
        for term, term_node in zip(values, term_nodes, strict=False):
            if self.term_ok(term, term_node, lang):
                out.append(term.strip())
        return out

    def term_ok(self, term: Any, node: yaml.Node, lang: str) -> bool:
        if not isinstance(term, str) or not term.strip():
            self.bad(node, f"{lang}: a term is a non-empty string, got {term!r}")
            return False
        if len(term) > MAX_TERM_CHARS or "\n" in term:
            self.bad(node, f"{lang}: {term[:40]!r}...: a term is one line of at most {MAX_TERM_CHARS} characters")
            return False
        bad = sorted(set(term) & SYNTAX_CHARACTERS)
        if bad:
            self.bad(node, f"{lang}: {term!r}: a term cannot contain {' '.join(bad)} (query syntax)")
            return False
        tokens = key(term, lang)
        if not tokens:
            self.bad(node, f"{lang}: {term!r}: no word survives analysis (only stop words or punctuation)")
            return False
        before = self.seen[lang].get(tokens)
        if before is not None:
            same = f"{before[0]!r} (line {before[1]})" if before[0] != term else f"line {before[1]}"
            self.bad(node, f"{lang}: {term!r}: duplicate term: the same as {same} after analysis "
                           f"({' '.join(tokens)}); keep it in one entry, once")
            return False
        self.seen[lang][tokens] = (term, node.start_mark.line + 1)
        return True

    def theme_list(self, value: Any, node: yaml.Node) -> list[str]:
        if value is None:
            return []
        values, nodes = ([value], [node]) if isinstance(value, str) else (value, getattr(node, "value", []))
        if not isinstance(values, list):
            self.bad(node, "themes: expected a list of theme slugs")
            return []
        out = []
        for slug, slug_node in zip(values, nodes, strict=False):
            if not isinstance(slug, str):
                self.bad(slug_node, f"themes: {slug!r} is not a theme slug")
            elif self.themes is not None and slug not in self.themes:
                self.bad(slug_node, f"themes: unknown theme {slug!r}; themes.yaml has {', '.join(sorted(self.themes))}")
            else:
                out.append(slug)
        return out


def run_explain(query: str, content: Path) -> int:
    """`kb glossary --explain QUERY`: the query's analysed words, the glossary entries they match and the expanded
    query each language searches. Exit 1 when glossary.yaml has problems (printed), 2 when the query cannot be read."""
    import click

    from kb.engine.expansion import expand
    from kb.engine.glossary import Glossary
    from kb.engine.query_syntax import SEARCHABLE_FIELDS, Unreadable, leaves, parse, to_text

    entries, problems = load_glossary(content)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        return 1
    if not entries:
        click.echo(f"no glossary: {display_path(content / GLOSSARY_FILE)} does not exist; queries are not expanded")
    try:
        tree = parse(query, SEARCHABLE_FIELDS)
    except Unreadable as err:
        click.echo(f"kb glossary: the query is searched as typed, without expansion ({err})", err=True)
        return 2
    words = [leaf.text for leaf in leaves(tree)]
    for lang in LANGS:
        click.echo(f"analysed ({lang}): " + " | ".join(f"{w} -> {' '.join(key(w, lang)) or '(stop word)'}"
                                                      for w in words))
    glossary = Glossary.compile(entries)
    for lang in LANGS:
        expanded, matches = expand(tree, glossary, lang)
        for match in matches:
            click.echo(f"matched ({match.lang}): {match.typed!r} -> {match.into}: "
                       f"{', '.join(match.equivalents) or '(nothing new)'}")
        click.echo(f"searched ({lang}): {to_text(expanded) if expanded is not None else ''}")
    return 0
