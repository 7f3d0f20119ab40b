"""French as a reader sees it in a real browser (Debian's chromium), with JavaScript on and off, on a 390 px phone and
on a desktop: the operation page's contributions ("1er octobre 2021", donors in French, one French note), the
French search page's chips and spacing, the editor's note under its paragraph; axe-core clean on those pages.

Fixtures (`new_context`, `base_url` → the live server over a copy of content/) come from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support import serious_violations

pytestmark = pytest.mark.browser

WIDTHS = {"390px": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
NNBSP = "\u202f"

both_ways = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
both_widths = pytest.mark.parametrize("width", list(WIDTHS))


def french_page(new_context: Callable[..., BrowserContext], js: bool, width: str, url: str) -> Page:
    context = new_context(locale="fr-FR", viewport=WIDTHS[width], java_script_enabled=js)
    page = context.new_page()
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    return page


@both_ways
@both_widths
def test_the_french_operation_page_dates_and_names_in_french(
    new_context: Callable[..., BrowserContext], js: bool, width: str,
) -> None:
    page = french_page(new_context, js, width, "/fr/mali")
    contributions = page.locator("#contributions")
    first_of_month = contributions.locator('time[datetime="2021-10-01"]')
    expect(first_of_month).to_have_text("1er octobre 2021")
    row = first_of_month.locator("xpath=ancestor::tr")
    expect(row.locator("td")).to_have_text("donateurs privés, Allemagne")
    expect(contributions.locator(".note")).to_have_text(
        "Extrait au mieux du texte de la page : le regroupement des dates et des donateurs peut être erroné.")
    expect(contributions.locator('[lang="en"]')).to_have_count(0)
    expect(page.locator("#funding th", has_text="Part du budget dépensée")).to_have_count(1)


@both_ways
@both_widths
def test_the_editors_note_sits_under_its_paragraph(
    new_context: Callable[..., BrowserContext], js: bool, width: str,
) -> None:
    page = french_page(new_context, js, width, "/fr/mali/2020/population-trends")
    note = page.locator(".para[data-n='1'] .editor-note")
    expect(note).to_be_visible()
    expect(note.locator(".editor-note-label")).to_have_text(f"Note de la rédaction{NNBSP}:")
    expect(note).to_contain_text("Nigériens")
    text = page.locator(".para[data-n='1'] > p").first
    expect(text).to_contain_text("Nigérians")  # the text itself follows the source
    paragraph, shown = text.bounding_box(), note.bounding_box()
    assert paragraph and shown and shown["y"] >= paragraph["y"] + paragraph["height"] - 1  # under it


@both_ways
def test_french_chips_read_french(new_context: Callable[..., BrowserContext], js: bool) -> None:
    page = french_page(new_context, js, "390px", "/?q=réfugiés&theme=education&from=2019&sort=newest&ui=fr")
    chips = page.locator(".chips .chip")
    expect(chips).to_have_count(3)
    expect(chips.nth(0)).to_contain_text(f"Thème{NNBSP}: Éducation")
    expect(chips.nth(1)).to_contain_text("À partir de 2019")
    expect(chips.nth(2)).to_contain_text(f"Tri{NNBSP}: plus récents d'abord")
    expect(page.locator("a.skip")).to_have_text("Aller aux résultats")
    expect(page.locator(".active-filters a.clear-all")).to_have_text("Effacer tous les filtres")
    expect(page.locator("details.refine summary")).to_have_text("Affiner")


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@both_widths
def test_the_french_pages_stay_accessible(new_context: Callable[..., BrowserContext], axe: Any, width: str) -> None:
    page = french_page(new_context, True, width, "/fr/mali")  # JavaScript on: axe needs it
    found = {}
    search = "/?q=r%C3%A9fugi%C3%A9s&theme=education&sort=newest&ui=fr"
    for url in ("/fr/mali", "/fr/mali/2020/population-trends", search):
        page.goto(url)
        serious = serious_violations(axe, page)
        if serious:
            found[url] = serious
    assert found == {}
