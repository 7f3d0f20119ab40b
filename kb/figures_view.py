"""figures.yaml -> what the operation page shows: key figures, charts with their tables, downloads, in EN or FR.

An operation may have several `content/<operation>/<year>/figures.yaml` (one per imported page); they are merged
year by year, the newest page winning where it has a number (`merge`). Nothing here turns a missing number (None)
into zero: charts draw it as missing, tables leave the cell empty ("—"), CSV leaves the field empty, JSON has null.

Labels come from `TEXT` (the page's language, not the interface language), population types and pillars from
`kb.model` through `kb.labels.Labels`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.dates import format_date
from markupsafe import Markup

from indexer.figures import Budget, Contributions, Figures, KeyFigure, PopulationCount, PopulationTotal, load_figures
from kb.charts import BarChart, Series, format_number, format_percent, format_signed, horizontal_bars, vertical_bars
from kb.labels import Labels
from kb.model import PILLARS

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "{operation}: reports and figures", "reports": "Reports by year", "key_figures": "Key figures",
        "year-end": "{year} year-end results", "plan": "{year} planning figures",
        "people": "People of concern", "people_chart": "People of concern by year",
        "types_chart": "People of concern by population type, {year}", "budget_title": "Budget and expenditure",
        "budget_chart": "Budget and expenditure by year (USD millions)",
        "pillar_chart": "{pillar}: budget and expenditure (USD millions)", "by_pillar": "By pillar",
        "budget": "Budget", "expenditure": "Expenditure", "spent": "Expenditure as share of budget",
        "year": "Year", "total": "People of concern", "change": "Change from the previous year",
        "type": "Population type", "count": "People", "share": "Share of the total", "missing": "n/a",
        "missing_long": "not available", "increase": "Increase in {year}", "decrease": "Decrease in {year}",
        "contributions": "Latest contributions", "date": "Date", "donors": "Donors",
        "contributions_note": "Read from the page text on a best-effort basis: the grouping of dates and donors may "
                              "be wrong.",
        "downloads": "Downloads", "json": "All figures (JSON)", "csv": "CSV",
        "source_text": "Source: UNHCR Global Focus operation page, imported from",
        "other_lang": "Version française", "in_other_lang": "in French",
        "same_scale": "The four pillar charts share one scale.", "table_note": "Values are in the table.",
        "desc_people": "Columns: the number of people of concern at the end of each year.",
        "desc_types": "Bars: people of concern by population type at the end of {year}.",
        "desc_budget": "Columns: budget (light, outlined) and expenditure (dark) of each year, in USD millions.",
        "desc_pillar": "Bars: {pillar}, budget (light, outlined) and expenditure (dark) by year, in USD millions.",
        "desc_trend": "Columns: how many sections match the search in each year (key figures are not counted), with "
                      "their share of that year's sections within the other filters.",
        "trend_chart": "Matching sections by year", "matching": "Matching sections", "all_sections": "All sections",
        "year_share": "Share of the year's sections",
        "no_figures": "No figures for this operation.", "search_operation": "Search this operation",
    },
    "fr": {
        "title": "{operation} : rapports et chiffres", "reports": "Rapports par année", "key_figures": "Chiffres clés",
        "year-end": "Résultats de fin d'année {year}", "plan": "Chiffres de planification {year}",
        "people": "Personnes relevant de la compétence du HCR",
        "people_chart": "Personnes relevant de la compétence du HCR, par année",
        "types_chart": "Personnes relevant de la compétence du HCR par type de population, {year}",
        "budget_title": "Budget et dépenses", "budget_chart": "Budget et dépenses par année (millions USD)",
        "pillar_chart": "{pillar} : budget et dépenses (millions USD)", "by_pillar": "Par pilier",
        "budget": "Budget", "expenditure": "Dépenses", "spent": "Dépenses en part du budget",
        "year": "Année", "total": "Personnes relevant de la compétence du HCR",
        "change": "Variation par rapport à l'année précédente", "type": "Type de population", "count": "Personnes",
        "share": "Part du total", "missing": "n.d.", "missing_long": "non disponible",
        "increase": "Hausse en {year}", "decrease": "Baisse en {year}",
        "contributions": "Dernières contributions", "date": "Date", "donors": "Donateurs",
        "contributions_note": "Lu au mieux dans le texte de la page : le regroupement des dates et des donateurs "
                              "peut être erroné.",
        "downloads": "Téléchargements", "json": "Tous les chiffres (JSON)", "csv": "CSV",
        "source_text": "Source : page d'opération Global Focus du HCR, importée de",
        "other_lang": "English version", "in_other_lang": "en anglais",
        "same_scale": "Les quatre graphiques par pilier partagent la même échelle.",
        "table_note": "Les valeurs figurent dans le tableau.",
        "desc_people": "Colonnes : nombre de personnes relevant de la compétence du HCR à la fin de chaque année.",
        "desc_types": "Barres : personnes relevant de la compétence du HCR par type de population à la fin de {year}.",
        "desc_budget": "Colonnes : budget (clair, bordé) et dépenses (foncé) de chaque année, en millions USD.",
        "desc_pillar": "Barres : {pillar}, budget (clair, bordé) et dépenses (foncé) par année, en millions USD.",
        "desc_trend": "Colonnes : nombre de sections correspondant à la recherche pour chaque année (les chiffres "
                      "clés ne sont pas comptés), et leur part des sections de l'année retenues par les autres "
                      "filtres.",
        "trend_chart": "Sections correspondantes par année", "matching": "Sections correspondantes",
        "all_sections": "Toutes les sections", "year_share": "Part des sections de l'année",
        "no_figures": "Aucun chiffre pour cette opération.",
        "search_operation": "Rechercher dans cette opération",
    },
}
MONEY_DECIMALS = 2  # in tables; charts label with one decimal


def t(key: str, lang: str, **values: object) -> str:
    """A label of the operation page in `lang` (en or fr), with `{placeholders}` filled."""
    text = TEXT["fr" if lang == "fr" else "en"][key]
    return text.format(**values) if values else text


# ------------------------------------------------------------------------------------------- loading + merging


@dataclass
class Merged:
    """All figures of one operation, merged over its figures files (language-independent)."""

    operation: str
    files: list[Figures]  # oldest page first
    key_figures: list[KeyFigure]
    totals: list[PopulationTotal]  # oldest year first
    change: str | None = None
    change_percent: float | None = None
    breakdown: list[PopulationCount] = field(default_factory=list)
    breakdown_year: int | None = None
    budget: Budget | None = None
    contributions: Contributions | None = None

    @property
    def years(self) -> list[int]:
        """The years that have key figures, or the years of the pages: each gets a `#figures-<year>` anchor."""
        return sorted({kf.year for kf in self.key_figures} | {f.year for f in self.files})


_CACHE: dict[Path, tuple[tuple[int, int], Figures | None]] = {}
_CACHE_LOCK = threading.Lock()


def figures_files(content: Path, operation: str) -> list[Path]:
    folder = content / operation
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*/figures.yaml") if p.parent.name.isdigit())


def _load(path: Path, operation: str) -> Figures | None:
    """One figures file, parsed again only when it changed on disk; None when it has problems (kb check says why)."""
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _CACHE_LOCK:
        cached = _CACHE.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    figures, _problems = load_figures(path, operation=operation, year=int(path.parent.name))
    with _CACHE_LOCK:
        _CACHE[path] = (stamp, figures)
    return figures


def load_operation(content: Path, operation: str) -> Merged | None:
    files = [f for f in (_load(p, operation) for p in figures_files(content, operation)) if f is not None]
    return merge(operation, files) if files else None


def merge(operation: str, files: list[Figures]) -> Merged:
    files = sorted(files, key=lambda f: f.year)
    key_figures: dict[tuple[int, str, str], KeyFigure] = {}
    totals: dict[int, int] = {}
    merged = Merged(operation, files, [], [])
    for fig in files:  # newer pages overwrite older ones
        key_figures.update({(kf.year, kf.kind, kf.text.get("en", "")): kf for kf in fig.key_figures})
        people = fig.people_of_concern
        if people is not None:
            totals.update({t.year: t.total for t in people.totals})
            merged.change, merged.change_percent = people.change, people.change_percent
            if people.breakdown and people.totals:
                merged.breakdown, merged.breakdown_year = people.breakdown, people.totals[0].year
        merged.contributions = fig.contributions or merged.contributions
    merged.key_figures = list(key_figures.values())
    merged.totals = [PopulationTotal(year, totals[year]) for year in sorted(totals)]
    merged.budget = merge_budgets([f.budget for f in files if f.budget is not None])
    return merged


def merge_budgets(budgets: list[Budget]) -> Budget | None:
    """Year by year, the newest page that has a number for it wins; a year nobody has a number for stays None."""
    if not budgets:
        return None
    years = sorted({y for b in budgets for y in b.years})

    def pick(get: Any) -> list[float | None]:
        out: list[float | None] = []
        for year in years:
            found = [get(b)[b.years.index(year)] for b in budgets if year in b.years and get(b) is not None]
            out.append(next((v for v in reversed(found) if v is not None), None))
        return out

    pillars = [p for p in PILLARS if any(p in b.budget_by_pillar or p in b.expenditure_by_pillar for b in budgets)]
    return Budget(
        budgets[-1].unit, years, pick(lambda b: b.budget), pick(lambda b: b.expenditure),
        {p: pick(lambda b, p=p: b.budget_by_pillar.get(p)) for p in pillars},
        {p: pick(lambda b, p=p: b.expenditure_by_pillar.get(p)) for p in pillars},
    )


# ------------------------------------------------------------------------------------------- tables and charts


@dataclass
class Cell:
    text: str
    value: Any = None  # the raw value, written to data-value
    missing: bool = False


@dataclass
class Table:
    caption: str
    head: list[str]
    rows: list[list[Cell]]  # the first cell of a row is its header


@dataclass
class Chart:
    id: str
    title: str
    svg: Markup
    table: Table
    csv: str | None = None  # the dataset offered as CSV next to it


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


def people_chart(merged: Merged, lang: str) -> Chart | None:
    if not merged.totals:
        return None
    years = [str(p.year) for p in merged.totals]
    title = t("people_chart", lang)
    rows, previous = [], None
    for point in merged.totals:
        change = change_of(previous, point.total)
        text = f"{format_signed(change[0], lang)} ({format_percent(change[1], lang, 1, signed=True)})" if change else ""
        rows.append([Cell(str(point.year), point.year), count_cell(point.total, lang),
                     Cell(text, change[0] if change else None, missing=change is None)])
        previous = point.total
    series = [Series("total", t("total", lang), [p.total for p in merged.totals])]
    desc = f"{t('desc_people', lang)} {summary(years, series, lang, 0)}"
    svg = vertical_bars(BarChart("chart-people", title, desc, years, series, lang, missing=t("missing", lang)),
                        height=260)
    table = Table(title, [t("year", lang), t("total", lang), t("change", lang)], rows)
    return Chart("people-of-concern", title, svg, table, "people-of-concern")


def types_chart(merged: Merged, lang: str, labels: Labels) -> Chart | None:
    if not merged.breakdown:
        return None
    title = t("types_chart", lang, year=merged.breakdown_year)
    names = [labels.population(p.type, lang) for p in merged.breakdown]
    total = sum(p.count for p in merged.breakdown)
    series = [Series("count", t("count", lang), [p.count for p in merged.breakdown])]
    desc = f"{t('desc_types', lang, year=merged.breakdown_year)} {summary(names, series, lang, 0)}"
    chart = BarChart("chart-population-types", title, desc, names, series, lang, missing=t("missing", lang),
                     keys=[p.type for p in merged.breakdown])
    rows = [[Cell(name, p.type), count_cell(p.count, lang),
             Cell(format_percent(p.count / total * 100, lang, 1), p.count / total if total else None)]
            for name, p in zip(names, merged.breakdown, strict=True)]
    table = Table(title, [t("type", lang), t("count", lang), t("share", lang)], rows)
    return Chart("population-types", title, horizontal_bars(chart), table, "population-types")


def budget_chart(budget: Budget, lang: str) -> Chart:
    title = t("budget_chart", lang)
    years = [str(y) for y in budget.years]
    series = [Series("budget", t("budget", lang), budget.budget),
              Series("expenditure", t("expenditure", lang), budget.expenditure)]
    desc = f"{t('desc_budget', lang)} {summary(years, series, lang, 1)}"
    svg = vertical_bars(BarChart("chart-budget", title, desc, years, series, lang, 1, t("missing", lang)))
    rows = []
    for year, plan, spent in zip(budget.years, budget.budget, budget.expenditure, strict=True):
        share = spent / plan * 100 if plan and spent is not None else None
        rows.append([Cell(str(year), year), money(plan, lang), money(spent, lang),
                     Cell(format_percent(share, lang) if share is not None else "", share, missing=share is None)])
    table = Table(title, [t("year", lang), t("budget", lang), t("expenditure", lang), t("spent", lang)], rows)
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
        title = t("pillar_chart", lang, pillar=name)
        plan = budget.budget_by_pillar.get(pillar) or [None] * len(years)
        spent = budget.expenditure_by_pillar.get(pillar) or [None] * len(years)
        series = [Series("budget", t("budget", lang), plan), Series("expenditure", t("expenditure", lang), spent)]
        desc = f"{t('desc_pillar', lang, pillar=name)} {summary(years, series, lang, 1)}"
        chart = BarChart(f"chart-pillar-{pillar}", title, desc, years, series, lang, 1, t("missing", lang), top)
        rows = [[Cell(year, int(year)), money(b, lang), money(e, lang)] for year, b, e in zip(years, plan, spent,
                                                                                               strict=True)]
        table = Table(title, [t("year", lang), t("budget", lang), t("expenditure", lang)], rows)
        charts.append(Chart(f"pillar-{pillar}", title, horizontal_bars(chart, width=560, bar_h=17), table,
                            "budget-by-pillar"))
    return charts


def summary(categories: list[str], series: list[Series], lang: str, decimals: int) -> str:
    """Every value in words, for the chart's <desc>: `2020: Budget 47.6, Expenditure 29.5; 2021: …, n/a`."""
    def shown(value: float | None) -> str:
        return t("missing_long", lang) if value is None else format_number(value, lang, decimals)

    parts = [f"{category}: {', '.join(f'{s.label} {shown(s.values[i])}' for s in series)}"
             for i, category in enumerate(categories)]
    return "; ".join(parts) + "."


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
    contributions: list[tuple[str, str, list[str]]]  # (ISO date, date in words, donors)
    contributions_note: str | None
    sources: list[tuple[str, str]]  # (figures file, page file)


def key_figure_years(merged: Merged, lang: str) -> list[KeyFigureYear]:
    out = []
    for year in merged.years:
        groups = []
        for kind in ("year-end", "plan"):
            items = [(key_value(kf, lang), kf.text.get(lang) or kf.text.get("en", ""), kf.value)
                     for kf in merged.key_figures
                     if kf.year == year and kf.kind == kind]
            if items:
                groups.append(KeyFigureGroup(kind, t(kind, lang, year=year), items))
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


def figures_page(merged: Merged, lang: str, labels: Labels) -> FiguresPage:
    people = [c for c in (people_chart(merged, lang), types_chart(merged, lang, labels)) if c is not None]
    latest = merged.totals[-1].year if merged.totals else None
    change_line = t(merged.change, lang, year=latest) if merged.change and latest else ""
    if change_line and merged.change_percent is not None:
        change_line += f" ({format_percent(merged.change_percent, lang)})"
    budget = merged.budget
    items = merged.contributions.items if merged.contributions else []
    return FiguresPage(
        lang=lang,
        key_figures=key_figure_years(merged, lang),
        people=people,
        change_line=change_line,
        budget=budget_chart(budget, lang) if budget else None,
        pillars=pillar_charts(budget, lang, labels) if budget else [],
        contributions=[(c.date, long_date(c.date, lang), c.donors) for c in items],
        contributions_note=merged.contributions.note if merged.contributions else None,
        sources=[(f"{merged.operation}/{f.year}/figures.yaml", f.source) for f in merged.files],
    )


def long_date(iso: str, lang: str) -> str:
    return format_date(dt.date.fromisoformat(iso), format="long", locale="fr" if lang == "fr" else "en")


# ------------------------------------------------------------------------------------------- downloads

DATASETS = ("key-figures", "people-of-concern", "population-types", "budget", "budget-by-pillar")


def dataset(merged: Merged, name: str, lang: str, labels: Labels) -> tuple[list[str], list[list[Any]]] | None:
    """One CSV: column names (stable, English) and rows of raw values; None for an unknown name."""
    budget = merged.budget
    if name == "key-figures":
        return ["year", "kind", "value", "unit", "display", "text"], [
            [kf.year, kf.kind, kf.value, kf.unit, kf.display, kf.text.get(lang, "")] for kf in merged.key_figures]
    if name == "people-of-concern":
        rows, previous = [], None
        for point in merged.totals:
            change = change_of(previous, point.total)
            rows.append([point.year, point.total, change[0] if change else None,
                         round(change[1], 2) if change else None])
            previous = point.total
        return ["year", "total", "change", "change_percent"], rows
    if name == "population-types":
        return ["year", "type", "label", "count"], [
            [merged.breakdown_year, p.type, labels.population(p.type, lang), p.count] for p in merged.breakdown]
    if name == "budget":
        rows = list(zip(budget.years, budget.budget, budget.expenditure, strict=True)) if budget else []
        return ["year", "budget_usd_millions", "expenditure_usd_millions"], [list(r) for r in rows]
    if name == "budget-by-pillar":
        rows = []
        for pillar in (budget.budget_by_pillar if budget else {}):
            plan, spent = budget.budget_by_pillar[pillar], budget.expenditure_by_pillar.get(pillar)
            for i, year in enumerate(budget.years):
                rows.append([year, pillar, labels.pillar(pillar, lang), plan[i], spent[i] if spent else None])
        return ["year", "pillar", "label", "budget_usd_millions", "expenditure_usd_millions"], rows
    return None


def to_csv(columns: list[str], rows: list[list[Any]]) -> str:
    """RFC 4180 CSV; None is an empty field (missing, not zero); floats as Python writes them (exact)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([["" if v is None else repr(v) if isinstance(v, float) else v for v in row] for row in rows])
    return out.getvalue()


def figures_json(merged: Merged, lang: str, labels: Labels, base: str) -> dict[str, Any]:
    """Everything the page charts, as data: numbers exactly as in figures.yaml, null where missing."""
    budget = merged.budget
    return {
        "operation": merged.operation,
        "label": labels.label("operation", merged.operation, lang),
        "lang": lang,
        "sources": [{"file": file, "source": source} for file, source in
                    [(f"{merged.operation}/{f.year}/figures.yaml", f.source) for f in merged.files]],
        "key_figures": [{"year": kf.year, "kind": kf.kind, "value": kf.value, "unit": kf.unit, "display": kf.display,
                         "text": kf.text.get(lang, "")} for kf in merged.key_figures],
        "people_of_concern": {
            "change": merged.change, "change_percent": merged.change_percent,
            "totals": [{"year": p.year, "total": p.total} for p in merged.totals],
            "breakdown_year": merged.breakdown_year,
            "breakdown": [{"type": p.type, "label": labels.population(p.type, lang), "count": p.count}
                          for p in merged.breakdown],
        },
        "budget": None if budget is None else {
            "unit": budget.unit, "years": budget.years, "budget": budget.budget, "expenditure": budget.expenditure,
            "by_pillar": {p: {"label": labels.pillar(p, lang), "budget": budget.budget_by_pillar.get(p),
                              "expenditure": budget.expenditure_by_pillar.get(p)} for p in budget.budget_by_pillar},
        },
        "contributions": None if merged.contributions is None else {
            "note": merged.contributions.note,
            "items": [{"date": c.date, "donors": c.donors} for c in merged.contributions.items],
        },
        "downloads": {name: f"{base}/figures/{name}.csv" for name in DATASETS},
    }


# ------------------------------------------------------------------------------------------- search trend


def trend_chart(points: list[Any], lang: str) -> Chart:
    """The search page's trend: matching sections per year, labelled with their share of the year's sections."""
    years = [str(p.year) for p in points]
    title = t("trend_chart", lang)
    shares = [f" ({format_percent(p.share * 100, lang)})" for p in points]
    series = [Series("count", t("matching", lang), [p.count for p in points])]
    desc = f"{t('desc_trend', lang)} " + "; ".join(
        f"{p.year}: {p.count} / {p.total}{share}" for p, share in zip(points, shares, strict=True)) + "."
    chart = BarChart("chart-trend", title, desc, years, series, lang, missing=t("missing", lang),
                     value_suffixes=shares, whole_numbers=True)
    rows = [[Cell(str(p.year), p.year), Cell(format_number(p.count, lang), p.count),
             Cell(format_number(p.total, lang), p.total), Cell(format_percent(p.share * 100, lang, 1), p.share)]
            for p in points]
    table = Table(title, [t("year", lang), t("matching", lang), t("all_sections", lang), t("year_share", lang)], rows)
    return Chart("trend", title, vertical_bars(chart, width=560, height=200), table)
