"""The controllers' two small tools: an observer list (`Event`) and the `Runner` they hand slow work to.

Controllers are plain objects (no Qt), so they are tested without a display. A view subscribes to the
events of the controller it shows; a controller never knows which views listen.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Protocol

log = logging.getLogger("darkslide")


class Event:
    """Callbacks called in subscription order with the emitted arguments (on the emitting thread)."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[..., Any]] = []

    def subscribe(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        self._callbacks.append(callback)
        return callback

    def unsubscribe(self, callback: Callable[..., Any]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        for callback in list(self._callbacks):
            callback(*args)


class Runner(Protocol):
    """Runs `fn(*args)` off the caller's thread; `done(value)` or `error(exception)` come back on the
    caller's thread (editor.ui.workers.Tasks in the app, `Immediate` in tests). Without `error`, the runner
    reports the exception itself (status bar and log): a worker's failure is never silent."""

    def run(self, fn: Callable, *args: Any, done: Callable | None = None,
            error: Callable | None = None) -> Any: ...


class Immediate:
    """A Runner that runs at once on the calling thread (tests, command lines)."""

    def __init__(self) -> None:
        self.failed = Event()  # exceptions with no error callback

    def run(self, fn: Callable, *args: Any, done: Callable | None = None, error: Callable | None = None):
        try:
            value = fn(*args)
        except Exception as exc:
            if error is None:
                log.error("background task %s failed: %s", getattr(fn, "__name__", fn), exc)
                self.failed.emit(exc)
            else:
                error(exc)
            return None
        if done is not None:
            done(value)
        return value
