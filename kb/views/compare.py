"""Two sections side by side, paragraph by paragraph: `/compare?a=en/mali/2020/unmet-needs&b=fr/mali/2020/unmet-needs`.

¶n of one is shown next to ¶n of the other; when one has more paragraphs, its extra ones face an empty cell. The URL
is the whole state, so a comparison can be shared. `compare_url(a, b)` builds it (also a template global), from
section pages, their paths (`/fr/mali/2020/unmet-needs`) or bare references (`fr/mali/2020/unmet-needs`).
A malformed or missing `a`/`b` is a 400 with the reason; a well-formed reference to no section is a 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from kb.current import public_url, urls
from kb.documents import SectionPage, other_language
from kb.model import SLUG, YEAR
from kb.render import RenderedParagraph
from kb.views.sections import find_section

bp = Blueprint("compare", __name__)

REF = re.compile(rf"^(en|fr)/({SLUG})/({YEAR})/({SLUG})$")
EXAMPLE = "en/mali/2020/unmet-needs"
REF_MAX = 200

class BadReference(ValueError):
    """A reference that cannot name a section; `status` is 400 (malformed) or 404 (no such section)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def reference(value: object) -> str:
    """`lang/operation/year/section` of a SectionPage, a section path or URL, or a bare reference."""
    raw = str(getattr(value, "path", value) or "")
    return raw.split("#", 1)[0].split("?", 1)[0].strip("/")


def compare_url(a: object, b: object) -> str:
    """The shareable URL comparing section `a` (left) with section `b` (right)."""
    return urls().compare(reference(a), reference(b))


def parse_reference(name: str, raw: str | None) -> tuple[str, str, int, str]:
    if not raw or not raw.strip():
        raise BadReference(_("%(name)s: missing. Give a section as lang/operation/year/section, for example "
                             "%(example)s.", name=name, example=EXAMPLE))
    match = REF.match(reference(raw.strip()[:REF_MAX]))
    if not match:
        raise BadReference(_("%(name)s: '%(value)s' is not of the form lang/operation/year/section (lang en or fr), "
                             "for example %(example)s.", name=name, value=raw[:REF_MAX], example=EXAMPLE))
    lang, operation, year, section = match.groups()
    return lang, operation, int(year), section


def load(name: str, raw: str | None) -> SectionPage:
    lang, operation, year, section = parse_reference(name, raw)
    page = find_section(lang, operation, year, section)
    if page is None:
        value = f"{lang}/{operation}/{year}/{section}"
        other = other_language(lang)
        if find_section(other, operation, year, section) is not None:  # a section in one language only
            raise BadReference(_("%(name)s: there is no section %(value)s: this section exists in one language "
                                 "only (%(other)s).", name=name, value=value,
                                 other=f"{other}/{operation}/{year}/{section}"), 404)
        raise BadReference(_("%(name)s: there is no section %(value)s.", name=name, value=value), 404)
    return page


@dataclass
class Row:
    n: int
    a: RenderedParagraph | None
    b: RenderedParagraph | None


def pair_paragraphs(a: list[RenderedParagraph], b: list[RenderedParagraph]) -> list[Row]:
    """¶n next to ¶n, by paragraph number; a number only one side has faces an empty cell."""
    left, right = {p.n: p for p in a}, {p.n: p for p in b}
    return [Row(n, left.get(n), right.get(n)) for n in sorted(left.keys() | right.keys())]


@bp.get("/compare")
def compare() -> tuple[str, int]:
    try:
        a, b = load("a", request.args.get("a")), load("b", request.args.get("b"))
    except BadReference as err:
        return render_template("compare.html", error=str(err)), err.status
    rows = pair_paragraphs(a.paragraphs, b.paragraphs)
    return render_template(
        "compare.html", a=a, b=b, rows=rows, url=compare_url(a, b), swap_url=compare_url(b, a),
        permalink=public_url(compare_url(a, b)),
    ), 200


bp.add_app_template_global(compare_url, "compare_url")
