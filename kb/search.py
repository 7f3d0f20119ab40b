"""The search layer: request parameters -> a page of hits, facets, snippets, trend and spelling suggestion.

Views and the JSON API both call `SearchService`; it reaches the engine only through `kb.engine.backend.SearchBackend`.
Every facet value it returns carries its count, its label in the interface language, whether it is selected and
the URL that toggles it (Datasette-style), so templates stay dumb. The total, the facets, the trend and the hits
come from one result set (FACET_SEMANTICS says how filters combine and what a count means); a hit links to the
paragraph where the query (and a chosen theme) holds best, and to the same paragraph of its twin in the other language
(`Twin`) when there is one.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from kb.chips import Chip, active_filters, clear_all_url
from kb.engine.backend import N_, MessageError, Query, QueryError, SearchBackend
from kb.engine.expansion import Expansion
from kb.engine.schema import FACET_FIELDS
from kb.engine.stored import StoredDocument, StoredParagraph, decode
from kb.highlight import best_paragraph, mark, window
from kb.key_figures import KeyFigureBlock, figure_blocks, wants_figures_among_sections
from kb.labels import Labels
from kb.model import KEY_FIGURES, LANGS, REPORT_KINDS, SECTIONS, YEAR_FILTER_MIN, YEAR_MAX
from kb.settings import DEFAULTS
from kb.twins import TwinFinder
from kb.urls import CITATION_EXTENSIONS, Urls

SORTS = ("relevance", "newest", "oldest")
UI_LANGS = ("en", "fr")  # interface languages; the first is the default
PER_PAGE_DEFAULT, PER_PAGE_MAX = 10, 100
PAGE_MAX = 1000
QUERY_MAX_CHARS = DEFAULTS["max_query_chars"]
VALUES_MAX = DEFAULTS["max_facet_values"]  # values of one facet in one request
VALUE_MAX_CHARS = DEFAULTS["max_facet_value_chars"]
SUGGEST_BELOW = 3  # offer "did you mean" when fewer hits than this
FACET_SIZE = 30  # values shown per facet (as Datasette), besides the selected ones

# What the facets mean, for the page beside the facets and for the API: the one wording of it
FACET_SEMANTICS = N_("Values of one filter are joined with OR, filters with AND. The number beside a value is how "
                     "many results you get by adding it (with a value of the same filter already chosen: by choosing "
                     "it instead). Themes belong to paragraphs: a theme finds the paragraphs tagged with it where "
                     "your words stand.")
FACET_SEMANTICS_JSON = {
    "within_facet": "or",
    "across_facets": "and",
    "counts": "disjunctive: a value's count is the number of results that have the value under every other active "
              "filter, this facet's own selection left out; for a facet with nothing selected, the total that "
              "selecting the value gives",
    "theme": "per paragraph: a theme filter keeps results with a paragraph tagged with a chosen theme in which the "
             "query holds; the theme facet counts the themes of the paragraphs where the query holds",
    "trend": "per year: results that are sections (key figures left out), and the sections selected by every filter "
             "but the query and the themes",
}


class ParamError(MessageError):
    """A request parameter that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class SearchParams:
    """Everything a search page shows is decided by these, and they all live in the URL."""

    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT
    ui: str = ""  # the interface language, when not the default (English): part of the URL like everything else
    xlang: bool = True  # cross-language search (the glossary's equivalents); `xlang=0` in the URL turns it off

    @classmethod
    def from_args(cls, args: Any) -> SearchParams:
        """Read a MultiDict of request args; raise ParamError with a reason on a value that cannot be used."""
        q = (args.get("q") or "").strip()
        if len(q) > QUERY_MAX_CHARS:
            raise ParamError(N_("q: the query is longer than %(max)d characters"), max=QUERY_MAX_CHARS)
        filters: dict[str, tuple[str, ...]] = {}
        for name in FACET_FIELDS:
            values = [v.strip() for v in args.getlist(name) if v and v.strip()]
            if len(values) > VALUES_MAX:
                raise ParamError(N_("%(name)s: at most %(max)d values"), name=name, max=VALUES_MAX)
            if any(len(value) > VALUE_MAX_CHARS for value in values):
                raise ParamError(N_("%(name)s: a value is longer than %(max)d characters"), name=name,
                                 max=VALUE_MAX_CHARS)
            if name == "year":
                for value in values:
                    _year(name, value)
            if values:
                filters[name] = tuple(dict.fromkeys(values))
        sort = args.get("sort") or "relevance"
        if sort not in SORTS:
            raise ParamError(N_("sort: must be one of %(choices)s"), choices=", ".join(SORTS))
        year_from = _year("from", args.get("from")) if args.get("from") else None
        year_to = _year("to", args.get("to")) if args.get("to") else None
        if year_from is not None and year_to is not None and year_from > year_to:
            raise ParamError(N_("from, to: the first year (%(first)d) is after the last (%(last)d)"),
                             first=year_from, last=year_to)
        return cls(
            q=q,
            filters=filters,
            year_from=year_from,
            year_to=year_to,
            sort=sort,
            page=_bounded("page", args.get("page"), 1, 1, PAGE_MAX),
            per_page=_bounded("per_page", args.get("per_page"), PER_PAGE_DEFAULT, 1, PER_PAGE_MAX),
            ui=args.get("ui") if args.get("ui") in UI_LANGS[1:] else "",
            xlang=bool(_bounded("xlang", args.get("xlang"), 1, 0, 1)),
        )

    def pairs(self, page: bool = True) -> list[tuple[str, str]]:
        """The canonical query-string pairs for these parameters (defaults left out)."""
        out: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for name in FACET_FIELDS:
            out += [(name, v) for v in self.filters.get(name, ())]
        if self.year_from is not None:
            out.append(("from", str(self.year_from)))
        if self.year_to is not None:
            out.append(("to", str(self.year_to)))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.per_page != PER_PAGE_DEFAULT:
            out.append(("per_page", str(self.per_page)))
        if page and self.page != 1:
            out.append(("page", str(self.page)))
        if not self.xlang:
            out.append(("xlang", "0"))
        if self.ui:
            out.append(("ui", self.ui))
        return out

    def url(self, base: str = "") -> str:
        pairs = self.pairs()
        return f"{base}?{urlencode(pairs)}" if pairs else (base or "?")

    def toggled(self, name: str, value: str) -> SearchParams:
        """These parameters with `value` of facet `name` switched on or off, back on page 1."""
        current = self.filters.get(name, ())
        values = tuple(v for v in current if v != value) if value in current else (*current, value)
        filters = {k: v for k, v in self.filters.items() if k != name}
        if values:
            filters[name] = values
        return replace(self, filters=filters, page=1)


def _bounded(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParamError(N_("%(name)s: must be a whole number"), name=name) from None
    if not low <= value <= high:
        raise ParamError(N_("%(name)s: must be between %(low)d and %(high)d"), name=name, low=low, high=high)
    return value


def _year(name: str, raw: str) -> int:
    return _bounded(name, raw, 0, YEAR_FILTER_MIN, YEAR_MAX)


# ------------------------------------------------------------------------------------------------ the answer


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass
class Facet:
    name: str
    values: list[FacetValue]
    more: int = 0  # values left out (the FACET_SIZE most frequent, and every selected one, are shown)

    @property
    def selected(self) -> list[FacetValue]:
        return [v for v in self.values if v.selected]


@dataclass
class SearchHit:
    doc_id: str
    kind: str
    title: str
    operation: str
    operation_label: str
    year: int
    section: str
    section_label: str
    lang: str
    report: str
    themes: list[str]  # of the paragraphs where the query holds (a hit without a query: of its section)
    url: str  # the section page, with #pN of the best paragraph
    paragraph: int  # the best of the paragraphs where the query (and a chosen theme) holds
    snippet: Markup  # for pages: `snippet_text` escaped, its `marks` in <mark>
    score: float
    snippet_text: str = ""  # plain text
    marks: list[tuple[int, int]] = field(default_factory=list)  # matched words: code-point offsets in snippet_text
    entered: str | None = None  # when its file entered kb (ISO 8601, UTC), from the generation's site data
    paragraph_id: str | None = None  # the best paragraph's stable identifier (None: a document without them)
    anchor: str | None = None  # its anchor on the section page (the identifier, else `p3`); None for a key figure
    permalink: str | None = None  # its permalink path (`…/p/<ref>`); None for a key figure
    translated_from: str | None = None  # the original's language when the hit is a translation by kb
    twin: Twin | None = None  # the same paragraph (else section) in the other language, when that section exists
    focused: bool = False  # the search found it in its best paragraph (it had words or themes), not as a whole


@dataclass(frozen=True)
class Twin:
    """A section's version in the other language: its language and title, and the link from a hit (to the hit's
    paragraph there when it has it, by the identifier they share; else to the section, `paragraph` False)."""

    lang: str
    title: str
    url: str
    paragraph: bool


@dataclass
class TrendPoint:
    """One year of the trend: `count` results that are sections, of `total` sections the filters (all but the query
    and the themes) select in that year. Key figures are left out (SearchPage.trend_figures counts them)."""

    year: int
    count: int
    total: int

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0


@dataclass
class SearchPage:
    params: SearchParams
    total: int = 0
    hits: list[SearchHit] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    last_page: int = 1
    prev_url: str | None = None
    next_url: str | None = None
    suggestion: str | None = None
    suggestion_url: str | None = None
    error: str | None = None
    error_detail: MessageError | None = None  # the same, for a view to translate
    trend: list[TrendPoint] = field(default_factory=list)
    trend_figures: int = 0  # results left out of the trend: key figures
    timed_out: bool = False
    generation: str = ""
    chips: list[Chip] = field(default_factory=list)  # the active filters, each removable (kb.chips)
    figures_total: int = 0  # key figures matching the same search, shown apart from the sections (page 1)
    figure_blocks: list[KeyFigureBlock] = field(default_factory=list)
    clear_url: str | None = None  # "Clear all": the query text kept, every filter dropped; None without a filter
    expansion: Expansion = field(default_factory=Expansion)  # what the glossary matched, and whether it was searched
    xlang_url: str | None = None  # the same search with cross-language search switched (off when on, on when off)
    citations: dict[str, str] = field(default_factory=dict)  # this page's hits cited as a file: extension -> URL

    @property
    def also_searched(self) -> list[tuple[str, list[str]]]:
        """(language, equivalents) the search added, when they differ from what was typed: the page's note."""
        return sorted(self.expansion.added().items()) if self.expansion.applied else []

    @property
    def could_search(self) -> list[tuple[str, list[str]]]:
        """(language, equivalents) cross-language search would add, when it is off (the note offers it back)."""
        return sorted(self.expansion.added().items()) if not self.params.xlang else []

    @property
    def past_last(self) -> bool:
        """The page asked for is after the last page of results (the views redirect or refuse)."""
        return not self.error and self.params.page > self.last_page

    def past_last_error(self) -> ParamError:
        return ParamError(N_("page: %(page)d is after the last page, %(last)d"), page=self.params.page,
                          last=self.last_page)

    def to_json(self) -> dict[str, Any]:
        data = {
            "query": self.params.q,
            "filters": {k: list(v) for k, v in self.params.filters.items()},
            "from": self.params.year_from,
            "to": self.params.year_to,
            "sort": self.params.sort,
            "page": self.params.page,
            "per_page": self.params.per_page,
            "total": self.total,
            "last_page": self.last_page,
            "next": self.next_url,
            "previous": self.prev_url,
            "suggestion": self.suggestion,
            "timed_out": self.timed_out,
            "generation": self.generation,
            "hits": [_hit_json(h) for h in self.hits],
            "facets": {f.name: [_shallow(v) for v in f.values] for f in self.facets},
            "facets_more": {f.name: f.more for f in self.facets if f.more},
            "facet_semantics": FACET_SEMANTICS_JSON,
            "trend": [{"year": p.year, "count": p.count, "total": p.total, "share": round(p.share, 4)}
                      for p in self.trend],
            "trend_key_figures_left_out": self.trend_figures,
            "key_figures_total": self.figures_total,
            "key_figures": [block.to_json() for block in self.figure_blocks],
            "xlang": self.params.xlang,
            "expansion": self.expansion.to_json(),
            "citations": self.citations,
        }
        return data


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    """A hit for the API: the snippet as plain text and its marked words as [start, end) code-point offsets."""
    data = _shallow(hit)
    del data["snippet_text"], data["focused"]
    return {**data, "themes": list(hit.themes), "snippet": hit.snippet_text,
            "marks": [[start, end] for start, end in hit.marks], "twin": hit.twin.url if hit.twin else None}


def _shallow(item: Any) -> dict[str, Any]:
    """A dataclass of plain values as a dict (dataclasses.asdict deep-copies: 2 ms a page of facets)."""
    return {name: getattr(item, name) for name in item.__dataclass_fields__}


class SearchService:
    """The one entry point views, the API and the terminal use to search."""

    def __init__(self, backend: SearchBackend, urls: Urls | None = None,
                 twin_cache: int = DEFAULTS["twin_cache_sections"],
                 concurrent: int = DEFAULTS["concurrent_searches"]) -> None:
        self.backend = backend
        self._turns = threading.BoundedSemaphore(concurrent)  # searches computed at once (concurrent_searches)
        self.urls = urls or Urls()
        self.twins = TwinFinder(backend.get, backend.site, twin_cache)
        self._labels: tuple[object, Labels] | None = None  # (the site data they were made from, the labels)

    def warm(self, seconds: float) -> int:
        """Read every section's title and paragraph identifiers for the hits' links to their twins (kb.twins), for
        at most `seconds`; how many sections. `kb serve` calls it before it listens."""
        return self.twins.warm(self.backend.outlines(), time.monotonic() + seconds)

    @property
    def labels(self) -> Labels:
        """The labels of the generation being served: made again only when a new generation is swapped in."""
        site = self.backend.site()
        made = self._labels
        if made is None or made[0] is not site:
            made = self._labels = (site, Labels.from_site(site))
        return made[1]

    def known_values(self, name: str) -> tuple[str, ...] | None:
        """The values facet `name` can take in the generation being served (None: any, as for years)."""
        if name == "section":
            return (*SECTIONS, KEY_FIGURES.slug)
        if name == "lang":
            return LANGS
        if name == "report":
            return REPORT_KINDS
        if name == "theme":
            return tuple(self.labels.themes)
        if name == "operation":
            return tuple(self.labels.operations)
        return None

    def check_values(self, params: SearchParams) -> None:
        """Raise ParamError on a facet value the served index does not know (it would silently find nothing)."""
        for name, values in params.filters.items():
            known = self.known_values(name)
            unknown = [v for v in values if known is not None and v not in known]
            if unknown:
                raise ParamError(N_("%(name)s: unknown value %(value)s; one of %(choices)s"), name=name,
                                 value=repr(unknown[0][:80]), choices=", ".join(known))

    def search(self, params: SearchParams, ui_lang: str = "en", base: str = "") -> SearchPage:
        """The page of results `params` ask for, computed when its turn comes (at most `concurrent_searches` at
        once: eight threads interleaving eight searches answered a quarter fewer per second than two at a time)."""
        with self._turns:
            return self._search(params, ui_lang, base)

    def _search(self, params: SearchParams, ui_lang: str, base: str) -> SearchPage:
        page = SearchPage(params=params)
        try:
            self.check_values(params)
        except ParamError as err:
            page.error, page.error_detail = str(err), err
            return page
        page.chips = active_filters(params, self.labels, ui_lang, base)
        page.clear_url = clear_all_url(params, base) if page.chips else None
        filters = {k: frozenset(v) for k, v in params.filters.items()}
        apart = not wants_figures_among_sections(filters)  # key figures in their own blocks (kb.key_figures)
        query = Query(
            text=params.q,
            filters={**filters, "kind": frozenset({"section"})} if apart else filters,
            year_from=params.year_from,
            year_to=params.year_to,
            sort=params.sort,
            offset=(params.page - 1) * params.per_page,
            limit=params.per_page,
            facets=FACET_FIELDS,
            langs_for_text=_text_langs(params),
            xlang=params.xlang,
        )
        try:
            result = self.backend.search(query)
        except QueryError as err:
            page.error, page.error_detail = str(err), err
            return page
        page.total, page.timed_out, page.generation = result.total, result.timed_out, result.generation
        page.expansion = result.expansion
        if result.expansion.added():
            page.xlang_url = replace(params, xlang=not params.xlang, page=1).url(base)
        page.last_page = max(1, min(PAGE_MAX, math.ceil(result.total / params.per_page)))
        if params.page > 1:
            page.prev_url = replace(params, page=min(params.page - 1, page.last_page)).url(base)
        if params.page < page.last_page:
            page.next_url = replace(params, page=params.page + 1).url(base)
        labels = self.labels
        entered = self.backend.site().get("entered") or {}
        page.hits = [self._hit(hit, ui_lang, labels, entered) for hit in result.hits]
        page.citations = {ext: self.urls.search_citation(ext, params.pairs()) for ext in CITATION_EXTENSIONS}
        page.facets = self._facets(params, result.facets, ui_lang, base, labels)
        page.trend = [TrendPoint(year, found, total) for year, (found, total) in sorted(result.per_year.items())]
        page.trend_figures = result.total - sum(p.count for p in page.trend)
        if apart and params.page == 1:
            page.figures_total, page.figure_blocks = figure_blocks(
                self.backend, replace(query, filters=filters), labels, self.urls, ui_lang)
        if params.q and result.total < SUGGEST_BELOW:
            self._suggest(page, query, base)
        return page

    def _hit(self, hit: Any, ui_lang: str, labels: Labels, entered: dict[str, str]) -> SearchHit:
        doc = decode(hit.fields)
        terms = hit.terms.get(doc.lang, set())
        paragraphs = doc.paragraphs
        if hit.paragraphs:  # where the query (and a chosen theme) holds; else its words are spread over several
            held = set(hit.paragraphs)
            paragraphs = tuple(p for p in paragraphs if p.n in held) or paragraphs
        n, spans = best_paragraph([(p.n, p.text) for p in paragraphs], terms, doc.lang)
        found = doc.paragraph(n)
        text, marks = window(found.text if found else "", spans)
        urls = self.urls.for_ui(ui_lang)
        address = (doc.lang, doc.operation, doc.year, doc.section)
        if doc.is_section:
            url = urls.section(*address, paragraph=n, anchor=found.anchor if found else None,
                               highlight=" ".join(sorted(terms)))
        else:
            url = urls.operation(doc.lang, doc.operation, year=doc.year)  # in its own language
        para = found if doc.is_section else None  # a key figure has no paragraph of its own to link to
        focused = bool(terms) or hit.paragraphs is not None
        return SearchHit(
            doc_id=doc.doc_id,
            kind=doc.kind,
            title=doc.title,
            operation=doc.operation,
            operation_label=labels.label("operation", doc.operation, ui_lang),
            year=doc.year,
            section=doc.section,
            section_label=labels.label("section", doc.section, ui_lang),
            lang=doc.lang,
            report=doc.report,
            themes=list(hit.themes) if hit.themes is not None else list(doc.themes),
            url=url,
            paragraph=n,
            snippet=mark(text, marks),
            score=round(hit.score, 4),
            snippet_text=text,
            marks=marks,
            entered=entered.get(doc.path),
            paragraph_id=para.id if para else None,
            anchor=para.anchor if para else None,
            permalink=self.urls.paragraph_path(*address, para.ref) if para else None,
            translated_from=doc.translated_from if doc.is_section else None,
            twin=self._twin(doc, para if focused else None, urls) if doc.is_section else None,
            focused=focused,
        )

    def _twin(self, doc: StoredDocument, found: StoredParagraph | None, urls: Urls) -> Twin | None:
        """The section's version in the other language, linked at paragraph `found`'s translation (the paragraph
        with the same identifier, or the same number in documents without them), else as a whole."""
        twin = self.twins.twin(doc.operation, doc.year, doc.section, doc.lang)
        if twin is None:
            return None
        anchor = twin.anchor_of(found) if found else None
        return Twin(twin.lang, twin.title, urls.section(twin.lang, doc.operation, doc.year, doc.section,
                                                        anchor=anchor), anchor is not None)

    def _facets(self, params: SearchParams, counts: dict[str, dict[str, int]], ui_lang: str, base: str,
                labels: Labels) -> list[Facet]:
        facets = []
        for name in FACET_FIELDS:
            found = dict(counts.get(name, {}))
            chosen = params.filters.get(name, ())
            for selected in chosen:
                found.setdefault(selected, 0)  # a selected value stays visible (and can be untoggled) at zero
            if name == "year":
                order = sorted(found, reverse=True)
            else:
                order = sorted(found, key=lambda v: (v not in chosen, -found[v], v))
            shown = order if name == "year" else order[: max(FACET_SIZE, len(chosen))]
            toggle = _Toggler(params, name, base)
            values = [FacetValue(v, labels.label(name, v, ui_lang), found[v], v in chosen, toggle.url(v))
                      for v in shown]
            if name != "year":
                values.sort(key=lambda fv: (-fv.count, fv.label.lower()))
            facets.append(Facet(name, values, more=len(order) - len(shown)))
        return facets

    def _suggest(self, page: SearchPage, query: Query, base: str) -> None:
        suggestion = self._respelled(page.params.q)
        if not suggestion:
            return
        try:
            better = self.backend.search(replace(query, text=suggestion, offset=0, limit=1, facets=(), trend=False))
        except QueryError:
            return
        if better.total > page.total:
            page.suggestion = suggestion
            page.suggestion_url = replace(page.params, q=suggestion, page=1).url(base)

    def _respelled(self, text: str) -> str | None:
        """The backend's respelling of `text`, with every word the corpus already has put back as typed.

        The speller also "corrects" a known word towards a more frequent neighbour (`état` -> `été`, `civil` ->
        `covid`), which turns a query that found something into another query: a word that finds documents on its
        own (accents folded, as searching does) is not a misspelling.
        """
        suggestion = self.backend.suggest(text)
        typed = text.split()
        if not suggestion or len(suggestion.split()) != len(typed):
            return suggestion
        words = [fixed if fixed != word.lower() and not self._known(word) else word
                 for word, fixed in zip(typed, suggestion.split(), strict=True)]
        return " ".join(words) if words != typed else None

    def _known(self, word: str) -> bool:
        try:
            return self.backend.search(Query(text=word, limit=1, trend=False)).total > 0
        except QueryError:
            return False


def _encoded(name: str, value: str) -> str:
    """`name=value` as urlencode writes it; parameters other than the query's text recur request after request and
    are encoded once."""
    return urlencode([(name, value)]) if name == "q" else _encoded_value(name, value)


@lru_cache(maxsize=8192)
def _encoded_value(name: str, value: str) -> str:
    return urlencode([(name, value)])


class _Toggler:
    """Toggle URLs of one facet's values, encoding the rest of the query string once (not once per value)."""

    def __init__(self, params: SearchParams, name: str, base: str) -> None:
        pairs = replace(params, page=1).pairs()
        self.before = [_encoded(*p) for p in pairs[: _first(pairs, name)]]
        self.after = [_encoded(*p) for p in pairs[_first(pairs, name):] if p[0] != name]
        self.current = list(params.filters.get(name, ()))
        self.name, self.base = name, base

    def url(self, value: str) -> str:
        values = [v for v in self.current if v != value] if value in self.current else [*self.current, value]
        parts = self.before + [_encoded(self.name, v) for v in values] + self.after
        return f"{self.base}?{'&'.join(parts)}" if parts else (self.base or "?")


def _first(pairs: list[tuple[str, str]], name: str) -> int:
    """Where facet `name`'s pairs stand (or would stand) in the canonical order of SearchParams.pairs()."""
    rank = {n: i for i, n in enumerate(("q", *FACET_FIELDS, "from", "to", "sort", "per_page", "page", "xlang", "ui"))}
    return next((i for i, (key, _) in enumerate(pairs) if rank[key] >= rank[name]), len(pairs))


def _text_langs(params: SearchParams) -> tuple[str, ...]:
    chosen = params.filters.get("lang")
    langs = tuple(lang for lang in ("en", "fr") if not chosen or lang in chosen)
    return langs or ("en", "fr")

