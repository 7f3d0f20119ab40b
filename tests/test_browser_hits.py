"""The search page's hits across languages and its citation downloads in a real browser (Debian's chromium), on a
390 px phone and on a desktop, in English and French: each hit's link to the same paragraph in the other language
lands on that paragraph; "Cite the results of this page" downloads a RIS file with one entry per hit shown; neither
the search page nor a section page scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import rispy
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser

WIDTHS = {"390px": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
both_widths = pytest.mark.parametrize("width", list(WIDTHS))
both_languages = pytest.mark.parametrize("ui", ["en", "fr"])


def open_page(new_context: Callable[..., BrowserContext], width: str, ui: str, url: str) -> Page:
    context = new_context(locale="fr-FR" if ui == "fr" else "en-GB", viewport=WIDTHS[width], accept_downloads=True)
    page = context.new_page()
    page.goto(url + ("&ui=fr" if ui == "fr" else ""))
    return page


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


@both_widths
@both_languages
def test_a_hit_leads_to_the_same_paragraph_in_the_other_language(
        new_context: Callable[..., BrowserContext], width: str, ui: str) -> None:
    page = open_page(new_context, width, ui, "/?q=%22birth+certificate%22&lang=en")
    twin = page.locator(".hit .twin")
    expect(twin).to_have_count(1)
    expect(twin).to_be_visible()
    expect(twin).to_have_text("Même paragraphe en français" if ui == "fr" else "Same paragraph in French")
    assert not scrolls_sideways(page)
    with page.expect_navigation():
        twin.click()
    expect(page.locator(":target")).to_contain_text("acte de naissance")  # the French of the paragraph found
    expect(page.locator("html")).to_have_attribute("lang", ui)
    assert not scrolls_sideways(page)


@both_widths
@both_languages
def test_the_results_of_a_page_download_as_citations(new_context: Callable[..., BrowserContext], width: str,
                                                     ui: str, tmp_path: Path) -> None:
    page = open_page(new_context, width, ui, "/?q=r%C3%A9fugi%C3%A9s&lang=fr&per_page=2&page=2")
    expect(page.locator(".hit")).to_have_count(2)
    expect(page.locator(".hit .translated").first).to_have_text(
        "Traduction par kb de l'original anglais" if ui == "fr" else "Translation by kb of the English original")
    link = page.locator(".cite-results a", has_text="RIS")
    expect(link).to_be_visible()
    assert not scrolls_sideways(page)
    with page.expect_download() as started:
        link.click()
    saved = tmp_path / "page.ris"
    started.value.save_as(saved)
    entries = rispy.loads(saved.read_text(encoding="utf-8"))
    titles = [page.locator(".hit h3").nth(i).inner_text() for i in range(2)]
    assert [entry["title"] for entry in entries] == [f"Mali 2020: {title}" for title in titles]


@both_widths
@both_languages
def test_a_section_page_fits_the_screen(new_context: Callable[..., BrowserContext], width: str, ui: str) -> None:
    for lang in ("en", "fr"):
        page = open_page(new_context, width, ui, f"/{lang}/mali/2020/unmet-needs?para=2")
        expect(page.locator("#cite-plain")).to_be_visible()
        assert not scrolls_sideways(page), lang
