"""A thread-safe least-recently-used cache bounded by bytes: what a reader keeps between searches stays within a
stated budget whatever the queries (issue 14: bounded caches)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BytesLRU(Generic[V]):
    """Keeps values up to `budget` bytes in all (as `size` measures them); the least recently used go first. A value
    larger than the whole budget is not kept."""

    def __init__(self, budget: int, size: Callable[[V], int]) -> None:
        self.budget = budget
        self._size = size
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: V) -> V:
        nbytes = self._size(value)
        if nbytes > self.budget:
            return value
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.budget:
                _, (_, freed) = self._items.popitem(last=False)
                self._bytes -= freed
        return value

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)
