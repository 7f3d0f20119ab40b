"""Load: 32 concurrent clients for 60 s against `kb serve`, while `kb index` swaps the index under them.

    .venv/bin/python bench/load.py [--clients 32] [--seconds 60] [--content content/] [--server-threads 8]
                                   [--seed 7] [--slow 2.0]

It copies the content folder to a temporary folder, builds the index, and starts the real server as a subprocess:
`.venv/bin/kb serve --port <free> --instance <tmp>/instance` with `KB_CONTENT=<tmp>/content`. The clients (threads,
each on its own keep-alive connection) send a realistic mix: searches on the page and the API (common words in both
languages, phrases, prefixes, boolean queries; facets, sorting, paging), section pages with highlights, operation
pages, CSV/JSON downloads, the compare view, static files. Every answer must be a 200.

During the run the index is swapped three times, without a restart:
  1. at 20% of the run: a unique word is added to a section file, then `kb index --rebuild`;
  2. at 45%: a second unique word is added to another file, then `kb index` (incremental);
  3. at 70%: the first word is taken out again, then `kb index` (incremental).
A prober asks `/api/search?q=<word>` every 50 ms and records when each word becomes findable (and, for the third
swap, unfindable), and which index generation answered.

It prints requests, errors, p50/p90/p99/max latency (all, and during the builds), per-swap timings, and the server's
threads, open files and memory before and after; exit 1 on any error, a word not switching, or a build failing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
KB = str(Path(sys.executable).with_name("kb"))
WORD_A, WORD_B = "quokkalantern", "zebrafathom"  # in no report: findable only once added

QUERIES = ["refugees", "réfugiés", "refugies", "birth certificate", '"birth certificate"', "acte de naissance",
           "COVID-19", "education", "éducation", "registration", "register", "sécurité", "security", "refug*",
           "educ*", "education NOT radios", "ambulances OR naturalisation", "cash assistance", "statelessness",
           "shelter", "abris", "voluntary return", "rapatriement", "returnees", "IDPs", "Liptako-Gourma",
           "gender-based violence", "protection monitoring", "livelihoods", "self-reliance", "water", "health",
           "title:needs", "section:unmet-needs", "theme:education", "year:2020", "mali", "statelesness"]
FACETS = [("lang", "en"), ("lang", "fr"), ("year", "2020"), ("section", "unmet-needs"), ("section", "key-achievements"),
          ("theme", "education"), ("theme", "covid-19"), ("report", "year-end"), ("operation", "mali"),
          ("sort", "newest"), ("sort", "oldest"), ("per_page", "20"), ("page", "2"), ("ui", "fr")]
SECTIONS = ["operational-context", "population-trends", "key-achievements", "unmet-needs", "flexible-funding",
            "working-environment", "key-priorities"]


def realistic(rng: random.Random) -> str:
    pick = rng.random()
    facets = rng.sample(FACETS, k=rng.choice([0, 0, 0, 1, 1, 2]))
    if pick < 0.40:
        return "/?" + urlencode([("q", rng.choice(QUERIES)), *facets])
    if pick < 0.60:
        return "/api/search?" + urlencode([("q", rng.choice(QUERIES)), *facets])
    if pick < 0.65:
        return "/?" + urlencode(facets) if facets else "/"
    if pick < 0.82:
        lang, section = rng.choice(["en", "fr"]), rng.choice(SECTIONS)
        hl = "?" + urlencode([("hl", rng.choice(["regist refuge", "educ", "covid", "secur"]))]) if rng.random() < 0.4 \
            else ""
        return f"/{lang}/mali/2020/{section}{hl}"
    if pick < 0.87:
        return rng.choice(["/en/mali", "/fr/mali"])
    if pick < 0.90:
        return rng.choice(["/api/search.csv?q=refugees", "/en/mali/figures.json", "/en/mali/figures/budget.csv",
                           "/api/sections/fr/mali/2020/unmet-needs"])
    if pick < 0.93:
        section = rng.choice(SECTIONS)
        return f"/compare?a=en/mali/2020/{section}&b=fr/mali/2020/{section}"
    if pick < 0.96:
        return rng.choice(["/static/kb.css", "/static/kb.js", "/api/openapi.json"])
    return "/api/search?" + urlencode([("q", rng.choice(QUERIES))])


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[tuple[float, float]] = []  # (monotonic end time, seconds)
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.error_count = 0

    def record(self, end: float, seconds: float, status: int, error: str | None) -> None:
        with self.lock:
            self.samples.append((end, seconds))
            self.statuses[status] += 1
            if error:
                self.error_count += 1
                if len(self.errors) < 30:
                    self.errors.append(error)


def get(conn: http.client.HTTPConnection, target: str) -> tuple[int, bytes]:
    conn.request("GET", target, headers={"Accept-Language": "en"})
    response = conn.getresponse()
    return response.status, response.read()


def client(port: int, seed: int, stats: Stats, stop: threading.Event, slow: float) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        target = realistic(rng)
        started = time.perf_counter()
        try:
            status, _body = get(conn, target)
            error = None if status == 200 else f"{status} for {target}"
        except (OSError, http.client.HTTPException) as err:
            status, error = 0, f"transport error {err!r} for {target}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        seconds = time.perf_counter() - started
        if error is None and seconds > slow:
            error = f"slow: {seconds:.2f} s for {target}"
        stats.record(time.monotonic(), seconds, status, error)
    conn.close()


class Prober:
    """Asks for the unique words every 50 ms; records (time, word, total, generation)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.log: list[tuple[float, str, int, str]] = []
        self.errors: list[str] = []

    def run(self, stop: threading.Event) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not stop.is_set():
            for word in (WORD_A, WORD_B):
                try:
                    status, body = get(conn, "/api/search?" + urlencode([("q", word)]))
                    if status != 200:
                        self.errors.append(f"prober: {status} for {word}")
                        continue
                    data = json.loads(body)
                    self.log.append((time.monotonic(), word, data["total"], data["generation"]))
                except (OSError, http.client.HTTPException) as err:
                    self.errors.append(f"prober: {err!r}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            time.sleep(0.05)
        conn.close()

    def first(self, word: str, after: float, found: bool) -> tuple[float, str] | None:
        """The first observation after `after` where `word` is (or, found=False, is no longer) findable."""
        for at, w, total, generation in self.log:
            if w == word and at >= after and (total > 0) == found:
                return at, generation
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_info(pid: int) -> str:
    try:
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        status = Path(f"/proc/{pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return f"{fields['Threads'].strip()} threads, {fds} open files, RSS {fields['VmRSS'].strip()}"
    except OSError as err:
        return f"unavailable ({err.strerror})"


def add_word(path: Path, word: str) -> None:
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text[:-1]} {word}{text[-1]}\n", encoding="utf-8")


def remove_word(path: Path, word: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(f" {word}", "", 1), encoding="utf-8")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def describe(values: list[float]) -> str:
    return (f"p50 {percentile(values, 50) * 1000:.1f} ms, p90 {percentile(values, 90) * 1000:.1f} ms, "
            f"p99 {percentile(values, 99) * 1000:.1f} ms, max {max(values, default=0) * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--slow", type=float, default=2.0, help="an answer slower than this is an error (seconds)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kb-load-"))
    content, instance = work / "content", work / "instance"
    shutil.copytree(args.content, content)
    env = {**os.environ, "KB_CONTENT": str(content)}
    first = subprocess.run([KB, "index", "--content", str(content), "--instance", str(instance)], env=env,
                           capture_output=True, text=True, timeout=3600)
    print(f"first build: {first.stdout.strip() or first.stderr.strip()}")
    if first.returncode != 0:
        return 1
    port = free_port()
    log = (work / "serve.log").open("w")  # a file, not a pipe: a full pipe would block the server's logging
    server = subprocess.Popen([KB, "serve", "--port", str(port), "--instance", str(instance), "--threads",
                               str(args.server_threads)], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    problems: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                if get(conn, "/api/search?q=refugees")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("load: the server did not come up")
                return 1
            time.sleep(0.2)
        print(f"server: kb serve --port {port} --threads {args.server_threads} (pid {server.pid}): "
              f"{process_info(server.pid)}")
        stats, stop = Stats(), threading.Event()
        prober = Prober(port)
        threads = [threading.Thread(target=client, args=(port, args.seed * 100 + i, stats, stop, args.slow))
                   for i in range(args.clients)]
        threads.append(threading.Thread(target=prober.run, args=(stop,)))
        start = time.monotonic()
        for thread in threads:
            thread.start()

        files = sorted(content.glob("*/*/*.en.md"))
        file_a, file_b = files[0], files[len(files) // 2]
        plan = [(0.20, "rebuild", f"+{WORD_A} in {file_a.relative_to(content)}", lambda: add_word(file_a, WORD_A),
                 ["--rebuild"], WORD_A, True),
                (0.45, "incremental", f"+{WORD_B} in {file_b.relative_to(content)}", lambda: add_word(file_b, WORD_B),
                 [], WORD_B, True),
                (0.70, "incremental", f"-{WORD_A} in {file_a.relative_to(content)}",
                 lambda: remove_word(file_a, WORD_A), [], WORD_A, False)]
        swaps = []
        for at, kind, change, apply, flags, word, found in plan:
            while time.monotonic() < start + at * args.seconds:
                time.sleep(0.05)
            apply()
            began = time.monotonic()
            done = subprocess.run([KB, "index", *flags, "--content", str(content), "--instance", str(instance)],
                                  env=env, capture_output=True, text=True, timeout=3600)
            ended = time.monotonic()
            if done.returncode != 0:
                problems.append(f"kb index {' '.join(flags)} failed ({done.returncode}): {done.stderr.strip()}")
            swaps.append((kind, change, word, found, began, ended, done.stdout.strip()))
        while time.monotonic() < start + args.seconds:
            time.sleep(0.1)
        stop.set()
        for thread in threads:
            thread.join(60)
        elapsed = time.monotonic() - start
        after_info = process_info(server.pid)
        server_alive = server.poll() is None
        server_log = (work / "serve.log").read_text(errors="replace").splitlines()
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(work, ignore_errors=True)

    latencies = [s for _, s in stats.samples]
    during = [s for end, s in stats.samples if any(b <= end <= e + 1.0 for _, _, _, _, b, e, _ in swaps)]
    print(f"kb load — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    rate = len(latencies) / elapsed
    print(f"clients: {args.clients} for {elapsed:.1f} s; requests: {len(latencies):,} ({rate:,.0f}/s); "
          f"errors: {stats.error_count}; statuses: "
          + ", ".join(f"{k}: {v:,}" for k, v in sorted(stats.statuses.items())))
    print(f"latency, all:          {describe(latencies)}")
    print(f"latency, during builds: {describe(during)} ({len(during):,} requests)")
    for kind, change, word, found, began, ended, output in swaps:
        seen = prober.first(word, began, found)
        if seen is None:
            problems.append(f"{kind} ({change}): {word} never became {'findable' if found else 'unfindable'}")
            when = "never"
        else:
            when = f"{seen[0] - ended:+.2f} s after the build ended (generation {seen[1]})"
        print(f"swap {kind:11} {change}: build {ended - began:.2f} s [{output}]; {word} "
              f"{'found' if found else 'gone'} {when}")
    print(f"server after: {after_info}")
    queued = [line for line in server_log if "Task queue depth" in line]
    depth = max((int(line.rsplit(" ", 1)[1]) for line in queued), default=0)
    print(f"server log: {len(server_log)} lines; waitress queue-depth warnings: {len(queued)} (deepest {depth})")
    problems += [f"server log: {line}" for line in server_log
                 if "Traceback" in line or "ERROR" in line][:5]
    if not server_alive:
        problems.append("the server died")
    problems += prober.errors[:10] + stats.errors
    if problems or stats.error_count:
        print(f"FAIL: {stats.error_count} failing requests")
        for problem in problems[:30]:
            print(f"  {problem}")
        return 1
    print("OK: no errors; every swap seen by the running server without a restart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
