"""A synthetic Global Focus corpus at full scale, for benchmarks: valid `content/` that `kb check` accepts.

    python bench/corpus.py OUT_DIR [--operations 150] [--years 8] [--seed 42] [--scale 1|10] [--one-language]
                                   [--langcheck N]

Writes `OUT_DIR/operations.yaml`, a copy of `content/themes.yaml` (when the repository has one) and, for every
operation and year, the seven sections of docs/content-format.md in English (as the importer writes them, with an
`import_checksum`) and their French twins (`translated_from: en`, the same paragraphs of the same kinds), plus a
`figures.yaml`. 150 operations x 8 years (2014-2021) x 7 sections x 2 languages = 16,800 section files; `--scale 10`
multiplies the operations (1,500: the real countries, then "<country>-<n>" multi-country offices). `--one-language`
keeps each section in English or in French only (half each, drawn per section), the French ones as originals.

Text is built from bilingual sentence templates of the domain (displacement, registration, birth certificates,
shelter, cash assistance, education, gender-based violence, COVID-19, resettlement, statelessness, return ...) whose
slots (numbers, places, countries of origin, partners, years) are filled identically in both languages, so each
French paragraph is a real French rendering of its English twin. Every file gets its own random generator, seeded
from (seed, operation, year, file), so the same arguments give byte-identical output, whatever the order of writing.
Files are streamed to disk one operation-year at a time; the corpus is never held in memory.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kb.model import FRONT_MATTER_ORDER, PILLARS, POPULATION_TYPES, SECTIONS

REPO = Path(__file__).resolve().parent.parent
THEMES_SOURCE = REPO / "content" / "themes.yaml"
LAST_YEAR = 2021
CORPUS_SECTIONS: tuple[str, ...] = (
    "operational-context",
    "population-trends",
    "key-achievements",
    "unmet-needs",
    "flexible-funding",
    "working-environment",
    "key-priorities",
)
# Probability that a section has a bullet list: about a third of all sections overall.
LIST_SHARE: dict[str, float] = {
    "key-achievements": 0.75,
    "unmet-needs": 0.6,
    "key-priorities": 0.45,
    "flexible-funding": 0.15,
}
DEFAULT_LIST_SHARE = 0.1
FRENCH_ALONE_SHARE = 0.5  # with --one-language: the share of sections kept in French only (the others in English)
PARAGRAPH_COUNTS = (2, 3, 4, 5, 6, 7, 8, 9, 10)
PARAGRAPH_WEIGHTS = (8, 14, 16, 16, 14, 10, 8, 7, 7)
MIN_WORDS, MAX_WORDS, ITEM_MAX_WORDS = 25, 120, 60
YAML_ARGS: dict[str, Any] = {"sort_keys": False, "allow_unicode": True, "width": 1000}
# libyaml's dumper writes the same bytes as yaml.safe_dump here (tests/test_bench_corpus.py checks it), 4x faster.
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# ----------------------------------------------------------------------------------------------- countries

# slug | ISO alpha-3 | English as in running text | French with its article [| French "in" form, when irregular]
# Ordered by how likely UNHCR is to run an operation there: the first `--operations` are taken.
COUNTRY_TABLE = """
afghanistan|AFG|Afghanistan|l'Afghanistan
algeria|DZA|Algeria|l'Algérie
angola|AGO|Angola|l'Angola
argentina|ARG|Argentina|l'Argentine
armenia|ARM|Armenia|l'Arménie
azerbaijan|AZE|Azerbaijan|l'Azerbaïdjan
bangladesh|BGD|Bangladesh|le Bangladesh
belarus|BLR|Belarus|le Bélarus
belgium|BEL|Belgium|la Belgique
benin|BEN|Benin|le Bénin
bolivia|BOL|Bolivia|la Bolivie
bosnia-and-herzegovina|BIH|Bosnia and Herzegovina|la Bosnie-Herzégovine
botswana|BWA|Botswana|le Botswana
brazil|BRA|Brazil|le Brésil
bulgaria|BGR|Bulgaria|la Bulgarie
burkina-faso|BFA|Burkina Faso|le Burkina Faso
burundi|BDI|Burundi|le Burundi
cambodia|KHM|Cambodia|le Cambodge
cameroon|CMR|Cameroon|le Cameroun
canada|CAN|Canada|le Canada
central-african-republic|CAF|the Central African Republic|la République centrafricaine
chad|TCD|Chad|le Tchad
chile|CHL|Chile|le Chili
china|CHN|China|la Chine
colombia|COL|Colombia|la Colombie
congo|COG|the Republic of the Congo|la République du Congo
costa-rica|CRI|Costa Rica|le Costa Rica
cote-divoire|CIV|Côte d'Ivoire|la Côte d'Ivoire
croatia|HRV|Croatia|la Croatie
cyprus|CYP|Cyprus|Chypre
democratic-republic-of-the-congo|COD|the Democratic Republic of the Congo|la République démocratique du Congo
djibouti|DJI|Djibouti|Djibouti
dominican-republic|DOM|the Dominican Republic|la République dominicaine
ecuador|ECU|Ecuador|l'Équateur
egypt|EGY|Egypt|l'Égypte
el-salvador|SLV|El Salvador|le Salvador
eritrea|ERI|Eritrea|l'Érythrée
ethiopia|ETH|Ethiopia|l'Éthiopie
france|FRA|France|la France
gabon|GAB|Gabon|le Gabon
gambia|GMB|the Gambia|la Gambie
georgia|GEO|Georgia|la Géorgie
germany|DEU|Germany|l'Allemagne
ghana|GHA|Ghana|le Ghana
greece|GRC|Greece|la Grèce
guatemala|GTM|Guatemala|le Guatemala
guinea|GIN|Guinea|la Guinée
guinea-bissau|GNB|Guinea-Bissau|la Guinée-Bissau
haiti|HTI|Haiti|Haïti|en Haïti
honduras|HND|Honduras|le Honduras
hungary|HUN|Hungary|la Hongrie
india|IND|India|l'Inde
indonesia|IDN|Indonesia|l'Indonésie
iran|IRN|the Islamic Republic of Iran|la République islamique d'Iran
iraq|IRQ|Iraq|l'Iraq
israel|ISR|Israel|Israël|en Israël
italy|ITA|Italy|l'Italie
japan|JPN|Japan|le Japon
jordan|JOR|Jordan|la Jordanie
kazakhstan|KAZ|Kazakhstan|le Kazakhstan
kenya|KEN|Kenya|le Kenya
kyrgyzstan|KGZ|Kyrgyzstan|le Kirghizistan
lebanon|LBN|Lebanon|le Liban
liberia|LBR|Liberia|le Libéria
libya|LBY|Libya|la Libye
malawi|MWI|Malawi|le Malawi
malaysia|MYS|Malaysia|la Malaisie
mali|MLI|Mali|le Mali
malta|MLT|Malta|Malte
mauritania|MRT|Mauritania|la Mauritanie
mexico|MEX|Mexico|le Mexique
moldova|MDA|the Republic of Moldova|la République de Moldova
morocco|MAR|Morocco|le Maroc
mozambique|MOZ|Mozambique|le Mozambique
myanmar|MMR|Myanmar|le Myanmar
namibia|NAM|Namibia|la Namibie
nauru|NRU|Nauru|Nauru
nepal|NPL|Nepal|le Népal
nicaragua|NIC|Nicaragua|le Nicaragua
niger|NER|Niger|le Niger
nigeria|NGA|Nigeria|le Nigéria
north-macedonia|MKD|North Macedonia|la Macédoine du Nord
pakistan|PAK|Pakistan|le Pakistan
panama|PAN|Panama|le Panama
papua-new-guinea|PNG|Papua New Guinea|la Papouasie-Nouvelle-Guinée
paraguay|PRY|Paraguay|le Paraguay
peru|PER|Peru|le Pérou
philippines|PHL|the Philippines|les Philippines
poland|POL|Poland|la Pologne
romania|ROU|Romania|la Roumanie
russian-federation|RUS|the Russian Federation|la Fédération de Russie
rwanda|RWA|Rwanda|le Rwanda
saudi-arabia|SAU|Saudi Arabia|l'Arabie saoudite
senegal|SEN|Senegal|le Sénégal
serbia|SRB|Serbia|la Serbie
sierra-leone|SLE|Sierra Leone|la Sierra Leone
somalia|SOM|Somalia|la Somalie
south-africa|ZAF|South Africa|l'Afrique du Sud
south-sudan|SSD|South Sudan|le Soudan du Sud
spain|ESP|Spain|l'Espagne
sri-lanka|LKA|Sri Lanka|Sri Lanka
sudan|SDN|Sudan|le Soudan
sweden|SWE|Sweden|la Suède
switzerland|CHE|Switzerland|la Suisse
syrian-arab-republic|SYR|the Syrian Arab Republic|la République arabe syrienne
tajikistan|TJK|Tajikistan|le Tadjikistan
thailand|THA|Thailand|la Thaïlande
togo|TGO|Togo|le Togo
trinidad-and-tobago|TTO|Trinidad and Tobago|la Trinité-et-Tobago
tunisia|TUN|Tunisia|la Tunisie
turkey|TUR|Turkey|la Turquie
turkmenistan|TKM|Turkmenistan|le Turkménistan
uganda|UGA|Uganda|l'Ouganda
ukraine|UKR|Ukraine|l'Ukraine
united-kingdom|GBR|the United Kingdom|le Royaume-Uni
united-republic-of-tanzania|TZA|the United Republic of Tanzania|la République-Unie de Tanzanie
united-states-of-america|USA|the United States of America|les États-Unis d'Amérique
uruguay|URY|Uruguay|l'Uruguay
uzbekistan|UZB|Uzbekistan|l'Ouzbékistan
venezuela|VEN|the Bolivarian Republic of Venezuela|la République bolivarienne du Venezuela
viet-nam|VNM|Viet Nam|le Viet Nam
yemen|YEM|Yemen|le Yémen
zambia|ZMB|Zambia|la Zambie
zimbabwe|ZWE|Zimbabwe|le Zimbabwe
albania|ALB|Albania|l'Albanie
australia|AUS|Australia|l'Australie
austria|AUT|Austria|l'Autriche
cuba|CUB|Cuba|Cuba
denmark|DNK|Denmark|le Danemark
eswatini|SWZ|Eswatini|l'Eswatini
guyana|GUY|Guyana|le Guyana
ireland|IRL|Ireland|l'Irlande
jamaica|JAM|Jamaica|la Jamaïque
kuwait|KWT|Kuwait|le Koweït
lesotho|LSO|Lesotho|le Lesotho
lithuania|LTU|Lithuania|la Lituanie
madagascar|MDG|Madagascar|Madagascar
mongolia|MNG|Mongolia|la Mongolie
montenegro|MNE|Montenegro|le Monténégro
netherlands|NLD|the Netherlands|les Pays-Bas
norway|NOR|Norway|la Norvège
portugal|PRT|Portugal|le Portugal
qatar|QAT|Qatar|le Qatar
republic-of-korea|KOR|the Republic of Korea|la République de Corée
united-arab-emirates|ARE|the United Arab Emirates|les Émirats arabes unis
belize|BLZ|Belize|le Belize
finland|FIN|Finland|la Finlande
estonia|EST|Estonia|l'Estonie
latvia|LVA|Latvia|la Lettonie
slovakia|SVK|Slovakia|la Slovaquie
slovenia|SVN|Slovenia|la Slovénie
iceland|ISL|Iceland|l'Islande
luxembourg|LUX|Luxembourg|le Luxembourg
new-zealand|NZL|New Zealand|la Nouvelle-Zélande
singapore|SGP|Singapore|Singapour
bahamas|BHS|the Bahamas|les Bahamas
"""
# Real multi-country offices: the operation's slug -> the other countries it covers.
MULTI_COUNTRY: dict[str, tuple[str, ...]] = {
    "senegal": ("GMB", "GNB", "CPV"),
    "belgium": ("LUX", "NLD", "IRL"),
    "panama": ("CRI", "NIC"),
    "south-africa": ("LSO", "SWZ", "NAM"),
    "kazakhstan": ("KGZ", "TJK", "TKM"),
    "thailand": ("KHM", "VNM"),
}
FR_VOWELS = tuple("AEIOUYÉÈÊÎÔH")  # for names without an article: "d'Haïti", "d'Israël"


@dataclass(frozen=True)
class Country:
    """A country and the forms running text needs in each language ("in Mali" / "au Mali" ...)."""

    slug: str
    iso3: str
    en_text: str  # with its article where English needs one: "the Philippines"
    fr_article: str  # with its article: "les Philippines"
    fr_in_override: str = ""

    @property
    def en_name(self) -> str:
        return self.en_text.removeprefix("the ")

    @property
    def fr_bare(self) -> str:
        for article in ("le ", "la ", "les ", "l'"):
            if self.fr_article.startswith(article):
                return self.fr_article[len(article) :]
        return self.fr_article

    @property
    def fr_name(self) -> str:
        return self.fr_bare[0].upper() + self.fr_bare[1:]

    def fr_in(self) -> str:
        """"au Mali", "en Syrie", "aux Philippines", "à Djibouti"."""
        if self.fr_in_override:
            return self.fr_in_override
        art, bare = self.fr_article, self.fr_bare
        if art.startswith("le "):
            return f"au {bare}"
        if art.startswith(("la ", "l'")):
            return f"en {bare}"
        if art.startswith("les "):
            return f"aux {bare}"
        return f"à {bare}"

    def fr_of(self) -> str:
        """"du Mali", "de la Syrie", "de l'Iraq", "des Philippines", "de Djibouti"."""
        art, bare = self.fr_article, self.fr_bare
        if art.startswith("le "):
            return f"du {bare}"
        if art.startswith("les "):
            return f"des {bare}"
        if art.startswith(("la ", "l'")):
            return f"de {art}"
        return _fr_de(bare)

    def fr_from(self) -> str:
        """"originaires du Mali", "originaires de Somalie", "originaires d'Afghanistan"."""
        art, bare = self.fr_article, self.fr_bare
        if art.startswith("l'"):
            return f"originaires d'{bare}"
        if art.startswith("la ") and " " not in bare:  # "la Hongrie": h aspiré, never elided
            return f"originaires de {bare}"
        return f"originaires {self.fr_of()}"

    def forms(self, aspect: str) -> tuple[str, str]:
        """The (English, French) text of one aspect: name, in, to, from, of."""
        if aspect == "in":
            return f"in {self.en_text}", self.fr_in()
        if aspect == "to":
            return f"to {self.en_text}", self.fr_in()
        if aspect == "from":
            return f"from {self.en_text}", self.fr_from()
        if aspect == "of":
            return f"of {self.en_text}", self.fr_of()
        return self.en_text, self.fr_article


def _fr_de(word: str) -> str:
    return f"d'{word}" if word.startswith(FR_VOWELS) else f"de {word}"


def load_countries() -> tuple[Country, ...]:
    rows = [line.split("|") for line in COUNTRY_TABLE.strip().splitlines()]
    return tuple(Country(*row) for row in rows)


COUNTRIES = load_countries()
# Countries refugees in the reports come from.
ORIGIN_SLUGS = (
    "afghanistan", "syrian-arab-republic", "south-sudan", "myanmar", "democratic-republic-of-the-congo", "sudan",
    "somalia", "central-african-republic", "eritrea", "burundi", "iraq", "venezuela", "nigeria", "mali", "ethiopia",
    "yemen", "colombia", "ukraine", "cameroon", "burkina-faso", "pakistan", "rwanda", "el-salvador", "honduras",
    "guatemala", "nicaragua", "haiti", "iran", "libya", "chad", "niger", "cote-divoire", "guinea", "sri-lanka",
    "russian-federation", "azerbaijan", "armenia", "georgia", "tajikistan", "mozambique",
)  # fmt: skip
ORIGINS: tuple[Country, ...] = tuple(c for c in COUNTRIES if c.slug in ORIGIN_SLUGS)


@dataclass(frozen=True)
class Operation:
    """One operation of the synthetic corpus: slug, names, countries, places and main countries of origin."""

    slug: str
    name_en: str
    name_fr: str
    countries: tuple[str, ...]
    country: Country
    places: tuple[str, ...]
    origins: tuple[Country, ...]


def make_operations(count: int, seed: int) -> list[Operation]:
    """The first `count` operations: every real country first, then numbered multi-country offices."""
    operations = []
    for i in range(count):
        base = COUNTRIES[i % len(COUNTRIES)]
        rng = random.Random(f"{seed}/operation/{i}")
        if i < len(COUNTRIES):
            slug, name_en, name_fr = base.slug, base.en_name, base.fr_name
            countries = (base.iso3, *MULTI_COUNTRY.get(base.slug, ()))
        else:
            n = 2 + (i - len(COUNTRIES)) // len(COUNTRIES)
            slug = f"{base.slug}-{n}"
            name_en = f"{base.en_name} multi-country office {n}"
            name_fr = f"Bureau multipays {n} {base.fr_of()}"
            others = [c.iso3 for c in rng.sample(COUNTRIES, 3) if c.iso3 != base.iso3]
            countries = (base.iso3, *others[: rng.randint(1, 2)])
        places = tuple(dict.fromkeys(place_name(rng) for _ in range(8)))
        origins = tuple(rng.sample([c for c in ORIGINS if c.slug != base.slug], 3))
        operations.append(Operation(slug, name_en, name_fr, countries, base, places, origins))
    return operations


ONSETS = ("b", "d", "g", "k", "m", "n", "s", "t", "z", "l", "r", "w", "y", "f", "j", "p", "ng", "mb", "nd", "sh")
VOWELS = ("a", "a", "e", "i", "o", "u", "ou", "ai")
CODAS = ("", "", "", "", "n", "m", "r", "l")


def place_name(rng: random.Random) -> str:
    """A plausible town or region name, starting with a consonant: Kalomba, Tinduri, Ngoura."""
    syllables = [rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.choice((2, 2, 3, 3, 4)))]
    name = "".join(syllables) + rng.choice(CODAS)
    return name[0].upper() + name[1:]


# ----------------------------------------------------------------------------------------------- vocabulary

MONTHS = (
    ("January", "janvier"), ("February", "février"), ("March", "mars"), ("April", "avril"), ("May", "mai"),
    ("June", "juin"), ("July", "juillet"), ("August", "août"), ("September", "septembre"), ("October", "octobre"),
    ("November", "novembre"), ("December", "décembre"),
)  # fmt: skip
PARTNERS = (
    ("the Government", "le Gouvernement"),
    ("national authorities", "les autorités nationales"),
    ("local authorities", "les autorités locales"),
    ("UNICEF", "l'UNICEF"),
    ("WFP", "le PAM"),
    ("IOM", "l'OIM"),
    ("WHO", "l'OMS"),
    ("UNDP", "le PNUD"),
    ("the World Bank", "la Banque mondiale"),
    ("the Ministry of Health", "le ministère de la Santé"),
    ("the Ministry of Education", "le ministère de l'Éducation"),
    ("the national refugee commission", "la commission nationale pour les réfugiés"),
    ("civil society organizations", "les organisations de la société civile"),
    ("national NGOs", "les ONG nationales"),
    ("international NGOs", "les ONG internationales"),
    ("refugee-led organizations", "les organisations dirigées par des réfugiés"),
    ("the national Red Cross society", "la Société nationale de la Croix-Rouge"),
    ("faith-based organizations", "les organisations confessionnelles"),
    ("the private sector", "le secteur privé"),
    ("development partners", "les partenaires de développement"),
)
PEOPLE = (
    ("refugee children", "enfants réfugiés"),
    ("asylum-seekers", "demandeurs d'asile"),
    ("internally displaced people", "personnes déplacées internes"),
    ("returnees", "rapatriés"),
    ("stateless people", "apatrides"),
    ("survivors of gender-based violence", "survivants de violences basées sur le genre"),
    ("refugee households", "ménages réfugiés"),
    ("people with specific needs", "personnes ayant des besoins spécifiques"),
    ("unaccompanied and separated children", "enfants non accompagnés et séparés"),
    ("older refugees", "réfugiés âgés"),
    ("persons with disabilities", "personnes handicapées"),
    ("refugee women", "femmes réfugiées"),
    ("young refugees", "jeunes réfugiés"),
    ("people of concern", "personnes relevant de la compétence du HCR"),
)
AID = (
    ("cash assistance", "une assistance en espèces"),
    ("multi-purpose cash grants", "des allocations en espèces à usages multiples"),
    ("core relief items", "des articles de secours essentiels"),
    ("emergency shelter kits", "des kits d'abri d'urgence"),
    ("hygiene kits", "des kits d'hygiène"),
    ("psychosocial support", "un soutien psychosocial"),
    ("legal assistance", "une assistance juridique"),
    ("birth certificates", "des actes de naissance"),
    ("civil documentation", "des documents d'état civil"),
    ("identity documents", "des pièces d'identité"),
    ("school supplies", "des fournitures scolaires"),
    ("vocational training", "une formation professionnelle"),
    ("winter assistance", "une aide hivernale"),
    ("primary health care", "des soins de santé primaires"),
    ("livelihood support", "un appui aux moyens de subsistance"),
    ("solar lamps", "des lampes solaires"),
    ("cooking gas and stoves", "du gaz de cuisson et des réchauds"),
    ("sanitary kits", "des kits sanitaires"),
)
DONORS = (
    "private donors", "Germany", "United States of America", "European Union", "Japan", "Sweden", "Norway", "Denmark",
    "Netherlands", "United Kingdom", "Canada", "Switzerland", "Central Emergency Response Fund", "Australia",
    "France", "Italy", "Spain", "Republic of Korea", "Belgium", "Finland", "Ireland", "Luxembourg", "Qatar",
)  # fmt: skip


@dataclass(frozen=True)
class Tpl:
    """One sentence in English and French; `{slot}` placeholders are filled with the same value in both."""

    en: str
    fr: str
    since: int = 0  # first year the sentence can appear (COVID-19 from 2020)


def T(en: str, fr: str, since: int = 0) -> Tpl:
    return Tpl(en, fr, since)


OPERATIONAL_CONTEXT = (
    T("Security and protection incidents increased throughout {year}, particularly in {region}, with {n} incidents "
      "recorded, against {n2} in {prev}.",
      "Les incidents de sécurité et de protection ont augmenté tout au long de l'année {year}, en particulier dans "
      "{region}, avec {n} incidents enregistrés, contre {n2} en {prev}."),
    T("The humanitarian situation {country.in} remained fragile in {year}, as insecurity, intercommunal violence and "
      "the effects of climate change continued to drive displacement.",
      "La situation humanitaire {country.in} est restée fragile en {year}, l'insécurité, les violences "
      "intercommunautaires et les effets du changement climatique continuant de provoquer des déplacements."),
    T("In {month} {year}, the Government adopted a new national asylum law, which strengthened access to territory and "
      "to fair and efficient asylum procedures.",
      "En {month} {year}, le Gouvernement a adopté une nouvelle loi nationale sur l'asile, qui a renforcé l'accès au "
      "territoire et à des procédures d'asile équitables et efficaces."),
    T("The COVID-19 pandemic and the related movement restrictions had a severe impact on the livelihoods of refugees "
      "and host communities, many of whom depend on the informal economy.",
      "La pandémie de COVID-19 et les restrictions de mouvement qui en ont découlé ont eu de graves conséquences sur "
      "les moyens de subsistance des réfugiés et des communautés d'accueil, dont beaucoup dépendent de l'économie "
      "informelle.",
      2020),
    T("Border closures decided in {month} to contain the spread of COVID-19 limited access to asylum, and some {small} "
      "people were reportedly pushed back at the border.",
      "Les fermetures de frontières décidées en {month} pour contenir la propagation de la COVID-19 ont limité l'accès "
      "à l'asile, et quelque {small} personnes auraient été refoulées à la frontière.",
      2020),
    T("Humanitarian access remained constrained in {region}, where attacks by non-state armed groups forced partners "
      "to suspend their activities for several weeks.",
      "L'accès humanitaire est resté limité dans {region}, où les attaques de groupes armés non étatiques ont "
      "contraint les partenaires à suspendre leurs activités pendant plusieurs semaines."),
    T("The country continued to host refugees {origin.from}, most of whom lived in camps and settlements in {region}, "
      "while a growing number settled in urban areas such as {place}.",
      "Le pays a continué d'accueillir des réfugiés {origin.from}, dont la plupart vivaient dans des camps et des "
      "sites d'installation dans {region}, tandis qu'un nombre croissant s'installait en zone urbaine, notamment à "
      "{place}."),
    T("Economic decline, high inflation and rising food prices increased the vulnerability of people of concern and "
      "put pressure on host communities.",
      "Le déclin économique, une forte inflation et la hausse des prix des denrées alimentaires ont accru la "
      "vulnérabilité des personnes relevant de la compétence du HCR et exercé une pression sur les communautés "
      "d'accueil."),
    T("Elections held in {month} {year} were followed by political tensions and sporadic violence, which led to new "
      "internal displacement in several provinces.",
      "Les élections organisées en {month} {year} ont été suivies de tensions politiques et de violences sporadiques, "
      "qui ont entraîné de nouveaux déplacements internes dans plusieurs provinces."),
    T("Floods and drought affected more than {n} people, including refugees and internally displaced people, and "
      "damaged shelters, water points and schools in {region}.",
      "Les inondations et la sécheresse ont touché plus de {n} personnes, dont des réfugiés et des personnes déplacées "
      "internes, et ont endommagé des abris, des points d'eau et des écoles dans {region}."),
    T("UNHCR worked closely with the Government, United Nations agencies and NGO partners to ensure a coordinated "
      "response, in line with the Global Compact on Refugees.",
      "Le HCR a travaillé en étroite collaboration avec le Gouvernement, les agences des Nations Unies et les ONG "
      "partenaires afin d'assurer une réponse coordonnée, conformément au Pacte mondial sur les réfugiés."),
    T("The country remained a party to the 1951 Refugee Convention and its 1967 Protocol, and maintained an open-door "
      "policy for people fleeing conflict in the region.",
      "Le pays est resté partie à la Convention de 1951 relative au statut des réfugiés et à son Protocole de 1967, et "
      "a maintenu une politique de porte ouverte à l'égard des personnes fuyant les conflits dans la région."),
    T("The inclusion of refugees in national development plans progressed, and the Government pledged at the Global "
      "Refugee Forum to expand access to health care and education.",
      "L'inclusion des réfugiés dans les plans nationaux de développement a progressé, et le Gouvernement s'est "
      "engagé, lors du Forum mondial sur les réfugiés, à élargir l'accès aux soins de santé et à l'éducation.",
      2019),
    T("Mixed movements of refugees and migrants through the country continued, with {n} people crossing by land and "
      "sea, often at great risk to their lives.",
      "Les mouvements mixtes de réfugiés et de migrants à travers le pays se sont poursuivis, avec {n} personnes ayant "
      "traversé par voie terrestre et maritime, souvent au péril de leur vie."),
    T("Restrictions on freedom of movement and the lack of documentation exposed refugees to arrest, detention and "
      "exploitation.",
      "Les restrictions à la liberté de circulation et l'absence de documents ont exposé les réfugiés à des "
      "arrestations, à la détention et à l'exploitation."),
    T("The renewed conflict {origin.in} triggered the arrival of {n} new refugees in {month}, most of them women and "
      "children.",
      "La reprise du conflit {origin.in} a provoqué l'arrivée de {n} nouveaux réfugiés en {month}, pour la plupart des "
      "femmes et des enfants."),
)
POPULATION_TRENDS = (
    T("By the end of {year}, there were {big} people of concern {country.in}, including {n} refugees and {n2} "
      "asylum-seekers.",
      "À la fin de l'année {year}, on comptait {big} personnes relevant de la compétence du HCR {country.in}, dont {n} "
      "réfugiés et {n2} demandeurs d'asile."),
    T("The number of internally displaced people rose by {pct} compared to {prev}, reaching {big} by year-end, mainly "
      "as a result of violence in {region}.",
      "Le nombre de personnes déplacées internes a augmenté de {pct} par rapport à {prev} et atteignait {big} à la fin "
      "de l'année, principalement en raison des violences dans {region}."),
    T("Most refugees were {origin.from}, followed by smaller groups {origin2.from}.",
      "La plupart des réfugiés étaient {origin.from}, suivis de groupes plus restreints {origin2.from}."),
    T("Some {n} refugees returned voluntarily {origin.to} during the year, compared with {n2} in {prev}.",
      "Quelque {n} réfugiés sont rentrés volontairement {origin.to} au cours de l'année, contre {n2} en {prev}."),
    T("Women and children represented {pct} of the refugee population, and some {n} children were unaccompanied or "
      "separated from their families.",
      "Les femmes et les enfants représentaient {pct} de la population réfugiée, et quelque {n} enfants étaient non "
      "accompagnés ou séparés de leur famille."),
    T("The number of new asylum applications decreased by {pct}, largely because of border closures and movement "
      "restrictions related to COVID-19.",
      "Le nombre de nouvelles demandes d'asile a diminué de {pct}, en grande partie en raison des fermetures de "
      "frontières et des restrictions de mouvement liées à la COVID-19.",
      2020),
    T("UNHCR estimated that some {n} people were stateless or at risk of statelessness {country.in}, most of them "
      "without any proof of their legal identity.",
      "Le HCR estimait que quelque {n} personnes étaient apatrides ou exposées au risque d'apatridie {country.in}, la "
      "plupart sans aucune preuve de leur identité juridique."),
    T("In {region}, {n} people were newly displaced during the second half of the year, many of them for the second or "
      "third time.",
      "Dans {region}, {n} personnes ont été nouvellement déplacées au cours du second semestre, nombre d'entre elles "
      "pour la deuxième ou la troisième fois."),
    T("A verification exercise conducted in {camp} updated the records of {n} refugees and led to the deactivation of "
      "{small} inactive cases.",
      "Un exercice de vérification mené dans {camp} a permis de mettre à jour les données de {n} réfugiés et de "
      "désactiver {small} dossiers inactifs."),
    T("Spontaneous returns of internally displaced people to areas of origin continued, with {n} returns recorded, "
      "although many found their homes destroyed.",
      "Les retours spontanés de personnes déplacées internes vers leurs zones d'origine se sont poursuivis, avec {n} "
      "retours enregistrés, même si beaucoup ont trouvé leur maison détruite."),
    T("The refugee population remained relatively stable at around {big}, with new arrivals largely offset by returns "
      "and resettlement departures.",
      "La population réfugiée est restée relativement stable, à environ {big} personnes, les nouvelles arrivées étant "
      "en grande partie compensées par les retours et les départs en réinstallation."),
    T("More than half of the refugees lived outside camps, in rural villages and in towns such as {place}, where they "
      "shared scarce resources with host communities.",
      "Plus de la moitié des réfugiés vivaient en dehors des camps, dans des villages ruraux et dans des villes comme "
      "{place}, où ils partageaient des ressources limitées avec les communautés d'accueil."),
)
KEY_ACHIEVEMENTS = (
    T("UNHCR and its partners provided {aid} to {n} {people} {place.in}.",
      "Le HCR et ses partenaires ont fourni {aid} à {n} {people} {place.in}."),
    T("Some {n} refugee children were enrolled in primary school, and {small} students received scholarships for "
      "secondary and tertiary education.",
      "Quelque {n} enfants réfugiés ont été inscrits à l'école primaire, et {small} élèves ont bénéficié de bourses "
      "pour l'enseignement secondaire et supérieur."),
    T("UNHCR supported the issuance of {n} birth certificates to children born {country.in}, reducing their risk of "
      "statelessness.",
      "Le HCR a appuyé la délivrance de {n} actes de naissance à des enfants nés {country.in}, réduisant ainsi leur "
      "risque d'apatridie."),
    T("{n} households were provided with safe and secure shelters, and {small} shelters were repaired before the rainy "
      "season.",
      "{n} ménages ont bénéficié d'abris sûrs et sécurisés, et {small} abris ont été réparés avant la saison des "
      "pluies."),
    T("A total of {n} survivors of gender-based violence received medical, psychosocial and legal support, and {n2} "
      "community members took part in awareness-raising sessions.",
      "Au total, {n} survivants de violences basées sur le genre ont reçu un soutien médical, psychosocial et "
      "juridique, et {n2} membres de la communauté ont participé à des séances de sensibilisation."),
    T("UNHCR submitted the cases of {small} refugees for resettlement to third countries, and {small2} refugees "
      "departed during the year.",
      "Le HCR a soumis les dossiers de {small} réfugiés en vue de leur réinstallation dans des pays tiers, et {small2} "
      "réfugiés sont partis au cours de l'année."),
    T("Protection monitoring was strengthened in {region}, where {n} households were interviewed to identify "
      "protection risks and refer people with specific needs to services.",
      "Le monitoring de protection a été renforcé dans {region}, où {n} ménages ont été interrogés afin d'identifier "
      "les risques de protection et d'orienter les personnes ayant des besoins spécifiques vers les services "
      "appropriés."),
    T("The Government granted nationality to {small} stateless people, following advocacy by UNHCR and the adoption of "
      "a national action plan to end statelessness.",
      "Le Gouvernement a accordé la nationalité à {small} apatrides, à la suite d'un plaidoyer du HCR et de l'adoption "
      "d'un plan d'action national pour mettre fin à l'apatridie."),
    T("UNHCR facilitated the voluntary repatriation of {n} refugees {origin.to}, providing each family with a return "
      "package and transport.",
      "Le HCR a facilité le rapatriement librement consenti de {n} réfugiés {origin.to}, en fournissant à chaque "
      "famille un kit de retour et le transport."),
    T("In response to COVID-19, UNHCR installed {small} handwashing stations, distributed soap and masks to {n} people "
      "and supported isolation facilities in {small2} health centres.",
      "Pour faire face à la COVID-19, le HCR a installé {small} postes de lavage des mains, distribué du savon et des "
      "masques à {n} personnes et soutenu des structures d'isolement dans {small2} centres de santé.",
      2020),
    T("{small} classrooms were constructed and equipped, and {small2} teachers were trained in inclusive education.",
      "{small} salles de classe ont été construites et équipées, et {small2} enseignants ont été formés à l'éducation "
      "inclusive."),
    T("Some {n} refugees gained access to livelihood opportunities through vocational training, small business grants "
      "and agricultural projects.",
      "Quelque {n} réfugiés ont eu accès à des moyens de subsistance grâce à la formation professionnelle, à des "
      "subventions pour de petites entreprises et à des projets agricoles."),
    T("{small} sensitization sessions on social cohesion were organized with refugee and host communities.",
      "{small} séances de sensibilisation sur la cohésion sociale ont été organisées avec les communautés de réfugiés "
      "et les communautés d'accueil."),
    T("UNHCR and {partner} trained {small} government officials on refugee law, refugee status determination and the "
      "prevention of statelessness.",
      "Le HCR et {partner} ont formé {small} agents de l'État au droit des réfugiés, à la détermination du statut de "
      "réfugié et à la prévention de l'apatridie."),
    T("Access to clean water improved in the camps, where each person received on average {lit} litres of water per "
      "day.",
      "L'accès à l'eau potable s'est amélioré dans les camps, où chaque personne a reçu en moyenne {lit} litres d'eau "
      "par jour."),
    T("Biometric registration was completed for {n} {people}, which improved their access to assistance and services.",
      "L'enregistrement biométrique a été réalisé pour {n} {people}, ce qui a amélioré leur accès à l'assistance et "
      "aux services."),
    T("In partnership with {partner}, {n} {people} received {aid}.",
      "En partenariat avec {partner}, {n} {people} ont reçu {aid}."),
    T("UNHCR provided legal counselling to {n} asylum-seekers and ensured that {pct} of them had access to the "
      "national asylum procedure.",
      "Le HCR a fourni des conseils juridiques à {n} demandeurs d'asile et a veillé à ce que {pct} d'entre eux aient "
      "accès à la procédure nationale d'asile."),
    T("The cluster system led by UNHCR coordinated the delivery of emergency shelter and core relief items to {n} "
      "internally displaced people in {region}.",
      "Le système des groupes sectoriels dirigé par le HCR a coordonné la distribution d'abris d'urgence et d'articles "
      "de secours essentiels à {n} personnes déplacées internes dans {region}."),
)
UNMET_NEEDS = (
    T("UNHCR was unable to register {n} refugees due to financial constraints, as well as restrictions related to "
      "COVID-19 and security concerns.",
      "Le HCR n'a pas été en mesure d'enregistrer {n} réfugiés en raison de contraintes financières, ainsi que des "
      "restrictions liées à la COVID-19 et de problèmes de sécurité.",
      2020),
    T("School infrastructure needs remained unmet in some refugee-hosting areas, and an estimated {n} refugee children "
      "were out of school.",
      "Les besoins en infrastructures scolaires n'ont pas été satisfaits dans certaines zones d'accueil des réfugiés, "
      "et environ {n} enfants réfugiés n'étaient pas scolarisés."),
    T("Due to funding shortfalls, only {pct} of the shelter needs were covered, leaving {n} families in overcrowded or "
      "damaged shelters.",
      "En raison du manque de financement, seuls {pct} des besoins en abris ont été couverts, laissant {n} familles "
      "dans des abris surpeuplés ou endommagés."),
    T("Cash assistance could not be extended to {n} vulnerable households identified as eligible.",
      "L'assistance en espèces n'a pas pu être étendue à {n} ménages vulnérables jugés éligibles."),
    T("The response to gender-based violence remained insufficient, with limited safe spaces and case management "
      "capacity in {region}.",
      "La réponse aux violences basées sur le genre est restée insuffisante, avec peu d'espaces sûrs et des capacités "
      "de gestion des cas limitées dans {region}."),
    T("Livelihood programmes reached only {pct} of the targeted refugees, limiting progress towards self-reliance.",
      "Les programmes de moyens de subsistance n'ont atteint que {pct} des réfugiés ciblés, ce qui a limité les "
      "progrès vers l'autonomie."),
    T("Water supply in the camps remained below the standard of 20 litres per person per day, at {low} litres on "
      "average.",
      "L'approvisionnement en eau dans les camps est resté inférieur à la norme de 20 litres par personne et par jour, "
      "avec une moyenne de {low} litres."),
    T("Some {n} people with specific needs, including older people and persons with disabilities, could not receive "
      "the targeted support they required.",
      "Quelque {n} personnes ayant des besoins spécifiques, notamment des personnes âgées et des personnes "
      "handicapées, n'ont pas pu recevoir l'appui ciblé dont elles avaient besoin."),
    T("Health centres serving refugees lacked essential medicines and qualified staff, and {small} posts remained "
      "vacant at the end of the year.",
      "Les centres de santé desservant les réfugiés manquaient de médicaments essentiels et de personnel qualifié, et "
      "{small} postes restaient vacants à la fin de l'année."),
    T("Core relief items could not be replenished for {n} newly displaced people in {region}.",
      "Les articles de secours essentiels n'ont pas pu être renouvelés pour {n} personnes nouvellement déplacées dans "
      "{region}."),
    T("The resettlement quota offered by third countries covered only {pct} of the identified needs, and {small} "
      "submissions remained pending.",
      "Les places de réinstallation offertes par les pays tiers n'ont couvert que {pct} des besoins identifiés, et "
      "{small} dossiers restaient en attente."),
    T("Only {pct} of refugee youth had access to secondary education, and the number of places in tertiary education "
      "remained very limited.",
      "Seuls {pct} des jeunes réfugiés avaient accès à l'enseignement secondaire, et le nombre de places dans "
      "l'enseignement supérieur est resté très limité."),
    T("Insufficient funding prevented the operation from extending its programme for winter assistance to {n} "
      "vulnerable families.",
      "Le manque de financement a empêché l'opération d'étendre son programme d'aide hivernale à {n} familles "
      "vulnérables."),
    T("Legal assistance and detention monitoring could not be provided in {region}, where access was denied for most "
      "of the year.",
      "L'assistance juridique et le suivi de la détention n'ont pas pu être assurés dans {region}, où l'accès a été "
      "refusé pendant la majeure partie de l'année."),
)
FLEXIBLE_FUNDING = (
    T("In {year}, UNHCR allocated {money} in flexible funding to the operation, which accounted for {pct} of the total "
      "funds available.",
      "En {year}, le HCR a alloué {money} de financements flexibles à l'opération, soit {pct} du total des fonds "
      "disponibles."),
    T("Flexible funding enabled UNHCR to respond quickly to the new displacement in {region}, providing emergency "
      "shelter and core relief items to {n} people.",
      "Les financements flexibles ont permis au HCR de répondre rapidement aux nouveaux déplacements dans {region}, en "
      "fournissant des abris d'urgence et des articles de secours essentiels à {n} personnes."),
    T("Unearmarked funding was used to cover critical gaps in health, education and protection, which remained "
      "underfunded throughout the year.",
      "Les financements non affectés ont servi à combler des lacunes critiques dans les domaines de la santé, de "
      "l'éducation et de la protection, restés sous-financés tout au long de l'année."),
    T("Softly earmarked contributions allowed the operation to maintain registration and refugee status determination "
      "activities and to support {small} partners.",
      "Les contributions faiblement affectées ont permis à l'opération de maintenir les activités d'enregistrement et "
      "de détermination du statut de réfugié et de soutenir {small} partenaires."),
    T("Thanks to flexible funding, {n} refugee children continued their education, and the incentives of {small} "
      "teachers were paid.",
      "Grâce aux financements flexibles, {n} enfants réfugiés ont pu poursuivre leur scolarité, et les primes de "
      "{small} enseignants ont été versées."),
    T("Flexible funding also supported the COVID-19 response, including the procurement of medical supplies and the "
      "expansion of cash assistance to {n} households.",
      "Les financements flexibles ont également soutenu la riposte à la COVID-19, notamment l'achat de fournitures "
      "médicales et l'extension de l'assistance en espèces à {n} ménages.",
      2020),
    T("Without flexible funding, the operation would have been unable to sustain essential services in {camp}, where "
      "{n} refugees depend entirely on humanitarian assistance.",
      "Sans les financements flexibles, l'opération n'aurait pas pu maintenir les services essentiels dans {camp}, où "
      "{n} réfugiés dépendent entièrement de l'aide humanitaire."),
    T("These funds were critical for the prevention of and response to gender-based violence, an area that rarely "
      "attracts earmarked contributions.",
      "Ces fonds ont été essentiels pour la prévention des violences basées sur le genre et la réponse à ces "
      "violences, un domaine qui attire rarement des contributions affectées."),
    T("Part of the flexible funding, {money}, was used to prepare for a possible influx of refugees {origin.from} by "
      "prepositioning relief items.",
      "Une partie des financements flexibles, soit {money}, a servi à se préparer à un éventuel afflux de réfugiés "
      "{origin.from} en prépositionnant des articles de secours."),
)
WORKING_ENVIRONMENT = (
    T("In {year}, the operational environment {country.in} is expected to remain volatile, with continued insecurity "
      "in {region} and a risk of further displacement.",
      "En {year}, l'environnement opérationnel {country.in} devrait rester instable, avec une insécurité persistante "
      "dans {region} et un risque de nouveaux déplacements."),
    T("The country hosts some {big} people of concern, the majority of them refugees {origin.from}.",
      "Le pays accueille quelque {big} personnes relevant de la compétence du HCR, pour la plupart des réfugiés "
      "{origin.from}."),
    T("The Government maintains a favourable protection environment and is committed to the inclusion of refugees in "
      "national systems, in particular health and education.",
      "Le Gouvernement maintient un environnement de protection favorable et s'est engagé à inclure les réfugiés dans "
      "les systèmes nationaux, en particulier la santé et l'éducation."),
    T("Planning assumes the arrival of up to {n} new asylum-seekers during the year, mainly {origin.from}.",
      "La planification prévoit l'arrivée de jusqu'à {n} nouveaux demandeurs d'asile au cours de l'année, "
      "principalement {origin.from}."),
    T("UNHCR will continue to lead the protection, shelter and camp coordination and camp management clusters for the "
      "response to internal displacement.",
      "Le HCR continuera de diriger les groupes sectoriels de la protection, des abris et de la coordination et "
      "gestion des camps dans le cadre de la réponse aux déplacements internes."),
    T("Access to some areas remains limited by insecurity, poor roads and the rainy season, which may affect the "
      "delivery of assistance.",
      "L'accès à certaines zones reste limité par l'insécurité, le mauvais état des routes et la saison des pluies, ce "
      "qui pourrait compromettre l'acheminement de l'assistance."),
    T("The national asylum system continues to face a backlog of some {n} pending applications, and many "
      "asylum-seekers wait years for a decision.",
      "Le système national d'asile continue de faire face à un arriéré d'environ {n} demandes en attente, et de "
      "nombreux demandeurs d'asile attendent une décision pendant des années."),
    T("Conditions for voluntary repatriation {origin.to} are not yet conducive, but UNHCR will assist those who choose "
      "to return in safety and dignity.",
      "Les conditions d'un rapatriement librement consenti {origin.to} ne sont pas encore réunies, mais le HCR aidera "
      "ceux qui choisissent de rentrer dans la sécurité et la dignité."),
    T("The socioeconomic impact of COVID-19 is expected to continue, increasing the needs of refugees and host "
      "communities alike.",
      "Les conséquences socioéconomiques de la COVID-19 devraient se poursuivre, accroissant les besoins des réfugiés "
      "comme des communautés d'accueil.",
      2021),
    T("UNHCR works with {partner} and development actors to implement the comprehensive refugee response framework.",
      "Le HCR collabore avec {partner} et les acteurs du développement pour mettre en œuvre le cadre d'action global "
      "pour les réfugiés."),
    T("Refugees enjoy freedom of movement and the right to work, but high unemployment in {region} limits their "
      "opportunities.",
      "Les réfugiés jouissent de la liberté de circulation et du droit au travail, mais le chômage élevé dans {region} "
      "limite leurs perspectives."),
    T("The country is not a party to the 1954 and 1961 statelessness conventions, and some {n} people remain without a "
      "nationality.",
      "Le pays n'est partie ni à la Convention de 1954 ni à celle de 1961 sur l'apatridie, et quelque {n} personnes "
      "restent sans nationalité."),
)
KEY_PRIORITIES = (
    T("UNHCR will strengthen registration and documentation, with the aim of registering all people of concern on an "
      "individual basis and issuing birth certificates to {n} newborns.",
      "Le HCR renforcera l'enregistrement et la documentation, avec pour objectif d'enregistrer individuellement "
      "toutes les personnes relevant de sa compétence et de délivrer des actes de naissance à {n} nouveau-nés."),
    T("UNHCR will provide multi-purpose cash grants to {n} vulnerable households to help them meet their basic needs.",
      "Le HCR fournira des allocations en espèces à usages multiples à {n} ménages vulnérables pour les aider à "
      "subvenir à leurs besoins essentiels."),
    T("The operation will advocate the inclusion of refugee children in the national education system and aims to "
      "enrol {n} children in primary school.",
      "L'opération plaidera pour l'inclusion des enfants réfugiés dans le système éducatif national et vise à "
      "scolariser {n} enfants à l'école primaire."),
    T("UNHCR will support the voluntary repatriation of refugees who wish to return {origin.to}, and will submit "
      "{small} refugees for resettlement.",
      "Le HCR soutiendra le rapatriement librement consenti des réfugiés souhaitant rentrer {origin.to} et présentera "
      "{small} réfugiés en vue de leur réinstallation."),
    T("Efforts to end statelessness will continue, including legal reform and the registration of {n} people at risk "
      "of statelessness.",
      "Les efforts visant à mettre fin à l'apatridie se poursuivront, notamment par une réforme juridique et "
      "l'enregistrement de {n} personnes exposées au risque d'apatridie."),
    T("UNHCR will expand access to livelihoods and financial services, in partnership with {partner}, to promote "
      "self-reliance.",
      "Le HCR élargira l'accès aux moyens de subsistance et aux services financiers, en partenariat avec {partner}, "
      "afin de promouvoir l'autonomie."),
    T("The operation will improve shelter conditions for {n} households and maintain water, sanitation and hygiene "
      "services in {camp}.",
      "L'opération améliorera les conditions d'abri de {n} ménages et maintiendra les services d'eau, d'assainissement "
      "et d'hygiène dans {camp}."),
    T("UNHCR will strengthen community-based protection and the participation of women and young people in "
      "decision-making structures.",
      "Le HCR renforcera la protection à base communautaire et la participation des femmes et des jeunes aux "
      "structures de prise de décision."),
    T("Prevention of and response to gender-based violence will be reinforced, with {small} safe spaces for women and "
      "girls and improved case management.",
      "La prévention des violences basées sur le genre et la réponse à ces violences seront renforcées, avec {small} "
      "espaces sûrs pour les femmes et les filles et une meilleure gestion des cas."),
    T("UNHCR will prepare for a possible influx of up to {n} refugees through contingency planning and the "
      "prepositioning of core relief items.",
      "Le HCR se préparera à un éventuel afflux de jusqu'à {n} réfugiés grâce à la planification d'urgence et au "
      "prépositionnement d'articles de secours essentiels."),
    T("The operation will support the national health system so that refugees can access primary health care on the "
      "same terms as nationals.",
      "L'opération soutiendra le système national de santé afin que les réfugiés puissent accéder aux soins de santé "
      "primaires dans les mêmes conditions que les nationaux."),
    T("UNHCR will continue its COVID-19 prevention measures and advocate the inclusion of refugees in the national "
      "vaccination campaign.",
      "Le HCR poursuivra ses mesures de prévention de la COVID-19 et plaidera pour l'inclusion des réfugiés dans la "
      "campagne nationale de vaccination.",
      2021),
    T("In {year}, UNHCR will work with {partner} to relocate {n} refugees from the border areas to {camp}, away from "
      "insecurity.",
      "En {year}, le HCR travaillera avec {partner} pour réinstaller {n} réfugiés des zones frontalières vers {camp}, "
      "loin de l'insécurité."),
)
GENERIC_PAST = (
    T("These efforts were carried out in close cooperation with {partner} and with the active participation of refugee "
      "communities.",
      "Ces efforts ont été menés en étroite coopération avec {partner} et avec la participation active des communautés "
      "de réfugiés."),
    T("Participatory assessments conducted with {n} women, men, girls and boys informed the planning of activities.",
      "Des évaluations participatives menées auprès de {n} femmes, hommes, filles et garçons ont éclairé la "
      "planification des activités."),
    T("Host communities also benefited from these interventions, which contributed to peaceful coexistence.",
      "Les communautés d'accueil ont également bénéficié de ces interventions, qui ont contribué à la coexistence "
      "pacifique."),
    T("Despite these achievements, needs continued to outpace the resources available to the operation.",
      "Malgré ces réalisations, les besoins ont continué de dépasser les ressources dont disposait l'opération."),
    T("The situation was particularly difficult for women and girls, who faced increased risks of exploitation and "
      "abuse.",
      "La situation a été particulièrement difficile pour les femmes et les filles, exposées à des risques accrus "
      "d'exploitation et d'abus."),
    T("UNHCR also maintained its presence in {place}, where a field office monitored the situation of returnees and "
      "internally displaced people.",
      "Le HCR a également maintenu sa présence à {place}, où un bureau de terrain a assuré le suivi de la situation "
      "des rapatriés et des personnes déplacées internes."),
)
GENERIC_PLAN = (
    T("UNHCR will work closely with {partner} and with refugee-led organizations to deliver these priorities.",
      "Le HCR travaillera en étroite collaboration avec {partner} et avec les organisations dirigées par des réfugiés "
      "pour mettre en œuvre ces priorités."),
    T("Particular attention will be paid to the needs of women, children, older people and persons with disabilities.",
      "Une attention particulière sera accordée aux besoins des femmes, des enfants, des personnes âgées et des "
      "personnes handicapées."),
    T("The operation will also seek to strengthen the capacity of national institutions, so that they can "
      "progressively assume responsibility for refugee protection.",
      "L'opération cherchera également à renforcer les capacités des institutions nationales, afin qu'elles puissent "
      "progressivement assumer la responsabilité de la protection des réfugiés."),
    T("Activities will be adjusted to the evolving situation, and contingency plans will be updated regularly with "
      "{partner}.",
      "Les activités seront adaptées à l'évolution de la situation, et les plans d'urgence seront mis à jour "
      "régulièrement avec {partner}."),
)  # fmt: skip
SECTION_TEMPLATES: dict[str, tuple[Tpl, ...]] = {
    "operational-context": OPERATIONAL_CONTEXT,
    "population-trends": POPULATION_TRENDS,
    "key-achievements": KEY_ACHIEVEMENTS,
    "unmet-needs": UNMET_NEEDS,
    "flexible-funding": FLEXIBLE_FUNDING,
    "working-environment": WORKING_ENVIRONMENT,
    "key-priorities": KEY_PRIORITIES,
}


# ----------------------------------------------------------------------------------------------- rendering

SLOT_RE = re.compile(r"\{([a-z]+)(\d?)(?:\.([a-z]+))?\}")
PARAGRAPH_SLOTS = ("country", "origin", "place", "region", "camp")  # hold for a paragraph; the rest per sentence
NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "n": (120, 48000),
    "big": (20000, 950000),
    "small": (3, 480),
    "pct": (5, 95),
    "lit": (15, 24),
    "low": (8, 19),
}
LOG_SCALE = ("n", "big", "small")
PLACE_FORMS: dict[str, tuple[str, str]] = {
    "": ("{}", "{}"),
    "in": ("in {}", "à {}"),
    "region": ("the {} region", "la région de {}"),
    "camp": ("{} camp", "le camp de {}"),
}


def fmt_int(value: int) -> tuple[str, str]:
    """4265 -> ("4,265", "4 265")."""
    en = f"{value:,}"
    return en, en.replace(",", " ")


class Slots:
    """The values of one paragraph's placeholders, chosen once and written in both languages."""

    def __init__(self, rng: random.Random, operation: Operation, year: int) -> None:
        self.rng, self.operation, self.year = rng, operation, year
        self.values: dict[str, Any] = {}

    def render(self, tpl: Tpl) -> tuple[str, str]:
        """One sentence in English and French; numbers, months and partners are new for each sentence."""
        for key in [key for key in self.values if key.rstrip("0123456789") not in PARAGRAPH_SLOTS]:
            del self.values[key]
        return SLOT_RE.sub(lambda m: self.fill(m, 0), tpl.en), SLOT_RE.sub(lambda m: self.fill(m, 1), tpl.fr)

    def fill(self, match: re.Match[str], lang: int) -> str:
        kind, index, aspect = match.group(1), match.group(2), match.group(3) or ""
        if kind in ("region", "camp"):
            kind, aspect = "place", kind
        key = kind + index
        if key not in self.values:
            self.values[key] = self.pick(kind)
        value = self.values[key]
        if isinstance(value, Country):
            return value.forms(aspect)[lang]
        if kind == "place":
            return PLACE_FORMS[aspect][lang].format(value)
        return value[lang]

    def pick(self, kind: str) -> Any:
        rng = self.rng
        if kind in NUMBER_RANGES:
            low, high = NUMBER_RANGES[kind]
            value = round(low * (high / low) ** rng.random()) if kind in LOG_SCALE else rng.randint(low, high)
            return (f"{value}%", f"{value} %") if kind == "pct" else fmt_int(value)
        if kind == "money":
            tenths = rng.randint(5, 450)
            return f"USD {tenths / 10:.1f} million", f"{tenths // 10},{tenths % 10} millions de dollars"
        if kind in ("year", "prev", "next"):
            year = str(self.year + {"year": 0, "prev": -1, "next": 1}[kind])
            return year, year
        if kind == "country":
            return self.operation.country
        if kind == "origin":
            taken = [value for value in self.values.values() if isinstance(value, Country)]
            return rng.choice([c for c in self.operation.origins if c not in taken] or ORIGINS)
        if kind == "place":
            return rng.choice(self.operation.places)
        return rng.choice({"month": MONTHS, "partner": PARTNERS, "people": PEOPLE, "aid": AID}[kind])


class Deck:
    """Draw templates without repeating one until all were used (then reshuffle)."""

    def __init__(self, rng: random.Random, templates: Sequence[Tpl]) -> None:
        self.rng, self.templates, self.left = rng, list(templates), []  # type: ignore[var-annotated]

    def draw(self) -> Tpl:
        if not self.left:
            self.left = self.templates[:]
            self.rng.shuffle(self.left)
        return self.left.pop()


def paragraph(rng: random.Random, slots: Slots, deck: Deck, generic: Sequence[Tpl], max_words: int) -> tuple[str, str]:
    """One paragraph (or list item) of MIN_WORDS..max_words English words, and its French twin."""
    target = round(rng.triangular(MIN_WORDS, max_words, (MIN_WORDS + max_words) / 2.6))
    en_parts: list[str] = []
    fr_parts: list[str] = []
    words = 0
    for _ in range(12):
        tpl = deck.draw() if not en_parts or not generic or rng.random() < 0.75 else rng.choice(generic)
        en, fr = slots.render(tpl)
        if en in en_parts:
            continue
        if words >= MIN_WORDS and words + len(en.split()) > max_words:
            break
        en_parts.append(en)
        fr_parts.append(fr)
        words += len(en.split())
        if words >= target:
            break
    return " ".join(en_parts), " ".join(fr_parts)


def layout(rng: random.Random, count: int, list_share: float) -> list[str]:
    """Paragraph kinds of a section: all prose, or prose, a bullet list of at least two items, maybe prose after."""
    if rng.random() >= list_share:
        return ["p"] * count
    before = 1 if count >= 3 else 0
    after = 1 if count - before >= 5 and rng.random() < 0.3 else 0
    return ["p"] * before + ["li"] * (count - before - after) + ["p"] * after


def section_blocks(rng: random.Random, operation: Operation, year: int, slug: str) -> list[tuple[str, str, str]]:
    """The paragraphs of one section: (kind "p" or "li", English, French)."""
    count = rng.choices(PARAGRAPH_COUNTS, PARAGRAPH_WEIGHTS)[0]
    kinds = layout(rng, count, LIST_SHARE.get(slug, DEFAULT_LIST_SHARE))
    generic = GENERIC_PLAN if SECTIONS[slug].report == "plan" else GENERIC_PAST
    deck = Deck(rng, [tpl for tpl in SECTION_TEMPLATES[slug] if tpl.since <= year])
    blocks = []
    for kind in kinds:
        slots = Slots(rng, operation, year)
        en, fr = paragraph(rng, slots, deck, generic, ITEM_MAX_WORDS if kind == "li" else MAX_WORDS)
        blocks.append((kind, en, fr))
    return blocks


def body_text(blocks: Sequence[tuple[str, str]]) -> str:
    """Paragraphs separated by a blank line; consecutive list items on consecutive lines."""
    parts: list[str] = []
    previous = ""
    for kind, text in blocks:
        if parts:
            parts.append("\n" if kind == previous == "li" else "\n\n")
        parts.append(f"- {text}" if kind == "li" else text)
        previous = kind
    return "".join(parts) + "\n"


# ----------------------------------------------------------------------------------------------- files


def dump_yaml(data: Any) -> str:
    """`yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)`, as docs/content-format.md says."""
    return yaml.dump(data, Dumper=YAML_DUMPER, **YAML_ARGS)


@lru_cache(maxsize=4096)
def dump_field(key: str, value: str | int | tuple[str, ...]) -> str:
    """One front-matter field exactly as yaml.safe_dump writes it within the whole mapping."""
    return dump_yaml({key: list(value) if isinstance(value, tuple) else value})


def front_matter(meta: dict[str, Any]) -> str:
    ordered = [(key, meta[key]) for key in FRONT_MATTER_ORDER if key in meta]
    return "".join(dump_field(key, tuple(value) if isinstance(value, list) else value) for key, value in ordered)


def section_files(operation: Operation, year: int, slug: str, blocks: list[tuple[str, str, str]],
                  alone: str | None = None) -> dict[str, str]:
    """The English file (with its import checksum) and its French translation, by language; with `alone` ("en" or
    "fr"), only that language's file, an original as the importer writes it (a checksum, no translated_from)."""
    kind = SECTIONS[slug]
    country: str | list[str] = operation.countries[0] if len(operation.countries) == 1 else list(operation.countries)
    meta: dict[str, Any] = {
        "operation": operation.slug,
        "country": country,
        "year": year,
        "report": kind.report,
        "section": slug,
        "translation_key": f"{operation.slug}/{year}/{slug}",
        "source": source_name(operation, year),
    }
    en_body = body_text([(k, en) for k, en, _fr in blocks])
    fr_body = body_text([(k, fr) for k, _en, fr in blocks])
    en_meta = front_matter({**meta, "title": kind.title("en"), "lang": "en"})
    fr_meta = front_matter({**meta, "title": kind.title("fr"), "lang": "fr", "translated_from": "en"})
    if alone == "fr":
        return {"fr": signed(front_matter({**meta, "title": kind.title("fr"), "lang": "fr"}), fr_body)}
    if alone == "en":
        return {"en": signed(en_meta, en_body)}
    return {"en": signed(en_meta, en_body), "fr": f"---\n{fr_meta}---\n\n{fr_body}"}


def signed(meta: str, body: str) -> str:
    """A document as the importer writes it: its front matter ends with the import_checksum of the rest."""
    checksum = hashlib.sha256(f"---\n{meta}---\n\n{body}".encode()).hexdigest()
    return f"---\n{meta}{dump_field('import_checksum', f'sha256:{checksum}')}---\n\n{body}"


def source_name(operation: Operation, year: int) -> str:
    return f"synthetic_{operation.slug}_{year}.txt"


# ----------------------------------------------------------------------------------------------- figures

YEAR_END_FIGURES = (
    ("n", "people of concern benefited from cash assistance",
     "personnes relevant de la compétence du HCR ont bénéficié d'une assistance en espèces"),
    ("n", "households were provided with safe and secured shelters", "ménages ont bénéficié d'abris sûrs et sécurisés"),
    ("n", "households were provided with core relief items", "ménages ont reçu des articles de secours essentiels"),
    ("small", "sensitization sessions on social cohesion were organized",
     "séances de sensibilisation sur la cohésion sociale ont été organisées"),
    ("small", "classrooms were constructed and equipped", "salles de classe ont été construites et équipées"),
    ("n", "birth certificates were issued", "actes de naissance ont été délivrés"),
    ("n", "refugee children were enrolled in primary school", "enfants réfugiés ont été inscrits à l'école primaire"),
    ("small", "refugees were submitted for resettlement", "réfugiés ont été présentés en vue d'une réinstallation"),
    ("n", "survivors of gender-based violence received support",
     "survivants de violences basées sur le genre ont reçu un soutien"),
    ("n", "refugees returned home voluntarily", "réfugiés sont rentrés volontairement dans leur pays"),
)
PLAN_FIGURES = (
    ("pct", "of people of concern will be registered on an individual basis",
     "des personnes relevant de la compétence du HCR seront enregistrées individuellement"),
    ("pct", "of targeted households will see their basic needs met with multi-purpose cash grants or vouchers",
     "des ménages ciblés verront leurs besoins essentiels couverts par des allocations en espèces à usages multiples "
     "ou des bons"),
    ("pct", "of refugee children will be enrolled in primary education",
     "des enfants réfugiés seront inscrits dans l'enseignement primaire"),
    ("pct", "of identified people of concern in need of resettlement will be submitted for resettlement",
     "des personnes relevant de la compétence du HCR ayant besoin d'une réinstallation seront présentées en vue "
     "d'une réinstallation"),
    ("pct", "of survivors of gender-based violence will receive appropriate support",
     "des survivants de violences basées sur le genre recevront un soutien adapté"),
    ("pct", "of returnees will see their national rights re-established",
     "des rapatriés verront leurs droits nationaux rétablis"),
    ("n", "households will receive cash assistance", "ménages recevront une assistance en espèces"),
)
POPULATION_SLUGS: tuple[str, ...] = tuple(slug for slug, _en, _fr in POPULATION_TYPES.values())
CONTRIBUTIONS_NOTE = "Parsed best-effort from page text; the grouping of dates and donors is ambiguous."


def key_figure(rng: random.Random, spec: tuple[str, str, str], year: int, kind: str) -> dict[str, Any]:
    range_kind, en, fr = spec
    if range_kind == "pct":
        value = rng.choice((100, 100, 100, 95, 90, 80, 75, 60, 50))
        return {"year": year, "kind": kind, "value": value, "unit": "percent", "display": f"{value}%",
                "text": {"en": en, "fr": fr}}
    low, high = NUMBER_RANGES[range_kind]
    value = round(low * (high / low) ** rng.random())
    return {"year": year, "kind": kind, "value": value, "unit": None, "display": f"{value:,}",
            "text": {"en": en, "fr": fr}}


def people_of_concern(rng: random.Random, year: int) -> dict[str, Any] | None:
    if rng.random() < 0.1:
        return None
    totals = [round(2000 * 500 ** rng.random())]
    for _ in range(2):
        totals.append(max(1, round(totals[-1] * rng.uniform(0.6, 1.3))))
    change = "increase" if totals[0] > totals[1] else "decrease" if totals[0] < totals[1] else None
    percent = round(abs(totals[0] - totals[1]) * 100 / totals[1]) if change and rng.random() < 0.5 else None
    types = ["refugees", *rng.sample(POPULATION_SLUGS[1:], rng.randint(0, 4))]
    shares = [rng.random() + 0.05 for _ in types]
    counts = [int(totals[0] * share / sum(shares)) for share in shares]
    counts[0] += totals[0] - sum(counts)
    return {
        "change": change,
        "change_percent": percent,
        "totals": [{"year": year - i, "total": total} for i, total in enumerate(totals)],
        "breakdown": [{"type": kind, "count": count} for kind, count in zip(types, counts, strict=True)],
    }


def budget(rng: random.Random, year: int) -> dict[str, Any] | None:
    if rng.random() < 0.15:
        return None
    years = list(range(year - 4, year + 2))
    scale = 1.5 * 80 ** rng.random()
    present = {"p1": 1.0, "p2": 0.4, "p3": 0.5, "p4": 0.5}
    by_pillar: dict[str, list[float | None]] = {}
    spent_by_pillar: dict[str, list[float | None]] = {}
    for pillar in PILLARS:
        if pillar != "p1" and rng.random() > present[pillar]:
            continue
        values = [None if pillar != "p1" and rng.random() < 0.2 else round(scale * rng.uniform(0.1, 1), 8)
                  for _ in years]
        by_pillar[pillar] = values
        spent_by_pillar[pillar] = [None if v is None or i == len(years) - 1 else round(v * rng.uniform(0.3, 0.9), 8)
                                   for i, v in enumerate(values)]
    return {
        "unit": "USD millions",
        "years": years,
        "budget": _column_sums(by_pillar, len(years)),
        "expenditure": _column_sums(spent_by_pillar, len(years)),
        "budget_by_pillar": by_pillar,
        "expenditure_by_pillar": spent_by_pillar,
    }


def _column_sums(rows: dict[str, list[float | None]], width: int) -> list[float | None]:
    sums: list[float | None] = []
    for i in range(width):
        column = [row[i] for row in rows.values() if row[i] is not None]
        sums.append(round(sum(column), 8) if column else None)
    return sums


def contributions(rng: random.Random, year: int) -> dict[str, Any] | None:
    if rng.random() < 0.5:
        return None
    days = sorted(rng.sample(range(1, 365), rng.randint(1, 4)), reverse=True)
    items = [{"date": f"{year + 1}-{month:02d}-{day:02d}", "donors": rng.sample(DONORS, rng.randint(1, 3))}
             for month, day in (_month_day(d) for d in days)]
    return {"note": CONTRIBUTIONS_NOTE, "items": items}


def _month_day(day_of_year: int) -> tuple[int, int]:
    month = min(12, (day_of_year - 1) // 30 + 1)
    return month, min(28, day_of_year - (month - 1) * 30)


def figures_yaml(rng: random.Random, operation: Operation, year: int) -> str:
    """The figures.yaml of one operation-year (docs/content-format.md)."""
    year_end = rng.sample(YEAR_END_FIGURES, rng.randint(3, 5))
    plan = rng.sample(PLAN_FIGURES, rng.randint(3, 5))
    data = {
        "operation": operation.slug,
        "year": year,
        "source": source_name(operation, year),
        "key_figures": [key_figure(rng, spec, year, "year-end") for spec in year_end]
        + [key_figure(rng, spec, year + 1, "plan") for spec in plan],
        "people_of_concern": people_of_concern(rng, year),
        "budget": budget(rng, year),
        "contributions": contributions(rng, year),
    }
    return dump_yaml(data)


# ----------------------------------------------------------------------------------------------- the corpus

OPERATIONS_HEADER = (
    "# The operations of the synthetic benchmark corpus (bench/corpus.py): slug -> display names in English and\n"
    "# French, and ISO 3166-1 alpha-3 country codes.\n"
)


def operations_yaml(operations: Sequence[Operation]) -> str:
    data = {op.slug: {"en": op.name_en, "fr": op.name_fr, "country": list(op.countries)} for op in operations}
    return OPERATIONS_HEADER + dump_yaml(data)


def years_of(count: int) -> list[int]:
    """`count` years ending with 2021 (8 -> 2014..2021)."""
    return list(range(LAST_YEAR - count + 1, LAST_YEAR + 1))


def operation_year_files(operation: Operation, year: int, seed: int, one_language: bool = False
                         ) -> Iterator[tuple[str, str]]:
    """(relative path, text) of every file of one operation-year; `one_language`: each section in English or in
    French only (drawn per section, FRENCH_ALONE_SHARE of them French), the text the same as in the bilingual corpus."""
    base = f"{operation.slug}/{year}"
    for slug in CORPUS_SECTIONS:
        rng = random.Random(f"{seed}/{base}/{slug}")
        alone = None
        if one_language:
            alone = "fr" if random.Random(f"{seed}/{base}/{slug}/lang").random() < FRENCH_ALONE_SHARE else "en"
        files = section_files(operation, year, slug, section_blocks(rng, operation, year, slug), alone)
        for lang, text in files.items():
            yield f"{base}/{slug}.{lang}.md", text
    yield f"{base}/figures.yaml", figures_yaml(random.Random(f"{seed}/{base}/figures"), operation, year)


def write_text(path: Path, text: str) -> None:
    with path.open("wb") as handle:
        handle.write(text.encode("utf-8"))


def generate(out: Path, operations: int = 150, years: int = 8, seed: int = 42, scale: int = 1,
             one_language: bool = False) -> int:
    """Write the corpus under `out`; returns the number of files written. `one_language`: each section in one
    language only (see operation_year_files)."""
    ops = make_operations(operations * scale, seed)
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "operations.yaml", operations_yaml(ops))
    written = 1
    if THEMES_SOURCE.is_file():
        shutil.copyfile(THEMES_SOURCE, out / "themes.yaml")
        written += 1
    for operation in ops:
        for year in years_of(years):
            (out / operation.slug / str(year)).mkdir(parents=True, exist_ok=True)
            for rel, text in operation_year_files(operation, year, seed, one_language):
                write_text(out / rel, text)
                written += 1
    return written


# ----------------------------------------------------------------------------------------------- language check


def language_sample(out: Path, size: int) -> Iterator[tuple[str, str]]:
    """(expected language, paragraph) for about `size` paragraphs spread evenly over the corpus."""
    from indexer.content import split_front_matter, split_paragraphs

    files = sorted(out.rglob("*.md"))
    per_file = 3
    step = max(1, len(files) * per_file // max(size, 1))
    for path in files[::step]:
        _meta, body, _line = split_front_matter(path.read_text(encoding="utf-8"))
        lang = path.name.split(".")[-2]
        for para in split_paragraphs(body)[:per_file]:
            yield lang, para.text


def language_check(out: Path, size: int) -> dict[str, tuple[int, int]]:
    """Share of sampled paragraphs detected as their file's language: plain langdetect, and kb's own detector."""
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    detectors: dict[str, Callable[[str], str | None]] = {"langdetect": detect}
    try:
        from indexer.language import detect as kb_detect

        detectors["indexer.language"] = kb_detect
    except ImportError:
        pass
    sample = list(language_sample(out, size))
    return {name: (sum(fn(text) == lang for lang, text in sample), len(sample)) for name, fn in detectors.items()}


# ----------------------------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="Folder to write the corpus to (created; must be empty).")
    parser.add_argument("--operations", type=int, default=150, help="Operations at scale 1 (default 150).")
    parser.add_argument("--years", type=int, default=8, help="Years per operation, ending in 2021 (default 8).")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=int, default=1, help="Multiply the operations (10: 1,500 operations).")
    parser.add_argument("--force", action="store_true", help="Write into a non-empty folder (files are replaced).")
    parser.add_argument("--one-language", action="store_true",
                        help="Keep each section in one language only: half in English, half in French (originals, "
                             "as the importer writes them).")
    parser.add_argument("--langcheck", type=int, default=0, metavar="N",
                        help="Afterwards, detect the language of about N paragraphs and print the share correct.")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()) and not args.force:
        print(f"{args.out} is not empty (use --force to write into it)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    count = generate(args.out, args.operations, args.years, args.seed, args.scale, args.one_language)
    print(f"wrote {count:,} files to {args.out} in {time.perf_counter() - start:.1f} s")
    if args.langcheck:
        for name, (right, total) in language_check(args.out, args.langcheck).items():
            print(f"{name}: {right}/{total} paragraphs detected as their file's language ({100 * right / total:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
