"""`kb-site.json`, a generation's site data: everything the web shows besides the indexed documents.

The builder writes it into the generation folder with `write_site` (figures, operation names, theme labels: see
indexer.site); the reader gives it back with `read_site`. The engine treats the data as opaque JSON-able data and owns
only the file: its name (kb.engine.generations.SITE), its format version, and the error when it is absent or stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.engine import generations

SITE_VERSION = 1  # raise when the file's envelope changes; a generation with another version must be rebuilt


class SiteMissing(RuntimeError):
    """The generation has no usable site data (built by an older kb): `kb index` must rebuild it."""


def write_site(folder: Path, data: dict[str, Any]) -> None:
    """Write the site data of the generation being built in `folder` (durably: temporary name, fsync, rename)."""
    generations.write_json(folder / generations.SITE, {"version": SITE_VERSION, "data": data})


def read_site(folder: Path) -> dict[str, Any]:
    """The site data of the generation in `folder`; raises SiteMissing when absent, unreadable or of another version."""
    path = folder / generations.SITE
    try:
        found = generations.read_json(path)
    except (OSError, ValueError) as err:
        raise SiteMissing(f"{path}: no site data ({type(err).__name__}); rebuild the index with `kb index`") from None
    if not isinstance(found, dict) or found.get("version") != SITE_VERSION or not isinstance(found.get("data"), dict):
        raise SiteMissing(f"{path}: site data of another version; rebuild the index with `kb index`")
    return found["data"]


def has_site(folder: Path) -> bool:
    """Whether the generation in `folder` has a site data file (a cheap check for the builder)."""
    return (folder / generations.SITE).is_file()
