"""The Typesense implementation of the backend seam (`kb.engine.backend.SearchBackend`), over a cluster's alias.

kb's semantics are not Typesense's: BM25F with kb's field boosts, AND/OR/NOT and phrases over kb's own stems,
themes matched per paragraph, disjunctive facet counts under paragraph themes. Typesense 0.24's query language
expresses none of these exactly (no stemmer, its own text-match ranking, facets per record), so this backend asks the
cluster for kb's index data and computes the answer with kb's own evaluator, the one the Whoosh backend runs
(kb.engine.vectors, kb.engine.paragraphs): per generation it reads the packed facet and paragraph tables, field
lengths, lexicon, word list and site data once (kb.engine.typesense_writer wrote them); per query, the postings and
positions of the query's terms, in one request, kept in a bounded cache; per page of hits, their stored documents,
in one request. `documents()` (a section's translations, an operation's sections) is a Typesense filter query.

The cluster is the only state: a web server needs no content/ and no local index. Every read goes to whichever node
the client picks next; a node that does not answer is skipped (the client's node list), one that lacks a record it
should have (lagging after an alias swap) is asked again on the next node. The alias is looked up at most every
`check_seconds`; the backend never moves back to an older collection than the one it serves (a lagging node may
still name the previous one).
"""

from __future__ import annotations

import bisect
import io
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound

from kb.engine.glossary import glossary_from_json
from kb.engine.lru import BytesLRU
from kb.engine.paragraphs import ParagraphTable
from kb.engine.schema import TEXT_FIELDS, build_schema
from kb.engine.spelling import Speller
from kb.engine.typesense_store import ClusterError, Store, unpack
from kb.engine.typesense_writer import term_key
from kb.engine.vectors import Evaluator, Unsupported, Vectors, scored_cache
from kb.engine.whoosh_backend import (
    WARM_SHARE,
    FacetTable,
    IndexMissing,
    Parses,
    WhooshBackend,
    _parser,
    _top,
    absent_from,
    warm_words,
)
from kb.settings import DEFAULTS

CACHE_BYTES = 96 * 1024 * 1024  # decoded postings kept per generation
STORED_CACHE_BYTES = 16 * 1024 * 1024  # stored documents (JSON text size) kept per generation
WARM_BATCH = 40  # words whose postings the warmer fetches in one request
EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64))


class RemoteVectors(Vectors):
    """kb.engine.vectors.Vectors over postings read from the cluster (one `post` record per term), cached."""

    def __init__(self, backend: TypesenseBackend, collection: str, header: dict[str, Any],
                 arrays: Any, schema: Any, known: set[str]) -> None:
        self.backend, self.collection, self.schema, self.known = backend, collection, schema, known
        self.size, self.total = int(header["size"]), int(header["total"])
        self.avg, self.boost = header["avg"], header["boost"]
        self.lengths = {f: arrays[f"length_{f}"] for f in TEXT_FIELDS}
        self.sliced = False
        self._terms: OrderedDict[str, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.scored = scored_cache()
        self.no_scores = np.zeros(self.size, dtype=np.float32)
        self.no_scores.flags.writeable = False

    def prefetch(self, terms: Iterable[str]) -> None:
        """Read the postings of every term not cached yet, in one request (terms outside the lexicon have none)."""
        with self._lock:
            missing = sorted({t for t in terms if t not in self._terms})
        wanted = [t for t in missing if t in self.known]
        found: dict[str, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {t: {} for t in missing}
        if wanted:
            keys = {term_key(t): t for t in wanted}
            records = self.backend.fetch(self.collection, "post", list(keys), "key,term,meta,data")
            for key, record in records.items():
                found[keys[key]] = _decode_postings(record)
        with self._lock:
            for term, fields in found.items():
                if term not in self._terms:
                    self._terms[term] = fields
                    self._bytes += sum(a.nbytes for arrays in fields.values() for a in arrays)
            while self._bytes > CACHE_BYTES and len(self._terms) > 1:
                _, fields = self._terms.popitem(last=False)
                self._bytes -= sum(a.nbytes for arrays in fields.values() for a in arrays)

    @property
    def nbytes(self) -> int:
        """The bytes of the postings kept."""
        return self._bytes

    def _entry(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with self._lock:
            fields = self._terms.get(text)
            if fields is not None:
                self._terms.move_to_end(text)
        if fields is None:
            self.prefetch([text])
            with self._lock:
                fields = self._terms.get(text, {})
        return fields.get(field, EMPTY)

    def postings(self, field: str, text: str, reader: Any = None) -> tuple[np.ndarray, np.ndarray]:
        ids, tfs, _ = self._entry(field, text)
        return ids, tfs

    def positions(self, field: str, text: str, reader: Any = None, candidates: np.ndarray | None = None
                  ) -> np.ndarray:
        return self._entry(field, text)[2]


def twin_id(doc_id: str) -> str:
    """The identifier of a document's version in the other language (`mali/2020/unmet-needs/en` -> `.../fr`)."""
    head, _, lang = doc_id.rpartition("/")
    return f"{head}/{'en' if lang == 'fr' else 'fr'}" if head else ""


def _decode_postings(record: dict[str, Any]) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """A `post` record's arrays per field: document numbers (int64), term frequencies (float32), position keys."""
    data = unpack(record["data"])
    out, offset = {}, 0
    for field, n_ids, n_keys in json.loads(record["meta"]):
        ids = np.frombuffer(data, dtype="<i4", count=n_ids, offset=offset).astype(np.int64)
        offset += 4 * n_ids
        tfs = np.frombuffer(data, dtype="<f4", count=n_ids, offset=offset).astype(np.float32)
        offset += 4 * n_ids
        keys = np.frombuffer(data, dtype="<i8", count=n_keys, offset=offset).astype(np.int64)
        offset += 8 * n_keys
        out[field] = (ids, tfs, keys)
    return out


class LexiconReader:
    """What query expansion (prefixes, wildcards, term ranges) asks of a Whoosh reader, over the stored lexicon."""

    def __init__(self, schema: Any, lexicon: dict[str, list[bytes]]) -> None:
        self.schema, self.terms = schema, lexicon

    def _bytes(self, field: str, text: Any) -> bytes:
        if field not in self.schema:
            raise TermNotFound((field, text))
        return self.schema[field].to_bytes(text)

    def lexicon(self, field: str) -> Iterable[bytes]:
        return iter(self.terms.get(field, ()))

    def doc_frequency(self, field: str, text: Any) -> int:
        """1 when some document has the term, else 0 (what expansion asks: whether a word is absent)."""
        terms = self.terms.get(field, [])
        key = self._bytes(field, text)
        at = bisect.bisect_left(terms, key)
        return int(at < len(terms) and terms[at] == key)

    def terms_from(self, field: str, prefix: Any) -> Iterable[tuple[str, bytes]]:
        terms = self.terms.get(field, [])
        start = bisect.bisect_left(terms, self._bytes(field, prefix))
        return ((field, term) for term in terms[start:])

    def expand_prefix(self, field: str, prefix: Any) -> Iterable[bytes]:
        head = self._bytes(field, prefix)
        for _, term in self.terms_from(field, head):
            if not term.startswith(head):
                return
            yield term


class _RemoteGeneration:
    """One collection of the cluster, opened: its tables read once, its postings on demand."""

    def __init__(self, backend: TypesenseBackend, collection: str) -> None:
        self.name = collection
        self.backend = backend
        arrays = np.load(io.BytesIO(backend.blob(collection, "tables")), allow_pickle=False)
        header = json.loads(arrays["header"].tobytes().decode("utf-8"))
        self.schema = build_schema()
        values = header["values"]
        self.table = FacetTable(arrays["live"], values,
                                {f[6:]: arrays[f] for f in arrays.files if f.startswith("codes_")},
                                {f[7:]: arrays[f] for f in arrays.files if f.startswith("matrix_")},
                                arrays["year_of"])
        self.countries = {v: i for i, v in enumerate(header["countries"])}
        self.country = arrays["country"]
        self.country.flags.writeable = False  # its columns are masks the evaluator shares
        lexicon = {f: [t.encode("latin-1") for t in terms] for f, terms in header["lexicon"].items()}
        known = {t.decode("utf-8") for f in TEXT_FIELDS for t in lexicon.get(f, ())}
        self.vectors = RemoteVectors(backend, collection, header, arrays, self.schema, known)
        themes = {theme: arrays[f"para_theme_{i}"] for i, theme in enumerate(header["themes"])}
        self.paragraphs = ParagraphTable(arrays["para_keys"], arrays["para_doc"], themes, int(header["size"]),
                                         arrays["para_bits"], arrays["para_first"])
        self.lexicon = LexiconReader(self.schema, lexicon)
        self.common = [(str(field), str(text)) for field, text in header.get("common", ())]
        self.doc_ids: dict[str, int] = header["doc_ids"]
        self._doc_id_of = {docnum: doc_id for doc_id, docnum in self.doc_ids.items()}
        self.parsers = {lang: _parser(lang, self.schema) for lang in ("en", "fr")}
        self.parses = Parses(self.parsers, lambda: self.lexicon)
        self.speller = Speller(json.loads(backend.blob(collection, "words")))
        self._site = json.loads(backend.blob(collection, "site"))
        self.glossary = glossary_from_json(json.loads(backend.blob(collection, "glossary")))
        self.cache: OrderedDict[Any, Any] = OrderedDict()
        self.matches: BytesLRU[Any] = BytesLRU(DEFAULTS["match_cache_mb"] << 20, lambda match: match.nbytes())
        self.stored: BytesLRU[dict[str, Any]] = BytesLRU(STORED_CACHE_BYTES, lambda fields: fields["__bytes__"])
        self.cache_lock = threading.Lock()
        self.damage: str | None = None  # as the Whoosh generation's; the cluster's records have no local checksums

    def site(self) -> dict[str, Any]:
        return self._site

    def warm(self, seconds: float) -> int:
        """See WhooshBackend.warm: the commonest words the publication listed (none in a collection published
        before it did), their postings fetched WARM_BATCH words a request while they fit WARM_SHARE of the postings
        cache, then scored and placed in paragraphs as the Whoosh generation's are."""
        deadline = time.monotonic() + seconds
        words = list(dict.fromkeys(text for _, text in self.common))
        fetched: set[str] = set()
        for start in range(0, len(words), WARM_BATCH):
            if time.monotonic() > deadline or self.vectors.nbytes > WARM_SHARE * CACHE_BYTES:
                break
            batch = words[start : start + WARM_BATCH]
            self.vectors.prefetch(batch)
            fetched.update(batch)
        common = [(field, text) for field, text in self.common if text in fetched]
        return warm_words(common, self.vectors, self.paragraphs, self.lexicon, deadline)

    def absent(self, word: str, lang: str) -> bool:
        """As the Whoosh generation's (kb.engine.expansion asks it), over the stored lexicon."""
        return absent_from(self.lexicon, word, lang)

    def doc_id_of(self, docnum: int) -> str:
        return self._doc_id_of.get(docnum, "")

    def searcher(self) -> _RemoteGeneration:  # what WhooshBackend asks a generation for: itself stands in
        return self

    def reader(self) -> LexiconReader:
        return self.lexicon

    def evaluator(self) -> Evaluator:
        return Evaluator(self.vectors, self.lexicon, self.field_mask, self.phrase_docs)

    def document_evaluator(self) -> Evaluator:
        """For what the Whoosh backend leaves to Whoosh itself (`country:`): per document, `country` known."""
        return Evaluator(self.vectors, self.lexicon, self.any_field_mask, self.phrase_docs)

    def field_mask(self, field: str, value: str) -> np.ndarray | None:
        if field == "__year_of__":
            return self.table.year_of
        return self.table.mask_for(field, [value]) if field in self.table.values else None

    def any_field_mask(self, field: str, value: str) -> np.ndarray | None:
        if field == "country":
            column = self.countries.get(value)
            return self.country[:, column] if column is not None else np.zeros(len(self.table.live), dtype=bool)
        return self.field_mask(field, value)

    def phrase_docs(self, node: wq.Phrase, candidates: np.ndarray) -> np.ndarray:
        """Documents among `candidates` where the phrase's words stand in order, each within `slop` of the one
        before (Whoosh's phrase); a phrase on a field without positions holds nowhere."""
        found = np.zeros(len(candidates), dtype=bool)
        if node.fieldname not in TEXT_FIELDS:
            return found
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in node.words]
        ends = self.vectors.positions(node.fieldname, words[0])
        ends = ends[candidates[ends >> 32]] if len(ends) else ends
        for word in words[1:]:
            later = np.sort(self.vectors.positions(node.fieldname, word))
            place = np.searchsorted(later, ends + 1)
            ok = place < len(later)
            ok[ok] = later[place[ok]] <= ends[ok] + max(node.slop, 1)
            ends = later[place[ok]]
        found[ends >> 32] = True
        return found & candidates


class TypesenseBackend(WhooshBackend):
    """kb's search backend over the collection a Typesense cluster's alias points at."""

    def __init__(self, store: Store, alias: str, cache_size: int = DEFAULTS["result_cache_entries"],
                 time_limit: float = DEFAULTS["search_time_limit_ms"] / 1000, check_seconds: float = 0.5) -> None:
        super().__init__(Path(alias), cache_size, time_limit)
        self.store, self.alias, self.check_seconds = store, alias, check_seconds
        self._checked = 0.0

    # ---------------------------------------------------------------- the cluster
    def _generation(self) -> _RemoteGeneration:  # type: ignore[override]
        current = self._current
        now = time.monotonic()
        if current is not None and now - self._checked < self.check_seconds:
            return current  # type: ignore[return-value]
        try:
            target = self.store.alias_target(self.alias)
        except ClusterError:
            if current is None:
                raise
            return current  # type: ignore[return-value]  # the nodes will answer reads, or say why not
        self._checked = now
        if target is None and current is not None:
            return current  # type: ignore[return-value]  # a node that has not yet applied the alias
        if target is None:
            raise IndexMissing(f"the Typesense cluster has no alias {self.alias!r}; run `kb index --backend typesense`")
        if current is not None and target <= current.name:
            return current  # type: ignore[return-value]
        with self._lock:
            if self._current is None or self._current.name < target:
                try:
                    self._current = _RemoteGeneration(self, target)  # type: ignore[assignment]
                except ClusterError:
                    if self._current is None:
                        raise
                    self._checked = 0.0  # keep serving the one we have; try the new one on the next request
            return self._current  # type: ignore[return-value]

    def _recheck(self, gen: Any) -> dict[str, str]:  # type: ignore[override]
        """No local files to verify: a failed read is the cluster's, and says so (ClusterError)."""
        return {}

    def _again(self, read: Callable[[], Any], complete: Callable[[Any], bool], what: str) -> Any:
        """`read()` until `complete(answer)`, once per node at most: a node that lags lacks records it will have."""
        for _ in range(len(self.store.config.nodes)):
            answer = read()
            if complete(answer):
                return answer
            time.sleep(0.02)
        raise ClusterError(f"no node of the Typesense cluster has all of {what}")

    def fetch(self, collection: str, kind: str, keys: list[str], include: str) -> dict[str, dict[str, Any]]:
        """Records of `kind` by key; every key must be found (they were written before the alias moved)."""
        return self._again(lambda: self.store.by_keys(collection, kind, keys, include),
                           lambda found: len(found) == len(set(keys)), f"{len(keys)} {kind} records of {collection}")

    def blob(self, collection: str, key: str) -> bytes:
        def read() -> bytes | None:
            try:
                return self.store.blob(collection, key)
            except ClusterError:
                return None

        return self._again(read, lambda found: found is not None, f"the {key} of {collection}")

    def outlines(self) -> Iterator[tuple[str, str, str, tuple[str | None, ...]]]:
        """None: reading every section from the cluster at start would cost a request per page of 250 documents
        (kb.twins then reads a hit's twin when it first needs it, as it does beyond its table's size)."""
        return iter(())

    # ---------------------------------------------------------------- reading
    def get(self, doc_id: str) -> dict[str, Any] | None:
        gen = self._generation()
        docnum = gen.doc_ids.get(doc_id)
        return None if docnum is None else self._stored(gen, [docnum])[0]  # type: ignore[arg-type]

    def documents(self, **terms: str) -> list[dict[str, Any]]:
        """All documents whose fields equal the given values (a Typesense filter query), in document order."""
        if not terms:
            return []
        gen = self._generation()
        clauses = ["type:=doc"]
        for name, value in sorted(terms.items()):
            clauses.append(f"year:={int(value)}" if name == "year" else f"{name}:=`{value}`")
        found = self.store.records(gen.name, " && ".join(clauses), sort_by="docnum:asc", include="data")
        return [json.loads(record["data"]) for record in found]

    @staticmethod
    def _stored(gen: Any, docnums: list[int]) -> list[dict[str, Any]]:
        """The stored fields of these documents, from the generation's cache or in one request, which also brings
        their other-language twins (every hit's links ask for its twin next: kb.twins)."""
        found: dict[int, dict[str, Any]] = {}
        for docnum in dict.fromkeys(docnums):
            cached = gen.stored.get(docnum)
            if cached is not None:
                found[docnum] = cached
        wanted = [d for d in dict.fromkeys(docnums) if d not in found]
        if wanted:
            twins = [gen.doc_ids.get(twin_id(gen.doc_id_of(d))) for d in wanted]
            fetch = list(dict.fromkeys([*wanted, *(t for t in twins if t is not None and gen.stored.get(t) is None)]))
            records = gen.backend.fetch(gen.name, "doc", [f"n{d}" for d in fetch], "key,data")
            for docnum in fetch:
                data = records[f"n{docnum}"]["data"]
                found[docnum] = gen.stored.put(docnum, {**json.loads(data), "__bytes__": len(data)})
        out = []
        for docnum in docnums:
            fields = dict(found[docnum])
            del fields["__bytes__"]
            out.append(fields)
        return out

    def parse(self, gen: Any, text: str, langs: Any) -> wq.Query | None:
        """As the Whoosh backend's, then every posting the query needs read from the cluster in one request."""
        parsed = super().parse(gen, text, langs)
        if parsed is not None:
            gen.vectors.prefetch({t.decode("utf-8") if isinstance(t, bytes) else str(t)
                                  for f, t in parsed.iter_all_terms(phrases=True) if f in TEXT_FIELDS})
        return parsed

    # ---------------------------------------------------------------- what Whoosh itself answers there
    @staticmethod
    def _docs(searcher: Any, parsed: wq.Query, size: int) -> np.ndarray:
        try:
            return searcher.document_evaluator().run(parsed)[0]
        except Unsupported:
            return np.zeros(size, dtype=bool)

    def _scored(self, searcher: Any, parsed: wq.Query, final: np.ndarray, end: int
                ) -> tuple[list[tuple[int, float]], bool]:
        try:
            _, scores = searcher.document_evaluator().run(parsed)
        except Unsupported:
            scores = np.zeros(len(final), dtype=np.float32)
        return _top(final, scores, 0, end), False
