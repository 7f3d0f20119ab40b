"""Spelling suggestions ("did you mean") from the corpus's own words, counted at build time (`kb-words.json`).

A word is corrected to the most frequent known word within two edits of it that starts with the same letter, when
that word is more frequent than the one typed. Candidates are bucketed by first letter and length, and the edit
distances computed by RapidFuzz (C), so a suggestion costs well under a millisecond at 100,000 known words.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

MAX_WORD = 30  # letters: a longer "word" is not a misspelling worth looking up
MAX_EDITS = 2


class Speller:
    """The corpus's words and their counts, bucketed for lookup."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in sorted(counts):
            self.buckets[(word[:1], len(word))].append(word)

    @classmethod
    def load(cls, path: Path) -> Speller:
        """The words of a generation; an unreadable file gives a speller that suggests nothing."""
        try:
            with path.open(encoding="utf-8") as handle:
                return cls(json.load(handle))
        except (OSError, ValueError):
            return cls({})

    def best(self, word: str) -> str | None:
        """The most frequent known word within two edits of `word`, when `word` itself is rarer or unknown."""
        if not 4 <= len(word) <= MAX_WORD or not self.counts:
            return None
        own = self.counts.get(word, 0)
        candidates = [known for size in range(len(word) - MAX_EDITS, len(word) + MAX_EDITS + 1)
                      for known in self.buckets.get((word[:1], size), ())]
        found = process.extract(word, candidates, scorer=Levenshtein.distance, score_cutoff=MAX_EDITS, limit=None)
        options = [known for known, _, _ in found if known != word and self.counts[known] > own]
        return max(options, key=lambda known: (self.counts[known], known), default=None)
