"""Every URL the site makes, built in one place (Datasette's `ds.urls`): search with parameters, sections and their
paragraphs, operation pages, figures downloads, comparisons, the JSON API.

Views, templates (the `urls` global) and the search layer ask here; no other module writes a path by hand. Paths are
relative to the site's root; `absolute()` makes a full URL for permalinks, citations and CSV cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

Pairs = Iterable[tuple[str, str]]


def _query(pairs: Pairs) -> str:
    encoded = urlencode(list(pairs))
    return f"?{encoded}" if encoded else ""


class Urls:
    """The site's URL builder; `root` is where the site is mounted ("" at the root of its host)."""

    def __init__(self, root: str = "") -> None:
        self.root = root.rstrip("/")

    def path(self, path: str) -> str:
        return f"{self.root}{path}"

    # ----------------------------------------------------------------------------------------------- pages

    def search(self, pairs: Pairs = ()) -> str:
        """The search page with these query-string pairs (in the order given: SearchParams.pairs is canonical)."""
        return self.path("/") + _query(pairs)

    def section(self, lang: str, operation: str, year: int | str, section: str, *, paragraph: int | None = None,
                highlight: str = "") -> str:
        """A section page; `paragraph` adds its `#pN` anchor, `highlight` the analysed words to mark (`?hl=`)."""
        url = self.path(f"/{lang}/{operation}/{year}/{section}")
        if highlight:
            url += _query([("hl", highlight)])
        return f"{url}#p{paragraph}" if paragraph is not None else url

    def operation(self, lang: str, operation: str, *, year: int | None = None) -> str:
        """An operation page; `year` jumps to that year's key figures."""
        url = self.path(f"/{lang}/{operation}")
        return f"{url}#figures-{year}" if year is not None else url

    def figures_json(self, lang: str, operation: str) -> str:
        return self.path(f"/{lang}/{operation}/figures.json")

    def figures_csv(self, lang: str, operation: str, name: str) -> str:
        return self.path(f"/{lang}/{operation}/figures/{name}.csv")

    def compare(self, a: str, b: str) -> str:
        """Two sections side by side; `a` and `b` are references `lang/operation/year/section`."""
        return self.path("/compare?") + urlencode([("a", a), ("b", b)], safe="/")

    # ----------------------------------------------------------------------------------------------- API

    def api_search(self, pairs: Pairs = (), fmt: str = "json") -> str:
        return self.path("/api/search.csv" if fmt == "csv" else "/api/search") + _query(pairs)

    def api_section(self, lang: str, operation: str, year: int | str, section: str) -> str:
        return self.path(f"/api/sections/{lang}/{operation}/{year}/{section}")

    def openapi(self) -> str:
        return self.path("/api/openapi.json")


def absolute(host_url: str, url: str) -> str:
    """A site URL made absolute against the public address of the site (`https://kb.example.org/`)."""
    return host_url.rstrip("/") + url
