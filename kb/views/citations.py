"""Citations as files: `/<lang>/<operation>/<year>/<section>/cite.<ris|bib|json>` for a section and
`/<lang>/<operation>/<year>/<section>/p/<ref>/cite.<ris|bib|json>` for one of its paragraphs (RIS, BibTeX,
CSL-JSON), the same text the section page's Cite block shows; `/cite.<ris|bib|json>?<search>` for the page of search
results those parameters give (one entry per hit; bad parameters: a 400 with the reason, as the search API)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from kb import cite
from kb.current import public_url, service, urls
from kb.views.api import search_or_400
from kb.views.sections import as_cited, find_section, is_ref

bp = Blueprint("citations", __name__)


def _download(lang: str, operation: str, year: int, section: str, extension: str, ref: str | None) -> Response:
    page = find_section(lang, operation, year, section)
    builder = urls().for_ui(None)
    if page is None or extension not in cite.FORMATS or (ref is not None and not is_ref(ref)):
        abort(404)
    if request.path != builder.citation(lang, operation, year, section, extension, ref):  # one address each
        abort(404)
    paragraph = page.find(ref) if ref is not None else None
    if ref is not None and paragraph is None:
        abort(404)
    cited = cite.cited(as_cited(page), paragraph, builder, public_url, cite.today())
    name = "-".join(filter(None, ["kb", operation, str(year), section, lang, paragraph and paragraph.ref]))
    return Response(cite.download(cited, extension), mimetype=cite.FORMATS[extension],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


@bp.get("/<lang>/<operation>/<int:year>/<section>/cite.<extension>")
def section_citation(lang: str, operation: str, year: int, section: str, extension: str) -> Response:
    return _download(lang, operation, year, section, extension, None)


@bp.get("/<lang>/<operation>/<int:year>/<section>/p/<ref>/cite.<extension>")
def paragraph_citation(lang: str, operation: str, year: int, section: str, ref: str, extension: str) -> Response:
    return _download(lang, operation, year, section, extension, ref)


@bp.get("/cite.<extension>")
def search_citations(extension: str) -> Response | tuple[Response, int]:
    if extension not in cite.FORMATS:
        abort(404)
    builder = urls().for_ui(None)
    page, error = search_or_400(builder.search())
    if error:
        return error
    assert page is not None
    labels, accessed = service().labels, cite.today()
    entries = [cite.hit_cited(hit, labels, builder, public_url, accessed) for hit in page.hits]
    name = "kb-search" + (f"-page-{page.params.page}" if page.params.page > 1 else "")
    return Response(cite.download(entries, extension), mimetype=cite.FORMATS[extension],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})
