"""The last few results made from an image, found by the image object itself and a key.

libvips images cannot be dictionary keys (`==` compares pixels lazily), and a result is only reusable for
the very object it was made from (a preview's source, the colour result before the spatial stage), so
the few recent ones are kept in a short list, most recent first, and compared by identity.
"""
from __future__ import annotations

import threading
from typing import Any, Callable


class Kept:
    """Up to `size` results, each made from a `source` object for a hashable `key`; thread-safe."""

    def __init__(self, size: int):
        self.size = size
        self._items: list[tuple[Any, Any, Any]] = []
        self._lock = threading.Lock()

    def get(self, source, key, make: Callable[[], Any]):
        """The result kept for (`source`, `key`), or `make()`'s, kept (made outside the lock: two threads
        may both make one, and the later is kept)."""
        with self._lock:
            for kept_source, kept_key, result in self._items:
                if kept_source is source and kept_key == key:
                    return result
        result = make()
        with self._lock:
            self._items.insert(0, (source, key, result))
            del self._items[self.size:]
        return result
