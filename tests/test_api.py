"""The JSON API over the session's built site: `/api/search` (its shape, filters, paging, and a 400 with a reason for
a parameter that cannot be used), `/api/search.csv` (the same hits as CSV), `/api/sections/...` (a section's numbered
paragraphs, as in content/; 404 for any other address) and `/api/openapi.json` (it describes exactly these routes,
and the bounds it states are the ones the API enforces).

Random and hostile parameters are tests/test_fuzz.py's; the search layer's ranking and facets are test_search's.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from indexer.content import split_front_matter, split_paragraphs
from tests.support import Site

SEARCH_KEYS = ["query", "filters", "from", "to", "sort", "page", "per_page", "total", "last_page", "next", "previous",
               "suggestion", "timed_out", "generation", "hits", "facets", "facets_more", "facet_semantics", "trend",
               "trend_key_figures_left_out"]
HIT_KEYS = ["doc_id", "kind", "title", "operation", "operation_label", "year", "section", "section_label", "lang",
            "report", "themes", "url", "paragraph", "snippet", "score"]
FACETS = ["year", "theme", "section", "operation", "lang", "report"]
FACET_VALUE_KEYS = ["value", "label", "count", "selected", "toggle_url"]
CSV_COLUMNS = ["id", "kind", "title", "operation", "year", "section", "lang", "report", "themes", "url", "paragraph",
               "score", "snippet"]
SECTION = "/api/sections/en/mali/2020/unmet-needs"


@pytest.fixture(scope="module")
def client(built_site: Site) -> FlaskClient:
    return built_site.client()


def search(client: FlaskClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200 and response.mimetype == "application/json", response.get_data(as_text=True)
    return response.get_json()


# ------------------------------------------------------------------------------------------------ /api/search


def test_search_answers_the_documented_keys_in_order(client: FlaskClient) -> None:
    answer = search(client, q="birth certificate")
    assert [key for key in answer if key in SEARCH_KEYS] == SEARCH_KEYS  # more keys may come; these are the contract
    assert answer["query"] == "birth certificate" and answer["total"] == len(answer["hits"]) >= 1
    assert answer["generation"].startswith("index-")
    hit = answer["hits"][0]
    assert [key for key in hit if key in HIT_KEYS] == HIT_KEYS
    assert (hit["doc_id"], hit["paragraph"]) == ("mali/2020/unmet-needs/en", 4)
    assert "<" not in hit["snippet"]  # plain text; the matched words are given as offsets
    assert [hit["snippet"][start:end] for start, end in hit["marks"]] == ["birth", "certificate"]
    assert list(answer["facets"]) == FACETS
    assert all(list(value) == FACET_VALUE_KEYS for values in answer["facets"].values() for value in values)
    assert [point["year"] for point in answer["trend"]] == [2020]


def test_a_hit_url_opens_its_section_at_the_paragraph(client: FlaskClient) -> None:
    hit = search(client, q="acte de naissance", lang="fr")["hits"][0]
    url = urlsplit(hit["url"])
    fourth = client.get("/api/sections/fr/mali/2020/unmet-needs").get_json()["paragraphs"][3]["id"]
    assert (url.path, url.fragment) == ("/fr/mali/2020/unmet-needs", fourth) and parse_qs(url.query)["hl"]
    page = client.get(hit["url"]).get_data(as_text=True)
    assert f'<div class="para li marked" id="{fourth}"' in page and "<mark>naissance</mark>" in page


def test_filters_are_echoed_and_applied(client: FlaskClient) -> None:
    answer = search(client, q="refugees", year="2020", lang="en", section=["unmet-needs", "key-priorities"])
    assert answer["filters"] == {"year": ["2020"], "section": ["unmet-needs", "key-priorities"], "lang": ["en"]}
    assert answer["hits"] and all(h["year"] == 2020 and h["lang"] == "en" and
                                  h["section"] in ("unmet-needs", "key-priorities") for h in answer["hits"])
    selected = [v["value"] for values in answer["facets"].values() for v in values if v["selected"]]
    assert sorted(selected) == ["2020", "en", "key-priorities", "unmet-needs"]


def test_a_year_range_and_the_oldest_first_order(client: FlaskClient) -> None:
    answer = search(client, **{"from": "2020", "to": "2020", "sort": "oldest", "per_page": "100"})
    assert answer["total"] >= 1 and {h["year"] for h in answer["hits"]} == {2020}
    assert search(client, **{"from": "2021", "to": "2030"})["total"] == 0  # the corpus has no later report
    everything = search(client, sort="oldest", per_page="100")["hits"]
    assert [h["year"] for h in everything] == sorted(h["year"] for h in everything)


def test_paging_walks_every_hit_once(client: FlaskClient) -> None:
    first = search(client, q="refugees", per_page="3")
    assert first["previous"] is None and first["last_page"] == -(-first["total"] // 3) >= 2
    seen, answer = [], first
    while True:
        seen += [h["doc_id"] + str(h["paragraph"]) for h in answer["hits"]]
        if answer["next"] is None:
            break
        answer = client.get(answer["next"]).get_json()
        assert answer["previous"] is not None
    assert answer["page"] == first["last_page"] and len(seen) == len(set(seen)) == first["total"]


@pytest.mark.parametrize(("params", "reason"), [
    ({"page": "0"}, "page: must be between 1 and 1000"),
    ({"per_page": "101"}, "per_page: must be between 1 and 100"),
    ({"year": "abc"}, "year: must be a whole number"),
    ({"year": "1899"}, "year: must be between 1900 and 2100"),
    ({"to": "2101"}, "to: must be between 1900 and 2100"),
    ({"sort": "random"}, "sort: must be one of relevance, newest, oldest"),
    ({"q": "x" * 501}, "q: the query is longer than 500 characters"),
    ({"q": '"birth certificate'}, 'a quotation mark is not closed: phrases need a " at each end'),
    ({"q": "paragraphs:x"}, "'paragraphs:' cannot be searched; search in title:, year:, theme:, section:, operation:, "
                            "lang: or report:"),
    ({"from": "2021", "to": "2019"}, "from, to: the first year (2021) is after the last (2019)"),
    ({"q": "birth certificate", "page": "2"}, "page: 2 is after the last page, 1"),
])
@pytest.mark.parametrize("path", ["/api/search", "/api/search.csv"])
def test_a_parameter_that_cannot_be_used_is_a_400_with_its_reason(client: FlaskClient, path: str,
                                                                 params: dict[str, str], reason: str) -> None:
    response = client.get(path, query_string=params)
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.get_json() == {"error": 400, "reason": reason}


# ------------------------------------------------------------------------------------------------ /api/search.csv


def test_csv_holds_the_json_hits_in_the_same_order(client: FlaskClient) -> None:
    params = {"q": "refugees OR réfugiés", "per_page": "20", "sort": "newest"}
    response = client.get("/api/search.csv", query_string=params)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="kb-search.csv"'
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # a byte-order mark, so that a spreadsheet reads UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == CSV_COLUMNS
    hits = search(client, **params)["hits"]
    assert [row[0] for row in rows[1:]] == [h["doc_id"] for h in hits] and len(hits) >= 5
    for row, hit in zip(rows[1:], hits, strict=True):
        record = dict(zip(CSV_COLUMNS, row, strict=True))
        assert record["url"] == "http://localhost" + hit["url"]  # absolute: a spreadsheet has no base address
        assert record["themes"] == " ".join(hit["themes"])
        assert record["snippet"] == hit["snippet"] and "<" not in record["snippet"]


# ------------------------------------------------------------------------------------------------ /api/sections


def content_paragraphs(site: Site, rel: str) -> list[tuple[str | None, str]]:
    """(identifier, text) of each paragraph of a content file."""
    _meta, body, first_line = split_front_matter((site.content / rel).read_text(encoding="utf-8"))
    return [(p.id, p.text) for p in split_paragraphs(body, first_line)]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_section_has_the_numbered_paragraphs_of_its_file(client: FlaskClient, built_site: Site, lang: str) -> None:
    response = client.get(f"/api/sections/{lang}/mali/2020/unmet-needs")
    assert response.status_code == 200
    section = response.get_json()
    assert (section["id"], section["url"]) == (f"mali/2020/unmet-needs/{lang}", f"/{lang}/mali/2020/unmet-needs")
    assert section["translation_key"] == "mali/2020/unmet-needs" and section["source"].endswith(".txt")
    other = "fr" if lang == "en" else "en"
    assert section["other_language"] == f"/{other}/mali/2020/unmet-needs?ui={lang}"  # the interface stays {lang}
    expected = content_paragraphs(built_site, f"mali/2020/unmet-needs.{lang}.md")
    assert [(p["id"], p["text"]) for p in section["paragraphs"]] == expected
    assert [p["n"] for p in section["paragraphs"]] == list(range(1, len(expected) + 1))
    for p in section["paragraphs"]:
        assert (p["anchor"], p["permalink"]) == (p["id"], f"{section['url']}/p/{p['id']}")
        assert client.get(p["permalink"]).status_code == 302  # to the section, at the paragraph
    assert set(section["themes"]) == {t for p in section["paragraphs"] for t in p["themes"]}


def test_a_section_takes_a_highlight_and_ignores_it(client: FlaskClient) -> None:
    assert client.get(SECTION, query_string={"hl": "birth"}).get_json() == client.get(SECTION).get_json()


@pytest.mark.parametrize("url", [
    "/api/sections/en/mali/02020/unmet-needs", "/api/sections/de/mali/2020/unmet-needs",
    "/api/sections/en/mali/2019/unmet-needs", "/api/sections/en/mali/2020/nosuch", "/api/sections/en/niger/2020/"
    "unmet-needs", "/api/sections/en/Mali/2020/unmet-needs", "/api/sections/en/mali/2020/unmet-needs/",
    "/api/sections/en/mali/1899/unmet-needs", "/api/sections/en/mali/2020",
])
def test_any_other_section_address_is_a_json_404(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404 and response.get_json()["error"] == 404


# ------------------------------------------------------------------------------------------------ /api/openapi.json


@pytest.fixture(scope="module")
def openapi(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_openapi_describes_every_api_route_and_only_served_ones(built_site: Site, openapi: dict[str, Any]) -> None:
    routes = {re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
              for rule in built_site.app.url_map.iter_rules()}
    documented = set(openapi["paths"])
    assert openapi["openapi"].startswith("3.") and documented <= routes, documented - routes
    assert routes == documented  # the pages and downloads too (tests/test_api_contract.py checks the methods)
    for path, operations in openapi["paths"].items():
        answers = operations["get"]["responses"]
        assert list(operations) == ["get"] and ("200" in answers or "302" in answers), path  # a permalink redirects


def bounds(openapi: dict[str, Any]) -> list[tuple[str, int, int]]:
    out = []
    for param in openapi["paths"]["/api/search"]["get"]["parameters"]:
        schema = param["schema"].get("items", param["schema"])
        if schema.get("type") == "integer":
            out.append((param["name"], schema["minimum"], schema["maximum"]))
    return out


def last_page(client: FlaskClient) -> int:
    return search(client)["last_page"]


def test_the_documented_bounds_are_the_enforced_ones(client: FlaskClient, openapi: dict[str, Any]) -> None:
    found = bounds(openapi)
    assert [name for name, _, _ in found] == ["year", "from", "to", "page", "per_page"]
    for name, low, high in found:
        for value in (low, high):
            response = client.get("/api/search", query_string={name: value})
            if name == "page" and value == high:  # allowed, but past the last page of this small corpus
                assert response.get_json()["reason"] == f"page: {high} is after the last page, {last_page(client)}"
                continue
            assert response.status_code == 200, (name, value)
        for value in (low - 1, high + 1):
            response = client.get("/api/search", query_string={name: value})
            assert response.status_code == 400, (name, value)
            assert response.get_json()["reason"] == f"{name}: must be between {low} and {high}", (name, value)
    q = next(p for p in openapi["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "q")
    longest = q["schema"]["maxLength"]
    assert client.get("/api/search", query_string={"q": "a" * longest}).status_code == 200
    assert client.get("/api/search", query_string={"q": "a" * (longest + 1)}).status_code == 400


def test_every_documented_choice_is_accepted(client: FlaskClient, openapi: dict[str, Any]) -> None:
    for param in openapi["paths"]["/api/search"]["get"]["parameters"]:
        schema = param["schema"].get("items", param["schema"])
        for value in schema.get("enum", []):
            answer = search(client, **{param["name"]: value})
            assert answer["sort"] == value if param["name"] == "sort" else answer["filters"] == {param["name"]: [value]}
