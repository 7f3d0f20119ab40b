"""The active filters of a search as removable chips, and the one "Clear all" URL.

Every parameter that narrows or reorders the results — each facet value, the year range (`from`, `to`) and a sort
other than relevance — becomes one `Chip` carrying the label to show (in the interface language) and the URL of the
same search without it. "Clear all" keeps the query text (and the page size, which is not a filter). The search page
shows them above the hits; templates only print what is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kb.engine.schema import FACET_FIELDS
from kb.labels import Labels

if TYPE_CHECKING:
    from kb.search import SearchParams

DEFAULT_SORT = "relevance"


@dataclass(frozen=True)
class Chip:
    name: str  # the URL parameter: a facet field, "from", "to" or "sort"
    value: str  # as in the URL
    label: str  # the value as shown, in the interface language (a year is itself)
    remove_url: str  # the same search without this filter, back on page 1


def active_filters(params: SearchParams, labels: Labels, ui_lang: str, base: str = "") -> list[Chip]:
    """One chip per active filter, in the canonical order of the URL's parameters."""
    chips = [Chip(name, value, labels.label(name, value, ui_lang), params.toggled(name, value).url(base))
             for name in FACET_FIELDS for value in params.filters.get(name, ())]
    if params.year_from is not None:
        chips.append(Chip("from", str(params.year_from), str(params.year_from),
                          replace(params, year_from=None, page=1).url(base)))
    if params.year_to is not None:
        chips.append(Chip("to", str(params.year_to), str(params.year_to),
                          replace(params, year_to=None, page=1).url(base)))
    if params.sort != DEFAULT_SORT:
        chips.append(Chip("sort", params.sort, labels.label("sort", params.sort, ui_lang),
                          replace(params, sort=DEFAULT_SORT, page=1).url(base)))
    return chips


def clear_all_url(params: SearchParams, base: str = "") -> str:
    """The same query text with no filter, relevance order, page 1 (the page size kept)."""
    return replace(params, filters={}, year_from=None, year_to=None, sort=DEFAULT_SORT, page=1).url(base)
