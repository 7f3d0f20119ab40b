"""Citations of a section or paragraph: plain text with the permalink, BibTeX and RIS."""

from __future__ import annotations

import re
from datetime import date

from kb.documents import SectionPage


def _key(page: SectionPage) -> str:
    return re.sub(r"[^a-z0-9]+", "", f"unhcr{page.operation}{page.year}{page.section}{page.lang}")


def citations(page: SectionPage, permalink: str, today: date | None = None) -> dict[str, str]:
    """Plain, BibTeX and RIS citations of `page` at `permalink` (an absolute URL)."""
    accessed = (today or date.today()).isoformat()
    title = f"{page.operation_label} {page.year}: {page.title}"
    plain = f"UNHCR. “{title}”. Global Focus operation report ({page.report_label}), {page.year}. {permalink} " \
            f"(accessed {accessed})."
    bibtex = (
        f"@misc{{{_key(page)},\n"
        f"  author = {{{{UNHCR}}}},\n"
        f"  title = {{{{{title}}}}},\n"
        f"  year = {{{page.year}}},\n"
        f"  howpublished = {{Global Focus operation report}},\n"
        f"  language = {{{page.lang}}},\n"
        f"  url = {{{permalink}}},\n"
        f"  note = {{Accessed {accessed}}}\n"
        f"}}"
    )
    ris = "\n".join([
        "TY  - ELEC", "AU  - UNHCR", f"TI  - {title}", f"PY  - {page.year}", f"LA  - {page.lang}",
        "T2  - Global Focus operation report", f"UR  - {permalink}", f"Y2  - {accessed}", "ER  - ",
    ])
    return {"plain": plain, "bibtex": bibtex, "ris": ris}
