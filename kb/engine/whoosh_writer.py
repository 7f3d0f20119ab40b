"""The Whoosh side of the backend seam's writing half (`kb.engine.backend.IndexWriter`): one generation folder.

The builder decides what goes in (indexer.build); this owns how: creating the folder's index or continuing from a
hard-linked copy of the served one, adding documents, deleting a content file's documents, committing or cancelling.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.query import Term
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from kb.engine.postings import write_missing, write_segment
from kb.engine.schema import SIDECAR_FIELDS, build_schema

LIMIT_MB = 128  # memory for postings before a writer spills a run to disk


class _Lengths:
    """A segment's field lengths as lists, read once per field (Whoosh reads them once per posting at flush)."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.tables: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        table = self.tables.get(fieldname)
        if table is None:
            length = self.reader.doc_field_length
            table = self.tables[fieldname] = [length(d, fieldname, default) for d in range(self.reader.doc_count_all())]
        return table[docnum]

    def close(self) -> None:
        self.reader.close()


class _SegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter, with field lengths served from lists while postings are written (~12% of a build)."""

    def per_document_reader(self) -> Any:
        return _Lengths(super().per_document_reader())


class ShardWriter:
    """In a worker process of a full build: writes one new segment into the generation folder (no lock, no TOC).

    The same arrangement as Whoosh's own multiprocessing writer (whoosh.multiproc), except that the worker that
    checks a file also indexes it, so documents never cross a process boundary.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._writer = _SegmentWriter(whoosh_index.open_dir(str(folder)), _lk=False, limitmb=LIMIT_MB)
        self.added = False

    def add_documents(self, documents: Iterable[dict[str, Any]]) -> None:
        for document in documents:
            self._writer.add_document(**document)
            self.added = True

    def finish(self) -> Any:
        """The finished segment, with its posting sidecar (kb.engine.postings), or None when nothing was added."""
        if not self.added:
            self.cancel()
            return None
        segment = self._writer._finalize_segment()
        reader = SegmentReader(self._writer.storage, self._writer.schema, segment)
        try:
            write_segment(self.folder, reader, SIDECAR_FIELDS)
        finally:
            reader.close()
        return segment

    def cancel(self) -> None:
        self._writer.cancel()


class WhooshGenerationWriter:
    """Writes the Whoosh index in `folder`: a new one (`fresh`), or the copy of the served one already there."""

    def __init__(self, folder: Path, fresh: bool) -> None:
        self.folder = folder
        if fresh:
            self.index = whoosh_index.create_in(str(folder), build_schema())
        else:
            self.index = whoosh_index.open_dir(str(folder))
        self._writer = self.index.writer(limitmb=LIMIT_MB)
        self._segments: list[Any] = []

    def adopt_segments(self, segments: Iterable[Any]) -> None:
        """Take in segments that ShardWriters wrote into this folder; they join the index at commit."""
        self._segments.extend(segments)

    def add_documents(self, documents: Iterable[dict[str, Any]]) -> None:
        for document in documents:
            self._writer.add_document(**document)

    def delete_documents(self, paths: Iterable[str]) -> None:
        for path in paths:
            self._writer.delete_by_term("path", path)

    def stored(self, path: str) -> list[dict[str, Any]]:
        """The stored fields of a content file's documents, as they are before this writer's changes."""
        with self._writer.searcher() as searcher:
            return [dict(searcher.stored_fields(d)) for d in searcher.docs_for_query(Term("path", path))]

    def commit(self) -> None:
        if not self._segments:
            self._writer.commit(optimize=False)
            return
        writer = self._writer  # as SegmentWriter.commit, with the adopted segments added to the table of contents
        final = writer._merge_segments(None, False, False) + self._segments
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final)
        writer._finish()

    def cancel(self) -> None:
        self._writer.cancel()

    def close(self) -> int:
        """Close the index and give every segment its posting sidecar; returns how many documents it holds."""
        count = self.index.doc_count()
        self.index.close()
        write_missing(self.folder, SIDECAR_FIELDS)
        return count
