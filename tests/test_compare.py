"""`/compare?a=…&b=…`: two sections side by side, ¶n next to ¶n, at a shareable URL; bad input is a 400 or a 404."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient

from kb.render import RenderedParagraph
from kb.urls import Urls
from kb.views.compare import pair_paragraphs, reference
from tests.support import Site


def compare_url(a: str, b: str) -> str:
    return Urls().compare(reference(a), reference(b))


@pytest.fixture(scope="module")
def client(built_site: Site) -> FlaskClient:
    return built_site.client()


ROW = re.compile(r'<tr id="p(\d+)" data-n="\d+"><th scope="row">¶(\d+)</th>(.*?)</tr>', re.S)
CELL = re.compile(r'<td[^>]*data-paragraph="(\d*)"')


def rows(html: str) -> list[tuple[int, list[str]]]:
    """Each row's number and the paragraph numbers of its two cells ('' for an empty cell)."""
    out = []
    for anchor, n, cells in ROW.findall(html):
        assert anchor == n
        out.append((int(n), CELL.findall(cells)))
    return out


def paragraphs(client: FlaskClient, ref: str) -> list[dict]:
    return client.get(f"/api/sections/{ref}").get_json()["paragraphs"]


def test_a_section_and_its_translation_pair_paragraph_n_with_paragraph_n(client: FlaskClient) -> None:
    response = client.get("/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    en, fr = paragraphs(client, "en/mali/2020/unmet-needs"), paragraphs(client, "fr/mali/2020/unmet-needs")
    assert len(en) == len(fr) >= 3
    assert rows(html) == [(p["n"], [str(p["n"]), str(p["n"])]) for p in en]
    for row, para, twin in zip(ROW.findall(html), en, fr, strict=True):
        anchor = para["id"]  # a paragraph and its translation share their identifier, which the links name
        assert anchor and twin["id"] == anchor
        assert f'href="/en/mali/2020/unmet-needs#{anchor}"' in row[2]
        assert f'href="/fr/mali/2020/unmet-needs?ui=en#{anchor}"' in row[2]  # French text, English interface
        assert '<td lang="en"' in row[2] and '<td lang="fr"' in row[2]
    heads = re.findall(r'<th scope="col" data-side="[ab]">(.*?)</th>', html, re.S)
    assert "Translation by kb" not in heads[0]  # the English is the original; the French is kb's translation of it
    assert '<span class="translated">Translation by kb of the English original</span>' in heads[1]


def test_extra_paragraphs_face_an_empty_cell(client: FlaskClient) -> None:
    a, b = "en/mali/2020/unmet-needs", "en/mali/2020/key-achievements"
    left, right = len(paragraphs(client, a)), len(paragraphs(client, b))
    assert left < right
    html = client.get(compare_url(a, b)).get_data(as_text=True)
    found = rows(html)
    assert [n for n, _ in found] == list(range(1, right + 1))
    assert all(cells == [str(n), str(n)] for n, cells in found[:left])
    assert all(cells == ["", str(n)] for n, cells in found[left:])
    assert html.count('<td class="empty"') == right - left
    swapped = rows(client.get(compare_url(b, a)).get_data(as_text=True))
    assert all(cells == [str(n), ""] for n, cells in swapped[left:])


def test_the_page_carries_its_shareable_url_and_a_swap_link(client: FlaskClient) -> None:
    html = client.get("/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs").get_data(as_text=True)
    assert 'value="http://localhost/compare?a=en/mali/2020/unmet-needs&amp;b=fr/mali/2020/unmet-needs"' in html
    assert 'href="/compare?a=fr/mali/2020/unmet-needs&amp;b=en/mali/2020/unmet-needs"' in html


def test_compare_url_accepts_pages_paths_and_references() -> None:
    page = SimpleNamespace(path="/en/mali/2020/unmet-needs")
    expected = "/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs"
    assert compare_url(page, "/fr/mali/2020/unmet-needs") == expected
    assert compare_url("en/mali/2020/unmet-needs", "/fr/mali/2020/unmet-needs?hl=x#p2") == expected
    assert reference("/en/mali/2019/unmet-needs/") == "en/mali/2019/unmet-needs"


def test_compare_url_is_a_template_global(client: FlaskClient) -> None:
    env = client.application.jinja_env
    with client.application.test_request_context("/"):
        html = env.from_string("{{ compare_url('en/mali/2020/x', 'en/mali/2019/x') }}").render()
    assert html == (
        "/compare?a=en/mali/2020/x&amp;b=en/mali/2019/x")


@pytest.mark.parametrize(("query", "reason"), [
    ("", "a: missing"),
    ("?a=en/mali/2020/unmet-needs", "b: missing"),
    ("?a=en/mali&b=fr/mali/2020/unmet-needs", "a: &#39;en/mali&#39; is not of the form"),
    ("?a=de/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs", "a: &#39;de/mali/2020/unmet-needs&#39; is not"),
    ("?a=en/mali/2020/unmet-needs&b=fr/../../etc/passwd", "b: &#39;fr/../../etc/passwd&#39; is not"),
    ("?a=en/mali/20x0/unmet-needs&b=fr/mali/2020/unmet-needs", "a: &#39;en/mali/20x0/unmet-needs&#39; is not"),
])
def test_a_malformed_reference_is_a_400_with_the_reason(client: FlaskClient, query: str, reason: str) -> None:
    response = client.get(f"/compare{query}")
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "reason"), [
    ("?a=en/mali/2020/nothing-here&b=fr/mali/2020/unmet-needs", "a: there is no section en/mali/2020/nothing-here"),
    ("?a=en/mali/2020/unmet-needs&b=fr/atlantis/2020/unmet-needs", "b: there is no section fr/atlantis/2020/"),
    ("?a=en/mali/2020/unmet-needs&b=fr/mali/1999/unmet-needs", "b: there is no section fr/mali/1999/unmet-needs"),
])
def test_an_unknown_section_is_a_404_with_the_reason(client: FlaskClient, query: str, reason: str) -> None:
    response = client.get(f"/compare{query}")
    assert response.status_code == 404
    assert reason in response.get_data(as_text=True)


def test_reasons_follow_the_interface_language(client: FlaskClient) -> None:
    response = client.get("/compare?a=en/mali&ui=fr")
    assert response.status_code == 400
    assert "n&#39;est pas de la forme langue/opération/année/section" in response.get_data(as_text=True)


def test_pair_paragraphs_aligns_by_number_not_position() -> None:
    def para(n: int) -> RenderedParagraph:
        return RenderedParagraph(n, "p", f"¶{n}", [], False)  # type: ignore[arg-type]

    paired = pair_paragraphs([para(1), para(2), para(4)], [para(1), para(3)])
    assert [(r.n, r.a and r.a.n, r.b and r.b.n) for r in paired] == [(1, 1, 1), (2, 2, None), (3, None, 3),
                                                                     (4, 4, None)]


def test_the_compare_page_has_no_inline_style(client: FlaskClient) -> None:
    html = client.get("/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs").get_data(as_text=True)
    assert " style=" not in html and "<style" not in html
