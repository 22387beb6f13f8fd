"""What a simulated shell command returns when it is not plain stdout."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Result:
    """What a command printed, and its exit status (only a shell-v2 host sees the status and stderr apart)."""
    out: bytes = b""
    err: bytes = b""
    code: int = 0
