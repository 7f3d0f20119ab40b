"""The fourteen attacks of issue 14, replayed against a running `kb serve` on a synthetic corpus of 7,000+ documents.

    .venv/bin/python bench/attacks.py [--operations 30] [--workdir bench/out] [--threads 8] [--only 1,2,...]
                                      [--corpus-only]

Set-up: `bench/corpus.py` generates the corpus (30 operations x 8 years: 3,360 section files and 240 figures.yaml,
plus the repository's Mali 2020; about 7,300 documents; kept in WORKDIR/attacks-corpus-<N> for the next run and for
soak.py and load.py's `--content`; `--corpus-only` makes it and stops), copied to a temporary folder with one
paragraph pair whose text starts like a spreadsheet formula (row 6); a first `kb index`; then `kb serve` on a free
127.0.0.1 port with the instance's `config.py` setting `public_url` (as docs/deploy.md does) and
`integrity_check_seconds` (`--integrity-seconds`, 5). Everything stays on
loopback; every loop is bounded in count and in time.

Each attack prints one line: what it did and what it measured, against the bar of the issue: no 5xx from kb, no
answer over 2 s, server RSS under 400 MB throughout (sampled from /proc every 50 ms), no crash, no lost edit, no
answer from a damaged generation (a probe query's total and first hits as before the damage). The damaging attacks
(8, 10, 14) come last, each followed by `kb index`, which must find the damage and rebuild (else `--rebuild` is run,
so that the next attack starts whole, and the attack fails). Exit 1 if any bar fails.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import platform
import random
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
KB = str(Path(sys.executable).with_name("kb"))
PUBLIC = "https://kb.example.org"
SLOW = 2.0  # seconds: no answer slower
RSS_LIMIT_MB = 400
GIGABYTE = 1 << 30
FORMULA_WORD = "zanzibarformula"
PROBES = ["refugees", "education", '"birth certificates"', "réfugiés", "shelter AND cash", "registration",
          "covid*", "year:2019 AND protection"]
SEED_PAGE = ROOT / "tests" / "seeds" / "000_886a7aa99cc4041e.txt"


# ------------------------------------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Server:
    """`kb serve` in a child process, its RSS sampled every 50 ms (the peak of the whole run and of each attack)."""

    def __init__(self, instance: Path, threads: int, log: Path) -> None:
        self.instance, self.threads, self.log_path = instance, threads, log
        self.peak = self.window = 0.0
        self.deaths = 0
        self._stop = threading.Event()
        self.start()
        threading.Thread(target=self._sample, daemon=True).start()

    def start(self) -> None:
        self.port = free_port()
        self.log = self.log_path.open("a")
        self.process = subprocess.Popen([KB, "serve", "--port", str(self.port), "--instance", str(self.instance),
                                         "--threads", str(self.threads)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            if fetch(self.port, "/api/search?q=refugees").status == 200:
                return
            time.sleep(0.2)
        raise SystemExit(f"attacks: kb serve did not come up (see {self.log_path})")

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            value = rss_mb(self.process.pid) if self.process.poll() is None else None
            if value is not None:
                self.peak, self.window = max(self.peak, value), max(self.window, value)

    def alive(self) -> bool:
        return self.process.poll() is None

    def restart(self) -> str:
        """After a crash: how it died, and a new server (so that the remaining attacks run)."""
        code = self.process.returncode
        self.deaths += 1
        self.log.close()
        self.start()
        return f"the server died (exit {code}{', SIGBUS' if code == -7 else ''}) and was restarted"

    def stop(self) -> None:
        self._stop.set()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# ------------------------------------------------------------------------------------------------ requests


@dataclass
class Answer:
    status: int  # 0: no answer (the error says why)
    seconds: float
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""


def fetch(port: int, target: str, headers: dict[str, str] | None = None, timeout: float = 10) -> Answer:
    """One GET on a new connection."""
    began = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", target, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return Answer(response.status, time.monotonic() - began, body,
                      {name.lower(): value for name, value in response.getheaders()})
    except (OSError, http.client.HTTPException) as err:
        return Answer(0, time.monotonic() - began, error=f"{type(err).__name__}: {err}")
    finally:
        conn.close()


def search(port: int, q: str, **params: str) -> Answer:
    return fetch(port, "/api/search?" + urlencode({"q": q, **params}))


@dataclass
class Attack:
    """What one attack measured: its answers from kb, its own findings, and the bar."""

    row: int
    name: str
    answers: list[Answer] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, answer: Answer) -> Answer:
        self.answers.append(answer)
        return answer

    def check(self, ok: bool, problem: str) -> bool:
        if not ok:
            self.problems.append(problem)
        return ok

    def verdict(self, server: Server) -> bool:
        fives = [a.status for a in self.answers if a.status >= 500]
        slow = [a.seconds for a in self.answers if a.status and a.seconds > SLOW]
        lost = [a.error for a in self.answers if a.status == 0]
        self.check(not fives, f"{len(fives)} answer(s) 5xx: {sorted(set(fives))}")
        self.check(not slow, f"{len(slow)} answer(s) over {SLOW:.0f} s (slowest {max(slow, default=0):.2f} s)")
        self.check(not lost, f"{len(lost)} request(s) without an answer (first: {lost[:1]})")
        self.check(server.window < RSS_LIMIT_MB, f"server RSS {server.window:.0f} MB over {RSS_LIMIT_MB} MB")
        if not server.alive():
            self.problems.append(server.restart())
        return not self.problems

    def line(self, server: Server) -> str:
        timed = [a.seconds for a in self.answers if a.status]
        slowest = f"slowest {max(timed):.2f} s" if timed else "no kb answer timed"
        statuses: dict[int, int] = {}
        for answer in self.answers:
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
        shown = ", ".join(f"{k or 'none'}: {v}" for k, v in sorted(statuses.items()))
        head = (f"{'ok  ' if not self.problems else 'FAIL'}  #{self.row:<2} {self.name}: {len(self.answers)} "
                f"requests ({shown}), {slowest}, peak RSS {server.window:.0f} MB")
        return "\n".join([head, *(f"        {note}" for note in self.notes),
                          *(f"        FAILED: {problem}" for problem in self.problems)])


def parallel(count: int, work: Callable[[int], None]) -> None:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


# ------------------------------------------------------------------------------------------------ 1-5: load


def connections(a: Attack, ctx: Context) -> None:
    """Row 1: 500 idle and 200 slow (1 byte every 2 s) sockets straight to waitress; a search keeps answering."""
    idle = [socket.create_connection(("127.0.0.1", ctx.server.port), timeout=10) for _ in range(500)]
    slow = [socket.create_connection(("127.0.0.1", ctx.server.port), timeout=10) for _ in range(200)]
    request = b"GET /api/search?q=refugees HTTP/1.1\r\nHost: kb\r\nX-Padding: " + b"a" * 100
    try:
        for tick in range(5):  # 10 s: five dribbles, searches every 0.25 s in between
            for sock in slow:
                with suppress(OSError):
                    sock.send(request[tick:tick + 1])
            until = time.monotonic() + 2
            while time.monotonic() < until:
                a.add(search(ctx.server.port, "refugees education", per_page="5"))
                time.sleep(0.25)
        a.notes.append(f"700 sockets held open 10 s; searches meanwhile: max "
                       f"{max(x.seconds for x in a.answers):.3f} s")
    finally:
        for sock in idle + slow:
            sock.close()


def term_ranges(a: Attack, ctx: Context) -> None:
    """Row 2: 8 clients x 3 unbounded term ranges at once, and a normal query meanwhile."""
    ranges = ["body:[a TO zzzz]", "body:[b TO zzzy]", "title:[a TO z]", "body:{a TO *}", "body:[aa TO zz] OR shelter",
              "body_fr:[a TO zzzz]", "body:[0 TO 9999]", "body_en:[c TO x]"]
    normal: list[Answer] = []
    done = threading.Event()

    def ranger(i: int) -> None:
        for round_ in range(3):
            a.add(search(ctx.server.port, ranges[(i + round_) % len(ranges)], page=str(round_ + 1)))

    def normal_user() -> None:
        while not done.is_set():
            normal.append(a.add(search(ctx.server.port, f"refugees {random.choice(['education', 'shelter'])}")))
            time.sleep(0.2)

    user = threading.Thread(target=normal_user)
    user.start()
    parallel(8, ranger)
    done.set()
    user.join()
    timed_out = sum(1 for x in a.answers if x.status == 200 and json.loads(x.body).get("timed_out"))
    a.notes.append(f"range answers marked timed_out: {timed_out}; a normal query meanwhile: max "
                   f"{max((x.seconds for x in normal), default=0):.2f} s over {len(normal)}")


def facets(a: Attack, ctx: Context) -> None:
    """Row 3: 50 long values x 5 facets (a 170 KB URL), then the most a query string may carry, 8 clients at once."""
    long_value = "x" * 700
    huge = "&".join(f"{name}={long_value}{i}" for name in ("theme", "section", "operation", "year", "report")
                    for i in range(50))
    line, seconds, _ = send_body(ctx.server.port, f"GET /api/search?q=refugees&{huge} HTTP/1.1\r\nHost: kb\r\n\r\n"
                                 .encode())
    a.add(Answer(status_of(line), seconds, error=line))
    a.notes.append(f"{len(huge) // 1024} KB query string: {line!r} after {seconds:.3f} s")
    packed = facet_query(ctx)
    sizes: list[int] = []

    def client(i: int) -> None:
        for round_ in range(4):
            path = "/" if round_ % 2 else "/api/search"
            x = a.add(fetch(ctx.server.port, f"{path}?q=refugees+r{i}x{round_}&{packed}"))
            sizes.append(len(x.body))

    parallel(8, client)
    long_ops = "&".join(f"operation={'o' * 99}{i % 10}" for i in range(35))
    answer = a.add(fetch(ctx.server.port, f"/api/search?q=refugees&{long_ops}"))
    a.notes.append(f"{len(packed):,}-character query string of real facet values, 8 clients x 4: largest answer "
                   f"{max(sizes) // 1024} KB; 35 operation values of 100 characters: {answer.status}")


def facet_query(ctx: Context) -> str:
    """As many real facet values as fit in 3,900 characters: every year, section, language, report and theme, then
    operations."""
    pairs = [("year", str(y)) for y in range(2014, 2022)] + [("lang", "en"), ("lang", "fr")]
    pairs += [("report", "year-end"), ("report", "plan")] + [("section", s) for s in ctx.sections]
    pairs += [("theme", t) for t in ctx.themes]
    out = urlencode(pairs)
    for slug in ctx.operations:
        extra = "&" + urlencode([("operation", slug)])
        if len(out) + len(extra) > 3900:
            break
        out += extra
    return out


def query_words(a: Attack, ctx: Context) -> None:
    """Row 4: 3,000 queries of random unknown words (some 40-500 letters long); RSS growth per 1,000 queries."""
    rng = random.Random(4)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyzéè") for _ in range(rng.choice([8, 20, 39, 120, 400])))
             for _ in range(3000 * 3)]
    fetch(ctx.server.port, "/api/search?q=warmup")
    before = rss_mb(ctx.server.process.pid) or 0

    def client(i: int) -> None:
        for n in range(i, 3000, 4):
            a.add(search(ctx.server.port, " ".join(words[n * 3:n * 3 + 3])[:500]))

    parallel(4, client)
    after = rss_mb(ctx.server.process.pid) or 0
    a.notes.append(f"RSS {before:.0f} MB -> {after:.0f} MB: {(after - before) / 3:+.1f} MB per 1,000 queries")


def send_body(port: int, head: bytes, chunk: bytes = b"", limit: float = 5.0) -> tuple[str, float, int]:
    """`head` (in 16 KB pieces), then `chunk` after `chunk` (1 GB at most, generated, never held) until an answer
    comes: its status line, the seconds to it, and the body bytes sent by then."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.settimeout(0.2)
    began, sent, offset, pending = time.monotonic(), 0, 0, memoryview(chunk)
    try:
        while time.monotonic() - began < limit and (offset < len(head) or (chunk and sent < GIGABYTE)):
            if select.select([sock], [], [], 0)[0]:
                break
            piece = head[offset:offset + 16384] if offset < len(head) else pending
            try:
                count = sock.send(piece)
            except TimeoutError:
                continue
            except OSError:
                break
            if offset < len(head):
                offset += count
            else:
                sent, pending = sent + count, pending[count:] or memoryview(chunk)
        sock.settimeout(5)
        try:
            first = sock.recv(4096).decode("latin-1").split("\r\n", 1)[0]
        except OSError as err:
            first = f"no answer ({err})"
        return first, time.monotonic() - began, sent
    finally:
        sock.close()


def status_of(line: str) -> int:
    return int(line.split()[1]) if line.startswith("HTTP/") and len(line.split()) > 1 else 0


def bodies(a: Attack, ctx: Context) -> None:
    """Row 5: a GET and a POST with a 1 GB body (Content-Length), and a chunked 1 GB POST: refused at once."""
    for method, framing in (("GET", "length"), ("POST", "length"), ("POST", "chunked")):
        head = f"{method} /api/search?q=refugees HTTP/1.1\r\nHost: kb\r\n"
        if framing == "length":
            head, chunk = head + f"Content-Length: {GIGABYTE}\r\n\r\n", bytes(64 * 1024)
        else:
            head, chunk = head + "Transfer-Encoding: chunked\r\n\r\n", b"8000\r\n" + bytes(0x8000) + b"\r\n"
        status, seconds, sent = send_body(ctx.server.port, head.encode(), chunk)
        code = status_of(status)
        a.add(Answer(code, seconds, error=status))
        a.check(code == 413 and seconds < 1 and sent < 8 << 20,
                f"{method} {framing}: {status!r} after {seconds:.2f} s and {sent / 1e6:.1f} MB")
        a.notes.append(f"{method} 1 GB ({framing}): {status} after {seconds:.3f} s, {sent / 1e6:.1f} MB sent")


# ------------------------------------------------------------------------------------------------ 6, 7, 9, 11-13


def csv_formulas(a: Attack, ctx: Context) -> None:
    """Row 6: content whose text starts with =, +, -, @ in the search CSV and the figures CSVs."""
    targets = [f"/api/search.csv?q={FORMULA_WORD}", "/api/search.csv?q=refugees&per_page=100"]
    targets += [f"/{lang}/{ctx.operations[0]}/figures/{name}.csv" for lang in ("en", "fr")
                for name in ("key-figures", "people-of-concern", "population-types", "budget")]
    bad, hits = [], 0
    for target in targets:
        answer = a.add(fetch(ctx.server.port, target))
        if answer.status != 200:
            continue
        rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))))
        hits += len(rows) - 1 if FORMULA_WORD in target else 0
        bad += [f"{target}: {cell[:40]!r}" for row in rows for cell in row if formula(cell)]
    a.check(hits >= 2, f"the formula paragraphs were not found ({hits} rows)")
    a.check(not bad, f"{len(bad)} cell(s) start a formula, first: {bad[:1]}")
    a.notes.append(f"{len(targets)} CSVs, {hits} rows of the formula paragraphs; text cells starting =, +, -, @, "
                   f"tab or CR: {len(bad)}")


def formula(cell: str) -> bool:
    if not cell or cell[0] not in "=+-@\t\r":
        return False
    try:
        float(cell)
        return False  # a negative number is a number
    except ValueError:
        return True


def huge_numbers(a: Attack, ctx: Context) -> None:
    """Row 7: a 309-digit key figure and people total: kb check and kb index say so (no traceback); pages answer."""
    path = ctx.content / ctx.operations[0] / "2020" / "figures.yaml"
    original = path.read_bytes()
    data = yaml.safe_load(original)
    data["key_figures"][0]["value"] = 10**308
    if data.get("people_of_concern"):
        data["people_of_concern"]["totals"][0]["total"] = 10**308
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    try:
        with small_copy(ctx, ctx.operations[0]) as mini:
            checked = run_kb("check", "--content", str(mini))
        indexed = run_kb("index", "--content", str(ctx.content), "--instance", str(ctx.instance))
    finally:
        path.write_bytes(original)
    for name, done in (("kb check", checked), ("kb index", indexed)):
        said = (done.stdout + done.stderr).strip()
        a.check(done.returncode == 1 and "Traceback" not in said and "too large" in said,
                f"{name}: exit {done.returncode}: {said[-300:]!r}")
        a.notes.append(f"{name}: exit {done.returncode}: {first_line(said, 'too large')}")
    for lang in ("en", "fr"):
        a.add(fetch(ctx.server.port, f"/{lang}/{ctx.operations[0]}"))


def first_line(text: str, containing: str) -> str:
    return next((line for line in text.splitlines() if containing in line), text.splitlines()[0] if text else "")[:160]


def lost_edit(a: Attack, ctx: Context) -> None:
    """Row 9: a corrected number in figures.yaml, then `kb import` of the same page without --force."""
    content = Path(tempfile.mkdtemp(prefix="kb-attacks-import-")) / "content"
    try:
        first = run_kb("import", str(SEED_PAGE), "--content", str(content))
        path = content / "mali" / "2020" / "figures.yaml"
        a.check(first.returncode == 0 and path.exists(), f"first import: exit {first.returncode}: {first.stderr}")
        text = path.read_text(encoding="utf-8")
        edited = text.replace("value: 4265\n", "value: 4266\n", 1)
        a.check(edited != text, "the seed's figures.yaml has no 'value: 4265'")
        path.write_text(edited, encoding="utf-8")
        again = run_kb("import", str(SEED_PAGE), "--content", str(content))
        kept = path.read_text(encoding="utf-8") == edited
        a.check(kept and again.returncode == 1, f"re-import: exit {again.returncode}, edit kept: {kept}")
        a.notes.append(f"re-import without --force: exit {again.returncode}, edit kept: {kept}: "
                       f"{first_line(again.stderr, 'figures.yaml')}")
    finally:
        shutil.rmtree(content.parent, ignore_errors=True)


def host_header(a: Attack, ctx: Context) -> None:
    """Row 11: Host (and X-Forwarded-Host) evil.example on pages, permalinks, citations, CSV, feeds, redirects."""
    op, section = ctx.operations[0], f"/en/{ctx.operations[0]}/2020/unmet-needs"
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    targets = [section, f"{section}/cite.ris", f"{section}/cite.bib", f"{section}/cite.json",
               "/api/search.csv?q=refugees", "/feed.atom?q=refugees", f"/en/{op}", f"/en//{op}/2020/unmet-needs",
               "/", f"/compare?a=en/{op}/2020/unmet-needs&b=fr/{op}/2020/unmet-needs"]
    paragraph = ctx.paragraph_ref(section)
    if paragraph:
        targets.append(f"{section}/p/{paragraph}")
    leaks = []
    for target in targets:
        answer = a.add(fetch(ctx.server.port, target, evil))
        shown = answer.body + json.dumps(answer.headers).encode()
        if b"evil.example" in shown:
            leaks.append(f"{target} ({answer.status})")
    public = a.answers[0].body.count(PUBLIC.encode())
    a.check(not leaks, f"evil.example in {leaks}")
    a.check(public > 0, "the section page has no link under the public address")
    a.notes.append(f"{len(targets)} URLs (pages, citations, CSV, feed, 302 and 308 redirects): evil.example in "
                   f"{len(leaks)}; section page links under {PUBLIC}: {public}")


def markdown_images(a: Attack, ctx: Context) -> None:
    """Row 12: remote and data: images in a section's Markdown: kb check names them; the index refuses them."""
    path = ctx.content / ctx.operations[0] / "2019" / "unmet-needs.en.md"
    original = path.read_bytes()
    text = original.decode("utf-8").rstrip("\n")
    path.write_text(text + " ![x](https://evil.example/x.png) ![y](data:image/png;base64,iVBORw0KGgo=)\n",
                    encoding="utf-8")
    try:
        with small_copy(ctx, ctx.operations[0]) as mini:
            checked = run_kb("check", "--content", str(mini))
        indexed = run_kb("index", "--content", str(ctx.content), "--instance", str(ctx.instance))
    finally:
        path.write_bytes(original)
    said = checked.stdout + checked.stderr
    a.check(checked.returncode == 1 and "unmet-needs.en.md:" in said and "image" in said.lower(),
            f"kb check: exit {checked.returncode}: {said[-300:]!r}")
    a.check(indexed.returncode == 1, f"kb index accepted the images: exit {indexed.returncode}")
    page = a.add(fetch(ctx.server.port, f"/en/{ctx.operations[0]}/2019/unmet-needs"))
    a.check(b"<img" not in page.body and b"evil.example" not in page.body, "the section page shows an image")
    a.notes.append(f"kb check: exit {checked.returncode}: {first_line(said, 'image')}; kb index: exit "
                   f"{indexed.returncode}; the page: no <img>")


def importer_inputs(a: Attack, ctx: Context) -> None:
    """Row 13: /dev/zero, a FIFO, --year -1, a 300-character --operation: refused quickly in a line, nothing
    written."""
    work = Path(tempfile.mkdtemp(prefix="kb-attacks-inputs-"))
    fifo = work / "page.txt"
    os.mkfifo(fifo)
    content = work / "content"
    cases = [("/dev/zero", ["/dev/zero"]), ("a FIFO", [str(fifo)]),
             ("--year -1", [str(SEED_PAGE), "--year", "-1"]),
             ("300-character --operation", [str(SEED_PAGE), "--operation", "a" * 300])]
    try:
        for name, args in cases:
            began = time.monotonic()
            try:
                done = run_kb("import", *args, "--content", str(content), timeout=20)
                said, code = (done.stdout + done.stderr).strip(), done.returncode
            except subprocess.TimeoutExpired:
                said, code = "still running after 20 s", None
            seconds = time.monotonic() - began
            a.check(code not in (0, None) and "Traceback" not in said and seconds < 10,
                    f"{name}: exit {code} after {seconds:.1f} s: {said[-200:]!r}")
            a.notes.append(f"{name}: exit {code} in {seconds:.2f} s: {said.splitlines()[-1][:110] if said else ''}")
        a.check(not content.exists() or not any(content.rglob("*")), "files were written")
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------------------------------------ 8, 10, 14: damage


def served(ctx: Context) -> Path:
    return (ctx.instance / "index").resolve()


def probe_answers(ctx: Context, tag: str) -> dict[str, tuple[int, list[str]]]:
    """Each probe query's total and first hits, asked in a form no cache has seen (`OR <tag>`: a word of no
    document, so the same answer as the bare query)."""
    out = {}
    for q in PROBES:
        answer = fetch(ctx.server.port, "/api/search?" + urlencode({"q": f"({q}) OR {tag}", "per_page": "5"}))
        if answer.status != 200:
            out[q] = (-answer.status, [])
            continue
        out[q] = whole_answer(answer.body)
    return out


def whole_answer(body: bytes) -> tuple[int, list[str]]:
    """A search answer's total and its hits' addresses, without their query string (`hl=` carries the query's
    words, which differ from probe to probe)."""
    data = json.loads(body)
    return data["total"], [urlsplit(hit["url"])._replace(query="").geturl() for hit in data["hits"]]


def watch_damage(a: Attack, ctx: Context, seconds: float) -> None:
    """Probe for `seconds` after a damage: every answer whole (as the baseline) and no 5xx, the server alive."""
    wrong, rounds = 0, 0
    until = time.monotonic() + seconds
    while time.monotonic() < until and ctx.server.alive():
        rounds += 1
        tag = f"qqnothing{random.randrange(10**9)}"
        for q in PROBES:
            answer = a.add(fetch(ctx.server.port, "/api/search?" + urlencode({"q": f"({q}) OR {tag}",
                                                                             "per_page": "5"})))
            if answer.status == 200:
                wrong += whole_answer(answer.body) != ctx.baseline[q]
        time.sleep(0.2)
    a.check(wrong == 0, f"{wrong} answer(s) from the damaged generation differ from the undamaged index")
    a.notes.append(f"{rounds} rounds of {len(PROBES)} probe queries over {seconds:.0f} s: wrong answers {wrong}; "
                   f"server alive: {ctx.server.alive()}")


def repair(a: Attack, ctx: Context) -> None:
    """`kb index` must notice the damage and rebuild; if it does not, `--rebuild` (so the next attack starts whole)."""
    if not ctx.server.alive():
        a.problems.append(ctx.server.restart())
    done = run_kb("index", "--content", str(ctx.content), "--instance", str(ctx.instance))
    said = (done.stdout + done.stderr).strip()
    time.sleep(1)
    whole = probe_answers(ctx, "qqafterrepair") == ctx.baseline
    a.notes.append(f"kb index: exit {done.returncode}: {said.splitlines()[-1][:120] if said else ''}; answers whole "
                   f"after it: {whole}")
    if not a.check(done.returncode == 0 and whole, "kb index did not repair the damaged index"):
        run_kb("index", "--rebuild", "--content", str(ctx.content), "--instance", str(ctx.instance))
        time.sleep(1)
        if not ctx.server.alive():
            ctx.server.restart()


def largest(folder: Path, suffix: str) -> Path | None:
    files = [p for p in folder.iterdir() if p.is_file() and p.name.endswith(suffix)]
    return max(files, key=lambda p: p.stat().st_size, default=None)


def truncated_sidecar(a: Attack, ctx: Context) -> None:
    """Row 8: truncate the largest `.kbpost` of the served generation to half while kb serves it."""
    target = largest(served(ctx), ".kbpost")
    if not a.check(target is not None, "no .kbpost in the served generation"):
        return
    size = target.stat().st_size
    os.truncate(target, size // 2)
    a.notes.append(f"truncated {target.name} from {size:,} to {size // 2:,} bytes")
    watch_damage(a, ctx, 10)
    repair(a, ctx)


def deleted_segment(a: Attack, ctx: Context) -> None:
    """Row 10: delete a Whoosh segment file of the served generation; answers, then `kb index`."""
    generation = served(ctx)
    segments = [p for p in generation.iterdir() if p.is_file() and not p.name.startswith(("kb-", "_"))
                and not p.name.endswith((".kbpost", ".toc", ".pickle", ".json"))]
    if not a.check(bool(segments), "no segment file in the served generation"):
        return
    target = max(segments, key=lambda p: p.stat().st_size)
    target.unlink()
    a.notes.append(f"deleted {target.name}")
    watch_damage(a, ctx, 10)
    repair(a, ctx)


def silent_corruption(a: Attack, ctx: Context) -> None:
    """Row 14: overwrite 4 KB in the middle of the largest `.kbpost` (same size) while kb serves it."""
    target = largest(served(ctx), ".kbpost")
    if not a.check(target is not None, "no .kbpost in the served generation"):
        return
    size = target.stat().st_size
    with target.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(random.Random(14).randbytes(min(4096, size // 4)))
    a.notes.append(f"overwrote {min(4096, size // 4):,} bytes in the middle of {target.name} ({size:,} bytes)")
    watch_damage(a, ctx, 15)
    repair(a, ctx)


# ------------------------------------------------------------------------------------------------ set-up


@dataclass
class Context:
    content: Path
    instance: Path
    server: Server
    operations: list[str]
    sections: list[str]
    themes: list[str]
    baseline: dict[str, tuple[int, list[str]]] = field(default_factory=dict)

    def paragraph_ref(self, section_path: str) -> str | None:
        lang, op, year, section = section_path.strip("/").split("/")
        text = (self.content / op / year / f"{section}.{lang}.md").read_text(encoding="utf-8")
        found = [part.split("}")[0] for part in text.split("{#")[1:]]
        return found[0] if found else None


def run_kb(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run([KB, *args], capture_output=True, text=True, timeout=timeout)


@contextmanager
def small_copy(ctx: Context, operation: str) -> Iterator[Path]:
    """operations.yaml, themes.yaml and one operation's folder: what `kb check` needs to judge that operation."""
    mini = Path(tempfile.mkdtemp(prefix="kb-attacks-check-")) / "content"
    try:
        mini.mkdir()
        for name in ("operations.yaml", "themes.yaml"):
            if (ctx.content / name).exists():
                shutil.copy(ctx.content / name, mini / name)
        shutil.copytree(ctx.content / operation, mini / operation)
        yield mini
    finally:
        shutil.rmtree(mini.parent, ignore_errors=True)


def corpus(workdir: Path, operations: int) -> Path:
    """The synthetic corpus (bench/corpus.py), generated once per size into WORKDIR, with the repository's Mali 2020
    added (content/mali and its operations.yaml entry), so that bench/soak.py and bench/load.py, whose requests name
    Mali 2020, can run on it too (`--content WORKDIR/attacks-corpus-<N>`)."""
    folder = workdir / f"attacks-corpus-{operations}"
    if (folder / "operations.yaml").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), str(folder), "--operations",
                           str(operations)], capture_output=True, text=True, timeout=3600)
    print(f"corpus: {done.stdout.strip() or done.stderr.strip()}")
    if done.returncode != 0:
        raise SystemExit(1)
    listed = yaml.safe_load((folder / "operations.yaml").read_text(encoding="utf-8"))
    if "mali" not in listed:
        mali = yaml.safe_load((ROOT / "content" / "operations.yaml").read_text(encoding="utf-8"))["mali"]
        with (folder / "operations.yaml").open("a", encoding="utf-8") as handle:
            handle.write(yaml.safe_dump({"mali": mali}, sort_keys=False, allow_unicode=True, width=1000))
        shutil.copytree(ROOT / "content" / "mali", folder / "mali")
    return folder


def add_formula_paragraphs(content: Path, operation: str) -> None:
    """Row 6's content: a paragraph pair whose text starts like a spreadsheet formula."""
    for lang, text in (("en", f'=HYPERLINK("http://evil.example/","refugees") The refugees in the camps received '
                               f"cash assistance and shelter during the year {FORMULA_WORD}."),
                       ("fr", f"@SUM(A1:A9) Les réfugiés des camps ont reçu une assistance en espèces et un abri "
                              f"pendant l'année {FORMULA_WORD}.")):
        path = content / operation / "2018" / f"operational-context.{lang}.md"
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{text}\n", encoding="utf-8")


ATTACKS: list[tuple[int, str, Callable[[Attack, Context], None]]] = [
    (1, "connection exhaustion", connections), (2, "term ranges", term_ranges), (3, "facet output", facets),
    (4, "query words and memory", query_words), (5, "request bodies", bodies), (6, "CSV formulas", csv_formulas),
    (7, "huge numbers", huge_numbers), (9, "lost hand edit", lost_edit), (11, "Host header", host_header),
    (12, "Markdown images", markdown_images), (13, "importer inputs", importer_inputs),
    (8, "truncated sidecar", truncated_sidecar), (10, "damaged index", deleted_segment),
    (14, "silent corruption", silent_corruption),
]


def set_up(args: argparse.Namespace, work: Path) -> Context:
    source = corpus(args.workdir, args.operations)
    content, instance = work / "content", work / "instance"
    shutil.copytree(source, content)
    operations = [slug for slug in yaml.safe_load((content / "operations.yaml").read_text(encoding="utf-8"))
                  if slug != "mali"]  # the generated ones, all eight years
    add_formula_paragraphs(content, operations[0])
    began = time.monotonic()
    built = run_kb("index", "--content", str(content), "--instance", str(instance))
    print(f"first build ({time.monotonic() - began:.0f} s): {(built.stdout or built.stderr).strip()[:300]}")
    if built.returncode != 0:
        raise SystemExit(1)
    instance.mkdir(exist_ok=True)
    (instance / "config.py").write_text(f'KB_SETTINGS = {{"public_url": "{PUBLIC}/", "integrity_check_seconds": '
                                        f'{args.integrity_seconds}}}\n', encoding="utf-8")
    server = Server(instance, args.threads, work / "serve.log")
    themes = [t["slug"] for t in yaml.safe_load((content / "themes.yaml").read_text(encoding="utf-8")) or []]
    sections = ["operational-context", "population-trends", "key-achievements", "unmet-needs", "flexible-funding",
                "working-environment", "key-priorities"]
    ctx = Context(content, instance, server, operations, sections, themes)
    ctx.baseline = probe_answers(ctx, "qqbaseline")
    return ctx


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operations", type=int, default=30, help="operations of the corpus (default 30)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--threads", type=int, default=8, help="kb serve --threads (default 8)")
    parser.add_argument("--only", help="comma-separated rows to run (default: all fourteen)")
    parser.add_argument("--integrity-seconds", type=int, default=5,
                        help="the server's integrity_check_seconds (default 5, so that row 14's 15 s watch spans "
                             "verifications; the setting's default is 300)")
    parser.add_argument("--corpus-only", action="store_true", help="make the corpus, print its folder, stop")
    args = parser.parse_args()
    if args.corpus_only:
        print(corpus(args.workdir, args.operations))
        return 0
    only = {int(x) for x in args.only.split(",")} if args.only else None
    work = Path(tempfile.mkdtemp(prefix="kb-attacks-"))
    began = time.monotonic()
    print(f"kb attacks — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    ctx = set_up(args, work)
    failed = 0
    try:
        print(f"server: kb serve --threads {args.threads} on 127.0.0.1:{ctx.server.port}, RSS "
              f"{rss_mb(ctx.server.process.pid):.0f} MB; probes: {len(ctx.baseline)} queries")
        for row, name, run in ATTACKS:
            if only and row not in only:
                continue
            attack = Attack(row, name)
            ctx.server.window = rss_mb(ctx.server.process.pid) or 0
            try:
                run(attack, ctx)
            except Exception as err:  # an attack that cannot finish is a failure, and the others still run
                attack.problems.append(f"the attack itself failed: {type(err).__name__}: {err}")
            failed += not attack.verdict(ctx.server)
            print(attack.line(ctx.server), flush=True)
    finally:
        ctx.server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"peak server RSS over the run: {ctx.server.peak:.0f} MB (bar {RSS_LIMIT_MB} MB); server deaths: "
          f"{ctx.server.deaths}; {time.monotonic() - began:.0f} s")
    print("OK: every bar held" if not failed and ctx.server.peak < RSS_LIMIT_MB
          else f"FAIL: {failed} attack(s) missed the bar")
    return 0 if not failed and ctx.server.peak < RSS_LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
