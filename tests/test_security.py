"""Content and URL attacks: hostile Markdown, front matter, labels and queries never run; odd section URLs are 404s;
drafts are reachable by no URL, API, search or facet; every response carries the security headers.

The hostile corpus is a copy of content/ that still passes `kb check`: the payloads sit inside English and French
prose (a paragraph of Mali 2020 unmet needs in both languages), in front matter (title, source), in the operation's
label (operations.yaml) and in a key figure's text (figures.yaml). Each payload sets `window.__pwned` and most call
`alert()`; in Chromium (Playwright, Debian's chromium) the flag must stay undefined and no dialog may open,
both under the site's Content-Security-Policy and with it bypassed (so escaping alone is proven, CSP is the second
wall). See docs/reliability.md.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import CHROMIUM, CHROMIUM_ARGS, build, copy_content, copy_section, edit, set_body, set_front_matter

PWNED = "window.__pwned"
UNIQUE = "xsspayload"  # a word only the hostile paragraphs contain
DRAFT_WORD = "draftonlyword"  # a word only the drafts contain

EN_PARAGRAPH = (
    "- Partners quoted the string <script>window.__pwned=1;alert('body')</script> and the markup "
    '<img src=x onerror="window.__pwned=2;alert(2)"> in a report on the registration of refugees; a link '
    "[to the registration portal](javascript:window.__pwned=3;alert(3)) was reported as unsafe, like "
    '<svg onload=window.__pwned=4> and <a href="javascript:window.__pwned=5">this anchor</a>, in the '
    f"{UNIQUE} review."
)
FR_PARAGRAPH = (
    "- Les partenaires ont cité la chaîne <script>window.__pwned=1;alert('body')</script> et le balisage "
    '<img src=x onerror="window.__pwned=2;alert(2)"> dans un rapport sur l\'enregistrement des réfugiés ; un lien '
    "[vers le portail d'enregistrement](javascript:window.__pwned=3;alert(3)) a été signalé comme dangereux, comme "
    '<svg onload=window.__pwned=4> et <a href="javascript:window.__pwned=5">cette ancre</a>, dans la revue '
    f"{UNIQUE}."
)
HOSTILE_TITLE = {"en": 'Operational context <img src=x onerror="window.__pwned=6;alert(6)">',
                 "fr": "Contexte opérationnel <script>window.__pwned=7;alert(7)</script>"}
HOSTILE_SOURCE = '<script>window.__pwned=8;alert(8)</script>javascript:alert(8)"><img src=x onerror=alert(8)>.txt'
HOSTILE_LABEL = 'Mali <img src=x onerror="window.__pwned=9;alert(9)">'
HOSTILE_FIGURE = "people of concern benefited from cash assistance <script>window.__pwned=10;alert(10)</script>"
DRAFT_EN = (f"The {DRAFT_WORD} team has not yet checked these figures on the registration of refugees, so this "
            "section must stay unpublished until the review of the operation is complete.")
DRAFT_FR = (f"L'équipe {DRAFT_WORD} n'a pas encore vérifié ces chiffres sur l'enregistrement des réfugiés : cette "
            "section doit rester non publiée jusqu'à la fin de l'examen de l'opération.")


def hostile_content(root: Path) -> Path:
    """A copy of content/ with the payloads above and three drafts; `kb check` accepts it."""
    content = copy_content(root)
    for lang, paragraph in (("en", EN_PARAGRAPH), ("fr", FR_PARAGRAPH)):
        path = content / f"mali/2020/unmet-needs.{lang}.md"
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + paragraph + " {#xss55}\n",
                        encoding="utf-8")  # a paragraph added by hand, with an identifier like the others
        set_front_matter(content / f"mali/2020/operational-context.{lang}.md", title=HOSTILE_TITLE[lang],
                         source=HOSTILE_SOURCE)
    edit(content / "operations.yaml", "  en: Mali", f"  en: '{HOSTILE_LABEL}'")
    edit(content / "mali/2020/figures.yaml", "en: people of concern benefited from cash assistance",
         f"en: {HOSTILE_FIGURE}")
    # drafts: a year no published document has, a published English section whose French twin is a draft,
    # and an operation whose only documents are drafts
    draft = copy_section(content, "mali/2020/unmet-needs.en.md", "mali/2019/unmet-needs.en.md", year=2019,
                         translation_key="mali/2019/unmet-needs", import_checksum=None, draft=True)
    set_body(draft, DRAFT_EN)
    copy_section(content, "mali/2020/key-achievements.en.md", "mali/2021/key-achievements.en.md", year=2021,
                 translation_key="mali/2021/key-achievements", import_checksum=None)
    draft = copy_section(content, "mali/2020/key-achievements.fr.md", "mali/2021/key-achievements.fr.md", year=2021,
                         translation_key="mali/2021/key-achievements", draft=True)
    set_body(draft, DRAFT_FR)
    with (content / "operations.yaml").open("a", encoding="utf-8") as handle:
        handle.write("atlantis:\n  en: Atlantis\n  fr: Atlantide\n  country: [ATL]\n")
    for lang in ("en", "fr"):
        draft = copy_section(content, f"mali/2020/key-achievements.{lang}.md",
                             f"atlantis/2020/key-achievements.{lang}.md", operation="atlantis", country="ATL",
                             translation_key="atlantis/2020/key-achievements", import_checksum=None, draft=True)
        set_body(draft, DRAFT_EN if lang == "en" else DRAFT_FR)
    return content


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("security")
    content = hostile_content(root / "content")
    build(content, root / "instance")
    return root


@pytest.fixture(scope="module")
def app(site: Path) -> Flask:
    from kb import create_app

    return create_app(instance_path=str(site / "instance"))


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def server(app: Flask) -> Iterator[str]:
    """The hostile site served by waitress on 127.0.0.1; yields its base URL."""
    import waitress

    srv = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()


def test_the_hostile_corpus_passes_kb_check(site: Path) -> None:
    from click.testing import CliRunner

    from kb.cli import main

    result = CliRunner().invoke(main, ["check", "--content", str(site / "content")])
    assert result.exit_code == 0, result.output
    assert "4 drafts" in result.output


# ------------------------------------------------------------------------------------------------ in the browser

HOSTILE_QUERIES = [
    '<img src=x onerror="window.__pwned=11;alert(11)">',
    '"><script>window.__pwned=12;alert(12)</script>',
    "javascript:window.__pwned=13",
    "</title><script>window.__pwned=14</script>",
    "' onfocus='window.__pwned=15' autofocus x='",
]
BROWSER_URLS = [
    f"/?q={UNIQUE}",
    f"/?q={UNIQUE}&ui=fr",
    "/?q=cash",  # the key figure with the hostile text
    "/?q=registration&per_page=50",
    *[f"/?q={quote(q)}" for q in HOSTILE_QUERIES],
    f"/?theme={quote(HOSTILE_QUERIES[1])}&operation={quote(HOSTILE_QUERIES[0])}&section={quote(HOSTILE_QUERIES[4])}",
    f"/?year={quote(HOSTILE_QUERIES[0])}",
    f"/?page={quote(HOSTILE_QUERIES[3])}",
    f"/en/mali/2020/unmet-needs?hl={UNIQUE}+refugees",
    f"/fr/mali/2020/unmet-needs?hl={quote(HOSTILE_QUERIES[1])}",
    "/en/mali/2020/operational-context",
    "/fr/mali/2020/operational-context?ui=fr",
    "/en/mali",
    "/fr/mali",
    "/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/operational-context",
    f"/compare?a={quote(HOSTILE_QUERIES[1])}&b=x",
    f"/api/search?q={UNIQUE}",
    f"/api/search?q={quote(HOSTILE_QUERIES[0])}",
    "/api/sections/en/mali/2020/unmet-needs",
    "/api/sections/fr/mali/2020/operational-context",
    "/en/mali/figures.json",
    f"/{quote(HOSTILE_QUERIES[1])}",
    f"/en/mali/2020/{quote(HOSTILE_QUERIES[0])}",
]

AUDIT = """() => {
  const bad = [];
  for (const s of document.querySelectorAll("script")) {
    const where = s.src ? new URL(s.src).origin : "inline";
    if (where !== location.origin) bad.push("script " + (s.src || s.textContent.slice(0, 60)));
  }
  for (const el of document.querySelectorAll("img, iframe, object, embed, frame, base, meta[http-equiv]")) {
    bad.push("element " + el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (a.name.startsWith("on")) bad.push(`${el.tagName} ${a.name}=${a.value.slice(0, 40)}`);
    }
  }
  for (const a of document.querySelectorAll("a[href], area[href], form[action]")) {
    const url = new URL(a.href || a.action, location.href);
    if (!["http:", "https:"].includes(url.protocol)) bad.push(`${a.tagName} to ${url.href.slice(0, 60)}`);
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def chromium(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Chromium through Playwright: our own sync_playwright for this module, or the plugin's if one is running."""
    from playwright import sync_api

    try:
        manager = sync_api.sync_playwright()
        playwright = manager.start()
    except sync_api.Error:  # a sync_playwright is already running in this process: pytest-playwright's fixture
        manager, playwright = None, request.getfixturevalue("playwright")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()
    if manager is not None:
        manager.__exit__()


def visit(context: Any, url: str) -> tuple[Any, list[str]]:
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(50)  # let error and load events of anything injected fire
    return page, dialogs


@pytest.mark.browser
@pytest.mark.parametrize("csp", ["enforced", "bypassed"])
def test_no_payload_runs_in_the_browser(chromium: Any, server: str, csp: str) -> None:
    context = chromium.new_context(bypass_csp=csp == "bypassed")
    try:
        failures = []
        for url in BROWSER_URLS:
            page, dialogs = visit(context, server + url)
            pwned = page.evaluate(f"() => typeof {PWNED} === 'undefined' ? null : String({PWNED})")
            problems = page.evaluate(AUDIT)
            if pwned is not None or dialogs or problems:
                failures.append((url, pwned, dialogs, problems))
            page.close()
        assert failures == []
    finally:
        context.close()


@pytest.mark.browser
def test_payloads_are_shown_as_text(chromium: Any, server: str) -> None:
    """The payloads are not dropped either: a reader sees them as the text they are."""
    context = chromium.new_context()
    try:
        page, _ = visit(context, server + "/en/mali/2020/unmet-needs")
        text = page.inner_text("article")
        assert "<script>window.__pwned=1;alert('body')</script>" in text
        assert "[to the registration portal](javascript:window.__pwned=3;alert(3))" in text
        page, _ = visit(context, server + "/en/mali/2020/operational-context")
        assert page.inner_text("h1") == HOSTILE_TITLE["en"]
        assert HOSTILE_SOURCE in page.inner_text("aside")
        page, _ = visit(context, server + f"/?q={UNIQUE}")
        assert HOSTILE_LABEL in page.inner_text("main")
    finally:
        context.close()


@pytest.mark.browser
def test_interface_language_links_stay_on_the_site(chromium: Any, server: str) -> None:
    """On the 404 page of /%5Cevil.example/x, links built from request.path ('/\\evil.example/x') would resolve to
    //evil.example/x in a browser; the language links are query-only since 19fcf78 (found by this test)."""
    context = chromium.new_context()
    try:
        for url in ("/%5Cevil.example/x", "/%5C%5Cevil.example/", "/en/mali/2020/unmet-needs"):
            page, _ = visit(context, server + url)
            hosts = page.eval_on_selector_all("nav.ui-lang a", "els => els.map(e => new URL(e.href).host)")
            assert hosts and set(hosts) == {server.split("//", 1)[1]}, (url, hosts)
    finally:
        context.close()


def test_api_and_csv_carry_the_payloads_as_inert_data(client: FlaskClient) -> None:
    api = client.get(f"/api/search?q={UNIQUE}")
    assert api.mimetype == "application/json" and api.headers["X-Content-Type-Options"] == "nosniff"
    snippets = " ".join(hit["snippet"] for hit in api.get_json()["hits"])
    # JSON carries plain text (the data as written, never HTML): inert under application/json with nosniff
    assert "<img src=x onerror" in snippets and "&lt;" not in snippets and "<mark>" not in snippets
    csv = client.get(f"/api/search.csv?q={UNIQUE}")
    assert csv.mimetype == "text/csv" and csv.headers["Content-Disposition"].startswith("attachment")
    section = client.get("/api/sections/en/mali/2020/operational-context").get_json()
    assert section["title"] == HOSTILE_TITLE["en"] and section["source"] == HOSTILE_SOURCE  # data, as written


# ------------------------------------------------------------------------------------------------ URLs

ODD_SECTION_URLS = [
    "/en/mali/2020/..%2funmet-needs",
    "/en/mali/2020/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/en/mali/2020/%2e%2e",
    "/en/mali/2020/unmet-needs%00",
    "/en/mali/2020/unmet-needs%00.md",
    "/en/mali/2020/unmet-needs.en.md",
    "/en/mali/2020/%c0%ae%c0%ae%c0%afetc%c0%afpasswd",  # overlong UTF-8 for ../
    "/en/mali/2020/unmet-needs%c0%af",
    "/en/mali/2020/%e0%80%ae%e0%80%ae",
    "/en/mali/2020/%252e%252e%252f",  # double-encoded ../
    "/en/mali/2020/unmet-needs%252f..",
    "/en/mali/2020/unmet-needs%5c..%5c..%5cetc",  # backslashes
    "/en/mali%5c2020%5cunmet-needs",
    "/en/mali/2020/unmet-needs%5c",
    "/en/mali/02020/unmet-needs",
    "/en/mali/%D9%A2%D9%A0%D9%A2%D9%A0/unmet-needs",  # Arabic-Indic digits for 2020
    "/en/mali/%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%90/unmet-needs",  # full-width digits
    "/en/mali/+2020/unmet-needs",
    "/en/mali/2020.0/unmet-needs",
    "/en/mali/2020/UNMET-NEEDS",
    "/EN/mali/2020/unmet-needs",
    "/en/MALI/2020/unmet-needs",
    "/en/mali/2020/unmet-needs/",
    "/en/mali/2020/unmet-needs/..",
    "/en/mali/2020/unmet-needs;jsessionid=1",
    "/en/mali/2020/unmet-needs%20",
    "/en/mali/2020/unmet%E2%80%90needs",  # Unicode hyphen
    "/en/mali/2020/unmet-needs%E2%80%AE",
    "/de/mali/2020/unmet-needs",
    "/en/mali/2019/unmet-needs",  # a draft
    "/en/..%2f..%2fetc/2020/passwd",
    "/api/sections/en/mali/2020/..%2f..%2f..%2fetc",
    "/api/sections/en/mali/02020/unmet-needs",
    "/api/sections/en/mali/%D9%A2%D9%A0%D9%A2%D9%A0/unmet-needs",
    "/api/sections/en/mali/2020/unmet-needs%00",
    "/api/sections/en/mali/2020/%2e%2e%5c%2e%2e",
    "/static/..%2f..%2fkb%2fweb.py",
    "/static/%2e%2e/web.py",
    "/static/%2e%2e%5cweb.py",
    "/static/kb.css%00",
    "/static/%c0%ae%c0%ae/web.py",
    "/en/mali/figures/..%2f..%2fweb.csv",
    "/en/mali%00",
    "/en/..%2fmali",
]
RAW_PATHS = ["/en/mali/2020/../2020/unmet-needs/../../../../etc/passwd", "/static/../web.py",
             "/static/../../pyproject.toml", "/en/mali/2020/unmet-needs\\", "/en/mali/2020\\unmet-needs",
             "/static/..\\web.py"]


@pytest.mark.parametrize("url", ODD_SECTION_URLS)
def test_odd_section_urls_are_404(client: FlaskClient, url: str) -> None:
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("path", RAW_PATHS)
def test_raw_traversal_paths_are_404(client: FlaskClient, path: str) -> None:
    assert client.get("/", environ_overrides={"PATH_INFO": path}).status_code == 404


def test_the_same_urls_are_404_through_waitress(server: str) -> None:
    """waitress decodes the path itself: send the bytes as written, over a plain socket."""
    host, port = server.split("//", 1)[1].split(":")
    found = {}
    for url in ODD_SECTION_URLS + RAW_PATHS:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.putrequest("GET", url, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        found[url] = response.status
        conn.close()
    assert {url: status for url, status in found.items() if status != 404} == {}
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/en/mali/2020/unmet%2Dneeds")  # %2D is "-": the same address, percent-encoded
    assert conn.getresponse().status == 200


# ------------------------------------------------------------------------------------------------ drafts


DRAFT_LINK = re.compile(r'href="/(?:en|fr)/(?:mali/2019|atlantis|fr/mali/2021)')


def test_drafts_are_reachable_by_no_url(client: FlaskClient) -> None:
    for url in ("/en/mali/2019/unmet-needs", "/fr/mali/2021/key-achievements", "/en/atlantis/2020/key-achievements",
                "/fr/atlantis/2020/key-achievements", "/api/sections/en/mali/2019/unmet-needs",
                "/api/sections/fr/mali/2021/key-achievements", "/api/sections/en/atlantis/2020/key-achievements",
                "/en/atlantis", "/fr/atlantis", "/en/atlantis/figures.json",
                "/compare?a=en/mali/2019/unmet-needs&b=en/mali/2020/unmet-needs",
                "/compare?a=en/mali/2021/key-achievements&b=fr/mali/2021/key-achievements"):
        assert client.get(url).status_code == 404, url
    assert client.get("/en/mali/2021/key-achievements").status_code == 200  # the published twin


def test_drafts_appear_in_no_search_and_no_facet(client: FlaskClient) -> None:
    for q in (DRAFT_WORD, f"{DRAFT_WORD[:6]}*", "operation:atlantis", "year:2019", "title:draftonlyword",
              'path:"mali/2019/unmet-needs.en.md"', 'doc_id:"mali/2019/unmet-needs/en"',
              'doc_id:"mali/2021/key-achievements/fr"'):
        for lang in ("", "fr"):
            data = client.get("/api/search", query_string={"q": q, "lang": lang}).get_json()
            assert data.get("total", 0) == 0 and not data.get("hits"), (q, data)
            html = client.get("/", query_string={"q": q, "lang": lang}).get_data(as_text=True)
            assert 'class="hit"' not in html and not DRAFT_LINK.search(html), q
    everything = client.get("/api/search?per_page=100").get_json()
    facets = {name: {v["value"] for v in values} for name, values in everything["facets"].items()}
    assert "2019" not in facets["year"] and "atlantis" not in facets["operation"]
    assert {h["doc_id"] for h in everything["hits"]}.isdisjoint(
        {"mali/2019/unmet-needs/en", "mali/2021/key-achievements/fr", "atlantis/2020/key-achievements/en"})
    assert all(p["year"] != 2019 for p in everything["trend"])
    fr_2021 = client.get("/api/search?year=2021&lang=fr&section=key-achievements").get_json()
    assert fr_2021["total"] == 0
    en_2021 = client.get("/api/search?year=2021&lang=en&section=key-achievements").get_json()
    assert en_2021["total"] == 1  # the published twin is found
    csv = client.get(f"/api/search.csv?q={DRAFT_WORD}").get_data(as_text=True)
    assert DRAFT_WORD not in csv


def test_pages_do_not_link_to_drafts(client: FlaskClient) -> None:
    english_2021 = client.get("/api/sections/en/mali/2021/key-achievements").get_json()
    assert english_2021["other_language"] is None
    unmet = client.get("/api/sections/en/mali/2020/unmet-needs").get_json()
    assert all(y["year"] != 2019 for y in unmet["other_years"])
    for url in ("/en/mali", "/fr/mali", "/en/mali/2020/unmet-needs", "/en/mali/2021/key-achievements", "/"):
        html = client.get(url).get_data(as_text=True)
        assert not DRAFT_LINK.search(html) and "/fr/mali/2021/key-achievements" not in html, url
        assert "atlantis" not in html.lower() and DRAFT_WORD not in html, url


# ------------------------------------------------------------------------------------------------ headers

SAFE_REFERRER = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def csp_directives(value: str) -> dict[str, list[str]]:
    return {name.lower(): values for part in value.split(";") if part.strip() for name, *values in [part.split()]}


def check_headers(headers: Any, where: str) -> None:
    csp = headers.get("Content-Security-Policy")
    assert csp, f"{where}: no Content-Security-Policy"
    d = csp_directives(csp)
    script = d.get("script-src", d.get("default-src"))
    assert script is not None, f"{where}: neither script-src nor default-src"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(script), f"{where}: {csp}"
    assert d.get("frame-ancestors") in (["'none'"], ["'self'"]), f"{where}: {csp}"
    assert d.get("object-src") == ["'none'"] and d.get("base-uri") in (["'none'"], ["'self'"]), f"{where}: {csp}"
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in SAFE_REFERRER, where


HEADER_REQUESTS = [
    ("GET", "/"), ("GET", "/?q=refugees"), ("GET", "/?page=0"), ("GET", "/?q=%22"),
    ("GET", "/en/mali/2020/unmet-needs"), ("GET", "/en/mali/2019/unmet-needs"), ("GET", "/en/mali"),
    ("GET", "/en/mali/figures.json"),
    ("GET", "/en/mali/figures/budget.csv"), ("GET", "/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs"),
    ("GET", "/compare?a=x"), ("GET", "/api/search?q=refugees"), ("GET", "/api/search?page=x"),
    ("GET", "/api/search.csv?q=refugees"), ("GET", "/api/sections/en/mali/2020/unmet-needs"),
    ("GET", "/api/sections/en/mali/2020/nothing"), ("GET", "/api/openapi.json"), ("GET", "/api/nothing"),
    ("GET", "/static/kb.css"), ("GET", "/static/kb.js"), ("GET", "/static/nothing.js"), ("GET", "/nothing"),
    ("GET", "/?q=paragraphs:x"),  # a 500 today (see tests/test_fuzz.py::test_query_on_a_stored_field)
    ("HEAD", "/"), ("HEAD", "/static/kb.css"), ("OPTIONS", "/"), ("POST", "/"), ("POST", "/api/search"),
    ("PUT", "/en/mali/2020/unmet-needs"), ("DELETE", "/api/search"), ("GET", "/?ui=fr"),
]


def test_security_headers_on_every_response(server: str) -> None:
    host, port = server.split("//", 1)[1].split(":")
    statuses = set()
    for method, url in HEADER_REQUESTS:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request(method, url)
        response = conn.getresponse()
        response.read()
        statuses.add(response.status)
        check_headers(response.headers, f"{method} {url} -> {response.status}")
        conn.close()
    assert {200, 400, 404, 405} <= statuses


def test_security_headers_without_an_index(tmp_path: Path) -> None:
    from kb import create_app

    client = create_app(instance_path=str(tmp_path / "empty")).test_client()
    for url in ("/", "/api/search", "/en/mali/2020/unmet-needs"):
        response = client.get(url)
        assert response.status_code == 503, url
        check_headers(response.headers, url)
    assert re.search(r"kb index", client.get("/").get_data(as_text=True))
