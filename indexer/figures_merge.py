"""Merging an operation's figures files into the one set of figures its page shows (`OperationFigures`).

An operation may have several `content/<operation>/<year>/figures.yaml` (one per imported page); they are merged
year by year, the newest page winning where it has a number. Nothing here turns a missing number (None) into zero.
"""

from __future__ import annotations

from collections.abc import Callable

from kb.figures_model import Budget, Figures, FiguresSource, KeyFigure, OperationFigures, PopulationTotal
from kb.model import PILLARS


def merge(operation: str, files: list[Figures]) -> OperationFigures:
    """The figures of `operation` from its valid figures files (any order)."""
    files = sorted(files, key=lambda f: f.year)
    key_figures: dict[tuple[int, str, str], KeyFigure] = {}
    totals: dict[int, int] = {}
    sources = [FiguresSource(f.year, f"{operation}/{f.year}/figures.yaml", f.source, f.source_url,
                             f.source_retrieved) for f in files]
    merged = OperationFigures(operation, sources, [], [])
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

    def pick(get: Callable[[Budget], list[float | None] | None]) -> list[float | None]:
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
