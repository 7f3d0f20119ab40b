"""An operation's figures as files: `/<lang>/<operation>/figures.json` and `/<lang>/<operation>/figures/<name>.csv`.

The numbers are exactly those of the generation's merged figures (kb.figures_model): null in JSON and an empty CSV
field where a number is missing, never zero. Column names are stable English; labels follow `<lang>`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify

from kb.csvfile import to_csv
from kb.current import service, urls
from kb.figure_charts import change_of
from kb.figures_model import DATASETS, OperationFigures, site_figures
from kb.labels import Labels
from kb.urls import Urls

bp = Blueprint("downloads", __name__)



def operation_figures(operation: str) -> OperationFigures | None:
    """The operation's figures in the served generation (a lookup, no file is opened); None when it has none."""
    return site_figures(service().backend.site(), operation)


@bp.get("/<any(en,fr):lang>/<operation>/figures.json")
def operation_json(lang: str, operation: str) -> Response:
    figures = operation_figures(operation)
    if figures is None:
        abort(404)
    return jsonify(figures_json(figures, lang, service().labels, urls()))


@bp.get("/<any(en,fr):lang>/<operation>/figures/<name>.csv")
def operation_csv(lang: str, operation: str, name: str) -> Response:
    figures = operation_figures(operation)
    found = dataset(figures, name, lang, service().labels) if figures else None
    if found is None:
        abort(404)
    response = Response(to_csv(*found), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'inline; filename="{operation}-{name}-{lang}.csv"'
    return response


def dataset(figures: OperationFigures, name: str, lang: str, labels: Labels
            ) -> tuple[list[str], list[list[Any]]] | None:
    """One CSV: column names (stable, English) and rows of raw values; None for an unknown name."""
    budget = figures.budget
    if name == "key-figures":
        return ["year", "kind", "value", "unit", "display", "text"], [
            [kf.year, kf.kind, kf.value, kf.unit, kf.display, kf.text.get(lang, "")] for kf in figures.key_figures]
    if name == "people-of-concern":
        rows, previous = [], None
        for point in figures.totals:
            change = change_of(previous, point.total)
            rows.append([point.year, point.total, change[0] if change else None,
                         round(change[1], 2) if change else None])
            previous = point.total
        return ["year", "total", "change", "change_percent"], rows
    if name == "population-types":
        return ["year", "type", "label", "count"], [
            [figures.breakdown_year, p.type, labels.population(p.type, lang), p.count] for p in figures.breakdown]
    if name == "budget":
        rows = list(zip(budget.years, budget.budget, budget.expenditure, strict=True)) if budget else []
        return ["year", "budget_usd_millions", "expenditure_usd_millions"], [list(r) for r in rows]
    if name == "budget-by-pillar":
        rows = []
        for pillar in (budget.budget_by_pillar if budget else {}):
            plan, spent = budget.budget_by_pillar[pillar], budget.expenditure_by_pillar.get(pillar)
            for i, year in enumerate(budget.years):
                rows.append([year, pillar, labels.pillar(pillar, lang), plan[i], spent[i] if spent else None])
        return ["year", "pillar", "label", "budget_usd_millions", "expenditure_usd_millions"], rows
    return None


def figures_json(figures: OperationFigures, lang: str, labels: Labels, urls: Urls) -> dict[str, Any]:
    """Everything the page charts, as data: numbers exactly as in figures.yaml, null where missing."""
    budget, contributions = figures.budget, figures.contributions
    return {
        "operation": figures.operation,
        "label": labels.label("operation", figures.operation, lang),
        "lang": lang,
        "sources": [{"file": s.file, "source": s.source, "source_url": s.url, "source_retrieved": s.retrieved}
                    for s in figures.sources],
        "key_figures": [{"year": kf.year, "kind": kf.kind, "value": kf.value, "unit": kf.unit, "display": kf.display,
                         "text": kf.text.get(lang, "")} for kf in figures.key_figures],
        "people_of_concern": {
            "change": figures.change, "change_percent": figures.change_percent,
            "totals": [{"year": p.year, "total": p.total} for p in figures.totals],
            "breakdown_year": figures.breakdown_year,
            "breakdown": [{"type": p.type, "label": labels.population(p.type, lang), "count": p.count}
                          for p in figures.breakdown],
        },
        "budget": None if budget is None else {
            "unit": budget.unit, "years": budget.years, "budget": budget.budget, "expenditure": budget.expenditure,
            "by_pillar": {p: {"label": labels.pillar(p, lang), "budget": budget.budget_by_pillar.get(p),
                              "expenditure": budget.expenditure_by_pillar.get(p)} for p in budget.budget_by_pillar},
        },
        "contributions": None if contributions is None else {
            "note": contributions.note,
            "items": [{"date": c.date, "donors": c.donors} for c in contributions.items],
        },
        "downloads": {name: urls.figures_csv(lang, figures.operation, name) for name in DATASETS},
    }
