"""Parity: kb on Typesense gives the answers kb on Whoosh gives, on the Mali corpus and a 1,200-file synthetic one.

For the suite's queries (collected from tests/test_search.py, test_api.py, test_security.py and the others), with
and without filters, the judged query set (tests/search_quality/judged.yaml), and a few hundred generated from
tests/test_fuzz.py's vocabulary (words, operators, fields, syntax fragments) by hypothesis (KB_PARITY_EXAMPLES: 300 on
Mali, half as many on the synthetic corpus): the same total, the same set of hits (every hit, not a page; on the
synthetic corpus the first 600 of a query with more), the same facet counts and trend, the same paragraphs and themes
per hit, and the same refusal (QueryError message) for a query that cannot be read. The top ten must overlap by at
least 0.7 for every query and 0.9 on average (ties at the tenth place counted as equals); both backends run kb's own
evaluator over the same postings, so the rankings are in fact identical but where Whoosh scores a query itself.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from statistics import mean
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.cluster import Cluster
from kb.engine.backend import Query, QueryError
from kb.engine.schema import FACET_FIELDS
from tests.support import ROOT, Site, build, publish_site, stateless_app
from tests.test_fuzz import FIELDS, SYNTAX, WORDS

pytestmark = pytest.mark.typesense
EXAMPLES = int(os.environ.get("KB_PARITY_EXAMPLES", "300"))
ALL_HITS = 5000  # every hit of the Mali corpus (34 documents)
SYNTHETIC_HITS = 600  # of the synthetic corpus's 2,424: every hit of a query with fewer, else its first 600 (and the
#                       total, facets and trend, which count them all)

SUITE_QUERIES = (
    "", "refugees", "refugee", "réfugiés", "refugies", "REFUGIÉS", "education", "educaton", "radios",
    "ambulances", "resettlement", "registered", "registration", "statelessness", "statelesness", "COVID-19", "cash",
    "Dosseye", "scolaire", "naissance", "food rations", "abris Mopti", '"birth certificate"', '"acte de naissance"',
    '"protection monitoring"', "birth certificate", "acte de naissance", "documents d'état civil", "refug*",
    "refugees OR réfugiés", "refugees OR educaton", "ambulances OR naturalisation", "education NOT radios",
    "radios theme:education", "ambulances theme:education", "section:unmet-needs", "kind:section", "year:2020",
    "lang:fr refugees", "operation:mali", "title:priorities", "country:MLI", "body:[a TO zzzz]", "year:[2019 TO 2020]",
    "education ANDMAYBE refugees", "education ANDNOT radios", "(refugees OR shelter) AND NOT covid",
    "refugees AND theme:education", "theme:education OR theme:health", '"birth certificates"~3', "NOT", "a", "the",
    "x", "zzzqqq", "paragraphs:x", '"birth certificate', "(refugees", "refugees)", "*", "r*", "NOT NOT a",
    "self-reliance", "l'accès", "Liptako-Gourma", "17,041", "60%", "<script>", "ménages", "sécurité", "Ménaka",
)
FILTERS: tuple[dict[str, frozenset[str]], ...] = (
    {}, {"lang": frozenset({"fr"})}, {"theme": frozenset({"education"})},
    {"kind": frozenset({"section"})}, {"section": frozenset({"unmet-needs", "key-priorities"}),
                                       "lang": frozenset({"en"})},
    {"theme": frozenset({"education", "health"}), "report": frozenset({"year-end"})},
)


def answer(backend: Any, query: Query) -> Any:
    """Everything a search answers, comparable (the hits as a set), then the ranking: or the refusal."""
    try:
        result = backend.search(query)
    except QueryError as err:
        return ("refused", str(err), None, None, [])
    hits = [(h.fields["doc_id"], h.paragraphs, h.themes) for h in result.hits]
    ranking = [(h.fields["doc_id"], h.score) for h in result.hits]
    return result.total, sorted(hits), result.facets, result.per_year, ranking


def top_overlap(want: Any, got: Any) -> float:
    """The share of the expected top ten in the top ten found, ties at the tenth place counted as equals.

    Ties matter where Whoosh scores a query itself (ANDMAYBE, REQUIRE, `country:`) in float64 and the other backend
    in float32 with kb's evaluator: the same BM25F scores up to rounding, so documents tied at the cut may swap."""
    if want[0] == "refused" or want[0] == 0:
        return 1.0
    top = min(10, want[0])
    cut = want[4][top - 1][1]
    equals = {doc for doc, score in want[4] if score >= cut - 1e-5 * max(1.0, abs(cut))}
    return len(equals & {doc for doc, _ in got[4][:top]}) / top


class Parity:
    """Both backends over one corpus, and the overlaps seen."""

    def __init__(self, local: Any, remote: Any, limit: int = ALL_HITS) -> None:
        self.local, self.remote, self.overlaps, self.limit = local, remote, [], limit

    def check(self, text: str, filters: dict[str, frozenset[str]] | None = None, **extra: Any) -> None:
        query = Query(text=text, filters=filters or {}, facets=FACET_FIELDS, limit=self.limit, **extra)
        want, got = answer(self.local, query), answer(self.remote, query)
        assert got[:4] == want[:4], (text, filters)
        self.overlaps.append(overlap := top_overlap(want, got))
        assert overlap >= 0.7, (text, filters, want[4][:12], got[4][:12])
        if query.sort != "relevance":  # by year, then document number: the same order on both
            assert got[4][:10] == want[4][:10], (text, filters)


def parity_for(site_app: Any, instance: Path, cluster: Cluster, alias: str, root: Path, limit: int = ALL_HITS
               ) -> Parity:
    publish_site(instance, cluster, alias)
    remote = stateless_app(root, cluster, alias).extensions["kb.search"].backend
    return Parity(site_app.extensions["kb.search"].backend, remote, limit)


@pytest.fixture(scope="module")
def mali(built_site: Site, typesense_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parity]:
    parity = parity_for(built_site.app, built_site.instance, typesense_cluster, "kb-parity-mali",
                        tmp_path_factory.mktemp("mali") / "instance")
    yield parity
    assert mean(parity.overlaps) >= 0.9


@pytest.fixture(scope="module")
def synthetic(typesense_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parity]:
    """bench/corpus.py with 10 operations over 8 years: 1,200 files (1,120 sections and 80 figures.yaml)."""
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = corpus
    spec.loader.exec_module(corpus)
    root = tmp_path_factory.mktemp("synthetic")
    corpus.generate(root / "content", operations=10, years=8, seed=16)
    assert len(list((root / "content").glob("*/*/*"))) == 1200
    build(root / "content", root / "instance")
    from tests.support import make_app

    parity = parity_for(make_app(root / "instance"), root / "instance", typesense_cluster, "kb-parity-synthetic",
                        root / "stateless", SYNTHETIC_HITS)
    yield parity
    assert mean(parity.overlaps) >= 0.9


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "&".join(sorted(f)) or "none")
def test_the_suite_queries_answer_the_same_on_mali(mali: Parity, filters: dict[str, frozenset[str]]) -> None:
    for text in SUITE_QUERIES:
        mali.check(text, filters)
    for sort in ("newest", "oldest"):
        mali.check("refugees", filters, sort=sort)
    mali.check("", filters, year_from=2020, year_to=2020)


@pytest.mark.slow
@pytest.mark.parametrize("filters", FILTERS[::2], ids=lambda f: "&".join(sorted(f)) or "none")
def test_the_suite_queries_answer_the_same_on_a_synthetic_corpus(synthetic: Parity,
                                                                 filters: dict[str, frozenset[str]]) -> None:
    for text in SUITE_QUERIES:
        synthetic.check(text, filters)
    for sort in ("newest", "oldest"):
        synthetic.check("refugees education", filters, sort=sort, offset=20)
    synthetic.check("shelter", filters, year_from=2016, year_to=2019)


JUDGED = yaml.safe_load((ROOT / "tests" / "search_quality" / "judged.yaml").read_text(encoding="utf-8"))["queries"]


def test_the_judged_queries_answer_the_same_on_mali(mali: Parity) -> None:
    for judged in JUDGED:  # tests/search_quality/judged.yaml, both corpora's queries: all are queries of the field
        mali.check(judged["q"])
        mali.check(judged["q"], {"lang": frozenset({judged["lang"]})})


@pytest.mark.slow
def test_the_judged_queries_answer_the_same_on_a_synthetic_corpus(synthetic: Parity) -> None:
    for judged in JUDGED:
        synthetic.check(judged["q"], {"lang": frozenset({judged["lang"]})})


word = st.sampled_from(WORDS + ("shelter", "cash", "health", "school", "border", "returnees", "abris", "santé"))
piece = st.one_of(word, word, word, st.sampled_from(SYNTAX),
                  st.tuples(st.sampled_from(FIELDS), word).map(":".join),
                  st.lists(word, min_size=2, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"'),
                  word.map(lambda w: w[:3] + "*"))
queries = st.lists(piece, min_size=1, max_size=6).map(" ".join)
filters = st.sampled_from(FILTERS)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.slow
@FUZZ
@given(text=queries, chosen=filters)
def test_generated_queries_answer_the_same_on_mali(mali: Parity, text: str, chosen: dict) -> None:
    mali.check(text, chosen)


@pytest.mark.slow
@settings(FUZZ, max_examples=max(1, EXAMPLES // 2))
@given(text=queries, chosen=filters)
def test_generated_queries_answer_the_same_on_a_synthetic_corpus(synthetic: Parity, text: str, chosen: dict) -> None:
    synthetic.check(text, chosen)
