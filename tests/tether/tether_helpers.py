"""Small helpers shared by the tether tests."""
from __future__ import annotations

import hashlib
from pathlib import Path


def md5_of(path: Path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()
