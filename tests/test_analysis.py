"""The fused analyzers equal the Whoosh filter chains they replace, token for token, on the whole corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.engine.schema import analyse, analyzer_for, english_chain, french_chain

CONTENT = Path(__file__).resolve().parent.parent / "content"
EXTRA = {
    "en": "U.N.H.C.R. self-reliance of 17,041 refugees; the registration, registered, register — an IDP's return to "
          "Côte d'Ivoire.",
    "fr": "L'accès à l'éducation des réfugiés ; l’été, œuvre, Ménaka, qu'il, aujourd'hui — PDI.",
}


def _texts() -> list[tuple[str, str]]:
    found = [(p.read_text(encoding="utf-8"), p.name.split(".")[-2]) for p in sorted(CONTENT.rglob("*.md"))]
    return found + [(text, lang) for lang, text in EXTRA.items()]


def _tokens(analyzer: Any, text: str, **options: Any) -> list[tuple]:
    return [(t.text, getattr(t, "pos", None), getattr(t, "startchar", None), getattr(t, "endchar", None), t.stopped)
            for t in analyzer(text, **options)]


@pytest.mark.parametrize("options", [{}, {"positions": True, "chars": True}, {"mode": "query"},
                                     {"removestops": False, "positions": True}])
def test_fused_analyzers_equal_the_filter_chains(options: dict) -> None:
    for text, lang in _texts():
        chain = french_chain() if lang == "fr" else english_chain()
        assert _tokens(analyzer_for(lang), text, **options) == _tokens(chain, text, **options)


@pytest.mark.parametrize("word", ["refugies", "réfugiés", "réfugié", "Réfugiés", "REFUGIES"])
def test_french_folds_accents_before_stemming(word: str) -> None:
    assert analyse(word, "fr") == analyse("réfugiés", "fr")


@pytest.mark.parametrize("word", ["register", "registered", "registration", "registering"])
def test_english_register_forms_share_a_stem(word: str) -> None:
    assert analyse(word, "en") == analyse("register", "en")


def test_stop_words_are_dropped_per_language() -> None:
    assert analyse("the acte de naissance", "fr") == ["the", "acte", "naissanc"]
    assert analyse("the birth of a child", "en") == ["birth", "child"]


def _slow_matches(lang: str, text: str, terms: set[str]) -> list[tuple[str, int, int]]:
    return [(t.text, t.startchar, t.endchar) for t in analyzer_for(lang)(text, chars=True) if t.text in terms]


def test_matches_finds_the_words_the_token_walk_finds_on_the_corpus() -> None:
    for text, lang in _texts():
        every = set(analyse(text, lang))
        some = set(sorted(every)[::7])
        for terms in (every, some, {"zzz"}):
            assert analyzer_for(lang).matches(text, terms) == _slow_matches(lang, text, terms)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="abcéÉèAB .'-_1\nœİß", max_size=60), lang=st.sampled_from(["en", "fr"]),
       data=st.data())
def test_matches_equals_the_token_walk_on_odd_text(text: str, lang: str, data: st.DataObject) -> None:
    every = sorted(set(analyse(text, lang)))
    terms = set(data.draw(st.lists(st.sampled_from(every), unique=True))) if every else set()
    assert analyzer_for(lang).matches(text, terms) == _slow_matches(lang, text, terms)
