"""A section's twin in the other language, as the search hits link to it: does it exist, its title, and which of its
paragraphs is the translation of a given one (the same identifier; the same number in documents without them).

Every hit of every page asks, so the answers are remembered per index generation (`TwinFinder`, bounded by the
setting `twin_cache_sections`): a page served from the result cache then costs no further index read.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kb.engine.stored import StoredParagraph, outline
from kb.model import LANGS


@dataclass(frozen=True)
class TwinDocument:
    """What a hit needs of its twin: its language, title, and paragraph identifiers in order (None: without one)."""

    lang: str
    title: str
    ids: tuple[str | None, ...]

    def anchor_of(self, paragraph: StoredParagraph) -> str | None:
        """The anchor of `paragraph`'s translation here, None when this document lacks it."""
        if paragraph.id:
            return paragraph.id if paragraph.id in self.ids else None
        n = paragraph.n
        return f"p{n}" if 1 <= n <= len(self.ids) and self.ids[n - 1] is None else None


class TwinFinder:
    """The twins of a backend's sections, remembered for the generation being served (at most `size` sections)."""

    def __init__(self, get: Callable[[str], dict[str, Any] | None], site: Callable[[], object], size: int) -> None:
        self._get, self._site, self.size = get, site, size
        self._seen: OrderedDict[str, TwinDocument | None] = OrderedDict()
        self._generation: object = None
        self._complete = False  # the table holds every section of `_generation`: a section not in it has no twin
        self._lock = threading.Lock()

    def warm(self, outlines: Iterable[tuple[str, str, str, tuple[str | None, ...]]], deadline: float) -> int:
        """Fill the table with the served generation's sections (`outlines`: the backend's), until it is full or
        `deadline` (time.monotonic()) passes; how many. When every section fits, a section the table lacks has no
        twin, and its lookup costs nothing either (most sections of an English-only corpus)."""
        site = self._site()
        found: OrderedDict[str, TwinDocument | None] = OrderedDict()
        complete = True
        for doc_id, lang, title, ids in outlines:
            if len(found) >= self.size or time.monotonic() > deadline:
                complete = False
                break
            found[doc_id] = TwinDocument(lang, title, ids)
        with self._lock:
            if self._site() is site:
                self._seen, self._generation, self._complete = found, site, complete
        return len(found)

    def twin(self, operation: str, year: int, section: str, lang: str) -> TwinDocument | None:
        """The version in the other language than `lang` of the section, None when it has none."""
        other = next(o for o in LANGS if o != lang)
        doc_id = f"{operation}/{year}/{section}/{other}"
        site = self._site()  # the same object until a new generation is served
        with self._lock:
            if self._generation is not site:
                self._seen.clear()
                self._generation, self._complete = site, False
            if doc_id in self._seen:
                self._seen.move_to_end(doc_id)
                return self._seen[doc_id]
            if self._complete:
                return None
        found = twin_document(self._get(doc_id), other)
        with self._lock:
            if self._generation is site and self.size > 0:
                self._seen[doc_id] = found
                while len(self._seen) > self.size:
                    self._seen.popitem(last=False)
        return found



def twin_document(fields: dict[str, Any] | None, lang: str) -> TwinDocument | None:
    """What a hit needs of the stored section `fields` (in `lang`): None when there is none or it is no section."""
    found = outline(fields) if fields else None
    return TwinDocument(lang, found[0], found[1]) if found else None
