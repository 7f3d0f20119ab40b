"""The engine's caches stay within their byte budgets whatever the queries (issue 14: bounded caches)."""

from kb.engine.lru import BytesLRU


def test_least_recently_used_go_first_and_the_budget_holds():
    cache: BytesLRU[bytes] = BytesLRU(10, len)
    cache.put("a", b"xxxx")
    cache.put("b", b"xxxx")
    assert cache.get("a") == b"xxxx"  # "a" is now the most recent
    cache.put("c", b"xxxx")  # 12 bytes > 10: the least recent ("b") goes
    assert cache.get("b") is None
    assert cache.get("a") == b"xxxx" and cache.get("c") == b"xxxx"
    assert cache.nbytes <= 10


def test_a_value_larger_than_the_budget_is_answered_but_not_kept():
    cache: BytesLRU[bytes] = BytesLRU(10, len)
    assert cache.put("big", b"x" * 11) == b"x" * 11
    assert cache.get("big") is None and cache.nbytes == 0


def test_replacing_a_key_counts_its_bytes_once():
    cache: BytesLRU[bytes] = BytesLRU(10, len)
    for _ in range(5):
        cache.put("a", b"xxxxxx")
    assert len(cache) == 1 and cache.nbytes == 6
