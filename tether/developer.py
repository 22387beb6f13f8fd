"""The look hook on a thread of its own: while one capture's sidecar and preview are written, the session
is already listing and pulling the next file of a burst. One worker, so captures develop in landing order
("Same as previous" copies the capture before)."""
from __future__ import annotations

import queue
import threading

from .errors import LocalStorageError


class Developer:
    def __init__(self, deliver, on_storage_error, retry: tuple[float, float] = (1.0, 5.0)):
        """deliver(capture) develops and announces one capture and may raise LocalStorageError (disk full);
        then on_storage_error(exc) is told and the worker waits (retry: first and longest wait) before the
        next one, so a full disk is reported once per wait, not once per capture."""
        self._deliver, self._on_storage_error, self._retry = deliver, on_storage_error, retry
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._queued: set = set()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._closing.is_set()

    def start(self) -> None:
        self._closing.clear()
        self._thread = threading.Thread(target=self._run, name="tether-develop", daemon=True)
        self._thread.start()

    def submit(self, capture) -> None:
        with self._lock:
            if capture.local_path in self._queued:
                return
            self._queued.add(capture.local_path)
        self._queue.put(capture)

    def is_queued(self, path) -> bool:
        with self._lock:
            return path in self._queued

    def close(self, timeout: float) -> None:
        """Develop what is queued (within `timeout`), then stop; anything left is developed on the next start
        (the journal still lists it as undeveloped)."""
        if self._thread is None:
            return
        self._closing.set()
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        wait = self._retry[0]
        while True:
            capture = self._queue.get()
            if capture is None:
                return
            try:
                self._deliver(capture)
                failed = None
            except LocalStorageError as exc:
                failed = exc
            with self._lock:
                self._queued.discard(capture.local_path)  # before the report, which has it submitted again
            if failed is None:
                wait = self._retry[0]
                continue
            self._on_storage_error(failed)
            if self._closing.wait(wait):
                return
            wait = min(wait * 2, self._retry[1])
