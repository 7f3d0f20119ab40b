"""The Whoosh side of the backend seam's writing half (`kb.backend.IndexWriter`): one generation folder.

The builder decides what goes in (indexer.build); this owns how: creating the folder's index or continuing from a
hard-linked copy of the served one, adding documents, deleting a content file's documents, committing or cancelling.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.query import Term

from indexer.schema import build_schema

WRITER_PROCS = max(1, min(2, os.cpu_count() or 1))  # a full build writes one segment per core


class WhooshGenerationWriter:
    """Writes the Whoosh index in `folder`: a new one (`fresh`), or the copy of the served one already there."""

    def __init__(self, folder: Path, fresh: bool) -> None:
        if fresh:
            self.index = whoosh_index.create_in(str(folder), build_schema())
            self._writer = self.index.writer(limitmb=128, procs=WRITER_PROCS, multisegment=True)
        else:
            self.index = whoosh_index.open_dir(str(folder))
            self._writer = self.index.writer(limitmb=128)

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
        self._writer.commit(optimize=False)

    def cancel(self) -> None:
        self._writer.cancel()

    def close(self) -> int:
        """Close the index; returns how many documents it holds."""
        count = self.index.doc_count()
        self.index.close()
        return count
