"""French as a native reader expects it: the catalogue's typography (a narrow no-break space before : ; ? ! and
inside « »), the operation page's dates ("1er octobre"), donors and notes in French, the Mali translations' wording,
and an editor's note (the `notes` front-matter field: kb check accepts it, the section page shows it) where the
English source is in doubt rather than a silent change.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from indexer.notes import parse_notes
from kb.cli import main
from kb.donors import donor_name
from kb.figure_charts import long_date
from tests.support import CONTENT, ROOT, Site

if TYPE_CHECKING:
    from tests.conftest import ContentBuilder

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
def app(built_site: Site) -> Flask:
    return built_site.app


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


# ------------------------------------------------------------------------------------------------ editor's notes


def test_the_nigerians_doubt_is_an_editors_note_not_a_silent_change(client: FlaskClient) -> None:
    french = client.get("/fr/mali/2020/population-trends?ui=fr").get_data(as_text=True)
    paragraph = re.search(r'<div class="para" id="[a-z0-9]{5}" data-ref="[a-z0-9]{5}" data-n="1">.*?<p>(.*?)</p>'
                          r"(.*?)</div>", french, re.S)
    assert paragraph
    assert "Nigérians, 15" in paragraph.group(1) and "Nigériens" not in paragraph.group(1)  # still as the source
    note = re.search(r'<p class="editor-note"><span class="editor-note-label" lang="fr">Note de la rédaction'
                     r"\u202f:</span> (.*?)</p>", paragraph.group(2))
    assert note and "Nigerians" in note.group(1) and "Nigériens" in note.group(1)
    english_ui = client.get("/fr/mali/2020/population-trends?ui=en").get_data(as_text=True)
    assert '<span class="editor-note-label" lang="en">Editor\'s note:</span>' in english_ui
    assert 'class="editor-note"' not in client.get("/en/mali/2020/population-trends").get_data(as_text=True)


def test_parse_notes() -> None:
    assert parse_notes(None, 3) == ([], [])
    notes, problems = parse_notes([{"paragraph": 2, "text": " Une  note. "}], 3)
    assert problems == [] and [(n.paragraph, n.text) for n in notes] == [(2, "Une note.")]
    assert parse_notes("a note", 3)[1] == ["notes must be a list of {paragraph: N, text: ...}"]
    assert parse_notes([{"paragraph": 4, "text": "x"}], 3)[1] == [
        "notes[1]: paragraph must be the number of a paragraph of the document (1 to 3), not 4"]
    assert parse_notes([{"paragraph": True, "text": "x"}], 3)[1][0].startswith("notes[1]: paragraph must be")
    assert parse_notes([{"paragraph": 1, "text": ""}], 3)[1] == ["notes[1]: text must be a non-empty string"]
    assert parse_notes([{"paragraph": 1}], 3)[1] == ["notes[1] must have exactly the keys paragraph and text"]


def run_check(content: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_kb_check_accepts_notes_and_reports_a_wrong_one_at_its_line(
    valid_content: Path, content_builder: ContentBuilder,
) -> None:
    fr = content_builder.section("mali", 2020, "unmet-needs", "fr",
                                 notes=[{"paragraph": 3, "text": "Le texte anglais dit « civil documentation »."}])
    code, output = run_check(valid_content)
    assert code == 0 and "no problems" in output, output

    content_builder.section("mali", 2020, "unmet-needs", "fr", notes=[{"paragraph": 9, "text": "Trop loin."}])
    line = next(i for i, text in enumerate(fr.read_text(encoding="utf-8").split("\n"), 1) if text == "notes:")
    code, output = run_check(valid_content)
    assert code == 1
    assert (f"{fr}:{line}: notes[1]: paragraph must be the number of a paragraph of the document (1 to 3), not 9"
            in output)
