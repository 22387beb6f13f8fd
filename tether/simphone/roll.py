"""A camera roll of thousands of older photos and videos, made cheaply.

Files are sparse: `truncate()` gives each the size a real photo or video has (2-6 MB, 20-300 MB) without
writing its bytes, and the mtime is the time it was "taken". A listing (sync LIST, `ls -l`) is therefore
realistic; the contents are zeros and are never meant to be pulled (a tether session treats the roll as
its baseline).
"""
from __future__ import annotations

import os
import random
import time
from pathlib import Path

from .styles import roll_name

# Rough mix of a phone's camera folder: mostly photos, some videos, a few RAW pairs on a Pixel.
# A few photos sit in the trash (Android 11+: ".trashed-<expiry>-NAME", kept 30 days, hidden).
_KINDS = (("jpg", 0.855), ("mp4", 0.06), ("mp", 0.05), ("raw-pair", 0.03), ("trashed", 0.005))
TRASH_DAYS = 30  # MediaProvider DEFAULT_DURATION_TRASHED


def _pick(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for kind, share in _KINDS:
        acc += share
        if x < acc:
            return kind
    return "jpg"


def _sparse(path: Path, size: int, when: float) -> bool:
    """Create a sparse file of `size` bytes dated `when`; False if the name is taken."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o660)
    except FileExistsError:
        return False
    try:
        os.ftruncate(fd, size)
        os.utime(fd, (when, when))
    finally:
        os.close(fd)
    return True


def make_roll(folder: Path, count: int, style: str, seed: int = 1, end: float | None = None) -> int:
    """Fill `folder` up to `count` existing files (fewer made if some are there already); returns how
    many were made. Shots go back in time from `end` (default: an hour ago) in bursts and gaps."""
    folder.mkdir(parents=True, exist_ok=True)
    have = sum(1 for _ in os.scandir(folder))
    missing = count - have
    if missing <= 0:
        return 0
    rng = random.Random(seed)
    when = (end or time.time() - 3600) + rng.random()
    made = 0
    while made < missing:
        # Most shots come in sessions a few seconds apart; sessions are hours to days apart.
        when -= rng.uniform(1.2, 20.0) if rng.random() < 0.85 else rng.uniform(3600, 3 * 86400)
        kind = _pick(rng)
        if kind == "trashed":
            expiry = int(time.time()) + rng.randint(1, TRASH_DAYS) * 86400
            name = f".trashed-{expiry}-{roll_name(style, when, 'jpg')}"
        else:
            name = roll_name(style, when, kind)
        size = rng.randint(20, 300) << 20 if kind == "mp4" else rng.randint(2_000_000, 6_000_000)
        if not _sparse(folder / name, size, when):
            continue
        made += 1
        if kind == "raw-pair" and style == "pixel" and made < missing:
            _sparse(folder / name.replace(".RAW-01.COVER.jpg", ".RAW-02.ORIGINAL.dng"),
                    rng.randint(14_000_000, 25_000_000), when + 0.8)
            made += 1
    return made
