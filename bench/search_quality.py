"""Search quality on the judged query set (issue 15): recall@10 and precision@3 of every query, averaged per language.

    python bench/search_quality.py [--judged FILE] [--workdir DIR] [--per-query]

1. Corpora (`corpora:` of tests/search_quality/judged.yaml): `mali` is content/'s top-level files and its `mali/`
   folder; `synthetic` is bench/corpus.py with the arguments the judged set names, plus content/'s top-level files it
   lacks (themes.yaml, a glossary when there is one). Each also as its one-language copy (bench/one_language.py):
   every section kept in English or in French only.
2. Builds an index of each (indexer.build.build_index) under WORKDIR (default: a temporary folder, removed after).
3. Runs every query through the JSON API, `/api/search?q=…` (the Flask test client: the search layer as a user
   reaches it), with cross-language search on (the default) and off (`xlang=0`). Until cross-language search exists
   the parameter is ignored and both give the same figures.
4. Scores each query on its ranking of sections: the hits in order, each named by its translation key
   (`<operation>/<year>/<section>`, so a section counts in whichever language it is found) and counted once, where
   it first appears. recall@10 = relevant sections among the first 10 ÷ min(10, number relevant); precision@3 =
   relevant sections among the first 3 ÷ 3. A query with fewer than three relevant sections cannot reach 1: the
   table gives that ceiling ("best P@3") beside the figure.

Prints one table: per corpus and query language (and both corpora together), for the bilingual corpora and their
one-language copies, with and without cross-language search. `--per-query` adds each query's scores and its first
three sections. docs/search-quality.md gives the method and the figures.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
sys.path[:0] = [str(REPO), str(BENCH)]  # as a script, or imported by tests/test_search_quality.py

from corpus import generate  # noqa: E402
from one_language import one_language_copy  # noqa: E402

from indexer.build import build_index  # noqa: E402

CONTENT = REPO / "content"
JUDGED = REPO / "tests" / "search_quality" / "judged.yaml"
VARIANTS = ("bilingual", "one-language")
XLANG = (True, False)  # cross-language search on (the default) and off (`xlang=0`)
LANGS = ("en", "fr")
RECALL_AT, PRECISION_AT = 10, 3
FETCH = 2 * RECALL_AT  # hits asked for: a section may come in both languages, so 20 hits give 10 sections


# ------------------------------------------------------------------------------------------------ the judged set


@dataclass(frozen=True)
class Judged:
    """One query of the judged set and the sections (translation keys) that answer it."""

    id: str
    corpus: str
    lang: str
    q: str
    relevant: frozenset[str]
    why: str = ""
    derived: dict[str, str] | None = None


@dataclass(frozen=True)
class JudgedSet:
    corpora: dict[str, dict[str, Any]]
    queries: tuple[Judged, ...]

    def of(self, corpus: str | None = None, lang: str | None = None) -> list[Judged]:
        return [q for q in self.queries if corpus in (None, q.corpus) and lang in (None, q.lang)]


def load_judged(path: Path = JUDGED) -> JudgedSet:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    queries = tuple(
        Judged(item["id"], item["corpus"], item["lang"], item["q"], frozenset(item["relevant"]), item.get("why", ""),
               item.get("derived"))
        for item in data["queries"]
    )
    return JudgedSet(data["corpora"], queries)


# ------------------------------------------------------------------------------------------------ the measures


def recall_at(ranking: Sequence[str], relevant: Iterable[str], k: int = RECALL_AT) -> float:
    """Relevant sections among the first `k` ÷ min(k, number relevant)."""
    relevant = set(relevant)
    return len(relevant.intersection(ranking[:k])) / min(k, len(relevant))


def precision_at(ranking: Sequence[str], relevant: Iterable[str], k: int = PRECISION_AT) -> float:
    """Relevant sections among the first `k` ÷ k."""
    return len(set(relevant).intersection(ranking[:k])) / k


def best_precision_at(relevant: Iterable[str], k: int = PRECISION_AT) -> float:
    """The precision@k of a perfect ranking: below 1 when fewer than k sections are relevant."""
    return min(k, len(set(relevant))) / k


@dataclass(frozen=True)
class Score:
    """One query's ranking of sections on one corpus, and its measures."""

    query: Judged
    ranking: tuple[str, ...]
    error: str = ""  # the API's reason when it refused the query (then the ranking is empty)

    @property
    def recall(self) -> float:
        return recall_at(self.ranking, self.query.relevant)

    @property
    def precision(self) -> float:
        return precision_at(self.ranking, self.query.relevant)

    @property
    def best_precision(self) -> float:
        return best_precision_at(self.query.relevant)


@dataclass(frozen=True)
class Average:
    """The mean measures of a group of queries."""

    queries: int
    recall: float
    precision: float
    best_precision: float
    errors: int = 0  # queries the API refused or failed on (scored as finding nothing)

    @classmethod
    def of(cls, scores: Sequence[Score]) -> Average:
        if not scores:
            return cls(0, 0.0, 0.0, 0.0)
        return cls(len(scores), fmean(s.recall for s in scores), fmean(s.precision for s in scores),
                   fmean(s.best_precision for s in scores), sum(bool(s.error) for s in scores))


def averages(scores: Sequence[Score]) -> dict[tuple[str, str], Average]:
    """(corpus, query language) -> the mean of its queries; corpus "all" pools the corpora."""
    corpora = sorted({s.query.corpus for s in scores})
    out = {}
    for corpus in [*corpora, "all"]:
        for lang in LANGS:
            group = [s for s in scores if s.query.lang == lang and corpus in ("all", s.query.corpus)]
            out[corpus, lang] = Average.of(group)
    return out


# ------------------------------------------------------------------------------------------------ corpora and runs


def prepare_corpora(judged: JudgedSet, workdir: Path) -> dict[tuple[str, str], Path]:
    """Write every corpus in both variants under `workdir`: (corpus, variant) -> its content folder."""
    folders: dict[tuple[str, str], Path] = {}
    for name, spec in judged.corpora.items():
        bilingual = workdir / name / "content"
        if "generator" in spec:
            generate(bilingual, operations=spec["operations"], years=spec["years"], seed=spec["seed"])
            copy_top_files(CONTENT, bilingual)
        else:
            copy_top_files(REPO / spec["source"], bilingual)
            for folder in spec["folders"]:
                shutil.copytree(REPO / spec["source"] / folder, bilingual / folder)
        folders[name, "bilingual"] = bilingual
        folders[name, "one-language"] = workdir / name / "one-language"
        one_language_copy(bilingual, folders[name, "one-language"])
    return folders


def copy_top_files(source: Path, target: Path) -> None:
    """content/'s top-level files (operations.yaml, themes.yaml, a glossary) that `target` does not have yet."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        if path.is_file() and not (target / path.name).exists():
            shutil.copyfile(path, target / path.name)


class Runs:
    """The indexes of every corpus and variant, and the rankings the search API gives on them."""

    def __init__(self, judged: JudgedSet, workdir: Path) -> None:
        from kb import create_app

        self.judged = judged
        self.folders = prepare_corpora(judged, workdir)  # (corpus, variant) -> its content folder
        self.build_seconds: dict[tuple[str, str], float] = {}
        self.clients: dict[tuple[str, str], Any] = {}
        self._scores: dict[tuple[str, bool], list[Score]] = {}
        for key, content in self.folders.items():
            instance = content.parent / f"instance-{key[1]}"
            started = time.perf_counter()
            build_index(content, instance)
            self.build_seconds[key] = time.perf_counter() - started
            app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False}, instance_path=str(instance))
            app.logger.disabled = True  # a server error is an answer (HTTP 500), scored as nothing found, counted
            self.clients[key] = app.test_client()

    def ranking(self, query: Judged, variant: str, xlang: bool) -> tuple[tuple[str, ...], str]:
        """The sections `query` finds on its corpus's `variant`, best first, each once; and the API's refusal."""
        args = {"q": query.q, "per_page": FETCH, **({} if xlang else {"xlang": "0"})}
        response = self.clients[query.corpus, variant].get("/api/search", query_string=args)
        data = response.get_json(silent=True) or {}
        if response.status_code != 200:
            return (), f"HTTP {response.status_code}: {data.get('reason', '')}".rstrip(": ")
        keys = (f"{hit['operation']}/{hit['year']}/{hit['section']}" for hit in data["hits"])
        return tuple(dict.fromkeys(keys)), ""

    def scores(self, variant: str, xlang: bool) -> list[Score]:
        """Every query's score on `variant` of its corpus (asked once, then remembered)."""
        if (variant, xlang) not in self._scores:
            self._scores[variant, xlang] = [Score(q, *self.ranking(q, variant, xlang)) for q in self.judged.queries]
        return self._scores[variant, xlang]


# ------------------------------------------------------------------------------------------------ the report

HEADER = f"{'corpus':<10} {'sections':<13} {'cross-lang':<10} {'query':<5} {'n':>3} {'recall@10':>9} " \
         f"{'precision@3':>11} {'best P@3':>8} {'errors':>6}"


def table(runs: Runs) -> list[str]:
    lines = [HEADER, "-" * len(HEADER)]
    for variant in VARIANTS:
        for xlang in XLANG:
            for (corpus, lang), avg in averages(runs.scores(variant, xlang)).items():
                lines.append(f"{corpus:<10} {variant:<13} {'on' if xlang else 'off':<10} {lang:<5} {avg.queries:>3} "
                             f"{avg.recall:>9.3f} {avg.precision:>11.3f} {avg.best_precision:>8.3f} {avg.errors:>6}")
        lines.append("")
    return lines


def per_query(runs: Runs) -> list[str]:
    lines = [f"{'query':<16} {'sections':<13} {'xl':<3} {'R@10':>5} {'P@3':>5}  first three sections / query"]
    for variant in VARIANTS:
        for xlang in XLANG:
            for score in runs.scores(variant, xlang):
                first = ", ".join(k + ("*" if k in score.query.relevant else "") for k in score.ranking[:3])
                lines.append(f"{score.query.id:<16} {variant:<13} {'on' if xlang else 'off':<3} {score.recall:>5.2f} "
                             f"{score.precision:>5.2f}  {score.error or first or '(nothing)'}  | {score.query.q}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--judged", type=Path, default=JUDGED, help="The judged query set (YAML).")
    parser.add_argument("--workdir", type=Path, help="Where to write the corpora and indexes (must not exist; "
                                                     "default: a temporary folder, removed afterwards).")
    parser.add_argument("--per-query", action="store_true", help="Also print every query's scores.")
    args = parser.parse_args(argv)
    if args.workdir and args.workdir.exists():
        print(f"{args.workdir}: already exists", file=sys.stderr)
        return 2
    judged = load_judged(args.judged)
    with tempfile.TemporaryDirectory(prefix="kb-quality-") as temp:
        workdir = args.workdir or Path(temp)
        started = time.perf_counter()
        runs = Runs(judged, workdir)
        built = time.perf_counter() - started
        counts = {lang: len(judged.of(lang=lang)) for lang in LANGS}
        print(f"judged set: {args.judged} ({counts['en']} English, {counts['fr']} French queries); "
              f"{len(runs.clients)} indexes built in {built:.1f} s")
        print("\n".join(table(runs)))
        if args.per_query:
            print("\n".join(per_query(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
