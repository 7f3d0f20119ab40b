"""The `kb` command line: `kb --help`, `kb search` (text and --json, filters, exit 2 on a query it cannot read, exit 1
without an index) and the messages of `kb index` (up to date, incremental).

`kb search` runs in-process through click's runner over the session's built site; `kb --help` runs the installed
`kb` script. `kb check`, `kb import` and `kb themes` have their own test files (test_check, test_importer,
test_themes); `kb index`'s failures are in test_build and test_faults.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli import main
from tests.support import ROOT, Site, clone_site, edit

KB = str(Path(sys.executable).with_name("kb"))
HIT = re.compile(r"^(\d+)\. (.+) — (.+) (\d{4}) \[(en|fr)\] (/\S*)$")  # "1. Unmet needs — Mali 2020 [en] /en/…"


def kb(*args: str, site: Site | None = None) -> Result:
    env = {"KB_CONTENT": str(site.content)} if site else {}
    instance = ["--instance", str(site.instance)] if site and args[0] in ("search", "index") else []
    return CliRunner().invoke(main, [*args, *instance], env=env)


def paragraph_id(site: Site, rel: str, words: str) -> str:
    """The identifier ({#…} at its end) of the paragraph of content file `rel` that holds `words`."""
    line = next(line for line in (site.content / rel).read_text(encoding="utf-8").splitlines() if words in line)
    return re.search(r"\{#(\w+)\}$", line).group(1)


def hits(output: str) -> list[tuple[str, ...]]:
    """(title, operation, year, lang, url) of each hit line of `kb search`'s text output."""
    return [m.groups()[1:] for m in map(HIT.match, output.splitlines()) if m]


# ------------------------------------------------------------------------------------------------ kb --help


def test_kb_help_lists_every_command() -> None:
    done = subprocess.run([KB, "--help"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("Usage: kb ")
    listed = re.findall(r"^  (\w+)  ", done.stdout.split("Commands:")[1], re.M)
    assert listed == ["check", "glossary", "ids", "import", "index", "search", "serve", "themes"]


def test_kb_search_help_names_its_filters() -> None:
    result = kb("search", "--help")
    assert result.exit_code == 0
    for option in ("--year", "--theme", "--section", "--operation", "--lang", "--limit", "--json", "--instance"):
        assert option in result.output, option


# ------------------------------------------------------------------------------------------------ kb search


def test_search_prints_the_count_then_each_hit_with_its_address_and_snippet(built_site: Site) -> None:
    result = kb("search", "birth certificate", site=built_site)
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "1 result"
    ref = paragraph_id(built_site, "mali/2020/unmet-needs.en.md", "birth certificate")
    assert hits(result.stdout) == [("Unmet needs", "Mali", "2020", "en",
                                    f"/en/mali/2020/unmet-needs?hl=birth+certif#{ref}")]
    snippet = lines[lines.index(next(line for line in lines if HIT.match(line))) + 1]
    assert snippet.startswith("   Child documentation") and "birth certificate" in snippet and "<mark>" not in snippet


def test_search_hits_lead_to_the_paragraph_on_the_site(built_site: Site) -> None:
    url = hits(kb("search", "acte de naissance", site=built_site).stdout)[0][-1]
    ref = paragraph_id(built_site, "mali/2020/unmet-needs.fr.md", "acte de naissance")
    assert url.endswith(f"#{ref}")
    page = built_site.client().get(url)
    assert page.status_code == 200
    assert f'<div class="para li marked" id="{ref}"' in page.get_data(as_text=True)


def test_search_json_is_the_api_answer(built_site: Site) -> None:
    result = kb("search", "refugees", "--json", site=built_site)
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    api = built_site.client().get("/api/search", query_string={"q": "refugees"}).get_json()
    assert answer["total"] == api["total"] > 1
    assert [h["doc_id"] for h in answer["hits"]] == [h["doc_id"] for h in api["hits"]]
    assert {h["url"] for h in answer["hits"]} == {h["url"] for h in api["hits"]}
    assert set(answer) == set(api)


@pytest.mark.parametrize(("filters", "holds"), [
    (("--lang", "fr"), lambda hit: hit[3] == "fr"),
    (("--section", "unmet-needs"), lambda hit: "/unmet-needs?" in hit[4]),
    (("--lang", "en", "--section", "key-priorities"), lambda hit: hit[3] == "en" and "/key-priorities?" in hit[4]),
])
def test_search_filters_keep_only_matching_hits(built_site: Site, filters: tuple[str, ...],
                                                holds: Callable[[tuple[str, ...]], bool]) -> None:
    everything = hits(kb("search", "refugees OR réfugiés", "--limit", "100", site=built_site).stdout)
    found = hits(kb("search", "refugees OR réfugiés", "--limit", "100", *filters, site=built_site).stdout)
    assert found and all(holds(hit) for hit in found), found
    assert len(found) < len(everything)


def test_search_year_filter(built_site: Site) -> None:
    everything = kb("search", "refugees", site=built_site).stdout.splitlines()[0]
    assert kb("search", "refugees", "--year", "2020", site=built_site).stdout.splitlines()[0] == everything
    assert kb("search", "refugees", "--year", "2019", site=built_site).stdout == "0 results\n"  # no 2019 report


def test_search_theme_filter_agrees_with_the_json_themes(built_site: Site) -> None:
    answer = json.loads(kb("search", "refugees", "--theme", "education", "--json", site=built_site).stdout)
    assert answer["total"] >= 1 and answer["filters"] == {"theme": ["education"]}
    assert all("education" in hit["themes"] for hit in answer["hits"])


def test_search_limit(built_site: Site) -> None:
    result = kb("search", "refugees", "--limit", "2", site=built_site)
    assert len(hits(result.stdout)) == 2 and int(result.stdout.split()[0]) > 2


def test_an_unknown_filter_value_exits_2_naming_the_known_ones(built_site: Site) -> None:
    result = kb("search", "refugees", "--operation", "atlantis", site=built_site)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "kb search: operation: unknown value 'atlantis'; one of mali\n"


def test_search_suggests_a_spelling(built_site: Site) -> None:
    result = kb("search", "educaton", site=built_site)
    assert result.exit_code == 0 and result.stdout.splitlines()[:2] == ["0 results", "Did you mean: education"]


@pytest.mark.parametrize(("query", "reason"), [
    ('"birth', 'a quotation mark is not closed: phrases need a " at each end'),
    ("paragraphs:x", "'paragraphs:' cannot be searched"),
])
def test_a_query_that_cannot_be_read_exits_2_with_one_line(built_site: Site, query: str, reason: str) -> None:
    result = kb("search", query, site=built_site)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"kb search: {reason}") and len(result.stderr.splitlines()) == 1


def test_a_bad_option_exits_2_with_usage(built_site: Site) -> None:
    result = kb("search", "refugees", "--limit", "0", site=built_site)
    assert result.exit_code == 2 and "Invalid value for '--limit'" in result.stderr


def test_search_without_an_index_exits_1_and_says_to_run_kb_index(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["search", "refugees", "--instance", str(tmp_path)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"kb search: no index at {tmp_path / 'index'}; run `kb index`\n"


# ------------------------------------------------------------------------------------------------ kb index


def test_kb_index_says_up_to_date_then_incremental_after_an_edit(built_site: Site, tmp_path: Path) -> None:
    content, instance = clone_site(built_site, tmp_path)
    site = Site(content, instance, built_site.app)
    first = kb("index", "--content", str(content), site=site)
    assert first.exit_code == 0
    assert first.stdout == "Index is up to date (generation 1, 34 documents).\n"
    edit(content / "mali/2020/unmet-needs.en.md", "critical issue", "critical clioword issue")
    second = kb("index", "--content", str(content), site=site)
    assert second.exit_code == 0
    assert re.fullmatch(r"Incremental build: generation 2, 34 documents \(0 added, 1 changed, 0 deleted\) "
                        r"in \d+\.\d\d s\.\n", second.stdout), second.stdout
    assert hits(kb("search", "clioword", site=site).stdout)[0][-1].startswith("/en/mali/2020/unmet-needs?")
    assert kb("index", "--content", str(content), site=site).stdout.startswith("Index is up to date (generation 2,")
