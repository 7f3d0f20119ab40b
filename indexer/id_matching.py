"""Keeping paragraph identifiers across a re-import: each paragraph of the new text takes the identifier of the old
paragraph it continues, found by text similarity, so that a link made before still lands on it.

First the paragraphs that did not change, in order: the longest common subsequence of the old and new texts (so
that paragraphs with the same text keep their order whatever was inserted or removed around them). Then the others
by similarity, measured on words (lower-cased, punctuation aside): twice the length of the longest common
subsequence of words over the total number of words (`rapidfuzz`'s Indel similarity on word lists). These pairs are
taken best first, each old and each new paragraph used once; a tie goes to the pair whose positions are closest. A
pair less similar than `THRESHOLD` is no match: the new paragraph is new (a fresh identifier), the old one was
removed (its identifier is retired). Reordering costs nothing: positions only break ties.

`keep_ids` applies this to a document `kb import` is about to replace: the old file's paragraphs and retired
identifiers are read from disk, and fresh identifiers avoid every one the section has used in either language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import yaml
from rapidfuzz.distance import Indel

from indexer.content import split_front_matter, split_paragraphs
from indexer.paragraph_ids import fresh_id, seed_of
from kb.model import is_paragraph_id

THRESHOLD = 0.5  # half the words in common, in order: below this a rewording is a different paragraph
_WORD_RE = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower())


def similarity(a: str, b: str) -> float:
    """1.0 for the same words in the same order, 0.0 for no word in common."""
    if a == b:
        return 1.0
    return Indel.normalized_similarity(words(a), words(b))


def match_ids(old: Sequence[tuple[str | None, str]], new: Sequence[str], threshold: float = THRESHOLD,
              ) -> list[str | None]:
    """For each new text, the identifier of the old paragraph (identifier, text) it continues, or None."""
    kept: list[str | None] = [None] * len(new)
    taken_old: set[int] = set()
    unchanged = SequenceMatcher(None, [text for _, text in old], list(new), autojunk=False)
    for block in unchanged.get_matching_blocks():
        for i, j in zip(range(block.a, block.a + block.size), range(block.b, block.b + block.size), strict=True):
            if old[i][0] is not None:
                kept[j] = old[i][0]
                taken_old.add(i)
    new_words = [words(text) for text in new]
    candidates = []
    for i, (identifier, old_text) in enumerate(old):
        if identifier is None or i in taken_old:
            continue
        mine = words(old_text)
        for j, new_text in enumerate(new):
            score = 1.0 if old_text == new_text else Indel.normalized_similarity(mine, new_words[j])
            if kept[j] is None and score >= threshold:
                candidates.append((-score, abs(i - j), i, j))
    candidates.sort()
    for _score, _distance, i, j in candidates:
        if i not in taken_old and kept[j] is None:
            kept[j] = old[i][0]
            taken_old.add(i)
    return kept


@dataclass
class Kept:
    """The identifiers a re-imported document's paragraphs get, and the ones it retires (old, unmatched)."""

    ids: list[str]
    retired: list[str] = field(default_factory=list)


def _known(path: Path) -> tuple[list[tuple[str | None, str]], list[str]]:
    """An existing document's paragraphs (identifier, text) and retired identifiers; nothing when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return [], []
    raw, body, _line = split_front_matter(text)
    try:
        meta = yaml.safe_load(raw or "") or {}
    except yaml.YAMLError:
        meta = {}
    retired = meta.get("retired_ids") if isinstance(meta, dict) else None
    paragraphs = [(p.id if p.id and is_paragraph_id(p.id) else None, p.text) for p in split_paragraphs(body)]
    return paragraphs, [i for i in retired or [] if isinstance(i, str) and is_paragraph_id(i)]


def keep_ids(path: Path, key: str, new: Sequence[str], twin: Path, twin_ids: Sequence[str] | None = None) -> Kept:
    """Identifiers for the paragraphs `new` about to replace the document at `path` (maybe absent).

    Each new paragraph keeps the identifier of the old one it continues (`match_ids`); the others get the identifier
    at the same position in `twin_ids` (the same section in the other language, imported from the same page) when
    that has as many paragraphs, else a fresh one (derived from `key`, the translation key, and its text). Fresh
    identifiers are none that the document or its translation
    on disk (`twin`) holds or retired, so an identifier is never given twice in a section."""
    old, retired = _known(path)
    twin_old, twin_retired = _known(twin)
    kept = match_ids(old, new)
    taken = {i for i, _ in old if i} | set(retired) | {i for i, _ in twin_old if i} | set(twin_retired)
    for k, identifier in enumerate(kept):
        if identifier is None and twin_ids is not None and len(twin_ids) == len(new) and twin_ids[k] not in kept:
            kept[k] = twin_ids[k]
    for k, identifier in enumerate(kept):
        if identifier is None:
            kept[k] = fresh_id(seed_of(key, new[k]), taken | {i for i in kept if i})
    dropped = [i for i, _ in old if i and i not in kept]
    return Kept([i for i in kept if i], retired + [i for i in dropped if i not in retired])
