"""Section pages `/<lang>/<operation>/<year>/<section>`: the numbered paragraphs of the file under their identifiers,
the words of a search highlighted (`?hl=`), the links to the other language and to the other years, the citation and
its permalink; 404 for any address that is not exactly a published section's, so drafts are never served.

Most tests read the session's built site (Mali 2020). `years` is a private copy with Mali 2021 unmet needs published
in both languages and Mali 2019 unmet needs as drafts. The hostile and odd addresses are tests/test_security.py's; the
French interface is tests/test_i18n.py's; the JSON twin of a section page is tests/test_api.py's.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from indexer.content import split_front_matter, split_paragraphs
from tests.support import Site, build, clone_site, copy_section, make_app, set_body

UNMET = "/en/mali/2020/unmet-needs"
PARA = re.compile(r'<div class="para( li)?( marked)?" id="(\w+)" data-ref="(\w+)" data-n="(\d+)">\s*'
                  r'<span class="anchor" id="p(\d+)"></span>\s*<a class="pilcrow" href="([^"]+)"[^>]*>¶(\d+)</a>'
                  r'\s*<p>(?:<span class="bullet" aria-hidden="true">•</span> )?(.*?)</p>', re.S)
DRAFT_WORD = "draftonlyword"


@pytest.fixture(scope="module")
def client(built_site: Site) -> FlaskClient:
    return built_site.client()


@pytest.fixture(scope="module")
def years(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    """Mali unmet needs in 2020 and 2021 (both languages), and 2019 as drafts: a client over that site."""
    content, instance = clone_site(built_site, tmp_path_factory.mktemp("years"))
    for lang in ("en", "fr"):
        copy_section(content, f"mali/2020/unmet-needs.{lang}.md", f"mali/2021/unmet-needs.{lang}.md",
                             year=2021, translation_key="mali/2021/unmet-needs")
        draft = copy_section(content, f"mali/2020/unmet-needs.{lang}.md", f"mali/2019/unmet-needs.{lang}.md",
                             year=2019, translation_key="mali/2019/unmet-needs", import_checksum=None, draft=True)
        set_body(draft, f"- The {DRAFT_WORD} figures of 2019 are not checked yet." if lang == "en" else
                 f"- Les chiffres {DRAFT_WORD} de 2019 ne sont pas encore vérifiés.")
    build(content, instance)
    return make_app(instance).test_client()


def page(client: FlaskClient, url: str, **params: str) -> str:
    response = client.get(url, query_string=params or None)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def paragraphs(html: str) -> list[tuple[int, bool, str]]:
    """(number, marked, inner HTML) of each paragraph. Its anchor is its identifier, its number is its label and
    its old anchor (#p1, #p2, …), and its ¶ links to its permalink, /…/p/<identifier>."""
    out = []
    for _li, marked, ref, data_ref, data_n, old_anchor, permalink, label, inner in PARA.findall(html):
        assert ref == data_ref and data_n == old_anchor == label and urlsplit(unescape(permalink)).path.endswith(
            f"/p/{ref}")
        out.append((int(label), bool(marked), inner))
    return out


def refs(html: str) -> list[str]:
    """The identifier of each paragraph, in order."""
    return [match[2] for match in PARA.findall(html)]


def file_paragraphs(site: Site, rel: str) -> list[tuple[str | None, str]]:
    """(identifier, text) of each paragraph of a content file."""
    _meta, body, first_line = split_front_matter((site.content / rel).read_text(encoding="utf-8"))
    return [(p.id, p.text) for p in split_paragraphs(body, first_line)]


# ------------------------------------------------------------------------------------------------ paragraphs


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("section", ["unmet-needs", "key-achievements", "operational-context"])
def test_each_paragraph_of_the_file_is_numbered_in_order_with_its_anchor(client: FlaskClient, built_site: Site,
                                                                        lang: str, section: str) -> None:
    html = page(client, f"/{lang}/mali/2020/{section}")
    found = paragraphs(html)
    in_file = file_paragraphs(built_site, f"mali/2020/{section}.{lang}.md")
    assert [n for n, _, _ in found] == list(range(1, len(in_file) + 1))
    assert refs(html) == [ref for ref, _ in in_file]
    for (_n, marked, inner), (_ref, text) in zip(found, in_file, strict=True):
        assert not marked
        words = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", inner))).strip()
        assert words == re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", re.sub(r"\s+", " ", text)).replace("**", ""), words


def test_the_title_and_the_meta_line(client: FlaskClient) -> None:
    html = page(client, UNMET)
    assert "<title>Unmet needs — Mali 2020" in html and '<h1 id="section-title">Unmet needs</h1>' in html
    assert re.search(r'<p class="meta" lang="en">Mali · 2020 · Year-end report · English', html)
    assert '<article class="section" lang="en"' in html


# ------------------------------------------------------------------------------------------------ ?hl=


@pytest.mark.parametrize(("query", "lang", "n", "marks", "marked"), [
    ("birth certificate", "en", 4, ["birth", "certificate"], [4]),
    ("acte de naissance", "fr", 4, ["acte", "naissance"], [4]),
    ("refugies", "fr", 1, ["réfugiés"], [1, 2, 3, 5]),  # "réfugiés" is in four of the five paragraphs
])
def test_a_search_hit_opens_the_section_with_its_words_marked(client: FlaskClient, query: str, lang: str, n: int,
                                                              marks: list[str], marked: list[int]) -> None:
    params = {"q": query, "lang": lang, "section": "unmet-needs"}
    hit = client.get("/api/search", query_string=params).get_json()["hits"][0]
    html = page(client, hit["url"])
    assert urlsplit(hit["url"]).fragment == refs(html)[n - 1] and "hl=" in urlsplit(hit["url"]).query
    found = paragraphs(html)
    assert [number for number, is_marked, _ in found if is_marked] == marked
    inner = next(inner for number, _, inner in found if number == n)
    assert re.findall(r"<mark>(.*?)</mark>", inner) == [str(escape(word)) for word in marks]
    assert all(("<mark>" in inner) == (number in marked) for number, _, inner in found)


@pytest.mark.parametrize("hl", ["", "zebra", "<script>", "birth" + "x" * 40])
def test_a_highlight_that_matches_nothing_marks_nothing(client: FlaskClient, hl: str) -> None:
    html = page(client, UNMET, hl=hl)
    assert "<mark>" not in html and " marked" not in html and "<script>" not in html.split("<main")[1]


def test_the_highlight_marks_the_same_words_as_the_snippet(client: FlaskClient) -> None:
    hit = client.get("/api/search", query_string={"q": '"protection monitoring"'}).get_json()["hits"][0]
    inner = next(inner for number, marked, inner in paragraphs(page(client, hit["url"])) if number == hit["paragraph"])
    in_snippet = [str(escape(hit["snippet"][start:end])) for start, end in hit["marks"]]
    assert in_snippet and re.findall(r"<mark>(.*?)</mark>", inner)[:2] == in_snippet[:2]


# ------------------------------------------------------------------------------------------------ links


@pytest.mark.parametrize(("lang", "other", "label"), [("en", "fr", "Read in French"), ("fr", "en", "Read in English")])
def test_each_language_links_to_the_other_and_to_their_comparison(client: FlaskClient, lang: str, other: str,
                                                                  label: str) -> None:
    html = page(client, f"/{lang}/mali/2020/unmet-needs", ui="en")
    keep_ui = "" if other == "en" else "?ui=en"  # the link keeps the English interface on a French page
    link = f'<a href="/{other}/mali/2020/unmet-needs{keep_ui}" class="other-lang" hreflang="{other}">{label}</a>'
    assert link in html
    compare = re.search(r'<a href="([^"]+)" class="compare-lang">', html).group(1)
    assert unescape(compare) == f"/compare?a={lang}/mali/2020/unmet-needs&b={other}/mali/2020/unmet-needs"
    assert client.get(unescape(compare)).status_code == 200
    assert ("Translated from English" in html) == (lang == "fr")


def test_breadcrumbs_lead_to_the_search_and_the_operation_page(client: FlaskClient) -> None:
    crumbs = re.search(r'<nav class="crumbs"[^>]*>(.*?)</nav>', page(client, UNMET, ui="en"), re.S).group(1)
    assert [unescape(href) for href in re.findall(r'href="([^"]+)"', crumbs)] == [
        "/", "/?operation=mali", "/?operation=mali&year=2020", "/en/mali"]


def test_other_years_link_to_the_same_section_and_their_comparison(years: FlaskClient) -> None:
    html = page(years, UNMET, ui="en")
    listed = re.search(r'<ul class="years">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r'<li><a href="([^"]+)">(\d{4})</a>', listed) == [("/en/mali/2021/unmet-needs", "2021")]
    compare = unescape(re.search(r'class="note">\(<a href="([^"]+)" class="compare-year"', listed).group(1))
    assert compare == "/compare?a=en/mali/2020/unmet-needs&b=en/mali/2021/unmet-needs"
    later = page(years, "/fr/mali/2021/unmet-needs", ui="en")
    assert re.findall(r'<ul class="years"><li><a href="([^"]+)">(\d{4})</a>', later) == [
        ("/fr/mali/2020/unmet-needs?ui=en", "2020")]
    assert "<title>Besoins non satisfaits — Mali 2021" in later


def test_a_section_of_one_year_lists_no_other_year(years: FlaskClient) -> None:
    html = page(years, "/en/mali/2020/operational-context", ui="en")
    assert "Other years" not in html and 'class="years"' not in html


# ------------------------------------------------------------------------------------------------ 404s and drafts


@pytest.mark.parametrize("url", [
    "/en/mali/02020/unmet-needs", "/en/mali/2020/unmet-needs/", "/en/mali/20200/unmet-needs",
    "/en/mali/1899/unmet-needs", "/en/mali/2101/unmet-needs", "/en/mali/2019/unmet-needs", "/de/mali/2020/unmet-needs",
    "/EN/mali/2020/unmet-needs", "/en/Mali/2020/unmet-needs", "/en/mali/2020/Unmet-Needs", "/en/mali/2020/unmet_needs",
    "/en/mali/2020/nosuch", "/en/niger/2020/unmet-needs", "/en/mali/2020/unmet-needs.en.md", "/en/mali/2020",
    "/en/mali/2020/unmet-needs/p1",
])
def test_a_malformed_or_unknown_address_is_a_404_page(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "There is no page at this address" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/en/mali/2019/unmet-needs", "/fr/mali/2019/unmet-needs",
                                 "/api/sections/en/mali/2019/unmet-needs", "/compare?a=en/mali/2019/unmet-needs"
                                 "&b=en/mali/2020/unmet-needs"])
def test_drafts_are_never_served(years: FlaskClient, url: str) -> None:
    assert years.get(url).status_code == 404


def test_drafts_are_neither_found_nor_listed(years: FlaskClient) -> None:
    assert years.get("/api/search", query_string={"q": DRAFT_WORD}).get_json()["total"] == 0
    for lang in ("en", "fr"):
        html = page(years, f"/{lang}/mali/2020/unmet-needs")
        assert "2019" not in re.search(r'<ul class="years">(.*?)</ul>', html, re.S).group(1)


# ------------------------------------------------------------------------------------------------ citations


def citation(html: str, which: str) -> str:
    return unescape(re.search(rf'<pre class="cite-text" id="cite-{which}"[^>]*>(.*?)</pre>', html, re.S).group(1))


def test_the_citation_names_the_section_and_its_permalink(client: FlaskClient) -> None:
    html = page(client, UNMET, hl="birth")
    permalink = "http://localhost/en/mali/2020/unmet-needs"  # the address itself: no ?hl=, no #p
    assert f'<input id="cite-link" class="cite-text" readonly value="{permalink}">' in html
    today = date.today().isoformat()
    assert citation(html, "plain") == ("UNHCR. “Mali 2020: Unmet needs”. Global Focus operation report (Year-end "
                                       f"report), 2020. {permalink} (accessed {today}).")
    bibtex = citation(html, "bibtex")
    assert bibtex.startswith("@misc{unhcr-mali-2020-unmet-needs-en,") and f"url = {{{permalink}}}" in bibtex
    assert "title = {{Mali 2020: Unmet needs}}" in bibtex and "year = {2020}" in bibtex
    ris = citation(html, "ris").splitlines()
    assert ris[0] == "TY  - ELEC" and f"UR  - {permalink}" in ris and "TI  - Mali 2020: Unmet needs" in ris
    assert "imported from <code>000_886a7aa99cc4041e.txt</code>" in html


def test_the_citation_of_a_translation_is_the_same_whatever_the_interface(client: FlaskClient) -> None:
    english_ui = citation(page(client, "/fr/mali/2020/unmet-needs", ui="en"), "plain")
    french_ui = citation(page(client, "/fr/mali/2020/unmet-needs", ui="fr"), "plain")
    assert english_ui == french_ui
    assert english_ui.startswith("UNHCR. “Mali 2020: Besoins non satisfaits”. Unofficial French translation by kb of "
                                 "the English original, “Mali 2020: ")  # cited as the translation it is
    assert "(Year-end report), 2020. http://localhost/fr/mali/2020/unmet-needs (accessed " in english_ui

