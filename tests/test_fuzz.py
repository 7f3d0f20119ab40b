"""Property tests: hostile, random and malformed request parameters never break kb (see docs/reliability.md).

Over the session's built site (a copy of content/ and its index), with the Flask test client, every parameter of `/`,
`/api/search` and `/api/search.csv` (and `hl` of section pages) gets random Unicode (astral, RTL, NUL, control
characters), fragments of the query syntax, very long values, repeated and unknown parameters, absurd numbers and
unknown facet values. Properties:

- never a 5xx (the app runs with TESTING on, so an exception fails the test with its traceback);
- `/api/search` answers 200 with the documented JSON shape, or 400 with exactly `{"error": 400, "reason": "..."}`;
- an HTML page never carries markup from its input: only the templates' own tags, no `on*` attributes, no
  `javascript:` URLs, no inline script, and no fragment `<...` of an input value appears unescaped.

`KB_FUZZ_EXAMPLES` sets the examples per test (default 200); the property tests are marked `slow`. The vocabulary
below is shared with bench/soak.py.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from urllib.parse import quote, unquote_to_bytes, urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from kb.engine.schema import FACET_FIELDS
from kb.model import REPORT_KINDS, SECTIONS
from tests.contract import check
from tests.support import Site, make_app

EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.data_too_large])

# ------------------------------------------------------------------------------------------------ the vocabulary

PARAMS = ("q", "year", "from", "to", "theme", "section", "operation", "lang", "report", "sort", "page", "per_page",
          "ui")
UNKNOWN_PARAMS = ("qq", "Q", "q[]", "page[]", "callback", "format", "__proto__", "hl", "a", "b", "", " ", "q ", "%00")
SYNTAX = ('"', "(", ")", "*", "?", "~", "^", ":", "AND", "OR", "NOT", "and", "or", "not", "TO", "[", "]", "{", "}",
          "\\", "+", "-", "!", "&&", "||", "/", "'", "<", ">", "=", "~2", "^3", "^-1", "*:*", "**", "?*", "**?", ",",
          "ANDNOT", "ANDMAYBE", "NOT NOT", "NOT (", "AND NOT", "OR NOT")
FIELDS = ("title", "body", "text", "themes", "theme", "year", "section", "operation", "lang", "report", "kind",
          "doc_id", "path", "country", "translation_key", "content_hash", "title_en", "body_fr", "nosuchfield", "*",
          "TITLE", "_", "0", "é")
WORDS = ("refugees", "refugee", "réfugiés", "refugies", "REFUGIÉS", "education", "éducation", "COVID-19", "covid",
         "birth", "certificate", "register", "registration", "Mali", "mali", "2020", "2019", "sécurité", "l'accès",
         "self-reliance", "unmet-needs", "statelessness", "statelesness", "the", "de", "la", "et", "a", "zz",
         "refug", "ab", "x", "17,041", "60%", "Liptako-Gourma", "naissance", "acte", "ménages")
HOSTILE = ("<script>window.__pwned=1</script>", "<img src=x onerror=window.__pwned=1>", '"><svg onload=alert(1)>',
           "'><kbx-tag kbx-attr=1>", "javascript:alert(1)", "<a href=javascript:alert(1)>x</a>", "&lt;b&gt;",
           "&#60;script&#62;", "%3Cscript%3E", "{{7*7}}", "${7*7}", "{% raw %}", "\\u003cscript", "</textarea>",
           "<!--", "-->", "<![CDATA[", "<style>*{}</style>", "\u202egnp.exe", "\u200f\u200e", "\ufeff", "\x00",
           "\r\n", "\x1b[31m", "\x7f", "\u2028\u2029", "\U0001d518\U0001d52b\U0001d525", "\U0001f600", "\U0002070e",
           "اللاجئين", "פליטים", "e\u0301\u0301\u0301", "ﬁ", "İ", "ß", "\uffff", "\U0010ffff", "../../etc/passwd")
KNOWN_FACET_VALUES = {
    "year": ("2020", "2021", "2019", "1900", "2100"),
    "theme": ("education", "covid-19", "registration-and-documentation", "statelessness"),
    "section": (*SECTIONS, "key-figures"),
    "operation": ("mali", "niger"),
    "lang": ("en", "fr"),
    "report": REPORT_KINDS,
}
NUMBERS = ("", " ", "0", "1", "2", " 1", "1 ", "+1", "-1", "-0", "01", "1.0", "1e3", "0x10", "1_0", "١٢", "二",
           "NaN", "inf", "-inf", "99999999999999999999", "0" * 60 + "1", "9" * 400, "1000", "1001", "100", "101",
           "2020", "1899", "2101", "−1", "٢٠٢٠", "2020\x00", "true", "null", "[]")
SORT_VALUES = ("relevance", "newest", "oldest", "", "RELEVANCE", "random", "newest ", "year", "-year")
UI_VALUES = ("en", "fr", "", "de", "EN", "fr-FR", "../en", "<x>")
# ------------------------------------------------------------------------------------------------ the strategies

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
control_text = st.text(st.characters(max_codepoint=0x9F, exclude_categories=("Cs",)), max_size=20)
astral_text = st.text(st.characters(min_codepoint=0x10000, exclude_categories=("Cs",)), min_size=1, max_size=10)


@st.composite
def long_text(draw: st.DrawFn) -> str:
    unit = draw(st.sampled_from([*WORDS, *SYNTAX, *HOSTILE, "a", "é", "\U0001f600", " "]))
    size = draw(st.integers(400, 5000))
    return (unit * (size // max(1, len(unit)) + 1))[:size]


def _range() -> st.SearchStrategy[str]:
    bound = st.one_of(st.sampled_from(WORDS + ("*", "", "2019", "2020")), any_text)
    return st.builds(lambda f, a, b, o, c: f"{f}:{o}{a} TO {b}{c}", st.sampled_from(FIELDS), bound, bound,
                     st.sampled_from("[{"), st.sampled_from("]}"))


query_part = st.one_of(
    st.sampled_from(SYNTAX),
    st.sampled_from(WORDS),
    st.sampled_from(HOSTILE),
    st.builds(lambda f, w: f"{f}:{w}", st.sampled_from(FIELDS), st.one_of(st.sampled_from(WORDS + SYNTAX), any_text)),
    _range(),
    any_text,
    astral_text,
    control_text,
)
query_text = st.one_of(
    st.builds(lambda parts, sep: sep.join(parts), st.lists(query_part, max_size=14), st.sampled_from(["", " ", "  "])),
    long_text(),
    any_text,
)
number_text = st.one_of(st.sampled_from(NUMBERS), st.integers(-(10**30), 10**30).map(str), any_text)


def value_for(name: str) -> st.SearchStrategy[str]:
    if name == "q":
        return query_text
    if name in ("year", "from", "to", "page", "per_page"):
        return number_text if name != "year" else st.one_of(number_text, st.sampled_from(KNOWN_FACET_VALUES["year"]))
    if name in KNOWN_FACET_VALUES:
        return st.one_of(st.sampled_from(KNOWN_FACET_VALUES[name]), st.sampled_from(HOSTILE), any_text, long_text())
    if name == "sort":
        return st.one_of(st.sampled_from(SORT_VALUES), any_text)
    if name == "ui":
        return st.one_of(st.sampled_from(UI_VALUES), any_text)
    return st.one_of(any_text, st.sampled_from(HOSTILE), long_text())


param_name = st.one_of(st.sampled_from(PARAMS), st.sampled_from(PARAMS), st.sampled_from(UNKNOWN_PARAMS), any_text)
param_pair = param_name.flatmap(lambda name: value_for(name).map(lambda value: (name, value)))
params = st.lists(param_pair, max_size=12)
# a sensible search with one hostile twist: most requests of a real attack look almost normal
one_bad_param = st.tuples(
    st.sampled_from(PARAMS).flatmap(lambda name: value_for(name).map(lambda value: (name, value))),
    st.lists(st.sampled_from([("q", "refugees"), ("lang", "fr"), ("year", "2020"), ("per_page", "3"),
                              ("sort", "newest"), ("section", "unmet-needs"), ("theme", "education")]), max_size=3),
).map(lambda t: [t[0], *t[1]])

# ------------------------------------------------------------------------------------------------ the app


@pytest.fixture(scope="module")
def client(built_site: Site) -> FlaskClient:
    """TESTING on: an exception in a view fails the test with its traceback instead of becoming a 500 page."""
    made = built_site.client()
    OPENAPI.update(made.get("/api/openapi.json").get_json())
    return made


@pytest.fixture(scope="module")
def visitor(built_site: Site) -> FlaskClient:
    """TESTING off: the answer a visitor gets (the traceback goes to the log)."""
    return make_app(built_site.instance, TESTING=False).test_client()


@pytest.fixture(scope="module")
def baseline(client: FlaskClient) -> str:
    """Pages without hostile input: a `<...` fragment found here belongs to the templates, not to the input."""
    urls = ["/", "/?q=refugees", "/?q=nothingmatchesthis", "/en/mali/2020/unmet-needs", "/fr/mali/2020/unmet-needs",
            "/?page=-1", "/?q=%22"]
    return "\n".join(client.get(url).get_data(as_text=True) for url in urls)


# ------------------------------------------------------------------------------------------------ the properties

SEARCH_KEYS = {"query", "filters", "from", "to", "sort", "page", "per_page", "total", "last_page", "next",
               "previous", "suggestion", "timed_out", "generation", "hits", "facets", "trend"}
HIT_KEYS = {"doc_id", "kind", "title", "operation", "operation_label", "year", "section", "section_label", "lang",
            "report", "themes", "url", "paragraph", "snippet", "score"}
FACET_VALUE_KEYS = {"value", "label", "count", "selected", "toggle_url"}


OPENAPI: dict = {}  # the served /api/openapi.json, once the client is made


def check_api_answer(response: TestResponse) -> dict:
    """200 with the documented shape, or 400 (414 for an over-long query string) with exactly {"error", "reason"};
    a 200 or 400 is also validated against the OpenAPI document's schema."""
    assert response.status_code in (200, 400, 414), response.status_code
    if OPENAPI and response.status_code != 414:
        check(OPENAPI, "/api/search", response)
    assert response.mimetype == "application/json"
    data = json.loads(response.get_data(as_text=True))
    if response.status_code != 200:
        assert set(data) == {"error", "reason"} and data["error"] == response.status_code
        assert isinstance(data["reason"], str) and data["reason"].strip()
        return data
    assert set(data) >= SEARCH_KEYS, SEARCH_KEYS - set(data)  # more keys may come; these are the contract
    assert isinstance(data["total"], int) and data["total"] >= 0
    assert 1 <= data["page"] <= 1000 and 1 <= data["per_page"] <= 100
    assert 1 <= data["last_page"] <= 1000
    assert data["sort"] in ("relevance", "newest", "oldest")
    assert isinstance(data["hits"], list) and len(data["hits"]) <= data["per_page"]
    for hit in data["hits"]:
        assert set(hit) >= HIT_KEYS and hit["url"].startswith("/")
    assert set(data["facets"]) <= set(FACET_FIELDS)
    for values in data["facets"].values():
        for value in values:
            assert set(value) >= FACET_VALUE_KEYS and value["count"] >= 0
            assert value["toggle_url"].startswith("/api/search")
    for url in (data["next"], data["previous"]):
        assert url is None or url == "/api/search" or url.startswith("/api/search?")
    assert isinstance(data["filters"], dict) and isinstance(data["trend"], list)
    return data


TEMPLATE_TAGS = {"html", "head", "meta", "title", "link", "script", "body", "a", "header", "form", "label", "input",
                 "button", "nav", "span", "main", "h1", "h2", "h3", "h4", "section", "div", "p", "strong", "select",
                 "option", "fieldset", "legend", "aside", "ul", "li", "ol", "mark", "footer", "article", "details",
                 "summary", "pre", "code", "abbr", "time", "figure", "figcaption", "table", "caption", "colgroup",
                 "col", "thead", "tbody", "tr", "th", "td", "svg", "g", "line", "rect", "text", "desc", "em", "br"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TEMPLATE_TAGS:
            self.problems.append(f"unexpected tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("kbx"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRS and value and re.sub(r"[\x00-\x20]", "", value).lower().startswith(
                    ("javascript:", "vbscript:", "data:text")):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and not (dict(attrs).get("src") or "").startswith("/static/"):
            self.problems.append("inline <script>")

    handle_startendtag = handle_starttag


def check_html(html: str, pairs: list[tuple[str, str]], baseline: str) -> None:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    assert not parser.problems, parser.problems
    for _name, value in pairs:
        for fragment in re.findall(r"<[^<]{1,30}", value):
            if len(fragment) > 1 and (fragment[1].isalpha() or fragment[1] in "/!?"):
                assert fragment not in html or fragment in baseline, f"unescaped {fragment!r} from the input"


def _query_string(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs)


def follow_tidy(client: FlaskClient, response: TestResponse) -> TestResponse:
    """The search page tidies a form's empty fields away with a redirect: to this site, and once only."""
    if response.status_code != 302:
        return response
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    again = client.get(location)
    assert again.status_code != 302
    return again


@pytest.mark.slow
@FUZZ
@given(pairs=st.one_of(params, one_bad_param))
def test_api_search_answers_200_with_its_shape_or_400_with_a_reason(client: FlaskClient, pairs: list[tuple[str,
                                                                    str]]) -> None:
    check_api_answer(client.get("/api/search", query_string=_query_string(pairs)))


@pytest.mark.slow
@FUZZ
@given(pairs=st.one_of(params, one_bad_param))
def test_search_page_never_fails_and_never_echoes_markup(client: FlaskClient, baseline: str, pairs: list[tuple[str,
                                                         str]]) -> None:
    response = follow_tidy(client, client.get("/", query_string=_query_string(pairs)))
    assert response.status_code in (200, 400, 414)
    assert response.mimetype == "text/html"
    check_html(response.get_data(as_text=True), pairs, baseline)


@pytest.mark.slow
@FUZZ
@given(pairs=st.one_of(params, one_bad_param))
def test_csv_export_answers_csv_or_a_400(client: FlaskClient, pairs: list[tuple[str, str]]) -> None:
    response = client.get("/api/search.csv", query_string=_query_string(pairs))
    if response.status_code == 200:
        assert response.mimetype == "text/csv"
        assert response.get_data(as_text=True).startswith("\ufeffid,kind,title,")
    else:
        check_api_answer(response)


@pytest.mark.slow
@FUZZ
@given(hl=st.one_of(query_text, st.lists(st.sampled_from(WORDS + HOSTILE), max_size=40).map(" ".join)),
       extra=st.lists(param_pair, max_size=4),
       where=st.sampled_from(["/en/mali/2020/unmet-needs", "/fr/mali/2020/unmet-needs", "/api/sections/en/mali/2020"
                              "/unmet-needs", "/en/mali/2020/operational-context"]))
def test_section_pages_take_any_highlight(client: FlaskClient, baseline: str, hl: str,
                                          extra: list[tuple[str, str]], where: str) -> None:
    pairs = [("hl", hl), *extra]
    query_string = _query_string(pairs)
    response = client.get(where, query_string=query_string)
    if len(query_string) > 4000:  # the setting max_query_string_chars: refused with a reason
        assert response.status_code == 414 and ("too long" in response.text or "trop longue" in response.text)
        return
    assert response.status_code == 200
    if where.startswith("/api/"):
        assert json.loads(response.get_data(as_text=True))["id"]
    else:
        check_html(response.get_data(as_text=True), pairs, baseline)


header_text = st.text(st.characters(max_codepoint=0xFF, exclude_characters="\r\n"), max_size=60)


@pytest.mark.slow
@settings(FUZZ, max_examples=max(10, EXAMPLES // 4))
@given(accept=st.one_of(header_text, st.sampled_from(["fr", "en;q=0.1, fr;q=0.9", "fr;q=abc", "*;q=NaN", ",,,",
                                                      "fr-FR;q=1e9", "x" * 300])),
       cookie=st.one_of(header_text, st.sampled_from(["fr", "en", "", "de", "fr; kb_lang=en"])),
       where=st.sampled_from(["/", "/?q=refugees", "/api/search?q=refugees", "/en/mali/2020/unmet-needs", "/fr/mali",
                              "/nothing"]))
def test_any_language_header_or_cookie(client: FlaskClient, accept: str, cookie: str, where: str) -> None:
    response = client.get(where, headers={"Accept-Language": accept, "Cookie": f"kb_lang={cookie}"})
    if where == "/" and response.status_code == 302:  # a bare / may send a French reader to the French page
        assert response.headers["Location"] == "/?ui=fr"
        return
    assert response.status_code == (404 if where == "/nothing" else 200)


@pytest.mark.slow
@FUZZ
@given(raw=st.lists(st.one_of(st.binary(max_size=12).map(lambda b: quote(b, safe="")),
                              st.sampled_from(["&", "=", "%", "%zz", "%0", "+", ";", "q=", "page=", "&&", "==", "%00",
                                               "%ff%fe", "%c0%ae", "%e2%80%ae", "%ed%a0%80", "%f4%90%80%80", "#",
                                               "q=%22", "year=%D9%A2"])), max_size=16).map("".join),
       path=st.sampled_from(["/", "/api/search", "/api/search.csv"]))
def test_raw_query_strings_with_broken_encodings(client: FlaskClient, raw: str, path: str) -> None:
    """Bytes that are not UTF-8, lone surrogates encoded as UTF-8, half escapes: decoded or refused, never a 5xx."""
    response = client.get(f"{path}?{raw}")
    if path == "/api/search" or (path == "/api/search.csv" and response.status_code != 200):
        check_api_answer(response)
    else:
        assert follow_tidy(client, response).status_code in (200, 400, 414)


@pytest.mark.slow
@FUZZ
@given(segments=st.lists(st.one_of(st.sampled_from(["en", "fr", "mali", "2020", "unmet-needs", "api", "sections",
                                                    "static", "kb.css", "..", ".", "", "%2e%2e", "%2f", "%00", "%5c",
                                                    "figures", "figures.json", "x.csv", "compare", "%c0%af",
                                                    "%252e%252e", "٢٠٢٠", "02020", "\\"]),
                                    any_text.map(lambda t: quote(t, safe="")), astral_text),
                          min_size=1, max_size=6))
def test_any_path_is_a_page_or_a_4xx(client: FlaskClient, segments: list[str]) -> None:
    # PATH_INFO as a WSGI server hands it over: percent-decoded bytes as latin-1 (a "//" start stays a path)
    path = unquote_to_bytes("/" + "/".join(segments)).decode("latin-1")
    response = client.get("/", environ_overrides={"PATH_INFO": path})
    assert response.status_code < 500
    assert response.status_code in (200, 301, 302, 308, 400, 404, 405)


# ---------------------------------------------------------------------------- inputs that once were 500s (93a7c3e)


def assert_a_reason_not_a_500(visitor: FlaskClient, q: str) -> None:
    api = visitor.get("/api/search", query_string={"q": q})
    page = visitor.get("/", query_string={"q": q})
    assert (api.status_code, page.status_code) == (400, 400)
    assert check_api_answer(api)["reason"]


@pytest.mark.parametrize("q", ["paragraphs:x", "source:x", "translated_from:en", "n_paragraphs:1", "a (paragraphs:x)",
                               'paragraphs:"a b"', "source:[a TO b]", "title:paragraphs:x"])
def test_query_on_a_stored_field(visitor: FlaskClient, q: str) -> None:
    assert_a_reason_not_a_500(visitor, q)


@pytest.mark.parametrize("q", ["NOT NOT a", "refugees NOT NOT mali", "NOT OR refugees", "x AND NOT AND y",
                               "(NOT NOT education)", "education OR NOT NOT mali"])
def test_not_followed_by_an_operator(visitor: FlaskClient, q: str) -> None:
    assert_a_reason_not_a_500(visitor, q)


@pytest.mark.parametrize("q", ["a ANDNOT ANDNOT b", "refugees ANDNOT ANDMAYBE mali", "x ANDMAYBE ANDNOT y"])
def test_two_binary_operators_in_a_row(visitor: FlaskClient, q: str) -> None:
    assert_a_reason_not_a_500(visitor, q)
