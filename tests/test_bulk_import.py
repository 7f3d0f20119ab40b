"""`kb import` of many pages: files or folders, one line per page and a summary, a failing page never stops the
others, importing the same folder twice changes nothing, exit 0 / 1; the per-page mapping file (`--sources`); pages
of the 2014-2015 layout (tests/pages/layout_2015.txt), which import with `--operation` and `--year`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from indexer.content import display_path
from kb import create_app
from kb.cli import main

PAGES = Path(__file__).resolve().parent / "pages"
LAYOUT_2015 = PAGES / "layout_2015.txt"
SOUTH = "chad-central-african-refugees-in-south"


def kb_import(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, ["import", *map(str, args)], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def folder_of(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copyfile(PAGES / name, folder / name)
    return folder


def snapshot(content: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(content)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(content.rglob("*")) if p.is_file()}


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


# --- many pages -----------------------------------------------------------------------------------------------------


def test_a_folder_prints_one_line_per_page_and_a_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = folder_of(tmp_path, "bullets.txt", "decrease.txt", "not_global_focus.txt", "older_headings.txt")
    (folder / "README.md").write_text("Pages saved from the Global Focus site.\n", encoding="utf-8")
    (folder / ".draft.txt").write_text("Operation: Mali\n", encoding="utf-8")  # hidden: left out
    (folder / "2019").mkdir()
    (folder / "2019" / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    monkeypatch.chdir(tmp_path)
    result = kb_import("pages", "--content", "content")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "skipped    pages/2019/image.txt: binary file, not page text",
        "imported   pages/bullets.txt -> jordan (year-end 2018): 4 written, 0 unchanged",
        "imported   pages/decrease.txt -> angola (year-end 2019): 3 written, 0 unchanged",
        "skipped    pages/not_global_focus.txt: not a Global Focus page: no 'Operation:' title, Key Figures, People "
        "of Concern, budget data or known section heading was found",
        "imported   pages/older_headings.txt -> kenya (year-end 2015, plan 2016): 6 written, 0 unchanged",
        "5 pages: 3 imported, 0 unchanged, 2 skipped",
    ]
    assert sorted(p.name for p in (tmp_path / "content").iterdir()) == ["angola", "jordan", "kenya",
                                                                         "operations.yaml"]


def test_importing_the_same_folder_twice_changes_nothing(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "bullets.txt", "budget_cut.txt", "cut_narrative.txt", "pipe_tables.txt")
    content = tmp_path / "content"
    first = kb_import(folder, "--content", content)
    assert first.exit_code == 1  # cut_narrative.txt is Mali 2020 too: it would replace budget_cut.txt's files
    assert f"skipped    {folder}/cut_narrative.txt: {content}/mali/2020/figures.yaml comes from " \
           f"{folder}/budget_cut.txt in this run; import one of them at a time" in first.stdout
    before = snapshot(content)
    second = kb_import(folder, "--content", content)
    assert second.exit_code == 1 and snapshot(content) == before
    assert second.stdout.splitlines()[-1] == "4 pages: 0 imported, 3 unchanged, 1 skipped"
    assert [line.split()[0] for line in second.stdout.splitlines()[:-1]] == [
        "unchanged", "unchanged", "skipped", "unchanged"]


def test_exit_0_when_every_page_imported_or_unchanged(tmp_path: Path) -> None:
    content = tmp_path / "content"
    one, two = PAGES / "bullets.txt", PAGES / "decrease.txt"
    assert kb_import(one, "--content", content).exit_code == 0
    result = kb_import(one, two, "--content", content)  # two files: one line each
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"unchanged  {display_path(one)} -> jordan (year-end 2018)",
        f"imported   {display_path(two)} -> angola (year-end 2019): 3 written, 0 unchanged",
        "2 pages: 1 imported, 1 unchanged, 0 skipped",
    ]


def test_a_failing_page_never_stops_the_others_and_writes_nothing(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "bullets.txt", "decrease.txt", "planning_first.txt")
    content = tmp_path / "content"
    assert kb_import(folder, "--content", content).exit_code == 0
    edited = content / "angola" / "2019" / "operational-context.en.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA paragraph added by hand.\n", encoding="utf-8")
    (content / "angola" / "2019" / "figures.yaml").unlink()
    for name in ("bullets.txt", "planning_first.txt"):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(" were ", " have been "), encoding="utf-8")
    result = kb_import(folder, "--content", content)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"imported   {folder}/bullets.txt -> jordan")
    assert lines[1] == (f"skipped    {folder}/decrease.txt: {edited} was edited by hand since it was imported "
                        "(its import_checksum no longer matches); use --force to overwrite it")
    assert lines[2].startswith(f"imported   {folder}/planning_first.txt -> uganda")
    assert not (content / "angola" / "2019" / "figures.yaml").exists()  # the skipped page wrote nothing
    assert "added by hand" in edited.read_text(encoding="utf-8")
    forced = kb_import(folder, "--content", content, "--force")
    assert forced.exit_code == 0 and (content / "angola" / "2019" / "figures.yaml").exists()


def test_an_unexpected_error_on_one_page_is_reported_and_the_others_go_on(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer import importer

    real = importer.parse_page

    def parse(text: str) -> object:
        if "Angola" in text:
            raise RuntimeError("a bug met on this page")
        return real(text)

    monkeypatch.setattr(importer, "parse_page", parse)
    folder = folder_of(tmp_path, "bullets.txt", "decrease.txt", "planning_first.txt")
    result = kb_import(folder, "--content", tmp_path / "content")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1] == (f"skipped    {folder}/decrease.txt: internal error in kb import: "
                                             "RuntimeError: a bug met on this page")
    assert result.stdout.splitlines()[-1] == "3 pages: 2 imported, 0 unchanged, 1 skipped"


def test_an_empty_folder_and_a_missing_file_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = kb_import(tmp_path / "empty", tmp_path / "missing.txt", PAGES / "bullets.txt",
                       "--content", tmp_path / "content")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"skipped    {tmp_path}/missing.txt: no such file",
        f"imported   {display_path(PAGES)}/bullets.txt -> jordan (year-end 2018): 4 written, 0 unchanged",
        f"skipped    {tmp_path}/empty: no page files (*.txt) in this folder",
        "3 pages: 1 imported, 0 unchanged, 2 skipped",
    ]


def test_source_url_names_one_page(tmp_path: Path) -> None:
    result = kb_import(PAGES, "--content", tmp_path / "content", "--source-url", "https://reporting.unhcr.org/x")
    assert result.exit_code == 2 and not (tmp_path / "content").exists()
    assert result.stderr == ("kb import: error: --source-url: names the address of one page; for several, give a "
                             "mapping file with --sources\n")


# --- the mapping file -----------------------------------------------------------------------------------------------


def test_a_csv_mapping_gives_each_page_its_address_and_date(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "bullets.txt", "decrease.txt", "layout_2015.txt")
    mapping = tmp_path / "sources.csv"
    mapping.write_text(
        "file,url,retrieved,operation,year\r\n"  # as a spreadsheet saves it
        "bullets.txt,https://reporting.unhcr.org/jordan?year=2018,2024-05-17,,\r\n"
        f"layout_2015.txt,https://reporting.unhcr.org/node/2533?y=2015,2016-03-01,{SOUTH},2015\r\n"
        "decrease.txt,http://reporting.unhcr.org/angola,,,\r\n", encoding="utf-8-sig")
    content = tmp_path / "content"
    result = kb_import(folder, "--content", content, "--sources", mapping, "--source-date", "2024-06-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "3 pages: 3 imported, 0 unchanged, 0 skipped"
    jordan = front(content / "jordan" / "2018" / "unmet-needs.en.md")
    assert (jordan["source_url"], jordan["source_retrieved"]) == ("https://reporting.unhcr.org/jordan?year=2018",
                                                                  "2024-05-17")
    angola = yaml.safe_load((content / "angola" / "2019" / "figures.yaml").read_text(encoding="utf-8"))
    assert (angola["source_url"], angola["source_retrieved"]) == ("http://reporting.unhcr.org/angola", "2024-06-01")
    south = front(content / SOUTH / "2015" / "operational-highlights.en.md")
    assert (south["operation"], south["year"], south["source_retrieved"]) == (SOUTH, 2015, "2016-03-01")
    before = snapshot(content)
    again = kb_import(folder, "--content", content, "--sources", mapping)  # no --source-date: the recorded dates
    assert again.exit_code == 0 and snapshot(content) == before
    assert again.stdout.splitlines()[-1] == "3 pages: 0 imported, 3 unchanged, 0 skipped"


def test_a_yaml_mapping_and_a_single_page(tmp_path: Path) -> None:
    mapping = tmp_path / "sources.yaml"
    mapping.write_text("bullets.txt: https://reporting.unhcr.org/jordan\n"
                       "layout_2015.txt:\n  url: https://reporting.unhcr.org/node/2533\n  retrieved: 2016-03-01\n"
                       f"  operation: {SOUTH}\n  year: 2015\n", encoding="utf-8")
    content = tmp_path / "content"
    result = kb_import(LAYOUT_2015, "--content", content, "--sources", mapping)
    assert result.exit_code == 0, result.output
    assert "written" in result.stdout and "4 written, 0 unchanged" in result.stdout  # one page: every file listed
    assert front(content / SOUTH / "2015" / "operational-highlights.en.md")["source_url"] == (
        "https://reporting.unhcr.org/node/2533")
    assert result.stderr == f"kb import: warning: {mapping}:1: no page bullets.txt among the pages imported\n"


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("sources.csv", "file,url\nmali.txt,https://reporting.unhcr.org/mali\njordan.txt,reporting.unhcr.org/jordan\n",
     ["{m}:3: jordan.txt: source_url 'reporting.unhcr.org/jordan' is not an http or https address "
      "(such as https://reporting.unhcr.org/…)"]),
    ("sources.csv", "page,address\nmali.txt,https://reporting.unhcr.org/mali\n",
     ["{m}:1: the first row names the columns: file, url and optionally retrieved, operation, year, plan_year "
      "(found: page, address)"]),
    ("sources.csv", "file,url,retrieved,year\nmali.txt,https://a.org/m,2024-13-01,twenty\n"
                    "mali.txt,https://a.org/n,,\n",
     ["{m}:2: mali.txt: source_retrieved must be the date the page was read, as YYYY-MM-DD (such as 2024-05-17), "
      "not '2024-13-01'", "{m}:2: mali.txt: year 'twenty' is not a year"]),
    ("sources.yaml", "mali.txt: https://a.org/m\nmali.txt: https://a.org/n\n",
     ["{m}:2: duplicate key 'mali.txt'"]),
    ("sources.yaml", "mali.txt:\n  link: https://a.org/m\n",
     ["{m}:1: mali.txt: unknown key 'link' (allowed: url, retrieved, operation, year, plan_year)"]),
    ("sources.txt", "mali.txt https://a.org/m\n", ["{m}:1: a mapping file is .csv or .yaml (page file name -> URL)"]),
])
def test_a_mapping_file_with_problems_stops_before_any_page(tmp_path: Path, name: str, text: str,
                                                            expected: list[str]) -> None:
    mapping = tmp_path / name
    mapping.write_text(text, encoding="utf-8")
    result = kb_import(PAGES / "bullets.txt", "--content", tmp_path / "content", "--sources", mapping)
    assert result.exit_code == 2 and not (tmp_path / "content").exists()
    assert result.stderr.splitlines() == [f"kb import: error: {line.format(m=mapping)}" for line in expected] + [
        "kb import: stopped: the mapping file has problems; nothing imported"]


# --- the 2014-2015 layout -------------------------------------------------------------------------------------------


def test_a_2014_2015_page_says_what_to_pass(tmp_path: Path) -> None:
    result = kb_import(LAYOUT_2015, "--content", tmp_path / "content")
    assert result.exit_code == 2 and not (tmp_path / "content").exists()
    assert result.stderr == (
        f"kb import: error: {LAYOUT_2015}: a page of the 2014-2015 layout ('Chad - Central African refugees (in "
        "South)', 2015, line 4) has no 'Operation:' title line: pass --operation SLUG (such as "
        f"{SOUTH}) and --year 2015\n")
    no_title = kb_import(PAGES / "no_title.txt", "--content", tmp_path / "content")  # the year on the next line
    assert "('Chad - Sudanese refugees (in East)', 2016, line 5)" in no_title.stderr


@pytest.fixture(scope="module")
def layout_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result, FlaskClient]:
    """The 2014-2015 page imported with --operation and --year, then indexed."""
    root = tmp_path_factory.mktemp("layout")
    content = root / "content"
    result = kb_import(LAYOUT_2015, "--content", content, "--operation", SOUTH, "--year", "2015")
    index = CliRunner().invoke(main, ["index", "--content", str(content), "--instance", str(root / "instance")])
    assert index.exit_code == 0, index.output
    return content, result, create_app({"TESTING": True}, instance_path=root / "instance").test_client()


def test_a_2014_2015_page_imports_with_operation_and_year(layout_site: tuple[Path, Result, FlaskClient]) -> None:
    content, result, _client = layout_site
    assert result.exit_code == 0 and result.stderr == ""
    folder = content / SOUTH / "2015"
    assert sorted(p.name for p in folder.iterdir()) == ["context-and-population-trends.en.md", "figures.yaml",
                                                        "operational-highlights.en.md"]
    meta = front(folder / "context-and-population-trends.en.md")
    assert (meta["year"], meta["report"], meta["country"], meta["source"]) == (2015, "year-end", "TCD",
                                                                               "layout_2015.txt")
    highlights = (folder / "operational-highlights.en.md").read_text(encoding="utf-8").split("---\n\n")[1]
    assert highlights.splitlines()[0].rsplit(" {#", 1)[0] == (  # the paragraph, then its identifier
        "- UNHCR relocated refugees away from the border to the camps of Doholo, Gondjé and Dosseye.")
    figures = yaml.safe_load((folder / "figures.yaml").read_text(encoding="utf-8"))
    assert [kf["display"] for kf in figures["key_figures"]] == ["65,300", "92%", "100%"]
    assert figures["people_of_concern"]["totals"][0] == {"year": 2015, "total": 91524}
    assert figures["budget"]["years"] == [2012, 2013, 2014, 2015, 2016] and figures["budget"]["budget"][0] is None
    operations = yaml.safe_load((content / "operations.yaml").read_text(encoding="utf-8"))
    assert operations[SOUTH] == {"en": "Chad - Central African refugees (in South)",
                                 "fr": "Chad - Central African refugees (in South)", "country": ["TCD"]}
    written = "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    for noise in ("Location", "longitude", "CHOOSE", "clicking", "Back", "• 2014"):
        assert noise not in written, noise


def test_the_imported_2014_2015_page_is_searchable(layout_site: tuple[Path, Result, FlaskClient]) -> None:
    _content, _result, client = layout_site
    answer = client.get("/api/search?q=Dosseye").get_json()
    assert [hit["doc_id"] for hit in answer["hits"]] == [f"{SOUTH}/2015/operational-highlights/en"]
    figures = client.get("/api/search?q=food+rations").get_json()  # a key figure: apart from the sections
    assert figures["total"] == 0 and figures["key_figures_total"] == 1
    assert [(b["operation"], b["year"], b["lang"]) for b in figures["key_figures"]] == [(SOUTH, 2015, "en")]
    assert client.get(f"/en/{SOUTH}/2015/operational-highlights").status_code == 200


def test_a_year_other_than_the_pages_is_taken_with_a_warning(tmp_path: Path) -> None:
    result = kb_import(LAYOUT_2015, "--content", tmp_path, "--operation", "chad", "--year", "2014")
    assert result.exit_code == 0
    assert f"kb import: warning: {LAYOUT_2015}: line 4 says 2015, but --year 2014 was given: imported as 2014" in (
        result.stderr)
    assert front(tmp_path / "chad" / "2014" / "operational-highlights.en.md")["year"] == 2014
