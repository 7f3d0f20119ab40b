"""Filters you can see, on the search page as served: every active filter a removable chip above the hits, one
"Clear all" that keeps the query, the results before the facets (which fold into a "Refine" disclosure), a "Skip to
results" link first, and a spelling suggestion only for a query that found little and only for words it does not
know. The same in French. (What the browser makes of it: tests/test_browser_filters.py.)
"""

from __future__ import annotations

import html as htmllib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import Site

EVERYTHING = "/?q=refugees&year=2020&theme=education&from=2019&to=2021&sort=newest&per_page=20"


@pytest.fixture(scope="module")
def app(built_site: Site) -> Flask:
    return built_site.app


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def get(client: FlaskClient, url: str, ui: str = "en") -> str:
    """The page at `url` in interface language `ui` (chosen in the URL, as every link of a French page does)."""
    if ui != "en":
        url += ("&" if "?" in url else "?") + f"ui={ui}"
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def chips(html: str) -> dict[str, str]:
    """The chips' visible text -> the URL each one leads to (the same search without it)."""
    found = re.findall(r'<a class="chip" href="([^"]*)"[^>]*><span class="visually-hidden">[^<]*</span>(.*?)<span',
                       html)
    return {htmllib.unescape(re.sub(r"<[^>]+>", "", text)): htmllib.unescape(href) for href, text in found}


def result_count(html: str) -> int:
    heading = re.search(r'id="results-heading"[^>]*>\s*([^<]*)', html)
    assert heading
    number = re.search(r"\d+", heading.group(1))
    return int(number.group()) if number else 0


def clear_all(html: str) -> str | None:
    found = re.search(r'<a class="clear-all" href="([^"]*)"', html)
    return htmllib.unescape(found.group(1)) if found else None


# ------------------------------------------------------------------------------------------------ chips


def test_every_active_filter_is_a_chip_that_removes_only_itself(client: FlaskClient) -> None:
    html = get(client, EVERYTHING)
    shown = chips(html)
    assert list(shown) == ["Year: 2020", "Theme: Education", "From 2019", "Until 2021", "Sort: newest first"]
    base = "q=refugees&year=2020&theme=education&from=2019&to=2021&sort=newest&per_page=20"
    removes = {"Year: 2020": "year=2020&", "Theme: Education": "theme=education&", "From 2019": "from=2019&",
               "Until 2021": "to=2021&", "Sort: newest first": "sort=newest&"}
    for text, removed in removes.items():
        assert shown[text] == "/?" + base.replace(removed, ""), text
        after = get(client, shown[text])
        assert text not in chips(after) and len(chips(after)) == 4, text


def test_removing_a_chip_widens_the_results(client: FlaskClient) -> None:
    narrow = get(client, "/?q=refugees&theme=education")
    wide = get(client, chips(narrow)["Theme: Education"])
    assert result_count(wide) > result_count(narrow) > 0
    assert chips(wide) == {} and clear_all(wide) is None


def test_clear_all_keeps_the_query_and_the_page_size_and_drops_every_filter(client: FlaskClient) -> None:
    html = get(client, EVERYTHING)
    assert html.count('class="clear-all"') == 1
    assert clear_all(html) == "/?q=refugees&per_page=20"
    cleared = get(client, "/?q=refugees&per_page=20")
    assert chips(cleared) == {} and 'class="active-filters"' not in cleared
    assert result_count(cleared) == result_count(get(client, "/?q=refugees"))


def test_a_year_range_alone_is_shown_and_cleared(client: FlaskClient) -> None:
    html = get(client, "/?from=2021")
    assert list(chips(html)) == ["From 2021"] and clear_all(html) == "/"
    assert result_count(html) < result_count(get(client, "/"))


def test_chips_in_french_with_french_labels_and_spacing(client: FlaskClient) -> None:
    shown = chips(get(client, EVERYTHING + "&ui=fr", ui="fr"))
    assert list(shown) == ["Année\u202f: 2020", "Thème\u202f: Éducation", "À partir de 2019", "Jusqu'en 2021",
                           "Tri\u202f: plus récents d'abord"]


def test_a_value_nobody_knows_is_refused_and_shown_escaped(client: FlaskClient) -> None:
    response = client.get("/?operation=%3Cscript%3Ealert(1)%3C/script%3E")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "unknown value" in html  # a 400 with the reason, not 0 results
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


# ------------------------------------------------------------------------------------------------ the page's order


def test_skip_to_results_is_the_first_link_and_the_results_come_before_the_facets(client: FlaskClient) -> None:
    for ui, label in [("en", "Skip to results"), ("fr", "Aller aux résultats")]:
        html = get(client, "/?q=refugees", ui=ui)
        body = html[html.index("<body"):]
        first = re.search(r"<(a|input|select|button|summary)\b[^>]*>([^<]*)", body)
        assert first and first.group(0).startswith('<a class="skip" href="#results"') and first.group(2) == label
        assert re.search(r'<section class="results" id="results" tabindex="-1"', html)
        assert html.index('id="results"') < html.index('class="facets"') < html.index('data-facet="year"')
        assert re.search(r'<details class="refine">\s*<summary>' + ("Refine" if ui == "en" else "Affiner"), html)


def test_other_pages_keep_skip_to_content(client: FlaskClient) -> None:
    html = get(client, "/en/mali/2020/unmet-needs")
    assert '<a class="skip" href="#main">Skip to content</a>' in html and "Skip to results" not in html


# ------------------------------------------------------------------------------------------------ did you mean


@pytest.mark.parametrize("q", ["état civil", "etat civil", "nine", "malian", "central"])
def test_no_suggestion_for_words_the_corpus_has(client: FlaskClient, q: str) -> None:
    """Each word finds documents as typed: the speller's more frequent neighbour (été covid, niger, mali, centre) is
    another query, not a correction."""
    for ui in ("en", "fr"):
        html = get(client, f"/?q={q}", ui=ui)
        assert 0 < result_count(html) < 3
        assert 'class="suggestion"' not in html, (q, ui)


@pytest.mark.parametrize(("q", "better"), [("educaton", "education"), ("statelesness", "statelessness"),
                                           ("refugees educaton", "refugees education")])
def test_a_misspelt_word_gets_a_suggestion(client: FlaskClient, q: str, better: str) -> None:
    html = get(client, f"/?q={q}")
    found = re.search(r'<p class="suggestion">Did you mean <a href="([^"]*)">([^<]*)</a>\?</p>', html)
    assert found and found.group(2) == better


def test_no_suggestion_from_three_results_on(client: FlaskClient) -> None:
    """The misspelt word of `refugees OR educaton` would be corrected, but the query found enough already."""
    html = get(client, "/?q=refugees+OR+educaton")
    assert result_count(html) >= 3 and 'class="suggestion"' not in html
