"""Operation pages `/<lang>/<operation>`: reports by year, key figures, charts with their tables, links to downloads.

`<lang>` is the language of the page's labels and links: the article is rendered inside
`flask_babel.force_locale(lang)`, while the surrounding chrome stays in the interface language (`ui_lang()`). The
figures come from the served generation's site data (kb.figures_model, drawn by kb.figure_charts), the list of
reports from its stored documents; the downloads are kb.views.downloads'.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template
from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from markupsafe import Markup

from kb.current import service, urls
from kb.engine.stored import StoredDocument, decode
from kb.figure_charts import figures_page
from kb.model import SECTION_KINDS, is_slug
from kb.views.downloads import DATASETS, operation_figures

bp = Blueprint("operations", __name__)

ORDER = {kind.slug: i for i, kind in enumerate(SECTION_KINDS)}


@dataclass
class ReportLink:
    label: str
    url: str
    lang: str  # the language of the linked section
    other_lang: bool  # only available in the other language


def _documents(operation: str) -> list[StoredDocument]:
    """The operation's sections (not its key figures) in the served generation."""
    return [d for d in map(decode, service().backend.documents(operation=operation)) if d.is_section]


def report_years(docs: list[StoredDocument], operation: str, lang: str) -> list[tuple[int, list[ReportLink]]]:
    """Years (newest first) and their sections, each linked in the page's language when it exists there."""
    found: dict[tuple[int, str], set[str]] = {}
    for doc in docs:
        found.setdefault((doc.year, doc.section), set()).add(doc.lang)
    labels = service().labels
    years: dict[int, list[ReportLink]] = {}
    for (year, section), langs in sorted(found.items(), key=lambda item: (-item[0][0], ORDER.get(item[0][1], 99))):
        link_lang = lang if lang in langs else sorted(langs)[0]
        url = urls().section(link_lang, operation, year, section)
        years.setdefault(year, []).append(
            ReportLink(labels.label("section", section, lang), url, link_lang, link_lang != lang))
    return list(years.items())


@bp.get("/<any(en,fr):lang>/<operation>")
def operation_page(lang: str, operation: str) -> str:
    """404 when the operation has neither sections nor figures (or is not a slug at all)."""
    if not is_slug(operation):
        abort(404)
    docs = _documents(operation)
    figures = operation_figures(operation)
    if not docs and figures is None:
        abort(404)
    labels = service().labels
    label = labels.label("operation", operation, lang)
    other = "fr" if lang == "en" else "en"
    breadcrumb = _("Breadcrumb")  # the navigation's name, in the interface language like the chrome
    with force_locale(other):
        other_version = pgettext("the name of the page's version in this language", "English version")
    with force_locale(lang):
        title = _("%(operation)s: reports and figures", operation=label)
        article = render_template(
            "_operation.html",
            lang=lang,
            other_lang=other,
            other_lang_name=labels.label("lang", other, lang),
            other_version=other_version,
            operation=operation,
            title=title,
            breadcrumb=breadcrumb,
            years=report_years(docs, operation, lang),
            figures=figures_page(figures, lang, labels) if figures else None,
            datasets=DATASETS,
        )
    return render_template("operation.html", title=title, article=Markup(article))
