"""The vectorised evaluator finds exactly the documents Whoosh finds, and ranks them by Whoosh's BM25F scores."""

from __future__ import annotations

import pytest

from kb.whoosh_backend import WhooshBackend
from tests.support import build, copy_content

QUERIES = [
    "refugees", "réfugiés", "birth certificate", '"birth certificate"', "education OR shelter", "COVID-19",
    "protection NOT monitoring", "acte de naissance", "section:unmet-needs", "year:2020 education",
    "theme:education", "refug*", '"Liptako-Gourma"', "year:[2019 TO 2020] returnees", "lang:fr retour",
    '"acte de naissance"', '"gender-based violence"', '"protection monitoring"', '"UNHCR will continue"',
    '"réfugiés maliens"', '"people of concern"',
]


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> WhooshBackend:
    root = tmp_path_factory.mktemp("vectors")
    build(copy_content(root / "content"), root / "instance")
    return WhooshBackend(root / "instance" / "index")


@pytest.mark.parametrize("text", QUERIES)
def test_same_documents_and_scores_as_whoosh(backend: WhooshBackend, text: str) -> None:
    gen = backend._generation()
    searcher = gen.searcher()
    parsed = backend.parse(gen, text, ("en", "fr"))
    mask, scores = gen.evaluator().run(parsed)
    expected = set(searcher.docs_for_query(parsed))
    assert set(mask.nonzero()[0].tolist()) == expected
    assert expected, f"{text!r} should find something in the Mali corpus"
    whoosh_scores = {hit.docnum: hit.score for hit in searcher.search(parsed, limit=None)}
    for docnum, score in whoosh_scores.items():
        assert scores[docnum] == pytest.approx(score, rel=1e-3), (text, searcher.stored_fields(docnum)["doc_id"])
