"""The interface in English and French: a complete French catalogue, compiled and committed, and the language choice
(decided by the URL: `?ui=`, else the page's own language, else English; a cookie or Accept-Language only send a bare
`/` to the French page) reflected in the labels and in `<html lang>`.

Also the section page's links to the compare view: the other language, and the same section in other years.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from kb import create_app
from kb.urls import Urls
from tests.support import ROOT, Site, build, clone_site, edit, make_app

CATALOGUE = ROOT / "kb" / "translations" / "fr" / "LC_MESSAGES"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def html_lang(html: str) -> str:
    found = re.search(r'<html lang="([a-z]+)"', html)
    assert found, html[:200]
    return found.group(1)


# ------------------------------------------------------------------------------------------------ the catalogue


def po_catalogue() -> Catalog:
    with open(CATALOGUE / "messages.po", "rb") as f:
        return read_po(f, locale="fr")


def test_babel_cfg_extracts_python_and_templates() -> None:
    cfg = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    assert "[python: **.py]" in cfg and "[jinja2: **/templates/**.html]" in cfg


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    catalogue = po_catalogue()
    assert not catalogue.fuzzy, "the catalogue's header is marked fuzzy"
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == []
    assert not catalogue.obsolete, f"obsolete entries (#~): {list(catalogue.obsolete)}"


KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}  # N_ marks the search layer's messages (kb.engine.backend.N_)


def test_every_interface_string_of_the_sources_is_in_the_catalogue() -> None:
    """What `pybabel extract -F babel.cfg -k N_ kb` finds is exactly what messages.po translates."""
    found = {msgid if isinstance(msgid, str) else msgid[0]
             for _file, _line, msgid, *_ in extract_from_dir(str(ROOT / "kb"), METHODS, keywords=KEYWORDS)}
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in po_catalogue() if m.id}
    assert sorted(found - translated) == [], "in the sources, not in messages.po"
    assert sorted(translated - found) == [], "in messages.po, no longer in the sources"


def test_placeholders_survive_translation() -> None:
    for message in po_catalogue():
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else message.id
        strings = (message.string,) if isinstance(message.string, str) else message.string
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for string in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", string)) == wanted, (message.id, string)


def test_the_committed_mo_is_compiled_from_the_po() -> None:
    """messages.mo is committed (a fresh clone serves French without a build step) and matches messages.po."""
    mo_path = CATALOGUE / "messages.mo"
    assert mo_path.is_file(), "run: pybabel compile -d kb/translations"
    with open(mo_path, "rb") as f:
        committed = read_mo(f)
    fresh = io.BytesIO()
    write_mo(fresh, po_catalogue())
    fresh.seek(0)
    compiled = read_mo(fresh)

    def pairs(catalogue: Catalog) -> dict:
        # plural ids and strings are lists or tuples
        def key(value: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
            return value if isinstance(value, str) else tuple(value)

        return {key(m.id): key(m.string) for m in catalogue if m.id}

    assert pairs(committed) == pairs(compiled), "messages.mo is stale: run pybabel compile -d kb/translations"


# ------------------------------------------------------------------------------------------------ the app


@pytest.fixture(scope="module")
def app(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The corpus, plus the unmet needs of a second year (so a section has other years to compare with)."""
    content, instance = clone_site(built_site, tmp_path_factory.mktemp("i18n"))
    (content / "mali" / "2021").mkdir(exist_ok=True)
    for lang in ("en", "fr"):
        later = content / "mali" / "2021" / f"unmet-needs.{lang}.md"
        later.write_text((content / "mali" / "2020" / later.name).read_text(encoding="utf-8"), encoding="utf-8")
        edit(later, "year: 2020", "year: 2021")
        edit(later, "translation_key: mali/2020/unmet-needs", "translation_key: mali/2021/unmet-needs")
    build(content, instance)
    return make_app(instance)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()  # a fresh cookie jar for each test


def test_english_by_default(client: FlaskClient) -> None:
    html = client.get("/?q=education").get_data(as_text=True)
    assert html_lang(html) == "en"
    for label in (">Refine<", ">Year<", ">Theme<", "2 results", ">Search<"):
        assert label in html, label


def test_a_submitted_forms_empty_fields_are_tidied_from_the_url(client: FlaskClient) -> None:
    response = client.get("/?q=education&theme=&from=&to=&sort=relevance")
    assert response.status_code == 302 and response.headers["Location"] == "/?q=education"
    assert client.get("/?q=education&from=2019&to=&sort=newest&ui=fr").headers["Location"] == \
        "/?q=education&from=2019&sort=newest&ui=fr"
    assert client.get("/?q=education&from=2019").status_code == 200  # a tidy URL is answered as it is


def test_ui_fr_switches_to_french_and_only_a_bare_root_remembers_it(client: FlaskClient) -> None:
    response = client.get("/?q=education&ui=fr")
    html = response.get_data(as_text=True)
    assert html_lang(html) == "fr"
    for label in (">Affiner<", ">Année<", ">Thème<", "2 résultats", ">Rechercher<", "Rapport de fin d&#39;année"):
        assert label in html, label
    assert ">Refine<" not in html and "2 results" not in html
    cookie = client.get_cookie("kb_lang")
    assert cookie is not None and cookie.value == "fr"
    assert "kb_lang=fr" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]

    # the URL decides: the same address without ?ui= is the English page, whatever the cookie says
    again = client.get("/?q=education", headers={"Accept-Language": "fr"})
    assert html_lang(again.get_data(as_text=True)) == "en" and ">Refine<" in again.get_data(as_text=True)
    assert "Set-Cookie" not in again.headers
    # a bare / follows the remembered choice, by a redirect to the French page's own address
    bare = client.get("/", headers={"Accept-Language": "en"})
    assert bare.status_code == 302 and bare.headers["Location"] == "/?ui=fr"
    assert {"Cookie", "Accept-Language"} <= set(bare.vary)

    back = client.get("/?ui=en")  # an explicit English switch: remembered, then tidied to the bare address
    assert back.status_code == 302 and client.get_cookie("kb_lang").value == "en"
    assert html_lang(client.get("/").get_data(as_text=True)) == "en"


def test_links_on_a_french_page_keep_the_french_interface(client: FlaskClient) -> None:
    html = client.get("/?q=education&ui=fr").get_data(as_text=True)
    hrefs = re.findall(r'href="([^"#]*/en/mali/2020/[^"#]*)', html)
    assert hrefs and all("ui=fr" in h for h in hrefs), hrefs  # English sections, shown with the French interface
    assert all("ui=fr" in h for h in re.findall(r'href="(/\?[^"]*)"', html) if "ui=en" not in h)


def test_accept_language_fr_sends_a_bare_root_to_french(client: FlaskClient) -> None:
    response = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert response.status_code == 302 and response.headers["Location"] == "/?ui=fr"
    html = client.get("/", headers={"Accept-Language": "de-DE,en;q=0.5"}).get_data(as_text=True)
    assert html_lang(html) == "en"
    assert client.get_cookie("kb_lang") is None  # only an explicit choice is remembered


def test_an_unknown_ui_value_is_ignored(client: FlaskClient) -> None:
    response = client.get("/?ui=de&q=x", headers={"Accept-Language": "fr"})
    assert html_lang(response.get_data(as_text=True)) == "en" and client.get_cookie("kb_lang") is None


def test_french_plurals_and_the_no_result_line(client: FlaskClient) -> None:
    assert "1 résultat<" in re.sub(r"\s+<", "<", client.get("/?q=scolaire&ui=fr").get_data(as_text=True))
    assert "Aucun résultat" in client.get("/?q=zzzqqq&ui=fr").get_data(as_text=True)
    assert "Vouliez-vous dire" in client.get("/?q=educaton&ui=fr").get_data(as_text=True)


def test_section_page_in_french(client: FlaskClient) -> None:
    html = client.get("/en/mali/2020/unmet-needs?ui=fr").get_data(as_text=True)
    assert html_lang(html) == "fr"
    for label in (">Citer<", ">Lien permanent<", "Lire en français", ">Autres années<", "Copier la citation",
                  "Comparer avec l'autre langue", "comparer avec 2021"):
        assert label in html, label
    assert '<article class="section" lang="en"' in html  # the document keeps its own language
    french = client.get("/fr/mali/2020/unmet-needs").get_data(as_text=True)
    assert "Lire en anglais" in french and '<article class="section" lang="fr"' in french


def test_error_pages_follow_the_interface_language(client: FlaskClient) -> None:
    response = client.get("/en/mali/2020/nothing-here?ui=fr")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and html_lang(html) == "fr" and "Page introuvable" in html
    assert "Page introuvable" in client.get("/fr/nowhere/2020/nothing").get_data(as_text=True)  # a French address
    assert "Page not found" in client.get("/nowhere", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_section_page_links_to_the_compare_view(client: FlaskClient) -> None:
    html = client.get("/en/mali/2020/unmet-needs").get_data(as_text=True)
    other_lang = Urls().compare("en/mali/2020/unmet-needs", "fr/mali/2020/unmet-needs").replace("&", "&amp;")
    other_year = Urls().compare("en/mali/2020/unmet-needs", "en/mali/2021/unmet-needs").replace("&", "&amp;")
    assert f'href="{other_lang}"' in html and "Compare with the other language" in html
    assert f'href="{other_year}"' in html and "compare with 2021" in html
    for url in (other_lang, other_year):
        assert client.get(url.replace("&amp;", "&")).status_code == 200
    later = client.get("/en/mali/2021/unmet-needs").get_data(as_text=True)
    assert "compare with 2020" in later and "compare with 2021" not in later


def test_a_fresh_checkout_serves_french_without_compiling(tmp_path: Path) -> None:
    """The translations directory the app reads is the committed one (the .mo sits next to the .po)."""
    app = create_app({"TESTING": True}, instance_path=str(tmp_path))
    assert Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) == CATALOGUE.parent.parent
    with app.test_request_context("/?ui=fr"):
        from flask_babel import gettext

        assert gettext("Refine") == "Affiner" and gettext("Other years") == "Autres années"


def test_the_citation_does_not_change_with_the_interface_language(client: FlaskClient) -> None:
    def plain(html: str) -> str:
        found = re.search(r'<pre class="cite-text" id="cite-plain"[^>]*>(.*?)</pre>', html, re.S)
        assert found
        return found.group(1)

    for path in ("/en/mali/2020/unmet-needs", "/fr/mali/2020/unmet-needs"):
        english = plain(client.get(f"{path}?ui=en").get_data(as_text=True))
        french = plain(client.get(f"{path}?ui=fr").get_data(as_text=True))
        assert english == french and "(Year-end report)" in french and f"http://localhost{path} " in french
    assert "Besoins non satisfaits" in french  # the title stays in the document's language


def test_search_errors_are_explained_in_the_interface_language(client: FlaskClient) -> None:
    french = client.get("/?q=%22acte&ui=fr").get_data(as_text=True)
    assert "un guillemet n'est pas fermé" in french.replace("&#39;", "'")
    bad_page = client.get("/?page=0&ui=fr")
    assert bad_page.status_code == 400
    assert "doit être compris entre 1 et 1000" in bad_page.get_data(as_text=True)
    english = client.get("/?q=%22acte").get_data(as_text=True)
    assert "a quotation mark is not closed" in english


SAME_URL_PAGES = ("/?q=refugees", "/?q=education&ui=fr", "/en/mali/2020/unmet-needs", "/fr/mali/2020/unmet-needs",
                  "/en/mali", "/fr/mali", "/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs",
                  "/api/search?q=refugees", "/api/search.csv?q=education", "/api/sections/fr/mali/2020/unmet-needs",
                  "/en/mali/figures.json", "/nowhere")


@pytest.mark.parametrize("url", SAME_URL_PAGES)
def test_the_url_decides_the_page_not_the_cookie(client: FlaskClient, url: str) -> None:
    plain = client.get(url, headers={"Accept-Language": "en"})
    client.set_cookie("kb_lang", "fr")
    french = client.get(url, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    client.set_cookie("kb_lang", "en")
    english = client.get(url, headers={"Accept-Language": "fr"})
    assert plain.status_code == french.status_code == english.status_code
    assert plain.get_data() == french.get_data() == english.get_data()
