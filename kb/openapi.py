"""The OpenAPI 3.1 document of kb's JSON API, built from the same constants the search layer validates with."""

from __future__ import annotations

from typing import Any

from kb.figures_model import DATASETS
from kb.model import KEY_FIGURES, LANGS, REPORT_KINDS, SECTIONS
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
        _param("xlang", {"type": "integer", "minimum": 0, "maximum": 1, "default": 1},
               "Cross-language search: 1 also searches the glossary's equivalents of the query's terms in the other "
               "language (ranked below the words typed); 0 searches only the words typed. The answer's `expansion` "
               "says what matched and what was added"),
    ]


def _obj(properties: dict[str, Any], *optional: str) -> dict[str, Any]:
    """An object schema: every property required but `optional`, others allowed (an answer may grow)."""
    return {"type": "object", "properties": properties, "required": [k for k in properties if k not in optional]}


STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
NULL_STR, NULL_INT, NULL_NUM = {"type": ["string", "null"]}, {"type": ["integer", "null"]}, {"type": ["number", "null"]}
STRINGS, NUMBERS = {"type": "array", "items": STR}, {"type": "array", "items": NULL_NUM}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def components(themes: list[str], operations: list[str]) -> dict[str, Any]:
    """The schemas of every answer (referenced as #/components/schemas/NAME)."""
    facet_value = _obj({"value": STR, "label": STR, "count": {"type": "integer", "minimum": 0}, "selected": BOOL,
                        "toggle_url": STR})
    hit = _obj({
        "doc_id": STR, "kind": {"enum": ["section", "figure"]}, "title": STR, "operation": STR,
        "operation_label": STR, "year": INT, "section": STR, "section_label": STR, "lang": {"enum": list(LANGS)},
        "report": STR, "themes": STRINGS, "url": {"type": "string", "description": "the section page at `#pN`"},
        "paragraph": INT, "score": NUM, "entered": {**NULL_STR, "description": "when it entered kb (ISO 8601, UTC)"},
        "snippet": {"type": "string", "description": "plain text (no HTML) of the best paragraph, maybe cut (…)"},
        "marks": {"type": "array", "description": "the matched words: [start, end) code-point offsets in `snippet`",
                  "items": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 2,
                            "maxItems": 2}},
    })
    match = _obj({
        "typed": {"type": "string", "description": "the query's words that matched a glossary term"},
        "lang": {"enum": list(LANGS), "description": "the language of the glossary term they matched"},
        "into": {"enum": list(LANGS), "description": "the language of the equivalents"},
        "equivalents": {**STRINGS, "description": "the terms added (empty: they search nothing the words do not)"},
        "field": {**NULL_STR, "description": "the field the words were qualified with (title:, body_en:...)"},
    })
    expansion = _obj({
        "applied": {**BOOL, "description": "whether the equivalents were searched (false with xlang=0)"},
        "matches": {"type": "array", "items": match},
        "added": {"type": "object", "additionalProperties": STRINGS,
                  "description": "language -> the equivalents searched (or, with xlang=0, that would be)"},
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
        "xlang": {**BOOL, "description": "whether cross-language search was asked for (`xlang`)"},
        "expansion": expansion,
    })
    section = _obj({
        "id": STR, "url": STR, "lang": {"enum": list(LANGS)}, "title": STR, "operation": STR, "year": INT,
        "section": STR, "report": STR, "country": {"type": ["array", "string"]}, "source": STR,
        "source_url": NULL_STR, "source_retrieved": NULL_STR, "translated_from": NULL_STR, "translation_key": STR,
        "themes": STRINGS, "other_language": {}, "other_years": {"type": "array", "items": _obj({"year": INT,
                                                                                                "url": STR})},
        "paragraphs": {"type": "array", "items": _obj({"n": INT, "anchor": STR, "text": STR, "themes": {}})},
    })
    by_pillar = {"type": "object", "additionalProperties": _obj({"label": STR, "budget": {"type": ["array", "null"]},
                                                                 "expenditure": {"type": ["array", "null"]}})}
    figures = _obj({
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
    })
    return {
        "Error": {"type": "object", "properties": {"error": {"const": 400}, "reason": {"type": "string",
                                                                                      "minLength": 1}},
                  "required": ["error", "reason"], "additionalProperties": False},
        "FacetValue": facet_value, "Hit": hit, "SearchAnswer": search, "Section": section, "Figures": figures,
        "Theme": {"enum": themes}, "Operation": {"enum": operations},
    }


ERROR = {"description": "A parameter that cannot be used, and why", "content": {"application/json": {
    "schema": _ref("Error")}}}
CSV_NOTE = "RFC 4180 with a UTF-8 byte-order mark; numbers as written (12 significant digits); empty = missing."


def _json(name: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def openapi_document(per_page_max: int, themes: list[str] | None = None,
                     operations: list[str] | None = None) -> dict[str, Any]:
    """The document; `themes` and `operations` are the values the served index knows (they become enums)."""
    themes, operations = list(themes or []), list(operations or [])
    params = search_parameters(per_page_max)
    for param in params:
        if param["name"] in ("theme", "operation"):
            param["schema"]["items"] = _ref("Theme" if param["name"] == "theme" else "Operation")
            param["description"] += "; an unknown value is a 400"
    csv = {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string", "description": CSV_NOTE}}}}
    lang = _path("lang", {"type": "string", "enum": list(LANGS)})
    operation = _path("operation", _ref("Operation"))
    return {
        "openapi": "3.1.0",
        "info": {"title": "kb API", "version": "2", "description": "Search UNHCR Global Focus operation reports."},
        "paths": {
            "/api/search": {"get": {"summary": "Search sections, with facets and trend",
                                    "description": SEARCH_DESCRIPTION, "parameters": params,
                                    "responses": {"200": _json("SearchAnswer"), "400": ERROR}}},
            "/api/search.csv": {"get": {
                "summary": "The same search as CSV (columns: id, kind, title, operation, year, section, lang, report, "
                           "themes, url, paragraph, score, snippet)",
                "parameters": params, "responses": {"200": csv, "400": ERROR}}},
            "/feed.atom": {"get": {
                "summary": "The same search as an Atom feed (RFC 4287), newest report year first; each entry dated "
                           "by when its section entered kb, with its report year as a category",
                "parameters": [p for p in params if p["name"] not in ("sort", "page")],
                "responses": {"200": {"description": "Atom", "content": {"application/atom+xml": {
                    "schema": {"type": "string"}}}}, "400": ERROR}}},
            "/api/sections/{lang}/{operation}/{year}/{section}": {"get": {
                "summary": "One section with its numbered paragraphs",
                "parameters": [lang, operation, _path("year", {"type": "integer"}),
                               _path("section", {"type": "string", "enum": list(SECTIONS)})],
                "responses": {"200": _json("Section"), "404": {"description": "No such section"}}}},
            "/{lang}/{operation}/figures.json": {"get": {
                "summary": "An operation's figures: key figures, people of concern, budget, contributions",
                "parameters": [lang, operation],
                "responses": {"200": _json("Figures"), "404": {"description": "No figures for this operation"}}}},
            "/{lang}/{operation}/figures/{name}.csv": {"get": {
                "summary": "One table of an operation's figures as CSV",
                "parameters": [lang, operation, _path("name", {"type": "string", "enum": list(DATASETS)})],
                "responses": {"200": csv, "404": {"description": "No such table"}}}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {
                "description": "OpenAPI 3.1", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["openapi", "info", "paths", "components"]}}}}}}},
        },
        "components": {"schemas": components(themes, operations)},
    }
