"""Atomic file writes: a reader sees the old file or the new one, never a half-written one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


_UMASK = os.umask(0o022)  # read once at import (os has no read-only getter), then put back
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes | str, *, shared: bool = False) -> None:
    """Write `data` to `path` via a temporary file in the same folder, fsync, then rename over it.

    The temporary file is private (0600); `shared` gives the result the permissions of any new file
    (0666 less the umask: 0644 usually), for files made to hand to others, as exported photos are."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".darkslide.tmp")
    try:
        if shared:
            os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
