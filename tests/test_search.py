"""The search layer over the Mali corpus: both languages, stemming and accents, facets, snippets, errors."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from kb.engine.stored import decode
from kb.engine.whoosh_backend import WhooshBackend
from kb.search import ParamError, SearchPage, SearchParams, SearchService
from tests.support import Site


@pytest.fixture(scope="module")
def service(built_site: Site) -> SearchService:
    return SearchService(WhooshBackend(built_site.instance / "index"))


def run(service: SearchService, ui: str = "en", **args) -> object:
    pairs = []
    for key, value in args.items():
        pairs += [(key, v) for v in (value if isinstance(value, list) else [value])]
    return service.search(SearchParams.from_args(MultiDict(pairs)), ui_lang=ui, base="/")


def ids(page: SearchPage) -> list[str]:
    return [h.doc_id for h in page.hits]


@pytest.mark.parametrize("word", ["refugies", "réfugiés", "réfugié", "Réfugiés"])
def test_french_words_match_with_or_without_accents(service: SearchService, word: str) -> None:
    page = run(service, q=word, lang="fr")
    assert page.total >= 5
    assert all(h.lang == "fr" for h in page.hits)


@pytest.mark.parametrize("word", ["register", "registered", "registration"])
def test_english_word_forms_match(service: SearchService, word: str) -> None:
    page = run(service, q=word, lang="en")
    found = set(ids(page))
    assert {"mali/2020/unmet-needs/en", "mali/2020/working-environment/en"} <= found


@pytest.mark.parametrize("word", ["Ménaka", "Menaka", "MENAKA"])
def test_place_names_match_with_or_without_accents_in_both_languages(service: SearchService, word: str) -> None:
    # the English page writes "Menaka", the French "Ménaka": a researcher may type either
    found = set(ids(run(service, q=word)))
    assert {"mali/2020/key-achievements/en", "mali/2020/key-achievements/fr"} <= found


def test_a_year_in_the_query_keeps_that_years_documents(service: SearchService) -> None:
    # `year:` is a numeric field: its terms are encoded numbers, evaluated per document (they once broke the page)
    page = run(service, q="year:2020 refugees")
    assert page.error is None and page.total > 0 and {h.year for h in page.hits} == {2020}
    assert run(service, q="year:1999 refugees").total == 0


def test_andmaybe_keeps_the_first_words_documents_and_require_needs_both(service: SearchService) -> None:
    maybe, first = run(service, q="education ANDMAYBE refugees", per_page=100), run(service, q="education",
                                                                                  per_page=100)
    assert maybe.total == first.total > 0 and set(ids(maybe)) == set(ids(first))
    both = run(service, q="education AND refugees", per_page=100)
    assert set(ids(run(service, q="education REQUIRE refugees", per_page=100))) == set(ids(both))


def test_a_query_searches_both_languages_unless_filtered(service: SearchService) -> None:
    both = run(service, q="COVID-19")
    assert {h.lang for h in both.hits} == {"en", "fr"}
    only_fr = run(service, q="COVID-19", lang="fr")
    assert {h.lang for h in only_fr.hits} == {"fr"}
    assert only_fr.total < both.total


def test_acte_de_naissance_finds_the_french_unmet_needs_paragraph_first(service: SearchService) -> None:
    page = run(service, q="acte de naissance")
    first = page.hits[0]
    fourth = decode(service.backend.get("mali/2020/unmet-needs/fr")).paragraph(4)
    assert fourth is not None and fourth.id  # the link names the paragraph by its identifier, which outlives edits
    assert (first.doc_id, first.url.split("#")[1]) == ("mali/2020/unmet-needs/fr", fourth.id)
    assert "<mark>" in str(first.snippet) and "naissance" in str(first.snippet)


def test_birth_certificate_finds_the_english_unmet_needs_paragraph_first(service: SearchService) -> None:
    page = run(service, q="birth certificate")
    first = page.hits[0]
    assert (first.doc_id, first.paragraph) == ("mali/2020/unmet-needs/en", 4)
    assert "<mark>birth certificate</mark>" in str(first.snippet) or "<mark>birth</mark>" in str(first.snippet)


def test_snippets_mark_the_words_as_written_not_their_stems(service: SearchService) -> None:
    page = run(service, q="registered", lang="en")
    snippets = " ".join(str(h.snippet) for h in page.hits)
    assert "<mark>register</mark>" in snippets or "<mark>registered</mark>" in snippets
    assert "<mark>regist</mark>" not in snippets


def test_facet_counts_ignore_their_own_selection(service: SearchService) -> None:
    everything = run(service)
    langs = {v.value: v for v in next(f for f in everything.facets if f.name == "lang").values}
    assert langs["en"].count == langs["fr"].count == everything.total // 2
    chosen = run(service, lang="fr")
    facet = {v.value: v for v in next(f for f in chosen.facets if f.name == "lang").values}
    assert facet["fr"].selected and not facet["en"].selected
    assert facet["en"].count == langs["en"].count  # still shown: the other choice's count
    assert chosen.total == langs["fr"].count
    assert "lang=fr" not in facet["fr"].toggle_url and "lang=fr" in facet["en"].toggle_url


def test_facets_are_or_within_and_across(service: SearchService) -> None:
    both_sections = run(service, section=["unmet-needs", "key-achievements"])
    assert both_sections.total == 4
    narrowed = run(service, section=["unmet-needs", "key-achievements"], lang="en")
    assert narrowed.total == 2


def test_theme_labels_follow_the_interface_language(service: SearchService) -> None:
    en = {v.value: v.label for v in next(f for f in run(service).facets if f.name == "theme").values}
    fr = {v.value: v.label for v in next(f for f in run(service, ui="fr").facets if f.name == "theme").values}
    assert en.keys() == fr.keys() and en != fr


def test_sorting_and_paging(service: SearchService) -> None:
    page1 = run(service, per_page="3")
    page2 = run(service, per_page="3", page="2")
    assert len(page1.hits) == 3 and not set(ids(page1)) & set(ids(page2))
    assert page1.next_url and "page=2" in page1.next_url
    assert page2.prev_url is not None


@pytest.mark.parametrize(
    "args, reason",
    [
        ({"page": "-1"}, "page"),
        ({"page": "99999999999"}, "page"),
        ({"per_page": "0"}, "per_page"),
        ({"sort": "random"}, "sort"),
        ({"year": "twenty"}, "year"),
        ({"q": "x" * 501}, "longer"),
    ],
)
def test_bad_parameters_are_refused_with_a_reason(args: dict, reason: str) -> None:
    with pytest.raises(ParamError, match=reason):
        SearchParams.from_args(MultiDict(args))


@pytest.mark.parametrize("q", ['"unclosed phrase', "(education", "education)", "*", "a*"])
def test_unreadable_queries_get_a_helpful_message(service: SearchService, q: str) -> None:
    page = run(service, q=q)
    assert page.error and page.total == 0


def test_query_syntax_works(service: SearchService) -> None:
    assert run(service, q='"birth certificate"').total == 1
    assert run(service, q="refug*", lang="en").total >= 5
    assert run(service, q="section:unmet-needs").total == 2
    assert run(service, q="education NOT radios", lang="en").total < run(service, q="education", lang="en").total
    assert run(service, q="ambulances OR naturalisation", lang="en").total == 2


def test_did_you_mean(service: SearchService) -> None:
    page = run(service, q="statelesness")
    assert page.suggestion == "statelessness"
    assert "q=statelessness" in page.suggestion_url


@pytest.mark.parametrize("pairs", [
    [], [("q", "education")], [("q", "x"), ("year", "2020"), ("lang", "fr"), ("sort", "newest"), ("page", "3")],
    [("theme", "education"), ("theme", "covid-19"), ("from", "2018"), ("per_page", "20")],
])
def test_facet_toggle_urls_equal_the_canonical_urls(service: SearchService, pairs: list) -> None:
    params = SearchParams.from_args(MultiDict(pairs))
    page = service.search(params, base="/")
    for facet in page.facets:
        for value in facet.values:
            assert value.toggle_url == params.toggled(facet.name, value.value).url("/")


def test_a_facet_shows_its_most_frequent_values_and_every_selected_one(service: SearchService) -> None:
    from kb import search as search_module

    original = search_module.FACET_SIZE
    search_module.FACET_SIZE = 2
    try:
        page = run(service, theme="statelessness")
    finally:
        search_module.FACET_SIZE = original
    themes = next(f for f in page.facets if f.name == "theme")
    assert len(themes.values) == 2 and themes.more > 0
    assert "statelessness" in [v.value for v in themes.values if v.selected]


def test_the_whoosh_fallback_lists_only_the_counted_hits(service: SearchService,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """When the vector evaluator cannot take a query, Whoosh scores it, and the filters still hold."""
    from kb.engine import whoosh_backend

    def unsupported(*_args, **_kwargs):
        raise whoosh_backend.Unsupported("forced")

    monkeypatch.setattr(whoosh_backend.Evaluator, "run", unsupported)
    service.backend._generation().cache.clear()
    page = run(service, q="refugees", year="2021")
    assert len(page.hits) == page.total
    assert all(hit.year == 2021 for hit in page.hits)
    service.backend._generation().cache.clear()


# ------------------------------------------------------------------------------- one result set, paragraphs (#12)


def facet(page: SearchPage, name: str) -> dict[str, int]:
    return {v.value: v.count for v in next(f for f in page.facets if f.name == name).values}


def stored_paragraph(service: SearchService, doc_id: str, n: int) -> tuple:
    return next(p for p in service.backend.get(doc_id)["paragraphs"] if p[0] == n)


def test_a_theme_lands_every_hit_on_a_paragraph_tagged_with_it(service: SearchService) -> None:
    page = run(service, theme="education", per_page="100")
    assert page.total == len(page.hits) >= 4
    for hit in page.hits:
        number, text, themes, _kind, *ident = stored_paragraph(service, hit.doc_id, hit.paragraph)
        assert "education" in themes, (hit.doc_id, hit.paragraph, themes)
        assert hit.url.split("#")[1] == (ident[0] if ident and ident[0] else f"p{hit.paragraph}")  # lands there
        assert str(hit.snippet.striptags())[:60].strip(" …") in text
    links = {h.doc_id: h.paragraph for h in page.hits}
    assert links["mali/2020/key-achievements/en"] == 4 and links["mali/2020/unmet-needs/en"] == 2


def test_a_query_with_a_theme_needs_its_words_and_the_theme_in_one_paragraph(service: SearchService) -> None:
    # "ambulances" stands in key-achievements ¶3 (COVID-19), not in its education paragraph ¶4
    assert run(service, q="ambulances").total == 2
    assert run(service, q="ambulances", theme="education").total == 0
    both = run(service, q="radios", theme="education")
    assert both.total == 2 and {h.paragraph for h in both.hits} == {4}
    assert run(service, q="radios theme:education").total == 2
    assert run(service, q="ambulances theme:education").total == 0


def test_a_hit_counts_only_the_themes_of_its_matching_paragraphs(service: SearchService) -> None:
    page = run(service, q="birth certificate")
    number, _text, themes, _kind, *_id = stored_paragraph(service, "mali/2020/unmet-needs/en", 4)
    assert facet(page, "theme") == {theme: 1 for theme in themes}
    assert page.hits[0].themes == sorted(themes)


@pytest.mark.parametrize("q", ["", "refugees", "education NOT radios", "NOT radios", "COVID-19"])
def test_each_facet_count_is_the_total_that_choosing_the_value_gives(service: SearchService, q: str) -> None:
    page = run(service, q=q) if q else run(service)
    for name in ("theme", "lang", "section", "year", "report"):
        for value, count in facet(page, name).items():
            chosen = run(service, q=q, **{name: value}) if q else run(service, **{name: value})
            assert chosen.total == count, (q, name, value)


def test_two_themes_widen_and_each_count_stays_what_choosing_it_alone_gives(service: SearchService) -> None:
    education = run(service, theme="education")
    security = run(service, theme="security-and-access")
    both = run(service, theme=["education", "security-and-access"])
    assert max(education.total, security.total) <= both.total <= education.total + security.total
    assert facet(education, "theme")["security-and-access"] == security.total
    assert facet(both, "theme")["education"] == education.total


def test_the_year_range_narrows_the_total_the_year_facet_and_the_trend_alike(service: SearchService) -> None:
    page = run(service, **{"from": "2021"})  # the Mali corpus has sections of 2020 and key figures of 2021
    assert facet(page, "year") == {} and page.total == 0 and not page.trend
    assert page.figures_total > 0 and all(block.year >= 2021 for block in page.figure_blocks)
    page = run(service, **{"from": "2020", "to": "2020"})
    assert set(facet(page, "year")) == {"2020"} and sum(facet(page, "year").values()) == page.total > 0
    assert [(p.year, p.count) for p in page.trend] == [(2020, page.total)]
    with pytest.raises(ParamError, match="after the last"):
        SearchParams.from_args(MultiDict({"q": "refugees", "from": "2021", "to": "2019"}))


def test_the_trend_counts_the_sections_and_key_figures_stand_apart(
        service: SearchService) -> None:
    everything = run(service)  # sections only: the key figures are shown apart, in blocks
    assert sum(p.count for p in everything.trend) == everything.total and everything.trend_figures == 0
    assert [p.count for p in everything.trend] == [facet(run(service, q="kind:section"), "year")["2020"]]
    resettlement = run(service, q="resettlement")  # a key figure only
    assert resettlement.total == 0 and resettlement.figures_total == 1 and not any(p.count for p in resettlement.trend)
    (block,) = resettlement.figure_blocks
    assert (block.operation, block.year, block.lang, block.url) == ("mali", 2021, "en", "/en/mali#figures-2021")
    french = run(service, q="refugees", lang="fr")
    assert all(p.total == facet(run(service, lang="fr", q="kind:section"), "year")[str(p.year)] for p in french.trend)


def test_a_page_past_the_last_is_flagged_with_the_last_page(service: SearchService) -> None:
    page = run(service, q="refugees", page="99")
    assert page.past_last and page.last_page == 1 and "99" in str(page.past_last_error())
    assert not run(service, q="refugees").past_last


def test_key_figures_do_not_crowd_the_sections_and_link_in_their_own_language(service: SearchService) -> None:
    home = run(service)
    assert home.hits and all(hit.kind == "section" for hit in home.hits)  # the first screen is sections
    assert home.figures_total > 0 and {block.lang for block in home.figure_blocks} == {"en", "fr"}
    for block in home.figure_blocks:
        assert block.url.startswith(f"/{block.lang}/{block.operation}") and f"#figures-{block.year}" in block.url
    assert len({(b.operation, b.year, b.lang) for b in home.figure_blocks}) == len(home.figure_blocks)  # one each
