"""The per-process memo keyed by the content version (``articles.versioned``)."""

from articles.versioned import VersionedMemo


def test_a_value_is_computed_once_per_version():
    memo, calls = VersionedMemo(), []

    def compute():
        calls.append(1)
        return len(calls)

    assert memo.get_or_compute("v1", "k", compute) == 1
    assert memo.get_or_compute("v1", "k", compute) == 1
    assert memo.get_or_compute("v2", "k", compute) == 2
    assert len(calls) == 2


def test_another_version_drops_every_entry_of_the_old_one():
    memo = VersionedMemo()
    memo.put("v1", "a", 1)
    memo.put("v1", "b", 2)
    memo.put("v2", "a", 3)
    assert memo.get("v1", "b") is None  # v1 is gone, even asked for by name
    assert memo.get("v2", "b") is None
    assert memo.get("v2", "a") == 3
    assert len(memo) == 1


def test_the_least_recently_used_entry_goes_first_past_the_bound():
    memo = VersionedMemo(max_entries=2)
    memo.put("v", "a", 1)
    memo.put("v", "b", 2)
    assert memo.get("v", "a") == 1  # now "b" is the oldest use
    memo.put("v", "c", 3)
    assert (memo.get("v", "a"), memo.get("v", "b"), memo.get("v", "c")) == (1, None, 3)


def test_without_a_version_nothing_is_kept():
    memo = VersionedMemo()
    assert memo.get_or_compute(None, "k", lambda: 1) == 1
    assert memo.get_or_compute(None, "k", lambda: 2) == 2
    assert len(memo) == 0


def test_the_setting_bounds_the_shared_memo_and_zero_keeps_nothing(settings):
    memo = VersionedMemo()
    settings.NEWSROOM_PAGE_MEMO_ENTRIES = 1
    memo.put("v", "a", 1)
    memo.put("v", "b", 2)
    assert (memo.get("v", "a"), memo.get("v", "b")) == (None, 2)
    settings.NEWSROOM_PAGE_MEMO_ENTRIES = 0
    memo.clear()
    assert memo.get_or_compute("v", "k", lambda: 1) == 1
    assert memo.get_or_compute("v", "k", lambda: 2) == 2  # computed again: nothing kept
    assert len(memo) == 0
