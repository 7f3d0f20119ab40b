"""What the engine keeps between searches changes no answer: the same search with its caches cold, warm and switched
off gives the same hits, totals and facet counts; a section looked up by its doc_id is the one Whoosh finds, also
after an incremental build that left deleted documents in an older segment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.engine import query_syntax
from kb.engine.backend import Query, QueryError
from kb.engine.query_syntax import SEARCHABLE_FIELDS
from kb.engine.whoosh_backend import WhooshBackend, _cap_expansions, _expanded
from kb.settings import DEFAULTS
from tests.support import Site, build, clone_site, edit, glossary_site

QUERIES = ["refugees", "réfugiés education", '"birth certificate"', "protection NOT monitoring", "theme:education",
           '"people of concern" OR shelter', "acte de naissance", "(returns OR returnees) AND protection"]
FACETS = ("year", "theme", "section", "operation", "lang")


def answer(backend: WhooshBackend, text: str) -> tuple:
    result = backend.search(Query(text=text, limit=20, facets=FACETS))
    return (result.total, [(h.fields["doc_id"], round(h.score, 4), h.paragraphs, h.themes) for h in result.hits],
            result.facets)


@pytest.mark.parametrize("text", QUERIES)
def test_caches_change_no_answer(built_site: Site, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    warm = WhooshBackend(built_site.instance / "index", cache_size=0)
    for other in QUERIES:  # fill the term, phrase and paragraph caches with every query's words first
        answer(warm, other)
    monkeypatch.setitem(DEFAULTS, "term_cache_mb", 0)
    monkeypatch.setitem(DEFAULTS, "unit_cache_mb", 0)
    cold = WhooshBackend(built_site.instance / "index", cache_size=0)
    expected = answer(cold, text)
    assert expected[0] > 0, "the query should find something in the Mali corpus"
    assert answer(warm, text) == expected
    assert answer(warm, text) == expected  # asked again: from the caches alone


def every_doc_id(backend: WhooshBackend) -> list[str]:
    reader = backend._generation().searcher().reader()
    return [fields["doc_id"] for _, fields in reader.iter_docs()]


def test_sections_found_by_doc_id_as_whoosh_finds_them(built_site: Site, tmp_path: Path) -> None:
    content, instance = clone_site(built_site, tmp_path)
    edit(content / "mali" / "2020" / "unmet-needs.en.md", "UNHCR", "UNHCR (edited)")  # a deleted document stays
    assert build(content, instance).changed  # in the older segment, not live
    backend = WhooshBackend(instance / "index")
    searcher = backend._generation().searcher()
    ids = every_doc_id(backend)
    assert "mali/2020/unmet-needs/en" in ids and any("key-figures" in i for i in ids)
    for doc_id in ids:
        assert backend.get(doc_id) == dict(searcher.document(doc_id=doc_id)), doc_id
    assert "(edited)" in str(backend.get("mali/2020/unmet-needs/en")["paragraphs"])
    for missing in ("mali/2020/unmet-needs/de", "mali/1999/unmet-needs/en", "nowhere/2020/unmet-needs/en", "a/b",
                    "mali/2020/unmet-needs/en/extra", ""):
        assert backend.get(missing) is None


WORDS = ["refugees", "réfugiés", "the", "de", "la", "and", "or", "Or", "NOTE", "ORGANISATION", "ANDROID", "COVID-19",
         "U.N.H.C.R", "1,200", "2020", "l'éducation", "peace-humanitarian-development", "état", "ÉTAT", "x", "a.b",
         "sub-saharan", "Liptako-Gourma", "-", "--", ".", ",", "3.5", "naïve", "œuvre", "straße", "_", "abc_def",
         '"birth certificate"', '"acte de naissance"~2', '"the"', '"people of concern"', '"covid-19 pandemic"',
         '"l\'éducation des filles"', '""', '"x"', '"U.N.H.C.R office"', '"refugees"^2', '"funding gap"^0.5',
         "refug*", "ré?ugiés", "title:shelter", "year:2020",
         "year:[2019 TO 2020]", "theme:education", "body_fr:retour", "^2", "^0.5", "(", ")", "AND", "OR", "NOT",
         "ANDNOT", "ANDMAYBE", "REQUIRE", "lang:fr", "section:unmet-needs", "title:(shelter OR abri)"]


def composed_and_whoosh(site: Site, text: str, lang: str) -> tuple[object, object] | None:
    """kb's composition of the query's tree and Whoosh's parse of its text (None: kb's syntax does not read it)."""
    gen = shared_backend(site)._generation()
    try:
        tree = query_syntax.parse(text, SEARCHABLE_FIELDS)
    except query_syntax.Unreadable:
        return None
    composed = gen.parses.compose(lang, tree)
    try:  # the text the tree writes back: the typed one but for a group's boost, which goes to its leaves
        whole = _cap_expansions(gen.parsers[lang].parse(query_syntax.to_text(tree)), gen.searcher().reader())
    except QueryError as err:
        whole = str(err)
    return composed, whole


@given(st.lists(st.sampled_from(WORDS) | st.from_regex(r"[\w.,\-]{1,12}", fullmatch=True), min_size=1, max_size=7),
       st.sampled_from(["en", "fr"]))
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_queries_composed_from_their_leaves_are_whooshs_parse(built_site: Site, words: list[str], lang: str) -> None:
    """The parse put together from its leaves' parses (kb.engine.whoosh_backend.Parses) is Whoosh's parse of the
    whole text (as kb's syntax writes it back: tests/test_query_syntax.py shows that it searches what was typed), or
    the query is left to Whoosh's parser."""
    text = " ".join(words).replace(" ^", "^")
    try:
        both = composed_and_whoosh(built_site, text, lang)
    except QueryError as err:  # a leaf's error (refug? with one letter, '*' alone) is the whole query's
        gen = shared_backend(built_site)._generation()
        with pytest.raises(QueryError) as whole:
            _cap_expansions(gen.parsers[lang].parse(text), gen.searcher().reader())  # as typed: the same error
        assert str(whole.value) == str(err)
        return
    if both is None or both[0] is None:
        return
    composed, whole = both
    if composed != whole and "^" in text and not isinstance(whole, str):
        # Whoosh's parser folds two leaves whose parses are equal but for a boost ("refugees^2 OR refugees") into
        # one boosted group (a quirk of its whole-text parse); kb keeps both leaves: the same documents match
        gen = shared_backend(built_site)._generation()
        assert np.array_equal(gen.evaluator().run(composed)[0], gen.evaluator().run(whole)[0]), text
    else:
        assert composed == whole, text
    assert composed_and_whoosh(built_site, text, lang)[0] == composed  # the second time from the remembered leaves


def test_glossary_expansions_compose_as_whoosh_parses_them(built_site: Site, tmp_path: Path) -> None:
    site, applied = glossary_site(built_site, tmp_path), 0
    for text in ["birth certificate", "certificats de naissance", "acte de naissance", "statelessness AND women",
                 "internally displaced persons OR refugees", '"civil documentation"', "apatridie NOT enfants"]:
        backend = WhooshBackend(site.instance / "index")
        gen = backend._generation()
        texts, trees, expansion = _expanded(text, ("en", "fr"), gen.glossary, True, gen.absent)
        applied += expansion.applied
        for lang in ("en", "fr"):
            whole = _cap_expansions(gen.parsers[lang].parse(texts[lang]), gen.searcher().reader())
            assert gen.parses.compose(lang, trees[lang]) == whole, (text, lang)
    assert applied >= 4  # most of them have equivalents in the test glossary


_BACKENDS: dict[Path, WhooshBackend] = {}


def shared_backend(site: Site) -> WhooshBackend:
    return _BACKENDS.setdefault(site.instance, WhooshBackend(site.instance / "index"))


@pytest.mark.parametrize("text", ["title:(situation OR context)^2", "(refugees OR réfugiés)^0.5 Mali",
                                  "(refugees (returnees OR protection))^3"])
def test_a_groups_boost_on_its_leaves_scores_as_on_the_group(built_site: Site, text: str) -> None:
    """kb's syntax carries a group's boost down to its leaves: the documents and scores are Whoosh's for the text
    as typed."""
    gen, found = shared_backend(built_site)._generation(), 0
    for lang in ("en", "fr"):
        typed = gen.evaluator().run(gen.parsers[lang].parse(text))
        composed = gen.evaluator().run(gen.parses.compose(lang, query_syntax.parse(text, SEARCHABLE_FIELDS)))
        assert (typed[0] == composed[0]).all()
        assert abs(typed[1] - composed[1]).max() < 1e-4
        found += typed[0].sum()
    assert found


def test_the_warmer_reads_the_commonest_words_within_half_the_budgets(built_site: Site,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DEFAULTS, "term_cache_mb", 1)  # small budgets, so that the Mali corpus reaches them
    monkeypatch.setitem(DEFAULTS, "unit_cache_mb", 1)
    backend = WhooshBackend(built_site.instance / "index", cache_size=0)
    words = backend.warm()
    gen = backend._generation()
    assert words > 20 and len(gen.vectors.scored) >= words and len(gen.paragraphs.terms) > 10
    assert gen.vectors.scored.nbytes <= 0.5 * gen.vectors.scored.budget + 200_000  # the last word may pass it
    assert ("body_en", "refuge") in gen.paragraphs.terms._items  # "refugees": among the commonest English words
    monkeypatch.setitem(DEFAULTS, "term_cache_mb", 0)
    monkeypatch.setitem(DEFAULTS, "unit_cache_mb", 0)
    cold = WhooshBackend(built_site.instance / "index", cache_size=0)
    for text in QUERIES:
        assert answer(backend, text) == answer(cold, text)


def test_kb_serve_warms_the_index_before_it_listens_and_says_so(built_site: Site,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import waitress
    from click.testing import CliRunner

    from kb.cli import main
    monkeypatch.setattr(waitress, "serve", lambda app, **options: None)  # listen: not in a test
    done = CliRunner().invoke(main, ["serve", "--instance", str(built_site.instance), "--port", "5999"])
    assert done.exit_code == 0, done.output
    assert "commonest words read in" in done.output and "kb serving on" in done.output
    nowhere = str(built_site.instance.parent / "none")
    empty = CliRunner().invoke(main, ["serve", "--instance", nowhere, "--port", "5999"])
    assert empty.exit_code == 0 and "the index was not warmed: no index at" in empty.output, empty.output


@pytest.mark.parametrize("text", [*QUERIES, "NOT refugees", "refugees NOT (protection OR education)",
                                  "theme:education NOT école", '"acte de naissance" OR "birth certificate"'])
def test_each_languages_part_holds_in_the_same_paragraphs_evaluated_apart(built_site: Site, text: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A query's part per language (`... AND lang:en`) is evaluated over that language's paragraphs only: the
    paragraphs found are those of the evaluation over every paragraph."""
    from kb.engine import paragraphs

    backend = shared_backend(built_site)
    gen = backend._generation()
    parsed = backend.parse(gen, text, ("en", "fr"))
    everywhere = np.ones(len(gen.table.live), dtype=bool)
    apart = paragraphs.ParagraphEvaluator(gen.paragraphs, gen.evaluator(), everywhere).evaluate(parsed)
    monkeypatch.setattr(paragraphs, "_language_part", lambda node: None)
    together = paragraphs.ParagraphEvaluator(gen.paragraphs, gen.evaluator(), everywhere).evaluate(parsed)
    assert (apart == together).all() and len(apart) == len(gen.paragraphs.keys)
