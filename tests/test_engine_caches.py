"""What the engine keeps between searches changes no answer: the same search with its caches cold, warm and switched
off gives the same hits, totals and facet counts; a section looked up by its doc_id is the one Whoosh finds, also
after an incremental build that left deleted documents in an older segment."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.engine.backend import Query
from kb.engine.whoosh_backend import WhooshBackend
from kb.settings import DEFAULTS
from tests.support import Site, build, clone_site, edit

QUERIES = ["refugees", "réfugiés education", '"birth certificate"', "protection NOT monitoring", "theme:education",
           '"people of concern" OR shelter', "acte de naissance", "(returns OR returnees) AND protection"]
FACETS = ("year", "theme", "section", "operation", "lang")


def answer(backend: WhooshBackend, text: str) -> tuple:
    result = backend.search(Query(text=text, limit=20, facets=FACETS))
    return (result.total, [(h.fields["doc_id"], round(h.score, 4), h.paragraphs, h.themes) for h in result.hits],
            result.facets)


@pytest.mark.parametrize("text", QUERIES)
def test_caches_change_no_answer(built_site: Site, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    warm = WhooshBackend(built_site.instance / "index", cache_size=0)
    for other in QUERIES:  # fill the term, phrase and paragraph caches with every query's words first
        answer(warm, other)
    monkeypatch.setitem(DEFAULTS, "term_cache_mb", 0)
    monkeypatch.setitem(DEFAULTS, "unit_cache_mb", 0)
    cold = WhooshBackend(built_site.instance / "index", cache_size=0)
    expected = answer(cold, text)
    assert expected[0] > 0, "the query should find something in the Mali corpus"
    assert answer(warm, text) == expected
    assert answer(warm, text) == expected  # asked again: from the caches alone


def every_doc_id(backend: WhooshBackend) -> list[str]:
    reader = backend._generation().searcher().reader()
    return [fields["doc_id"] for _, fields in reader.iter_docs()]


def test_sections_found_by_doc_id_as_whoosh_finds_them(built_site: Site, tmp_path: Path) -> None:
    content, instance = clone_site(built_site, tmp_path)
    edit(content / "mali" / "2020" / "unmet-needs.en.md", "UNHCR", "UNHCR (edited)")  # a deleted document stays
    assert build(content, instance).changed  # in the older segment, not live
    backend = WhooshBackend(instance / "index")
    searcher = backend._generation().searcher()
    ids = every_doc_id(backend)
    assert "mali/2020/unmet-needs/en" in ids and any("key-figures" in i for i in ids)
    for doc_id in ids:
        assert backend.get(doc_id) == dict(searcher.document(doc_id=doc_id)), doc_id
    assert "(edited)" in str(backend.get("mali/2020/unmet-needs/en")["paragraphs"])
    for missing in ("mali/2020/unmet-needs/de", "mali/1999/unmet-needs/en", "nowhere/2020/unmet-needs/en", "a/b",
                    "mali/2020/unmet-needs/en/extra", ""):
        assert backend.get(missing) is None


WORDS = ["refugees", "réfugiés", "the", "de", "la", "and", "or", "Or", "NOTE", "ORGANISATION", "ANDROID", "COVID-19",
         "U.N.H.C.R", "1,200", "2020", "peace-humanitarian-development", "état", "ÉTAT", "x", "a.b",
         "sub-saharan", "Liptako-Gourma", "-", "--", ".", ",", "3.5", "naïve", "œuvre", "straße", "_", "abc_def"]


@given(st.lists(st.sampled_from(WORDS) | st.from_regex(r"[\w.,\-]{1,12}", fullmatch=True), min_size=1, max_size=6),
       st.sampled_from(["en", "fr"]))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_plain_words_parse_as_whoosh_parses_them(built_site: Site, words: list[str], lang: str) -> None:
    """The word-by-word parse (kb.engine.whoosh_backend.WordParses) is Whoosh's parse of the whole text."""
    gen = shared_backend(built_site)._generation()
    text = " ".join(words)
    composed = gen.words.parse(lang, text)
    assert composed is not None
    assert composed == gen.parsers[lang].parse(text), text
    assert gen.words.parse(lang, text) == composed  # the second time from the remembered words


def test_other_queries_are_left_to_whoosh(built_site: Site) -> None:
    gen = shared_backend(built_site)._generation()
    for text in ['"birth certificate"', "a AND b", "a REQUIRE b", "a ANDMAYBE b", "a OR b", "a ANDNOT b",
                 "NOT a", "refug*", "title:x", "(a b)", "a^2", "[a TO b]", "'a b'",
                 "a~", "l'éducation", "", "   ", " ".join(["word"] * 13), "x" * 41]:
        assert gen.words.parse("en", text) is None, text


_BACKENDS: dict[Path, WhooshBackend] = {}


def shared_backend(site: Site) -> WhooshBackend:
    return _BACKENDS.setdefault(site.instance, WhooshBackend(site.instance / "index"))
