"""The theme vocabulary (content/themes.yaml) and paragraph tagging (indexer.themes)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.themes import (
    IMPACT_AREAS,
    Vocabulary,
    VocabularyError,
    explain,
    load_themes,
    run_explain,
    tag,
    tag_section,
    term_stems,
)
from kb.cli import main
from kb.engine.schema import analyse
from kb.model import Paragraph, Section

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

OUTCOME_AREAS = {
    "registration-and-documentation": "protect",
    "status-determination": "protect",
    "protection-policy-and-law": "protect",
    "gender-based-violence": "protect",
    "child-protection": "protect",
    "safety-and-access-to-justice": "protect",
    "community-engagement": "empower",
    "well-being-and-basic-needs": "assist",
    "sustainable-housing-and-settlements": "assist",
    "healthy-lives": "assist",
    "education": "assist",
    "water-sanitation-and-hygiene": "assist",
    "livelihoods": "empower",
    "voluntary-repatriation": "solve",
    "resettlement": "solve",
    "local-integration": "solve",
}
OTHER_THEMES = {
    "statelessness": "protect",
    "covid-19": "cross-cutting",
    "security-and-access": "cross-cutting",
    "funding-and-partnerships": "cross-cutting",
    "protection-monitoring": "cross-cutting",
}


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_themes(CONTENT)


def write_vocabulary(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "themes.yaml").write_text(text, encoding="utf-8")
    return folder


TINY = """\
- slug: violence
  impact_area: protect
  label: {en: Violence, fr: Violence}
  terms: {en: [violence], fr: [violence]}
- slug: gbv
  impact_area: protect
  label: {en: GBV, fr: VBG}
  terms: {en: [gender-based violence, rape], fr: [violences basées sur le genre]}
"""


# ---------------------------------------------------------------- the vocabulary


def test_the_vocabulary_has_the_16_outcome_areas_and_the_cross_cutting_themes(vocab: Vocabulary) -> None:
    areas = {theme.slug: theme.impact_area for theme in vocab.themes}
    assert areas == OUTCOME_AREAS | OTHER_THEMES
    assert set(areas.values()) <= set(IMPACT_AREAS)


def test_every_theme_has_labels_and_terms_in_both_languages(vocab: Vocabulary) -> None:
    for theme in vocab.themes:
        assert theme.label("en") and theme.label("fr"), theme.slug
        assert theme.terms["en"] and theme.terms["fr"], theme.slug
    assert vocab.theme("gender-based-violence").label("fr") == "Violences fondées sur le genre"
    assert vocab.theme("voluntary-repatriation").label("fr").startswith("Rapatriement librement consenti")
    assert vocab.theme("statelessness").label("fr") == "Apatridie"
    assert vocab.theme("resettlement").label("fr").startswith("Réinstallation")
    assert vocab.theme("local-integration").label("fr").startswith("Intégration locale")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_words_on_every_page_are_never_triggers_on_their_own(vocab: Vocabulary, lang: str) -> None:
    everywhere = "refugee refugees protection UNHCR HCR réfugiés returnees IDPs assistance support displacement"
    banned = {(stem,) for stem in analyse(everywhere, lang)}
    assert not [entry.term for entry in vocab.entries(lang) if entry.stems in banned]


def test_load_themes_rejects_a_missing_or_malformed_vocabulary(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match="cannot read"):
        load_themes(tmp_path / "nowhere")
    cases = {
        "a: b": "non-empty list",
        "- [1]": "must be a mapping",
        TINY.replace("slug: gbv", "slug: GBV"): "slug must be",
        TINY.replace("slug: gbv", "slug: violence"): "duplicate theme slugs: violence",
        TINY.replace("protect\n  label: {en: GBV", "elsewhere\n  label: {en: GBV"): "impact_area must be",
        TINY.replace("fr: VBG", "fr: ''"): "label.fr",
        TINY.replace("fr: [violences basées sur le genre]", "fr: []"): "terms.fr must be a non-empty list",
        TINY.replace("rape]", "the of]"): "only stop words or numbers",
        TINY + "  colour: red\n": "unknown fields: colour",
        "- slug: [": "cannot read",
    }
    for i, (text, message) in enumerate(cases.items()):
        with pytest.raises(VocabularyError, match=message):
            load_themes(write_vocabulary(tmp_path / str(i), text))


def test_load_themes_sees_an_edited_file(tmp_path: Path) -> None:
    folder = write_vocabulary(tmp_path, TINY)
    assert "gbv" in load_themes(folder).tag("a rape case", "en")
    write_vocabulary(folder, TINY.replace("rape]", "sexual abuse]"))
    assert load_themes(folder).tag("a rape case", "en") == {}


# ---------------------------------------------------------------- tagging


def test_terms_match_on_stems_across_inflections_and_accents(vocab: Vocabulary) -> None:
    assert vocab.tag("Two birth certificates were issued.", "en") == {
        "registration-and-documentation": ["birth certificates"]
    }
    assert vocab.tag("Des actes de naissance ont été délivrés.", "fr") == {
        "registration-and-documentation": ["actes de naissance"]
    }
    assert vocab.tag("Les refugies apatrides", "fr") == vocab.tag("Les réfugiés apatrides", "fr") != {}
    assert term_stems("réfugiés", "fr") == term_stems("refugies", "fr")


def test_a_phrase_needs_its_words_in_a_row(vocab: Vocabulary) -> None:
    assert vocab.tag("a solar panel for the radio station", "en") == {}
    assert vocab.tag("They listened to solar radios.", "en") == {"education": ["solar radios"]}


def test_the_longest_term_wins_and_consumes_its_words(tmp_path: Path) -> None:
    tiny = load_themes(write_vocabulary(tmp_path, TINY))
    assert tiny.tag("Gender-based violence and violence", "en") == {
        "gbv": ["Gender-based violence"],
        "violence": ["violence"],
    }
    assert tiny.tag("Prévenir les violences basées sur le genre.", "fr") == {"gbv": ["violences basées sur le genre"]}


def test_numbers_are_ignored_and_words_are_shown_whole(vocab: Vocabulary) -> None:
    en = vocab.tag("UNHCR was unable to register 17,041 refugees and gave 2,640 COVID-19 kits.", "en")
    assert en == {"covid-19": ["COVID-19"], "registration-and-documentation": ["unable to register"]}
    fr = vocab.tag("Le HCR n'a pas pu enregistrer 17 041 réfugiés.", "fr")
    assert fr == {"registration-and-documentation": ["pu enregistrer"]}


def test_each_word_is_listed_once_in_order_of_appearance(vocab: Vocabulary) -> None:
    found = vocab.tag("Classrooms, solar radios and more classrooms; schools.", "en")
    assert found == {"education": ["Classrooms", "solar radios", "classrooms", "schools"]}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("UNHCR provided protection and assistance to refugees, returnees and IDPs.", "en"),
        ("Le HCR a fourni protection et assistance aux réfugiés, aux rapatriés et aux déplacés internes.", "fr"),
        ("The legislative elections were contested.", "en"),
        ("Les élections législatives ont été contestées.", "fr"),
        ("", "en"),
        ("2020 2021 — 12,500", "fr"),
    ],
)
def test_ordinary_words_give_no_theme(vocab: Vocabulary, text: str, lang: str) -> None:
    assert vocab.tag(text, lang) == {}


# English sentence, its French translation, the one theme both must get (Global Focus key figures and the like).
BILINGUAL = [
    ("4,265 people of concern benefited from cash assistance",
     "4 265 personnes relevant de la compétence du HCR ont bénéficié d'une assistance en espèces",
     "well-being-and-basic-needs"),
    ("3,336 households were provided with safe and secured shelters",
     "3 336 ménages ont reçu des abris sûrs et sécurisés", "sustainable-housing-and-settlements"),
    ("2,679 households were provided with core relief items",
     "2 679 ménages ont reçu des articles de secours essentiels", "well-being-and-basic-needs"),
    ("122 sensitization sessions on social cohesion were organized",
     "122 séances de sensibilisation sur la cohésion sociale ont été organisées", "community-engagement"),
    ("27 classrooms were constructed and equipped", "27 salles de classe ont été construites et équipées", "education"),
    ("100% of people of concern will be registered on an individual basis",
     "100 % des personnes relevant de la compétence du HCR seront enregistrées sur une base individuelle",
     "registration-and-documentation"),
    ("100% of targeted households will see their basic needs met with multi-purpose cash grants or vouchers",
     "100 % des ménages ciblés verront leurs besoins essentiels couverts par des transferts monétaires à usages "
     "multiples ou des coupons", "well-being-and-basic-needs"),
    ("100% of refugees with an intention to return home will be assisted to voluntarily repatriate",
     "100 % des réfugiés souhaitant rentrer bénéficieront d'une aide au rapatriement librement consenti",
     "voluntary-repatriation"),
    ("100% of people of concern in need of resettlement will be submitted for resettlement",
     "100 % des personnes ayant besoin d'une réinstallation seront présentées en vue d'une réinstallation",
     "resettlement"),
    ("Unaccompanied and separated children received best interests assessments.",
     "Les enfants non accompagnés et séparés ont bénéficié d'une évaluation de l'intérêt supérieur.",
     "child-protection"),
    ("New latrines and boreholes improved access to drinking water and hygiene.",
     "De nouvelles latrines et de nouveaux forages ont amélioré l'accès à l'eau potable et à l'hygiène.",
     "water-sanitation-and-hygiene"),
    ("Legal aid was provided to asylum-seekers in detention.",
     "Une aide juridique a été fournie aux demandeurs d'asile en détention.", "safety-and-access-to-justice"),
    ("Women's participation in refugee committees increased.",
     "La participation des femmes aux comités de réfugiés a augmenté.", "community-engagement"),
    ("Camp coordination and camp management (CCCM) was led by UNHCR.",
     "La coordination et la gestion des camps (CCCM) ont été dirigées par le HCR.",
     "sustainable-housing-and-settlements"),
]


@pytest.mark.parametrize(("en", "fr", "slug"), BILINGUAL, ids=[slug for _, _, slug in BILINGUAL])
def test_a_sentence_and_its_translation_get_the_same_theme(vocab: Vocabulary, en: str, fr: str, slug: str) -> None:
    assert set(vocab.tag(en, "en")) == set(vocab.tag(fr, "fr")) == {slug}


def test_a_term_can_give_two_themes(vocab: Vocabulary) -> None:
    assert set(vocab.tag("The nationality law was amended.", "en")) == {"protection-policy-and-law", "statelessness"}
    assert set(vocab.tag("Le code de la nationalité a été modifié.", "fr")) == {
        "protection-policy-and-law",
        "statelessness",
    }


def test_tag_uses_the_vocabulary_it_is_given(vocab: Vocabulary) -> None:
    assert tag("distance education via solar radios", "en", vocab) == {
        "education": ["distance education", "solar radios"]}


def test_tag_section_fills_each_paragraph(vocab: Vocabulary) -> None:
    paragraphs = [Paragraph(1, "Des radios solaires et des salles de classe."), Paragraph(2, "Rien ici.")]
    section = Section(
        path=Path("x.fr.md"), title="t", operation="mali", country=["MLI"], year=2020, report="year-end",
        section="key-achievements", lang="fr", translation_key="mali/2020/key-achievements", source="s",
        paragraphs=paragraphs, themes=["covid-19"],
    )
    tag_section(section, vocab)
    assert [para.themes for para in section.paragraphs] == [["education"], []]
    assert section.all_themes() == ["covid-19", "education"]


def test_tagging_is_fast(vocab: Vocabulary) -> None:
    text = (
        "UNHCR supported the Government's response to COVID-19 by providing 2,640 COVID-19 kits to vulnerable "
        "households and donating nine ambulances to the Ministry of Health, while school infrastructure needs "
        "remained unmet in some refugee-hosting areas and durable shelter solutions were constrained."
    )
    best = min(_seconds_per_call(vocab, text) for _ in range(3))
    assert best < 0.001, f"{best * 1e6:.0f} µs per paragraph"


def _seconds_per_call(vocab: Vocabulary, text: str, calls: int = 300) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        vocab.tag(text, "en")
    return (time.perf_counter() - start) / calls


# ---------------------------------------------------------------- kb themes --explain


SECTION = """\
---
title: Key achievements
operation: mali
country: MLI
year: 2020
report: year-end
section: key-achievements
lang: {lang}
translation_key: mali/2020/key-achievements
source: test
themes: [covid-19]
---

- Distance education via solar radios and new classrooms.
- Nothing to see here.
"""


def test_explain_lists_each_paragraph_its_themes_and_their_words(tmp_path: Path) -> None:
    path = tmp_path / "key-achievements.en.md"
    path.write_text(SECTION.format(lang="en"), encoding="utf-8")
    lines = explain(path, CONTENT).splitlines()
    assert lines[1:] == [
        "¶1  education",
        '    education: "Distance education", "solar radios", "classrooms"',
        "¶2  (no theme)",
        "set by hand in the front matter: covid-19",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "cannot read"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        ("no front matter here\n", "no front matter"),
        ("---\ntitle: [\n---\nbody\n", "invalid YAML"),
        (SECTION.format(lang="de"), "lang must be one of en, fr"),
    ],
)
def test_run_explain_reports_a_bad_file_on_one_line_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | bytes | None, message: str
) -> None:
    path = tmp_path / "section.en.md"
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text, encoding="utf-8")
    assert run_explain(path, CONTENT) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and message in err and err.startswith("kb themes: ")


def test_run_explain_reports_a_missing_vocabulary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "key-achievements.fr.md"
    path.write_text(SECTION.format(lang="fr"), encoding="utf-8")
    assert run_explain(path, tmp_path / "empty") == 2
    assert "themes.yaml" in capsys.readouterr().err


def test_kb_themes_explain_on_a_missing_file_exits_2_without_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["themes", "--explain", str(tmp_path / "nope.en.md")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "kb themes: " in result.stderr and len(result.stderr.splitlines()) == 1


# ---------------------------------------------------------------- the Mali 2020 corpus, pinned paragraph by paragraph

MALI = CONTENT / "mali" / "2020"
REG, RSD, POLICY = "registration-and-documentation", "status-determination", "protection-policy-and-law"
GBV, HOUSING, HEALTH = "gender-based-violence", "sustainable-housing-and-settlements", "healthy-lives"
BASIC_NEEDS, RETURN, LOCAL = "well-being-and-basic-needs", "voluntary-repatriation", "local-integration"
COVID, SECURITY, FUNDING = "covid-19", "security-and-access", "funding-and-partnerships"
MONITORING, STATELESS, LIVELIHOODS, EDUCATION = "protection-monitoring", "statelessness", "livelihoods", "education"

# (section, ¶n) -> themes: the same for the English file and its French translation.
MALI_THEMES: dict[tuple[str, int], set[str]] = {
    ("operational-context", 1): {SECURITY},  # security incidents, humanitarian access
    ("operational-context", 2): {COVID},  # COVID-19 pandemic (not "legislative elections")
    ("operational-context", 3): set(),  # the political transition
    ("population-trends", 1): {SECURITY},  # insecurity, intercommunal violence, military operations
    ("key-achievements", 1): {MONITORING},
    ("key-achievements", 2): {GBV},  # gender-based violence, One Stop Centre
    ("key-achievements", 3): {COVID, HEALTH},  # COVID-19 kits; ambulances, Ministry of Health
    ("key-achievements", 4): {EDUCATION},  # distance education, solar radios, classrooms
    ("key-achievements", 5): {HOUSING},  # shelter
    ("key-achievements", 6): {RSD},  # eligibility officers, refugee status determination
    ("key-achievements", 7): {POLICY, STATELESS},  # national action plan, statelessness
    ("unmet-needs", 1): {REG, FUNDING, COVID, SECURITY},  # unable to register; financial constraints; COVID; security
    ("unmet-needs", 2): {EDUCATION},  # school infrastructure
    ("unmet-needs", 3): {RETURN, COVID, SECURITY},  # voluntary return; pandemic; humanitarian access, security
    ("unmet-needs", 4): {REG},  # child documentation, birth certificate
    ("unmet-needs", 5): {HOUSING, LIVELIHOODS},  # durable shelter, self-reliance
    ("flexible-funding", 1): {FUNDING, GBV, HOUSING},  # flexible funding; GBV; camp management and coordination
    ("flexible-funding", 2): {FUNDING, SECURITY},  # flexible funding; deteriorating security situation
    ("working-environment", 1): {SECURITY, FUNDING},  # armed insurgencies; nexus, development partners
    ("working-environment", 2): {POLICY, REG},  # open-door policy, ratified conventions; registration and docs
    ("working-environment", 3): {FUNDING},  # partnership with NGOs and UN agencies
    ("key-priorities", 1): set(),  # the strategic frameworks the priorities serve
    ("key-priorities", 2): {RETURN},  # dignified return and reintegration
    ("key-priorities", 3): {REG, STATELESS},  # registration sites, civil documentation, prevent statelessness
    ("key-priorities", 4): {FUNDING},  # collaboration with humanitarian and development actors
    ("key-priorities", 5): {MONITORING},
    ("key-priorities", 6): {LOCAL},  # naturalisation, local integration
    ("key-priorities", 7): {RSD},  # granting of refugee status
    ("key-priorities", 8): {LIVELIHOODS},  # self-reliance, socio-economic activities
    ("key-priorities", 9): {POLICY, STATELESS},  # national legislation; statelessness protection
    ("key-priorities", 10): {LIVELIHOODS, BASIC_NEEDS},  # self-reliance; basic needs
}


def mali_paragraphs(lang: str) -> dict[tuple[str, int], Paragraph]:
    from indexer.content import split_front_matter, split_paragraphs

    found: dict[tuple[str, int], Paragraph] = {}
    for path in sorted(MALI.glob(f"*.{lang}.md")):
        _, body, line = split_front_matter(path.read_text(encoding="utf-8"))
        for para in split_paragraphs(body, line):
            found[(path.name.split(".")[0], para.n)] = para
    return found


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_mali_paragraph_is_pinned(lang: str) -> None:
    assert set(mali_paragraphs(lang)) == set(MALI_THEMES)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("key", sorted(MALI_THEMES), ids=lambda key: f"{key[0]}-p{key[1]}")
def test_mali_paragraph_themes(vocab: Vocabulary, lang: str, key: tuple[str, int]) -> None:
    para = mali_paragraphs(lang)[key]
    assert set(vocab.tag(para.text, lang)) == MALI_THEMES[key], para.text


def test_each_mali_paragraph_and_its_translation_get_the_same_themes(vocab: Vocabulary) -> None:
    english, french = mali_paragraphs("en"), mali_paragraphs("fr")
    assert set(english) == set(french)
    differ = {
        key: (sorted(vocab.tag(english[key].text, "en")), sorted(vocab.tag(french[key].text, "fr")))
        for key in english
        if set(vocab.tag(english[key].text, "en")) != set(vocab.tag(french[key].text, "fr"))
    }
    assert differ == {}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_trigger_fires_on_more_than_half_of_the_mali_paragraphs(vocab: Vocabulary, lang: str) -> None:
    paragraphs = list(mali_paragraphs(lang).values())
    fired: dict[str, int] = {}
    for para in paragraphs:
        for term in {match.entry.term for match in vocab.matches(para.text, lang)}:
            fired[term] = fired.get(term, 0) + 1
    assert {term: n for term, n in fired.items() if n > len(paragraphs) / 2} == {}


def test_kb_themes_explain_shows_the_words_behind_each_theme() -> None:
    path = MALI / "key-achievements.en.md"
    result = CliRunner().invoke(main, ["themes", "--explain", str(path), "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "¶4  education" in lines
    education = lines[lines.index("¶4  education") + 1]
    assert education.startswith("    education: ") and '"solar radios"' in education and '"classrooms"' in education
    assert "¶2  gender-based-violence" in lines
    assert '    gender-based-violence: "gender-based violence", "One Stop Centre"' in lines
    assert "¶3  covid-19, healthy-lives" in lines


def test_the_fast_slugs_path_agrees_with_tag_everywhere() -> None:
    """Indexing uses Vocabulary.themes_of (no character offsets); it must find exactly what tag() explains."""
    from indexer.content import split_front_matter, split_paragraphs
    from indexer.themes import load_themes

    root = Path(__file__).resolve().parent.parent
    vocabulary = load_themes(root / "content")
    checked = 0
    for path in sorted((root / "content").rglob("*.md")):
        lang = path.name.split(".")[-2]
        _meta, body, line = split_front_matter(path.read_text(encoding="utf-8"))
        for para in split_paragraphs(body, line):
            assert vocabulary.themes_of(para.text, lang) == sorted(vocabulary.tag(para.text, lang)), (path, para.n)
            checked += 1
    assert checked >= 62
