"""An operation's figures -> what its page shows: key figures by year, charts with their data tables, contributions.

Drawn from `kb.figures_model.OperationFigures` (the generation's site data). Labels are gettext messages: call these
inside `flask_babel.force_locale(lang)`, so they come in the page's language; `lang` writes the numbers. Nothing here
turns a missing number (None) into zero: charts draw it as missing, tables leave the cell empty ("—").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_date
from flask_babel import gettext as _

from kb.charts import (
    BarChart,
    Cell,
    Chart,
    Series,
    Table,
    format_number,
    format_percent,
    format_signed,
    horizontal_bars,
    vertical_bars,
)
from kb.donors import Donor, donor_name
from kb.figures_model import Budget, KeyFigure, OperationFigures
from kb.labels import Labels
from kb.model import PILLARS

MONEY_DECIMALS = 2  # in tables; charts label with one decimal


def money(value: float | None, lang: str, decimals: int = MONEY_DECIMALS) -> Cell:
    if value is None:
        return Cell("", None, missing=True)
    return Cell(format_number(value, lang, decimals), value)


def count_cell(value: int | None, lang: str) -> Cell:
    return Cell("", None, True) if value is None else Cell(format_number(value, lang), value)


def change_of(previous: int | None, current: int) -> tuple[int, float] | None:
    """(difference, percent) from the previous total, or None for the first year or a zero base."""
    if not previous:
        return None
    return current - previous, (current - previous) / previous * 100


def summary(categories: list[str], series: list[Series], lang: str, decimals: int) -> str:
    """Every value in words, for the chart's <desc>: `2020: Budget 47.6, Expenditure 29.5; 2021: …, not available`."""
    def shown(value: float | None) -> str:
        return _("not available") if value is None else format_number(value, lang, decimals)

    parts = [f"{category}: {', '.join(f'{s.label} {shown(s.values[i])}' for s in series)}"
             for i, category in enumerate(categories)]
    return "; ".join(parts) + "."


# ------------------------------------------------------------------------------------------- the charts


def people_chart(figures: OperationFigures, lang: str) -> Chart | None:
    if not figures.totals:
        return None
    years = [str(p.year) for p in figures.totals]
    title = _("People of concern by year")
    rows, previous = [], None
    for point in figures.totals:
        change = change_of(previous, point.total)
        text = f"{format_signed(change[0], lang)} ({format_percent(change[1], lang, 1, signed=True)})" if change else ""
        rows.append([Cell(str(point.year), point.year), count_cell(point.total, lang),
                     Cell(text, change[0] if change else None, missing=change is None)])
        previous = point.total
    series = [Series("total", _("People of concern"), [p.total for p in figures.totals])]
    intro = _("Columns: the number of people of concern at the end of each year.")
    desc = f"{intro} {summary(years, series, lang, 0)}"
    svg = vertical_bars(BarChart("chart-people", title, desc, years, series, lang, missing=_("n/a")), height=260)
    table = Table(title, [_("Year"), _("People of concern"), _("Change from the previous year")], rows)
    return Chart("people-of-concern", title, svg, table, "people-of-concern")


def types_chart(figures: OperationFigures, lang: str, labels: Labels) -> Chart | None:
    if not figures.breakdown:
        return None
    year = figures.breakdown_year
    title = _("People of concern by population type, %(year)s", year=year)
    names = [labels.population(p.type, lang) for p in figures.breakdown]
    total = sum(p.count for p in figures.breakdown)
    series = [Series("count", _("People"), [p.count for p in figures.breakdown])]
    intro = _("Bars: people of concern by population type at the end of %(year)s.", year=year)
    desc = f"{intro} {summary(names, series, lang, 0)}"
    chart = BarChart("chart-population-types", title, desc, names, series, lang, missing=_("n/a"),
                     keys=[p.type for p in figures.breakdown])
    rows = [[Cell(name, p.type), count_cell(p.count, lang),
             Cell(format_percent(p.count / total * 100, lang, 1), p.count / total if total else None)]
            for name, p in zip(names, figures.breakdown, strict=True)]
    table = Table(title, [_("Population type"), _("People"), _("Share of the total")], rows)
    return Chart("population-types", title, horizontal_bars(chart), table, "population-types")


def budget_chart(budget: Budget, lang: str) -> Chart:
    title = _("Budget and expenditure by year (USD millions)")
    years = [str(y) for y in budget.years]
    series = [Series("budget", _("Budget"), budget.budget), Series("expenditure", _("Expenditure"), budget.expenditure)]
    intro = _("Columns: budget (light, outlined) and expenditure (dark) of each year, in USD millions.")
    desc = f"{intro} {summary(years, series, lang, 1)}"
    svg = vertical_bars(BarChart("chart-budget", title, desc, years, series, lang, 1, _("n/a")))
    rows = []
    for year, plan, spent in zip(budget.years, budget.budget, budget.expenditure, strict=True):
        share = spent / plan * 100 if plan and spent is not None else None
        rows.append([Cell(str(year), year), money(plan, lang), money(spent, lang),
                     Cell(format_percent(share, lang) if share is not None else "", share, missing=share is None)])
    table = Table(title, [_("Year"), _("Budget"), _("Expenditure"), _("Expenditure as share of budget")], rows)
    return Chart("budget", title, svg, table, "budget")


def pillar_charts(budget: Budget, lang: str, labels: Labels) -> list[Chart]:
    """Small multiples: one chart per pillar, budget against expenditure by year, all on one scale."""
    pillars = [p for p in PILLARS if p in budget.budget_by_pillar or p in budget.expenditure_by_pillar]
    values = [v for p in pillars for v in budget.budget_by_pillar.get(p, []) + budget.expenditure_by_pillar.get(p, [])]
    top = max([v for v in values if v is not None] + [0.0])
    years = [str(y) for y in budget.years]
    charts = []
    for pillar in pillars:
        name = labels.pillar(pillar, lang)
        title = _("%(pillar)s: budget and expenditure (USD millions)", pillar=name)
        plan = budget.budget_by_pillar.get(pillar) or [None] * len(years)
        spent = budget.expenditure_by_pillar.get(pillar) or [None] * len(years)
        series = [Series("budget", _("Budget"), plan), Series("expenditure", _("Expenditure"), spent)]
        intro = _("Bars: %(pillar)s, budget (light, outlined) and expenditure (dark) by year, in USD millions.",
                  pillar=name)
        desc = f"{intro} {summary(years, series, lang, 1)}"
        chart = BarChart(f"chart-pillar-{pillar}", title, desc, years, series, lang, 1, _("n/a"), top)
        rows = [[Cell(year, int(year)), money(b, lang), money(e, lang)]
                for year, b, e in zip(years, plan, spent, strict=True)]
        table = Table(title, [_("Year"), _("Budget"), _("Expenditure")], rows)
        charts.append(Chart(f"pillar-{pillar}", title, horizontal_bars(chart, width=560, bar_h=17), table,
                            "budget-by-pillar"))
    return charts


# ------------------------------------------------------------------------------------------- the page


@dataclass
class KeyFigureGroup:
    kind: str
    heading: str
    items: list[tuple[str, str, float]]  # (number in the page's language, text in the page's language, value)


@dataclass
class KeyFigureYear:
    year: int
    groups: list[KeyFigureGroup]

    @property
    def anchor(self) -> str:
        return f"figures-{self.year}"


@dataclass
class FiguresPage:
    lang: str
    key_figures: list[KeyFigureYear]
    people: list[Chart]
    change_line: str
    budget: Chart | None
    pillars: list[Chart]
    contributions: list[tuple[str, str, list[Donor]]]  # (ISO date, date in words, donors in the page's language)
    contributions_note: str | None
    sources: list[tuple[str, str, str | None, str | None]]  # (figures file, page file, its address, date read)


def report_heading(kind: str, year: int) -> str:
    if kind == "plan":
        return _("%(year)s planning figures", year=year)
    return _("%(year)s year-end results", year=year)


def key_figure_years(figures: OperationFigures, lang: str) -> list[KeyFigureYear]:
    out = []
    for year in figures.years:
        groups = []
        for kind in ("year-end", "plan"):
            items = [(key_value(kf, lang), kf.text.get(lang) or kf.text.get("en", ""), kf.value)
                     for kf in figures.key_figures
                     if kf.year == year and kf.kind == kind]
            if items:
                groups.append(KeyFigureGroup(kind, report_heading(kind, year), items))
        out.append(KeyFigureYear(year, groups))
    return out


def key_value(kf: KeyFigure, lang: str) -> str:
    """A key figure's number written in `lang` (`4,265` / `4 265`, `100%` / `100 %`); English keeps the page's."""
    if lang == "en":
        return kf.display
    decimals = 0 if float(kf.value).is_integer() else min(2, len(repr(float(kf.value)).split(".")[1]))
    if kf.unit == "percent":
        return format_percent(kf.value, lang, decimals)
    return format_number(kf.value, lang, decimals)


def change_line(figures: OperationFigures, lang: str) -> str:
    """`Increase in 2020 (6%)`, or "" when the page gives no direction of change."""
    latest = figures.totals[-1].year if figures.totals else None
    if not latest or figures.change not in ("increase", "decrease"):
        return ""
    if figures.change == "increase":
        line = _("Increase in %(year)s", year=latest)
    else:
        line = _("Decrease in %(year)s", year=latest)
    if figures.change_percent is not None:
        line += f" ({format_percent(figures.change_percent, lang)})"
    return line


def figures_page(figures: OperationFigures, lang: str, labels: Labels) -> FiguresPage:
    people = [c for c in (people_chart(figures, lang), types_chart(figures, lang, labels)) if c is not None]
    budget = figures.budget
    items = figures.contributions.items if figures.contributions else []
    return FiguresPage(
        lang=lang,
        key_figures=key_figure_years(figures, lang),
        people=people,
        change_line=change_line(figures, lang),
        budget=budget_chart(budget, lang) if budget else None,
        pillars=pillar_charts(budget, lang, labels) if budget else [],
        contributions=[(c.date, long_date(c.date, lang), [donor_name(d, lang) for d in c.donors]) for c in items],
        contributions_note=figures.contributions.note if figures.contributions else None,
        sources=[(s.file, s.source, s.url, long_date(s.retrieved, lang) if s.retrieved else None)
                 for s in figures.sources],
    )


def long_date(iso: str, lang: str) -> str:
    """`October 1, 2021`; in French `15 octobre 2021` but `1er octobre 2021` (the first of a month is an ordinal)."""
    day = dt.date.fromisoformat(iso)
    if lang == "fr":
        return format_date(day, format="d'er' MMMM y" if day.day == 1 else "d MMMM y", locale="fr")
    return format_date(day, format="long", locale="en")
