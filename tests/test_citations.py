"""Citations of a section and of a selected paragraph: every format names what is cited and gives its link; the
downloads parse with the libraries reference managers use (rispy, bibtexparser; CSL-JSON against the CSL fields);
kb's French translations are cited as unofficial translations naming their English original; section pages carry
Highwire `citation_*` meta tags."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from flask import Flask
from flask.testing import FlaskClient

from tests.support import Site, copy_content

SECTION = "mali/2020/unmet-needs"
HOST = "http://localhost"

NAME = {"type": "object", "minProperties": 1, "additionalProperties": False,
        "properties": {"literal": {"type": "string"}, "family": {"type": "string"}, "given": {"type": "string"}}}
DATE = {"type": "object", "required": ["date-parts"], "additionalProperties": False,
        "properties": {"date-parts": {"type": "array", "minItems": 1, "maxItems": 2, "items": {
            "type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "integer"}}}}}
# The CSL-JSON fields kb writes, typed as the CSL 1.0 data schema types them; nothing outside CSL's variables.
CSL_ITEMS = {"type": "array", "minItems": 1, "items": {
    "type": "object", "additionalProperties": False,
    "required": ["id", "type", "title", "author", "issued", "accessed", "language", "URL"],
    "properties": {
        "id": {"type": "string"}, "type": {"enum": ["webpage", "report", "document"]}, "title": {"type": "string"},
        "author": {"type": "array", "minItems": 1, "items": NAME}, "translator": {"type": "array", "items": NAME},
        "container-title": {"type": "string"}, "genre": {"type": "string"}, "language": {"type": "string"},
        "URL": {"type": "string", "pattern": "^https?://"}, "note": {"type": "string"},
        "original-title": {"type": "string"}, "issued": DATE, "accessed": DATE}}}


@pytest.fixture(scope="module")
def app(built_site: Site) -> Flask:
    return built_site.app


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def paragraph(client: FlaskClient, lang: str, n: int) -> dict:
    return client.get(f"/api/sections/{lang}/{SECTION}").get_json()["paragraphs"][n - 1]


def cite_block(html: str) -> dict[str, str]:
    """What the page's Cite block shows: the permalink and each format, as text."""
    found = {"permalink": unescape(re.search(r'<input id="cite-link"[^>]* value="([^"]*)"', html).group(1))}
    for name in ("plain", "bibtex", "ris", "csl"):
        block = re.search(rf'<pre class="cite-text" id="cite-{name}"[^>]*>(.*?)</pre>', html, re.S)
        assert block, name
        found[name] = unescape(block.group(1))
    return found


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_selected_paragraph_is_cited_with_its_link_in_every_format(client: FlaskClient, lang: str) -> None:
    second = paragraph(client, lang, 2)
    permalink = f"{HOST}{second['permalink']}"
    html = client.get(f"/{lang}/{SECTION}?para={second['id']}").get_data(as_text=True)
    block = cite_block(html)
    assert block["permalink"] == permalink
    for name in ("plain", "bibtex", "ris", "csl"):
        assert permalink in block[name] and "¶2" in block[name], name
    for extension in ("ris", "bib", "json"):
        assert f'href="{second["permalink"]}/cite.{extension}" download' in html
    section = cite_block(client.get(f"/{lang}/{SECTION}").get_data(as_text=True))  # no selection: the section
    assert section["permalink"] == f"{HOST}/{lang}/{SECTION}" and "¶" not in section["plain"]
    assert all(f"{HOST}/{lang}/{SECTION}/p/" not in text for text in section.values() if "original" not in text)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("selected", [False, True], ids=["section", "paragraph"])
def test_the_downloads_parse_and_name_what_is_cited(client: FlaskClient, lang: str, selected: bool) -> None:
    third = paragraph(client, lang, 3)
    path = third["permalink"] if selected else f"/{lang}/{SECTION}"
    url = f"{HOST}{path}"
    ris = client.get(f"{path}/cite.ris")
    assert ris.mimetype == "application/x-research-info-systems"
    assert ris.headers["Content-Disposition"].startswith(f'attachment; filename="kb-mali-2020-unmet-needs-{lang}')
    [entry] = rispy.loads(ris.get_data(as_text=True))
    assert entry["type_of_reference"] == "ELEC" and entry["authors"] == ["UNHCR"] and entry["urls"] == [url]
    assert entry["language"] == lang and entry["year"] == "2020" and entry["title"].endswith(", ¶3") == selected

    library = bibtexparser.parse_string(client.get(f"{path}/cite.bib").get_data(as_text=True))
    assert library.failed_blocks == [] and len(library.entries) == 1
    fields = {name: field.value for name, field in library.entries[0].fields_dict.items()}
    assert fields["url"] == url and fields["year"] == "2020" and fields["language"] == lang
    assert fields["title"].strip("{}").endswith(", ¶3") == selected

    items = json.loads(client.get(f"{path}/cite.json").get_data(as_text=True))
    jsonschema.validate(items, CSL_ITEMS)
    assert items[0]["URL"] == url and items[0]["issued"] == {"date-parts": [[2020]]}
    assert items[0]["title"].endswith(", ¶3") == selected


def test_a_translation_by_kb_is_cited_as_one_with_its_original(client: FlaskClient) -> None:
    fourth = paragraph(client, "fr", 4)
    original = f"{HOST}/en/{SECTION}/p/{fourth['id']}"  # the same paragraph in English: same identifier
    block = cite_block(client.get(f"/fr/{SECTION}?para={fourth['id']}").get_data(as_text=True))
    assert ("Unofficial French translation by kb of the English original, “Mali 2020: Unmet needs, ¶4”, "
            f"{original}.") in block["plain"]
    [entry] = rispy.loads(client.get(f"{fourth['permalink']}/cite.ris").get_data(as_text=True))
    assert entry["subsidiary_authors"] == ["kb"] and entry["original_publication"] == "Mali 2020: Unmet needs, ¶4"
    assert original in entry["notes"][0]
    fields = bibtexparser.parse_string(block["bibtex"]).entries[0].fields_dict
    assert fields["translator"].value == "{kb}" and fields["origlanguage"].value == "en"
    assert original in fields["note"].value
    [item] = json.loads(block["csl"])
    assert item["translator"] == [{"literal": "kb"}] and item["original-title"] == "Mali 2020: Unmet needs, ¶4"
    section = cite_block(client.get(f"/fr/{SECTION}").get_data(as_text=True))
    assert f"the English original, “Mali 2020: Unmet needs”, {HOST}/en/{SECTION}." in section["plain"]
    english = cite_block(client.get(f"/en/{SECTION}").get_data(as_text=True))  # an original is cited plainly
    assert "translation" not in " ".join(english.values()).lower()


def meta_tags(html: str) -> dict[str, str]:
    found = re.findall(r'<meta name="(citation_\w+)" content="([^"]*)">', html)
    return {name: unescape(value) for name, value in found}


def test_section_pages_carry_highwire_citation_tags(client: FlaskClient) -> None:
    tags = meta_tags(client.get(f"/fr/{SECTION}").get_data(as_text=True))
    assert tags == {"citation_title": "Mali 2020: Besoins non satisfaits", "citation_author": "UNHCR",
                    "citation_publication_date": "2020", "citation_language": "fr",
                    "citation_public_url": f"{HOST}/fr/{SECTION}", "citation_publisher": "UNHCR"}
    first = paragraph(client, "en", 1)
    tags = meta_tags(client.get(f"/en/{SECTION}?para={first['id']}").get_data(as_text=True))
    assert tags["citation_title"] == "Mali 2020: Unmet needs, ¶1"
    assert tags["citation_public_url"] == f"{HOST}{first['permalink']}"


def test_what_cannot_be_downloaded_is_404(client: FlaskClient) -> None:
    first = paragraph(client, "en", 1)
    for path in (f"/en/{SECTION}/cite.pdf", f"/en/{SECTION}/cite.RIS", f"/en/{SECTION}/p/zz9zz/cite.ris",
                 f"/en/{SECTION}/p/<b>/cite.ris", "/en/mali/2020/no-such-section/cite.ris",
                 f"/en/{SECTION}/p/{first['id']}/cite.txt", f"/de/{SECTION}/cite.ris"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/en/{SECTION}/p/1/cite.ris").status_code == 200  # by number, like its permalink


def test_the_api_gives_each_paragraph_its_identifier_and_permalink(client: FlaskClient) -> None:
    paragraphs = client.get(f"/api/sections/fr/{SECTION}").get_json()["paragraphs"]
    english = client.get(f"/api/sections/en/{SECTION}").get_json()["paragraphs"]
    assert [p["id"] for p in paragraphs] == [p["id"] for p in english] and all(p["id"] for p in paragraphs)
    assert all(p["permalink"] == f"/fr/{SECTION}/p/{p['id']}" and p["anchor"] == p["id"] for p in paragraphs)


def test_the_seed_corpus_has_identifiers(tmp_path: Path) -> None:
    """content/ is kept with identifiers (kb ids has nothing to add)."""
    from click.testing import CliRunner

    from kb.cli import main

    content = copy_content(tmp_path / "content")
    result = CliRunner().invoke(main, ["ids", "--content", str(content)])
    assert result.output.endswith("kb ids: 0 files written, 0 skipped\n")
