"""Every JSON answer of the API matches the schema `/api/openapi.json` documents; enumerated parameters list every
value; unknown facet values are a 400 with a reason; snippets are plain text with code-point marks."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.contract import check
from tests.support import Site


@pytest.fixture(scope="module")
def client(built_site: Site) -> FlaskClient:
    return built_site.client()


@pytest.fixture(scope="module")
def openapi(client: FlaskClient) -> dict:
    response = client.get("/api/openapi.json")
    check(response.get_json(), "/api/openapi.json", response)
    return response.get_json()


SEARCHES = ["", "q=refugees", "q=réfugiés&lang=fr", "q=education&theme=education&sort=newest", "section=key-figures",
            "q=refugees&section=unmet-needs&per_page=2&page=2", "year=2020&from=2019&to=2021", "q=%22birth+certificate",
            "q=NOT", "theme=security", "section=foo", "operation=atlantis", "lang=de", "report=annual", "page=999",
            "from=2021&to=2019", "sort=best", "per_page=0", "q=zzzzqqq", "q=refugee&operation=mali&report=year-end"]


@pytest.mark.parametrize("query", SEARCHES)
def test_every_search_answer_matches_the_schema(client: FlaskClient, openapi: dict, query: str) -> None:
    check(openapi, "/api/search", client.get(f"/api/search?{query}"))
    check(openapi, "/api/search.csv", client.get(f"/api/search.csv?{query}"))
    check(openapi, "/feed.atom", client.get(f"/feed.atom?{query}"))


@pytest.mark.parametrize("url", ["/api/sections/en/mali/2020/unmet-needs", "/api/sections/fr/mali/2020/unmet-needs",
                                 "/api/sections/en/mali/1999/unmet-needs"])
def test_section_answers_match_the_schema(client: FlaskClient, openapi: dict, url: str) -> None:
    check(openapi, "/api/sections/{lang}/{operation}/{year}/{section}", client.get(url))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_figures_answers_match_the_schema(client: FlaskClient, openapi: dict, lang: str) -> None:
    check(openapi, "/{lang}/{operation}/figures.json", client.get(f"/{lang}/mali/figures.json"))
    check(openapi, "/{lang}/{operation}/figures.json", client.get(f"/{lang}/atlantis/figures.json"))
    for name in openapi["paths"]["/{lang}/{operation}/figures/{name}.csv"]["get"]["parameters"][2]["schema"]["enum"]:
        text = check(openapi, "/{lang}/{operation}/figures/{name}.csv", client.get(f"/{lang}/mali/figures/{name}.csv"))
        assert text.startswith("\ufeff")


def test_enumerated_parameters_list_their_values(openapi: dict) -> None:
    params = {p["name"]: p["schema"] for p in openapi["paths"]["/api/search"]["get"]["parameters"]}
    assert "key-figures" in params["section"]["items"]["enum"] and "unmet-needs" in params["section"]["items"]["enum"]
    assert params["lang"]["items"]["enum"] == ["en", "fr"]
    assert params["report"]["items"]["enum"] == ["year-end", "plan"]
    assert params["sort"]["enum"] == ["relevance", "newest", "oldest"]
    schemas = openapi["components"]["schemas"]
    assert "education" in schemas["Theme"]["enum"] and schemas["Operation"]["enum"] == ["mali"]


@pytest.mark.parametrize("query", ["theme=security", "section=foo", "operation=atlantis", "lang=de", "report=annual"])
def test_an_unknown_facet_value_is_a_400_naming_it(client: FlaskClient, query: str) -> None:
    name, value = query.split("=")
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert response.get_json()["reason"].startswith(f"{name}: unknown value '{value}'")
    assert client.get(f"/?{query}").status_code == 400


def test_snippets_are_plain_text_with_code_point_marks(client: FlaskClient) -> None:
    hits = client.get("/api/search?q=réfugiés&lang=fr").get_json()["hits"]
    assert hits
    for hit in hits:
        assert "<mark>" not in hit["snippet"] and hit["marks"]
        for start, end in hit["marks"]:
            assert hit["snippet"][start:end].lower().startswith(("réfugi", "refugi"))
