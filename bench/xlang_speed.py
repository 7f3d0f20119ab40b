"""What cross-language search costs a search: kb's backend with the glossary's expansion on and off, same index, same
queries, interleaved (so the machine's load weighs on both alike), and the expansion's own cost per query.

    .venv/bin/python bench/xlang_speed.py --instance DIR --corpus DIR [--queries 300] [--seed 7] [--rounds 3]

INSTANCE holds an index built from CORPUS with a glossary (bench/compare.py's WORKDIR/compare-s1/instance after a
build of a corpus that has content/glossary.yaml copied in). The queries are bench/compare.py's mix
(bench/queries.py, the same seed). For each query, in each round, in an order that alternates: `backend.search`
(result cache off) with `xlang` on and with it off; and, alone, kb's own syntax parse plus the expansion into both
languages (kb.engine.query_syntax + kb.engine.expansion) on the generation's compiled glossary. Prints p50/p95/mean
of each, the on/off ratio, and how many queries the glossary matched.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from queries import QueryMix, Vocabulary  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from werkzeug.datastructures import MultiDict

    from kb.engine.backend import Query, QueryError
    from kb.engine.expansion import expand
    from kb.engine.query_syntax import SEARCHABLE_FIELDS, Unreadable, parse
    from kb.engine.schema import FACET_FIELDS
    from kb.engine.whoosh_backend import WhooshBackend
    from kb.search import SearchParams, _text_langs

    backend = WhooshBackend(args.instance / "index", cache_size=0)
    gen = backend._generation()
    glossary = gen.glossary
    mix = QueryMix(Vocabulary.from_corpus(args.corpus), seed=args.seed).make(args.queries)
    asked = []
    for item in mix:
        params = SearchParams.from_args(MultiDict(item.kb_params()))
        asked.append(Query(text=params.q, filters={k: frozenset(v) for k, v in params.filters.items()},
                           limit=10, facets=FACET_FIELDS, langs_for_text=_text_langs(params)))
    times: dict[bool, list[float]] = {True: [], False: []}
    expansion: list[float] = []
    matched = 0
    for query in asked[:20]:  # warm-up: stems, postings, phrase caches
        for xlang in (True, False):
            backend.search(replace(query, xlang=xlang))
    for round_ in range(args.rounds):
        for i, query in enumerate(asked):
            order = (True, False) if (i + round_) % 2 == 0 else (False, True)
            for xlang in order:
                start = time.perf_counter()
                with contextlib.suppress(QueryError):
                    backend.search(replace(query, xlang=xlang))
                times[xlang].append(time.perf_counter() - start)
            start = time.perf_counter()
            try:
                tree = parse(query.text, SEARCHABLE_FIELDS)
                found = [m for lang in ("en", "fr") for m in expand(tree, glossary, lang)[1] if m.equivalents]
            except Unreadable:
                found = []
            expansion.append(time.perf_counter() - start)
            matched += bool(found) and round_ == 0

    print(f"## Cross-language search, cost per search: {len(asked)} queries x {args.rounds} rounds, "
          f"glossary of {len(glossary.entries)} entries, index {gen.folder}")
    print()
    print("| in-process, ms | p50 | p95 | mean |")
    print("|---|---:|---:|---:|")
    for label, values in (("backend.search, xlang on", times[True]), ("backend.search, xlang off", times[False]),
                          ("parse + expansion (both languages)", expansion)):
        ms = [v * 1000 for v in values]
        print(f"| {label} | {percentile(ms, .5):.3f} | {percentile(ms, .95):.3f} | {statistics.fmean(ms):.3f} |")
    on, off = times[True], times[False]
    print()
    print(f"xlang on / off: p50 {percentile(on, .5) / percentile(off, .5):.3f} x, "
          f"p95 {percentile(on, .95) / percentile(off, .95):.3f} x, "
          f"mean {statistics.fmean(on) / statistics.fmean(off):.3f} x")
    print(f"queries whose words the glossary matched (something added): {matched} of {len(asked)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
