"""The fused analyzers equal the Whoosh filter chains they replace, token for token, on the whole corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.schema import analyse, analyzer_for, english_chain, french_chain

CONTENT = Path(__file__).resolve().parent.parent / "content"
EXTRA = {
    "en": "U.N.H.C.R. self-reliance of 17,041 refugees; the registration, registered, register — an IDP's return to "
          "Côte d'Ivoire.",
    "fr": "L'accès à l'éducation des réfugiés ; l’été, œuvre, Ménaka, qu'il, aujourd'hui — PDI.",
}


def _texts() -> list[tuple[str, str]]:
    found = [(p.read_text(encoding="utf-8"), p.name.split(".")[-2]) for p in sorted(CONTENT.rglob("*.md"))]
    return found + [(text, lang) for lang, text in EXTRA.items()]


def _tokens(analyzer, text: str, **options) -> list[tuple]:  # noqa: ANN001
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
