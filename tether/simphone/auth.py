"""Which host keys the simulated phone trusts, and how its "Allow USB debugging?" dialog answers."""
from __future__ import annotations

import threading
from pathlib import Path

from .. import adbkeys


class AuthPolicy:
    """approve_after: seconds the imaginary user takes to tap "Allow" for an unknown key; None = never allow.
    refuse: the user denies every prompt and known keys are rejected too (adbd with revoked authorizations)."""

    def __init__(self, trusted_keys=(), approve_after: float | None = 0.0, refuse: bool = False):
        self._lock = threading.Lock()
        self._trusted = []
        self.approve_after = approve_after
        self.refuse = refuse
        self.prompts = 0  # how many times the dialog was shown; tests read it
        for key in trusted_keys:
            self.trust(key)

    def trust(self, key) -> None:
        """key: a path to a private key (its .pub is read), a .pub path, or the public key line itself."""
        if isinstance(key, (str, Path)):
            path = Path(key)
            pub = path if path.suffix == ".pub" else Path(str(path) + ".pub")
            key = pub.read_bytes()
        with self._lock:
            self._trusted.append(adbkeys.parse_public_key_line(key))

    def revoke_all(self) -> None:
        """Forget every allowed key (a restart after the authorisation expired, or "Revoke USB debugging
        authorisations"): the next connection shows the dialog again."""
        with self._lock:
            self._trusted.clear()

    def accepts(self, token: bytes, signature: bytes) -> bool:
        if self.refuse:
            return False
        with self._lock:
            keys = list(self._trusted)
        return any(adbkeys.verify_token_signature(k, token, signature) for k in keys)

    def user_approves(self, public_key_line: bytes, stopping: threading.Event) -> bool:
        with self._lock:
            self.prompts += 1
        if self.refuse or self.approve_after is None:
            return False
        if stopping.wait(self.approve_after):
            return False
        try:
            self.trust(public_key_line)  # "Always allow from this computer"
        except ValueError:
            return False
        return True
