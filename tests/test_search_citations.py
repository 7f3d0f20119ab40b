"""The citations of a page of search results, `/cite.ris|bib|json?<the search>`: one entry per hit of exactly the
page the reader sees (same parameters, same page), each citing its section in the hit's language (kb's translations as
translations, naming the original), with the paragraph the search found and its permalink; linked from the search page
and from the API's answer; bad parameters are a 400 with the API's reason."""

from __future__ import annotations

import json
import re
from html import unescape

import bibtexparser
import pytest
import rispy
from flask.testing import FlaskClient

from tests.support import Site

HOST = "http://localhost"


@pytest.fixture(scope="module")
def client(built_site: Site) -> FlaskClient:
    return built_site.client()


def hits(client: FlaskClient, query: str) -> list[dict]:
    answer = client.get(f"/api/search?{query}")
    assert answer.status_code == 200
    return answer.get_json()["hits"]


def ris_entries(client: FlaskClient, query: str) -> list[dict]:
    response = client.get(f"/cite.ris?{query}")
    assert response.status_code == 200 and response.mimetype == "application/x-research-info-systems"
    return rispy.loads(response.get_data(as_text=True))


def bib_entries(client: FlaskClient, query: str) -> list[dict[str, str]]:
    library = bibtexparser.parse_string(client.get(f"/cite.bib?{query}").get_data(as_text=True))
    assert library.failed_blocks == []  # duplicate keys included
    return [{name: field.value for name, field in entry.fields_dict.items()} | {"key": entry.key}
            for entry in library.entries]


def csl_items(client: FlaskClient, query: str) -> list[dict]:
    response = client.get(f"/cite.json?{query}")
    assert response.mimetype == "application/vnd.citationstyles.csl+json"
    return json.loads(response.get_data(as_text=True))


def section_url(hit: dict) -> str:
    return f"{HOST}/{hit['lang']}/{hit['operation']}/{hit['year']}/{hit['section']}"


@pytest.mark.parametrize("page", [1, 2])
def test_each_format_has_one_entry_per_hit_of_the_page_in_order(client: FlaskClient, page: int) -> None:
    query = f"q=refugees+OR+r%C3%A9fugi%C3%A9s&per_page=4&page={page}"
    shown = hits(client, query)
    assert len(shown) == 4
    urls = [section_url(hit) for hit in shown]
    ris = ris_entries(client, query)
    assert [entry["urls"] for entry in ris] == [[url] for url in urls]
    assert [entry["language"] for entry in ris] == [hit["lang"] for hit in shown]
    assert all(entry["title"].startswith(f"Mali 2020: {hit['title']}") for entry, hit in zip(ris, shown, strict=True))
    bib = bib_entries(client, query)
    assert [entry["url"] for entry in bib] == urls and len({entry["key"] for entry in bib}) == 4
    assert [item["URL"] for item in csl_items(client, query)] == urls


def test_page_two_cites_the_second_pages_hits(client: FlaskClient) -> None:
    first = [entry["urls"][0] for entry in ris_entries(client, "q=refugees+OR+r%C3%A9fugi%C3%A9s&per_page=3")]
    second = [entry["urls"][0] for entry in ris_entries(client, "q=refugees+OR+r%C3%A9fugi%C3%A9s&per_page=3&page=2")]
    assert second == [section_url(hit) for hit in hits(client, "q=refugees+OR+r%C3%A9fugi%C3%A9s&per_page=3&page=2")]
    assert len(second) == 3 and not set(first) & set(second)


def test_an_entry_names_the_paragraph_the_search_found_with_its_permalink(client: FlaskClient) -> None:
    query = "q=%22birth+certificate%22&lang=en"
    [hit] = hits(client, query)
    permalink = f"{HOST}{hit['permalink']}"
    assert hit["permalink"].endswith(f"/p/{hit['paragraph_id']}")
    [entry] = ris_entries(client, query)
    assert entry["urls"] == [section_url(hit)] and "¶" not in entry["title"]  # it cites the section...
    assert f"Found in ¶{hit['paragraph']}: {permalink}" in entry["notes"]  # ...and the paragraph it was found in
    [bib] = bib_entries(client, query)
    assert permalink in bib["note"]
    [item] = csl_items(client, query)
    assert permalink in item["note"]


def test_without_words_an_entry_cites_the_section_alone(client: FlaskClient) -> None:
    entries = ris_entries(client, "section=unmet-needs")
    assert len(entries) == 2
    assert not [note for entry in entries for note in entry.get("notes", []) if note.startswith("Found in")]


def test_a_translation_by_kb_is_cited_as_one_in_its_language(client: FlaskClient) -> None:
    query = "q=réfugiés&lang=fr&per_page=3"
    shown = hits(client, query)
    assert shown and all(hit["translated_from"] == "en" for hit in shown)
    for entry, hit in zip(ris_entries(client, query), shown, strict=True):
        assert entry["language"] == "fr" and entry["subsidiary_authors"] == ["kb"]
        original = section_url(hit).replace("/fr/", "/en/")
        assert any(note.startswith("Unofficial French translation by kb of the English original")
                   and original in note for note in entry["notes"])
    for item in csl_items(client, query):
        assert item["translator"] == [{"literal": "kb"}] and item["language"] == "fr"
    english = ris_entries(client, "q=refugees&lang=en&per_page=3")
    assert english and all("subsidiary_authors" not in entry for entry in english)


def test_key_figures_among_the_results_are_cited_each_with_its_own_key(client: FlaskClient) -> None:
    shown = hits(client, "section=key-figures&lang=en")
    bib = bib_entries(client, "section=key-figures&lang=en")
    assert len(bib) == len(shown) > 1 and len({entry["key"] for entry in bib}) == len(shown)
    assert all(entry["url"].startswith(f"{HOST}/en/mali#figures-") for entry in bib)


@pytest.mark.parametrize("query", ["sort=best", "theme=security", "page=999", "from=2021&to=2019", "per_page=0"])
def test_bad_parameters_are_a_400_with_the_apis_reason(client: FlaskClient, query: str) -> None:
    api = client.get(f"/api/search?{query}")
    for extension in ("ris", "bib", "json"):
        response = client.get(f"/cite.{extension}?{query}")
        assert response.status_code == 400 and response.get_json() == api.get_json()


def test_an_unknown_format_is_a_404(client: FlaskClient) -> None:
    assert client.get("/cite.pdf?q=refugees").status_code == 404


def test_an_empty_page_gives_empty_files(client: FlaskClient) -> None:
    assert client.get("/cite.ris?q=zzzzqqq").get_data(as_text=True) == ""
    assert csl_items(client, "q=zzzzqqq") == []


@pytest.mark.parametrize("ui", ["", "&ui=fr"])
def test_the_search_page_and_the_api_link_to_the_downloads_of_their_page(client: FlaskClient, ui: str) -> None:
    html = client.get(f"/?q=refugees&per_page=3&page=2{ui}").get_data(as_text=True)
    links = dict(re.findall(r'<a href="(/cite\.(\w+)\?[^"]*)" download>', html))
    found = {extension: unescape(url) for url, extension in links.items()}
    expected = {ext: f"/cite.{ext}?q=refugees&per_page=3&page=2" for ext in ("ris", "bib", "json")}
    assert found == expected
    assert client.get("/api/search?q=refugees&per_page=3&page=2").get_json()["citations"] == expected
    label = "Citer les résultats de cette page\u202f:" if ui else "Cite the results of this page:"
    assert label in html
    assert "/cite.ris" not in client.get("/?q=zzzzqqq").get_data(as_text=True)  # no hits, nothing to cite
