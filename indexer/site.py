"""The site data of a generation (written by kb.engine.site), gathered from content/ at build time.

What the web shows besides the indexed documents, so that it never reads content/: theme labels (slug -> {en, fr})
from themes.yaml, operation names and countries from operations.yaml, and every operation's validated figures merged
over its figures files (indexer.figures_merge), with the files and the page texts they came from.

A build has parsed the figures files it checked; an incremental build keeps the previous merge of an operation none
of whose figures files changed, and merges the others again (reading their unchanged files), so the data is whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from indexer.content import load_yaml_file
from indexer.figures import load_figures
from indexer.figures_merge import merge
from kb.figures_model import Figures

THEMES_FILE = "themes.yaml"
OPERATIONS_FILE = "operations.yaml"
FIGURES_FILE = "figures.yaml"


def site_data(content: Path, figures: dict[str, dict[str, Any]], entered: dict[str, str] | None = None
              ) -> dict[str, Any]:
    """Everything the site shows besides documents; `figures` from `operation_figures`; `entered`: indexed file
    (relative path) -> when it was first indexed (ISO 8601, UTC), for the feeds."""
    return {"themes": theme_labels(content), "operations": operation_names(content), "figures": figures,
            "entered": entered or {}}


def theme_labels(content: Path) -> dict[str, dict[str, str]]:
    """Theme slug -> {lang: label}, in the order of themes.yaml; {} without a themes.yaml."""
    from indexer.themes import load_themes  # imported here: it loads the analysis

    if not (content / THEMES_FILE).is_file():
        return {}
    return {theme.slug: dict(theme.labels) for theme in load_themes(content).themes}


def operation_names(content: Path) -> dict[str, dict[str, Any]]:
    """Operation slug -> {en, fr, country: [ISO codes]} from operations.yaml (checked by the build)."""
    data = load_yaml_file(content / OPERATIONS_FILE) or {}
    out: dict[str, dict[str, Any]] = {}
    for slug, item in data.items():
        countries = item.get("country") or []
        out[str(slug)] = {"en": item.get("en"), "fr": item.get("fr"),
                          "country": [countries] if isinstance(countries, str) else list(countries)}
    return out


def operation_figures(content: Path, rels: Iterable[str], fresh: Mapping[str, Figures],
                      previous: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Operation -> its merged figures (as data), over the indexed files `rels` (relative paths) of the corpus.

    `fresh` holds the files this build checked, `previous` the figures of the generation it builds on ({} for a
    full build).
    """
    by_operation: dict[str, list[str]] = {}
    for rel in sorted(rels):
        parts = rel.split("/")
        if len(parts) == 3 and parts[1].isdigit() and parts[2] == FIGURES_FILE:  # <operation>/<year>/figures.yaml
            by_operation.setdefault(parts[0], []).append(rel)
    out: dict[str, dict[str, Any]] = {}
    for operation, files in sorted(by_operation.items()):
        before = previous.get(operation)
        if before is not None and not any(rel in fresh for rel in files) and _files_of(before) == files:
            out[operation] = before
            continue
        parsed = [fresh.get(rel) or _load(content, rel) for rel in files]
        valid = [figures for figures in parsed if figures is not None]
        if valid:
            out[operation] = merge(operation, valid).to_dict()
    return out


def _files_of(figures: dict[str, Any]) -> list[str]:
    return sorted(source["file"] for source in figures["sources"])


def _load(content: Path, rel: str) -> Figures | None:
    """An unchanged figures file of an operation that has a changed one (valid: the last build checked it)."""
    operation, year, _name = rel.split("/")
    return load_figures(content / rel, operation=operation, year=int(year))[0]
