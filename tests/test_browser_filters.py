"""Filters you can see, in a real browser (Debian's chromium), with JavaScript on and off, on a 390 px phone and on a
desktop: the active filters as chips above the hits that each remove their filter, one "Clear all" that keeps the
query, the hits before the facets on a phone (folded into a "Refine" disclosure that opens without JavaScript), the
facets beside the hits on a desktop, "Skip to results" first, and axe-core clean in English and French.

Fixtures (`new_context`, `base_url` → the live server over a copy of content/) come from tests/conftest.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support import serious_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WIDTHS = {"390px": PHONE, "desktop": DESKTOP}
FILTERED = "/?q=refugees&year=2020&theme=education&from=2019&sort=newest"


def open_page(new_context: Callable[..., BrowserContext], js: bool, width: str, url: str) -> Page:
    context = new_context(locale="en-GB", viewport=WIDTHS[width], java_script_enabled=js)
    page = context.new_page()
    page.goto(url)
    return page


def result_count(page: Page) -> int:
    found = re.search(r"\d+", page.locator("#results-heading").inner_text())
    return int(found.group()) if found else 0


def chip(page: Page, name: str) -> Any:
    return page.locator(f'.chips .chip[data-name="{name}"]')


def top(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["y"]


def follow(page: Page, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


both_ways = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
both_widths = pytest.mark.parametrize("width", list(WIDTHS))


@both_ways
@both_widths
def test_chips_remove_their_filter_and_clear_all_keeps_the_query(
    new_context: Callable[..., BrowserContext], base_url: str, js: bool, width: str,
) -> None:
    page = open_page(new_context, js, width, FILTERED)
    chips = page.locator(".chips .chip")
    expect(chips).to_have_count(4)
    for i, text in enumerate(["Year: 2020", "Theme: Education", "From 2019", "Sort: newest first"]):
        expect(chips.nth(i)).to_be_visible()
        expect(chips.nth(i)).to_contain_text(text)
        assert top(chips.nth(i)) < top(page.locator(".hits .hit").first)  # above the hits
    narrow = result_count(page)

    follow(page, chip(page, "theme"))
    assert "theme=" not in page.url and "year=2020" in page.url and "sort=newest" in page.url
    expect(chip(page, "theme")).to_have_count(0)
    expect(chips).to_have_count(3)
    assert result_count(page) > narrow
    expect(page.locator('.facet[data-facet="theme"] .facet-value[data-value="education"]')).to_have_attribute(
        "data-selected", "false")

    follow(page, chip(page, "sort"))
    assert "sort=" not in page.url
    expect(page.locator("#sort")).to_have_value("relevance")

    follow(page, page.locator(".active-filters a.clear-all"))
    assert page.url == f"{base_url}/?q=refugees"
    expect(page.locator(".chips .chip")).to_have_count(0)
    expect(page.locator(".active-filters")).to_have_count(0)
    expect(page.locator("#q")).to_have_value("refugees")
    expect(page.locator("#from")).to_have_value("")
    every = result_count(page)
    page.goto("/?q=refugees")
    assert result_count(page) == every


@both_ways
def test_on_a_phone_the_hits_come_first_and_the_facets_fold_into_refine(
    new_context: Callable[..., BrowserContext], js: bool,
) -> None:
    page = open_page(new_context, js, "390px", "/?q=refugees")
    refine = page.locator("details.refine")
    summary = refine.locator("summary")
    year_2020 = page.locator('.facet[data-facet="year"] .facet-value[data-value="2020"]')
    assert refine.get_attribute("open") is None
    expect(summary).to_be_visible()
    expect(summary).to_have_text("Refine")
    expect(year_2020).to_be_hidden()
    hits = page.locator(".hits .hit")
    assert top(hits.last) < top(summary)  # every hit before the facets

    summary.click()  # a native disclosure: no script needed
    expect(year_2020).to_be_visible()
    follow(page, year_2020)
    assert "year=2020" in page.url
    expect(chip(page, "year")).to_contain_text("Year: 2020")
    assert page.locator("details.refine").get_attribute("open") is None  # folded again: the chip says what is on
    assert top(page.locator(".hits .hit").first) < top(page.locator("details.refine summary"))


@both_ways
def test_on_a_desktop_the_facets_are_unfolded_beside_the_hits(
    new_context: Callable[..., BrowserContext], js: bool,
) -> None:
    page = open_page(new_context, js, "desktop", "/?q=refugees")
    expect(page.locator("details.refine summary")).to_be_hidden()
    expect(page.locator("#facets-heading")).to_be_visible()
    year = page.locator('.facet[data-facet="year"] .facet-value[data-value="2020"]')
    expect(year).to_be_visible()
    facets, results = page.locator("aside.facets").bounding_box(), page.locator("#results").bounding_box()
    assert facets and results
    assert facets["x"] + facets["width"] <= results["x"]  # a column on the left
    assert abs(facets["y"] - results["y"]) < 5  # starting level with the results
    follow(page, year)
    assert "year=2020" in page.url


@both_ways
@both_widths
def test_skip_to_results_is_the_first_tab_stop_and_moves_focus_to_the_results(
    new_context: Callable[..., BrowserContext], js: bool, width: str,
) -> None:
    page = open_page(new_context, js, width, "/?q=refugees&theme=education")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to results")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0  # shown while focused
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()
    page.keyboard.press("Tab")  # next: the first chip, not the search form
    expect(page.locator(".chips .chip").first).to_be_focused()
    first_hit = page.locator(".hits .hit h3 a").first
    for _ in range(5):  # on through the results (Clear all, the trend's table) to the first hit, no facet between
        page.keyboard.press("Tab")
        assert page.locator("aside.facets :focus").count() == 0
        if first_hit.evaluate("a => a === document.activeElement"):
            break
    expect(first_hit).to_be_focused()


# ------------------------------------------------------------------------------------------------ accessibility


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("ui", ["en", "fr"])
@both_widths
def test_chips_and_refine_stay_accessible(
    new_context: Callable[..., BrowserContext], axe: Any, ui: str, width: str,
) -> None:
    page = open_page(new_context, True, width, f"{FILTERED}&to=2021&ui={ui}")  # JavaScript on: axe needs it
    expect(page.locator("html")).to_have_attribute("lang", ui)
    found = {}
    for name, url in [("filtered", f"{FILTERED}&to=2021"), ("suggestion", "/?q=educaton"), ("empty", "/?")]:
        page.goto(f"{url}&ui={ui}")
        if width == "390px":
            page.locator("details.refine summary").click()  # audit the unfolded facets too
        serious = serious_violations(axe, page)
        if serious:
            found[name] = serious
    assert found == {}


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@both_widths
def test_key_figures_stand_apart_and_open_the_operation_page_in_their_language(
    new_context: Callable[..., BrowserContext], js: bool, width: str,
) -> None:
    page = open_page(new_context, js, width, "/")
    hits = page.locator(".hits .hit")
    expect(hits.first).to_be_visible()
    assert "key figure" not in " ".join(hits.all_inner_texts())  # the first screen is sections
    blocks = page.locator(".key-figures .figure-block")
    expect(blocks.first).to_be_visible()
    french = page.locator('.key-figures .figure-block[lang="fr"] h3 a').first
    href = french.get_attribute("href")
    assert href.startswith("/fr/mali") and "ui=en" in href and href.endswith("#figures-2021")
    with page.expect_navigation():
        french.click()
    expect(page.locator("article")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the reader's interface kept
