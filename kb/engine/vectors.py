"""Vectorised query evaluation over a Whoosh index: posting vectors per term, BM25F scores with numpy.

Whoosh evaluates a query document by document in Python, which costs ~25 µs per matching document: a common word in
a 168,000-section corpus takes seconds. This module takes each term's postings as numpy arrays (document numbers,
term frequencies, positions) — sliced from the segment's posting sidecar written at build time (kb.engine.postings),
or, for a segment without one, decoded from Whoosh's blocks and kept in a byte-bounded LRU cache — and evaluates the
parsed query tree with array operations:

- Term on a text field -> BM25F scores (Whoosh's formula and parameters: K1=1.2, B=0.75, idf = log(N/(df+1)) + 1,
  field boosts from the schema); Term on an ID/keyword/numeric field -> a mask from the facet table.
- And / Or / AndNot / Not / AndMaybe / Require -> mask logic, scores summed (AndMaybe: b's score added where it
  matches too; Require: a's score where b matches); Phrase -> the words' masks ANDed as candidates, then the
  words' positions (document << 32 | position keys) in those candidates, adjacent ones found by binary search
  (kb.engine.sorted_arrays).

The results are the same documents Whoosh finds (tests/test_vectors.py compares on the corpus), scored by the same
formula up to Whoosh's length quantisation.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from kb.engine.lru import BytesLRU
from kb.engine.postings import Sidecar, read_keys, read_postings
from kb.engine.sorted_arrays import distinct, members
from kb.settings import DEFAULTS

K1, B = 1.2, 0.75
CACHE_BYTES = 96 * 1024 * 1024
NARROW_RATIO = 2  # a phrase reads a word's positions only in its candidate documents when they are 2x fewer
_LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)


class Unsupported(Exception):
    """A query node this evaluator does not handle; the caller falls back to Whoosh."""


class Vectors:
    """One generation's postings as arrays, shared by all threads (the cache is locked)."""

    def __init__(self, reader: Any, schema: Any, text_fields: tuple[str, ...], size: int,
                 folder: Path | None = None, skip: frozenset[str] = frozenset()) -> None:
        self.reader = reader
        self.schema = schema
        self.size = size
        self.leaves = list(reader.leaf_readers())
        # each segment's posting sidecar (kb.engine.postings), or None: that segment is read from Whoosh's blocks
        # (as are the segments in `skip`, whose sidecars are damaged)
        self.sides = [Sidecar.open(folder, leaf._segment.segment_id())
                      if folder is not None and hasattr(leaf, "_segment") and leaf._segment.segment_id() not in skip
                      else None for leaf, _ in self.leaves]
        self.sliced = bool(self.sides) and all(side is not None for side in self.sides)
        self.scored = scored_cache()
        self.no_scores = _frozen(np.zeros(size, dtype=np.float32))  # shared: what a weightless term scores
        self.lengths = {f: self._lengths(f) for f in text_fields}
        total = max(reader.doc_count_all(), 1)
        self.avg = {f: (reader.field_length(f) / total) or 1.0 for f in text_fields}
        self.boost = {f: float(getattr(schema[f], "field_boost", 1.0) or 1.0) for f in text_fields}
        self.total = total
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- reading
    def _lengths(self, field: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        for leaf, offset in self.leaves:
            perdoc = getattr(leaf, "_perdoc", None)
            column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc is not None else None
            count = leaf.doc_count_all()
            if column is None:
                values = [leaf.doc_field_length(d, field) or 0 for d in range(count)]
                out[offset:offset + count] = values
            else:
                raw = np.frombuffer(bytes(column[d] for d in range(count)), dtype=np.uint8)
                out[offset:offset + count] = _LENGTH_OF_BYTE[raw]
        return out

    def postings(self, field: str, text: str, reader: Any) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of a term, from the cache or read once with `reader`."""
        key = (field, text)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        found = self._read(field, text, reader)
        self._remember(key, found)
        return found

    def _remember(self, key: tuple, value: tuple[np.ndarray, np.ndarray]) -> None:
        """Keep what was decoded from Whoosh's blocks, within CACHE_BYTES; what is read from sidecars is not kept (the
        OS caches their pages; keeping decoded positions too cost the server 50 MB and more at 16,800 sections)."""
        if self.sliced:
            return
        with self._lock:
            self._cache[key] = value
            self._bytes += value[0].nbytes + value[1].nbytes
            while self._bytes > CACHE_BYTES and len(self._cache) > 1:
                _, (first, second) = self._cache.popitem(last=False)
                self._bytes -= first.nbytes + second.nbytes

    def _read(self, field: str, text: str, reader: Any) -> tuple[np.ndarray, np.ndarray]:
        ids_parts, tf_parts = [], []
        for side, (leaf, offset) in zip(self.sides, reader.leaf_readers(), strict=True):
            if side is not None and side.has_field(field):
                ids, tfs = side.postings(field, text)
            elif (field, text) in leaf:
                ids, tfs = read_postings(leaf.postings(field, text))
            else:
                continue
            ids_parts.append(ids.astype(np.int64) + offset)
            tf_parts.append(tfs)
        if not ids_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate(ids_parts), np.concatenate(tf_parts)

    def narrow(self, field: str, text: str, reader: Any, candidates: np.ndarray | None) -> bool:
        """Whether `positions` reads the term's positions in `candidates` only (they are far fewer than its
        documents)."""
        return candidates is not None and len(candidates) * NARROW_RATIO < len(self.postings(field, text, reader)[0])

    def positions(self, field: str, text: str, reader: Any, candidates: np.ndarray | None = None) -> np.ndarray:
        """Every occurrence of a term as one int64 key, document << 32 | position (for phrases).

        Read in full and cached; or, when `candidates` (sorted document numbers) are far fewer than the documents
        holding the term, read for those documents only, skipping every posting block that holds none of them
        ("weshomu region": a few documents' positions of "region", not all of them) and not cached.
        """
        key = ("@positions", field, text)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found[0]
        narrow = self.narrow(field, text, reader, candidates)
        parts = []
        for side, (leaf, offset) in zip(self.sides, reader.leaf_readers(), strict=True):
            wanted = None
            if narrow:
                size = leaf.doc_count_all()
                wanted = candidates[(candidates >= offset) & (candidates < offset + size)] - offset
                if not len(wanted):
                    continue
            if side is not None and side.has_field(field):
                parts.append(side.keys(field, text, offset, wanted))
            elif (field, text) in leaf:
                parts.append(read_keys(leaf.postings(field, text), offset, wanted))
        keys = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        if not narrow:
            self._remember(key, (keys, np.zeros(0, dtype=np.float32)))
        return keys

    def phrase_docs(self, field: str, words: list[str], reader: Any, candidates: np.ndarray) -> np.ndarray:
        """Documents where `words` stand one after another (Whoosh's phrase with slop 1), as document numbers.

        `candidates`: the sorted document numbers that hold every word (the phrase can only occur there).
        """
        return distinct(self.every_phrase_start(field, words, reader, candidates) >> 32)

    def every_phrase_start(self, field: str, words: list[str], reader: Any, candidates: np.ndarray) -> np.ndarray:
        """phrase_starts in all of `candidates`, the documents that hold every word (so: everywhere), kept in the
        `scored` cache: a glossary equivalent is a phrase, and the same ones come back query after query."""
        key = ("@phrase", field, tuple(words))
        found = self.scored.get(key)
        if found is None:
            found = _frozen(self.phrase_starts(field, words, reader, candidates))
            self.scored.put(key, found)
        return found

    def phrase_starts(self, field: str, words: list[str], reader: Any, candidates: np.ndarray | None = None
                      ) -> np.ndarray:
        """Where the phrase `words` starts, as document << 32 | position keys (see phrase_docs)."""
        starts = self.positions(field, words[0], reader, candidates)
        for offset, word in enumerate(words[1:], 1):
            if not len(starts):
                break
            starts = starts[members(starts + offset, self.positions(field, word, reader, candidates))]
        return starts

    # ---------------------------------------------------------------- evaluating
    def term_scores(self, field: str, text: str, reader: Any) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, BM25F scores) of a term, read-only; kept in the `scored` cache (term_cache_mb)."""
        key = (field, text)
        found = self.scored.get(key)
        if found is None:
            ids, scores = self._term_scores(field, text, reader)  # document numbers fit 32 bits: half the bytes kept
            found = self.scored.put(key, (_frozen(ids.astype(np.int32)), _frozen(scores)))
        return found

    def _term_scores(self, field: str, text: str, reader: Any) -> tuple[np.ndarray, np.ndarray]:
        ids, tfs = self.postings(field, text, reader)
        if not len(ids):
            return ids, tfs
        idf = math.log(self.total / (len(ids) + 1)) + 1
        lengths = self.lengths[field][ids]
        scores = idf * (tfs * (K1 + 1)) / (tfs + K1 * ((1 - B) + B * lengths / self.avg[field]))
        return ids, (scores * self.boost[field]).astype(np.float32)


class Evaluator:
    """Evaluate one parsed query tree to (mask, scores) over all document numbers."""

    def __init__(self, vectors: Vectors, reader: Any, field_mask: Any, phrase_docs: Any) -> None:
        self.v = vectors
        self.reader = reader  # this thread's reader
        self.field_mask = field_mask  # (field, value) -> bool mask, or None when the field is not a facet
        self.phrase_docs = phrase_docs  # (query, candidate mask) -> bool mask of documents where the phrase occurs

    def run(self, node: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        size = self.v.size
        if isinstance(node, wq.Term):
            return self._term(node)
        if isinstance(node, (wq.And, wq.Or)):
            both = isinstance(node, wq.And)
            if not node.subqueries:
                return np.full(size, both, dtype=bool), np.zeros(size, dtype=np.float32)
            mask, score = _own(*self.run(node.subqueries[0]))  # the children's arrays are combined in place
            for child in node.subqueries[1:]:
                m, s = self.run(child)
                if both:
                    mask &= m
                else:
                    mask |= m
                if s is not self.v.no_scores:
                    score += s
            if both:
                score *= mask  # a score only where every child holds
            return mask, _boosted(score, node)
        if isinstance(node, wq.AndNot):
            m, s = self.run(node.a)
            exclude, _ = self.run(node.b)
            keep = m & ~exclude
            return keep, np.where(keep, s, 0).astype(np.float32)
        if isinstance(node, wq.AndMaybe):  # `a`, scored more where `b` holds too
            m, s = self.run(node.a)
            maybe, extra = self.run(node.b)
            return m, _boosted(np.where(m, s + np.where(maybe, extra, 0), 0).astype(np.float32), node)
        if isinstance(node, wq.Not):
            m, _ = self.run(node.query)
            return ~m, (~m).astype(np.float32)  # as Whoosh's InverseMatcher: weight 1
        if isinstance(node, wq.AndMaybe):  # a's documents; b's score added where b matches too
            m, s = self.run(node.a)
            _, extra = self.run(node.b)
            return m, np.where(m, s + extra, 0).astype(np.float32)
        if isinstance(node, wq.Require):  # a's documents that b matches, scored by a alone
            m, s = self.run(node.a)
            keep = m & self.run(node.b)[0]
            return keep, np.where(keep, s, 0).astype(np.float32)
        if isinstance(node, wq.Phrase):
            return self._phrase(node)
        if isinstance(node, wq.NumericRange):
            return self._range(node)
        if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
            return np.zeros(size, dtype=bool), np.zeros(size, dtype=np.float32)
        raise Unsupported(type(node).__name__)

    def _term(self, node: wq.Term) -> tuple[np.ndarray, np.ndarray]:
        size = self.v.size
        field, text = node.fieldname, node.text
        if field in self.v.lengths:
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            ids, scores = self.v.term_scores(field, word, self.reader)
            mask, out = np.zeros(size, dtype=bool), np.zeros(size, dtype=np.float32)
            mask[ids] = True
            out[ids] = scores * _boost(node)
            return mask, out
        if field == "year":
            value = self.v.schema["year"].from_bytes(text) if isinstance(text, bytes) else int(text)
            mask = self.field_mask("year", str(value))
            return mask, mask.astype(np.float32) * _boost(node)
        mask = self.field_mask(field, text.decode("utf-8") if isinstance(text, bytes) else str(text))
        if mask is None:
            raise Unsupported(f"term on {field}")
        if _boost(node) == 0.0:  # the `lang:` a backend adds to each language's part weighs nothing
            return mask, self.v.no_scores
        return mask, mask.astype(np.float32) * _boost(node)  # as Whoosh: a field without lengths weighs 1

    def _phrase(self, node: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        mask, score = self.run(wq.And([wq.Term(node.fieldname, w) for w in node.words]))
        if mask.any():
            if node.slop == 1 and node.fieldname in self.v.lengths:
                words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in node.words]
                found = np.zeros(self.v.size, dtype=bool)
                found[self.v.phrase_docs(node.fieldname, words, self.reader, np.nonzero(mask)[0])] = True
                mask = mask & found
            else:
                mask = mask & self.phrase_docs(node, mask)
        return mask, _boosted(np.where(mask, score, 0).astype(np.float32), node)

    def _range(self, node: wq.NumericRange) -> tuple[np.ndarray, np.ndarray]:
        if node.fieldname != "year":
            raise Unsupported(f"range on {node.fieldname}")
        years = self.field_mask("__year_of__", "")
        low = -np.inf if node.start is None else node.start + (1 if node.startexcl else 0)
        high = np.inf if node.end is None else node.end - (1 if node.endexcl else 0)
        mask = (years >= low) & (years <= high)
        return mask, mask.astype(np.float32) * _boost(node)  # as Whoosh: a constant score


def _own(mask: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A child's arrays, copied unless they are its own new ones (a cached facet mask, a view of a table's column and
    the zero scores are shared: never changed in place)."""
    return _fresh(mask), _fresh(score)


def _fresh(array: np.ndarray) -> np.ndarray:
    return array if array.flags.writeable and array.flags.owndata else array.copy()


def scored_cache() -> BytesLRU[Any]:
    """Terms' scores and phrases' places, recently asked for: within the setting term_cache_mb."""
    return BytesLRU(DEFAULTS["term_cache_mb"] << 20, _nbytes)


def _nbytes(value: Any) -> int:
    return sum(a.nbytes for a in value) if isinstance(value, tuple) else value.nbytes


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False  # shared between searches and threads
    return array


def _boosted(score: np.ndarray, node: wq.Query) -> np.ndarray:
    """A group's or phrase's scores times its boost, as Whoosh weighs them (a glossary equivalent is `"a b"^0.5`)."""
    boost = _boost(node)
    return score if boost == 1.0 else score * np.float32(boost)


def _boost(node: wq.Query) -> float:
    """A node's boost (Whoosh's default 1; a boost of 0 weighs nothing, as in Whoosh)."""
    boost = getattr(node, "boost", None)
    return 1.0 if boost is None else float(boost)
