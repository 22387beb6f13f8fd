"""Atomic file writes: a reader sees the old file or the new one, never a half-written one."""
from __future__ import annotations

import os
import re
import secrets
import stat
import string
import tempfile
import time
from pathlib import Path


TEMP_SUFFIX = ".darkslide.tmp"
# write_atomic's temporary names: `.NAME.` + mkstemp's 8 random characters + TEMP_SUFFIX.
_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + "$")
ABANDONED_AFTER = 3600  # seconds; a write takes milliseconds, so an older temporary file's writer was killed


def remove_if_abandoned(path: str | Path, now: float | None = None) -> bool:
    """Delete `path` if it is a temporary file of write_atomic whose writer was killed (a regular file with
    that name pattern, untouched for ABANDONED_AFTER seconds); True if it was. Nothing else is touched."""
    path = Path(path)
    if not _TEMP.match(path.name):
        return False
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or (time.time() if now is None else now) - st.st_mtime < ABANDONED_AFTER:
            return False
        path.unlink()
    except OSError:  # gone meanwhile, or not ours to delete
        return False
    return True


def remove_abandoned(folder: str | Path, now: float | None = None) -> list[Path]:
    """remove_if_abandoned for every file in `folder` (e.g. sidecar saves cut short by a kill -9)."""
    try:
        names = [n for n in os.listdir(folder) if n.endswith(TEMP_SUFFIX)]
    except OSError:
        return []
    return [Path(folder) / n for n in names if remove_if_abandoned(Path(folder) / n, now)]


def write_atomic(path: Path, data: bytes | str, *, shared: bool = False) -> None:
    """Write `data` to `path` via a temporary file in the same folder, fsync, then rename over it.

    The temporary file is private (0600); `shared` gives the result the permissions of any new file
    (0666 less the umask: 0644 usually), for files made to hand to others, as exported photos are."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = _shared_temp(path) if shared else tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                                                   suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_NAME_CHARS = string.ascii_lowercase + string.digits + "_"


def _shared_temp(path: Path) -> tuple[int, str]:
    """A new temporary file beside `path` created with mode 0666, which the system reduces by the umask as
    for any new file (0644 usually; mkstemp makes 0600). Reading the umask would mean changing it, which is
    process-wide; on Windows the file takes the folder's permissions."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        name = "".join(secrets.choice(_NAME_CHARS) for _ in range(8))
        tmp = path.parent / f".{path.name}.{name}{TEMP_SUFFIX}"
        try:
            return os.open(tmp, flags, 0o666), str(tmp)
        except FileExistsError:
            continue
    raise FileExistsError(f"Could not create a temporary file beside {path}")
