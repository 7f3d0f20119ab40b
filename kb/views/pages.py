"""The search page `/`: every state in the URL, works without JavaScript."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from indexer.schema import FACET_FIELDS
from kb.search import ParamError, SearchPage, SearchParams
from kb.web import service, ui_lang

bp = Blueprint("pages", __name__)


@bp.get("/")
def search() -> tuple[str, int]:
    try:
        params = SearchParams.from_args(request.args)
    except ParamError as err:
        page = SearchPage(params=SearchParams(q=(request.args.get("q") or "")[:500]), error=str(err), error_detail=err)
        return render_template("search.html", page=page, facet_fields=FACET_FIELDS), 400
    page = service().search(params, ui_lang=ui_lang(), base="/")
    status = 400 if page.error else 200  # the search page, with the reason, as for a bad parameter
    return render_template("search.html", page=page, facet_fields=FACET_FIELDS), status
