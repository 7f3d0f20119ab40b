"""Soak: at least 100,000 generated hostile requests against kb served by waitress; no 5xx, none slower than 2 s.

    .venv/bin/python bench/soak.py [--requests 100000] [--seconds 1800] [--clients 4] [--server-threads 4]
                                   [--seed 1] [--content content/] [--slow 2.0]

It copies the content folder to a temporary folder, builds the index there, serves kb with waitress on 127.0.0.1
(port 0) in a child process (so the clients do not share its interpreter lock), and sends requests from a few client
threads over keep-alive connections until the count is reached or the wall-clock limit is up. The requests are made
from the vocabulary of tests/test_fuzz.py (query syntax, hostile markup, RTL and astral text, NUL and control
characters, very long values, repeated and unknown parameters, absurd numbers, unknown facet values, broken percent
encodings, odd paths), mixed over `/`, `/api/search`, `/api/search.csv`, section pages with `hl` and random paths.

It prints the count, the status histogram, p50/p90/p99/max latency and the slowest requests, and exits 1 on any 5xx,
any transport error, any response slower than `--slow` seconds, any /api/search answer that is neither 200 nor 400
JSON (or 414 JSON, for a query string over the `max_query_string_chars` setting), or fewer requests than asked for
within the time limit.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import platform
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_fuzz import (  # noqa: E402  (the shared hostile vocabulary)
    FIELDS,
    HOSTILE,
    KNOWN_FACET_VALUES,
    NUMBERS,
    PARAMS,
    SORT_VALUES,
    SYNTAX,
    UI_VALUES,
    UNKNOWN_PARAMS,
    WORDS,
)

SECTION_PAGES = ["/en/mali/2020/unmet-needs", "/fr/mali/2020/unmet-needs", "/en/mali/2020/operational-context",
                 "/fr/mali/2020/key-achievements", "/api/sections/en/mali/2020/unmet-needs"]
PATH_PARTS = ["en", "fr", "mali", "2020", "unmet-needs", "api", "sections", "static", "kb.css", "..", ".", "",
              "%2e%2e", "%2f", "%00", "%5c", "figures.json", "compare", "%c0%af", "%252e%252e", "02020",
              "%D9%A2%D9%A0%D9%A2%D9%A0", "%ff", "%"]
RAW_QUERY_PARTS = ["&", "=", "%", "%zz", "%0", "+", ";", "q=", "page=", "&&", "==", "%00", "%ff%fe", "%c0%ae",
                   "%e2%80%ae", "%ed%a0%80", "%f4%90%80%80", "q=%22", "year=%D9%A2", "per_page=", "sort="]


# ------------------------------------------------------------------------------------------------ generation


class Generator:
    """Random requests from the fuzz vocabulary; deterministic for a seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def text(self, size: int = 20) -> str:
        rng = self.rng
        out = []
        for _ in range(rng.randint(0, size)):
            pick = rng.random()
            if pick < 0.5:
                out.append(chr(rng.randint(0x20, 0x7E)))
            elif pick < 0.6:
                out.append(chr(rng.randint(0, 0x1F)))
            elif pick < 0.8:
                out.append(chr(rng.randint(0xA0, 0x2FFF)))
            elif pick < 0.9:
                out.append(chr(rng.randint(0x10000, 0x10FFFF)))
            else:
                code = rng.randint(0x3000, 0xFFFD)
                out.append(chr(code if not 0xD800 <= code <= 0xDFFF else 0xFFFD))
        return "".join(out)

    def long(self) -> str:
        unit = self.rng.choice([*WORDS, *SYNTAX, *HOSTILE, "a", "é", "\U0001f600", " "])
        size = self.rng.randint(400, 5000)
        return (unit * (size // max(1, len(unit)) + 1))[:size]

    def query(self) -> str:
        rng = self.rng
        pick = rng.random()
        if pick < 0.05:
            return self.long()
        if pick < 0.15:
            return self.text(40)
        parts = []
        for _ in range(rng.randint(0, 10)):
            kind = rng.random()
            if kind < 0.3:
                parts.append(rng.choice(WORDS))
            elif kind < 0.55:
                parts.append(rng.choice(SYNTAX))
            elif kind < 0.7:
                parts.append(f"{rng.choice(FIELDS)}:{rng.choice(WORDS + SYNTAX)}")
            elif kind < 0.75:
                bound = lambda: rng.choice([*WORDS, "*", "", "2019", "2020"])  # noqa: E731
                parts.append(f"{rng.choice(FIELDS)}:{rng.choice('[{')}{bound()} TO {bound()}{rng.choice(']}')}")
            elif kind < 0.85:
                parts.append(rng.choice(HOSTILE))
            else:
                parts.append(self.text(8))
        return rng.choice(["", " ", "  "]).join(parts)

    def value(self, name: str) -> str:
        rng = self.rng
        if name == "q":
            return self.query()
        if name in ("year", "from", "to", "page", "per_page"):
            pick = rng.random()
            if pick < 0.6:
                return rng.choice(NUMBERS + (KNOWN_FACET_VALUES["year"] if name == "year" else ()))
            if pick < 0.9:
                return str(rng.randint(-(10**30), 10**30) if rng.random() < 0.3 else rng.randint(-5, 1200))
            return self.text(10)
        if name in KNOWN_FACET_VALUES:
            pick = rng.random()
            if pick < 0.6:
                return rng.choice(KNOWN_FACET_VALUES[name])
            return rng.choice(HOSTILE) if pick < 0.8 else self.text(20) if pick < 0.97 else self.long()
        if name == "sort":
            return rng.choice(SORT_VALUES) if rng.random() < 0.9 else self.text(10)
        if name == "ui":
            return rng.choice(UI_VALUES) if rng.random() < 0.9 else self.text(5)
        return rng.choice(HOSTILE) if rng.random() < 0.5 else self.text(20)

    def pairs(self) -> list[tuple[str, str]]:
        rng = self.rng
        pairs = []
        for _ in range(rng.randint(0, 10)):
            pick = rng.random()
            name = rng.choice(PARAMS) if pick < 0.85 else rng.choice(UNKNOWN_PARAMS) if pick < 0.95 else self.text(6)
            pairs.append((name, self.value(name)))
        return pairs

    def request(self) -> str:
        """The next request target (path and query string), percent-encoded as a client would send it."""
        rng = self.rng
        pick = rng.random()
        if pick < 0.35:
            return "/?" + urlencode(self.pairs())
        if pick < 0.70:
            return "/api/search?" + urlencode(self.pairs())
        if pick < 0.80:
            return "/api/search.csv?" + urlencode(self.pairs())
        if pick < 0.90:
            hl = self.query() if rng.random() < 0.5 else " ".join(rng.choices(WORDS + HOSTILE, k=rng.randint(1, 40)))
            return rng.choice(SECTION_PAGES) + "?" + urlencode([("hl", hl), *self.pairs()[:3]])
        if pick < 0.95:
            path = rng.choice(["/", "/api/search", "/api/search.csv"])
            raw = "".join(rng.choice(RAW_QUERY_PARTS) if rng.random() < 0.6 else quote(rng.randbytes(4), safe="")
                          for _ in range(rng.randint(1, 12)))
            return f"{path}?{raw}"
        parts = [rng.choice(PATH_PARTS) if rng.random() < 0.7 else quote(self.text(8), safe="")
                 for _ in range(rng.randint(1, 6))]
        return "/" + "/".join(parts)


# ------------------------------------------------------------------------------------------------ the server


def serve(instance: str, content: str, threads: int, conn: multiprocessing.connection.Connection) -> None:
    """Child process: kb under waitress on 127.0.0.1, port 0; sends the port back through `conn`."""
    import logging

    import waitress

    from kb import create_app

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = create_app({"CONTENT_DIR": content}, instance_path=instance)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads, ident="kb",
                                    connection_limit=256, channel_timeout=30)
    conn.send(server.effective_port)
    server.run()


# ------------------------------------------------------------------------------------------------ the clients


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.statuses: Counter = Counter()
        self.latencies: list[float] = []
        self.slowest: list[tuple[float, str, int]] = []
        self.failures: list[str] = []
        self.failed = 0

    def record(self, target: str, status: int, seconds: float, failure: str | None) -> None:
        with self.lock:
            self.count += 1
            self.statuses[status] += 1
            self.latencies.append(seconds)
            if len(self.slowest) < 5 or seconds > self.slowest[-1][0]:
                self.slowest = sorted([*self.slowest, (seconds, target, status)], reverse=True)[:5]
            if failure:
                self.failed += 1
                if len(self.failures) < 50:
                    self.failures.append(failure)


def check(target: str, status: int, body: bytes, content_type: str) -> str | None:
    if status >= 500:
        return f"{status} for {target[:300]!r}"
    if target.startswith("/api/search?") or target == "/api/search":
        if status not in (200, 400, 414) or not content_type.startswith("application/json"):
            return f"/api/search answered {status} {content_type} for {target[:300]!r}"
        data = json.loads(body)
        if status in (400, 414) and (set(data) != {"error", "reason"} or data["error"] != status):
            return f"a {status} without its reason for {target[:300]!r}: {data}"
        if status == 200 and not {"total", "hits", "facets"} <= set(data):
            return f"a 200 without total/hits/facets for {target[:300]!r}"
    return None


def client(port: int, generator: Generator, stats: Stats, stop: threading.Event, quota: int, slow: float) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = 0
    while not stop.is_set() and sent < quota:
        target = generator.request()
        started = time.perf_counter()
        failure = None
        try:
            conn.putrequest("GET", target, skip_accept_encoding=True)
            conn.putheader("Accept-Language", generator.rng.choice(["fr", "en", "fr;q=abc", "*", "", "x" * 200]))
            conn.endheaders()
            response = conn.getresponse()
            body = response.read()
            status = response.status
            seconds = time.perf_counter() - started
            failure = check(target, status, body, response.getheader("Content-Type") or "")
            if response.will_close:
                conn.close()
        except (OSError, http.client.HTTPException, ValueError) as err:
            seconds = time.perf_counter() - started
            status, failure = 0, f"transport error {err!r} for {target[:300]!r}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        if seconds > slow and not failure:
            failure = f"slow: {seconds:.2f} s for {target[:300]!r}"
        stats.record(target, status, seconds, failure)
        sent += 1
    conn.close()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=1800, help="wall-clock limit (default 1800)")
    parser.add_argument("--clients", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--slow", type=float, default=2.0, help="a response slower than this fails (seconds)")
    args = parser.parse_args()

    from indexer.build import build_index

    work = Path(tempfile.mkdtemp(prefix="kb-soak-"))
    server = None
    try:
        content = work / "content"
        shutil.copytree(args.content, content)
        built = build_index(content, work / "instance")
        print(f"index: {built.documents} documents from {args.content} (generation {built.generation})")
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        server = ctx.Process(target=serve, args=(str(work / "instance"), str(content), args.server_threads, child),
                             daemon=True)
        server.start()
        if not parent.poll(60):
            print("soak: the server did not start within 60 s")
            return 1
        port = parent.recv()
        stats, stop = Stats(), threading.Event()
        generators = [Generator(args.seed * 1000 + i) for i in range(args.clients)]
        quotas = [args.requests // args.clients + (i < args.requests % args.clients) for i in range(args.clients)]
        threads = [threading.Thread(target=client, args=(port, g, stats, stop, q, args.slow), daemon=True)
                   for g, q in zip(generators, quotas, strict=True)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        next_report = started + 60
        while any(t.is_alive() for t in threads):
            if time.monotonic() - started > args.seconds:
                stop.set()
            time.sleep(0.5)
            if time.monotonic() >= next_report:
                next_report += 60
                print(f"  … {stats.count:,} requests, {stats.failed} failing, after "
                      f"{time.monotonic() - started:.0f} s", flush=True)
        elapsed = time.monotonic() - started
        server_alive = server.is_alive()
    finally:
        if server is not None and server.is_alive():
            server.terminate()
            server.join(10)
        shutil.rmtree(work, ignore_errors=True)

    lat = stats.latencies
    print(f"kb soak — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
          f"{multiprocessing.cpu_count()} cores, Python {platform.python_version()}")
    print(f"requests: {stats.count:,} in {elapsed:.1f} s ({stats.count / elapsed:,.0f}/s), {args.clients} clients, "
          f"{args.server_threads} server threads, seed {args.seed}")
    print("statuses: " + ", ".join(f"{status}: {n:,}" for status, n in sorted(stats.statuses.items())))
    print(f"latency: p50 {percentile(lat, 50) * 1000:.1f} ms, p90 {percentile(lat, 90) * 1000:.1f} ms, "
          f"p99 {percentile(lat, 99) * 1000:.1f} ms, max {max(lat, default=0) * 1000:.1f} ms, "
          f"mean {statistics.fmean(lat) * 1000 if lat else 0:.1f} ms")
    print("slowest:")
    for seconds, target, status in stats.slowest:
        print(f"  {seconds * 1000:8.1f} ms  {status}  {target[:110]}")
    problems = list(stats.failures)
    if stats.count < args.requests:
        problems.append(f"only {stats.count:,} of {args.requests:,} requests within {args.seconds:.0f} s")
    if not server_alive:
        problems.append("the server process died")
    if problems:
        print(f"FAIL: {stats.failed:,} failing responses (the first ones below)")
        for problem in problems[:20]:
            print(f"  {problem}")
        return 1
    print(f"OK: no 5xx, no transport error, nothing slower than {args.slow:g} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
