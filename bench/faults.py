"""Faults, the long version of tests/test_faults.py: SIGKILL during builds of a bigger corpus while a server answers,
a kill at every step of a build, a full disk, two builds at once.

    .venv/bin/python bench/faults.py [--kills 30] [--seed 11] [--operations 6] [--seconds 1800] [--skip-disk]

Set-up: a synthetic corpus (bench/corpus.py, `--operations` operations x 8 years x 7 sections x 2 languages, so that
the build checks files in worker processes) in a temporary folder, a first build, and `kb serve` over it with a
prober asking a known query (and every word added so far) throughout; every answer must be a 200 with hits.

1. Random kills (seeded): `--kills` times, edit one file (add a word), start `kb index` (full or incremental,
   alternately), SIGKILL it at a random moment of its build (uniform over the measured build time, after it took
   the lock); then: no process of the killed build is left after 5 s, the served index is whole (every document of
   the last good build, answers the known query), the next `kb index` succeeds, and the running server finds the
   new word (no restart).
2. Each step: the kill points of tests/test_faults.py, for full and incremental builds, on the small corpus.
3. Full disk (needs root for `mount -t tmpfs`; else reported as skipped): a 3 MB tmpfs as the instance folder, a
   first build of content/ that fits, then (a) the synthetic corpus, which cannot fit, (b) a rebuild of content/
   with the disk filled to 100 KB; each must exit non-zero with one line on stderr and no traceback, the old index
   served throughout (a server on the tmpfs instance answers), and the build after space is freed succeeds.
4. Two builds at once: a second `kb index` while a full build of the synthetic corpus holds the lock: exit 3 with
   "being built"; the first one completes.

Prints one line per check and a summary; exit 1 on any unexpected failure. Failures listed in KNOWN_BUGS (none
today) are reported as KNOWN BUG and do not change the exit code.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_faults import INJECT, KILL_POINTS  # noqa: E402  (the same kill points as the quick tests)

KB = str(Path(sys.executable).with_name("kb"))
KNOWN_QUERY = "refugees"
KNOWN_BUGS: dict[str, str] = {}  # kill point -> where the bug is pinned (the rename/swap one was fixed in 464619c)


class Report:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.known: list[str] = []

    def ok(self, name: str, detail: str = "") -> None:
        print(f"ok    {name}{': ' + detail if detail else ''}", flush=True)

    def fail(self, name: str, detail: str, known: str | None = None) -> None:
        if known:
            self.known.append(f"{name}: {detail}")
            print(f"KNOWN BUG {name}: {detail} [{known}]", flush=True)
        else:
            self.failures.append(f"{name}: {detail}")
            print(f"FAIL  {name}: {detail}", flush=True)


def run_kb(*args: str, env: dict | None = None, timeout: float = 3600) -> subprocess.CompletedProcess:
    return subprocess.run([KB, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


def index_args(content: Path, instance: Path, rebuild: bool = False) -> list[str]:
    return ["index", *(["--rebuild"] if rebuild else []), "--content", str(content), "--instance", str(instance)]


def whole(instance: Path, documents: int, query: str = KNOWN_QUERY) -> str | None:
    """None if the served index opens, has `documents` documents and answers `query`; else what is wrong."""
    code = ("import sys, json; from pathlib import Path; from kb.engine.backend import Query; "
            "from kb.engine.whoosh_backend import WhooshBackend; b = WhooshBackend(Path(sys.argv[1]) / 'index'); "
            "r = b.search(Query(text=sys.argv[2], filters={}, year_from=None, year_to=None, sort='relevance', "
            "offset=0, limit=5, facets=(), langs_for_text=('en', 'fr'))); "
            "print(json.dumps([b._generation().index.doc_count(), r.total, r.generation]))")
    done = subprocess.run([sys.executable, "-c", code, str(instance), query], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    if done.returncode != 0:
        return f"the served index does not open: {done.stderr.strip().splitlines()[-1:]}"
    count, hits, generation = json.loads(done.stdout)
    if count != documents:
        return f"{generation} has {count} documents, expected {documents}"
    if hits < 1:
        return f"{generation} does not answer {query!r}"
    return None


def documents_of(instance: Path) -> int:
    from kb.engine.generations import read_manifest
    from kb.engine.generations import served as served_generation

    _generation, folder = served_generation(instance)
    return read_manifest(folder)["documents"]


def wait_for_lock(instance: Path, pid: int, limit: float = 60) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if (instance / "index.lock").read_text() == f"pid {pid}":
                return True
        except OSError:
            pass
        time.sleep(0.002)
    return False


def descendants(pid: int) -> list[int]:
    """Processes whose parent chain leads to `pid` (orphans are re-parented, so also: same command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def with_cmdline(fragment: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if fragment in cmdline and "bench/faults.py" not in cmdline:
                found.append(int(entry))
    return found


def add_word(path: Path, word: str) -> None:
    """Add `word` to the file's last paragraph, before its identifier (` {#k3f9a}`) when it has one."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    found = re.search(r"(.)( \{#[a-z0-9]+\})$", text)
    at = found.start(2) if found else len(text) - 1
    path.write_text(f"{text[:at]} {word}{text[at:]}\n", encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`kb serve` over an instance, with a prober asking the known query (and extra words) every 100 ms."""

    def __init__(self, content: Path, instance: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "KB_CONTENT": str(content)}
        self.process = subprocess.Popen([KB, "serve", "--port", str(self.port), "--instance", str(instance)],
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        self.words: list[str] = []
        self.answers = 0
        self.errors: list[str] = []
        self.stop = threading.Event()
        deadline = time.monotonic() + 60
        while self.total(KNOWN_QUERY) is None:
            if time.monotonic() > deadline:
                raise RuntimeError("kb serve did not come up")
            time.sleep(0.2)
        self.thread = threading.Thread(target=self.probe, daemon=True)
        self.thread.start()

    def total(self, word: str) -> int | None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request("GET", "/api/search?" + urlencode([("q", word)]))
            response = conn.getresponse()
            body = response.read()
            conn.close()
        except OSError:
            return None
        if response.status != 200:
            self.errors.append(f"{response.status} for {word}")
            return None
        return json.loads(body)["total"]

    def probe(self) -> None:
        while not self.stop.is_set():
            for word in [KNOWN_QUERY, *self.words[-3:]]:
                total = self.total(word)
                self.answers += 1
                if total is None:
                    self.errors.append(f"no answer for {word!r}")
                elif word == KNOWN_QUERY and total < 1:
                    self.errors.append(f"no hits for {KNOWN_QUERY!r}")
            time.sleep(0.1)

    def finds(self, word: str, limit: float = 10) -> bool:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if (self.total(word) or 0) > 0:
                return True
            time.sleep(0.1)
        return False

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ------------------------------------------------------------------------------------------------ 1. random kills


def random_kills(report: Report, content: Path, instance: Path, kills: int, seed: int, deadline: float) -> None:
    rng = random.Random(seed)
    hold = {}
    for rebuild in (True, False):  # how long each kind of build holds the lock: the window of the kills
        if not rebuild:
            add_word(sorted(content.glob("*/*/*.en.md"))[0], "calibrationword")
        process = subprocess.Popen([KB, *index_args(content, instance, rebuild)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, cwd=ROOT)
        locked = time.monotonic() if wait_for_lock(instance, process.pid) else None
        out, err = process.communicate(timeout=3600)
        if process.returncode != 0 or locked is None:
            report.fail("random kills", f"the calibration build failed: {err.strip()}")
            return
        hold[rebuild] = time.monotonic() - locked
    documents = documents_of(instance)
    print(f"      the synthetic corpus: {documents} documents; a full build holds the lock {hold[True]:.1f} s, "
          f"an incremental one {hold[False]:.1f} s", flush=True)
    server = Server(content, instance)
    files = sorted(content.glob("*/*/*.en.md"))
    killed = finished = 0
    try:
        for n in range(kills):
            if time.monotonic() > deadline:
                report.fail("random kills", f"time limit reached after {n} kills")
                break
            word = f"faultword{n}x"
            add_word(files[rng.randrange(len(files))], word)
            rebuild = n % 2 == 0
            process = subprocess.Popen([KB, *index_args(content, instance, rebuild)], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, cwd=ROOT)
            delay = rng.uniform(0, 0.8 * hold[rebuild])
            if wait_for_lock(instance, process.pid):
                time.sleep(delay)
            children = descendants(process.pid)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            _, err = process.communicate(timeout=600)
            was_killed = process.returncode == -signal.SIGKILL
            killed += was_killed
            finished += not was_killed
            name = f"kill {n + 1:2}/{kills} ({'full' if rebuild else 'incremental'}, {delay:5.2f} s in)"
            if not was_killed and process.returncode != 0:
                report.fail(name, f"the build failed before the kill: {err.decode().strip()}")
                continue
            time.sleep(5)
            left = [pid for pid in children if Path(f"/proc/{pid}").exists()]
            if left:
                report.fail(name, f"processes of the killed build still running 5 s later: {left}")
                for pid in left:
                    os.kill(pid, signal.SIGKILL)
            problem = whole(instance, documents)
            if problem:
                report.fail(name, f"after the kill: {problem}")
            nxt = run_kb(*index_args(content, instance))
            if nxt.returncode != 0:
                report.fail(name, f"the next build failed ({nxt.returncode}): {nxt.stderr.strip()}")
                continue
            documents = documents_of(instance)
            server.words.append(word)
            problem = whole(instance, documents, query=word)
            if problem or not server.finds(word):
                report.fail(name, f"after the next build: {problem or f'the server does not find {word!r}'}")
                continue
            report.ok(name, f"{'killed' if was_killed else 'had finished'}; {len(children)} worker(s); index whole; "
                      f"next build ok; server finds {word}")
    finally:
        server.close()
    detail = f"{killed} killed, {finished} finished first; prober: {server.answers} answers"
    if server.errors:
        report.fail("server during the kills", f"{len(server.errors)} errors, e.g. {server.errors[:3]}; {detail}")
    else:
        report.ok("server during the kills", f"no error; {detail}")


# ------------------------------------------------------------------------------------------------ 2. each step


def each_step(report: Report, work: Path) -> None:
    for point, (where, nth) in KILL_POINTS.items():
        for rebuild in (False, True):
            root = work / f"step-{point}-{int(rebuild)}"
            content = root / "content"
            shutil.copytree(ROOT / "content", content)
            instance = root / "instance"
            run_kb(*index_args(content, instance))
            documents = documents_of(instance)
            add_word(sorted(content.glob("*/*/*.en.md"))[0], "stepword")
            killed = subprocess.run([sys.executable, "-c", INJECT, where, str(nth), str(content), str(instance),
                                     "1" if rebuild else "0"], capture_output=True, text=True, cwd=ROOT, timeout=600)
            name = f"kill at {point} ({'full' if rebuild else 'incremental'})"
            problem = None
            if killed.returncode != -signal.SIGKILL:
                problem = f"not killed: exit {killed.returncode} {killed.stderr.strip()[-200:]}"
            problem = problem or whole(instance, documents)
            if not problem:
                nxt = run_kb(*index_args(content, instance))
                if nxt.returncode != 0:
                    problem = f"the next build failed ({nxt.returncode}): {nxt.stderr.strip()}"
                else:
                    problem = whole(instance, documents, query="stepword")
            if problem:
                report.fail(name, problem, KNOWN_BUGS.get(point))
            else:
                report.ok(name, "index whole; next build ok and complete")
            shutil.rmtree(root, ignore_errors=True)


# ------------------------------------------------------------------------------------------------ 3. full disk


def full_disk(report: Report, work: Path, synthetic: Path) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        report.ok("full disk", "SKIPPED: mount -t tmpfs needs root")
        return
    for variant in ("grown corpus", "disk filled"):
        mount = work / f"disk-{variant.replace(' ', '-')}"
        mount.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True,
                              text=True)
        if done.returncode != 0:
            report.ok("full disk", f"SKIPPED: mount -t tmpfs is not permitted: {done.stderr.strip()}")
            return
        name = f"full disk ({variant})"
        content = work / f"content-{variant.replace(' ', '-')}"
        shutil.copytree(ROOT / "content", content)
        server = None
        try:
            first = run_kb(*index_args(content, mount))
            if first.returncode != 0:
                report.fail(name, f"the first build does not fit: {first.stderr.strip()}")
                continue
            documents = documents_of(mount)
            server = Server(content, mount)
            if variant == "grown corpus":
                failed = run_kb(*index_args(synthetic, mount))
            else:
                stat = os.statvfs(mount)
                with (mount / "ballast").open("wb") as handle:
                    handle.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - 100 * 1024))
                failed = run_kb(*index_args(content, mount, rebuild=True))
            lines = failed.stderr.strip().splitlines()
            problem = None
            if failed.returncode == 0:
                problem = "the build that cannot fit succeeded?"
            elif len(lines) != 1 or "Traceback" in failed.stderr or "No space left" not in failed.stderr:
                problem = f"not one clear line: {failed.stderr.strip()[-500:]!r}"
            problem = problem or whole(mount, documents) or (
                "the server stopped answering" if not server.finds(KNOWN_QUERY) else None)
            if not problem:
                (mount / "ballast").unlink(missing_ok=True)
                add_word(sorted(content.glob("*/*/*.en.md"))[0], "diskword")
                nxt = run_kb(*index_args(content, mount))
                problem = (f"the build after freeing space failed: {nxt.stderr.strip()}" if nxt.returncode else
                           whole(mount, documents, query="diskword"))
            if server.errors:
                problem = problem or f"server errors: {server.errors[:3]}"
            if problem:
                report.fail(name, problem)
            else:
                report.ok(name, f"exit {failed.returncode}: {lines[0]!r}; old index served throughout; next build ok")
        finally:
            if server:
                server.close()
            subprocess.run(["umount", str(mount)], capture_output=True)
            if os.path.ismount(mount):
                subprocess.run(["umount", "-l", str(mount)], capture_output=True)


# ------------------------------------------------------------------------------------------------ 4. two builds


def two_builds(report: Report, content: Path, instance: Path) -> None:
    first = subprocess.Popen([KB, *index_args(content, instance, rebuild=True)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=ROOT)
    if not wait_for_lock(instance, first.pid):
        report.fail("two builds at once", "the first build never took the lock")
        first.kill()
        first.wait()
        return
    time.sleep(0.5)
    second = run_kb(*index_args(content, instance))
    out, err = first.communicate(timeout=3600)
    message = second.stderr.strip()
    if second.returncode != 3 or "being built" not in message or len(message.splitlines()) != 1:
        report.fail("two builds at once", f"the second got exit {second.returncode}: {message!r}")
    elif first.returncode != 0:
        report.fail("two builds at once", f"the first failed: {err.strip()}")
    else:
        report.ok("two builds at once", f"second: exit 3, {message!r}; first: {out.strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--operations", type=int, default=6, help="operations of the synthetic corpus (default 6)")
    parser.add_argument("--seconds", type=float, default=1800, help="wall-clock limit of the random kills")
    parser.add_argument("--skip-disk", action="store_true")
    args = parser.parse_args()

    print(f"kb faults — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; seed {args.seed}", flush=True)
    started = time.monotonic()
    report = Report()
    work = Path(tempfile.mkdtemp(prefix="kb-faults-"))
    try:
        synthetic = work / "synthetic"
        subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), str(synthetic), "--operations",
                        str(args.operations), "--years", "8", "--seed", str(args.seed)], check=True, cwd=ROOT,
                       capture_output=True)
        instance = work / "instance"
        random_kills(report, synthetic, instance, args.kills, args.seed, started + args.seconds)
        left = with_cmdline(str(instance))
        if left:
            report.fail("stray processes", f"kb index processes still running: {left}")
        two_builds(report, synthetic, instance)
        each_step(report, work)
        if not args.skip_disk:
            full_disk(report, work, synthetic)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"summary: {len(report.failures)} failure(s), {len(report.known)} known bug(s), "
          f"{time.monotonic() - started:.0f} s")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
