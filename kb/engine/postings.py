"""Posting sidecars: each Whoosh segment's text postings as flat arrays, written at build time, read a term at a time.

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
A served sidecar is read with `os.pread`, never memory-mapped (see Sidecar), and checked against its header's sizes.
"""

from __future__ import annotations

import json
import os
import pickle
import weakref
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kb.engine.sorted_arrays import members

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
        keep = np.repeat(members(docs, wanted), counts)
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


class SidecarDamaged(OSError):
    """A sidecar that does not hold what its header says (cut short while served): `what` says how."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(f"{path}: {what}")
        self.path, self.what = path, what


@dataclass
class _Field:
    index: dict[str, int]
    starts: np.ndarray  # in memory (terms + 1 numbers); the other arrays stay on disk: name -> (where, count)
    at: dict[str, tuple[int, int]]


class Sidecar:
    """One segment's sidecar, read with `os.pread` into numpy arrays (an open descriptor, shared by every thread).

    Not memory-mapped: a mapped file that is truncated under a running server kills it with SIGBUS on the next read
    of a page past the new end; a read returns fewer bytes, which raises SidecarDamaged (the backend then stops
    serving the generation). Each read is checked against the sizes the header promises.
    """

    def __init__(self, path: Path, fd: int, fields: dict[str, _Field]) -> None:
        self.path = path
        self.fields = fields
        self._fd = fd
        weakref.finalize(self, os.close, fd)

    @classmethod
    def open(cls, folder: Path, segment_id: str) -> Sidecar | None:
        """The sidecar of a segment, or None when it is missing or unreadable (the caller reads Whoosh's blocks)."""
        try:
            header = json.loads((folder / f"{segment_id}{SUFFIX}.json").read_text(encoding="utf-8"))
            if header.get("version") != VERSION:
                return None
            path = folder / f"{segment_id}{SUFFIX}"
            fd = os.open(path, os.O_RDONLY)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        try:
            fields = _read_fields(fd, os.fstat(fd).st_size, header)
        except (OSError, ValueError, KeyError, TypeError):
            fields = None
        if fields is None:
            os.close(fd)
            return None
        return cls(path, fd, fields)

    def has_field(self, field: str) -> bool:
        return field in self.fields

    def _array(self, found: _Field, name: str, lo: int, hi: int) -> np.ndarray:
        """Items lo..hi of one of a field's arrays, read from the file."""
        dtype = np.dtype(_DTYPES[name])
        at, count = found.at[name]
        if not 0 <= lo <= hi <= count:
            raise SidecarDamaged(self.path, f"items {lo}..{hi} of {name} asked, the array has {count}")
        size = (hi - lo) * dtype.itemsize
        data = os.pread(self._fd, size, at + lo * dtype.itemsize) if size else b""
        if len(data) != size:
            raise SidecarDamaged(self.path, f"cut short: {len(data)} of {size} bytes at {at + lo * dtype.itemsize}")
        return np.frombuffer(data, dtype=dtype)

    def _range(self, field: str, text: str) -> tuple[_Field, int, int] | None:
        found = self.fields.get(field)
        i = found.index.get(text) if found is not None else None
        if i is None:
            return None
        return found, int(found.starts[i]), int(found.starts[i + 1])

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(segment-local document numbers, weights) of a term; empty when the segment does not hold it."""
        spot = self._range(field, text)
        if spot is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        found, lo, hi = spot
        return self._array(found, "docs", lo, hi), self._array(found, "weights", lo, hi)

    def keys(self, field: str, text: str, offset: int, wanted: np.ndarray | None = None) -> np.ndarray:
        """Occurrences of a term as document << 32 | position keys (document numbers + `offset`).

        With `wanted` (sorted segment-local document numbers), only the occurrences in those documents.
        """
        spot = self._range(field, text)
        if spot is None:
            return np.zeros(0, dtype=np.int64)
        found, lo, hi = spot
        docs = self._array(found, "docs", lo, hi)
        bounds = self._array(found, "offsets", lo, hi + 1)
        first, last = int(bounds[0]), int(bounds[-1])
        if first > last:
            raise SidecarDamaged(self.path, f"positions {first}..{last} of {field}:{text} run backwards")
        every = self._array(found, "positions", first, last)
        if wanted is not None:
            keep = members(docs, wanted)
            docs, begin, end = docs[keep], bounds[:-1][keep] - first, bounds[1:][keep] - first
            counts = end - begin
            index = np.repeat(begin - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) + np.arange(counts.sum())
            positions = every[index]
        else:
            counts = np.diff(bounds)
            positions = every
        doc_of = np.repeat(docs.astype(np.int64) + offset, counts)
        return (doc_of << 32) | positions.astype(np.int64)


def _read_fields(fd: int, file_size: int, header: dict[str, Any]) -> dict[str, _Field] | None:
    """Each field's term index and array places, checked against the file's size; None when they do not fit."""
    fields = {}
    end = 0
    for field, spec in header["fields"].items():
        at = {}
        for name, (start, count) in spec["arrays"].items():
            size = int(count) * np.dtype(_DTYPES[name]).itemsize
            if start < 0 or count < 0 or start + size > file_size:
                return None  # cut short (a damaged disk): Whoosh's blocks are still there
            at[name] = (int(start), int(count))
            end = max(end, start + size)
        if set(at) != set(_DTYPES) or at["starts"][1] != len(spec["terms"]) + 1:
            return None
        size = at["starts"][1] * 8
        data = os.pread(fd, size, at["starts"][0])
        if len(data) != size:
            return None
        starts = np.frombuffer(data, dtype=_DTYPES["starts"])
        fields[field] = _Field({t: i for i, t in enumerate(spec["terms"])}, starts, at)
    return fields if end == file_size else None
