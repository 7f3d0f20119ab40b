"""The search page's trend chart: how many sections match the search in each year, with their share of that year's.

Drawn from `SearchPage.trend` (kb.search) in the interface language (gettext); templates/_trend.html shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from kb.charts import BarChart, Cell, Chart, Series, Table, format_number, format_percent, vertical_bars


def trend_chart(points: Sequence[Any], lang: str) -> Chart:
    """Matching sections per year (`TrendPoint`s: year, count, total, share), each labelled with its share."""
    years = [str(p.year) for p in points]
    title = _("Matching sections by year")
    shares = [f" ({format_percent(p.share * 100, lang)})" for p in points]
    series = [Series("count", _("Matching sections"), [p.count for p in points])]
    intro = _("Columns: how many sections match the search in each year (key figures are not counted), with their "
              "share of that year's sections within the other filters.")
    desc = f"{intro} " + "; ".join(
        f"{p.year}: {p.count} / {p.total}{share}" for p, share in zip(points, shares, strict=True)) + "."
    chart = BarChart("chart-trend", title, desc, years, series, lang, missing=_("n/a"), value_suffixes=shares,
                     whole_numbers=True)
    rows = [[Cell(str(p.year), p.year), Cell(format_number(p.count, lang), p.count),
             Cell(format_number(p.total, lang), p.total), Cell(format_percent(p.share * 100, lang, 1), p.share)]
            for p in points]
    head = [_("Year"), _("Matching sections"), _("All sections"), _("Share of the year's sections")]
    return Chart("trend", title, vertical_bars(chart, width=560, height=200), Table(title, head, rows))
