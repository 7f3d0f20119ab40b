"""A hit in one language links to the same paragraph of its twin in the other (they share the paragraph's
identifier), or to the twin section when the search found no paragraph in particular, and to nothing when the section
exists in one language only; kb's translations are marked as such, with their original's language, in the hits (HTML
and JSON) and in the compare view."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import Site, build, clone_site, make_app
from tests.test_one_language import FRENCH_ONLY


@pytest.fixture(scope="module")
def client(built_site: Site) -> FlaskClient:
    return built_site.client()


def api_hits(client: FlaskClient, query: str) -> list[dict]:
    return client.get(f"/api/search?{query}").get_json()["hits"]


def page_hits(client: FlaskClient, query: str) -> list[str]:
    """Each hit of the search page, as HTML."""
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    return re.findall(r'<li class="hit" lang="\w+">(.*?)</li>', response.get_data(as_text=True), re.S)


def twin_link(hit_html: str) -> tuple[str, str, str] | None:
    """The hit's link to its twin: (href, hreflang, text)."""
    found = re.search(r'<a class="twin" href="([^"]+)" hreflang="(\w+)">([^<]+)</a>', hit_html)
    return (unescape(found.group(1)), found.group(2), found.group(3)) if found else None


def address(url: str) -> tuple[str, str]:
    """A link's path and fragment, its query string left out."""
    path, _, fragment = url.partition("#")
    return path.split("?")[0], fragment


def paragraph_numbers(client: FlaskClient, path: str) -> dict[str, int]:
    return {p["id"]: p["n"] for p in client.get(f"/api/sections{path}").get_json()["paragraphs"]}


@pytest.mark.parametrize(("query", "lang", "other"), [("q=refugees&lang=en", "en", "fr"),
                                                        ("q=réfugiés&lang=fr", "fr", "en")])
def test_a_json_hit_links_to_the_same_paragraph_of_its_twin(client: FlaskClient, query: str, lang: str,
                                                            other: str) -> None:
    hits = api_hits(client, f"{query}&per_page=20")
    assert len(hits) >= 5
    for hit in hits:
        here = f"/{lang}/mali/{hit['year']}/{hit['section']}"
        there = f"/{other}/mali/{hit['year']}/{hit['section']}"
        assert hit["permalink"] == f"{here}/p/{hit['paragraph_id']}" and hit["anchor"] == hit["paragraph_id"]
        assert address(hit["twin"]) == (there, hit["paragraph_id"])
        assert paragraph_numbers(client, there)[hit["paragraph_id"]] == hit["paragraph"]  # the same ¶n there
        assert hit["translated_from"] == ("en" if lang == "fr" else None)  # the bundled French is kb's


@pytest.mark.parametrize("ui", ["en", "fr"])
def test_a_hit_on_the_page_links_to_the_same_paragraph_in_the_other_language(client: FlaskClient, ui: str) -> None:
    labels = {"en": ("Same paragraph in French", "Same paragraph in English"),
              "fr": ("Même paragraphe en français", "Même paragraphe en anglais")}[ui]
    for query, other, label in (("q=refugees&lang=en", "fr", labels[0]), ("q=réfugiés&lang=fr", "en", labels[1])):
        shown, hits = page_hits(client, query + ("&ui=fr" if ui == "fr" else "")), api_hits(client, query)
        assert len(shown) == len(hits) >= 5
        for html, hit in zip(shown, hits, strict=True):
            href, hreflang, text = twin_link(html) or ("", "", "")
            assert (hreflang, text) == (other, label)
            assert address(href) == address(hit["twin"])


def test_kbs_translations_are_marked_in_the_hits_with_their_originals_language(client: FlaskClient) -> None:
    for html in page_hits(client, "q=réfugiés&lang=fr"):
        assert '<span class="translated">Translation by kb of the English original</span>' in html
    for html in page_hits(client, "q=réfugiés&lang=fr&ui=fr"):
        assert "<span class=\"translated\">Traduction par kb de l'original anglais</span>" in html
    for html in page_hits(client, "q=refugees&lang=en"):  # originals are not marked
        assert 'class="translated"' not in html


def test_without_words_a_hit_links_to_the_twin_section(client: FlaskClient) -> None:
    hits = api_hits(client, "section=unmet-needs&lang=en")
    assert [address(hit["twin"]) for hit in hits] == [("/fr/mali/2020/unmet-needs", "")]
    [html] = page_hits(client, "section=unmet-needs&lang=en")
    assert twin_link(html) == ("/fr/mali/2020/unmet-needs?ui=en", "fr", "Same section in French")
    [french] = page_hits(client, "section=unmet-needs&lang=en&ui=fr")
    assert twin_link(french) == ("/fr/mali/2020/unmet-needs", "fr", "Même section en français")


@pytest.fixture(scope="module")
def french_only(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The bundled corpus plus a French original without English twin (unmet needs 2019), built."""
    content, instance = clone_site(built_site, tmp_path_factory.mktemp("french-only-hits"))
    (content / "mali" / "2019").mkdir()
    Path(content / "mali" / "2019" / "unmet-needs.fr.md").write_text(FRENCH_ONLY, encoding="utf-8")
    build(content, instance)
    return make_app(instance)


def test_a_section_in_one_language_has_no_twin_link(french_only: Flask) -> None:
    client = french_only.test_client()
    [hit] = api_hits(client, "q=abris+Mopti")
    assert hit["doc_id"] == "mali/2019/unmet-needs/fr" and hit["twin"] is None and hit["translated_from"] is None
    [html] = page_hits(client, "q=abris+Mopti")
    assert twin_link(html) is None and 'class="translated"' not in html and 'class="hit-langs"' not in html
    twins = [hit["twin"] for hit in api_hits(client, "lang=fr&per_page=50")]
    assert None in twins and len([t for t in twins if t]) == len(twins) - 1  # the 2020 sections keep theirs


@pytest.mark.parametrize(("ui", "mark"), [("en", "Translation by kb of the English original"),
                                          ("fr", "Traduction par kb de l'original anglais")])
def test_the_compare_view_marks_the_translation_by_kb(client: FlaskClient, ui: str, mark: str) -> None:
    for a, b in (("en", "fr"), ("fr", "en")):
        html = client.get(f"/compare?a={a}/mali/2020/unmet-needs&b={b}/mali/2020/unmet-needs&ui={ui}").get_data(
            as_text=True)
        heads = dict(re.findall(r'<th scope="col" data-side="([ab])">(.*?)</th>', html, re.S))
        french = heads["a" if a == "fr" else "b"]
        english = heads["b" if a == "fr" else "a"]
        assert f'<span class="translated">{mark}</span>' in french and 'class="translated"' not in english


def test_after_a_rebuild_a_hit_no_longer_links_to_a_removed_twin(built_site: Site, tmp_path: Path) -> None:
    content, instance = clone_site(built_site, tmp_path)
    client = make_app(instance).test_client()
    [hit] = api_hits(client, "section=unmet-needs&lang=en")
    assert hit["twin"]  # remembered for the generation being served...
    (content / "mali" / "2020" / "unmet-needs.fr.md").unlink()
    build(content, instance)
    [hit] = api_hits(client, "section=unmet-needs&lang=en")
    assert hit["twin"] is None  # ...and forgotten with it
    [html] = page_hits(client, "section=unmet-needs&lang=en")
    assert twin_link(html) is None


def test_twins_read_at_start_link_as_twins_read_when_needed(french_only: Flask) -> None:
    """kb serve reads every section's title and paragraph identifiers before it listens (SearchService.warm): the
    hits then link to their twins (or to none, for the French-only section) exactly as when each twin is read as a
    hit first needs it, and without reading a single document for it."""
    instance = Path(french_only.instance_path)
    cold = make_app(instance).test_client()
    app = make_app(instance)
    service = app.extensions["kb.search"]
    sections = len(list(service.backend.outlines()))
    assert sections > 10 and service.warm(5.0) == sections
    reads: list[str] = []
    read = service.twins._get
    service.twins._get = lambda doc_id: reads.append(doc_id) or read(doc_id)
    warm = app.test_client()
    for query in ("q=abris+Mopti", "lang=fr&per_page=50", "lang=en&per_page=50", "q=refugees",
                  "q=%22birth+certificate%22"):
        assert api_hits(warm, query) == api_hits(cold, query), query
    assert reads == []
