"""The OpenAPI document lists every route the app serves; every answer matches the schema `/api/openapi.json`
documents (here for a list of searches and addresses; conftest checks every answer of the whole run the same way);
enumerated parameters list every value; unknown facet values are a 400 with a reason; snippets are plain text with
code-point marks."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from kb import create_app
from tests.contract import check, undocumented_routes
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
    for extension in ("ris", "bib", "json"):
        check(openapi, "/cite.{extension}", client.get(f"/cite.{extension}?{query}"))
    check(openapi, "/", client.get(f"/?{query}"))


def test_the_document_lists_every_route_of_the_app(built_site: Site, openapi: dict) -> None:
    assert undocumented_routes(built_site.app, openapi) == []
    routes = {rule.rule for rule in built_site.app.url_map.iter_rules()}
    assert len(openapi["paths"]) == len(routes)  # and nothing the app does not serve


def test_a_route_missing_from_the_document_is_found(built_site: Site, openapi: dict) -> None:
    app = create_app({"TESTING": True}, instance_path=built_site.instance)
    app.add_url_rule("/api/undocumented/<int:n>", "undocumented", lambda n: "")
    assert undocumented_routes(app, openapi) == ["GET /api/undocumented/{n}"]


def test_hits_and_sections_document_paragraph_identifiers_anchors_and_permalinks(openapi: dict) -> None:
    schemas = openapi["components"]["schemas"]
    hit = schemas["Hit"]["properties"]
    assert {"paragraph_id", "anchor", "permalink", "translated_from", "twin"} <= set(schemas["Hit"]["required"])
    assert hit["twin"]["type"] == ["string", "null"]
    paragraph = schemas["Section"]["properties"]["paragraphs"]["items"]
    assert {"n", "id", "anchor", "permalink", "text", "themes"} == set(paragraph["required"])
    assert set(schemas["SearchAnswer"]["properties"]["citations"]["required"]) == {"ris", "bib", "json"}


ADDRESSES = [  # (OpenAPI path, a URL) of every page and download that is not a search
    ("/{lang}/{operation}/{year}/{section}", "/fr/mali/2020/unmet-needs?para=2"),
    ("/{lang}/{operation}/{year}/{section}", "/en/mali/2020/no-such-section"),
    ("/{lang}/{operation}/{year}/{section}/p/{ref}", "/en/mali/2020/unmet-needs/p/1"),
    ("/{lang}/{operation}/{year}/{section}/cite.{extension}", "/fr/mali/2020/unmet-needs/cite.json"),
    ("/{lang}/{operation}/{year}/{section}/cite.{extension}", "/fr/mali/2020/unmet-needs/cite.ris"),
    ("/{lang}/{operation}/{year}/{section}/p/{ref}/cite.{extension}", "/en/mali/2020/unmet-needs/p/2/cite.bib"),
    ("/{lang}/{operation}/{year}/{section}/p/{ref}/cite.{extension}", "/en/mali/2020/unmet-needs/p/2/cite.json"),
    ("/cite.{extension}", "/cite.pdf"), ("/{lang}/{operation}", "/fr/mali"), ("/compare", "/compare?a=en"),
    ("/compare", "/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs"),
    ("/static/{filename}", "/static/kb.css"), ("/static/{filename}", "/static/kb.js"),
]


@pytest.mark.parametrize(("path", "url"), ADDRESSES)
def test_pages_and_citation_downloads_match_the_document(client: FlaskClient, openapi: dict, path: str,
                                                         url: str) -> None:
    check(openapi, path, client.get(url))


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
