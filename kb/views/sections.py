"""Section pages `/<lang>/<operation>/<year>/<section>`: numbered paragraphs with permalinks, highlights, editor's
notes, Cite."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, render_template, request

from kb.cite import citations
from kb.current import public_url, service, ui_lang, urls
from kb.documents import SectionPage, load_section
from kb.figure_charts import long_date
from kb.model import LANGS, YEAR_MAX, YEAR_MIN, is_slug

bp = Blueprint("sections", __name__)

HL_MAX_TERMS = 20


def find_section(lang: str, operation: str, year: int, section: str) -> SectionPage | None:
    """The section, or None for anything that is not a well-formed address of an indexed section."""
    if lang not in LANGS or not is_slug(operation) or not is_slug(section) or not YEAR_MIN <= year <= YEAR_MAX:
        return None
    terms = {t for t in (request.args.get("hl") or "").split()[:HL_MAX_TERMS] if t.isalnum() and len(t) < 40}
    svc = service()
    return load_section(svc.backend, svc.labels, urls(), (lang, operation, year, section), ui_lang(), terms)


@bp.get("/<lang>/<operation>/<int:year>/<section>")
def section_page(lang: str, operation: str, year: int, section: str) -> str:
    page = find_section(lang, operation, year, section)
    if page is None or request.path != page.path:  # one address per section: not /02020/, not non-ASCII digits
        abort(404)
    permalink = public_url(page.path)
    source_read = long_date(page.source_retrieved, ui_lang()) if page.source_retrieved else None
    return render_template("section.html", page=page, permalink=permalink, cite=citations(as_cited(page), permalink),
                           notes=page.notes, source_read=source_read)


def as_cited(page: SectionPage) -> SectionPage:
    """The page as its citation names it: the title in the document's language, the other labels in English (the
    citation's own language), so the text a researcher copies does not change with the interface language."""
    labels = service().labels
    return replace(page, operation_label=labels.label("operation", page.operation, "en"),
                   report_label=labels.label("report", page.report, "en"))
