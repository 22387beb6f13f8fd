"""ADB RSA keys: the host's key pair on disk and Android's binary public-key format.

The host signs the phone's 20-byte token with PKCS#1 v1.5 over a SHA-1 DigestInfo whose "digest" is the
raw token (adbd calls RSA_verify(NID_sha1, token, ...)), which is what `Prehashed(SHA1)` expresses.
"""
from __future__ import annotations

import base64
import os
import struct
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.exceptions import InvalidSignature

MODULUS_BYTES = 256
_PUBKEY_STRUCT = struct.Struct(f"<II{MODULUS_BYTES}s{MODULUS_BYTES}sI")


def android_pubkey_bytes(public_key: rsa.RSAPublicKey) -> bytes:
    """Encode like AOSP android_pubkey_encode (libcrypto_utils)."""
    numbers = public_key.public_numbers()
    n0inv = (1 << 32) - pow(numbers.n % (1 << 32), -1, 1 << 32)
    rr = pow(1 << (MODULUS_BYTES * 8), 2, numbers.n)
    return _PUBKEY_STRUCT.pack(MODULUS_BYTES // 4, n0inv, numbers.n.to_bytes(MODULUS_BYTES, "little"),
                               rr.to_bytes(MODULUS_BYTES, "little"), numbers.e)


def public_key_line(public_key: rsa.RSAPublicKey, comment: str = "darkslide@host") -> bytes:
    """The text of adbkey.pub: base64 blob, space, user@host."""
    return base64.b64encode(android_pubkey_bytes(public_key)) + b" " + comment.encode()


def parse_public_key_line(line: bytes) -> rsa.RSAPublicKey:
    """Decode what AUTH RSAPUBLICKEY carries (or an adbkey.pub line) back into a verifiable key."""
    blob = line.strip(b"\0").split(b" ", 1)[0].strip()
    raw = base64.b64decode(blob)
    words, _n0inv, modulus, _rr, exponent = _PUBKEY_STRUCT.unpack(raw[:_PUBKEY_STRUCT.size])
    if words != MODULUS_BYTES // 4:
        raise ValueError(f"unsupported key size: {words} words")
    n = int.from_bytes(modulus, "little")
    return rsa.RSAPublicNumbers(exponent, n).public_key()


def verify_token_signature(public_key: rsa.RSAPublicKey, token: bytes, signature: bytes) -> bool:
    try:
        public_key.verify(signature, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))
        return True
    except (InvalidSignature, ValueError):
        return False


def generate_key_pair(private_path: Path, comment: str = "darkslide@host") -> None:
    """Write a 2048-bit key pair as adb does: PEM private key (0600) and `<path>.pub` in Android format."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    # Create with 0600 from the start so the private key is never world-readable, even briefly.
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(private_path, 0o600)
    Path(str(private_path) + ".pub").write_bytes(public_key_line(key.public_key(), comment))


def default_key_path() -> Path:
    """Reuse the adb key the phone already trusts if there is one; otherwise our own in the config dir."""
    android_key = Path.home() / ".android" / "adbkey"
    if android_key.is_file() and Path(str(android_key) + ".pub").is_file():
        return android_key
    from platformdirs import user_config_dir
    return Path(user_config_dir("darkslide")) / "adbkey"


def ensure_key_pair(private_path: Path | None = None) -> Path:
    path = Path(private_path) if private_path else default_key_path()
    if not path.is_file() or not Path(str(path) + ".pub").is_file():
        generate_key_pair(path)
    return path


def load_signer(private_path: Path):
    """adb-shell's signer for this key (cryptography backend, no extra dependency)."""
    from adb_shell.auth.sign_cryptography import CryptographySigner
    return CryptographySigner(str(private_path))

