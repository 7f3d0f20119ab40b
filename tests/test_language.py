"""indexer.language.detect: English or French, never anything else, None when the text is too short; deterministic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.language import detect

ENGLISH = (
    "Security and protection incidents increased throughout 2020, particularly in the south of the country, with "
    "double the incidents recorded compared to 2019."
)
FRENCH = (
    "Les incidents de sécurité et de protection ont augmenté tout au long de l'année 2020, en particulier dans le sud "
    "du pays, avec deux fois plus d'incidents enregistrés qu'en 2019."
)
ENGLISH_BULLET = "UNHCR was unable to register 17,041 refugees due to financial constraints."
FRENCH_BULLET = "Le HCR n'a pas pu enregistrer 17 041 réfugiés en raison de contraintes financières."
SPANISH = (
    "Los incidentes de seguridad y protección aumentaron a lo largo de 2020, en particular en el sur del país, con el "
    "doble de incidentes registrados en comparación con 2019."
)
GERMAN = (
    "Sicherheits- und Schutzvorfälle nahmen im Laufe des Jahres 2020 zu, insbesondere im Süden des Landes, wo doppelt "
    "so viele Vorfälle wie 2019 verzeichnet wurden."
)


@pytest.mark.parametrize("text", [ENGLISH, ENGLISH_BULLET])
def test_english_is_en(text: str) -> None:
    assert detect(text) == "en"


@pytest.mark.parametrize("text", [FRENCH, FRENCH_BULLET])
def test_french_is_fr(text: str) -> None:
    assert detect(text) == "fr"


@pytest.mark.parametrize("text", [
    "", "Mali", "Key Figures", "Besoins non satisfaits", "4,265 people of concern", "2020 408,016",
    "UNHCR, UNICEF, WFP, OCHA, MINUSMA", "https://www.unhcr.org/fr/mali 2021-10-15 17 041",
    "Unmet needs remained high in 2020.",  # 6 words, fewer than 40 letters
])
def test_short_text_abstains(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize("text", [SPANISH, GERMAN])
def test_other_languages_are_never_reported_as_themselves(text: str) -> None:
    assert detect(text) in ("en", "fr", None)


def test_deterministic_and_independent_of_call_order() -> None:
    texts = [ENGLISH, FRENCH, SPANISH, GERMAN, ENGLISH_BULLET, FRENCH_BULLET]
    first = [detect(text) for text in texts]
    assert [detect(text) for text in texts] == first
    assert [detect(text) for text in reversed(texts)] == list(reversed(first))
    assert [detect(FRENCH) for _ in range(5)] == ["fr"] * 5


def test_same_answers_in_a_fresh_process_in_another_order() -> None:
    texts = [ENGLISH, FRENCH, SPANISH, GERMAN, ENGLISH_BULLET, FRENCH_BULLET]
    script = (
        "import json, sys\nfrom indexer.language import detect\n"
        "texts = json.load(sys.stdin)\nprint(json.dumps([detect(t) for t in reversed(texts)]))"
    )
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(texts), capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parent.parent)
    assert list(reversed(json.loads(done.stdout))) == [detect(text) for text in texts]
