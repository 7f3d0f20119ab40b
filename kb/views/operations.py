"""Operation pages `/<lang>/<operation>`: reports by year, key figures, charts with their tables, CSV/JSON downloads.

`<lang>` is the language of the page's labels and links (the interface language of the surrounding chrome stays
`ui_lang()`). The figures come from `content/<operation>/<year>/figures.yaml` (see kb.figures_view), the list of
reports from the stored documents of the index. Also provides the search page's trend chart (`trend_chart`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template

from kb import figures_view
from kb.current import service, ui_lang, urls
from kb.figures_view import DATASETS, Chart, Merged, dataset, figures_json, figures_page, load_operation, to_csv
from kb.model import SECTION_KINDS, is_slug

bp = Blueprint("operations", __name__)

ORDER = {kind.slug: i for i, kind in enumerate(SECTION_KINDS)}


@dataclass
class ReportLink:
    label: str
    url: str
    lang: str  # the language of the linked section
    other_lang: bool  # only available in the other language


def _documents(operation: str) -> list[dict[str, Any]]:
    docs = service().backend.documents(operation=operation)
    return [d for d in docs if d.get("kind", "section") == "section"]


def report_years(docs: list[dict[str, Any]], operation: str, lang: str) -> list[tuple[int, list[ReportLink]]]:
    """Years (newest first) and their sections, each linked in the page's language when it exists there."""
    found: dict[tuple[int, str], set[str]] = {}
    for doc in docs:
        found.setdefault((int(doc["year"]), doc["section"]), set()).add(doc["lang"])
    labels = service().labels
    years: dict[int, list[ReportLink]] = {}
    for (year, section), langs in sorted(found.items(), key=lambda item: (-item[0][0], ORDER.get(item[0][1], 99))):
        link_lang = lang if lang in langs else sorted(langs)[0]
        url = urls().section(link_lang, operation, year, section)
        years.setdefault(year, []).append(
            ReportLink(labels.label("section", section, lang), url, link_lang, link_lang != lang))
    return list(years.items())


def _operation(operation: str) -> tuple[list[dict[str, Any]], Merged | None]:
    """The operation's sections and figures; 404 when it has neither (or is not a slug at all)."""
    if not is_slug(operation):
        abort(404)
    docs = _documents(operation)
    merged = load_operation(Path(current_app.config["CONTENT_DIR"]), operation)
    if not docs and merged is None:
        abort(404)
    return docs, merged


@bp.get("/<any(en,fr):lang>/<operation>")
def operation_page(lang: str, operation: str) -> str:
    docs, merged = _operation(operation)
    labels = service().labels
    other = "fr" if lang == "en" else "en"
    return render_template(
        "operation.html",
        lang=lang,
        other_lang=other,
        operation=operation,
        label=labels.label("operation", operation, lang),
        base=urls().operation(lang, operation),
        years=report_years(docs, operation, lang),
        figures=figures_page(merged, lang, labels) if merged else None,
        datasets=DATASETS,
        t=lambda key, **values: figures_view.t(key, lang, **values),
    )


@bp.get("/<any(en,fr):lang>/<operation>/figures.json")
def operation_json(lang: str, operation: str) -> Response:
    _docs, merged = _operation(operation)
    if merged is None:
        abort(404)
    return jsonify(figures_json(merged, lang, service().labels, urls().operation(lang, operation)))


@bp.get("/<any(en,fr):lang>/<operation>/figures/<name>.csv")
def operation_csv(lang: str, operation: str, name: str) -> Response:
    _docs, merged = _operation(operation)
    found = dataset(merged, name, lang, service().labels) if merged else None
    if found is None:
        abort(404)
    response = Response(to_csv(*found), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'inline; filename="{operation}-{name}-{lang}.csv"'
    return response


@bp.app_template_global("trend_chart")
def trend_chart(points: list[Any]) -> Chart:
    """The search page's trend (`page.trend`) as a chart with its table, in the interface language."""
    return figures_view.trend_chart(points, ui_lang())


@bp.app_template_global("figures_text")
def figures_text(key: str, **values: object) -> str:
    """A label of kb.figures_view.TEXT in the interface language (for templates without a page language)."""
    return figures_view.t(key, ui_lang(), **values)
