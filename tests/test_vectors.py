"""The vectorised evaluator finds exactly the documents Whoosh finds, and ranks them by Whoosh's BM25F scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.engine.whoosh_backend import WhooshBackend
from tests.support import Site, clone_site

QUERIES = [
    "refugees", "réfugiés", "birth certificate", '"birth certificate"', "education OR shelter", "COVID-19",
    "protection NOT monitoring", "acte de naissance", "section:unmet-needs", "year:2020 education",
    "theme:education", "refug*", '"Liptako-Gourma"', "year:[2019 TO 2020] returnees", "lang:fr retour",
    '"acte de naissance"', '"gender-based violence"', '"protection monitoring"', '"UNHCR will continue"',
    '"réfugiés maliens"', '"people of concern"',
]


@pytest.fixture(scope="module", params=["sidecar", "whoosh-blocks"])
def backend(request: pytest.FixtureRequest, built_site: Site, tmp_path_factory: pytest.TempPathFactory
            ) -> WhooshBackend:
    """Postings read from the build's sidecars, and (sidecars removed from a copy) from Whoosh's own posting blocks."""
    instance = built_site.instance
    if request.param == "whoosh-blocks":
        _content, instance = clone_site(built_site, tmp_path_factory.mktemp("vectors"))
    headers = list((instance / "index").glob("*.kbpost.json"))
    assert headers
    if request.param == "whoosh-blocks":
        for header in headers:
            header.unlink()
    backend = WhooshBackend(instance / "index")
    assert all(side is None for side in backend._generation().vectors.sides) == (request.param == "whoosh-blocks")
    return backend


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


def test_sidecar_and_block_reads_equal_whoosh_postings(tmp_path: Path) -> None:
    """Postings from the sidecar and from our block decoder equal Whoosh's own matchers, over many posting blocks."""
    import random

    import numpy as np
    from whoosh.fields import TEXT, Schema
    from whoosh.index import create_in

    from kb.engine.postings import Sidecar, read_keys, read_postings, write_segment

    words = ["camp", "region", "return", "weshomu", "shelter"]
    rng = random.Random(3)
    ix = create_in(str(tmp_path), Schema(body=TEXT(phrase=True)))
    writer = ix.writer()
    for n in range(3000):  # "camp" is in ~2,500 documents (twenty posting blocks), "weshomu" in a handful
        vocabulary = words[:-2] if n % 700 else words
        writer.add_document(body=" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 12))))
    writer.commit()
    with ix.reader() as reader:
        write_segment(tmp_path, reader, ("body",))
        side_id = reader._segment.segment_id()
        side = Sidecar.open(tmp_path, side_id)
        for word in words:
            matcher = reader.postings("body", word)
            expected_docs, expected_weights, expected_keys = [], [], []
            while matcher.is_active():  # Whoosh's own answer, posting by posting
                expected_docs.append(matcher.id())
                expected_weights.append(matcher.weight())
                expected_keys += [(matcher.id() << 32) | p for p in matcher.value_as("positions")]
                matcher.next()
            for docs, weights in (side.postings("body", word), read_postings(reader.postings("body", word))):
                assert docs.tolist() == expected_docs and weights.tolist() == expected_weights
            for keys in (side.keys("body", word, 0), read_keys(reader.postings("body", word), 0)):
                assert keys.tolist() == expected_keys
            for count in (1, 5, 40, 400):
                wanted = np.array(sorted(rng.sample(range(3000), count)), dtype=np.int64)
                narrow = [k for k in expected_keys if k >> 32 in set(wanted.tolist())]
                assert side.keys("body", word, 0, wanted).tolist() == narrow, (word, count)
                assert read_keys(reader.postings("body", word), 0, wanted).tolist() == narrow
        assert not len(side.postings("body", "absent")[0]) and not len(side.keys("body", "absent", 0))
    blob = tmp_path / f"{side_id}.kbpost"
    blob.write_bytes(blob.read_bytes()[:-8])  # cut short: not used (the caller reads Whoosh's blocks)
    assert Sidecar.open(tmp_path, side_id) is None


@pytest.mark.parametrize("text", [q for q in QUERIES if q.startswith('"')])
def test_phrases_read_narrowly_find_the_same_documents(backend: WhooshBackend, text: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kb.engine.vectors.NARROW_RATIO", 10**9)  # always read positions for the candidates only
    gen = backend._generation()
    gen.vectors._cache.clear()
    parsed = backend.parse(gen, text, ("en", "fr"))
    mask, _ = gen.evaluator().run(parsed)
    assert set(mask.nonzero()[0].tolist()) == set(gen.searcher().docs_for_query(parsed))
