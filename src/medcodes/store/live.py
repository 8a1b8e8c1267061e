"""The store a long-running server reads: it follows the newest finished build as a whole.

A build writes a new file and renames it over the old path (store/build.py), so the path's inode
changes exactly when a build finishes. `LiveStore.current()` looks at the file (one `stat`, at most
every `check_every` seconds) and, when it changed, opens a fresh `Store` on it. A `Store` carries its
own connections, build id and artefact folder (the search index), so a request that takes one store
at its start reads one build from start to end: the old build or the new one, never a mix. Requests
already running finish on the old store; the build keeps the previous build's artefacts for them.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from medcodes.store.db import Store

CHECK_EVERY = 0.25  # seconds between two looks at the file; a stat costs about a microsecond


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


class LiveStore:
    """Hands out the `Store` of the newest finished build at `path`."""

    def __init__(self, path: Path | str | None = None, *, check_every: float | None = None):
        store = Store(path)
        self.path = store.path
        self.check_every = CHECK_EVERY if check_every is None else check_every
        self._store = store
        self._identity = _identity(self.path)
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self.switches = 0

    def current(self) -> Store:
        """The store to use for one whole request."""
        now = time.monotonic()
        if now - self._checked >= self.check_every:
            self._refresh(now)
        return self._store

    def _refresh(self, now: float) -> None:
        if not self._lock.acquire(blocking=False):
            return  # another thread is looking; this request keeps the store it has
        try:
            self._checked = now
            ident = _identity(self.path)
            if ident is None or ident == self._identity:
                return
            try:
                fresh = Store(self.path)
            except Exception:  # noqa: BLE001 - a file being replaced right now: look again next time
                return
            self._identity = ident
            self._store = fresh
            self.switches += 1
        finally:
            self._lock.release()
