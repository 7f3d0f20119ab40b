"""Every URL the site makes, built in one place (Datasette's `ds.urls`): search with parameters, sections and their
paragraphs, operation pages, figures downloads, comparisons, the JSON API.

Views, templates (the `urls` global) and the search layer ask here; no other module writes a path by hand. Paths are
relative to the site's root; `absolute()` makes a full URL for permalinks, citations and CSV cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, urlencode

Pairs = Iterable[tuple[str, str]]
DEFAULT_UI = "en"  # the interface language of pages that have no language of their own
CITATION_EXTENSIONS = ("ris", "bib", "json")  # citations as files: RIS, BibTeX, CSL-JSON (kb.cite.FORMATS)


def _query(pairs: Pairs) -> str:
    encoded = urlencode(list(pairs))
    return f"?{encoded}" if encoded else ""


class Urls:
    """The site's URL builder.

    `root` is where the site is mounted ("" at the root of its host). `ui` is the interface language of the page the
    links are made for: a link carries `ui=` only where it differs from the language the linked page would otherwise
    show (its own language for a section or operation page, English elsewhere), so the URL alone decides the page.
    Paths named `..._path` never carry it: they are the canonical addresses that permalinks and citations use.
    """

    def __init__(self, root: str = "", ui: str | None = None) -> None:
        self.root = root.rstrip("/")
        self.ui = ui

    def for_ui(self, ui: str | None) -> Urls:
        """The same builder for pages shown in interface language `ui`."""
        return self if ui == self.ui else Urls(self.root, ui)

    def path(self, path: str) -> str:
        return f"{self.root}{path}"

    def _ui(self, default: str) -> list[tuple[str, str]]:
        return [("ui", self.ui)] if self.ui and self.ui != default else []

    # ----------------------------------------------------------------------------------------------- pages

    def search(self, pairs: Pairs = ()) -> str:
        """The search page with these query-string pairs (in the order given: SearchParams.pairs is canonical)."""
        pairs = list(pairs)
        if not any(name == "ui" for name, _ in pairs):
            pairs += self._ui(DEFAULT_UI)
        return self.path("/") + _query(pairs)

    def section_path(self, lang: str, operation: str, year: int | str, section: str) -> str:
        """The canonical address of a section (permalinks, citations, comparisons)."""
        return self.path(f"/{lang}/{operation}/{year}/{section}")

    def section(self, lang: str, operation: str, year: int | str, section: str, *, paragraph: int | None = None,
                anchor: str | None = None, selected: str | None = None, highlight: str = "") -> str:
        """A link to a section page: `anchor` adds `#<anchor>` (a paragraph's: its identifier, else `p3`; or
        `paragraph` N for `#pN`), `selected` the paragraph its Cite block names (`para=`, a paragraph's `ref`),
        `highlight` the analysed words to mark."""
        pairs = self._ui(lang) + ([("para", selected)] if selected else []) + ([("hl", highlight)] if highlight else [])
        url = self.section_path(lang, operation, year, section) + _query(pairs)
        anchor = anchor or (f"p{paragraph}" if paragraph is not None else None)
        return f"{url}#{quote(anchor)}" if anchor else url

    def paragraph_path(self, lang: str, operation: str, year: int | str, section: str, ref: str) -> str:
        """The permalink of a paragraph, `/<lang>/<operation>/<year>/<section>/p/<ref>` (`ref`: its identifier, or
        its number in a document without identifiers): it reaches the server, which sends the reader to the
        paragraph, or to the section with a notice when the paragraph was removed."""
        return self.section_path(lang, operation, year, section) + f"/p/{quote(ref, safe='')}"

    def paragraph(self, lang: str, operation: str, year: int | str, section: str, ref: str) -> str:
        """A link to a paragraph's permalink from a page in this builder's interface language (the ¶ mark)."""
        return self.paragraph_path(lang, operation, year, section, ref) + _query(self._ui(lang))

    def citation(self, lang: str, operation: str, year: int | str, section: str, extension: str,
                 ref: str | None = None) -> str:
        """The citation of a section (or of its paragraph `ref`) as a file: `cite.ris`, `cite.bib`, `cite.json`."""
        base = self.paragraph_path(lang, operation, year, section, ref) if ref else self.section_path(
            lang, operation, year, section)
        return f"{base}/cite.{extension}"

    def search_citation(self, extension: str, pairs: Pairs = ()) -> str:
        """The citations of one page of search results as a file (`/cite.ris`, `.bib`, `.json`): the search's
        parameters with its page, no `ui` (a citation's text does not depend on it)."""
        return self.path(f"/cite.{extension}") + _query((name, value) for name, value in pairs if name != "ui")

    def operation(self, lang: str, operation: str, *, year: int | None = None) -> str:
        """An operation page; `year` jumps to that year's key figures."""
        url = self.path(f"/{lang}/{operation}") + _query(self._ui(lang))
        return f"{url}#figures-{year}" if year is not None else url

    def figures_json(self, lang: str, operation: str) -> str:
        return self.path(f"/{lang}/{operation}/figures.json")

    def figures_csv(self, lang: str, operation: str, name: str) -> str:
        return self.path(f"/{lang}/{operation}/figures/{name}.csv")

    def compare(self, a: str, b: str) -> str:
        """Two sections side by side; `a` and `b` are references `lang/operation/year/section`."""
        return self.path("/compare?") + urlencode([("a", a), ("b", b), *self._ui(DEFAULT_UI)], safe="/")

    # ----------------------------------------------------------------------------------------------- API

    def api_search(self, pairs: Pairs = (), fmt: str = "json") -> str:
        return self.path("/api/search.csv" if fmt == "csv" else "/api/search") + _query(pairs)

    def api_section(self, lang: str, operation: str, year: int | str, section: str) -> str:
        return self.path(f"/api/sections/{lang}/{operation}/{year}/{section}")

    def feed(self, pairs: Pairs = ()) -> str:
        """The Atom feed of a search (its parameters as SearchParams.pairs gives them; no page, no `ui`)."""
        return self.path("/feed.atom") + _query((name, value) for name, value in pairs if name not in ("page", "ui"))

    def openapi(self) -> str:
        return self.path("/api/openapi.json")


def absolute(host_url: str, url: str) -> str:
    """A site URL made absolute against the public address of the site (`https://kb.example.org/`)."""
    return host_url.rstrip("/") + url
