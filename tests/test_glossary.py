"""Cross-language search through content/glossary.yaml: checked by `kb check` (path:line: reason), carried by the index
generation, applied to searches (page, API, terminal) with a note saying what was added and a switch (`xlang=0`)
that turns it off, and explained by `kb glossary --explain`.

The site here is the Mali corpus with the small test glossary and Mali 2020's unmet needs in English only."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from kb.cli import main
from tests.support import CONTENT, SMALL_GLOSSARY, Site, build, clone_site, glossary_site, make_app

NNBSP = "\u202f"
UNMET_EN = "mali/2020/unmet-needs/en"


def kb(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def site(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Site:
    return glossary_site(built_site, tmp_path_factory.mktemp("glossary"))


@pytest.fixture()
def client(site: Site) -> FlaskClient:
    return site.client()


def api(client: FlaskClient, **args: str) -> dict:
    response = client.get("/api/search", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(answer: dict) -> list[str]:
    return [hit["doc_id"] for hit in answer["hits"]]


def note(html: str) -> str:
    found = re.search(r'<div class="xlang"[^>]*>(.*?)</div>', html, re.S)
    return re.sub(r"[ \t\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", found.group(1)))).strip() if found else ""


# ------------------------------------------------------------------------------------------------------- searching


def test_a_french_query_finds_the_english_only_section_with_the_equivalent_marked(client: FlaskClient) -> None:
    answer = api(client, q="certificats de naissance")
    assert UNMET_EN in ids(answer)
    hit = next(h for h in answer["hits"] if h["doc_id"] == UNMET_EN)
    marked = [hit["snippet"][start:end].lower() for start, end in hit["marks"]]
    assert marked == ["birth", "certificate"]
    assert "hl=birth+certif" in hit["url"]
    assert answer["expansion"]["applied"] is True
    assert answer["expansion"]["added"] == {"en": ["birth certificate"], "fr": ["acte de naissance"]}
    assert answer["expansion"]["matches"] == [
        {"typed": "certificats de naissance", "lang": "fr", "into": "en", "equivalents": ["birth certificate"],
         "field": None},
        {"typed": "certificats de naissance", "lang": "fr", "into": "fr", "equivalents": ["acte de naissance"],
         "field": None},  # the French synonym searched in French
    ]


def test_xlang_0_searches_only_the_words_typed(client: FlaskClient) -> None:
    answer = api(client, q="certificats de naissance", xlang="0")
    assert UNMET_EN not in ids(answer)
    assert answer["xlang"] is False
    assert answer["expansion"]["applied"] is False
    assert answer["expansion"]["added"] == {"en": ["birth certificate"], "fr": ["acte de naissance"]}  # would add


def test_the_words_typed_rank_above_their_equivalents(client: FlaskClient) -> None:
    # key achievements exist in both languages: "statelessness" in English, "apatridie" in French
    english = ids(api(client, q="statelessness", section="key-achievements"))
    assert english == ["mali/2020/key-achievements/en", "mali/2020/key-achievements/fr"]
    french = ids(api(client, q="apatridie", section="key-achievements"))
    assert french == ["mali/2020/key-achievements/fr", "mali/2020/key-achievements/en"]


def test_an_equivalent_inside_not_is_excluded_too(client: FlaskClient) -> None:
    found = ids(api(client, q="plan", section="key-achievements"))
    assert "mali/2020/key-achievements/en" in found
    assert "mali/2020/key-achievements/en" not in ids(api(client, q="plan NOT apatridie", section="key-achievements"))
    kept = ids(api(client, q="plan NOT apatridie", section="key-achievements", xlang="0"))
    assert "mali/2020/key-achievements/en" in kept  # without the glossary, NOT apatridie leaves English text alone


def test_a_field_qualified_term_expands_in_the_same_field(client: FlaskClient) -> None:
    assert UNMET_EN in ids(api(client, q='body:"acte de naissance"'))
    assert UNMET_EN not in ids(api(client, q='title:"acte de naissance"'))


def test_a_bad_switch_is_a_400_with_its_reason(client: FlaskClient) -> None:
    response = client.get("/api/search?q=apatridie&xlang=maybe")
    assert response.status_code == 400
    assert response.get_json()["reason"] == "xlang: must be a whole number"


# ------------------------------------------------------------------------------------------------------- the page


def test_the_page_says_what_was_added_and_links_to_turn_it_off(client: FlaskClient) -> None:
    html = client.get("/?q=certificats+de+naissance").get_data(as_text=True)
    assert note(html) == ("Also searched in English: birth certificate Also searched in French: acte de naissance "
                          "Search only the words as typed")
    switch = re.search(r'<a class="xlang-switch" href="([^"]+)"', html).group(1)
    assert unescape(switch) == "/?q=certificats+de+naissance&xlang=0"
    off = client.get(unescape(switch)).get_data(as_text=True)
    assert note(off) == "Cross-language search is off. Search the other language too"
    assert 'name="xlang" value="0"' in off  # a new query from this page keeps it off
    back = unescape(re.search(r'<a class="xlang-switch" href="([^"]+)"', off).group(1))
    assert back == "/?q=certificats+de+naissance"


def test_the_note_in_french(client: FlaskClient) -> None:
    html = client.get("/?q=birth+certificate&ui=fr").get_data(as_text=True)
    assert note(html) == (f"Également cherché en français{NNBSP}: acte de naissance, certificat de naissance "
                          "Ne chercher que les mots saisis")


def test_no_note_when_nothing_differs_from_what_was_typed(client: FlaskClient) -> None:
    assert note(client.get("/?q=refugees").get_data(as_text=True)) == ""
    assert note(client.get("/?q=covid-19").get_data(as_text=True)) == ""  # the same word in both languages


def test_the_terminal_says_what_was_added(site: Site) -> None:
    result = kb("search", "certificats de naissance", "--instance", str(site.instance))
    assert result.exit_code == 0
    assert "Also searched in English: birth certificate" in result.output
    assert UNMET_EN.replace("/en", "") not in kb("search", "certificats de naissance", "--no-xlang", "--json",
                                                 "--instance", str(site.instance)).output


def test_the_openapi_document_names_the_switch_and_the_expansion(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert params["xlang"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 1, "default": 1}
    answer = document["components"]["schemas"]["SearchAnswer"]
    assert {"xlang", "expansion"} <= set(answer["required"])


# ------------------------------------------------------------------------------------- the file, the check, the build


def test_the_generation_carries_the_glossary(site: Site, tmp_path: Path) -> None:
    content, instance = clone_site(site, tmp_path)
    shutil.move(content, tmp_path / "moved-away")
    answer = make_app(instance).test_client().get("/api/search?q=certificats+de+naissance").get_json()
    assert UNMET_EN in ids(answer)


def test_editing_only_the_glossary_makes_a_new_generation_and_removing_it_ends_expansion(site: Site,
                                                                                          tmp_path: Path) -> None:
    content, instance = clone_site(site, tmp_path)
    glossary = content / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace("[birth certificate]", "[birth record]"),
                        encoding="utf-8")
    result = build(content, instance)
    assert not result.up_to_date and not result.full and not (result.added or result.changed)
    client = make_app(instance).test_client()
    assert api(client, q="certificats de naissance")["expansion"]["added"] == {"en": ["birth record"],
                                                                               "fr": ["acte de naissance"]}
    glossary.unlink()
    build(content, instance)
    assert api(client, q="certificats de naissance")["expansion"] == {"applied": False, "matches": [], "added": {}}
    assert build(content, instance).up_to_date


BAD = """\
- en: [birth certificate]
  fr: [acte de naissance]
- en: [statelessness]
- en: [the]
  fr: [apatridie]
- en: [Birth certificates]
  fr: [certificat de naissance]
  themes: [no-such-theme]
- en: [refugee (camp)]
  fr: [camp de réfugiés]
  colour: blue
"""


def test_kb_check_names_each_problem_of_the_glossary_with_its_line(valid_content: Path) -> None:
    (valid_content / "glossary.yaml").write_text(BAD, encoding="utf-8")
    shutil.copy(CONTENT / "themes.yaml", valid_content / "themes.yaml")
    themes = ", ".join(sorted(re.findall(r"^- slug: (\S+)", (CONTENT / "themes.yaml").read_text(encoding="utf-8"),
                                         re.M)))
    result = kb("check", "--content", str(valid_content))
    assert result.exit_code == 1
    lines = [line.split("glossary.yaml:", 1)[1] for line in result.output.splitlines() if "glossary.yaml:" in line]
    assert lines == [
        "3: fr: missing: each entry needs terms in both languages (en: and fr:)",
        "4: en: 'the': no word survives analysis (only stop words or punctuation)",
        "6: en: 'Birth certificates': duplicate term: the same as 'birth certificate' (line 1) after analysis "
        "(birth certif); keep it in one entry, once",
        "8: themes: unknown theme 'no-such-theme'; themes.yaml has " + themes,
        "9: en: 'refugee (camp)': a term cannot contain ( ) (query syntax)",
        "9: unknown key 'colour': an entry has en:, fr: and optional themes:",
    ]


def test_kb_index_refuses_a_broken_glossary_and_leaves_the_index(site: Site, tmp_path: Path) -> None:
    content, instance = clone_site(site, tmp_path)
    (content / "glossary.yaml").write_text("- en: [statelessness]\n", encoding="utf-8")
    result = kb("index", "--content", str(content), "--instance", str(instance))
    assert result.exit_code == 1
    assert re.search(r"glossary\.yaml:1: fr: missing", result.output)


def test_no_glossary_file_is_no_problem(valid_content: Path) -> None:
    assert not (valid_content / "glossary.yaml").exists()
    assert kb("check", "--content", str(valid_content)).exit_code == 0


def test_the_small_glossary_checks_clean_and_is_counted(site: Site) -> None:
    result = kb("check", "--content", str(site.content))
    assert result.exit_code == 0, result.output
    assert "7 glossary entries" in result.output


def test_kb_glossary_explain_prints_the_analysis_the_matches_and_the_expanded_query(site: Site) -> None:
    result = kb("glossary", "--explain", "certificats de naissance NOT apatridie", "--content", str(site.content))
    assert result.exit_code == 0, result.output
    assert "analysed (fr): certificats -> certificat | de -> (stop word) | naissance -> naissanc" in result.output
    assert "matched (fr): 'certificats de naissance' -> en: birth certificate" in result.output
    assert "matched (fr): 'apatridie' -> en: statelessness" in result.output
    assert ('searched (en): ((certificats de naissance) OR "birth certificate"^0.5) NOT (apatridie OR '
            'statelessness^0.5)') in result.output
    assert 'searched (fr): ((certificats de naissance) OR "acte de naissance"^0.5) NOT apatridie' in result.output


def test_kb_glossary_explain_says_when_the_query_is_searched_as_typed(site: Site) -> None:
    result = kb("glossary", "--explain", "NOT NOT apatridie", "--content", str(site.content))
    assert result.exit_code == 2
    assert "searched as typed" in result.output


def test_the_test_glossary_is_the_format_of_the_docs() -> None:
    text = SMALL_GLOSSARY.read_text(encoding="utf-8")
    docs = (Path(__file__).parent.parent / "docs" / "content-format.md").read_text(encoding="utf-8")
    assert "- en: [birth certificate]\n  fr: [acte de naissance, certificat de naissance]" in text
    assert "- en: [birth certificate]\n  fr: [acte de naissance, certificat de naissance]" in docs
