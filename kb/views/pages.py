"""The search page `/`: every state in the URL, works without JavaScript; its trend chart (kb.trend)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from flask import Blueprint, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

from kb.charts import Chart
from kb.current import UI_LANGS, preferred_ui_lang, service, ui_lang, urls
from kb.engine.schema import FACET_FIELDS
from kb.search import FACET_SEMANTICS, ParamError, SearchPage, SearchParams
from kb.trend import trend_chart as draw_trend

bp = Blueprint("pages", __name__)


@bp.app_template_global("trend_chart")
def trend_chart(points: Sequence[Any]) -> Chart:
    """The search page's trend (`page.trend`) as a chart with its table, in the interface language."""
    return draw_trend(points, ui_lang())


@bp.get("/")
def search() -> tuple[str, int] | Response:
    if not request.args:  # a bare `/`: the one address whose answer follows the visitor's remembered language
        target = _home()
        response = redirect(target, 302) if target != request.full_path.rstrip("?") else make_response(
            _render(SearchParams()))
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
        return response
    try:
        params = SearchParams.from_args(request.args)
    except ParamError as err:
        page = SearchPage(params=SearchParams(q=(request.args.get("q") or "")[:500]), error=str(err), error_detail=err)
        return render_template("search.html", page=page, facet_fields=FACET_FIELDS,
                               facet_semantics=FACET_SEMANTICS), 400
    page = service().search(params, ui_lang=ui_lang(), base=urls().path("/"))
    if _untidy() or page.past_last:  # one redirect: to the tidy URL, and the last page instead of an empty one
        return redirect(_tidy_url(replace(params, page=min(params.page, page.last_page))), 302)
    return _answer(page)


def _render(params: SearchParams) -> tuple[str, int]:
    return _answer(service().search(params, ui_lang=ui_lang(), base=urls().path("/")))


def _answer(page: SearchPage) -> tuple[str, int]:
    status = 400 if page.error else 200  # the search page, with the reason, as for a bad parameter
    return render_template("search.html", page=page, facet_fields=FACET_FIELDS,
                           facet_semantics=FACET_SEMANTICS), status


def _untidy() -> bool:
    """A submitted form's URL: empty fields ("from=&to="), the default sort, interface language or cross-language
    switch, which a shared link need not carry."""
    args = request.args
    return (any(value == "" for value in args.values()) or args.get("sort") == "relevance" or args.get("ui") == "en"
            or args.get("xlang") == "1")


def _tidy_url(params: SearchParams) -> str:
    """The same search at its canonical URL (the interface-language switch, if any, kept)."""
    pairs = params.pairs()
    return urls().search(pairs) if pairs else _home()


def _home() -> str:
    """Where a bare `/` leads: the search page in the language just chosen (`?ui=`), else the visitor's remembered
    (or browser's) language."""
    chosen = request.args.get("ui")
    preferred = chosen if chosen in UI_LANGS else preferred_ui_lang()
    return urls().search([("ui", preferred)] if preferred != UI_LANGS[0] else [])
