"""The OpenAPI 3.1 document of kb's JSON API, built from the same constants the search layer validates with."""

from __future__ import annotations

from typing import Any

from kb.model import LANGS, REPORT_KINDS, SECTIONS
from kb.search import PAGE_MAX, QUERY_MAX_CHARS, SORTS

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
        _param("section", {"type": "string", "enum": list(SECTIONS)}, "Section slugs (OR)", many=True),
        _param("operation", {"type": "string"}, "Operation slugs (OR)", many=True),
        _param("lang", {"type": "string", "enum": list(LANGS)}, "Document languages (OR)", many=True),
        _param("report", {"type": "string", "enum": list(REPORT_KINDS)}, "Report kinds (OR)", many=True),
        _param("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"}, "Order of hits"),
        _param("page", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": 1},
               "Page number (at most the answer's `last_page`)"),
        _param("per_page", {"type": "integer", "minimum": 1, "maximum": per_page_max, "default": 10},
               "Hits per page"),
    ]


ERROR = {"description": "A parameter that cannot be used", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "integer"}, "reason": {"type": "string"}},
    "required": ["error", "reason"]}}}}


def openapi_document(per_page_max: int) -> dict[str, Any]:
    params = search_parameters(per_page_max)
    json_ok = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "kb API", "version": "1", "description": "Search UNHCR Global Focus operation reports."},
        "paths": {
            "/api/search": {"get": {"summary": "Search sections, with facets and trend",
                                    "description": SEARCH_DESCRIPTION, "parameters": params,
                                    "responses": {"200": json_ok, "400": ERROR}}},
            "/api/search.csv": {"get": {"summary": "The same search as CSV", "parameters": params, "responses": {
                "200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                "400": ERROR}}},
            "/api/sections/{lang}/{operation}/{year}/{section}": {"get": {
                "summary": "One section with its numbered paragraphs",
                "parameters": [
                    {"name": "lang", "in": "path", "required": True, "schema": {"type": "string", "enum": list(LANGS)}},
                    {"name": "operation", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "section", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {"200": json_ok, "404": {"description": "No such section"}}}},
        },
    }
