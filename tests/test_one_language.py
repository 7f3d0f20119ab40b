"""One-language sections are valid content: a section without its translation is indexed, listed and searchable;
`kb check` mentions it as a notice (an error with `--require-twins`); its page says no translation exists and offers
the other language's texts; the compare view and the facets handle it. The bundled Mali corpus keeps both languages."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from kb import create_app
from kb.cli import main
from tests.conftest import ContentBuilder
from tests.support import CONTENT, Site, clone_site, make_app
from tests.test_bench_corpus import load_corpus_module

# Unmet needs of Mali in 2019, as a French Global Focus page would give them: an original, with no English twin.
FRENCH_ONLY = "".join([
    "---\ntitle: Besoins non satisfaits\noperation: mali\ncountry: MLI\nyear: 2019\nreport: year-end\n",
    "section: unmet-needs\nlang: fr\ntranslation_key: mali/2019/unmet-needs\nsource: mali_2019_fr.txt\n---\n\n",
    "- Faute de financements suffisants, le HCR n'a pas pu construire les abris prévus pour les personnes déplacées ",
    "internes dans la région de Mopti.\n",
    "- De nombreux enfants rapatriés n'ont toujours pas d'acte de naissance, ce qui limite leur accès à l'école ",
    "et aux services de base.\n",
])


def kb(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    return load_corpus_module()


@pytest.fixture(scope="module")
def one_language(corpus: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A bench corpus of 3 operations x 2 years whose every section is in English or in French only, built."""
    root = tmp_path_factory.mktemp("one-language")
    corpus.generate(root / "content", operations=3, years=2, seed=7, one_language=True)
    result = kb("index", "--content", str(root / "content"), "--instance", str(root / "instance"))
    assert result.exit_code == 0, result.output
    return root / "content", root / "instance"


@pytest.fixture(scope="module")
def french_only(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Flask]:
    """The Mali corpus plus a French-only section (unmet needs 2019), built; the app over it."""
    content, instance = clone_site(built_site, tmp_path_factory.mktemp("french-only"))
    (content / "mali" / "2019").mkdir()
    (content / "mali" / "2019" / "unmet-needs.fr.md").write_text(FRENCH_ONLY, encoding="utf-8")
    result = kb("index", "--content", str(content), "--instance", str(instance))
    assert result.exit_code == 0, result.output
    return content, make_app(instance)


@pytest.fixture()
def client(french_only: tuple[Path, Flask]) -> FlaskClient:
    return french_only[1].test_client()


# --- a corpus of one-language sections ------------------------------------------------------------------------------


def test_every_section_of_the_one_language_corpus_is_in_one_language(one_language: tuple[Path, Path]) -> None:
    content, _instance = one_language
    keys = [p.relative_to(content).as_posix().rsplit(".", 2)[0] for p in content.rglob("*.md")]
    assert len(keys) == len(set(keys)) == 3 * 2 * 7
    langs = {p.name.split(".")[-2] for p in content.rglob("*.md")}
    assert langs == {"en", "fr"}
    assert not [p for p in content.rglob("*.fr.md") if "translated_from" in p.read_text(encoding="utf-8")]


def test_the_one_language_corpus_checks_with_notices_and_indexes_every_section(
        one_language: tuple[Path, Path]) -> None:
    content, instance = one_language
    result = kb("check", "--content", str(content))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len([line for line in lines if ": notice: no " in line]) == 42
    assert "42 sections in one language only), 6 figures files, 3 operations: no problems" in lines[-1]
    assert kb("check", "--content", str(content), "--require-twins").exit_code == 1
    app = create_app({"TESTING": True}, instance_path=instance)
    answer = app.test_client().get("/api/search?per_page=1&section=unmet-needs").get_json()
    counts = {value["value"]: value["count"] for value in answer["facets"]["lang"]}
    files = {lang: len(list(content.rglob(f"unmet-needs.{lang}.md"))) for lang in ("en", "fr")}
    assert counts == {lang: n for lang, n in files.items() if n} and sum(counts.values()) == 6


def test_each_one_language_section_is_found_and_served(one_language: tuple[Path, Path]) -> None:
    content, instance = one_language
    client = create_app({"TESTING": True}, instance_path=instance).test_client()
    for path in sorted(content.glob("*/2021/key-priorities.*.md")):
        operation, year, name = path.relative_to(content).parts
        section, lang = name.split(".")[:2]
        answer = client.get(f"/api/search?operation={operation}&year={year}&section={section}").get_json()
        assert [hit["doc_id"] for hit in answer["hits"]] == [f"{operation}/{year}/{section}/{lang}"]
        page = client.get(f"/{lang}/{operation}/{year}/{section}")
        assert page.status_code == 200 and 'class="search-other-lang"' in page.get_data(as_text=True)


# --- a French-only section in the Mali corpus -----------------------------------------------------------------------


def test_the_bundled_corpus_keeps_both_languages() -> None:
    result = kb("check", "--content", str(CONTENT), "--require-twins")
    assert result.exit_code == 0 and "notice" not in result.output, result.output
    english = sorted(p.name.replace(".en.md", "") for p in CONTENT.glob("*/*/*.en.md"))
    french = sorted(p.name.replace(".fr.md", "") for p in CONTENT.glob("*/*/*.fr.md"))
    assert english == french and len(english) == 7


def test_check_notes_the_missing_twin_and_require_twins_makes_it_an_error(french_only: tuple[Path, Flask]) -> None:
    content, _app = french_only
    shown = content / "mali" / "2019" / "unmet-needs.fr.md"
    result = kb("check", "--content", str(content))
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == (f"{shown}:1: notice: no English twin (mali/2019/unmet-needs.en.md); "
                                             "the section is published in French only")
    assert "1 section in one language only" in result.output and ": no problems" in result.output
    strict = kb("check", "--content", str(content), "--require-twins")
    assert strict.exit_code == 1
    assert strict.output.splitlines() == [
        f"{shown}:1: no English twin: mali/2019/unmet-needs.en.md is missing (translate it, or mark this document "
        "draft: true)",
        "kb check: 1 problem in 1 file",
    ]


def test_a_french_only_section_is_searchable(client: FlaskClient) -> None:
    answer = client.get("/api/search?q=abris+Mopti").get_json()
    assert [hit["doc_id"] for hit in answer["hits"]] == ["mali/2019/unmet-needs/fr"]
    assert answer["hits"][0]["url"].startswith("/fr/mali/2019/unmet-needs")
    page = client.get("/?q=abris+Mopti").get_data(as_text=True)
    assert 'href="/fr/mali/2019/unmet-needs' in page


def test_the_section_page_says_there_is_no_translation_and_offers_the_other_language(client: FlaskClient) -> None:
    french = client.get("/fr/mali/2019/unmet-needs").get_data(as_text=True)
    assert "Cette section n'a pas de version anglaise." in french and "Lire en anglais" not in french
    link = re.search(r'<a href="([^"]+)" class="search-other-lang">([^<]+)</a>', french)
    assert link and link.group(2) == "Rechercher dans les textes en anglais de cette opération"
    target = link.group(1).replace("&amp;", "&")
    assert target == "/?operation=mali&lang=en&ui=fr"
    found = client.get(target.replace("/?", "/api/search?") + "&per_page=50").get_json()
    assert found["total"] >= 7 and {hit["lang"] for hit in found["hits"]} == {"en"}
    assert "mali/2020/unmet-needs/en" in [hit["doc_id"] for hit in found["hits"]]
    english_ui = client.get("/fr/mali/2019/unmet-needs?ui=en").get_data(as_text=True)
    assert "This section has no English version." in english_ui
    assert "Search the English texts of this operation" in english_ui
    api = client.get("/api/sections/fr/mali/2019/unmet-needs").get_json()
    assert api["other_language"] is None and api["lang"] == "fr"


def test_a_section_with_its_twin_offers_no_search_of_the_other_language(client: FlaskClient) -> None:
    page = client.get("/en/mali/2020/unmet-needs").get_data(as_text=True)
    assert "Read in French" in page and "search-other-lang" not in page and "no French translation" not in page


def test_the_operation_page_lists_the_french_only_section(client: FlaskClient) -> None:
    english = client.get("/en/mali").get_data(as_text=True)
    assert re.search(r'<a href="/fr/mali/2019/unmet-needs(\?ui=en)?" hreflang="fr">Unmet needs</a> '
                     r'<span class="note">\(in French\)</span>', english), english
    french = client.get("/fr/mali").get_data(as_text=True)
    assert 'href="/fr/mali/2019/unmet-needs" hreflang="fr">Besoins non satisfaits</a></li>' in french


def test_the_compare_view_handles_a_section_without_twin(client: FlaskClient) -> None:
    years = client.get("/compare?a=fr/mali/2019/unmet-needs&b=fr/mali/2020/unmet-needs")
    assert years.status_code == 200 and 'data-paragraph="2"' in years.get_data(as_text=True)
    missing = client.get("/compare?a=fr/mali/2019/unmet-needs&b=en/mali/2019/unmet-needs")
    assert missing.status_code == 404
    assert ("b: there is no section en/mali/2019/unmet-needs: this section exists in one language only "
            "(fr/mali/2019/unmet-needs).") in missing.get_data(as_text=True).replace("&#39;", "'")
    page = client.get("/fr/mali/2019/unmet-needs").get_data(as_text=True)
    assert "compare-lang" not in page and "compare-year" in page  # other years, not the other language


def test_facets_count_the_french_only_section(client: FlaskClient) -> None:
    answer = client.get("/api/search?year=2019").get_json()
    assert answer["total"] == 1
    assert {v["value"]: v["count"] for v in answer["facets"]["lang"]} == {"fr": 1}
    both = client.get("/api/search?section=unmet-needs").get_json()
    assert {v["value"]: v["count"] for v in both["facets"]["lang"]} == {"en": 1, "fr": 2}


def test_a_key_figure_may_be_written_in_one_language(valid_content: Path, content_builder: ContentBuilder) -> None:
    figure = {"year": 2020, "kind": "year-end", "value": 27, "unit": None, "display": "27",
              "text": {"en": "classrooms were constructed and equipped", "fr": None}}
    path = content_builder.figures(key_figures=[figure])
    assert kb("check", "--content", str(valid_content)).exit_code == 0
    path.write_text(path.read_text(encoding="utf-8").replace("en: classrooms were constructed and equipped",
                                                             "en: null"), encoding="utf-8")
    result = kb("check", "--content", str(valid_content))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{path}:10: key_figures[0].text: no text in any language"
