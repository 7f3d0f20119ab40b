"""Cross-language expansion (kb.engine.expansion) on kb's parsed query, with the small test glossary: matched after
analysis, longest first; equivalents ranked below the words typed; phrases stay phrases; fields and boolean structure
kept. No index is needed: the expansion is engine-neutral."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.glossary import load_glossary
from kb.engine.expansion import EQUIVALENT_BOOST, expand
from kb.engine.glossary import Glossary
from kb.engine.query_syntax import SEARCHABLE_FIELDS, And, Not, Or, Phrase, Term, Unreadable, leaves, parse, to_text

SMALL = Path(__file__).parent / "glossary_small.yaml"
B = EQUIVALENT_BOOST


@pytest.fixture(scope="module")
def glossary(tmp_path_factory: pytest.TempPathFactory) -> Glossary:
    content = tmp_path_factory.mktemp("content")
    (content / "glossary.yaml").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    entries, problems = load_glossary(content)
    assert problems == []
    return Glossary.compile(entries)


def expanded(glossary: Glossary, text: str, into: str) -> tuple[str, list]:
    node, matches = expand(parse(text, SEARCHABLE_FIELDS), glossary, into)
    return to_text(node), matches


def test_an_english_term_adds_its_french_equivalents_as_phrases_ranked_below(glossary: Glossary) -> None:
    node, matches = expand(parse("birth certificate", SEARCHABLE_FIELDS), glossary, "fr")
    assert node == Or((And((Term("birth"), Term("certificate"))), Phrase("acte de naissance", None, B),
                       Phrase("certificat de naissance", None, B)))
    assert 0 < B < 1
    assert [(m.typed, m.lang, m.into, m.equivalents) for m in matches] == [
        ("birth certificate", "en", "fr", ("acte de naissance", "certificat de naissance"))]
    assert expand(parse("birth certificate", SEARCHABLE_FIELDS), glossary, "en")[1] == []  # no English added


@pytest.mark.parametrize("typed", ["certificats de naissance", "Certificat de Naissance", "actes de naissance"])
def test_french_words_match_after_stemming_accents_and_stop_words(glossary: Glossary, typed: str) -> None:
    text, matches = expanded(glossary, typed, "en")
    assert text == f'({typed}) OR "birth certificate"^{B}'
    assert matches[0].typed == typed


def test_the_longest_term_wins_and_other_words_stay_as_typed(glossary: Glossary) -> None:
    text, matches = expanded(glossary, "Gao internally displaced persons 2019", "en")
    assert text == (f'Gao ((internally displaced persons) OR "internally displaced people"^{B} OR IDPs^{B}) 2019')
    # in the language typed: every word required, synonyms beside them
    text, matches = expanded(glossary, "Gao internally displaced persons 2019", "fr")
    assert text == (f'((internally displaced persons) OR "personnes déplacées internes"^{B} OR PDI^{B}) '
                    "ANDMAYBE (Gao OR 2019)")  # a term of more than MAX_TOKENS words is not searched
    assert [m.typed for m in matches] == ["internally displaced persons"]


def test_in_the_other_language_words_its_texts_never_have_only_rank(glossary: Glossary) -> None:
    never = {("mobile", "fr"), ("teams", "fr")}
    tree = parse("statelessness mobile teams Gao", SEARCHABLE_FIELDS)
    node, _ = expand(tree, glossary, "fr", lambda word, lang: (word, lang) in never)
    assert to_text(node) == f"((statelessness OR apatridie^{B}) Gao) ANDMAYBE (mobile OR teams)"
    assert expand(tree, glossary, "en", lambda word, lang: True)[0] == tree  # nothing added: nothing loosened


def test_a_term_of_the_language_typed_adds_its_synonyms_there(glossary: Glossary) -> None:
    text, matches = expanded(glossary, "certificat de naissance", "fr")
    assert text == f'(certificat de naissance) OR "acte de naissance"^{B}'
    assert [(m.lang, m.into, m.equivalents) for m in matches] == [("fr", "fr", ("acte de naissance",))]


def test_a_phrase_stays_a_phrase_and_a_single_word_equivalent_is_a_word(glossary: Glossary) -> None:
    assert expanded(glossary, '"acte de naissance"', "en")[0] == f'"acte de naissance" OR "birth certificate"^{B}'
    assert expanded(glossary, "apatridie", "en")[0] == f"apatridie OR statelessness^{B}"


def test_an_equivalent_inside_a_not_is_excluded_too(glossary: Glossary) -> None:
    node, _ = expand(parse("mali NOT apatridie", SEARCHABLE_FIELDS), glossary, "en")
    assert node == And((Term("mali"), Not(Or((Term("apatridie"), Term("statelessness", None, B))))))
    assert expanded(glossary, "mali ANDNOT statelessness", "fr")[0] == f"mali ANDNOT (statelessness OR apatridie^{B})"


def test_a_field_qualified_term_expands_within_the_same_field_of_the_other_language(glossary: Glossary) -> None:
    assert expanded(glossary, "title_en:statelessness", "fr")[0] == f"title_en:statelessness OR title_fr:apatridie^{B}"
    assert expanded(glossary, "title:apatridie", "en")[0] == f"title:apatridie OR title:statelessness^{B}"
    assert expanded(glossary, "theme:statelessness", "fr")[1] == []  # not a text field


def test_boolean_structure_is_kept_around_the_matches(glossary: Glossary) -> None:
    text, _ = expanded(glossary, "(statelessness OR IDPs) AND year:2020", "fr")
    assert text == (f'((statelessness OR apatridie^{B}) OR (IDPs OR "personnes déplacées internes"^{B} OR '
                    f"PDI^{B})) year:2020")


def test_what_the_words_already_search_is_not_added_and_prefixes_are_left_alone(glossary: Glossary) -> None:
    text, matches = expanded(glossary, "covid-19", "fr")
    assert text == "covid-19" and matches == []
    assert expanded(glossary, "apatrid*", "en")[1] == []
    assert expanded(glossary, "apatridie^2", "en")[1] == []  # a boost of its own: the researcher's weighting


def test_an_empty_glossary_changes_nothing() -> None:
    tree = parse("birth certificate", SEARCHABLE_FIELDS)
    assert expand(tree, Glossary(), "fr") == (tree, [])


WORDS = st.sampled_from(["birth", "certificate", "certificats", "de", "naissance", "apatridie", "IDPs", "PDI",
                         "statelessness", "title:apatridie", "body_en:statelessness", '"acte de naissance"', "mali",
                         "(", ")", "AND", "OR", "NOT", "ANDNOT", "refug*", "year:2020"])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=8))
def test_any_expanded_query_reads_back_and_keeps_what_was_typed(glossary: Glossary, words: list[str]) -> None:
    text = " ".join(words)
    try:
        tree = parse(text, SEARCHABLE_FIELDS)
    except Unreadable:
        return
    for into in ("en", "fr"):
        node, matches = expand(tree, glossary, into)
        assert parse(to_text(node), SEARCHABLE_FIELDS) == node  # kb's syntax reads its own output back
        typed = list(leaves(tree))
        kept = [leaf for leaf in leaves(node) if leaf.boost != B or leaf in typed]
        assert Counter(kept) == Counter(typed)  # every word typed is still searched; only equivalents were added
        if not any(m.equivalents for m in matches):
            assert node == tree
