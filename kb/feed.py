"""The Atom feed of a search (RFC 4287): one entry per hit, built with xml.etree so every value is escaped.

Each entry: the hit's title, the public URL of its paragraph (link and id), `updated` when its file entered kb, its
report year as a category, and the plain-text snippet as summary. The feed's `updated` is its newest entry's.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable

from kb.search import SearchHit, SearchPage
from kb.urls import Urls

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = _xml_safe(text)
    return element


def _xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (control characters other than tab and newlines)."""
    return "".join(c for c in text if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd")
                   or c >= "\U00010000")


def paragraph_url(hit: SearchHit, urls: Urls) -> str:
    """The hit's paragraph (its section with `#pN`), without highlighting: the address a reader keeps."""
    if hit.kind == "section":
        return urls.section(hit.lang, hit.operation, hit.year, hit.section, paragraph=hit.paragraph)
    return urls.operation(hit.lang, hit.operation, year=hit.year)


def atom_feed(page: SearchPage, *, title: str, self_url: str, html_url: str, urls: Urls,
              public: Callable[[str], str], now: dt.datetime | None = None) -> bytes:
    """The feed of `page`'s hits as UTF-8 XML; `public` makes a site URL absolute."""
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    feed = ET.Element(f"{{{ATOM}}}feed")
    _el(feed, "title", title)
    _el(feed, "id", public(self_url))
    _el(feed, "link", rel="self", type="application/atom+xml", href=public(self_url))
    _el(feed, "link", rel="alternate", type="text/html", href=public(html_url))
    dates = [hit.entered for hit in page.hits if hit.entered]
    _el(feed, "updated", max(dates) if dates else stamp)
    _el(_el(feed, "author"), "name", "kb")
    _el(feed, "generator", "kb")
    for hit in page.hits:
        entry = _el(feed, "entry")
        url = public(paragraph_url(hit, urls))
        _el(entry, "title", f"{hit.title} — {hit.operation_label} {hit.year}")
        _el(entry, "link", rel="alternate", type="text/html", href=url, hreflang=hit.lang)
        _el(entry, "id", url)
        _el(entry, "updated", hit.entered or stamp)
        _el(entry, "category", term=str(hit.year), label=f"report year {hit.year}")
        _el(entry, "summary", hit.snippet_text, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
