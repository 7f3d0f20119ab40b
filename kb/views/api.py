"""The JSON API: `/api/search` (with the links to its page's citations), `/api/search.csv`, `/api/sections/...`,
`/api/openapi.json`; bad input: 400."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from kb.csvfile import to_csv
from kb.current import public_url, service, ui_lang, urls
from kb.openapi import openapi_document
from kb.search import PER_PAGE_MAX, ParamError, SearchPage, SearchParams
from kb.views.sections import find_section

bp = Blueprint("api", __name__, url_prefix="/api")


def _bad(reason: str) -> tuple[Response, int]:
    return jsonify({"error": 400, "reason": reason}), 400


def search_or_400(base: str) -> tuple[SearchPage | None, tuple[Response, int] | None]:
    """The page of results the request's parameters ask for (links made against `base`), or a 400 with the reason:
    the one way the API and the downloads of a search read their parameters."""
    try:
        params = SearchParams.from_args(request.args)
    except ParamError as err:
        return None, _bad(str(err))
    page = service().search(params, ui_lang=ui_lang(), base=base)
    if page.error:
        return None, _bad(page.error)
    if page.past_last:
        return None, _bad(str(page.past_last_error()))
    return page, None


@bp.get("/search")
def search() -> Any:
    page, error = search_or_400(urls().api_search())
    return error or jsonify(page.to_json())


@bp.get("/search.csv")
def search_csv() -> Any:
    page, error = search_or_400(urls().api_search(fmt="csv"))
    if error:
        return error
    columns = ["id", "kind", "title", "operation", "year", "section", "lang", "report", "themes", "url", "paragraph",
               "score", "snippet"]
    rows = [[h.doc_id, h.kind, h.title, h.operation, h.year, h.section, h.lang, h.report, " ".join(h.themes),
             public_url(h.url), h.paragraph, h.score, h.snippet_text] for h in page.hits]
    return Response(to_csv(columns, rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="kb-search.csv"'})


@bp.get("/sections/<lang>/<operation>/<int:year>/<section>")
def section(lang: str, operation: str, year: int, section: str) -> Any:
    page = find_section(lang, operation, year, section)
    if page is None or request.path != urls().api_section(lang, operation, year, section):  # its one address
        abort(404)
    return jsonify(page.to_json())


@bp.get("/openapi.json")
def openapi() -> Any:
    labels = service().labels
    return jsonify(openapi_document(PER_PAGE_MAX, list(labels.themes), list(labels.operations)))
