"""Donors' names in the language of the page that lists them.

figures.yaml keeps each donor as the English page writes it ("private donors", "Germany", "United States of
America"). A French page shows the French name: countries by their ISO code through Babel's territory names (in the
form UN documents use where that differs), other donors from a short table. A name neither knows stays in English
and says so (`lang`), so that it is read, and marked up, as English.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale

# Donors whose French name is not Babel's short country name: UN names of states, funds, private sources.
FRENCH: dict[str, str] = {
    "private donors": "donateurs privés",
    "European Union": "Union européenne",
    "Central Emergency Response Fund": "Fonds central pour les interventions d'urgence",
    "United States of America": "États-Unis d'Amérique",
    "Republic of Korea": "République de Corée",
    "Russian Federation": "Fédération de Russie",
    "Holy See": "Saint-Siège",
    "Czech Republic": "Tchéquie",
}


@dataclass(frozen=True)
class Donor:
    name: str
    lang: str  # the language the name is written in


@cache
def _territory_codes() -> dict[str, str]:
    """English country name -> ISO 3166 code, from Babel's English territory names."""
    return {name: code for code, name in Locale("en").territories.items() if code.isalpha()}


def donor_name(name: str, lang: str) -> Donor:
    """`name` (as figures.yaml writes it, in English) for a page in `lang`."""
    if lang != "fr":
        return Donor(name, "en")
    if name in FRENCH:
        return Donor(FRENCH[name], "fr")
    code = _territory_codes().get(name)
    if code is not None:
        return Donor(Locale("fr").territories[code], "fr")
    return Donor(name, "en")
