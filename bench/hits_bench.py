"""What a page of hits costs since each hit links to its twin (issue 15, item 4) and carries its paragraph's
identifier and permalink: `SearchService.search` with the twin lookups and without them, on the same queries.

    .venv/bin/python bench/hits_bench.py --corpus CORPUS --instance INSTANCE [--queries 300] [--per-page 10]

CORPUS is a synthetic corpus (bench/corpus.py; it gives the query mix of bench/queries.py) and INSTANCE the folder
whose `index` was built from it (`kb index --content CORPUS --instance INSTANCE`; bench/compare.py's
`WORKDIR/compare-s1/instance` does). The backend's result cache is off, so every search reaches the index. Each query
runs once with twins and once without (a SearchService whose twin lookup answers None), alternating which goes first;
then the whole list again (the twins of the first pass remembered, as under traffic that comes back to the same
sections, and for every page the result cache answers). Prints p50/p95/mean in milliseconds, and the twins' cost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from queries import QueryMix, Vocabulary
from werkzeug.datastructures import MultiDict

from kb.engine.whoosh_backend import WhooshBackend
from kb.search import SearchParams, SearchService


class WithoutTwins(SearchService):
    """The search layer as it was before hits linked to their twins."""

    def _twin(self, *_args: Any) -> None:
        return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--instance", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    backend = WhooshBackend(args.instance / "index", cache_size=0)
    services = {"with twins": SearchService(backend), "without": WithoutTwins(backend)}
    queries = QueryMix(Vocabulary.from_corpus(args.corpus), seed=args.seed).make(args.queries + 10)
    all_params = [SearchParams.from_args(MultiDict([*q.kb_params(), ("per_page", str(args.per_page))]))
                  for q in queries]
    cold, hits = run(services, all_params)
    warm, _ = run(services, all_params)  # the same queries again: every twin is remembered
    print(f"{args.queries} queries, {hits} hits ({args.per_page} per page at most), index {args.instance}")
    print("| SearchService.search (ms) | p50 | p95 | mean |")
    print("|---|---:|---:|---:|")
    for label, times in (("first pass", cold), ("second pass, twins remembered", warm)):
        for name, found in times.items():
            print(f"| {name}, {label} | {statistics.median(found):.2f} | {percentile(found, 0.95):.2f} | "
                  f"{statistics.fmean(found):.2f} |")
        extra = statistics.fmean(times["with twins"]) - statistics.fmean(times["without"])
        print(f"| twins cost, {label} | | | {extra:+.2f} ({extra * args.queries / max(hits, 1):+.3f} per hit) |")
    return 0


def run(services: dict[str, SearchService], all_params: list[SearchParams]) -> tuple[dict[str, list[float]], int]:
    """Each search with and without twins (alternating which goes first): milliseconds, after ten to warm up."""
    times: dict[str, list[float]] = {name: [] for name in services}
    hits = 0
    for i, params in enumerate(all_params):
        order = list(services.items()) if i % 2 else list(services.items())[::-1]
        for name, service in order:
            start = time.perf_counter()
            page = service.search(params, base="/api/search")
            if i >= 10:
                times[name].append((time.perf_counter() - start) * 1000)
        hits += len(page.hits) if i >= 10 else 0
    return times, hits


if __name__ == "__main__":
    sys.exit(main())
