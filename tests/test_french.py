"""French as a native reader expects it: the catalogue's typography (a narrow no-break space before : ; ? ! and
inside « »), the operation page's dates ("1er octobre"), donors and notes in French, the Mali translations' wording,
and an editor's note (the `notes` front-matter field: kb check accepts it, the section page shows it) where the
English source is in doubt rather than a silent change.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from kb import create_app
from kb.donors import donor_name
from kb.figures_view import long_date
from tests.support import CONTENT, ROOT, build, copy_content

NNBSP = "\u202f"
CATALOGUE = ROOT / "kb" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# colons that are part of what a researcher types (`theme:education`), not punctuation
QUERY_SYNTAX = re.compile(r"%\(field\)s:|\b(?:title|year|theme|section|operation|lang|report):")
WILDCARD_QUESTION_MARK = "'%(text)s': put at least %(n)d letters before * or ?"


def french_strings() -> list[tuple[str, str]]:
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f, locale="fr")
    out = []
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = (message.string,) if isinstance(message.string, str) else message.string
        out += [(msgid, s) for s in strings]
    return out


def test_the_catalogue_has_a_narrow_no_break_space_before_high_punctuation_and_inside_guillemets() -> None:
    problems = []
    for msgid, text in french_strings():
        text = QUERY_SYNTAX.sub("", text)
        if msgid == WILDCARD_QUESTION_MARK:
            text = text.replace("* ou ?", "")
        if re.search(r"[^\u202f][:;?!](?=\s|$)", text) or re.search(r"«[^\u202f]|[^\u202f]»", text):
            problems.append(text)
        if "\u00a0" in text:
            problems.append(f"a no-break space where the narrow one is used: {text!r}")
    assert problems == []


def test_one_wording_for_imported_from() -> None:
    imported = [text for _msgid, text in french_strings() if "import" in text]
    assert imported and all("importée de " in text for text in imported)
    from kb.figures_view import t

    assert t("source_text", "fr").endswith("importée de")


# ------------------------------------------------------------------------------------------------ the operation page


def test_dates_and_donors_in_french() -> None:
    assert long_date("2021-10-01", "fr") == "1er octobre 2021"
    assert long_date("2021-10-15", "fr") == "15 octobre 2021"
    assert long_date("2021-10-01", "en") == "October 1, 2021"
    assert [donor_name(n, "fr").name for n in ("private donors", "Germany", "United States of America",
                                                "European Union", "Republic of Korea", "Philippines")] == [
        "donateurs privés", "Allemagne", "États-Unis d'Amérique", "Union européenne", "République de Corée",
        "Philippines"]
    unknown = donor_name("Some Foundation", "fr")
    assert (unknown.name, unknown.lang) == ("Some Foundation", "en")  # left in English, and marked as such
    assert donor_name("Germany", "en").name == "Germany"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    root = tmp_path_factory.mktemp("french")
    content = copy_content(root / "content")
    build(content, root / "instance")
    return create_app({"CONTENT_DIR": str(content), "TESTING": True}, instance_path=str(root / "instance"))


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def contributions(html: str) -> str:
    found = re.search(r'<section id="contributions".*?</section>', html, re.S)
    assert found
    return found.group(0)


def test_the_french_operation_page_reads_french(client: FlaskClient) -> None:
    html = client.get("/fr/mali?ui=fr").get_data(as_text=True)
    section = contributions(html)
    assert '<time datetime="2021-10-01">1er octobre 2021</time>' in section
    assert "<td>donateurs privés, Allemagne</td>" in section
    assert "États-Unis d&#39;Amérique, donateurs privés" in section
    assert "Extrait au mieux du texte de la page" in section
    assert 'lang="en"' not in section and "Parsed best-effort" not in section  # no English note inside the French
    assert ">Part du budget dépensée<" in html and "Dépenses en part du budget" not in html


def test_the_english_operation_page_is_unchanged(client: FlaskClient) -> None:
    section = contributions(client.get("/en/mali").get_data(as_text=True))
    assert '<time datetime="2021-10-01">October 1, 2021</time>' in section
    assert "<td>private donors, Germany</td>" in section
    assert "Parsed best-effort from page text" in section


def test_the_section_page_says_importee_de(client: FlaskClient) -> None:
    html = client.get("/fr/mali/2020/unmet-needs?ui=fr").get_data(as_text=True)
    assert "importée de <code>" in html and "importée depuis" not in html


# ------------------------------------------------------------------------------------------------ the Mali French


def mali_french() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((CONTENT / "mali" / "2020").glob("*.fr.md")))


def test_the_mali_translations_use_the_established_french_terms() -> None:
    text = mali_french()
    for wanted in ("documents d'état civil", "violences fondées sur le genre", "ministère de la Santé"):
        assert wanted in text, wanted
    for unwanted in ("documentation civile", "basées sur le genre", "Ministère de la santé", "(VBG)"):
        assert unwanted not in text, unwanted


def test_etat_civil_finds_the_civil_documentation_paragraphs(client: FlaskClient) -> None:
    html = client.get('/?q="documents d\'état civil"').get_data(as_text=True)
    links = set(re.findall(r'<h3><a href="(/fr/mali/2020/[a-z-]+)\?', html))
    assert links == {"/fr/mali/2020/unmet-needs", "/fr/mali/2020/key-priorities"}
