"""Cross-language search in a real browser (Debian's chromium), JavaScript on and off: a French query finds an
English-only section and lands on its paragraph with the matched English words marked; the "Also searched in" note
and its switch work without JavaScript.

The site is the Mali corpus with the small test glossary, Mali 2020's unmet needs in English only
(tests.support.glossary_site), served by waitress for this module.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import waitress
from playwright.sync_api import BrowserContext, expect

from tests.support import Site, glossary_site

pytestmark = pytest.mark.browser

both_ways = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


@pytest.fixture(scope="module")
def server(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = glossary_site(built_site, tmp_path_factory.mktemp("glossary-browser"))
    served = waitress.create_server(site.app, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=served.run, daemon=True).start()
    yield f"http://127.0.0.1:{served.effective_port}"
    served.close()


@both_ways
def test_a_french_query_lands_on_the_english_paragraph_with_the_equivalent_marked(
    new_context: Callable[..., BrowserContext], server: str, js: bool,
) -> None:
    page = new_context(java_script_enabled=js).new_page()
    page.goto(f"{server}/")
    page.fill("#q", "certificats de naissance")
    with page.expect_navigation():
        page.press("#q", "Enter")
    hit = page.locator(".hits .hit[lang=en]", has=page.locator("a[href^='/en/mali/2020/unmet-needs']"))
    expect(hit).to_have_count(1)
    expect(hit.locator(".snippet mark")).to_have_text(["birth", "certificate"], ignore_case=True)
    with page.expect_navigation():
        hit.locator("h3 a").click()
    target = page.locator(":target")
    expect(target).to_have_attribute("data-n", "4")
    assert [m.lower() for m in target.locator("mark").all_inner_texts()] == ["birth", "certificate"]
    expect(page.locator("article.section")).to_have_attribute("lang", "en")


def test_the_note_and_its_switch_work_without_javascript(
    new_context: Callable[..., BrowserContext], server: str,
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{server}/?q=certificats+de+naissance")
    note = page.locator(".xlang")
    expect(note.locator(".also-searched")).to_have_text(["Also searched in English: birth certificate",
                                                         "Also searched in French: acte de naissance"])
    english = page.locator(".hits .hit[lang=en]")
    expect(english).not_to_have_count(0)
    with page.expect_navigation():
        note.locator("a.xlang-switch").click()
    assert page.url.endswith("xlang=0")
    expect(page.locator(".hits .hit[lang=en]")).to_have_count(0)
    expect(note).to_contain_text("Cross-language search is off.")
    page.fill("#q", "certificat de naissance")  # a new query from this page keeps the switch off
    with page.expect_navigation():
        page.press("#q", "Enter")
    assert "xlang=0" in page.url
    expect(page.locator(".hits .hit[lang=en]")).to_have_count(0)
    with page.expect_navigation():
        page.locator(".xlang a.xlang-switch").click()
    assert "xlang" not in page.url
    expect(page.locator(".hits .hit[lang=en]")).not_to_have_count(0)
