"""Per-process memo of what reader pages are built from, keyed by the content version.

The page cache (``articles.caching``) keeps whole responses and can be switched off
(``NEWSROOM_CACHE_SECONDS=0``) or be unreachable; this keeps, in each server process, the
context a page's template is rendered from (the article and its related articles, a list's
rows, the navigation), so that a request whose page is not cached costs the content version
read and the template, not a dozen queries.

It is exactly as fresh as the page cache: every entry belongs to the version it was computed
under, and the first lookup under another version drops them all. The version is read once
per request (``public_cache`` does it), from where every process reads it, so a takedown in
one process empties the memo of every other on its next request. Entries are bounded
(``NEWSROOM_PAGE_MEMO_ENTRIES``, least recently used first out; ``0`` keeps nothing), so no
query string can grow a process.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings

_MISSING = object()


class VersionedMemo:
    def __init__(self, max_entries: int | None = None):
        self._max_entries = max_entries  # None: NEWSROOM_PAGE_MEMO_ENTRIES
        self._version: str | None = None
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()  # runserver and threaded workers share one process

    @property
    def max_entries(self) -> int:
        if self._max_entries is not None:
            return self._max_entries
        return settings.NEWSROOM_PAGE_MEMO_ENTRIES

    def get(self, version: str, key: Hashable):
        """The value stored for ``key`` under ``version``, else None."""
        with self._lock:
            if version != self._version:
                return None
            value = self._entries.get(key, _MISSING)
            if value is _MISSING:
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, version: str, key: Hashable, value) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get_or_compute(self, version: str | None, key: Hashable, compute: Callable[[], object]):
        """``compute()`` once per ``version``; without a version (no public request) always."""
        if version is None:
            return compute()
        value = self.get(version, key)
        if value is None:
            value = compute()
            self.put(version, key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._version = None

    def __len__(self) -> int:
        return len(self._entries)


pages = VersionedMemo()


def version_of(request) -> str | None:
    """The content version ``public_cache`` read for this request (None when it did not:
    a signed-in editor, a POST, a view outside the page cache)."""
    state = getattr(request, "content_state", None)
    return state["version"] if state else None
