"""`kb search` in the terminal: the same search layer as the web page, printed as text or JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import click
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from kb.engine.backends import open_backend
from kb.engine.site import SiteMissing
from kb.engine.typesense_store import ClusterError
from kb.engine.whoosh_backend import IndexMissing
from kb.search import ParamError, SearchParams, SearchService
from kb.settings import from_environment, resolve

LANG_NAMES = {"en": "English", "fr": "French"}


def _plain(snippet: Markup) -> str:
    text = str(snippet).replace("<mark>", "\x00").replace("</mark>", "\x01")
    text = Markup(text).striptags() if "<" in text else Markup(text).unescape()
    return text.replace("\x00", click.style("", bold=True, reset=False)).replace("\x01", click.style("", reset=True))


def run_search(query: str, instance: Path, *, years: Sequence[int] = (), themes: Sequence[str] = (),
               sections: Sequence[str] = (), operations: Sequence[str] = (), langs: Sequence[str] = (),
               limit: int = 10, as_json: bool = False, xlang: bool = True) -> int:
    """Search and print; exit 0 on success, 1 when there is no (usable) index, 2 on a query that cannot be read."""
    args = MultiDict([("q", query), ("per_page", str(limit)), ("xlang", "1" if xlang else "0")])
    for name, values in (("year", years), ("theme", themes), ("section", sections), ("operation", operations),
                         ("lang", langs)):
        for value in values:
            args.add(name, str(value))
    try:
        params = SearchParams.from_args(args)
        settings = resolve(from_environment(os.environ))  # KB_BACKEND=typesense: the cluster's alias
        service = SearchService(open_backend(settings, instance / "index"))
        page = service.search(params)
    except ParamError as err:
        click.echo(f"kb search: {err}", err=True)
        return 2
    except (IndexMissing, SiteMissing, ClusterError, ValueError) as err:
        click.echo(f"kb search: {err}", err=True)
        return 1
    if page.error:
        click.echo(f"kb search: {page.error}", err=True)
        return 2
    if as_json:
        click.echo(json.dumps(page.to_json(), ensure_ascii=False, indent=2))
        return 0
    click.echo(f"{page.total} result{'s' if page.total != 1 else ''}")
    for lang, terms in page.also_searched:
        click.echo(f"Also searched in {LANG_NAMES[lang]}: {', '.join(terms)} (--no-xlang: only the words typed)")
    for lang, terms in page.could_search:
        click.echo(f"Cross-language search is off (--xlang would add in {LANG_NAMES[lang]}: {', '.join(terms)})")
    if page.suggestion:
        click.echo(f"Did you mean: {page.suggestion}")
    for i, hit in enumerate(page.hits, 1):
        click.echo(f"\n{i}. {hit.title} — {hit.operation_label} {hit.year} [{hit.lang}] {hit.url}")
        click.echo(f"   {_plain(hit.snippet)}")
    return 0
