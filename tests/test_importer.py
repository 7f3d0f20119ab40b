"""`kb import`: the Mali seed, one small page per variation of PAGE_FORMAT.md (tests/pages/), idempotency,
conflicts with hand-edited files, cut-off pages and every error case."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from indexer.content import split_front_matter, split_paragraphs
from indexer.importer import checksum_state, run_import
from indexer.pagetext import collapse, parse_page
from kb.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).resolve().parent / "pages"
SEED = ROOT / "tests" / "seeds" / "000_886a7aa99cc4041e.txt"  # a copy of ../shared/seeds/, so CI has it
COMMITTED = ROOT / "content" / "mali" / "2020"
SEED_SECTIONS = [  # slug, report, number of paragraphs, kinds
    ("operational-context", "year-end", ["p", "p", "p"]),
    ("population-trends", "year-end", ["p"]),
    ("key-achievements", "year-end", ["li"] * 7),
    ("unmet-needs", "year-end", ["li"] * 5),
    ("flexible-funding", "year-end", ["p", "p"]),
    ("working-environment", "plan", ["p", "p", "p"]),
    ("key-priorities", "plan", ["p"] + ["li"] * 9),
]



def kb_import(page: Path, content: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["import", str(page), "--content", str(content), *args], catch_exceptions=False)


def read(path: Path) -> tuple[dict, list]:
    """Front matter and numbered paragraphs of a written section document."""
    raw, body, line = split_front_matter(path.read_text(encoding="utf-8"))
    return yaml.safe_load(raw), split_paragraphs(body, line)


def figures(content: Path, operation: str, year: int) -> dict:
    return yaml.safe_load((content / operation / str(year) / "figures.yaml").read_text(encoding="utf-8"))


def files(content: Path) -> dict[str, bytes]:
    return {str(p.relative_to(content)): p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()}


def page(name: str) -> Path:
    return PAGES / name


# --- the seed: Mali 2020 --------------------------------------------------------------------------------------------


def test_seed_sections_and_paragraphs() -> None:
    parsed = parse_page(SEED.read_text(encoding="utf-8"))
    assert parsed.operation_name == "Mali"
    assert parsed.warnings == []
    found = [(s.slug, s.report, [i.kind for i in s.items]) for s in parsed.sections]
    assert found == SEED_SECTIONS
    assert all(s.lang == "en" for s in parsed.sections)


def test_seed_key_figures() -> None:
    parsed = parse_page(SEED.read_text(encoding="utf-8"))
    year_end = [kf for kf in parsed.key_figures if kf.kind == "year-end"]
    plan = [kf for kf in parsed.key_figures if kf.kind == "plan"]
    assert len(parsed.key_figures) == 10
    assert {kf.year for kf in year_end} == {2020} and len(year_end) == 5
    assert {kf.year for kf in plan} == {2021} and len(plan) == 5
    first = year_end[0]
    assert (first.value, first.unit, first.display, first.text) == (
        4265, None, "4,265", "people of concern benefited from cash assistance")
    assert all((kf.value, kf.unit, kf.display) == (100, "percent", "100%") for kf in plan)
    assert plan[0].text == "of returnees will see their national rights re-established"


def test_seed_people_of_concern_and_budget() -> None:
    parsed = parse_page(SEED.read_text(encoding="utf-8"))
    people = parsed.people
    assert people is not None and people.change == "increase" and people.change_percent is None
    assert people.totals == [(2020, 408016), (2019, 275779), (2018, 154432)]
    assert dict(people.breakdown) == {"refugees": 47385, "asylum-seekers": 969, "idps": 332957,
                                      "returned-idps": 20473, "returned-refugees": 6232}
    assert sum(count for _, count in people.breakdown) == 408016
    budget = parsed.budget
    assert budget is not None and budget.years == [2016, 2017, 2018, 2019, 2020, 2021]
    assert budget.budget[1] == 41.007531648000004  # float noise kept as on the page
    assert budget.expenditure[-1] is None  # 2021 expenditure: missing, not zero
    assert budget.budget_by_pillar["p2"] == [1.06694838, 0.956948, None, None, None, 1.24504178]
    assert budget.expenditure_by_pillar["p2"] == [0.5756489300000001, 0.75438523, None, None, None, None]
    assert all(values[-1] is None for values in budget.expenditure_by_pillar.values())


def test_seed_contributions_best_effort() -> None:
    parsed = parse_page(SEED.read_text(encoding="utf-8"))
    assert parsed.contributions is not None and len(parsed.contributions) == 10
    first = parsed.contributions[0]
    assert (first.date, first.donors) == ("2021-10-15", ["private donors", "Germany"])
    assert parsed.contributions[-1].date == "2021-09-30"
    assert "Philippines" in parsed.contributions[-1].donors


def test_seed_reproduces_committed_english_files_byte_for_byte(tmp_path: Path) -> None:
    result = kb_import(SEED, tmp_path)
    assert result.exit_code == 0, result.stderr
    written = {p.name: p.read_bytes() for p in (tmp_path / "mali" / "2020").glob("*.en.md")}
    committed = {p.name: p.read_bytes() for p in COMMITTED.glob("*.en.md")}
    assert sorted(written) == sorted(f"{slug}.en.md" for slug, _, _ in SEED_SECTIONS)
    assert written == committed


def test_seed_writes_sections_with_years_and_reports(tmp_path: Path) -> None:
    result = kb_import(SEED, tmp_path)
    assert "plan sections are about 2020" in result.stdout  # inferred from "In 2020, … UNHCR will"
    for slug, report, kinds in SEED_SECTIONS:
        meta, paragraphs = read(tmp_path / "mali" / "2020" / f"{slug}.en.md")
        assert (meta["year"], meta["report"], meta["section"], meta["lang"]) == (2020, report, slug, "en")
        assert (meta["operation"], meta["country"], meta["source"]) == ("mali", "MLI", SEED.name)
        assert meta["translation_key"] == f"mali/2020/{slug}"
        assert [p.kind for p in paragraphs] == kinds
    assert figures(tmp_path, "mali", 2020)["key_figures"][5]["year"] == 2021


def test_seed_text_is_faithful(tmp_path: Path) -> None:
    """Every narrative line of the seed is one paragraph of the output, whitespace collapsed, nothing else added."""
    kb_import(SEED, tmp_path)
    lines = SEED.read_text(encoding="utf-8").split("\n")
    start, end = lines.index("Operational context"), lines.index("Latest contributions")
    headings = {"Operational context", "Population trends", "Key achievements", "Unmet needs", "Working environment",
                "Use of flexible funding (unearmarked or softly earmarked funding)", "Key priorities"}
    expected = [collapse(line).removeprefix("• ") for line in lines[start:end]
                if collapse(line) and collapse(line) not in headings]
    written = [p.text for slug, _, _ in SEED_SECTIONS for p in read(tmp_path / "mali" / "2020" / f"{slug}.en.md")[1]]
    assert written == expected


def test_reimport_over_committed_content_changes_nothing(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    before = {p: p.stat().st_mtime_ns for p in content.rglob("*") if p.is_file()}
    result = kb_import(SEED, content)
    assert result.exit_code == 0, result.stderr
    assert "0 written, 8 unchanged" in result.stdout
    assert {p: p.stat().st_mtime_ns for p in content.rglob("*") if p.is_file()} == before


def test_committed_figures_have_french_texts() -> None:
    data = yaml.safe_load((COMMITTED / "figures.yaml").read_text(encoding="utf-8"))
    assert len(data["key_figures"]) == 10
    assert all(kf["text"]["fr"] and kf["text"]["fr"] != kf["text"]["en"] for kf in data["key_figures"])
    assert data["key_figures"][0]["text"]["fr"].startswith("personnes relevant de la compétence du HCR")
    assert data["people_of_concern"]["totals"][0] == {"year": 2020, "total": 408016}
    assert data["budget"]["expenditure"][-1] is None
    assert data["contributions"]["items"][0] == {"date": "2021-10-15", "donors": ["private donors", "Germany"]}


def test_committed_english_files_carry_valid_checksums() -> None:
    for path in COMMITTED.glob("*.en.md"):
        assert checksum_state(path.read_bytes()) == "valid", path


# --- one page per variation -----------------------------------------------------------------------------------------


def test_pipe_table_key_figures_and_totals(tmp_path: Path) -> None:
    assert kb_import(page("pipe_tables.txt"), tmp_path).exit_code == 0
    data = figures(tmp_path, "chad", 2015)
    assert [(kf["kind"], kf["year"], kf["value"], kf["display"]) for kf in data["key_figures"]] == [
        ("year-end", 2015, 7800, "7,800"), ("year-end", 2015, 16772, "16,772"), ("plan", 2016, 100, "100%")]
    assert data["key_figures"][1]["text"]["en"] == "households (58,000 people) received core relief items"
    assert "|" not in str(data)
    assert data["people_of_concern"]["totals"][0] == {"year": 2015, "total": 474478}
    assert sum(b["count"] for b in data["people_of_concern"]["breakdown"]) == 474478
    meta, _ = read(tmp_path / "chad" / "2015" / "context-and-population-trends.en.md")
    assert (meta["title"], meta["country"]) == ("Operational context and population trends", "TCD")


def test_end_year_results_heading(tmp_path: Path) -> None:
    assert kb_import(page("end_year_results.txt"), tmp_path).exit_code == 0
    data = figures(tmp_path, "niger", 2015)
    assert [(kf["kind"], kf["year"], kf["unit"]) for kf in data["key_figures"]] == [
        ("year-end", 2015, None), ("year-end", 2015, "percent")]
    meta, paragraphs = read(tmp_path / "niger" / "2015" / "operational-highlights.en.md")
    assert meta["report"] == "year-end" and len(paragraphs) == 1


def test_planning_group_before_year_end_group(tmp_path: Path) -> None:
    assert kb_import(page("planning_first.txt"), tmp_path).exit_code == 0
    data = figures(tmp_path, "uganda", 2020)  # figures live under the year-end year
    assert [(kf["kind"], kf["year"]) for kf in data["key_figures"]] == [
        ("plan", 2021), ("year-end", 2020), ("year-end", 2020)]
    assert data["key_figures"][1]["value"] == 1446378
    assert read(tmp_path / "uganda" / "2020" / "unmet-needs.en.md")[0]["year"] == 2020
    assert read(tmp_path / "uganda" / "2021" / "key-priorities.en.md")[0]["year"] == 2021


def test_decrease_with_percentage_and_repeated_years(tmp_path: Path) -> None:
    assert kb_import(page("decrease.txt"), tmp_path).exit_code == 0
    people = figures(tmp_path, "angola", 2019)["people_of_concern"]
    assert (people["change"], people["change_percent"]) == ("decrease", 6)
    assert [t["year"] for t in people["totals"]] == [2019, 2018, 2017]


def test_missing_people_of_concern_list(tmp_path: Path) -> None:
    result = kb_import(page("no_people_list.txt"), tmp_path)
    assert result.exit_code == 0 and result.stderr == ""
    people = figures(tmp_path, "ecuador", 2019)["people_of_concern"]
    assert people["breakdown"] == [] and people["totals"][0] == {"year": 2019, "total": 503284}
    assert (tmp_path / "ecuador" / "2019" / "population-trends.en.md").exists()


def test_people_of_concern_json_cut_midway(tmp_path: Path) -> None:
    result = kb_import(page("people_json_cut.txt"), tmp_path)
    assert result.exit_code == 0
    assert "people_json_cut.txt:15: the people-of-concern list is cut off" in result.stderr
    assert "kept its 2 complete entries" in result.stderr
    data = figures(tmp_path, "mali", 2020)
    assert data["people_of_concern"]["breakdown"] == [{"type": "refugees", "count": 47385},
                                                      {"type": "asylum-seekers", "count": 969}]
    assert len(data["people_of_concern"]["totals"]) == 3 and len(data["key_figures"]) == 1


def test_budget_one_object_per_line_with_leading_nulls(tmp_path: Path) -> None:
    result = kb_import(page("budget_one_per_line.txt"), tmp_path)
    assert result.exit_code == 0 and result.stderr == ""
    budget = figures(tmp_path, "niger", 2019)["budget"]
    assert budget["years"] == [2014, 2015, 2016, 2017, 2018, 2019]
    assert budget["budget"] == [None, None, 55.2, 72.4, None, 101.5]
    assert budget["budget_by_pillar"]["p3"] == [None] * 6
    assert budget["expenditure_by_pillar"]["p4"] == [None, None, 9.8, 13.1, None, None]
    assert all(len(v) == 6 for v in [budget["expenditure"], *budget["budget_by_pillar"].values()])


def test_budget_json_cut_midway(tmp_path: Path) -> None:
    result = kb_import(page("budget_cut.txt"), tmp_path)
    assert result.exit_code == 0
    assert "budget_cut.txt:12: the budget data is cut off" in result.stderr
    budget = figures(tmp_path, "mali", 2020)["budget"]
    assert budget["budget"] == [17.33, 47.6, 57.59] and budget["budget_by_pillar"]["p4"] == [1.6, 15.18, 17.04]
    # the third object stops inside p3: complete values kept, the possibly cut "8.8" and the rest missing
    assert budget["expenditure_by_pillar"] == {"p1": [6.54, 12.79, None], "p2": [None] * 3, "p3": [5.3, None, None],
                                               "p4": [None] * 3}


def test_no_title_line_needs_operation(tmp_path: Path) -> None:
    result = kb_import(page("no_title.txt"), tmp_path)
    assert result.exit_code == 2 and "pass --operation" in result.stderr and files(tmp_path) == {}
    result = kb_import(page("no_title.txt"), tmp_path, "--operation", "chad-sudanese-refugees-in-east")
    assert result.exit_code == 0, result.stderr
    meta, _ = read(tmp_path / "chad-sudanese-refugees-in-east" / "2016" / "operational-context.en.md")
    assert meta["country"] == "TCD"  # from the leading country name
    operations = yaml.safe_load((tmp_path / "operations.yaml").read_text(encoding="utf-8"))
    assert operations["chad-sudanese-refugees-in-east"]["country"] == ["TCD"]


def test_no_title_and_no_year_needs_year(tmp_path: Path) -> None:
    result = kb_import(page("no_year.txt"), tmp_path, "--operation", "mali")
    assert result.exit_code == 2 and "pass --year" in result.stderr and files(tmp_path) == {}
    assert kb_import(page("no_year.txt"), tmp_path, "--operation", "mali", "--year", "2017").exit_code == 0
    assert read(tmp_path / "mali" / "2017" / "operational-context.en.md")[0]["year"] == 2017


def test_older_headings(tmp_path: Path) -> None:
    assert kb_import(page("older_headings.txt"), tmp_path).exit_code == 0
    written = {(p.parent.name, p.name) for p in (tmp_path / "kenya").rglob("*.md")}
    assert written == {("2015", "context-and-population-trends.en.md"), ("2015", "operational-highlights.en.md"),
                       ("2016", "operational-environment.en.md"), ("2016", "key-priorities.en.md")}
    meta, paragraphs = read(tmp_path / "kenya" / "2016" / "key-priorities.en.md")
    assert meta["report"] == "plan" and [p.kind for p in paragraphs] == ["p", "li", "li"]


def test_older_planning_summary_with_ungrouped_key_figures(tmp_path: Path) -> None:
    assert kb_import(page("plan_summary_2016.txt"), tmp_path).exit_code == 0
    meta, _ = read(tmp_path / "burundi" / "2016" / "plan-summary.en.md")
    assert (meta["report"], meta["year"], meta["title"]) == ("plan", 2016, "Plan summary")
    key_figures = figures(tmp_path, "burundi", 2016)["key_figures"]
    assert {(kf["kind"], kf["year"]) for kf in key_figures} == {("plan", 2016)}
    assert [kf["value"] for kf in key_figures] == [285, 6, 32500000, 100]
    assert key_figures[2]["display"] == "USD 32.5 million"


def test_planning_summary_that_starts_with_its_prose(tmp_path: Path) -> None:
    result = kb_import(page("orphan_plan.txt"), tmp_path, "--operation", "kenya")
    assert result.exit_code == 0
    assert "orphan_plan.txt:1: lines 1-2: text before any section heading, taken as the plan summary" in result.stderr
    meta, paragraphs = read(tmp_path / "kenya" / "2017" / "plan-summary.en.md")
    assert meta["year"] == 2017 and len(paragraphs) == 2


def test_french_heading_writes_a_french_document_without_english_twin(tmp_path: Path) -> None:
    assert kb_import(page("french_heading.txt"), tmp_path).exit_code == 0
    folder = tmp_path / "burkina-faso" / "2016"
    assert not (folder / "plan-summary.en.md").exists()
    meta, paragraphs = read(folder / "plan-summary.fr.md")
    assert (meta["lang"], meta["title"], meta["year"], meta["report"]) == ("fr", "Résumé du plan", 2016, "plan")
    assert "translated_from" not in meta and checksum_state((folder / "plan-summary.fr.md").read_bytes()) == "valid"
    assert [p.kind for p in paragraphs] == ["p", "li", "li"]
    assert read(folder / "operational-environment.en.md")[0]["lang"] == "en"


def test_bullets_with_dash_and_bullet_sign(tmp_path: Path) -> None:
    assert kb_import(page("bullets.txt"), tmp_path).exit_code == 0
    path = tmp_path / "jordan" / "2018" / "key-achievements.en.md"
    body = path.read_text(encoding="utf-8").split("---\n\n", 1)[1]
    assert re.sub(r" \{#[a-z0-9]{5}\}$", "", body, flags=re.M) == (  # each paragraph ends with its identifier
        "UNHCR supported refugees in camps and urban areas:\n\n"
        "- 120,000 refugees received monthly cash assistance.\n"
        "- 8,500 refugees were resettled to third countries.\n"
        "- Health services were provided in Zaatari and Azraq camps.\n"
        "- Refugee children were enrolled in public schools.\n\n"
        "Further progress was made on work permits.\n"
    )
    assert [p.kind for p in read(path)[1]] == ["p", "li", "li", "li", "li", "p"]
    assert read(tmp_path / "jordan" / "2018" / "unmet-needs.en.md")[1][0].text == (
        "Shelter needs in urban areas remained unmet.")


def test_boilerplate_is_dropped(tmp_path: Path) -> None:
    result = kb_import(page("boilerplate.txt"), tmp_path)
    assert result.exit_code == 0 and result.stderr == ""
    written = b"".join(data for name, data in files(tmp_path).items() if name != "operations.yaml").decode()
    for noise in ("NEW:", "Americas", "ENG or FR", "longitude", "clicking", "boundaries", "Latest", "CHOOSE",
                  "Loading", "Back", "Overview", "factsheet", "Burundian refugee returns", "2014", "2017"):
        assert noise not in written, noise
    assert len(read(tmp_path / "rwanda" / "2020" / "operational-context.en.md")[1]) == 1
    assert len(read(tmp_path / "rwanda" / "2021" / "working-environment.en.md")[1]) == 1


def test_multi_country_office_slug_and_country(tmp_path: Path) -> None:
    result = kb_import(page("multi_country.txt"), tmp_path)
    assert result.exit_code == 0 and "covers several countries" in result.stderr
    meta, _ = read(tmp_path / "cameroon-multi-country-office" / "2019" / "operational-context.en.md")
    assert (meta["operation"], meta["country"]) == ("cameroon-multi-country-office", "CMR")
    operations = (tmp_path / "operations.yaml").read_text(encoding="utf-8")
    assert operations.startswith("# The operations kb knows")
    assert "cameroon-multi-country-office:\n  en: Cameroon Multi-Country Office\n" in operations


def test_unknown_country_is_xxx_with_a_warning(tmp_path: Path) -> None:
    result = kb_import(page("unknown_operation.txt"), tmp_path)
    assert result.exit_code == 0 and "country written as XXX" in result.stderr
    assert read(tmp_path / "atlantis" / "2020" / "operational-context.en.md")[0]["country"] == "XXX"


def test_known_operation_is_not_added_again(tmp_path: Path) -> None:
    operations = "# hand-written comment\nmali:\n  en: Mali\n  fr: Mali\n  country: [MLI]\n"
    (tmp_path / "operations.yaml").write_text(operations, encoding="utf-8")
    assert kb_import(page("cut_narrative.txt"), tmp_path).exit_code == 0
    assert (tmp_path / "operations.yaml").read_text(encoding="utf-8") == operations


# --- cut-off pages --------------------------------------------------------------------------------------------------


def test_cut_off_paragraph_is_left_out_with_a_warning(tmp_path: Path) -> None:
    result = kb_import(page("cut_narrative.txt"), tmp_path)
    assert result.exit_code == 0
    assert "cut_narrative.txt:10: the page is cut off in the middle of a paragraph of 'Unmet needs'" in result.stderr
    _, paragraphs = read(tmp_path / "mali" / "2020" / "unmet-needs.en.md")
    assert [p.text for p in paragraphs] == [
        "UNHCR was unable to register 17,041 refugees due to financial constraints."]


# --- idempotency and conflicts --------------------------------------------------------------------------------------


def test_importing_twice_changes_nothing(tmp_path: Path) -> None:
    assert kb_import(page("older_headings.txt"), tmp_path).exit_code == 0
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()}
    result = kb_import(page("older_headings.txt"), tmp_path)
    assert result.exit_code == 0 and "0 written, 5 unchanged" in result.stdout
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()} == before


def test_hand_edited_file_stops_the_import_unless_forced(tmp_path: Path) -> None:
    assert kb_import(page("bullets.txt"), tmp_path).exit_code == 0
    edited = tmp_path / "jordan" / "2018" / "unmet-needs.en.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("remained unmet", "were unmet"), encoding="utf-8")
    (tmp_path / "jordan" / "2018" / "figures.yaml").unlink()  # would be written again: must not be
    result = kb_import(page("bullets.txt"), tmp_path)
    assert result.exit_code == 1
    assert "unmet-needs.en.md: was edited by hand since it was imported" in result.stderr
    assert "--force" in result.stderr and "nothing written" in result.stderr
    assert not (tmp_path / "jordan" / "2018" / "figures.yaml").exists()
    assert "were unmet" in edited.read_text(encoding="utf-8")
    result = kb_import(page("bullets.txt"), tmp_path, "--force")
    assert result.exit_code == 0 and "overwritten (--force)" in result.stdout
    assert "remained unmet" in edited.read_text(encoding="utf-8")
    assert (tmp_path / "jordan" / "2018" / "figures.yaml").exists()


def test_file_without_checksum_stops_the_import(tmp_path: Path) -> None:
    target = tmp_path / "jordan" / "2018" / "unmet-needs.en.md"
    target.parent.mkdir(parents=True)
    target.write_text("---\ntitle: Unmet needs\n---\n\nWritten by hand.\n", encoding="utf-8")
    result = kb_import(page("bullets.txt"), tmp_path)
    assert result.exit_code == 1 and "unmet-needs.en.md: has no import_checksum" in result.stderr
    assert sorted(files(tmp_path)) == ["jordan/2018/unmet-needs.en.md"]


def test_untouched_import_is_replaced_and_its_translation_left_alone(tmp_path: Path) -> None:
    assert kb_import(page("cut_narrative.txt"), tmp_path).exit_code == 0
    french = tmp_path / "mali" / "2020" / "unmet-needs.fr.md"
    french.write_text("---\ntitle: Besoins non satisfaits\n---\n\n- Traduit.\n", encoding="utf-8")
    result = kb_import(SEED, tmp_path)
    assert result.exit_code == 0 and "unmet-needs.fr.md translates the previous English text" in result.stdout
    assert len(read(tmp_path / "mali" / "2020" / "unmet-needs.en.md")[1]) == 5
    assert french.read_text(encoding="utf-8").endswith("- Traduit.\n")


def test_french_key_figure_texts_are_kept(tmp_path: Path) -> None:
    assert kb_import(page("planning_first.txt"), tmp_path).exit_code == 0
    path = tmp_path / "uganda" / "2020" / "figures.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("fr: null", "fr: des enfants réfugiés seront scolarisés dans le primaire", 1),
                    encoding="utf-8")
    edited = path.read_bytes()
    result = kb_import(page("planning_first.txt"), tmp_path)
    assert result.exit_code == 0 and path.read_bytes() == edited
    key_figures = figures(tmp_path, "uganda", 2020)["key_figures"]
    assert key_figures[0]["text"]["fr"].startswith("des enfants réfugiés")
    assert key_figures[1]["text"]["fr"] is None


def test_corrected_figure_survives_a_reimport_unless_forced(tmp_path: Path) -> None:
    """A corrected number in figures.yaml is an edit by hand: the next import stops and says so (issue 14, row 9)."""
    assert kb_import(page("planning_first.txt"), tmp_path).exit_code == 0
    path = tmp_path / "uganda" / "2020" / "figures.yaml"
    assert figures(tmp_path, "uganda", 2020)["key_figures"][1]["value"] == 1446378
    edit = path.read_text(encoding="utf-8").replace("value: 1446378", "value: 1446379", 1)
    path.write_text(edit, encoding="utf-8")
    result = kb_import(page("planning_first.txt"), tmp_path)
    assert result.exit_code == 1
    assert "figures.yaml: was edited by hand since it was imported" in result.stderr
    assert "--force" in result.stderr and "nothing written" in result.stderr
    assert path.read_text(encoding="utf-8") == edit
    assert kb_import(page("planning_first.txt"), tmp_path, "--force").exit_code == 0
    assert figures(tmp_path, "uganda", 2020)["key_figures"][1]["value"] == 1446378


def test_corrected_figure_skips_its_page_in_a_folder_import(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copyfile(page("planning_first.txt"), folder / "planning_first.txt")
    shutil.copyfile(page("bullets.txt"), folder / "bullets.txt")
    content = tmp_path / "content"
    assert CliRunner().invoke(main, ["import", str(folder), "--content", str(content)]).exit_code == 0
    path = content / "uganda" / "2020" / "figures.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 1446378", "value: 1446379", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(folder), "--content", str(content)])
    assert result.exit_code == 1
    skipped = [line for line in result.stdout.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 1 and "planning_first.txt: " in skipped[0]
    assert "uganda/2020/figures.yaml was edited by hand since it was imported" in skipped[0]
    assert "use --force" in skipped[0]
    assert "value: 1446379" in path.read_text(encoding="utf-8")


def test_figures_without_checksum_are_replaced_only_when_nothing_would_be_lost(tmp_path: Path) -> None:
    assert kb_import(page("planning_first.txt"), tmp_path).exit_code == 0
    path = tmp_path / "uganda" / "2020" / "figures.yaml"
    signed = path.read_text(encoding="utf-8")
    unsigned = re.sub(r"^import_checksum: .*\n", "", signed, flags=re.M)
    assert unsigned != signed
    path.write_text(unsigned, encoding="utf-8")  # as an older kb import wrote it: the same values
    result = kb_import(page("planning_first.txt"), tmp_path)
    assert result.exit_code == 0 and path.read_text(encoding="utf-8") == signed
    path.write_text(unsigned.replace("value: 1446378", "value: 1446379", 1), encoding="utf-8")
    result = kb_import(page("planning_first.txt"), tmp_path)
    assert result.exit_code == 1 and "figures.yaml: has no import_checksum" in result.stderr
    assert "value: 1446379" in path.read_text(encoding="utf-8")


def test_french_key_figure_texts_are_never_discarded_silently(tmp_path: Path) -> None:
    changed = tmp_path / "page.txt"
    changed.write_text(page("planning_first.txt").read_text(encoding="utf-8").replace(
        "90% of refugee children will be enrolled in primary education",
        "95% of refugee children will attend primary school"), encoding="utf-8")
    content = tmp_path / "content"
    assert kb_import(page("planning_first.txt"), content).exit_code == 0
    path = content / "uganda" / "2020" / "figures.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("fr: null", "fr: texte traduit", 1), encoding="utf-8")
    result = kb_import(changed, content)
    assert result.exit_code == 1 and "figures.yaml: holds French texts of 1 key figure(s)" in result.stderr
    assert kb_import(changed, content, "--force").exit_code == 0
    assert "texte traduit" not in path.read_text(encoding="utf-8")


def test_year_overrides(tmp_path: Path) -> None:
    assert kb_import(page("planning_first.txt"), tmp_path, "--plan-year", "2022").exit_code == 0
    assert read(tmp_path / "uganda" / "2022" / "key-priorities.en.md")[0]["year"] == 2022
    assert (tmp_path / "uganda" / "2020" / "unmet-needs.en.md").exists()


# --- errors: exit 2, one line on stderr, nothing written ------------------------------------------------------------


def _broken_pages(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "empty.txt").write_bytes(b"")
    (pages / "blank.txt").write_text("  \n\n \n", encoding="utf-8")
    (pages / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    (pages / "latin1.txt").write_bytes("Operation: Côte d'Ivoire\n".encode("latin-1") + bytes(range(0x80, 0xa0)))
    (pages / "title_only.txt").write_text("Operation: Mali\n", encoding="utf-8")
    return {
        "missing": (pages / "missing.txt", "no such file"),
        "empty": (pages / "empty.txt", "empty file"),
        "blank": (pages / "blank.txt", "empty file"),
        "binary": (pages / "image.png", "binary file"),
        "not-utf8": (pages / "latin1.txt", "not UTF-8 text"),
        "not-global-focus": (page("not_global_focus.txt"), "not a Global Focus page"),
        "nothing": (pages / "title_only.txt", "nothing to import"),
        "no-operation": (page("no_title.txt"), "pass --operation"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "blank", "binary", "not-utf8", "not-global-focus", "nothing",
                                  "no-operation"])
def test_errors_exit_2_with_one_line_and_write_nothing(tmp_path: Path, case: str) -> None:
    path, message = _broken_pages(tmp_path)[case]
    content = tmp_path / "content"
    result = kb_import(path, content)
    assert result.exit_code == 2
    assert result.stderr == f"kb import: error: {path}: {result.stderr.split(': ', 3)[3]}"
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == "" and not content.exists()


def test_bad_operation_slug_and_directory_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "content"
    assert run_import(page("bullets.txt"), content, operation="Jordan Office") == 2
    assert "is not a slug" in capsys.readouterr().err
    assert run_import(tmp_path, content) == 2
    assert f"kb import: error: {tmp_path}: is a directory" in capsys.readouterr().err
    assert not content.exists()


def test_unreadable_figures_file_is_a_conflict(tmp_path: Path) -> None:
    assert kb_import(page("decrease.txt"), tmp_path).exit_code == 0
    path = tmp_path / "angola" / "2019" / "figures.yaml"
    path.write_text("key_figures: [unclosed\n", encoding="utf-8")
    result = kb_import(page("decrease.txt"), tmp_path)
    assert result.exit_code == 1 and "figures.yaml: cannot be read as YAML" in result.stderr
    assert os.path.getsize(path) == len("key_figures: [unclosed\n")


def test_hostile_import_inputs_are_refused_with_a_reason(tmp_path: Path) -> None:
    import os

    from click.testing import CliRunner

    fifo = tmp_path / "page.fifo"
    os.mkfifo(fifo)
    runner = CliRunner()
    for args, reason in [
        (["/dev/zero"], "not a regular file"),
        ([str(fifo)], "not a regular file"),
        ([str(SEED), "--year", "-1"], "-1 is not in the range"),
        ([str(SEED), "--operation", "x" * 300], "at most 80"),
    ]:
        result = runner.invoke(main, ["import", *args, "--content", str(tmp_path / "content")])
        assert result.exit_code != 0 and reason in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert not (tmp_path / "content" / "mali" / "-1").exists()
