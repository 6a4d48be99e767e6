"""A small per-process cache of answer pages: the same question, in the same language, in the
same minute, on the same data, gets the same page. Keys hold codes from the form (never stored
anywhere else, gone when the process ends or the entry is evicted); values are HTML."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

MAX_ENTRIES = 1024


class Recent:
    """Least-recently-used mapping with a bounded number of entries; thread-safe."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: Hashable) -> str | None:
        """The value for key (and mark it recently used), or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: str) -> None:
        """Store a value, evicting the least recently used entry beyond the bound."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()


ANSWERS = Recent()
