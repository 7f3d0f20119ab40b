"""Publishing an index generation to a Typesense cluster: a new collection, filled, checked, then the alias moved.

`kb index --backend typesense` builds the generation as always (kb.engine.whoosh_writer, in the instance folder:
incremental builds, the manifest and the build lock stay the builder's), then `publish` copies it into the cluster:

- one `doc` record per document: its facet fields and kb's own analysed tokens (English and French stemming, accents
  folded: Typesense 0.24 has no stemmer) indexed, its stored fields (the original text, for display and highlighting)
  as JSON;
- one `post` record per analysed term: its postings (document numbers, term frequencies) and positions in each text
  field, exactly as the generation's, so that kb's evaluator gives the same answers on both backends;
- `blob` records: the facet and paragraph tables, the field lengths and the lexicon (`tables`), the spelling word
  list (`words`) and the site data (`site`).

Atomic for readers: the collection is new, the alias moves to it only once every record is in and counted, and a
failed or killed publication leaves the alias where it was (its half-built collection is dropped, or swept by the
next publication). The collection the alias pointed at before is kept (readers may still be on it) and removed by
the next publication.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kb.engine import checksums, generations
from kb.engine.schema import TEXT_FIELDS, analyse
from kb.engine.site import read_site
from kb.engine.typesense_store import ClusterError, Store, blob_records, pack
from kb.engine.whoosh_backend import _Generation, common_words

LEXICON_FIELDS = (*TEXT_FIELDS, "operation", "section", "lang", "report", "kind", "theme", "country", "year")
COUNT_WAIT = 30.0  # seconds the nodes may take to apply the last writes before the count is believed
SINGLE_FIELDS = ("operation", "section", "lang", "report", "kind", "doc_id", "path", "translation_key")


@dataclass
class Published:
    collection: str
    records: int = 0
    seconds: float = 0.0
    up_to_date: bool = False


def term_key(term: str) -> str:
    """The key of a term's `post` record (a digest: terms may hold any letter)."""
    return hashlib.blake2b(term.encode("utf-8"), digest_size=10).hexdigest()


def fingerprint(folder: Path) -> str:
    """Names the generation's content: the digest of its manifest."""
    return hashlib.sha256((folder / generations.MANIFEST).read_bytes()).hexdigest()[:12]


def publish(folder: Path, store: Store, alias: str) -> Published:
    """Copy the generation in `folder` into a new collection and point `alias` at it (see the module docstring)."""
    started = time.perf_counter()
    problems = checksums.damage(folder)
    if problems:  # its records would carry the damage to every node
        raise ClusterError(f"the index generation {folder.name} is damaged ({checksums.summary(problems)}) and is not "
                           "published; `kb index` rebuilds it")
    stamp = f"_{folder.name}_{fingerprint(folder)}"
    current = store.alias_target(alias)
    if current and current.endswith(stamp):
        return Published(current, up_to_date=True)
    name = f"{alias}_{time.time_ns()}{stamp}"
    generation = _Generation(folder)
    store.create(name)
    try:
        writer = _Records(generation)
        written = store.import_(name, writer.all())
        _counted(store, name, written)
        store.set_alias(alias, name)
    except BaseException:
        with contextlib.suppress(ClusterError):  # the cluster is down: the next publication sweeps it
            store.drop(name)
        raise
    listed = set(store.collections(f"{alias}_")) | set(store.collections(f"{alias}_"))  # two nodes: one may lag
    for old in sorted(listed - {name, current}):
        store.drop(old)
    return Published(name, written, time.perf_counter() - started)


def _counted(store: Store, name: str, written: int, wait: float = COUNT_WAIT) -> None:
    """Check that the collection holds every record written, as counted by the nodes (a follower may still be
    applying the last writes: it is asked again, or another node is); ClusterError when none does in time."""
    deadline = time.monotonic() + wait
    while (found := store.count(name)) != written:
        if found > written or time.monotonic() > deadline:
            raise ClusterError(f"collection {name} holds {found} records of the {written} written")
        time.sleep(0.1)


class _Records:
    """The records of one generation, produced lazily (documents, then terms, then the tables)."""

    def __init__(self, generation: _Generation) -> None:
        self.gen = generation
        self.searcher = generation.searcher()
        self.reader = self.searcher.reader()
        self.doc_ids: dict[str, int] = {}

    def all(self) -> Iterator[dict[str, Any]]:
        yield from self.documents()
        yield from self.postings()
        yield from blob_records("tables", self.tables())
        yield from blob_records("words", json.dumps(self.gen.speller.counts, ensure_ascii=False).encode("utf-8"))
        yield from blob_records("site", json.dumps(read_site(self.gen.folder), ensure_ascii=False).encode("utf-8"))
        glossary = self.gen.folder / generations.GLOSSARY
        yield from blob_records("glossary", glossary.read_bytes() if glossary.is_file() else b"{}")

    def documents(self) -> Iterator[dict[str, Any]]:
        for docnum in np.flatnonzero(self.gen.table.live).tolist():
            fields = dict(self.searcher.stored_fields(docnum))
            record: dict[str, Any] = {"id": f"d{docnum}", "type": "doc", "key": f"n{docnum}", "docnum": docnum,
                                      "data": json.dumps(fields, ensure_ascii=False, separators=(",", ":"))}
            record.update({name: str(fields[name]) for name in SINGLE_FIELDS if fields.get(name)})
            if fields.get("year") is not None:
                record["year"] = int(fields["year"])
            for name in ("theme", "country"):
                record[name] = [v for v in (fields.get(name) or "").split(",") if v]
            record["tokens"] = _tokens(fields)
            self.doc_ids[fields["doc_id"]] = docnum
            yield record

    def postings(self) -> Iterator[dict[str, Any]]:
        fields_of: dict[str, list[str]] = {}
        for field in TEXT_FIELDS:
            for btext in self.reader.lexicon(field):
                fields_of.setdefault(btext.decode("utf-8"), []).append(field)
        vectors = self.gen.vectors
        for term, fields in fields_of.items():
            meta, parts = [], []
            for field in fields:
                ids, tfs = vectors.postings(field, term, self.reader)
                keys = vectors.positions(field, term, self.reader)
                meta.append([field, len(ids), len(keys)])
                parts += [ids.astype("<i4").tobytes(), tfs.astype("<f4").tobytes(), keys.astype("<i8").tobytes()]
            key = term_key(term)
            yield {"id": f"t{key}", "type": "post", "key": key, "term": term, "meta": json.dumps(meta),
                   "data": pack(b"".join(parts), level=1)}

    def tables(self) -> bytes:
        """The facet table, paragraph table, field lengths and lexicon, as one .npz (a JSON header inside)."""
        gen, table, paragraphs, vectors = self.gen, self.gen.table, self.gen.paragraphs, self.gen.vectors
        arrays: dict[str, np.ndarray] = {"live": table.live, "year_of": table.year_of}
        arrays.update({f"codes_{f}": c for f, c in table.codes.items()})
        arrays.update({f"matrix_{f}": m for f, m in table.matrix.items()})
        countries, arrays["country"] = self._countries(len(table.live))
        arrays.update({f"length_{f}": vectors.lengths[f] for f in TEXT_FIELDS})
        arrays.update({"para_keys": paragraphs.keys, "para_doc": paragraphs.doc, "para_bits": paragraphs.bits,
                       "para_first": paragraphs.first})
        arrays.update({f"para_theme_{i}": units for i, units in enumerate(paragraphs.themes.values())})
        header = {
            "values": table.values, "countries": countries, "themes": list(paragraphs.themes), "size": vectors.size,
            "total": vectors.total, "avg": vectors.avg, "boost": vectors.boost, "doc_ids": self.doc_ids,
            "generation": gen.name,
            "lexicon": {f: [t.decode("latin-1") for t in self.reader.lexicon(f)] for f in LEXICON_FIELDS},
            "common": [list(pair) for pair in common_words(self.reader)],  # what a web server warms at start
        }
        arrays["header"] = np.frombuffer(json.dumps(header, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
        out = io.BytesIO()
        np.savez(out, **arrays)
        return out.getvalue()

    def _countries(self, size: int) -> tuple[list[str], np.ndarray]:
        """The `country` field as a boolean matrix (document x country), for `country:` in queries."""
        values = [t.decode("utf-8") for t in self.reader.lexicon("country")]
        grid = np.zeros((size, len(values)), dtype=bool)
        for i, value in enumerate(values):
            grid[list(self.reader.postings("country", value).all_ids()), i] = True
        return values, grid


def _tokens(fields: dict[str, Any]) -> list[str]:
    """kb's analysed terms of a document's title and text, in its language (what a query in that language meets)."""
    lang = "fr" if fields.get("lang") == "fr" else "en"
    text = "\n\n".join([fields.get(f"title_{lang}") or "", *(str(p[1]) for p in fields.get("paragraphs") or ())])
    return sorted(set(analyse(text, lang)))
