"""The records of an operation's figures: one figures.yaml (`Figures`) and all of them merged (`OperationFigures`).

Shared by both sides: indexer.figures parses and validates a file into these, indexer.figures_merge merges an
operation's files, the generation carries the merge as JSON (`to_dict`/`from_dict`), and the operation page draws
from it. Nulls stay None: a missing number is missing, never zero.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DATASETS = ("key-figures", "people-of-concern", "population-types", "budget", "budget-by-pillar")  # CSV tables

Number = int | float


@dataclass
class KeyFigure:
    year: int
    kind: str  # "year-end" or "plan"
    value: Number
    unit: str | None  # None or "percent"
    display: str  # as written on the page
    text: dict[str, str]  # lang -> text, for the languages it is written in (at least one)


@dataclass
class PopulationTotal:
    year: int
    total: int


@dataclass
class PopulationCount:
    type: str  # a slug of POPULATION_TYPES
    count: int


@dataclass
class PeopleOfConcern:
    change: str | None  # "increase", "decrease" or None
    change_percent: Number | None
    totals: list[PopulationTotal]  # newest first
    breakdown: list[PopulationCount]  # for the newest total's year; [] when the page has none


@dataclass
class Budget:
    """USD millions by year; every list has one value per year, None where the page has no number."""

    unit: str
    years: list[int]
    budget: list[float | None]
    expenditure: list[float | None]
    budget_by_pillar: dict[str, list[float | None]] = field(default_factory=dict)  # pillar slug (p1..p4) -> values
    expenditure_by_pillar: dict[str, list[float | None]] = field(default_factory=dict)


@dataclass
class Contribution:
    date: str  # ISO date, YYYY-MM-DD
    donors: list[str]


@dataclass
class Contributions:
    note: str | None
    items: list[Contribution]


@dataclass
class Figures:
    """One valid `content/<operation>/<year>/figures.yaml`."""

    path: Path
    operation: str
    year: int
    source: str
    key_figures: list[KeyFigure]
    people_of_concern: PeopleOfConcern | None
    budget: Budget | None
    contributions: Contributions | None
    source_url: str | None = None  # the page's public address
    source_retrieved: str | None = None  # the date it was read (ISO)


@dataclass
class FiguresSource:
    """One figures file an operation's figures were merged from, the page text it was imported from, and that page's
    public address and the date it was read, when known."""

    year: int
    file: str  # "mali/2020/figures.yaml"
    source: str  # "000_886a7aa99cc4041e.txt"
    url: str | None = None  # "https://reporting.unhcr.org/…"
    retrieved: str | None = None  # "2024-05-17"


@dataclass
class OperationFigures:
    """All figures of one operation, merged over its figures files (language-independent)."""

    operation: str
    sources: list[FiguresSource]  # oldest page first
    key_figures: list[KeyFigure]
    totals: list[PopulationTotal]  # oldest year first
    change: str | None = None
    change_percent: Number | None = None
    breakdown: list[PopulationCount] = field(default_factory=list)
    breakdown_year: int | None = None
    budget: Budget | None = None
    contributions: Contributions | None = None

    @property
    def years(self) -> list[int]:
        """The years that have key figures, or the years of the pages: each gets a `#figures-<year>` anchor."""
        return sorted({kf.year for kf in self.key_figures} | {s.year for s in self.sources})

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (ints stay ints, floats floats, None null), read back by `from_dict`."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OperationFigures:
        budget, contributions = data.get("budget"), data.get("contributions")
        return cls(
            operation=data["operation"],
            sources=[FiguresSource(**s) for s in data["sources"]],
            key_figures=[KeyFigure(**kf) for kf in data["key_figures"]],
            totals=[PopulationTotal(**t) for t in data["totals"]],
            change=data.get("change"),
            change_percent=data.get("change_percent"),
            breakdown=[PopulationCount(**p) for p in data.get("breakdown") or []],
            breakdown_year=data.get("breakdown_year"),
            budget=Budget(**budget) if budget is not None else None,
            contributions=None if contributions is None else Contributions(
                contributions["note"], [Contribution(**c) for c in contributions["items"]]),
        )


def site_figures(site: dict[str, Any], operation: str) -> OperationFigures | None:
    """The figures of `operation` in a generation's site data (its "figures" entry, written by indexer.site)."""
    found = (site.get("figures") or {}).get(operation)
    return OperationFigures.from_dict(found) if found is not None else None
