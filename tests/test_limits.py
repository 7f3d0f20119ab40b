"""The limits of kb.settings as a client meets them: bodies refused, long query strings refused, the public address
used instead of the Host header, CSV cells that cannot run as formulas, a typo in KB_SETTINGS reported."""

from __future__ import annotations

import csv
import io
import threading
import time
from pathlib import Path

import pytest
from flask import Flask

from kb import create_app
from kb.csvfile import cell, to_csv
from tests.support import Site


@pytest.fixture(scope="module")
def instance(built_site: Site) -> Path:
    return built_site.instance


def app_with(instance: Path, **settings: object) -> Flask:
    return create_app({"TESTING": True, "KB_SETTINGS": settings}, instance_path=instance)


def test_a_request_body_is_refused_at_once(instance: Path) -> None:
    client = app_with(instance).test_client()
    response = client.get("/api/search?q=refugees", data=b"x" * 10_000)
    assert response.status_code == 413 and response.json["reason"].endswith("without a body.")
    response = client.post("/", data=b"x" * 100_000)
    assert response.status_code == 413


def test_a_query_string_over_the_limit_is_a_414_with_a_reason(instance: Path) -> None:
    client = app_with(instance, max_query_string_chars=200).test_client()
    assert client.get("/api/search?q=" + "a" * 150).status_code == 200
    response = client.get("/api/search?q=" + "a" * 250)
    assert response.status_code == 414 and "too long" in response.json["reason"]
    assert client.get("/?q=" + "a" * 250).status_code == 414


def test_permalinks_and_csv_links_use_the_public_address_not_the_host_header(instance: Path) -> None:
    client = app_with(instance, public_url="https://kb.example.org/").test_client()
    html = client.get("/en/mali/2020/unmet-needs", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "https://kb.example.org/en/mali/2020/unmet-needs" in html and "evil.example" not in html
    rows = client.get("/api/search.csv?q=refugees", headers={"Host": "evil.example"}).get_data().decode("utf-8-sig")
    urls = [row["url"] for row in csv.DictReader(io.StringIO(rows))]
    assert urls and all(u.startswith("https://kb.example.org/") for u in urls)


def test_an_unknown_host_is_refused_when_hosts_are_trusted(instance: Path) -> None:
    client = app_with(instance, trusted_hosts=("kb.example.org",)).test_client()
    assert client.get("/?q=x", headers={"Host": "kb.example.org"}).status_code == 200
    assert client.get("/?q=x", headers={"Host": "evil.example"}).status_code == 400


def test_forwarded_headers_are_believed_from_a_trusted_proxy_only(instance: Path) -> None:
    app = app_with(instance, trusted_proxies=("10.0.0.2",))
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    for proxy, secure in (("10.0.0.2", True), ("10.0.0.3", False)):
        client = app.test_client()
        response = client.get("/?q=x&ui=fr", headers=forwarded, environ_base={"REMOTE_ADDR": proxy})
        assert ("Secure" in response.headers["Set-Cookie"]) is secure, proxy
    untrusting = app_with(instance).test_client()
    response = untrusting.get("/?q=x&ui=fr", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert "Secure" not in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]


def test_the_cookie_is_secure_when_the_setting_says_so(instance: Path) -> None:
    response = app_with(instance, secure_cookies=True).test_client().get("/?q=x&ui=fr")
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_redirect_to_an_absolute_address_goes_under_the_public_address(instance: Path) -> None:
    client = app_with(instance, public_url="https://kb.example.org/").test_client()
    response = client.get("/en//mali/2020/unmet-needs", headers={"Host": "evil.example"})
    assert response.status_code == 308  # Werkzeug's redirect to the path with its slashes merged
    assert response.headers["Location"] == "https://kb.example.org/en/mali/2020/unmet-needs"
    assert b"evil.example" not in response.get_data() and b"https://kb.example.org/en/mali" in response.get_data()


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_csv_text_cell_never_starts_a_formula(text: str) -> None:
    written = next(csv.reader(io.StringIO(to_csv(["t"], [[text]]).lstrip("\ufeff")).readlines()[1:]))
    assert written[0] == "'" + text and cell(-5) == -5 and cell(41.007531648000004) == "41.007531648"


def test_a_misspelt_setting_is_an_error_naming_it(instance: Path) -> None:
    with pytest.raises(ValueError, match="search_time_limt_ms"):
        app_with(instance, search_time_limt_ms=5)


def test_a_setting_that_is_the_same_for_every_instance_cannot_be_set_per_instance(instance: Path) -> None:
    with pytest.raises(ValueError, match="max_query_chars"):
        app_with(instance, max_query_chars=5000)


def test_a_long_facet_value_is_a_400_with_a_reason(instance: Path) -> None:
    response = app_with(instance).test_client().get("/api/search?theme=" + "x" * 101)
    assert response.status_code == 400 and "longer than 100 characters" in response.json["reason"]


def test_query_words_do_not_grow_the_stem_cache_without_bound() -> None:
    from kb.engine.schema import STEM_CACHE_LETTERS, english_analyzer

    analyzer = english_analyzer()
    before = len(analyzer._cache)
    analyzer.terms(" ".join("x" * (STEM_CACHE_LETTERS + 1) + str(i) for i in range(1000)))
    assert len(analyzer._cache) == before  # hostile long words are stemmed, never remembered


def test_a_term_range_stands_for_at_most_the_capped_number_of_words(instance: Path) -> None:
    from whoosh import query as wq

    from kb.engine.whoosh_backend import MAX_EXPANSIONS, _cap_expansions

    words = [f"w{i:05d}".encode() for i in range(10_000)]  # a vocabulary of 10,000 words in the range
    node = wq.TermRange("body_en", "a", "zzzz")
    node._btexts = lambda _reader: iter(words)  # type: ignore[method-assign]
    capped = _cap_expansions(wq.And([node, wq.Term("body_en", "refug")]), reader=None)
    ranges = [q for q in capped.children() if isinstance(q, wq.Or)]
    assert ranges and len(ranges[0].subqueries) == MAX_EXPANSIONS
    response = app_with(instance).test_client().get("/api/search", query_string={"q": "body:[a TO zzzz]"})
    assert response.status_code == 200


@pytest.mark.parametrize("allowed", [1, 3])
def test_no_more_searches_are_computed_at_once_than_the_setting_allows(instance: Path, allowed: int) -> None:
    app = app_with(instance, concurrent_searches=allowed)
    service = app.extensions["kb.search"]
    inner, lock, running, most = service.backend, threading.Lock(), [0], [0]

    class Slow:  # the served backend, each search held a moment so that the requests overlap
        def __getattr__(self, name: str) -> object:
            return getattr(inner, name)

        def search(self, query: object) -> object:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1
            return inner.search(query)

    service.backend = Slow()
    answers: list[int] = []

    def ask(word: str) -> None:
        answers.append(app.test_client().get(f"/api/search?q={word}").status_code)

    words = ("refugees", "education", "health", "water", "women", "children")
    threads = [threading.Thread(target=ask, args=(word,)) for word in words]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 6  # every request answered: the others waited their turn
    assert most[0] == allowed


@pytest.mark.parametrize("wrong", [0, -2, "4"])
def test_concurrent_searches_must_be_a_whole_number_of_one_or_more(instance: Path, wrong: object) -> None:
    with pytest.raises(ValueError, match="concurrent_searches"):
        app_with(instance, concurrent_searches=wrong)
