"""Membership and distinct values on sorted numpy arrays, the engine's posting keys and document numbers.

`numpy.isin` and `numpy.unique` sort or hash their input: on a phrase's two words' positions (a few thousand keys
each) `isin` took 2.5-5 ms where a binary search of the already sorted keys takes 0.1-0.3 ms. These helpers use
the order the arrays already have, and fall back to numpy's own when an array is not sorted after all.
"""

from __future__ import annotations

import numpy as np


def is_sorted(values: np.ndarray) -> bool:
    """Ascending (equal neighbours allowed)."""
    return len(values) < 2 or bool((values[1:] >= values[:-1]).all())


def members(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """A mask: which of `values` are in `sorted_keys` (ascending); numpy.isin's answer."""
    if not len(values) or not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    if not is_sorted(sorted_keys):
        return np.isin(values, sorted_keys)
    place = np.searchsorted(sorted_keys, values)
    place[place == len(sorted_keys)] = 0  # past the end: compared with the first key, which is smaller
    return sorted_keys[place] == values


def distinct(sorted_values: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array, ascending; numpy.unique's answer."""
    if len(sorted_values) < 2:
        return sorted_values.copy()
    if not is_sorted(sorted_values):
        return np.unique(sorted_values)
    keep = np.empty(len(sorted_values), dtype=bool)
    keep[0] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=keep[1:])
    return sorted_values[keep]
