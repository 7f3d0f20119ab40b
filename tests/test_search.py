"""The search layer over the Mali corpus: both languages, stemming and accents, facets, snippets, errors."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from kb.engine.stored import decode
from kb.engine.whoosh_backend import WhooshBackend
from kb.search import ParamError, SearchParams, SearchService
from tests.support import build, copy_content


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    root = tmp_path_factory.mktemp("search")
    content = copy_content(root / "content")
    build(content, root / "instance")
    return SearchService(WhooshBackend(root / "instance" / "index"))


def run(service: SearchService, ui: str = "en", **args) -> object:
    pairs = []
    for key, value in args.items():
        pairs += [(key, v) for v in (value if isinstance(value, list) else [value])]
    return service.search(SearchParams.from_args(MultiDict(pairs)), ui_lang=ui, base="/")


def ids(page) -> list[str]:  # noqa: ANN001
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


def test_the_whoosh_fallback_lists_only_the_counted_hits(service: SearchService, monkeypatch) -> None:  # noqa: ANN001
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
