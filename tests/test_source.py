"""The original source: `kb import --source-url URL [--source-date DATE]` records the page's public address and the
date it was read (front matter and figures.yaml); `kb check` validates them; the section page, the operation page,
the section API and figures.json show them."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from indexer.importer import checksum_state
from kb.cli import main
from tests.conftest import ContentBuilder
from tests.support import SEED, Site, build, clone_site, make_app

URL = "https://reporting.unhcr.org/mali-2020?lang=en&y=2020"
SECTIONS = ("operational-context", "population-trends", "key-achievements", "unmet-needs", "flexible-funding",
            "working-environment", "key-priorities")


def kb(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def snapshot(content: Path) -> dict[Path, tuple[int, bytes]]:
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(content.rglob("*")) if p.is_file()}


@pytest.fixture()
def page(tmp_path: Path) -> Path:
    """A copy of the seed whose file was saved on 3 March 2024 (its modification date)."""
    copy = tmp_path / SEED.name
    shutil.copyfile(SEED, copy)
    saved = dt.datetime(2024, 3, 3, 12).timestamp()
    os.utime(copy, (saved, saved))
    return copy


# --- the importer ---------------------------------------------------------------------------------------------------


def test_import_records_the_address_and_date_in_every_file(page: Path, tmp_path: Path) -> None:
    content = tmp_path / "content"
    result = kb("import", str(page), "--content", str(content), "--source-url", URL, "--source-date", "2024-05-17")
    assert result.exit_code == 0, result.output
    folder = content / "mali" / "2020"
    for slug in SECTIONS:
        path = folder / f"{slug}.en.md"
        text = path.read_text(encoding="utf-8")
        assert f"source: {SEED.name}\nsource_url: {URL}\nsource_retrieved: '2024-05-17'\nimport_checksum: " in text
        assert checksum_state(path.read_bytes()) == "valid"
    figures = (folder / "figures.yaml").read_text(encoding="utf-8")
    assert figures.startswith(f"operation: mali\nyear: 2020\nsource: {SEED.name}\nsource_url: {URL}\n"
                              "source_retrieved: '2024-05-17'\nkey_figures:\n")


def test_without_a_date_the_page_files_date_is_recorded_and_kept_on_reimport(page: Path, tmp_path: Path) -> None:
    content = tmp_path / "content"
    assert kb("import", str(page), "--content", str(content), "--source-url", URL).exit_code == 0
    assert front(content / "mali" / "2020" / "unmet-needs.en.md")["source_retrieved"] == "2024-03-03"
    before = snapshot(content)
    page.touch()  # copied again later: importing again changes nothing
    again = kb("import", str(page), "--content", str(content), "--source-url", URL)
    assert again.exit_code == 0 and "0 written, 8 unchanged" in again.output
    plain = kb("import", str(page), "--content", str(content))  # without the address: the recorded one is kept
    assert plain.exit_code == 0 and "0 written, 8 unchanged" in plain.output
    assert snapshot(content) == before
    moved = kb("import", str(page), "--content", str(content), "--source-url", URL + "#moved")
    assert moved.exit_code == 0 and "8 written" in moved.output
    assert front(content / "mali" / "2020" / "unmet-needs.en.md")["source_retrieved"] == dt.date.today().isoformat()


@pytest.mark.parametrize(("option", "value", "reason"), [
    ("--source-url", "reporting.unhcr.org/mali", "is not an http or https address"),
    ("--source-url", "ftp://reporting.unhcr.org/mali", "is not an http or https address"),
    ("--source-url", "https://reporting.unhcr.org/mali 2020", "contains spaces"),
    ("--source-date", "17/05/2024", "must be the date the page was read, as YYYY-MM-DD"),
    ("--source-date", "2999-01-01", "is in the future"),
])
def test_a_bad_address_or_date_is_refused_and_nothing_written(page: Path, tmp_path: Path, option: str, value: str,
                                                              reason: str) -> None:
    args = ["--source-url", URL] if option == "--source-date" else []
    result = kb("import", str(page), "--content", str(tmp_path / "content"), *args, option, value)
    assert result.exit_code == 2 and not (tmp_path / "content").exists()
    assert result.stderr.startswith(f"kb import: error: {option}: ") and reason in result.stderr
    assert result.stderr.count("\n") == 1


# --- kb check -------------------------------------------------------------------------------------------------------


def line_of(path: Path, start: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if line.startswith(start))


def test_check_accepts_the_address_and_date(valid_content: Path, content_builder: ContentBuilder) -> None:
    content_builder.section("mali", 2020, "unmet-needs", "en", source_url=URL, source_retrieved="2024-05-17")
    fr = content_builder.section("mali", 2020, "unmet-needs", "fr")
    fr.write_text(fr.read_text(encoding="utf-8").replace("translated_from: en\n",  # a YAML date, without quotes
                  f"source_url: {URL}\nsource_retrieved: 2024-05-17\ntranslated_from: en\n"), encoding="utf-8")
    content_builder.figures(source_url=URL, source_retrieved="2024-05-17")
    result = kb("check", "--content", str(valid_content))
    assert result.exit_code == 0, result.output


def test_check_reports_a_bad_address_or_date_at_its_line(valid_content: Path, content_builder: ContentBuilder) -> None:
    en = content_builder.section("mali", 2020, "unmet-needs", "en", source_url="www.unhcr.org/mali",
                                 source_retrieved="2024-02-30")
    fr = content_builder.section("mali", 2020, "unmet-needs", "fr", source_url=URL)
    ctx = content_builder.section("mali", 2020, "operational-context", "en", source_retrieved="2024-05-17")
    figures = content_builder.figures(source_url="https://", source_retrieved="2030-01-01")
    result = kb("check", "--content", str(valid_content))
    assert result.exit_code == 1
    printed = result.output.splitlines()
    expected = [
        f"{en}:{line_of(en, 'source_url')}: source_url 'www.unhcr.org/mali' is not an http or https address "
        "(such as https://reporting.unhcr.org/…)",
        f"{en}:{line_of(en, 'source_retrieved')}: source_retrieved must be the date the page was read, as YYYY-MM-DD "
        "(such as 2024-05-17), not '2024-02-30'",
        f"{fr}:{line_of(fr, 'source_url')}: source_url needs source_retrieved, the date the page was read (YYYY-MM-DD)",
        f"{ctx}:{line_of(ctx, 'source_retrieved')}: source_retrieved without source_url: give the address the page "
        "was read from",
        f"{figures}:{line_of(figures, 'source_url')}: source_url 'https://' is not an http or https address "
        "(such as https://reporting.unhcr.org/…)",
        f"{figures}:{line_of(figures, 'source_retrieved')}: source_retrieved 2030-01-01 is in the future",
    ]
    assert [line for line in expected if line not in printed] == [], result.output


# --- what the web shows ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    """The Mali corpus, its page imported again with its address (the French translations do not repeat it)."""
    content, instance = clone_site(built_site, tmp_path_factory.mktemp("source"))
    result = kb("import", str(SEED), "--content", str(content), "--source-url", URL, "--source-date", "2024-05-01")
    assert result.exit_code == 0, result.output
    assert "source_url" not in (content / "mali" / "2020" / "unmet-needs.fr.md").read_text(encoding="utf-8")
    build(content, instance)
    return make_app(instance).test_client()


def link(url: str) -> str:
    return f'<a href="{url.replace("&", "&amp;")}" class="source-url">{url.replace("&", "&amp;")}</a>'


def test_the_section_page_links_to_the_original(client: FlaskClient) -> None:
    english = client.get("/en/mali/2020/unmet-needs").get_data(as_text=True)
    assert (f"UNHCR Global Focus operation page, imported from {link(URL)} (<code>{SEED.name}</code>; read on "
            "May 1, 2024).") in english
    french = client.get("/fr/mali/2020/unmet-needs").get_data(as_text=True)  # the translation: its original's page
    assert (f"Page d'opération Global Focus du HCR, importée de {link(URL)} (<code>{SEED.name}</code>; consultée "
            "le 1er mai 2024).") in french


def test_the_section_api_gives_the_address_and_date(client: FlaskClient) -> None:
    for lang in ("en", "fr"):
        data = client.get(f"/api/sections/{lang}/mali/2020/key-priorities").get_json()
        assert (data["source"], data["source_url"], data["source_retrieved"]) == (SEED.name, URL, "2024-05-01")


def test_the_operation_page_and_figures_json_name_the_original(client: FlaskClient) -> None:
    page = client.get("/en/mali").get_data(as_text=True)
    assert (f"imported from {link(URL)} (<code>{SEED.name}</code>, <code>mali/2020/figures.yaml</code>; read on "
            "May 1, 2024).") in page
    assert "consultée le 1er mai 2024" in client.get("/fr/mali").get_data(as_text=True)
    sources = client.get("/en/mali/figures.json").get_json()["sources"]
    assert sources == [{"file": "mali/2020/figures.yaml", "source": SEED.name, "source_url": URL,
                        "source_retrieved": "2024-05-01"}]


def test_without_an_address_the_page_names_the_file(built_site: Site) -> None:
    client = built_site.client()
    page = client.get("/en/mali/2020/unmet-needs").get_data(as_text=True)
    assert f"imported from <code>{SEED.name}</code>." in page and "source-url" not in page
    assert client.get("/api/sections/en/mali/2020/unmet-needs").get_json()["source_url"] is None
