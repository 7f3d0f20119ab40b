"""Posting sidecars: each Whoosh segment's text postings as flat arrays, written at build time, read by slicing.

Whoosh keeps a term's postings in pickled, compressed blocks of ~100 documents, and unpickling them is most of what a
search costs the first time it meets a word (2 µs a posting: 20 ms for a common word at 16,800 sections). A build
therefore also writes, next to each segment `MAIN_<id>.seg`, the segment's postings of every text field as arrays:

    MAIN_<id>.kbpost        the arrays, one after another (little-endian, no padding)
    MAIN_<id>.kbpost.json   per field: its terms (sorted) and where each array starts

    per field:  starts    int64[terms + 1]     term i's postings are docs[starts[i]:starts[i + 1]]
                docs      int32[postings]      segment-local document numbers, ascending per term
                weights   float32[postings]    term frequencies (Whoosh's posting weights)
                offsets   int64[postings + 1]  posting j's positions are positions[offsets[j]:offsets[j + 1]]
                positions int32[occurrences]   word positions, ascending per posting

The names follow Whoosh's segment file pattern, so Whoosh's own clean-up removes a sidecar with its segment (after a
merge). The sidecar is derived data: a segment without one is read from Whoosh's blocks, with the same results.
"""

from __future__ import annotations

import json
import os
import pickle
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SUFFIX = ".kbpost"
VERSION = 1
_DTYPES = {"starts": "<i8", "docs": "<i4", "weights": "<f4", "offsets": "<i8", "positions": "<i4"}


def raw_matcher(matcher: Any) -> Any:
    """The W3 block matcher under any wrapper (a segment with deletions wraps it; the live mask drops those)."""
    while not hasattr(matcher, "_read_ids") and hasattr(matcher, "child"):
        matcher = matcher.child
    return matcher


def read_postings(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    """(docs, weights) of one term, without decoding its positions."""
    matcher = raw_matcher(matcher)
    docs, weights, _ = _blocks(matcher) if hasattr(matcher, "_postfile") else _one_by_one(matcher)
    return docs, np.asarray(weights, dtype=np.float32)


def read_keys(matcher: Any, offset: int, wanted: np.ndarray | None = None) -> np.ndarray:
    """A term's occurrences as document << 32 | position keys (documents + `offset`), or only in `wanted` ones."""
    docs, _, counts, positions = decode_term(matcher)
    if wanted is not None:
        keep = np.repeat(np.isin(docs, wanted), counts)
        docs_of, positions = np.repeat(docs, counts)[keep], positions[keep]
    else:
        docs_of = np.repeat(docs, counts)
    return ((docs_of + offset) << 32) | positions


def decode_term(matcher: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All postings of one term: (docs, weights, counts of positions, positions).

    Reads a W3 block's pickled (ids, weights, values) tuple directly, a block at a time: ids are stored as deltas,
    and each value is the position count then the pickled list of position deltas (whoosh.formats.Positions).
    """
    matcher = raw_matcher(matcher)
    docs, weights, values = _blocks(matcher) if hasattr(matcher, "_postfile") else _one_by_one(matcher)
    counts: list[int] = []
    deltas: list[int] = []
    loads = pickle.loads
    for value in values:
        found = loads(value[4:] + b".")
        counts.append(len(found))
        deltas.extend(found)
    lengths = np.asarray(counts, dtype=np.int64)
    running = np.cumsum(np.asarray(deltas, dtype=np.int64))
    before = np.concatenate(([0], running))[np.cumsum(lengths) - lengths]  # the running sum before each posting
    return docs, np.asarray(weights, dtype=np.float32), lengths, running - np.repeat(before, lengths)


def _blocks(matcher: Any) -> tuple[np.ndarray, list[float], list[bytes]]:
    ids: list[np.ndarray] = []
    weights: list[float] = []
    values: list[bytes] = []
    while matcher.is_active():
        data = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        block_ids, block_weights, block_values = pickle.loads(zlib.decompress(data) if matcher._compression else data)
        ids.append(np.cumsum(np.asarray(block_ids, dtype=np.int64)))  # each block's ids are stored as deltas
        if block_weights is None or isinstance(block_weights, float):
            weights.extend([block_weights or 1.0] * len(block_ids))
        else:
            weights.extend(block_weights)
        values.extend(block_values)
        matcher._next_block()
    return (np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)), weights, values


def _one_by_one(matcher: Any) -> tuple[np.ndarray, list[float], list[bytes]]:
    """Postings Whoosh keeps inline in the term dictionary (a list matcher)."""
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), weights, values


def write_segment(folder: Path, reader: Any, fields: tuple[str, ...]) -> None:
    """Write the sidecar of the segment `reader` reads (a Whoosh SegmentReader), atomically."""
    segment_id = reader._segment.segment_id()
    header: dict[str, Any] = {"version": VERSION, "fields": {}}
    blob = folder / f"{segment_id}{SUFFIX}.tmp"
    at = 0
    with blob.open("wb") as out:
        for field in fields:
            if field not in reader.schema or not reader.schema[field].format.supports("positions"):
                continue
            arrays, terms = _field_arrays(reader, field)
            spots = {}
            for name, array in arrays.items():
                data = np.ascontiguousarray(array, dtype=_DTYPES[name]).tobytes()
                out.write(data)
                spots[name] = [at, len(array)]
                at += len(data)
            header["fields"][field] = {"terms": terms, "arrays": spots}
        out.flush()
        os.fsync(out.fileno())
    meta = folder / f"{segment_id}{SUFFIX}.json.tmp"
    meta.write_text(json.dumps(header, ensure_ascii=False), encoding="utf-8")
    os.replace(blob, folder / f"{segment_id}{SUFFIX}")
    os.replace(meta, folder / f"{segment_id}{SUFFIX}.json")  # last: a sidecar without its header is not used


def _field_arrays(reader: Any, field: str) -> tuple[dict[str, np.ndarray], list[str]]:
    terms, starts, docs, weights, counts, positions = [], [0], [], [], [], []
    for btext in reader.lexicon(field):
        term_docs, term_weights, term_counts, term_positions = decode_term(reader.postings(field, btext))
        terms.append(btext.decode("utf-8"))
        starts.append(starts[-1] + len(term_docs))
        docs.append(term_docs.astype(np.int32))  # the file's types at once: a segment's positions are its words
        weights.append(term_weights)
        counts.append(term_counts.astype(np.int32))
        positions.append(term_positions.astype(np.int32))
    every_count = np.concatenate(counts).astype(np.int64) if counts else np.zeros(0, dtype=np.int64)
    arrays = {
        "starts": np.asarray(starts, dtype=np.int64),
        "docs": np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32),
        "weights": np.concatenate(weights) if weights else np.zeros(0, dtype=np.float32),
        "offsets": np.concatenate(([0], np.cumsum(every_count))),
        "positions": np.concatenate(positions) if positions else np.zeros(0, dtype=np.int32),
    }
    return arrays, terms


def write_missing(folder: Path, fields: tuple[str, ...]) -> int:
    """Write the sidecar of every segment of the index in `folder` that has none; returns how many were written."""
    from whoosh import index as whoosh_index

    written = 0
    ix = whoosh_index.open_dir(str(folder))
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            segment = getattr(leaf, "_segment", None)
            if segment is not None and not (folder / f"{segment.segment_id()}{SUFFIX}.json").is_file():
                write_segment(folder, leaf, fields)
                written += 1
    ix.close()
    return written


@dataclass
class _Field:
    index: dict[str, int]
    starts: np.ndarray
    docs: np.ndarray
    weights: np.ndarray
    offsets: np.ndarray
    positions: np.ndarray


class Sidecar:
    """One segment's sidecar, memory-mapped (read-only pages, shared by every thread and with the OS cache)."""

    def __init__(self, fields: dict[str, _Field]) -> None:
        self.fields = fields

    @classmethod
    def open(cls, folder: Path, segment_id: str) -> Sidecar | None:
        """The sidecar of a segment, or None when it is missing or unreadable (the caller reads Whoosh's blocks)."""
        try:
            header = json.loads((folder / f"{segment_id}{SUFFIX}.json").read_text(encoding="utf-8"))
            if header.get("version") != VERSION:
                return None
            path = folder / f"{segment_id}{SUFFIX}"
            blob = np.memmap(path, dtype=np.uint8, mode="r") if path.stat().st_size else np.zeros(0, np.uint8)
            fields = {}
            for field, spec in header["fields"].items():
                arrays = {}
                for name, (at, count) in spec["arrays"].items():
                    size = count * np.dtype(_DTYPES[name]).itemsize
                    if at + size > len(blob):
                        return None  # cut short (a damaged disk): Whoosh's blocks are still there
                    arrays[name] = blob[at:at + size].view(_DTYPES[name])
                if len(arrays["starts"]) != len(spec["terms"]) + 1:
                    return None
                fields[field] = _Field({t: i for i, t in enumerate(spec["terms"])}, **arrays)
            return cls(fields)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def has_field(self, field: str) -> bool:
        return field in self.fields

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(segment-local document numbers, weights) of a term; empty when the segment does not hold it."""
        found = self.fields.get(field)
        i = found.index.get(text) if found is not None else None
        if i is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        lo, hi = found.starts[i], found.starts[i + 1]
        return found.docs[lo:hi], found.weights[lo:hi]

    def keys(self, field: str, text: str, offset: int, wanted: np.ndarray | None = None) -> np.ndarray:
        """Occurrences of a term as document << 32 | position keys (document numbers + `offset`).

        With `wanted` (sorted segment-local document numbers), only the occurrences in those documents.
        """
        found = self.fields.get(field)
        i = found.index.get(text) if found is not None else None
        if i is None:
            return np.zeros(0, dtype=np.int64)
        lo, hi = int(found.starts[i]), int(found.starts[i + 1])
        docs = found.docs[lo:hi]
        bounds = found.offsets[lo:hi + 1]
        if wanted is not None:
            keep = np.isin(docs, wanted)
            docs, begin, end = docs[keep], bounds[:-1][keep], bounds[1:][keep]
            counts = end - begin
            index = np.repeat(begin - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) + np.arange(counts.sum())
            positions = found.positions[index]
        else:
            counts = np.diff(bounds)
            positions = found.positions[bounds[0]:bounds[-1]]
        doc_of = np.repeat(docs.astype(np.int64) + offset, counts)
        return (doc_of << 32) | positions.astype(np.int64)
