"""The OpenAPI 3.1 document of kb: every address the app serves (the JSON API, the CSV, Atom and citation
downloads, and the HTML pages), with full response schemas, built from the same constants the search layer validates
with. `tests/test_api_contract.py` fails when the app has a route this document does not list."""

from __future__ import annotations

from typing import Any

from kb.figures_model import DATASETS
from kb.model import KEY_FIGURES, LANGS, REPORT_KINDS, SECTIONS
from kb.search import PAGE_MAX, QUERY_MAX_CHARS, SORTS
from kb.urls import CITATION_EXTENSIONS

SEARCH_DESCRIPTION = (
    "One result set per request: `total`, every facet's counts, the `trend` and the page of `hits` all come from the "
    "query, the facet values and the year range together. Values of one facet are joined with OR, facets with AND. "
    "Facet counts are disjunctive (as in Solr-based catalogues): a value's count is the number of results that have "
    "that value under all the other active filters, this facet's own selection left out; for a facet with nothing "
    "selected, it is exactly the `total` that adding the value gives. Themes belong to paragraphs: `theme` keeps the "
    "results with a paragraph tagged with one of the chosen themes in which the query holds (its words and the theme "
    "meet in one paragraph), each hit's `paragraph` and `snippet` come from such a paragraph, and the theme facet "
    "counts the themes of the paragraphs where the query holds. `trend` counts, per year, the results that are "
    "sections (key figures are left out: `trend_key_figures_left_out` says how many), with `total` the sections that "
    "every filter but the query and the themes selects. `facet_semantics` restates these rules in the answer. "
    "`from` after `to`, or a `page` after the last one, is a 400 with the reason."
)


def _param(name: str, schema: dict[str, Any], description: str, many: bool = False) -> dict[str, Any]:
    if many:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema,
            **({"style": "form", "explode": True} if many else {})}


def search_parameters(per_page_max: int) -> list[dict[str, Any]]:
    return [
        _param("q", {"type": "string", "maxLength": QUERY_MAX_CHARS},
               'Whoosh query language: AND, OR, NOT, "phrases", field:value, prefix*'),
        _param("year", {"type": "integer", "minimum": 1900, "maximum": 2100}, "Years (OR)", many=True),
        _param("from", {"type": "integer", "minimum": 1900, "maximum": 2100}, "First year of a range (at most `to`)"),
        _param("to", {"type": "integer", "minimum": 1900, "maximum": 2100}, "Last year of a range"),
        _param("theme", {"type": "string"}, "Theme slugs (OR), matched per paragraph", many=True),
        _param("section", {"type": "string", "enum": [*SECTIONS, KEY_FIGURES.slug]},
               "Section slugs (OR); `key-figures` lists key figures among the results", many=True),
        _param("operation", {"type": "string"}, "Operation slugs (OR)", many=True),
        _param("lang", {"type": "string", "enum": list(LANGS)}, "Document languages (OR)", many=True),
        _param("report", {"type": "string", "enum": list(REPORT_KINDS)}, "Report kinds (OR)", many=True),
        _param("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"}, "Order of hits"),
        _param("page", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": 1},
               "Page number (at most the answer's `last_page`)"),
        _param("per_page", {"type": "integer", "minimum": 1, "maximum": per_page_max, "default": 10},
               "Hits per page"),
    ]


def _obj(properties: dict[str, Any], *optional: str) -> dict[str, Any]:
    """An object schema: every property required but `optional`, others allowed (an answer may grow)."""
    return {"type": "object", "properties": properties, "required": [k for k in properties if k not in optional]}


STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
NULL_STR, NULL_INT, NULL_NUM = {"type": ["string", "null"]}, {"type": ["integer", "null"]}, {"type": ["number", "null"]}
STRINGS, NUMBERS = {"type": "array", "items": STR}, {"type": "array", "items": NULL_NUM}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _components_search() -> dict[str, Any]:
    facet_value = _obj({"value": STR, "label": STR, "count": {"type": "integer", "minimum": 0}, "selected": BOOL,
                        "toggle_url": STR})
    lang_or_null = {"enum": [*LANGS, None]}
    hit = _obj({
        "doc_id": STR, "kind": {"enum": ["section", "figure"]}, "title": STR, "operation": STR,
        "operation_label": STR, "year": INT, "section": STR, "section_label": STR, "lang": {"enum": list(LANGS)},
        "report": STR, "themes": STRINGS,
        "url": {"type": "string", "description": "the section page at the best paragraph's anchor (a key figure: "
                                                 "its operation page)"},
        "paragraph": {"type": "integer", "description": "¶n of the best paragraph"}, "score": NUM,
        "entered": {**NULL_STR, "description": "when it entered kb (ISO 8601, UTC)"},
        "paragraph_id": {**NULL_STR, "description": "the best paragraph's stable identifier (null in a document "
                                                    "without identifiers, and for a key figure)"},
        "anchor": {**NULL_STR, "description": "its anchor on the section page: the identifier, else `p3`"},
        "permalink": {**NULL_STR, "description": "its permalink, `/<lang>/<operation>/<year>/<section>/p/<ref>`"},
        "translated_from": {**lang_or_null, "description": "the original's language when the hit is kb's "
                                                           "translation (an unofficial translation by kb)"},
        "twin": {**NULL_STR, "description": "the same paragraph in the other language (its section when it lacks "
                                            "the paragraph); null when the section exists in one language only"},
        "snippet": {"type": "string", "description": "plain text (no HTML) of the best paragraph, maybe cut (…)"},
        "marks": {"type": "array", "description": "the matched words: [start, end) code-point offsets in `snippet`",
                  "items": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 2,
                            "maxItems": 2}},
    })
    search = _obj({
        "query": STR, "filters": {"type": "object", "additionalProperties": STRINGS}, "from": NULL_INT,
        "to": NULL_INT, "sort": {"enum": list(SORTS)}, "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1}, "total": {"type": "integer", "minimum": 0},
        "last_page": {"type": "integer", "minimum": 1}, "next": NULL_STR, "previous": NULL_STR,
        "suggestion": NULL_STR, "timed_out": BOOL, "generation": STR,
        "hits": {"type": "array", "items": _ref("Hit")},
        "facets": {"type": "object", "additionalProperties": {"type": "array", "items": _ref("FacetValue")}},
        "facets_more": {"type": "object", "additionalProperties": INT},
        "facet_semantics": {"type": "object", "additionalProperties": STR},
        "trend": {"type": "array", "items": _obj({"year": INT, "count": INT, "total": INT, "share": NUM})},
        "trend_key_figures_left_out": INT, "key_figures_total": INT,
        "key_figures": {"type": "array", "items": _obj({"operation": STR, "operation_label": STR, "year": INT,
                                                        "lang": STR, "url": STR, "figures": STRINGS})},
        "citations": {**_obj({ext: STR for ext in CITATION_EXTENSIONS}), "additionalProperties": False,
                      "description": "this page's hits cited as a file (`/cite.<extension>`): RIS, BibTeX, CSL-JSON"},
    })
    return {"FacetValue": facet_value, "Hit": hit, "SearchAnswer": search}


def _components_section() -> dict[str, Any]:
    paragraph = _obj({
        "n": INT, "id": {**NULL_STR, "description": "its stable identifier (null in a document without them)"},
        "anchor": {"type": "string", "description": "its anchor on the page: the identifier, else `p3`"},
        "permalink": {"type": "string", "description": "`/<lang>/<operation>/<year>/<section>/p/<ref>`"},
        "text": STR, "themes": STRINGS})
    return {"Section": _obj({
        "id": STR, "url": STR, "lang": {"enum": list(LANGS)}, "title": STR, "operation": STR, "year": INT,
        "section": STR, "report": STR, "country": {"type": ["array", "string"]}, "source": STR,
        "source_url": NULL_STR, "source_retrieved": NULL_STR, "translated_from": {"enum": [*LANGS, None]},
        "translation_key": STR, "themes": STRINGS, "other_language": NULL_STR,
        "other_years": {"type": "array", "items": _obj({"year": INT, "url": STR})},
        "paragraphs": {"type": "array", "items": paragraph},
    })}


def _components_figures() -> dict[str, Any]:
    by_pillar = {"type": "object", "additionalProperties": _obj({"label": STR, "budget": {"type": ["array", "null"]},
                                                                 "expenditure": {"type": ["array", "null"]}})}
    return {"Figures": _obj({
        "operation": STR, "label": STR, "lang": {"enum": list(LANGS)},
        "sources": {"type": "array", "items": _obj({"file": STR, "source": NULL_STR, "source_url": NULL_STR,
                                                    "source_retrieved": NULL_STR})},
        "key_figures": {"type": "array", "items": _obj({"year": NULL_INT, "kind": NULL_STR, "value": NULL_NUM,
                                                        "unit": NULL_STR, "display": NULL_STR, "text": STR})},
        "people_of_concern": _obj({
            "change": NULL_STR, "change_percent": NULL_NUM,
            "totals": {"type": "array", "items": _obj({"year": INT, "total": NULL_NUM})},
            "breakdown_year": NULL_INT,
            "breakdown": {"type": "array", "items": _obj({"type": STR, "label": STR, "count": NULL_NUM})}}),
        "budget": {"oneOf": [{"type": "null"}, _obj({"unit": NULL_STR, "years": {"type": "array", "items": INT},
                                                     "budget": NUMBERS, "expenditure": NUMBERS,
                                                     "by_pillar": by_pillar})]},
        "contributions": {"oneOf": [{"type": "null"}, _obj({"note": NULL_STR, "items": {"type": "array", "items": _obj(
            {"date": NULL_STR, "donors": STRINGS})}})]},
        "downloads": {"type": "object", "additionalProperties": STR},
    })}


def _components_csl() -> dict[str, Any]:
    """CSL-JSON as kb writes it: the CSL 1.0 data schema's types for the variables kb uses, nothing else."""
    name = {"type": "object", "minProperties": 1, "additionalProperties": False,
            "properties": {"literal": STR, "family": STR, "given": STR}}
    when = {"type": "object", "required": ["date-parts"], "additionalProperties": False,
            "properties": {"date-parts": {"type": "array", "minItems": 1, "maxItems": 2, "items": {
                "type": "array", "minItems": 1, "maxItems": 3, "items": INT}}}}
    item = {**_obj({
        "id": STR, "type": {"enum": ["webpage", "report", "document"]}, "title": STR,
        "author": {"type": "array", "minItems": 1, "items": name}, "translator": {"type": "array", "items": name},
        "container-title": STR, "genre": STR, "language": STR, "URL": {"type": "string", "pattern": "^https?://"},
        "note": STR, "original-title": STR, "issued": when, "accessed": when},
        "translator", "container-title", "genre", "note", "original-title"), "additionalProperties": False}
    return {"CslItems": {"type": "array", "items": item}}


def components(themes: list[str], operations: list[str]) -> dict[str, Any]:
    """The schemas of every answer (referenced as #/components/schemas/NAME)."""
    return {
        "Error": {"type": "object", "properties": {"error": {"type": "integer", "minimum": 400, "maximum": 599},
                                                   "reason": {"type": "string", "minLength": 1}},
                  "required": ["error", "reason"], "additionalProperties": False},
        **_components_search(), **_components_section(), **_components_figures(), **_components_csl(),
        "Theme": {"enum": themes}, "Operation": {"enum": operations},
    }


ERROR = {"description": "A parameter that cannot be used, and why", "content": {"application/json": {
    "schema": _ref("Error")}}}
CSV_NOTE = "RFC 4180 with a UTF-8 byte-order mark; numbers as written (12 significant digits); empty = missing."
TEXT = {"schema": {"type": "string"}}
HTML = {"text/html": TEXT}
CSV = {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string", "description": CSV_NOTE}}}}
CITATIONS = {"description": "The citations as a file (`Content-Disposition: attachment`): RIS, BibTeX or CSL-JSON "
                            "by the extension", "content": {
    "application/x-research-info-systems": TEXT, "application/x-bibtex": TEXT,
    "application/vnd.citationstyles.csl+json": {"schema": _ref("CslItems")}}}


def _json(name: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": HTML}


def _path(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema,
            **({"description": description} if description else {})}


def _get(summary: str, responses: dict[str, Any], parameters: list[dict[str, Any]] | None = None,
         api: bool = False, description: str = "") -> dict[str, Any]:
    """One GET operation; every other answer (a 404, a refused request, no index yet) is an error: a JSON reason
    under /api/, else an HTML page in the interface language."""
    default = {"description": "An error, with its reason", "content": (
        {"application/json": {"schema": _ref("Error")}} if api else HTML)}
    operation = {"summary": summary, **({"description": description} if description else {}),
                 "parameters": parameters or [], "responses": {**responses, "default": default}}
    return {"get": operation}


def _api_paths(params: list[dict[str, Any]], address: list[dict[str, Any]]) -> dict[str, Any]:
    lang, operation = address[:2]
    return {
        "/api/search": _get("Search sections, with facets and trend", {"200": _json("SearchAnswer"), "400": ERROR},
                            params, api=True, description=SEARCH_DESCRIPTION),
        "/api/search.csv": _get("The same search as CSV (columns: id, kind, title, operation, year, section, lang, "
                                "report, themes, url, paragraph, score, snippet)", {"200": CSV, "400": ERROR}, params,
                                api=True),
        "/api/sections/{lang}/{operation}/{year}/{section}": _get(
            "One section with its numbered paragraphs (identifier, anchor, permalink of each)",
            {"200": _json("Section"), "404": {"description": "No such section", "content": {
                "application/json": {"schema": _ref("Error")}}}}, address, api=True),
        "/{lang}/{operation}/figures.json": _get(
            "An operation's figures: key figures, people of concern, budget, contributions",
            {"200": _json("Figures"), "404": _html("No figures for this operation")}, [lang, operation]),
        "/{lang}/{operation}/figures/{name}.csv": _get(
            "One table of an operation's figures as CSV", {"200": CSV, "404": _html("No such table")},
            [lang, operation, _path("name", {"type": "string", "enum": list(DATASETS)})]),
        "/api/openapi.json": _get("This document", {"200": {"description": "OpenAPI 3.1", "content": {
            "application/json": {"schema": {"type": "object", "required": ["openapi", "info", "paths",
                                                                          "components"]}}}}}, api=True),
    }


def _search_downloads(params: list[dict[str, Any]]) -> dict[str, Any]:
    extension = _path("extension", {"type": "string", "enum": list(CITATION_EXTENSIONS)},
                      "ris (RIS), bib (BibTeX) or json (CSL-JSON)")
    return {
        "/feed.atom": _get(
            "The same search as an Atom feed (RFC 4287), newest report year first; each entry dated by when its "
            "section entered kb, with its report year as a category",
            {"200": {"description": "Atom", "content": {"application/atom+xml": TEXT}}, "400": ERROR},
            [p for p in params if p["name"] not in ("sort", "page")]),
        "/cite.{extension}": _get(
            "The citations of one page of search results (the same parameters and page as /api/search, whose "
            "`citations` links here): one entry per hit, in order, citing its section in the hit's language (a "
            "translation by kb as one, naming its original); when the search has words or themes, the paragraph "
            "it found is named with its permalink in a note", {"200": CITATIONS, "400": ERROR},
            [extension, *params]),
    }


def _section_paths(address: list[dict[str, Any]]) -> dict[str, Any]:
    ref = _path("ref", {"type": "string", "pattern": "^([a-z0-9]{5}|[1-9][0-9]{0,3})$"},
                "the paragraph's identifier (`k3f9a`), or its number in a document without identifiers")
    extension = _path("extension", {"type": "string", "enum": list(CITATION_EXTENSIONS)})
    section = "/{lang}/{operation}/{year}/{section}"
    para = {"name": "para", "in": "query", "required": False, "schema": {"type": "string"},
            "description": "the paragraph the Cite block names (its `ref`)"}
    hl = {"name": "hl", "in": "query", "required": False, "schema": {"type": "string"},
          "description": "analysed words to mark"}
    return {
        section: _get("A section's page: numbered paragraphs, highlights, editor's notes, Cite",
                      {"200": _html("The page")}, [*address, para, hl]),
        f"{section}/p/{{ref}}": _get(
            "A paragraph's permalink (it survives edits and re-imports)",
            {"302": {"description": "To the section with the paragraph selected and in view (`?para=<ref>#<anchor>`); "
                                    "to the section with a notice when the paragraph was removed",
                     "headers": {"Location": {"schema": {"type": "string"}}}}}, [*address, ref]),
        f"{section}/cite.{{extension}}": _get("The section's citation as a file", {"200": CITATIONS},
                                              [*address, extension]),
        f"{section}/p/{{ref}}/cite.{{extension}}": _get("A paragraph's citation as a file, naming its permalink",
                                                        {"200": CITATIONS}, [*address, ref, extension]),
    }


def _page_paths(params: list[dict[str, Any]], address: list[dict[str, Any]]) -> dict[str, Any]:
    side = {"in": "query", "required": True, "schema": {"type": "string", "pattern": "^(en|fr)/[^/]+/[0-9]{4}/[^/]+$"},
            "description": "a section: lang/operation/year/section"}
    redirect = {"description": "To the tidy URL of the same search (or, for a bare `/`, to the remembered "
                               "interface language)", "headers": {"Location": {"schema": {"type": "string"}}}}
    return {
        "/": _get("The search page", {"200": _html("The results"), "302": redirect,
                                      "400": _html("The search page, with the reason")}, params),
        "/{lang}/{operation}": _get("An operation's page: its reports by year, its figures and charts",
                                    {"200": _html("The page")}, address[:2]),
        "/compare": _get("Two sections side by side, ¶n next to ¶n (a translation by kb marked as one)",
                         {"200": _html("The comparison"), "400": _html("A malformed reference, and why"),
                          "404": _html("No such section")}, [{"name": "a", **side}, {"name": "b", **side}]),
        "/static/{filename}": _get("The page's stylesheet and script", {
            "200": {"description": "The file", "content": {"text/css": TEXT, "text/javascript": TEXT}},
            "304": {"description": "Not modified since the browser's copy"}}, [_path("filename", {"type": "string"})]),
    }


def openapi_document(per_page_max: int, themes: list[str] | None = None,
                     operations: list[str] | None = None) -> dict[str, Any]:
    """The document; `themes` and `operations` are the values the served index knows (they become enums)."""
    themes, operations = list(themes or []), list(operations or [])
    params = search_parameters(per_page_max)
    for param in params:
        if param["name"] in ("theme", "operation"):
            param["schema"]["items"] = _ref("Theme" if param["name"] == "theme" else "Operation")
            param["description"] += "; an unknown value is a 400"
    address = [_path("lang", {"type": "string", "enum": list(LANGS)}), _path("operation", _ref("Operation")),
               _path("year", {"type": "integer"}), _path("section", {"type": "string", "enum": list(SECTIONS)})]
    return {
        "openapi": "3.1.0",
        "info": {"title": "kb API", "version": "3", "description": "Search UNHCR Global Focus operation reports."},
        "paths": {**_api_paths(params, address), **_search_downloads(params), **_section_paths(address),
                  **_page_paths(params, address)},
        "components": {"schemas": components(themes, operations)},
    }
