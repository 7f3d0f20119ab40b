"""The sorted-array helpers phrases and narrowed reads use give numpy's own answers, sorted input or not."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from kb.engine.sorted_arrays import distinct, members

keys = st.lists(st.integers(min_value=0, max_value=(1 << 40)), max_size=60)


@given(keys, keys, st.booleans())
def test_members_is_numpy_isin(values: list[int], found: list[int], ordered: bool) -> None:
    a, b = np.array(values, dtype=np.int64), np.array(sorted(found) if ordered else found, dtype=np.int64)
    assert members(a, b).tolist() == np.isin(a, b).tolist()


@given(keys, st.booleans())
def test_distinct_is_numpy_unique(values: list[int], ordered: bool) -> None:
    a = np.array(sorted(values) if ordered else values, dtype=np.int64)
    assert distinct(a).tolist() == np.unique(a).tolist()


def test_a_phrase_s_places_are_found_among_many_keys() -> None:
    first = np.arange(0, 2_000_000, 7, dtype=np.int64)
    second = np.arange(1, 2_000_001, 3, dtype=np.int64)
    assert np.array_equal(first[members(first + 1, second)], first[np.isin(first + 1, second)])
