"""What verifying an index generation costs: its checksums, in full and by size, against opening it for search.

    .venv/bin/python bench/integrity.py INSTANCE [--repeat 3]
    .venv/bin/python bench/integrity.py INSTANCE --search CORPUS [--queries 300]     # search speed and memory only

On the generation INSTANCE/index points at (built by `kb index`, so it has its kb-checksums.json), prints: its files
and bytes; `checksums.damage` (every file read and digested, as when a server opens a generation, in each background
verification and in `kb index`) cold — the generation's pages dropped from the OS cache with
posix_fadvise(DONTNEED), for these files only — and warm; `checksums.quick_damage` (sizes only: a failed request's
check); and, for scale, opening the generation for search (WhooshBackend, verification included) and the process's
peak RSS after it. Nothing is written.

`--search CORPUS` measures instead what a search costs, as the raw backend phase of bench/compare.py does: the query
mix of bench/queries.py (seed 7) from the corpus the instance was built from, through SearchService over a
WhooshBackend without result cache, in this process; it prints the backend's p50 / p95 / mean and the process's peak
RSS. It uses nothing but that API, so the same file run at an older commit measures the code before a change.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]


def search_costs(instance: Path, corpus: Path, count: int) -> None:
    """The raw backend over the query mix: p50 / p95 / mean ms and the peak RSS of this process."""
    import numpy as np
    from queries import QueryMix, Vocabulary
    from werkzeug.datastructures import MultiDict

    from kb.engine.whoosh_backend import WhooshBackend
    from kb.search import SearchParams, SearchService

    mix = QueryMix(Vocabulary.from_corpus(corpus), seed=7)
    queries = mix.make(count)
    warmup = mix.make(10, exclude=set(queries))
    backend = WhooshBackend(instance / "index", cache_size=0)
    seconds: list[float] = []
    search = backend.search

    def timed(query: object) -> object:
        start = time.perf_counter()
        found = search(query)
        seconds.append(time.perf_counter() - start)
        return found

    backend.search = timed  # type: ignore[method-assign]
    service = SearchService(backend)
    first = []  # the first backend call of each query (the page's search; key figures come in a second one)
    for query in [*warmup, *queries]:
        seconds.clear()
        service.search(SearchParams.from_args(MultiDict(query.kb_params())), base="/api/search")
        first.append(seconds[0])
    ms = np.array(first[len(warmup):]) * 1000
    print(f"backend.search over {len(ms)} queries: p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} "
          f"ms, mean {ms.mean():.1f} ms; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB; "
          f"load average {os.getloadavg()[0]:.2f}")


def drop_cache(folder: Path) -> None:
    """Ask the kernel to forget the cached pages of the generation's files (no root needed, nothing else touched)."""
    for path in folder.iterdir():
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def timed(call: Callable[[], object], repeat: int, before: Callable[[], None] | None = None) -> list[float]:
    seconds = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return seconds


def line(name: str, seconds: Sequence[float]) -> str:
    return f"| {name} | {min(seconds) * 1000:,.1f} | {statistics.median(seconds) * 1000:,.1f} | {len(seconds)} |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instance", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--search", type=Path, metavar="CORPUS", help="Measure search over this corpus instead.")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args(argv)
    if args.search is not None:
        search_costs(args.instance, args.search, args.queries)
        return 0
    from kb.engine import checksums
    from kb.engine.generations import served

    found = served(args.instance)
    if found is None:
        print(f"{args.instance}: no served generation; run `kb index` first", file=sys.stderr)
        return 2
    folder = found[1]
    listed = checksums.read(folder)
    total = sum(size for size, _ in listed.values())
    problems = checksums.damage(folder)
    print(f"generation {folder} — {len(listed)} files, {total / 1e6:,.1f} MB; "
          f"{'whole' if not problems else 'DAMAGED: ' + checksums.summary(problems)}")
    print(f"machine: {os.cpu_count()} cores, load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| step | min ms | median ms | runs |\n|---|---:|---:|---:|")
    print(line("full verification, cold (files dropped from the OS cache)",
               timed(lambda: checksums.damage(folder), args.repeat, lambda: drop_cache(folder))))
    warm = timed(lambda: checksums.damage(folder), args.repeat)
    print(line("full verification, warm", warm))
    print(line("sizes only (quick_damage)", timed(lambda: checksums.quick_damage(folder), args.repeat)))

    from kb.engine.whoosh_backend import WhooshBackend

    print(line("opening the generation for search (verification included), warm",
               timed(lambda: WhooshBackend(args.instance / "index", verify_interval=0)._generation(), 1)))
    rate = total / min(warm) / 1e9
    print(f"\nwarm verification rate {rate:.2f} GB/s; peak RSS of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
