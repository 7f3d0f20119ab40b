"""kb's own query syntax (kb.engine.query_syntax): the tree it reads, the text it writes back, and that the text
searches what the query typed searches (the Whoosh parser reads both to the same query)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.engine.query_syntax import (
    SEARCHABLE_FIELDS,
    And,
    AndNot,
    Not,
    Or,
    Phrase,
    Range,
    Term,
    Unreadable,
    Wildcard,
    parse,
    to_text,
)
from kb.engine.schema import build_schema
from kb.engine.whoosh_backend import _parser

PARSERS = {lang: _parser(lang, build_schema()) for lang in ("en", "fr")}


def whoosh(text: str, lang: str = "en") -> object:
    return PARSERS[lang].parse(text).normalize()


def test_words_phrases_fields_and_operators_read_as_a_tree() -> None:
    assert parse("birth certificate", SEARCHABLE_FIELDS) == And((Term("birth"), Term("certificate")))
    assert parse('title:"acte de naissance"~2^0.5', SEARCHABLE_FIELDS) == Phrase("acte de naissance", "title", 0.5, 2)
    assert parse("refug* year:[2014 TO 2016]", SEARCHABLE_FIELDS) == And(
        (Wildcard("refug*"), Range("[2014 TO 2016]", "year")))
    assert parse("NOT apatridie", SEARCHABLE_FIELDS) == Not(Term("apatridie"))
    assert parse("mali ANDNOT niger", SEARCHABLE_FIELDS) == AndNot(Term("mali"), Term("niger"))


def test_binding_is_the_engines_not_before_and_before_or_before_andnot_before_words_side_by_side() -> None:
    tree = parse("xa xb OR xc AND xd ANDNOT NOT xe", SEARCHABLE_FIELDS)
    assert tree == And((Term("xa"), AndNot(Or((Term("xb"), And((Term("xc"), Term("xd"))))), Not(Term("xe")))))


def test_a_groups_field_and_boost_go_down_to_its_words_a_words_own_field_wins() -> None:
    tree = parse("title:(xa body_en:xb)^2", SEARCHABLE_FIELDS)
    assert tree == And((Term("xa", "title", 2.0), Term("xb", "body_en", 2.0)))


@pytest.mark.parametrize("text", ["NOT NOT xa", "xa OR", "AND xa", "(xa", "xa)", "foo:bar", "'xa xb'", "xa~2",
                                  "title: xa", "xa(xb)", '""', "*", "[abc]", "xa ANDNOT ANDNOT xb", "()"])
def test_what_it_does_not_read_whole_is_unreadable(text: str) -> None:
    with pytest.raises(Unreadable):
        parse(text, SEARCHABLE_FIELDS)


QUERIES = [
    "birth certificate", "certificats de naissance", '"acte de naissance"', 'title:"birth certificate"~3^2',
    "xa xb OR xc", "xa AND xb OR xc", "xa OR xb AND xc", "NOT xa OR xb", "xa OR NOT xb xc",
    "xx ANDNOT xy xz", "xa ANDMAYBE xb ANDNOT xc", "xa ANDNOT xb ANDNOT xc", "xa ANDNOT xb AND xc",
    "title:(xa xb)^2 xc", "title:(xa body_en:xb)", "(xa (xb OR xc)) NOT xd", "refug* AND year:[2014 TO 2016]",
    "l'accès aux documents d'état civil", "self-reliance theme:education", "Ménaka^0.5 OR \"Gao\"",
    "year:2020 lang:fr rapatriés", "body_fr:(apatridie OR nationalité) title_en:statelessness",
]


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_text_written_back_searches_what_was_typed(text: str, lang: str) -> None:
    assert whoosh(to_text(parse(text, SEARCHABLE_FIELDS)), lang) == whoosh(text, lang)


WORDS = st.sampled_from(["xa", "xb", "refugees", "réfugiés", "de", "the", "mali", "title:xc", "body_fr:xd",
                         '"xe xf"', "xg*", "year:2020", "(", ")", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "^2"])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=8))
def test_any_query_it_reads_is_written_back_to_the_same_search(words: list[str]) -> None:
    text = " ".join(words).replace(" ^2", "^2")
    try:
        tree = parse(text, SEARCHABLE_FIELDS)
    except Unreadable:
        return  # searched as typed, by the engine alone
    assert whoosh(to_text(tree), "en") == whoosh(text, "en"), to_text(tree)
