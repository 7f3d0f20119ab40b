"""Section pages `/<lang>/<operation>/<year>/<section>` (numbered paragraphs, highlights, editor's notes, Cite) and
paragraph permalinks `/<lang>/<operation>/<year>/<section>/p/<ref>`.

A permalink reaches the server, so that it works without JavaScript: it redirects to the section with the paragraph
selected (`?para=<ref>`, whose Cite block then names the paragraph) and its anchor; a paragraph that is no longer
there lands on the section with a notice. `#p3` anchors keep working next to the identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import Blueprint, abort, redirect, render_template, request
from werkzeug.wrappers import Response

from kb import cite
from kb.current import public_url, service, ui_lang, urls
from kb.documents import SectionPage, load_section
from kb.figure_charts import long_date
from kb.model import LANGS, YEAR_MAX, YEAR_MIN, is_paragraph_id, is_slug
from kb.render import RenderedParagraph

bp = Blueprint("sections", __name__)

HL_MAX_TERMS = 20


def find_section(lang: str, operation: str, year: int, section: str) -> SectionPage | None:
    """The section, or None for anything that is not a well-formed address of an indexed section."""
    if lang not in LANGS or not is_slug(operation) or not is_slug(section) or not YEAR_MIN <= year <= YEAR_MAX:
        return None
    terms = {t for t in (request.args.get("hl") or "").split()[:HL_MAX_TERMS] if t.isalnum() and len(t) < 40}
    svc = service()
    return load_section(svc.backend, svc.labels, urls(), (lang, operation, year, section), ui_lang(), terms)


def is_ref(value: str) -> bool:
    """A well-formed way for a permalink to name a paragraph: its identifier, or its number (up to 9999)."""
    return is_paragraph_id(value) or (value.isascii() and value.isdigit() and len(value) <= 4 and value[0] != "0")


@dataclass
class Selection:
    """What the page's Cite block names: a paragraph (`paragraph`), or the section; `missing` is a well-formed
    reference to a paragraph the section does not have (`removed`: one it retired)."""

    paragraph: RenderedParagraph | None = None
    missing: str | None = None
    removed: bool = False


def selection(page: SectionPage, ref: str) -> Selection:
    if not is_ref(ref):
        return Selection()
    found = page.find(ref)
    if found is not None:
        return Selection(found)
    return Selection(missing=ref, removed=ref in page.retired_ids)


def as_cited(page: SectionPage) -> SectionPage:
    """The page as its citation names it: the title in the document's language, the other labels in English (the
    citation's own language), so the text a researcher copies does not change with the interface language."""
    labels = service().labels
    return replace(page, operation_label=labels.label("operation", page.operation, "en"),
                   report_label=labels.label("report", page.report, "en"))


@bp.get("/<lang>/<operation>/<int:year>/<section>")
def section_page(lang: str, operation: str, year: int, section: str) -> str:
    page = find_section(lang, operation, year, section)
    if page is None or request.path != page.path:  # one address per section: not /02020/, not non-ASCII digits
        abort(404)
    chosen = selection(page, request.args.get("para", ""))
    english, accessed, builder = as_cited(page), cite.today(), urls().for_ui(None)
    block = cite.cite_block(english, builder, public_url, accessed)
    selected = cite.cited(english, chosen.paragraph, builder, public_url, accessed)
    shown, meta = cite.entry(selected, builder), cite.highwire(selected)
    source_read = long_date(page.source_retrieved, ui_lang()) if page.source_retrieved else None
    return render_template("section.html", page=page, permalink=shown["permalink"], cite=shown, cite_data=block,
                           selection=chosen, meta=meta, canonical=public_url(page.path), notes=page.notes,
                           source_read=source_read)


@bp.get("/<lang>/<operation>/<int:year>/<section>/p/<ref>")
def paragraph_permalink(lang: str, operation: str, year: int, section: str, ref: str) -> Response:
    """A paragraph's permalink: to the section, the paragraph selected and in view; or to the section with a notice
    when the section no longer has it."""
    page = find_section(lang, operation, year, section)
    if page is None or not is_ref(ref) or request.path != urls().for_ui(None).paragraph_path(
            lang, operation, year, section, ref):
        abort(404)
    found = page.find(ref)
    return redirect(urls().section(lang, operation, year, section, selected=found.ref if found else ref,
                                   anchor=found.anchor if found else None), 302)
