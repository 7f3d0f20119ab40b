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


def test_positions_read_for_a_few_documents_equal_the_full_read(tmp_path) -> None:  # noqa: ANN001
    """The narrow read (phrases with a rare word) skips posting blocks: across many blocks, it loses nothing."""
    import random

    import numpy as np
    from whoosh.fields import TEXT, Schema
    from whoosh.index import create_in

    from kb.whoosh_vectors import _read_positions

    words = ["camp", "region", "return", "weshomu", "shelter"]
    rng = random.Random(3)
    ix = create_in(str(tmp_path), Schema(body=TEXT(phrase=True)))
    writer = ix.writer()
    for _ in range(3000):  # "camp" alone is in ~2,500 documents: about twenty posting blocks
        writer.add_document(body=" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))))
    writer.commit()
    with ix.reader() as reader:
        for word in words:
            full = _read_positions(reader.postings("body", word), 0)
            for count in (1, 5, 40, 400):
                wanted = np.array(sorted(rng.sample(range(3000), count)), dtype=np.int64)
                narrow = _read_positions(reader.postings("body", word), 0, wanted)
                assert np.array_equal(narrow, full[np.isin(full >> 32, wanted)]), (word, count)


@pytest.mark.parametrize("text", [q for q in QUERIES if q.startswith('"')])
def test_phrases_read_narrowly_find_the_same_documents(backend: WhooshBackend, text: str, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr("kb.whoosh_vectors.NARROW_RATIO", 10**9)  # always read positions for the candidates only
    gen = backend._generation()
    gen.vectors._cache.clear()
    parsed = backend.parse(gen, text, ("en", "fr"))
    mask, _ = gen.evaluator().run(parsed)
    assert set(mask.nonzero()[0].tolist()) == set(gen.searcher().docs_for_query(parsed))
