"""Faults during `kb index`: SIGKILL at random moments and at each step of a build, a full disk, two builds at once.

After each fault the served index must be whole (it opens, holds every document of the last good build and answers a
known query) and the next build must succeed and bring in what the killed one was adding; a full disk gives a one-line
error and a non-zero exit, the old index still served; a second build gets "being built" and exit 3. The quick
version runs here; `bench/faults.py` runs the long one (more kills, a bigger corpus, a server answering throughout).
See docs/reliability.md.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.engine.generations import lock as build_lock
from kb.engine.generations import served as served_generation
from tests.support import Site, clone_site, copy_content, edit

KB = str(Path(sys.executable).with_name("kb"))
ROOT = Path(__file__).resolve().parent.parent
KNOWN_QUERY = "birth certificate"  # in Mali 2020 unmet needs, English
SEED = 20260511

pytestmark = pytest.mark.slow  # every test here builds, most of them kill a build


def run_kb(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([KB, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def index_args(content: Path, instance: Path, rebuild: bool = False) -> list[str]:
    return ["index", *(["--rebuild"] if rebuild else []), "--content", str(content), "--instance", str(instance)]


def served(instance: Path, query: str = KNOWN_QUERY) -> tuple[int, int, int]:
    """(generation, documents, hits for `query`) of the served index, opened afresh as a new server would."""
    from kb.engine.backend import Query
    from kb.engine.whoosh_backend import WhooshBackend

    found = served_generation(instance)
    assert found is not None, f"{instance}/index is not a usable generation: {sorted(os.listdir(instance))}"
    generation, folder = found
    backend = WhooshBackend(instance / "index")
    result = backend.search(Query(text=query, filters={}, year_from=None, year_to=None, sort="relevance", offset=0,
                                  limit=10, facets=(), langs_for_text=("en", "fr")))
    gen = backend._generation()
    documents = gen.index.doc_count()
    gen.index.close()
    return generation, documents, result.total


def assert_whole(instance: Path, documents: int, query: str = KNOWN_QUERY) -> int:
    generation, count, hits = served(instance, query)
    assert count == documents, f"generation {generation} has {count} documents, expected {documents}"
    assert hits >= 1, f"generation {generation} does not answer {query!r}"
    return generation


@pytest.fixture()
def site(built_site: Site, tmp_path: Path) -> tuple[Path, Path, int]:
    """(content, instance, documents): a private copy of the built site, a first good build of content/."""
    content, instance = clone_site(built_site, tmp_path)
    return content, instance, served(instance)[1]


def add_word(content: Path, word: str, n: int) -> None:
    """Append `word` to an English paragraph (a different one each time), keeping the file valid."""
    files = sorted(content.glob("mali/2020/*.en.md"))
    path = files[n % len(files)]
    text, identifier = re.fullmatch(r"(.*?)((?: \{#[a-z0-9]+\})?)", path.read_text(encoding="utf-8").rstrip("\n"),
                                    re.S).groups()  # the word goes before the paragraph's identifier
    path.write_text(f"{text[:-1]} {word}{text[-1]}{identifier}\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------------ SIGKILL


def wait_for_lock(instance: Path, pid: int, limit: float = 20) -> bool:
    """Wait until process `pid` holds the build lock (it writes its pid there); False if it finished first."""
    lock = instance / "index.lock"
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if lock.read_text() == f"pid {pid}":
                return True
        except OSError:
            pass
        time.sleep(0.002)
    return False


def kill_during_build(args: list[str], instance: Path, delay: float) -> int | None:
    """Start `kb index`, SIGKILL it `delay` seconds after it took the lock; its exit code (None if killed)."""
    process = subprocess.Popen([KB, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        if wait_for_lock(instance, process.pid):
            time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return None if process.returncode == -signal.SIGKILL else process.returncode


def test_sigkill_at_random_moments_leaves_the_served_index_whole(site: tuple[Path, Path, int]) -> None:
    content, instance, documents = site
    started = time.monotonic()
    assert run_kb(*index_args(content, instance, rebuild=True)).returncode == 0
    build_time = time.monotonic() - started  # an upper bound of the time a build holds the lock
    rng = random.Random(SEED)
    killed = 0
    for n in range(4):
        word = f"killword{n}"
        add_word(content, word, n)
        rebuild = n % 2 == 0
        code = kill_during_build(index_args(content, instance, rebuild), instance, rng.uniform(0, build_time * 0.8))
        killed += code is None
        assert code in (None, 0)
        assert_whole(instance, documents)
        after = run_kb(*index_args(content, instance))
        assert after.returncode == 0, after.stderr
        assert_whole(instance, documents, query=word)  # nothing the killed build was adding is lost
    assert killed >= 2, "the kills came too late to test anything: the builds had finished"


INJECT = """
import os, signal, sys
from importlib import import_module
from pathlib import Path
where, nth, content, instance, rebuild = sys.argv[1:6]
module_name, _, attr = where.partition(":")
owner = import_module(module_name)
*path, name = attr.split(".")
for part in path:
    owner = getattr(owner, part)
real = getattr(owner, name)
calls = [0]
def killer(*args, **kwargs):
    calls[0] += 1
    if calls[0] == int(nth):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
setattr(owner, name, killer)
from indexer.build import run_build
sys.exit(run_build(Path(content), Path(instance), rebuild=rebuild == "1"))
"""

# Each step of a build, in order: the function (module:attribute) and which of its calls is the moment of the kill.
# They follow indexer/build.py's internals: when one is renamed, its test fails with an AttributeError; update it.
KILL_POINTS = {
    "planning": ("indexer.build:_plan", 1),
    "checking-files": ("indexer.workers:process_files", 1),
    "adding-documents": ("whoosh.writing:SegmentWriter.add_document", 1),
    "committing": ("whoosh.writing:SegmentWriter.commit", 1),
    "before-word-list": ("kb.engine.generations:write_json", 1),
    "before-manifest": ("kb.engine.generations:write_pickle", 1),
    "after-rename-before-swap": ("kb.engine.generations:swap", 1),
    "after-swap-before-fsync": ("kb.engine.generations:fsync_dir", 2),
    "before-sweep": ("kb.engine.generations:sweep", 2),
    "before-report": ("kb.engine.generations:read_manifest", 2),
}
# The kill between rename and swap used to wedge every later build (ENOTEMPTY on index-<N+1>); fixed in 464619c
# ("Builds never reuse a generation number left by an unusable generation"); its point stays as a regression test.


def kill_at(point: str, content: Path, instance: Path, rebuild: bool) -> subprocess.CompletedProcess:
    where, nth = KILL_POINTS[point]
    return subprocess.run([sys.executable, "-c", INJECT, where, str(nth), str(content), str(instance),
                           "1" if rebuild else "0"], capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_at_each_step_of_an_incremental_build(site: tuple[Path, Path, int], point: str) -> None:
    content, instance, documents = site
    add_word(content, "stepword", 0)
    killed = kill_at(point, content, instance, rebuild=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert_whole(instance, documents)
    after = run_kb(*index_args(content, instance))
    assert after.returncode == 0, after.stderr
    assert_whole(instance, documents, query="stepword")


# ------------------------------------------------------------------------------------------------ a full disk


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs mounted on tmp_path/instance (skipped where mount is not permitted)."""
    mount = tmp_path / "instance"
    mount.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("a full disk needs `mount -t tmpfs`, which needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
        if os.path.ismount(mount):
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk: Path, leave_kb: int) -> None:
    """Fill the disk with a ballast file, leaving about `leave_kb` KB free."""
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with (disk / "ballast").open("wb") as handle:
        handle.write(b"\0" * max(0, free - leave_kb * 1024))


@pytest.mark.parametrize("rebuild", [True, False], ids=["rebuild", "incremental"])
def test_a_build_that_cannot_fit_fails_in_one_line_and_keeps_the_index(tmp_path: Path, small_disk: Path,
                                                                        rebuild: bool) -> None:
    from kb import create_app

    content = copy_content(tmp_path / "content")
    first = run_kb(*index_args(content, small_disk))
    assert first.returncode == 0, first.stderr
    documents = served(small_disk)[1]
    add_word(content, "diskword", 0)
    fill(small_disk, leave_kb=100)
    failed = run_kb(*index_args(content, small_disk, rebuild=rebuild))
    assert failed.returncode != 0
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in failed.stderr, failed.stderr
    assert lines[0].startswith("kb index: ") and "No space left on device" in lines[0], lines[0]
    assert assert_whole(small_disk, documents) == 1
    app = create_app(instance_path=str(small_disk))
    answer = app.test_client().get("/api/search", query_string={"q": KNOWN_QUERY})
    assert answer.status_code == 200 and answer.get_json()["total"] >= 1 and answer.get_json()["generation"]
    (small_disk / "ballast").unlink()  # space again: the next build succeeds and cleans up after the failed one
    after = run_kb(*index_args(content, small_disk))
    assert after.returncode == 0, after.stderr
    assert_whole(small_disk, documents, query="diskword")
    assert not list(small_disk.glob("*.building"))


# ------------------------------------------------------------------------------------------------ two builds


def test_a_second_build_is_told_the_index_is_being_built(site: tuple[Path, Path, int]) -> None:
    content, instance, documents = site
    edit(content / "mali/2020/unmet-needs.en.md", "critical issue", "critical issue lockword")
    with build_lock(instance):  # a build in progress, as another process would hold it
        second = run_kb(*index_args(content, instance))
    assert second.returncode == 3
    assert second.stderr.strip() == (f"kb index: the index is being built by pid {os.getpid()}; try again when it "
                                     "has finished")
    assert_whole(instance, documents)
    assert run_kb(*index_args(content, instance)).returncode == 0
    assert_whole(instance, documents, query="lockword")


def test_two_real_builds_at_once(site: tuple[Path, Path, int]) -> None:
    """Two `kb index` processes: while one holds the lock the other exits 3 with the message."""
    content, instance, _documents = site
    first = subprocess.Popen([KB, *index_args(content, instance, rebuild=True)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        if not wait_for_lock(instance, first.pid):
            pytest.skip("the first build finished before the second could start")
        os.kill(first.pid, signal.SIGSTOP)  # keep it holding the lock, however fast the machine
        second = run_kb(*index_args(content, instance))
        os.kill(first.pid, signal.SIGCONT)
        assert second.returncode == 3 and "being built" in second.stderr and f"pid {first.pid}" in second.stderr
        out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGCONT)
            first.kill()
            first.wait()
