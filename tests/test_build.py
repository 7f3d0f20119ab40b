"""kb index: full, no-op and incremental builds, atomic swaps, locks, drafts, invalid content, killed builds."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import build as build_module
from indexer.build import BuildError, build_index
from indexer.figures import load_figures
from kb.cli import main
from kb.engine import generations
from kb.engine.backend import Query
from kb.engine.generations import lock as build_lock
from kb.engine.generations import served as served_generation
from kb.engine.whoosh_backend import WhooshBackend
from tests.support import Site, build, clone_site, copy_content, edit


def hits(instance: Path, text: str, **filters: str) -> list[str]:
    backend = WhooshBackend(instance / "index")
    result = backend.search(Query(text=text, filters={k: frozenset([v]) for k, v in filters.items()}, limit=50))
    return [h.fields["doc_id"] for h in result.hits]


@pytest.fixture()
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of content/ and a folder for its index, not built yet."""
    return copy_content(tmp_path / "content"), tmp_path / "instance"


@pytest.fixture()
def built(built_site: Site, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of content/ and its index, as a first full build left them (generation 1)."""
    return clone_site(built_site, tmp_path)


def test_full_build_indexes_every_section_in_both_languages(corpus: tuple[Path, Path]) -> None:
    content, instance = corpus
    result = build(content, instance)
    assert result.full and result.generation == 1
    key_figures = len(load_figures(content / "mali/2020/figures.yaml")[0].key_figures)
    assert result.documents == len(list(content.rglob("*.md"))) + 2 * key_figures  # figures in both languages
    assert os.readlink(instance / "index") == "index-000001"
    assert "mali/2020/unmet-needs/en" in hits(instance, "birth certificate")
    assert "mali/2020/unmet-needs/fr" in hits(instance, "acte de naissance")


def test_second_build_is_a_no_op(built: tuple[Path, Path]) -> None:
    content, instance = built
    again = build(content, instance)
    assert again.up_to_date and again.generation == 1
    assert os.readlink(instance / "index") == "index-000001"


def test_editing_one_file_reindexes_that_file_only(built: tuple[Path, Path]) -> None:
    content, instance = built
    target = content / "mali/2020/key-achievements.en.md"
    edit(target, "solar radios", "solar radios and tablets")
    result = build(content, instance)
    assert (result.added, result.changed, result.deleted) == ([], ["mali/2020/key-achievements.en.md"], [])
    assert not result.full and result.generation == 2
    assert hits(instance, "tablets") == ["mali/2020/key-achievements/en"]
    assert len(hits(instance, "radios")) == 2  # the French twin is still there, and nothing doubled


def test_editing_themes_yaml_retags_every_file(built: tuple[Path, Path]) -> None:
    content, instance = built
    assert "mali/2020/key-achievements/en" not in hits(instance, "radios", theme="resettlement")
    edit(content / "themes.yaml", "      - resettled\n", "      - resettled\n      - solar radios\n")
    result = build(content, instance)
    assert result.full and "themes.yaml" in result.reason  # no file changed, yet every file's themes may have
    assert "mali/2020/key-achievements/en" in hits(instance, "radios", theme="resettlement")
    assert build(content, instance).up_to_date


def test_an_index_of_another_analysis_version_is_rebuilt_in_full(built: tuple[Path, Path],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    content, instance = built
    monkeypatch.setattr("kb.engine.generations.ANALYSIS_VERSION", "older")
    result = build(content, instance)
    assert result.full and "another version of kb" in result.reason


def test_deleting_a_pair_removes_it_from_the_index(built: tuple[Path, Path]) -> None:
    content, instance = built
    for lang in ("en", "fr"):
        (content / f"mali/2020/flexible-funding.{lang}.md").unlink()
    result = build(content, instance)
    assert sorted(result.deleted) == ["mali/2020/flexible-funding.en.md", "mali/2020/flexible-funding.fr.md"]
    assert not [d for d in hits(instance, "flexible funding") if "flexible-funding" in d]


def test_drafts_are_never_indexed(corpus: tuple[Path, Path]) -> None:
    content, instance = corpus
    for lang in ("en", "fr"):
        path = content / f"mali/2020/unmet-needs.{lang}.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\n---\n", "\ndraft: true\n---\n", 1), encoding="utf-8")
    build(content, instance)
    assert not [d for d in hits(instance, "birth certificate") + hits(instance, "naissance") if "unmet-needs" in d]


def test_invalid_content_leaves_the_served_index_untouched(built: tuple[Path, Path]) -> None:
    content, instance = built
    edit(content / "mali/2020/unmet-needs.en.md", "lang: en", "lang: [en")
    with pytest.raises(BuildError) as caught:
        build(content, instance)
    assert any("unmet-needs.en.md" in p.path for p in caught.value.problems)
    assert os.readlink(instance / "index") == "index-000001"
    runner = CliRunner()
    out = runner.invoke(main, ["index", "--content", str(content), "--instance", str(instance)])
    assert out.exit_code == 1
    assert "unmet-needs.en.md:" in out.output and "the index was not changed" in out.output
    assert "Traceback" not in out.output
    assert "mali/2020/unmet-needs/en" in hits(instance, "birth certificate")


def test_a_build_that_fails_half_way_leaves_a_working_index(built: tuple[Path, Path],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    content, instance = built
    edit(content / "mali/2020/key-achievements.en.md", "solar radios", "solar radios and tablets")

    def explode(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(generations, "write_json", explode)
    with pytest.raises(OSError):
        build_index(content, instance)
    monkeypatch.undo()
    assert os.readlink(instance / "index") == "index-000001"
    assert hits(instance, "tablets") == []
    assert build(content, instance).generation == 2
    assert hits(instance, "tablets") == ["mali/2020/key-achievements/en"]
    assert not list(instance.glob("*.building"))


def test_a_second_build_while_one_runs_gets_a_clear_message(corpus: tuple[Path, Path]) -> None:
    content, instance = corpus
    with build_lock(instance):
        out = CliRunner().invoke(main, ["index", "--content", str(content), "--instance", str(instance)])
    assert out.exit_code == 3
    assert "index is being built" in out.output and "Traceback" not in out.output


def test_a_reader_switches_to_the_new_generation_without_restart(built: tuple[Path, Path]) -> None:
    content, instance = built
    backend = WhooshBackend(instance / "index")
    assert backend.search(Query(text="tablets")).total == 0
    edit(content / "mali/2020/key-achievements.en.md", "solar radios", "solar radios and tablets")
    build(content, instance)
    assert backend.search(Query(text="tablets")).total == 1


@pytest.mark.slow
@pytest.mark.parametrize("run", range(3))
def test_sigkill_at_a_random_moment_never_breaks_the_served_index(built: tuple[Path, Path], run: int) -> None:
    content, instance = built
    rng = random.Random(run)
    kb = Path(sys.executable).parent / "kb"
    proc = subprocess.Popen([str(kb), "index", "--rebuild", "--content", str(content), "--instance", str(instance)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.05, 1.2))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert served_generation(instance) is not None
    assert "mali/2020/unmet-needs/en" in hits(instance, "birth certificate")
    result = build(content, instance, rebuild=True)
    assert result.full and not list(instance.glob("*.building"))
    assert "mali/2020/unmet-needs/fr" in hits(instance, "acte de naissance")


@pytest.mark.slow
def test_a_killed_build_leaves_no_helper_process_holding_the_lock(tmp_path: Path) -> None:
    """Checking workers and Whoosh sub-writers die with the builder, so the next build is not locked out."""
    root = Path(__file__).resolve().parent.parent
    content, instance = tmp_path / "content", tmp_path / "instance"
    subprocess.run([sys.executable, str(root / "bench" / "corpus.py"), str(content), "--operations", "4",
                    "--years", "2"], check=True, stdout=subprocess.DEVNULL)
    kb = Path(sys.executable).parent / "kb"
    command = [str(kb), "index", "--rebuild", "--content", str(content), "--instance", str(instance)]
    for delay in (0.6, 1.2):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10  # helpers die with the builder: a dying process closes its files last
        while (_processes_using(instance) or _lock_holders(instance)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _processes_using(instance) and not _lock_holders(instance)
    result = build_index(content, instance)
    assert result.documents > 100 and not list(instance.glob("*.building"))


def _lock_holders(instance: Path) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and any(str(instance / "index.lock") == os.readlink(fd)
                                            for fd in (entry / "fd").iterdir()):
                found.append(f"{entry.name}: {(entry / 'cmdline').read_bytes()[:200]!r}")
        except OSError:
            continue
    return found


def _processes_using(instance: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(instance) in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_an_unusable_served_generation_is_replaced_by_a_new_one(built: tuple[Path, Path]) -> None:
    """A generation without its manifest (an older format, a damaged disk) is rebuilt under a new number."""
    content, instance = built
    (instance / "index-000001" / generations.MANIFEST).unlink()
    result = build(content, instance)
    assert result.full and result.generation == 2
    assert os.readlink(instance / "index") == "index-000002"
    assert "mali/2020/unmet-needs/en" in hits(instance, "birth certificate")


@pytest.mark.slow
def test_a_sharded_full_build_equals_a_single_process_one(corpus: tuple[Path, Path], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Large full builds check and index in one worker per core, each writing a segment: same documents."""
    content, instance = corpus
    monkeypatch.setattr(build_module, "SHARD_ABOVE", 1)
    sharded = build(content, instance)
    monkeypatch.setattr(build_module, "SHARD_ABOVE", 10**9)
    single = build(content, tmp_path / "single")
    assert sharded.documents == single.documents
    for query in ("birth certificate", "acte de naissance", "cash assistance", "section:key-priorities"):
        assert sorted(hits(instance, query)) == sorted(hits(tmp_path / "single", query))
    words = [(folder / "index" / generations.WORDS).read_text(encoding="utf-8")
             for folder in (instance, tmp_path / "single")]
    assert words[0] == words[1] and '"statelessness"' in words[0]  # spelling suggestions draw on the same counts
    assert_every_segment_has_its_sidecar(instance)


def segment_ids(instance: Path) -> set[str]:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(instance / "index"))
    try:
        return {segment.segment_id() for segment in ix._segments()}
    finally:
        ix.close()


def assert_every_segment_has_its_sidecar(instance: Path) -> None:
    """Each segment has its posting sidecar (kb.engine.postings), and no sidecar outlives its segment."""
    folder = instance / "index"
    sidecars = {p.name.removesuffix(".kbpost.json") for p in folder.glob("*.kbpost.json")}
    assert sidecars == segment_ids(instance)
    assert {p.name.removesuffix(".kbpost") for p in folder.glob("*.kbpost")} == sidecars


@pytest.mark.slow
def test_builds_give_every_segment_its_posting_sidecar(built: tuple[Path, Path]) -> None:
    content, instance = built
    assert_every_segment_has_its_sidecar(instance)
    counts = []
    for n in range(12):  # incremental builds add segments, and Whoosh merges the small ones away
        edit(content / "mali/2020/key-achievements.en.md", "solar radios", f"solar radios ({n})")
        build(content, instance)
        assert_every_segment_has_its_sidecar(instance)
        counts.append(len(segment_ids(instance)))
        assert hits(instance, f'"solar radios {n}"') == ["mali/2020/key-achievements/en"]  # read from the sidecar
    assert hits(instance, f'"solar radios {n - 1}"') == []
    assert max(counts) > 1 and min(counts[1:]) < max(counts), counts  # segments were added and merged


def test_a_sharded_build_with_a_broken_file_changes_nothing(built: tuple[Path, Path],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    content, instance = built
    monkeypatch.setattr(build_module, "SHARD_ABOVE", 1)
    edit(content / "mali/2020/unmet-needs.fr.md", "lang: fr", "lang: de")
    with pytest.raises(BuildError) as caught:
        build(content, instance, rebuild=True)
    assert any("unmet-needs.fr.md" in p.path for p in caught.value.problems)
    assert os.readlink(instance / "index") == "index-000001" and not list(instance.glob("*.building"))
