"""Citations of a section or of one of its paragraphs: plain text, BibTeX, RIS, CSL-JSON and Highwire `citation_*`
meta tags, all from one `Cited` record.

A paragraph's citation names it (`, ¶3` after the title) and gives its permalink (`…/p/<id>`); a section's gives
the section's address. A translation made by kb (`translated_from`) is cited as an unofficial translation by kb,
naming the original and linking to it. Labels are in English, the citation's own language; the title stays in the
document's language, so the text a researcher copies does not change with the interface language.

A page of search results is cited as one entry per hit (`hit_cited`): its section, with the paragraph the search
found as a note ("Found in ¶3: <permalink>").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from kb.documents import SectionPage
from kb.labels import Labels
from kb.render import RenderedParagraph
from kb.search import SearchHit
from kb.urls import CITATION_EXTENSIONS, Urls

AUTHOR = "UNHCR"
TRANSLATOR = "kb"
CONTAINER = "Global Focus operation report"
LANGUAGE_NAMES = {"en": "English", "fr": "French"}
MEDIA_TYPES = ("application/x-research-info-systems", "application/x-bibtex",
               "application/vnd.citationstyles.csl+json")
FORMATS = dict(zip(CITATION_EXTENSIONS, MEDIA_TYPES, strict=True))  # downloads: extension -> media type


@dataclass(frozen=True)
class Original:
    """The document a translation was made from: its language, title and address (absolute)."""

    lang: str
    title: str
    url: str


@dataclass(frozen=True)
class Cited:
    """What a citation names: a section, or one paragraph of it (`paragraph` ¶n, `ref` its identifier or number)."""

    operation: str
    operation_label: str  # in English
    year: int
    section: str
    title: str  # the section's title, in the document's language
    lang: str
    report_label: str  # in English
    url: str  # absolute permalink of what is cited
    accessed: date
    paragraph: int | None = None
    ref: str | None = None
    original: Original | None = None  # set on a translation by kb
    found: tuple[int, str] | None = None  # a search hit's paragraph: (¶n, its absolute permalink)

    @property
    def full_title(self) -> str:
        title = f"{self.operation_label} {self.year}: {self.title}"
        return f"{title}, ¶{self.paragraph}" if self.paragraph is not None else title

    @property
    def key(self) -> str:
        """The BibTeX key and CSL id: stable for the same section or paragraph."""
        parts = [AUTHOR, self.operation, str(self.year), self.section, self.lang]
        parts += [self.ref or str(self.paragraph)] if self.paragraph is not None else []
        return re.sub(r"[^a-z0-9-]+", "", "-".join(parts).lower())

    @property
    def translation_note(self) -> str | None:
        if self.original is None:
            return None
        return (f"Unofficial {LANGUAGE_NAMES.get(self.lang, self.lang)} translation by {TRANSLATOR} of the "
                f"{LANGUAGE_NAMES.get(self.original.lang, self.original.lang)} original, "
                f"“{self.original_title}”, {self.original.url}")

    @property
    def found_note(self) -> str | None:
        return f"Found in ¶{self.found[0]}: {self.found[1]}" if self.found else None

    @property
    def notes(self) -> list[str]:
        """The notes every format carries: the translation's, the search hit's paragraph."""
        return [note for note in (self.translation_note, self.found_note) if note]

    @property
    def original_title(self) -> str:
        assert self.original is not None
        title = f"{self.operation_label} {self.year}: {self.original.title}"
        return f"{title}, ¶{self.paragraph}" if self.paragraph is not None else title


def today() -> date:
    """The access date citations give (a function, so that tests can fix it)."""
    return date.today()


def plain(cited: Cited) -> str:
    translation = f" {cited.translation_note}." if cited.original else ""
    return (f"{AUTHOR}. “{cited.full_title}”.{translation} {CONTAINER} ({cited.report_label}), {cited.year}. "
            f"{cited.url} (accessed {cited.accessed.isoformat()}).")


_BIB_SPECIAL = re.compile(r"([\\{}%&#_$^~])")


def _bib(text: str) -> str:
    """A value for a BibTeX field: TeX's special characters escaped."""
    return _BIB_SPECIAL.sub(lambda m: "\\textbackslash{}" if m.group(1) == "\\" else "\\" + m.group(1), text)


def bibtex(cited: Cited) -> str:
    fields = [("author", f"{{{AUTHOR}}}"), ("title", f"{{{_bib(cited.full_title)}}}")]
    if cited.original:
        fields.append(("translator", f"{{{TRANSLATOR}}}"))
    fields += [("year", str(cited.year)), ("howpublished", CONTAINER), ("language", cited.lang)]
    if cited.original:
        fields.append(("origlanguage", cited.original.lang))
    fields.append(("url", cited.url))
    fields.append(("note", ". ".join([*map(_bib, cited.notes), f"Accessed {cited.accessed.isoformat()}"])))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{cited.key},\n{body}\n}}"


def ris(cited: Cited) -> str:
    lines = ["TY  - ELEC", f"AU  - {AUTHOR}", f"TI  - {cited.full_title}", f"T2  - {CONTAINER}",
             f"PY  - {cited.year}", f"LA  - {cited.lang}", f"UR  - {cited.url}", f"Y2  - {cited.accessed.isoformat()}"]
    if cited.original:
        lines += [f"A4  - {TRANSLATOR}", "M3  - Unofficial translation", f"OP  - {cited.original_title}"]
    lines += [f"N1  - {note}" for note in cited.notes]
    return "\n".join([*lines, "ER  - "]) + "\n"


def csl(cited: Cited) -> dict[str, Any]:
    """One CSL-JSON item (a download is a list of them)."""
    item: dict[str, Any] = {
        "id": cited.key,
        "type": "webpage",
        "title": cited.full_title,
        "author": [{"literal": AUTHOR}],
        "container-title": CONTAINER,
        "genre": cited.report_label,
        "issued": {"date-parts": [[cited.year]]},
        "accessed": {"date-parts": [[cited.accessed.year, cited.accessed.month, cited.accessed.day]]},
        "language": cited.lang,
        "URL": cited.url,
    }
    if cited.original:
        item |= {"translator": [{"literal": TRANSLATOR}], "original-title": cited.original_title}
    if cited.notes:
        item["note"] = "\n".join(cited.notes)
    return item


def highwire(cited: Cited) -> list[tuple[str, str]]:
    """`<meta name content>` pairs a reference manager's browser connector reads (Google Scholar's tags)."""
    return [("citation_title", cited.full_title), ("citation_author", AUTHOR),
            ("citation_publication_date", str(cited.year)), ("citation_language", cited.lang),
            ("citation_public_url", cited.url), ("citation_publisher", AUTHOR)]


def citations(cited: Cited) -> dict[str, str]:
    """Every format as text: plain, bibtex, ris, csl (a JSON array of one item)."""
    return {"plain": plain(cited), "bibtex": bibtex(cited), "ris": ris(cited).rstrip("\n"),
            "csl": json.dumps([csl(cited)], ensure_ascii=False, indent=2)}


def download(cited: Cited | list[Cited], extension: str) -> str:
    """The body of a `cite.<extension>` download: of one section or paragraph, or of a page of search results (one
    entry each, in order; an empty page gives an empty file, or `[]`)."""
    items = cited if isinstance(cited, list) else [cited]
    if extension == "ris":
        return "\n".join(map(ris, items))
    if extension == "bib":
        return "\n".join(bibtex(c) + "\n" for c in items)
    return json.dumps([csl(c) for c in items], ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------------------------ a section page's


def cited(page: SectionPage, paragraph: RenderedParagraph | None, urls: Urls, absolute: Callable[[str], str],
          accessed: date) -> Cited:
    """What the Cite block of `page` names: the section, or `paragraph` of it. `page` carries English labels;
    `absolute` makes a site path a full URL."""
    ref = paragraph.ref if paragraph else None
    address = (page.lang, page.operation, page.year, page.section)
    url = urls.paragraph_path(*address, ref) if ref else page.path
    original = None
    if page.translated_from and page.original:
        lang, title = page.original
        there = (lang, page.operation, page.year, page.section)
        there_url = urls.paragraph_path(*there, ref) if ref else urls.section_path(*there)
        original = Original(lang, _line(title), absolute(there_url))
    return Cited(page.operation, _line(page.operation_label), page.year, page.section, _line(page.title), page.lang,
                 _line(page.report_label), absolute(url), accessed, paragraph.n if paragraph else None, ref, original)


def _line(text: str) -> str:
    """One line: a line break in a title would end a RIS field and start a forged one."""
    return " ".join(text.split())


def entry(cited: Cited, urls: Urls) -> dict[str, Any]:
    """One choice of the Cite block: its label, permalink, every format, and its downloads."""
    address = (cited.lang, cited.operation, cited.year, cited.section)
    return {"label": f"¶{cited.paragraph}" if cited.paragraph is not None else "", "ref": cited.ref or "",
            "permalink": cited.url, **citations(cited),
            "downloads": {extension: urls.citation(*address, extension, cited.ref) for extension in FORMATS}}


# The page's script makes a paragraph's citation from one template: the citation of a stand-in paragraph whose number
# and reference are these marks, replaced in every string by the paragraph's (they occur nowhere else). The page then
# weighs the same whatever the number of its paragraphs.
N_MARK, REF_MARK = 987654321, "kbparagraphref"


def cite_block(page: SectionPage, urls: Urls, absolute: Callable[[str], str], accessed: date) -> dict[str, Any]:
    """The Cite block's choices for the page's script: the section; a paragraph's, as a template with the marks to
    replace; each paragraph's reference -> its number."""
    block: dict[str, Any] = {"section": entry(cited(page, None, urls, absolute, accessed), urls),
                             "marks": {"n": str(N_MARK), "ref": REF_MARK},
                             "paragraphs": {p.ref: p.n for p in page.paragraphs}}
    if page.paragraphs:
        stand_in = replace(page.paragraphs[0], n=N_MARK, id=REF_MARK)
        block["paragraph"] = entry(cited(page, stand_in, urls, absolute, accessed), urls)
    return block


# ------------------------------------------------------------------------------------------------ search results


def hit_cited(hit: SearchHit, labels: Labels, urls: Urls, absolute: Callable[[str], str], accessed: date) -> Cited:
    """What a search hit's entry names: its section, in the hit's language (a translation by kb as one, when its
    original is indexed), with the permalink of the paragraph the search found it in (when it had words or themes
    to find); a key figure by its operation page. `urls` makes canonical paths (no `ui=`)."""
    address = (hit.lang, hit.operation, hit.year, hit.section)
    url, title, section = urls.section_path(*address), hit.title, hit.section
    if hit.kind != "section":  # one key figure: its own key (a page may hold several of a year), its text as title
        url, title = urls.operation(hit.lang, hit.operation, year=hit.year), f"{hit.title}: {hit.snippet_text}"
        section = hit.doc_id.split("/")[2]
    original = None
    if hit.translated_from and hit.twin and hit.twin.lang == hit.translated_from:
        there = urls.section_path(hit.twin.lang, hit.operation, hit.year, hit.section)
        original = Original(hit.twin.lang, _line(hit.twin.title), absolute(there))
    spot = (hit.paragraph, absolute(hit.permalink)) if hit.focused and hit.permalink else None
    return Cited(hit.operation, _line(labels.label("operation", hit.operation, "en")), hit.year, section,
                 _line(title), hit.lang, _line(labels.label("report", hit.report, "en")), absolute(url), accessed,
                 original=original, found=spot)
