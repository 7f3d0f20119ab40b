"""Atom feeds of searches: valid Atom (feedparser), one entry per hit, dated by when the section entered kb."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from flask.testing import FlaskClient

from kb.engine import generations
from tests.support import Site, build, clone_site, edit, make_app


@pytest.fixture(scope="module")
def site(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built copy of the site: the last test edits it."""
    root = tmp_path_factory.mktemp("feeds")
    clone_site(built_site, root)
    return root


@pytest.fixture(scope="module")
def client(site: Path) -> FlaskClient:
    app = make_app(site / "instance")
    app.config["KB"]["public_url"] = "https://kb.example.org/"
    return app.test_client()


def test_a_search_feed_has_one_entry_per_hit_newest_first(client: FlaskClient) -> None:
    hits = client.get("/api/search?q=refugees&sort=newest&per_page=20").get_json()["hits"]
    response = client.get("/feed.atom?q=refugees&per_page=20")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.bozo_exception
    assert len(feed.entries) == len(hits) > 0
    for entry, hit in zip(feed.entries, hits, strict=True):
        assert entry.title.startswith(hit["title"])
        assert entry.link.startswith("https://kb.example.org/") and re.search(r"#p\d+$", entry.link)
        assert entry.id == entry.link
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.updated)
        assert [t.term for t in entry.tags] == [str(hit["year"])]
        assert entry.summary == hit["snippet"] and "<mark>" not in entry.summary
    assert [e.tags[0].term for e in feed.entries] == sorted((e.tags[0].term for e in feed.entries), reverse=True)


def test_every_value_is_escaped(client: FlaskClient) -> None:
    response = client.get("/feed.atom", query_string={"q": '<script>"&\x01'})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        feed = feedparser.parse(response.data)
        assert feed.bozo == 0 and "<script>" not in response.get_data(as_text=True)


def test_the_search_page_links_its_feed(client: FlaskClient) -> None:
    html = client.get("/?q=education&lang=fr&page=1").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/feed.atom?q=education&amp;lang=fr"' in html


def test_an_unknown_facet_value_is_a_400_with_a_reason(client: FlaskClient) -> None:
    response = client.get("/feed.atom?theme=security")
    assert response.status_code == 400 and "theme" in response.get_json()["reason"]


def test_entered_is_kept_across_edits_and_rebuilds(site: Path) -> None:
    content, instance = site / "content", site / "instance"
    before = generations.read_manifest(instance / "index")["files"]
    rel = "mali/2020/unmet-needs.en.md"
    edit(content / rel, "critical issue", "critical problem")
    build(content, instance)
    build(content, instance, rebuild=True)
    after = generations.read_manifest(instance / "index")["files"]
    assert after[rel]["entered"] == before[rel]["entered"]
