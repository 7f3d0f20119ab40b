"""Did-you-mean suggestions: the most frequent known word within two edits, never a rarer one."""

from __future__ import annotations

from pathlib import Path

from kb.engine.spelling import Speller

COUNTS = {"statelessness": 40, "stateless": 90, "shelter": 300, "shelters": 20, "education": 500, "eduction": 1}


def test_a_misspelling_gets_the_closest_frequent_word() -> None:
    speller = Speller(COUNTS)
    assert speller.best("statelesness") == "statelessness"
    assert speller.best("educaton") == "education"
    assert speller.best("eduction") == "education"  # known, but much rarer than a word one edit away


def test_no_suggestion_for_a_frequent_word_a_far_word_or_a_short_one() -> None:
    speller = Speller(COUNTS)
    assert speller.best("shelter") is None  # "shelters" is one edit away but rarer
    assert speller.best("shelters") == "shelter"
    assert speller.best("xylophone") is None
    assert speller.best("edu") is None
    assert speller.best("tducation") is None  # the first letter is kept: fewer, better guesses


def test_an_unreadable_word_list_suggests_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "kb-words.json"
    broken.write_text("{not json", encoding="utf-8")
    assert Speller.load(broken).best("statelesness") is None
    assert Speller.load(tmp_path / "missing.json").best("statelesness") is None
