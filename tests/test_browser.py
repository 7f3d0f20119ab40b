"""A researcher's path through kb in a real browser (Debian's chromium through pytest-playwright), with JavaScript on
and off, and axe-core on every kind of page in English and French.

The path: search, tick two years and a theme (the counts and the result count follow), open a result and land on its
highlighted paragraph, switch the interface to French (the choice survives navigation), copy the citation, go back
through the browser's history to the same results and counts. Without JavaScript everything but the Copy button
works. Fixtures (`page`, `new_context`, `base_url` → the live server) come from tests/conftest.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support import serious_violations

pytestmark = pytest.mark.browser

Counts = dict[tuple[str, str], tuple[int, bool]]  # (facet, value) -> (count, selected)

EN, FR = "en-GB", "fr-FR"


# ------------------------------------------------------------------------------------------------ helpers


def result_count(page: Page) -> int:
    """The number in the results heading ("6 results", "1 résultat"; "No results" is 0)."""
    found = re.search(r"\d+", page.locator("#results-heading").inner_text())
    return int(found.group()) if found else 0


def facet_counts(page: Page) -> Counts:
    out: Counts = {}
    for link in page.locator(".facet .facet-value").all():
        facet = link.locator("xpath=ancestor::section[@data-facet]").get_attribute("data-facet")
        value = link.get_attribute("data-value")
        out[(facet, value)] = (int(link.locator(".count").inner_text()), link.get_attribute("data-selected") == "true")
    return out


def facet(page: Page, name: str, value: str) -> Any:
    return page.locator(f'.facet[data-facet="{name}"] .facet-value[data-value="{value}"]')


def search(page: Page, words: str) -> None:
    page.locator("#q").fill(words)
    with page.expect_navigation():
        page.locator("#q").press("Enter")


def tick(page: Page, name: str, value: str) -> None:
    with page.expect_navigation():
        facet(page, name, value).click()


def listed(page: Page) -> list[str]:
    """The links of the listed hits, in order."""
    return [a.get_attribute("href") or "" for a in page.locator(".hits .hit h3 a").all()]


def context_for(new_context: Callable[..., BrowserContext], js: bool) -> BrowserContext:
    """An English-speaking browser, with JavaScript and the clipboard, or without JavaScript."""
    if js:
        return new_context(locale=EN, permissions=["clipboard-read", "clipboard-write"])
    return new_context(locale=EN, java_script_enabled=False)


# ------------------------------------------------------------------------------------------------ the researcher


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_researchers_path(new_context: Callable[..., BrowserContext], base_url: str, js: bool) -> None:
    page = context_for(new_context, js).new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("label[for=q]")).to_have_text("Search the reports, in English and French")

    # "education": the key achievements, in English and in French; every match is from 2020
    search(page, "education")
    assert result_count(page) == 2
    assert {h.split("?")[0] for h in listed(page)} == {f"/{lang}/mali/2020/key-achievements" for lang in ("en", "fr")}
    assert {v for (name, v) in facet_counts(page) if name == "year"} == {"2020"}

    # "refugees": five sections, all of 2020; a key figure of 2021 stands apart, linked to the operation page
    search(page, "refugees")
    everything = facet_counts(page)
    assert result_count(page) == 5 and everything[("year", "2020")] == (5, False) and ("year", "2021") not in everything
    expect(page.locator(".key-figures .figure-block a")).to_have_attribute("href", "/en/mali#figures-2021")

    # values of one facet: OR, each count what choosing that value gives
    repatriation = everything[("theme", "voluntary-repatriation")][0]
    tick(page, "theme", "voluntary-repatriation")
    assert result_count(page) == repatriation and "theme=voluntary-repatriation" in page.url
    themes_now = {k: c for k, (c, _) in facet_counts(page).items() if k[0] == "theme"}
    assert themes_now == {k: c for k, (c, _) in everything.items() if k[0] == "theme"}  # own facet: unchanged
    expect(page.locator(".active-filters a.clear-all")).to_be_visible()
    tick(page, "theme", "voluntary-repatriation")  # off again
    assert result_count(page) == 5

    # themes are a paragraph's: "refugees" stands in an education paragraph of unmet-needs (¶2, "refugee-hosting")
    # only; key-achievements says "refugee" in ¶6, not in its education paragraph ¶4
    tick(page, "year", "2020")
    tick(page, "theme", "education")
    chosen = facet_counts(page)
    count = result_count(page)
    assert count == 1
    assert chosen[("theme", "education")] == (1, True) and chosen[("year", "2020")] == (1, True)
    assert re.findall(r"year=(\d+)", page.url) == ["2020"] and "theme=education" in page.url
    results_url = page.url

    # open a section hit: the paragraph the hit came from is the :target, with the query's word marked
    link = page.locator(".hits .hit h3 a[href*='hl=']").first  # a section hit (a key figure's has no words to mark)
    href = link.get_attribute("href")
    with page.expect_navigation():
        link.click()
    assert page.url == base_url + href
    anchor = re.search(r"#([a-z][a-z0-9]{4})$", page.url)  # the paragraph's identifier
    assert anchor, page.url
    target = page.locator(":target")
    expect(target).to_have_attribute("id", anchor.group(1))
    expect(target).to_have_class(re.compile(r"\bpara\b"))
    assert target.locator('[id="p2"]').count() == 1  # ¶2, whose old #p2 anchor it keeps
    assert [m.lower() for m in target.locator("mark").all_inner_texts()] == ["refugee"]
    expect(page.locator("h2#cite")).to_have_text("Cite")
    section_path = href.split("?")[0]
    title = page.locator("article.section h1").inner_text()

    # French interface: the labels change, the document does not, and the choice follows the researcher
    with page.expect_navigation():
        page.locator("nav.ui-lang a[data-ui=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h2#cite")).to_have_text("Citer")
    expect(page.locator("label[for=cite-link]")).to_have_text("Lien permanent")
    expect(page.locator("a.other-lang")).to_have_text("Lire en français")
    expect(page.locator("article.section")).to_have_attribute("lang", "en")
    expect(page.locator("article.section h1")).to_have_text(title)
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("kb_lang") == "fr"

    # the citation: in the page as plain text (with or without JS); the Copy button only with JS
    plain = page.locator("#cite-plain").inner_text().strip()
    # with JavaScript, the paragraph the hit landed on (its anchor, which a server never sees) is the one cited
    cited = f"{base_url}{section_path}/p/{anchor.group(1)} " if js else f"{base_url}{section_path} "
    assert plain.startswith("UNHCR.") and cited in plain
    copy = page.locator("button.copy")
    if js:
        expect(copy).to_have_text("Copier la citation")
        copy.click()
        expect(page.locator(".copy-status")).to_have_text("Citation copiée")
        assert page.evaluate("navigator.clipboard.readText()") == plain
    else:
        expect(copy).to_be_hidden()

    with page.expect_navigation():
        page.locator("nav.crumbs a").nth(1).click()  # the operation's sections, in the search page
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#facets-heading")).to_have_text("Affiner")
    expect(page.locator('.facet[data-facet="year"] h3')).to_have_text("Année")
    expect(page.locator('.facet[data-facet="theme"] h3')).to_have_text("Thème")
    assert "ui=fr" in page.url  # the URL decides the interface language

    # back through the browser's history: the same results and the same counts
    for _ in range(3):
        page.go_back()
    assert page.url == results_url
    assert result_count(page) == count
    assert facet_counts(page) == chosen



def test_the_listed_hits_are_the_counted_ones(page: Page) -> None:
    """The hits listed under the filters are the ones the heading counts (relevance order, a text query)."""
    page.goto("/?q=refugees&year=2021")  # no section of 2021: the key figure of 2021 is shown apart
    assert result_count(page) == 0
    assert listed(page) == []
    page.goto("/?q=refugees&year=2020&year=2021&theme=education")
    assert len(listed(page)) == result_count(page) == 1

@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(("words", "lang", "marked"), [
    ("acte de naissance", "fr", ["acte", "naissance"]),
    ("birth certificate", "en", ["birth", "certificate"]),
])
def test_a_phrase_finds_its_language_and_lands_on_the_paragraph(
    new_context: Callable[..., BrowserContext], js: bool, words: str, lang: str, marked: list[str],
) -> None:
    page = context_for(new_context, js).new_page()
    page.goto("/")
    search(page, words)
    first = page.locator(".hits .hit").first
    expect(first).to_have_attribute("lang", lang)
    link = first.locator("h3 a")
    interface = "" if lang == "en" else "ui=en&"  # a French text found from the English page keeps its interface
    assert link.get_attribute("href").startswith(f"/{lang}/mali/2020/unmet-needs?{interface}hl=")
    with page.expect_navigation():
        link.click()
    anchor = page.url.rsplit("#", 1)[1]  # the identifier of ¶4, which outlives edits above it
    target = page.locator(":target")
    expect(target).to_have_attribute("id", anchor)
    expect(target).to_have_attribute("data-n", "4")
    assert [m.lower() for m in target.locator("mark").all_inner_texts()] == marked
    expect(page.locator("article.section")).to_have_attribute("lang", lang)
    if js:  # the interface-language switch keeps the reader on the paragraph (the server never sees the anchor)
        with page.expect_navigation():
            page.locator("nav.ui-lang a[data-ui=fr]").click()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        assert page.url.endswith(f"#{anchor}")
        expect(page.locator(":target")).to_have_attribute("id", anchor)


def test_a_bare_root_follows_accept_language_until_chosen(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(locale=FR).new_page()
    page.goto("/")
    assert page.url.endswith("/?ui=fr")  # the French page has its own address
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("button[type=submit]").first).to_have_text("Rechercher")
    with page.expect_navigation():
        page.locator("nav.ui-lang a[data-ui=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/")  # the choice is remembered for a bare /
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/en/mali/2020/unmet-needs")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h2#cite")).to_have_text("Cite")
    page.goto("/fr/mali/2020/unmet-needs")  # a French page's own address: French, whatever was chosen before
    expect(page.locator("html")).to_have_attribute("lang", "fr")


# ------------------------------------------------------------------------------------------------ accessibility

PAGES = {
    "search": "/",
    "search-results": "/?q=refugees&year=2020&year=2021&theme=education",
    "section": "/en/mali/2020/unmet-needs?hl=birth+certif#p4",
    "section-fr": "/fr/mali/2020/unmet-needs",
    "operation": "/en/mali",
    "compare": "/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs",
    "not-found": "/en/mali/2020/no-such-section",
}


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("ui", ["en", "fr"])
def test_no_serious_accessibility_violation(
    new_context: Callable[..., BrowserContext], base_url: str, axe: Any, ui: str,
) -> None:
    context = new_context(locale=EN)  # JavaScript on: axe never runs without it
    page = context.new_page()
    found = {}
    for name, url in PAGES.items():
        path, _, anchor = url.partition("#")
        response = page.goto(f"{path}{'&' if '?' in path else '?'}ui={ui}" + (f"#{anchor}" if anchor else ""))
        assert response is not None and response.status == (404 if name == "not-found" else 200), name
        expect(page.locator("html")).to_have_attribute("lang", ui)
        serious = serious_violations(axe, page)
        if serious:
            found[name] = serious
    assert found == {}
