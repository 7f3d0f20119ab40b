"""Citing a paragraph in a real browser: clicking its ¶ mark makes the Cite block name that paragraph (permalink,
citation, BibTeX, RIS, CSL-JSON, downloads), with JavaScript in place, without it through the paragraph's permalink;
a link to a removed paragraph lands on the section with a notice."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser

SECTION = "/fr/mali/2020/unmet-needs"
FORMATS = ("#cite-plain", "#cite-bibtex", "#cite-ris", "#cite-csl")


def cites(page: Page, url: str) -> None:
    """Every format of the Cite block gives `url` (and nothing else's permalink)."""
    expect(page.locator("#cite-link")).to_have_value(url)
    for block in FORMATS:
        expect(page.locator(block)).to_contain_text(url)


def open_page(new_context: Callable[..., BrowserContext], js: bool, path: str) -> Page:
    page = new_context(locale="fr-FR", java_script_enabled=js).new_page()
    page.goto(path)
    return page


def test_clicking_a_pilcrow_cites_that_paragraph(new_context: Callable[..., BrowserContext], base_url: str) -> None:
    page = open_page(new_context, True, SECTION)
    cites(page, f"{base_url}{SECTION}")
    expect(page.locator("#cite-what")).to_contain_text("toute la section")
    mark = page.locator(".para[data-n='4'] .pilcrow")
    ref = mark.get_attribute("data-ref")
    assert ref and mark.get_attribute("href") == f"{SECTION}/p/{ref}"
    mark.click()
    assert page.url == f"{base_url}{SECTION}#{ref}"  # no page load: the anchor says which paragraph
    cites(page, f"{base_url}{SECTION}/p/{ref}")
    expect(page.locator("#cite-what")).to_have_text("Citation du paragraphe ¶4.")
    expect(page.locator("#cite-plain")).to_contain_text("Mali 2020: Besoins non satisfaits, ¶4")
    expect(page.locator("#cite-plain")).to_contain_text(  # kb's translation, named as such, with its original
        f"Unofficial French translation by kb of the English original, “Mali 2020: Unmet needs, ¶4”, "
        f"{base_url}/en/mali/2020/unmet-needs/p/{ref}")
    expect(page.locator("#cite-download-ris")).to_have_attribute("href", f"{SECTION}/p/{ref}/cite.ris")
    expect(page.locator(".para.selected")).to_have_attribute("data-n", "4")
    served = page.context.new_page()  # the script's citation is, to the letter, the one the server writes
    served.goto(f"{SECTION}?para={ref}")
    for block in ("#cite-link", *FORMATS, "#cite-what"):
        shown = [p.locator(block).input_value() if block == "#cite-link" else p.locator(block).inner_text()
                 for p in (page, served)]
        assert shown[0] == shown[1], block

    other = page.locator(".para[data-n='2'] .pilcrow")
    other.click()
    cites(page, f"{base_url}{SECTION}/p/{other.get_attribute('data-ref')}")
    expect(page.locator(".para.selected")).to_have_attribute("data-n", "2")

    page.locator("#cite-section").click()
    cites(page, f"{base_url}{SECTION}")
    expect(page.locator(".para.selected")).to_have_count(0)
    expect(page.locator("#cite-section")).to_be_hidden()

    page.goto(f"{SECTION}#{ref}")  # arriving on a paragraph's anchor selects it
    cites(page, f"{base_url}{SECTION}/p/{ref}")
    page.goto(f"{SECTION}#p4")  # and so does an older positional link
    cites(page, f"{base_url}{SECTION}/p/{ref}")


def test_without_javascript_the_pilcrow_is_the_permalink_whose_page_cites_the_paragraph(
        new_context: Callable[..., BrowserContext], base_url: str) -> None:
    page = open_page(new_context, False, SECTION)
    mark = page.locator(".para[data-n='4'] .pilcrow")
    ref = mark.get_attribute("data-ref")
    with page.expect_navigation():
        mark.click()
    assert page.url == f"{base_url}{SECTION}?para={ref}#{ref}"
    expect(page.locator(":target")).to_have_attribute("data-n", "4")
    cites(page, f"{base_url}{SECTION}/p/{ref}")
    expect(page.locator("#cite-what")).to_have_text("Citation du paragraphe ¶4.")
    with page.expect_navigation():
        page.locator("#cite-section").click()
    cites(page, f"{base_url}{SECTION}")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_link_to_a_removed_paragraph_lands_on_the_section_with_a_notice(
        new_context: Callable[..., BrowserContext], base_url: str, js: bool) -> None:
    page = open_page(new_context, js, f"{SECTION}/p/zz9zz")
    assert page.url == f"{base_url}{SECTION}?para=zz9zz"
    expect(page.locator(".message.notice")).to_contain_text("Cette section n'a pas de paragraphe zz9zz")
    expect(page.locator("article.section h1")).to_have_text("Besoins non satisfaits")
    cites(page, f"{base_url}{SECTION}")
