"""The search page `/`: every state in the URL, works without JavaScript."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response

from kb.engine.schema import FACET_FIELDS
from kb.search import ParamError, SearchPage, SearchParams
from kb.web import service, ui_lang

bp = Blueprint("pages", __name__)


@bp.get("/")
def search() -> tuple[str, int] | Response:
    try:
        params = SearchParams.from_args(request.args)
    except ParamError as err:
        page = SearchPage(params=SearchParams(q=(request.args.get("q") or "")[:500]), error=str(err), error_detail=err)
        return render_template("search.html", page=page, facet_fields=FACET_FIELDS), 400
    page = service().search(params, ui_lang=ui_lang(), base="/")
    if _untidy() or page.past_last:  # one redirect: to the tidy URL, and the last page instead of an empty one
        return redirect(_tidy_url(replace(params, page=min(params.page, page.last_page))), 302)
    status = 400 if page.error else 200  # the search page, with the reason, as for a bad parameter
    return render_template("search.html", page=page, facet_fields=FACET_FIELDS), status


def _untidy() -> bool:
    """A submitted form's URL: empty fields ("from=&to=") or the default sort, which a shared link need not carry."""
    return any(value == "" for value in request.args.values()) or request.args.get("sort") == "relevance"


def _tidy_url(params: SearchParams) -> str:
    """The same search at its canonical URL (the interface-language switch, if any, kept)."""
    pairs = params.pairs() + ([("ui", request.args["ui"])] if request.args.get("ui") else [])
    return f"/?{urlencode(pairs)}" if pairs else "/"
