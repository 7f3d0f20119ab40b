"""`/feed.atom`: the Atom feed of any search (the search page's parameters, newest first; bad input: 400)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, jsonify, request

from kb.current import public_url, service, ui_lang, urls
from kb.feed import atom_feed
from kb.search import ParamError, SearchParams

bp = Blueprint("feeds", __name__)


def _bad(reason: str) -> tuple[Response, int]:
    return jsonify({"error": 400, "reason": reason}), 400


@bp.get("/feed.atom")
def search_feed() -> Any:
    try:
        params = SearchParams.from_args(request.args)
    except ParamError as err:
        return _bad(str(err))
    params = replace(params, sort="newest", page=1)
    page = service().search(params, ui_lang=ui_lang(), base=urls().search())
    if page.error:
        return _bad(page.error)
    pairs = params.pairs(page=False)
    title = f"kb: {params.q}" if params.q else "kb: UNHCR operation reports"
    body = atom_feed(page, title=title, self_url=urls().feed(pairs), html_url=urls().search(pairs), urls=urls(),
                     public=public_url)
    return Response(body, mimetype="application/atom+xml")
