"""The backend seam: the small interfaces through which kb reaches a search engine.

Two halves, one per side of the house. `SearchBackend` is what `kb.search` (the search layer the views call) reads
through; `kb.engine.whoosh_backend.WhooshBackend` implements it over the Whoosh index in `instance/`. `IndexWriter` is
what the builder (`indexer.build`) writes one new index generation through — `add_documents` and `delete_documents` (by
source file), then `commit` or `cancel`; the generation becomes visible only when the builder swaps it in.

A distributed engine (a Typesense cluster) would implement the same calls: documents are plain dicts with the fields
of `kb.engine.schema`; a generation maps to a collection, and the swap to moving a collection alias; filters are
field -> allowed values, and facet counts field -> value -> count.

What a search answers, every part from the same result set (the query, the filters and the year range):
- filters: values of one facet are joined with OR, facets with AND; the year range applies like one more facet;
- themes are a paragraph's: a theme filter keeps documents with a paragraph tagged with a chosen theme in which the
  query holds (its words meet the theme in one paragraph); so does a query naming `theme:`;
- facet counts are disjunctive: a value's count is the number of results with that value under every other active
  filter, the facet's own selection left out; for a facet with nothing chosen, it is the total that choosing the
  value gives. The theme facet counts a document under the themes of the paragraphs where the query holds;
- `per_year`: per year, the results that are sections (key figures left out), and the sections that every filter but
  the query and the themes selects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kb.engine.expansion import Expansion


def N_(message: str) -> str:
    """Marks a message for translation without translating it here (the views translate; see MessageError)."""
    return message


class MessageError(ValueError):
    """An error whose message a view can show in the interface language: a gettext template and its values."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


class QueryError(MessageError):
    """The query text could not be read; the message says why, in words a researcher understands."""


@dataclass(frozen=True)
class Query:
    """What the search layer asks of a backend."""

    text: str = ""
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)  # facet field -> OR-ed values
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"  # relevance | newest | oldest
    offset: int = 0
    limit: int = 10
    facets: Sequence[str] = ()
    langs_for_text: Sequence[str] = ("en", "fr")
    xlang: bool = True  # search the glossary's equivalents in the other language too (kb.engine.expansion)
    trend: bool = True  # answer per_year too (a search that shows no chart need not count it)


@dataclass
class Hit:
    """One matching document, with the query's terms per language for highlighting."""

    fields: dict[str, Any]
    score: float
    terms: dict[str, set[str]]  # lang -> analysed query terms that this document can match
    paragraphs: list[int] | None = None  # numbers of the paragraphs where the query (and chosen themes) hold; None: all
    themes: list[str] | None = None  # the themes of those paragraphs; None: the document's


@dataclass
class Result:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]  # field -> value -> count (disjunctive: without that field's own filter)
    generation: str
    per_year: dict[int, tuple[int, int]] = field(default_factory=dict)  # year -> (matching sections, all selected)
    timed_out: bool = False
    expansion: Expansion = field(default_factory=Expansion)  # the glossary's matches in the query, and if applied


class IndexWriter(Protocol):
    """Writes one new generation of the index; nothing is visible to readers until the builder swaps it in."""

    def add_documents(self, documents: Iterable[dict[str, Any]]) -> None: ...

    def delete_documents(self, paths: Iterable[str]) -> None:
        """Remove every document that came from these content files (relative paths)."""

    def commit(self) -> None: ...

    def cancel(self) -> None: ...


class SearchBackend(Protocol):
    """What every engine behind kb answers searches with."""

    def search(self, query: Query) -> Result: ...

    def get(self, doc_id: str) -> dict[str, Any] | None: ...

    def suggest(self, text: str) -> str | None: ...

    def generation(self) -> str: ...

    def documents(self, **terms: str) -> list[dict[str, Any]]: ...

    def site(self) -> dict[str, Any]:
        """The site data of the generation being served (what kb.engine.site.read_site gives): figures, operation
        names, theme labels. Opaque to the engine; the same object until a new generation is served. Raises
        kb.engine.site.SiteMissing when the generation has none."""

    def outlines(self) -> Iterator[tuple[str, str, str, tuple[str | None, ...]]]:
        """Every section served as (doc_id, lang, title, paragraph identifiers): for the hits' links to their twins
        (kb.twins), read once at start. An engine that cannot list them cheaply lists none."""
        ...
