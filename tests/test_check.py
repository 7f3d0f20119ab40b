"""`kb check`: a valid folder passes; each kind of broken file gives its exact `path:line: message`; all at once too."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from indexer.check import load_content
from indexer.content import BOM, MAX_FILE_BYTES
from kb.cli import main
from kb.model import FRONT_MATTER, SECTIONS

if TYPE_CHECKING:
    from tests.conftest import ContentBuilder

ALLOWED = ", ".join(FRONT_MATTER)
KNOWN_SECTIONS = ", ".join(SECTIONS)


def run_check(content: Path) -> Result:
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def line_of(path: Path, start: str) -> int:
    """The 1-based line of `path` that starts with `start` (so that tests say which line, not count lines)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))


# Each case breaks files in its own year folder of a valid content folder and returns the lines kb check must print.


def bom(b: ContentBuilder) -> list[str]:
    en, _fr = b.pair("mali", 2001, "unmet-needs")
    en.write_bytes(BOM + en.read_bytes())
    return [f"{en}:1: file starts with a UTF-8 byte-order mark; save without BOM"]


def crlf(b: ContentBuilder) -> list[str]:
    _en, fr = b.pair("mali", 2002, "unmet-needs")
    fr.write_bytes(fr.read_bytes().replace(b"\n", b"\r\n"))
    return [f"{fr}:1: CRLF line endings; save with LF (Unix) line endings"]


def invalid_yaml(b: ContentBuilder) -> list[str]:
    en, _fr = b.pair("mali", 2003, "unmet-needs")
    en.write_text(en.read_text(encoding="utf-8").replace("title: Unmet needs", "title: Unmet: needs"), "utf-8")
    return [f"{en}:2: invalid YAML in front matter: mapping values are not allowed here"]


def missing_field(b: ContentBuilder) -> list[str]:
    en = b.section("mali", 2004, "unmet-needs", "en", source=...)
    b.section("mali", 2004, "unmet-needs", "fr")
    return [f"{en}:1: missing required field 'source'"]


def wrong_type(b: ContentBuilder) -> list[str]:
    b.section("mali", 2005, "unmet-needs", "en")
    fr = b.section("mali", 2005, "unmet-needs", "fr", year="2005")
    return [f"{fr}:5: field 'year' must be an integer, not str '2005'"]


def unknown_key(b: ContentBuilder) -> list[str]:
    en = b.section("mali", 2006, "unmet-needs", "en", colour="blue")
    b.section("mali", 2006, "unmet-needs", "fr")
    return [f"{en}:{line_of(en, 'colour:')}: unknown field 'colour' (allowed: {ALLOWED})"]


def wrong_language(b: ContentBuilder) -> list[str]:
    texts = b.texts["operational-context"]
    en = b.section("mali", 2007, "operational-context", "en", [texts["en"][0], texts["fr"][1]])
    b.section("mali", 2007, "operational-context", "fr")
    return [f"{en}:{line_of(en, 'Cette situation')}: paragraph ¶2 reads as French, but lang is en"]


def unknown_section(b: ContentBuilder) -> list[str]:
    en, fr = b.pair("mali", 2008, "challenges")
    return [f"{path}:7: unknown section 'challenges' (known: {KNOWN_SECTIONS})" for path in (en, fr)]


def duplicate_translation_key(b: ContentBuilder) -> list[str]:
    en, _fr = b.pair("mali", 2009, "unmet-needs")
    copy = b.section("mali", 2009, "key-achievements", "en", b.texts["unmet-needs"]["en"],
                     section="unmet-needs", translation_key="mali/2009/unmet-needs", title="Unmet needs")
    return [
        f"{en}:1: duplicate document: mali/2009/unmet-needs in en is also {copy}",
        f"{copy}:1: duplicate document: mali/2009/unmet-needs in en is also {en}",
        f"{copy}:7: section is 'unmet-needs' but the file name says 'key-achievements'",
    ]


def missing_twin(b: ContentBuilder) -> list[str]:
    """Only with --require-twins (see test_a_missing_twin_is_a_notice_unless_twins_are_required)."""
    en = b.section("mali", 2010, "unmet-needs", "en")
    return [f"{en}:1: no French twin: mali/2010/unmet-needs.fr.md is missing "
            "(translate it, or mark this document draft: true)"]


def empty_body(b: ContentBuilder) -> list[str]:
    b.section("mali", 2011, "unmet-needs", "en")
    meta = b.front_matter("mali", 2011, "unmet-needs", "fr")
    fr = b.write("mali/2011/unmet-needs.fr.md", f"---\n{b.dump_yaml(meta)}---\n")
    closing = fr.read_text(encoding="utf-8").count("\n")  # the front matter's closing '---' is the last line
    return [f"{fr}:{closing}: empty body: no paragraphs after the front matter"]


def non_utf8_bytes(b: ContentBuilder) -> list[str]:
    en, _fr = b.pair("mali", 2012, "unmet-needs")
    line = line_of(en, "- School")
    en.write_bytes(en.read_bytes().replace(b"despite major", b"despite \xff major"))
    return [f"{en}:{line}: not valid UTF-8 (byte 0xff); save the file as UTF-8"]


def huge_file(b: ContentBuilder) -> list[str]:
    en, _fr = b.pair("mali", 2013, "unmet-needs")
    size = 50 * 1024 * 1024
    with en.open("r+b") as handle:  # sparse: no 50 MB is written, none may be read
        handle.truncate(size)
    return [f"{en}:1: file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}; "
            "a section is a few KB: split it or remove it"]


def symlink_out_of_content(b: ContentBuilder) -> list[str]:
    _en, _fr = b.pair("mali", 2014, "unmet-needs")
    outside = b.root.parent / "outside.en.md"
    outside.write_bytes(_en.read_bytes())
    _en.unlink()
    _en.symlink_to(outside)
    return [f"{_en}:1: symbolic link to {os.path.realpath(outside)}, outside content/; not followed "
            "(copy the file in)"]


def year_not_folder(b: ContentBuilder) -> list[str]:
    en = b.section("mali", 2015, "unmet-needs", "en", year=2016, translation_key="mali/2016/unmet-needs")
    b.section("mali", 2015, "unmet-needs", "fr")
    return [f"{en}:5: year is 2016 but the folder is 2015"]


def figures_budget_length(b: ContentBuilder) -> list[str]:
    budget = {"unit": "USD millions", "years": [2018, 2019, 2020], "budget": [49.1, 58.3, 63.0],
              "expenditure": [24.7, None]}
    path = b.figures("mali", 2017, budget=budget)
    return [f"{path}:{line_of(path, '  expenditure:')}: budget.expenditure: 2 values for 3 years "
            "(years: [2018, 2019, 2020]); give one value per year, null where the page has none"]


def no_front_matter(b: ContentBuilder) -> list[str]:
    en, _fr = b.pair("mali", 2018, "unmet-needs")
    en.write_text(en.read_text(encoding="utf-8").split("---\n\n", 1)[1], "utf-8")
    return [f"{en}:1: no front matter: the file must start with a '---' line"]


def stray_file(b: ContentBuilder) -> list[str]:
    path = b.write("mali/2019/notes.txt", "to do: translate\n")
    return [f"{path}:1: stray file: content/ holds only <section>.<lang>.md, figures.yaml, themes.yaml, "
            "operations.yaml and README.md; move it out or delete it"]


def unknown_operation(b: ContentBuilder) -> list[str]:
    en, fr = b.pair("atlantis", 2020, "unmet-needs")
    return [f"{path}:3: unknown operation 'atlantis': add it to content/operations.yaml" for path in (en, fr)]


def paragraph_count(b: ContentBuilder) -> list[str]:
    en = b.section("mali", 2021, "unmet-needs", "en")
    fr = b.section("mali", 2021, "unmet-needs", "fr", b.texts["unmet-needs"]["fr"][:2])
    return [f"{fr}:1: 2 paragraphs here but 3 in its twin {en}; ¶n of one language must be ¶n of the other"]


def translated_from_missing(b: ContentBuilder) -> list[str]:
    en = b.section("mali", 2022, "unmet-needs", "en")
    fr = b.section("mali", 2022, "unmet-needs", "fr", translated_from=...)
    return [f"{fr}:1: translated_from is missing: a translation says 'translated_from: en' (its original is {en})"]


def report_of_section(b: ContentBuilder) -> list[str]:
    en, fr = b.pair("mali", 2023, "key-priorities")
    for path in (en, fr):
        path.write_text(path.read_text(encoding="utf-8").replace("report: plan", "report: year-end"), "utf-8")
    return [f"{path}:6: section 'key-priorities' belongs to the plan report, but report is year-end"
            for path in (en, fr)]


def missing_final_newline(b: ContentBuilder) -> list[str]:
    en, _fr = b.pair("mali", 2024, "unmet-needs")
    text = en.read_text(encoding="utf-8")
    en.write_text(text + "\n", "utf-8")
    return [f"{en}:{text.count(chr(10)) + 2}: the file must end with exactly one newline"]


CASES: list[Callable[[ContentBuilder], list[str]]] = [
    bom, crlf, invalid_yaml, missing_field, wrong_type, unknown_key, wrong_language, unknown_section,
    duplicate_translation_key, empty_body, non_utf8_bytes, huge_file, symlink_out_of_content,
    year_not_folder, figures_budget_length, no_front_matter, stray_file, unknown_operation, paragraph_count,
    translated_from_missing, report_of_section, missing_final_newline,
]


def test_valid_content_passes(valid_content: Path) -> None:
    result = run_check(valid_content)
    assert result.exit_code == 0, result.output
    assert result.output == ("kb check: 4 documents (2 en, 2 fr; 0 drafts), 1 figures file, 1 operation: "
                             "no problems; 4 without paragraph identifiers, which kb ids adds\n")


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_each_broken_file_is_reported_exactly(
    valid_content: Path, content_builder: ContentBuilder, case: Callable[[ContentBuilder], list[str]]
) -> None:
    expected = case(content_builder)
    result = run_check(valid_content)
    assert result.exit_code == 1
    printed = result.output.splitlines()
    for line in expected:
        assert line in printed, f"{line!r} not in:\n{result.output}"
    valid = [str(path) for path in valid_content.glob("mali/2020/*")]
    assert not [line for line in printed if line.split(":", 1)[0] in valid], result.output


def test_all_broken_files_are_reported_in_one_run(valid_content: Path, content_builder: ContentBuilder) -> None:
    expected = [line for case in CASES for line in case(content_builder)]
    result = run_check(valid_content)
    assert result.exit_code == 1
    printed = result.output.splitlines()
    missing = [line for line in expected if line not in printed]
    assert not missing, "\n".join(missing) + "\n--- printed:\n" + result.output
    problems, summary = [line for line in printed[:-1] if ": notice: " not in line], printed[-1]
    assert problems == [str(problem) for problem in load_content(valid_content)[1]]  # the loader's, sorted
    files = len({line.split(":", 1)[0] for line in problems})
    assert summary == f"kb check: {len(problems)} problems in {files} files"


def test_problems_are_sorted_by_path_then_line(valid_content: Path, content_builder: ContentBuilder) -> None:
    for case in (bom, wrong_language, unknown_key, non_utf8_bytes):
        case(content_builder)
    _sections, problems = load_content(valid_content)
    assert problems == sorted(problems, key=lambda problem: (problem.path, problem.line, problem.message))


def test_load_content_returns_sections_and_drafts(valid_content: Path, content_builder: ContentBuilder) -> None:
    texts = content_builder.texts["unmet-needs"]
    content_builder.section("mali", 2020, "key-achievements", "en", texts["en"], draft=True)
    sections, problems = load_content(valid_content)
    assert problems == []
    by_id = {section.doc_id: section for section in sections}
    assert sorted(by_id) == [
        "mali/2020/key-achievements/en",
        "mali/2020/operational-context/en", "mali/2020/operational-context/fr",
        "mali/2020/unmet-needs/en", "mali/2020/unmet-needs/fr",
    ]
    assert by_id["mali/2020/key-achievements/en"].draft is True
    unmet = by_id["mali/2020/unmet-needs/fr"]
    first = line_of(unmet.path, "- Le HCR")
    assert [(p.n, p.kind, p.line) for p in unmet.paragraphs] == [(1, "li", first), (2, "li", first + 1),
                                                                 (3, "li", first + 2)]
    assert unmet.translated_from == "en" and unmet.country == ["MLI"]


def test_a_missing_twin_is_a_notice_unless_twins_are_required(valid_content: Path,
                                                              content_builder: ContentBuilder) -> None:
    expected = missing_twin(content_builder)
    result = run_check(valid_content)
    assert result.exit_code == 0, result.output
    en = valid_content / "mali" / "2010" / "unmet-needs.en.md"
    assert result.output.splitlines() == [
        f"{en}:1: notice: no French twin (mali/2010/unmet-needs.fr.md); the section is published in English only",
        "kb check: 5 documents (3 en, 2 fr; 0 drafts; 1 section in one language only), 1 figures file, "
        "1 operation: no problems; 5 without paragraph identifiers, which kb ids adds",
    ]
    assert load_content(valid_content)[1] == []  # the loader (and so the build) has no problem with it
    strict = CliRunner().invoke(main, ["check", "--content", str(valid_content), "--require-twins"])
    assert strict.exit_code == 1 and strict.output.splitlines() == [*expected, "kb check: 1 problem in 1 file"]


def test_a_draft_translation_in_progress_passes(valid_content: Path, content_builder: ContentBuilder) -> None:
    """A draft needs no twin, may lack paragraphs and may still hold untranslated English."""
    texts = content_builder.texts["unmet-needs"]
    content_builder.section("mali", 2020, "key-achievements", "en", texts["en"])
    content_builder.section("mali", 2020, "key-achievements", "fr", texts["en"][:1], draft=True)
    content_builder.section("mali", 2020, "population-trends", "en", texts["en"], draft=True)
    result = run_check(valid_content)
    assert result.exit_code == 0, result.output


def test_unknown_theme_is_reported_when_themes_yaml_exists(valid_content: Path,
                                                           content_builder: ContentBuilder) -> None:
    texts = content_builder.texts["unmet-needs"]
    en = content_builder.section("mali", 2020, "key-achievements", "en", texts["en"],
                                 themes=["education", "astrology"])
    content_builder.section("mali", 2020, "key-achievements", "fr", texts["fr"])
    assert run_check(valid_content).exit_code == 0  # no themes.yaml: the themes check is skipped
    content_builder.write("themes.yaml", content_builder.dump_yaml([{
        "slug": "education", "impact_area": "empower", "label": {"en": "Education", "fr": "Éducation"},
        "terms": {"en": ["school"], "fr": ["école"]},
    }]))
    result = run_check(valid_content)
    assert result.output.splitlines()[:-1] == [
        f"{en}:{line_of(en, 'themes:')}: unknown theme 'astrology': themes are the slugs in content/themes.yaml"
    ]


def test_paths_are_relative_to_the_current_directory(valid_content: Path, content_builder: ContentBuilder,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    bom(content_builder)
    monkeypatch.chdir(valid_content.parent)
    result = run_check(Path("content"))
    assert result.output.splitlines()[0] == ("content/mali/2001/unmet-needs.en.md:1: file starts with a UTF-8 "
                                             "byte-order mark; save without BOM")


def test_missing_content_folder_is_one_clear_line(tmp_path: Path) -> None:
    result = run_check(tmp_path / "nowhere")
    assert result.exit_code == 1
    assert result.output == f"{tmp_path / 'nowhere'}: no such content folder\n"


def test_a_broken_themes_yaml_is_reported_with_its_line(valid_content: Path,
                                                        content_builder: ContentBuilder) -> None:
    path = content_builder.write("themes.yaml", "- slug: education\n  label: {en: Education, fr: [\n")
    result = run_check(valid_content)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(f"{path}:3: invalid YAML: ")
    path = content_builder.write("themes.yaml", "- slug: Education!\n")
    result = run_check(valid_content)
    assert result.output.splitlines()[0] == (f"{path}:1: theme 1: slug must be lower-case words joined by hyphens, "
                                             "not 'Education!'")


def test_operations_yaml_is_required_and_checked(valid_content: Path, content_builder: ContentBuilder) -> None:
    path = content_builder.operations({"mali": {"en": "Mali", "fr": "Mali", "country": ["mli"]}})
    result = run_check(valid_content)
    line = line_of(path, "  - mli")
    assert result.output.splitlines()[:-1] == [
        f"{path}:{line}: mali.country[0]: 'mli' is not an ISO 3166-1 alpha-3 code in upper case (e.g. MLI)"
    ]
    path.unlink()
    result = run_check(valid_content)
    assert result.output.splitlines()[:-1] == [f"{path}:1: missing: operations.yaml lists the operations "
                                               "(slug: {en, fr, country})"]


def test_figures_must_agree_with_their_folder(valid_content: Path, content_builder: ContentBuilder) -> None:
    path = content_builder.figures("mali", 2020, operation="niger", year=2019)
    result = run_check(valid_content)
    assert result.output.splitlines()[:-1] == [
        f"{path}:1: operation: 'niger' but the folder is 'mali'",
        f"{path}:2: year: 2019 but the folder is 2020",
    ]


def test_figures_import_checksum_is_checked(valid_content: Path, content_builder: ContentBuilder) -> None:
    content_builder.figures("mali", 2020, import_checksum="sha256:" + "ab" * 32)
    assert run_check(valid_content).exit_code == 0
    path = content_builder.figures("mali", 2020, import_checksum="md5:1234")
    result = run_check(valid_content)
    line = line_of(path, "import_checksum:")
    assert result.output.splitlines()[:-1] == [
        f"{path}:{line}: import_checksum: must be 'sha256:' and 64 lower-case hex digits (written by kb import)"]


def test_checking_in_several_processes_finds_the_same(valid_content: Path, content_builder: ContentBuilder,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for case in CASES:
        case(content_builder)
    serial = load_content(valid_content, jobs=1)
    monkeypatch.setattr("indexer.check.PARALLEL_MIN", 2)
    parallel = load_content(valid_content, jobs=2)
    assert parallel[1] == serial[1]
    assert [section.doc_id for section in parallel[0]] == [section.doc_id for section in serial[0]]


def test_a_markdown_image_is_reported_and_never_shown(valid_content: Path, content_builder: ContentBuilder) -> None:
    texts = content_builder.texts["unmet-needs"]
    en = [*texts["en"][:1], texts["en"][1] + " ![a map](https://evil.example/x.png)", *texts["en"][2:]]
    path = content_builder.section("mali", 2020, "key-achievements", "en", en)
    content_builder.section("mali", 2020, "key-achievements", "fr", texts["fr"])
    result = run_check(valid_content)
    assert result.exit_code == 1 and "paragraph ¶2 has a Markdown image" in result.output
    assert f"{path.name}:" in result.output

    from kb.engine.stored import StoredParagraph
    from kb.render import render_paragraphs

    html = str(render_paragraphs([StoredParagraph(1, "![x](https://evil.example/x.png) ![](data:image/png;base64,A)")],
                                 "en")[0].html)
    assert "<img" not in html and "evil.example" not in html and "data:" not in html and "[x]" in html


def test_a_309_digit_figure_is_a_problem_not_a_crash(valid_content: Path) -> None:
    figures = next(valid_content.rglob("figures.yaml"))
    text = figures.read_text(encoding="utf-8")
    first = text.index("value: ") + len("value: ")
    end = text.index("\n", first)
    figures.write_text(text[:first] + "9" * 309 + text[end:], encoding="utf-8")
    result = run_check(valid_content)
    assert result.exit_code == 1 and "a number of 309 digits is too large for a figure" in result.output
    assert "Traceback" not in result.output and "OverflowError" not in result.output
