"""Paragraphs as the unit of themes: the index's paragraphs numbered once per generation, and a query evaluated
paragraph by paragraph.

A unit is one paragraph of one document, keyed `document << 32 | i` (i: the paragraph's place, 0-based), as the
posting keys of kb.engine.vectors. `ParagraphTable` holds every unit of a generation (the PARAGRAPH_MARK postings of
`paragraph_theme`) and, per theme, the units tagged with it. `ParagraphEvaluator` evaluates a parsed query over units:
a body word holds in the paragraphs it stands in (its position >> PARAGRAPH_SHIFT), a phrase in the paragraph it
starts in, `theme:` in the paragraphs tagged with it; what is known only per document (title words, year, operation
and the other fields, ranges) holds in each of the document's paragraphs. AND, OR and NOT combine paragraph by
paragraph, so "refugees AND theme:education" asks for one paragraph with both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as wq

from kb.engine.lru import BytesLRU
from kb.engine.schema import BODY_FIELDS, PARAGRAPH_FIELD, PARAGRAPH_MARK, PARAGRAPH_SHIFT
from kb.engine.sorted_arrays import distinct
from kb.engine.vectors import Evaluator, Vectors
from kb.settings import DEFAULTS

LOW = np.int64(0xFFFFFFFF)


@dataclass
class ParagraphTable:
    """Every paragraph of a generation as a unit, and the units each theme tags."""

    keys: np.ndarray  # int64[units], sorted: document << 32 | paragraph index
    doc: np.ndarray  # int32[units]: the unit's document number
    themes: dict[str, np.ndarray]  # theme -> sorted indices (int32) of the units tagged with it
    size: int  # document numbers of the generation
    bits: np.ndarray  # uint8[units, bytes]: per unit, its themes as bits (in the order of `themes`), packed
    first: np.ndarray  # int64[documents + 1]: the index of each document's first unit (its units are consecutive)
    terms: BytesLRU[np.ndarray] = field(init=False)  # (field, term) -> sorted indexes of the units holding it

    def __post_init__(self) -> None:
        self.terms = BytesLRU(DEFAULTS["unit_cache_mb"] << 20, lambda units: units.nbytes)

    @classmethod
    def read(cls, vectors: Vectors, reader: Any, size: int) -> ParagraphTable:
        """The paragraphs of the index `reader` reads (none in an index built before they were indexed)."""
        keys = np.unique(vectors.positions(PARAGRAPH_FIELD, PARAGRAPH_MARK, reader))
        themes = {}
        tags = reader.lexicon(PARAGRAPH_FIELD) if PARAGRAPH_FIELD in reader.schema else []
        for tag in (btext.decode("utf-8") for btext in tags):
            if tag != PARAGRAPH_MARK:
                found = np.unique(vectors.positions(PARAGRAPH_FIELD, tag, reader))
                themes[tag] = np.searchsorted(keys, found).astype(np.int32)
        grid = np.zeros((len(keys), len(themes)), dtype=bool)
        for column, tagged in enumerate(themes.values()):
            grid[tagged, column] = True
        doc = (keys >> 32).astype(np.int32)
        first = np.searchsorted(doc, np.arange(size + 1))
        return cls(keys, doc, themes, size, np.packbits(grid, axis=1), first)

    def of_docs(self, doc_mask: np.ndarray) -> np.ndarray:
        """The units of the documents in `doc_mask`."""
        return doc_mask[self.doc]

    def tagged(self, themes: Iterable[str]) -> np.ndarray:
        """The units tagged with any of `themes`."""
        mask = np.zeros(len(self.keys), dtype=bool)
        for theme in themes:
            if theme in self.themes:
                mask[self.themes[theme]] = True
        return mask

    def units_of(self, docnums: np.ndarray) -> np.ndarray:
        """The indexes of the units of these documents (ascending document numbers), ascending."""
        starts, ends = self.first[docnums], self.first[docnums + 1]
        counts = ends - starts
        return np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) + np.arange(counts.sum())

    def at_positions(self, keys: np.ndarray) -> np.ndarray:
        """The indexes of the units that hold these occurrences (document << 32 | body position keys)."""
        docs = keys >> 32
        index = self.first[docs] + ((keys & LOW) >> PARAGRAPH_SHIFT)  # a document's i-th unit is its paragraph i
        return index[index < self.first[docs + 1]]

    def holding(self, keys: np.ndarray) -> np.ndarray:
        """The sorted indexes (int32) of the units that hold these occurrences (see at_positions)."""
        index = self.at_positions(keys)  # ascending when the keys are (they are, segment after segment)
        return distinct(index).astype(np.int32)

    def docs(self, units: np.ndarray) -> np.ndarray:
        """The documents that have a unit in `units`."""
        mask = np.zeros(self.size, dtype=bool)
        mask[self.doc[units]] = True
        return mask

    def count_themes(self, units: np.ndarray, doc_filter: np.ndarray) -> dict[str, int]:
        """Per theme: the documents of `doc_filter` with a unit in `units` tagged with it."""
        index = np.flatnonzero(units)
        index = index[doc_filter[self.doc[index]]]
        if not len(index) or not self.themes:
            return {}
        docs = self.doc[index]  # ascending, as the units are
        firsts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
        per_doc = np.bitwise_or.reduceat(self.bits[index], firsts, axis=0)  # any of its units, per theme (packed)
        totals = np.unpackbits(per_doc, axis=1, count=len(self.themes)).sum(axis=0)
        return {theme: int(n) for theme, n in zip(self.themes, totals, strict=True) if n}

    def in_document(self, docnum: int, units: np.ndarray) -> tuple[list[int], list[str]]:
        """The paragraph indexes (0-based) of `docnum` among `units`, and the themes tagging them."""
        low, high = self.first[docnum], self.first[docnum + 1]
        chosen = np.arange(low, high)[units[low:high]]
        tagged = np.unpackbits(self.bits[chosen], axis=1, count=len(self.themes)).any(axis=0)
        return (self.keys[chosen] & LOW).tolist(), sorted(t for t, on in zip(self.themes, tagged, strict=True) if on)


class ParagraphEvaluator:
    """Evaluate a parsed query tree to the units where it holds, among the units of candidate documents (see the
    module's docstring): the arrays are as long as those units, not as all of the index's."""

    def __init__(self, table: ParagraphTable, documents: Evaluator, candidates: np.ndarray) -> None:
        self.table = table
        self.documents = documents  # the document-level evaluator, for what holds per document
        self.docnums = np.flatnonzero(candidates)  # the documents the query may hold in
        self.units = table.units_of(self.docnums)
        self.doc = table.doc[self.units]

    def evaluate(self, node: wq.Query) -> np.ndarray:
        """The units (of the whole index) where `node` holds."""
        found = np.zeros(len(self.table.keys), dtype=bool)
        found[self.units[self.run(node)]] = True
        return found

    def run(self, node: wq.Query) -> np.ndarray:
        if isinstance(node, wq.Term):
            return self._term(node)
        if isinstance(node, wq.And) and (split := _language_part(node)) is not None:
            return self._in_language(*split)
        if isinstance(node, (wq.And, wq.Or)):
            if not node.subqueries:
                return np.zeros(len(self.units), dtype=bool)
            out = self.run(node.subqueries[0])  # a new array, as every run() gives: combined in place
            for child in node.subqueries[1:]:
                if isinstance(node, wq.And):
                    out &= self.run(child)
                else:
                    out |= self.run(child)
            return out
        if isinstance(node, wq.AndNot):
            return self.run(node.a) & ~self.run(node.b)
        if isinstance(node, wq.AndMaybe):  # holds where `a` holds; `b` only weighs
            return self.run(node.a)
        if isinstance(node, wq.Not):
            return ~self.run(node.query)
        if isinstance(node, wq.AndMaybe):
            return self.run(node.a)
        if isinstance(node, wq.Require):
            return self.run(node.a) & self.run(node.b)
        if isinstance(node, wq.Phrase) and node.slop == 1 and node.fieldname in BODY_FIELDS:
            return self._phrase(node)
        if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
            return np.zeros(len(self.units), dtype=bool)
        return self.documents.run(node)[0][self.doc]  # per document (raises Unsupported as it does)

    def _in_language(self, lang: str, rest: wq.Query) -> np.ndarray:
        """`rest AND lang:<lang>` (each language's part of a parsed query): `rest` evaluated over the units of that
        language's candidate documents only, half as many as all (what holds elsewhere is cut by lang: anyway)."""
        docs = self.documents.field_mask("lang", lang)
        if docs is None:
            return self.run(rest) & self._per_document(wq.Term("lang", lang), lang)[self.doc]
        sub = object.__new__(ParagraphEvaluator)
        sub.table, sub.documents = self.table, self.documents
        sub.docnums = self.docnums[docs[self.docnums]]
        sub.units = self.table.units_of(sub.docnums)
        sub.doc = self.table.doc[sub.units]
        out = np.zeros(len(self.units), dtype=bool)
        out[np.searchsorted(self.units, sub.units[sub.run(rest)])] = True  # sub.units: a sorted part of self.units
        return out

    def _term(self, node: wq.Term) -> np.ndarray:
        if node.fieldname == "year":  # per document; its terms are encoded numbers
            return self.documents.run(node)[0][self.doc]
        text = node.text.decode("utf-8") if isinstance(node.text, bytes) else str(node.text)
        if node.fieldname not in (*BODY_FIELDS, "theme"):  # per document
            return self._per_document(node, text)[self.doc]
        if node.fieldname in BODY_FIELDS:
            return self._body_term(node.fieldname, text)
        return self.table.tagged([text])[self.units]

    def _per_document(self, node: wq.Term, text: str) -> np.ndarray:
        """The documents where a term known per document holds (its scores are not needed here)."""
        documents = self.documents
        if node.fieldname in documents.v.lengths:  # a title word
            mask = np.zeros(documents.v.size, dtype=bool)
            mask[documents.v.term_scores(node.fieldname, text, documents.reader)[0]] = True
            return mask
        mask = documents.field_mask(node.fieldname, text)  # lang, section, operation...: the facet table's
        return mask if mask is not None else documents.run(node)[0]

    def _body_term(self, name: str, text: str) -> np.ndarray:
        """The candidate units a body word stands in. The units of a word read in full are kept (the table's
        `terms`, within unit_cache_mb: far smaller than the positions they come from); a word of many more
        documents than the candidates is read in those documents only, and not kept."""
        vectors, reader = self.documents.v, self.documents.reader
        held = self.table.terms.get((name, text))
        if held is None:
            if vectors.narrow(name, text, reader, self.docnums):
                return self._at(vectors.positions(name, text, reader, self.docnums))
            held = self.table.terms.put((name, text), self.table.holding(vectors.positions(name, text, reader)))
        return self._among(held)

    def _phrase(self, node: wq.Phrase) -> np.ndarray:
        """The candidate units a phrase starts in (from all its places, which the document evaluator keeps)."""
        key = ("@phrase", node.fieldname, tuple(node.words))
        held = self.table.terms.get(key)
        if held is None:
            together, _ = self.documents.run(wq.And([wq.Term(node.fieldname, w) for w in node.words]))
            words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in node.words]
            starts = self.documents.v.every_phrase_start(node.fieldname, words, self.documents.reader,
                                                         np.flatnonzero(together))
            held = self.table.terms.put(key, self.table.holding(starts))
        return self._among(held)

    def _among(self, held: np.ndarray) -> np.ndarray:
        """Which candidate units are among `held` (sorted unit indexes)."""
        if len(self.units) * 8 > len(self.table.keys):  # many candidates: a mask of every unit is cheaper
            every = np.zeros(len(self.table.keys), dtype=bool)
            every[held] = True
            return every[self.units]
        place = np.searchsorted(held, self.units)
        mask = place < len(held)
        mask[mask] = held[place[mask]] == self.units[mask]
        return mask

    def _at(self, keys: np.ndarray) -> np.ndarray:
        """Which of the candidate units hold these occurrences."""
        index = self.table.at_positions(keys)
        place = np.searchsorted(self.units, index)
        inside = place < len(self.units)
        inside[inside] = self.units[place[inside]] == index[inside]
        mask = np.zeros(len(self.units), dtype=bool)
        mask[place[inside]] = True
        return mask


def _language_part(node: wq.And) -> tuple[str, wq.Query] | None:
    """(lang, the rest) when `node` is `... AND lang:<lang>` with one lang: term, else None."""
    langs = [child for child in node.subqueries if isinstance(child, wq.Term) and child.fieldname == "lang"]
    if len(langs) != 1 or len(node.subqueries) < 2:
        return None
    rest = [child for child in node.subqueries if child is not langs[0]]
    text = langs[0].text
    return (text.decode("utf-8") if isinstance(text, bytes) else str(text)), (rest[0] if len(rest) == 1
                                                                              else wq.And(rest))


def monotone(node: wq.Query) -> bool:
    """No NOT anywhere: the query can then hold in a paragraph only of a document where it holds."""
    if isinstance(node, (wq.Not, wq.AndNot)):
        return False
    return all(monotone(child) for child in node.children())


def names_a_theme(node: wq.Query) -> bool:
    """The query asks for a theme (`theme:education`)."""
    return any(field == "theme" for field, _ in node.iter_all_terms())
