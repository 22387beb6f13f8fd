"""ADB wire format shared by the simulated phone and the protocol tests.

Framing follows AOSP's protocol.txt: a 24-byte little-endian header
(command, arg0, arg1, data_length, data_crc32, magic) followed by the payload. The "crc32" is really
the byte sum; peers at protocol version >= 0x01000001 may send 0 and skip checking it.
File sync (SYNC.TXT) runs inside a stream as 8-byte (id, length) requests and typed replies.
"""
from __future__ import annotations

import struct

import numpy as np

A_VERSION_MIN = 0x01000000
A_VERSION_SKIP_CHECKSUM = 0x01000001
MAX_PAYLOAD_V1 = 4 * 1024
MAX_PAYLOAD = 1024 * 1024
SYNC_DATA_MAX = 64 * 1024  # a sync DATA chunk never carries more than this

AUTH_TOKEN = 1
AUTH_SIGNATURE = 2
AUTH_RSAPUBLICKEY = 3
TOKEN_SIZE = 20

HEADER = struct.Struct("<6I")
SYNC_HEADER = struct.Struct("<2I")
SYNC_STAT_REPLY = struct.Struct("<4I")  # STAT mode size mtime
SYNC_DENT = struct.Struct("<5I")  # DENT mode size mtime namelen


def wire_id(name: bytes) -> int:
    return struct.unpack("<I", name)[0]


CNXN, AUTH, OPEN, OKAY, CLSE, WRTE = (wire_id(c) for c in (b"CNXN", b"AUTH", b"OPEN", b"OKAY", b"CLSE", b"WRTE"))
COMMAND_NAMES = {CNXN: "CNXN", AUTH: "AUTH", OPEN: "OPEN", OKAY: "OKAY", CLSE: "CLSE", WRTE: "WRTE"}

ID_LIST, ID_STAT, ID_RECV, ID_SEND, ID_QUIT, ID_DATA, ID_DONE, ID_DENT, ID_OKAY, ID_FAIL = (
    wire_id(c) for c in (b"LIST", b"STAT", b"RECV", b"SEND", b"QUIT", b"DATA", b"DONE", b"DENT", b"OKAY", b"FAIL")
)


def checksum(data: bytes) -> int:
    """Byte sum modulo 2**32; numpy keeps this cheap for 1 MiB payloads."""
    if not data:
        return 0
    return int(np.frombuffer(data, dtype=np.uint8).sum(dtype=np.uint64)) & 0xFFFFFFFF


def pack_message(command: int, arg0: int, arg1: int, data: bytes = b"", with_checksum: bool = True) -> bytes:
    crc = checksum(data) if with_checksum else 0
    return HEADER.pack(command, arg0, arg1, len(data), crc, command ^ 0xFFFFFFFF) + data


class Message:
    __slots__ = ("command", "arg0", "arg1", "data")

    def __init__(self, command: int, arg0: int, arg1: int, data: bytes = b""):
        self.command, self.arg0, self.arg1, self.data = command, arg0, arg1, data

    @property
    def name(self) -> str:
        return COMMAND_NAMES.get(self.command, hex(self.command))

    def __repr__(self) -> str:
        return f"Message({self.name}, {self.arg0:#x}, {self.arg1:#x}, {len(self.data)} bytes)"


class ProtocolError(Exception):
    pass


def parse_header(header: bytes) -> tuple[int, int, int, int, int]:
    command, arg0, arg1, length, crc, magic = HEADER.unpack(header)
    if magic != command ^ 0xFFFFFFFF:
        raise ProtocolError(f"bad magic for command {command:#x}")
    if command not in COMMAND_NAMES:
        raise ProtocolError(f"unknown command {command:#x}")
    return command, arg0, arg1, length, crc


def read_message(recv_exact, verify_checksum: bool) -> Message:
    """Read one message using recv_exact(n) -> bytes (raises on EOF)."""
    command, arg0, arg1, length, crc = parse_header(recv_exact(HEADER.size))
    if length > MAX_PAYLOAD:
        raise ProtocolError(f"payload of {length} bytes exceeds {MAX_PAYLOAD}")
    data = recv_exact(length) if length else b""
    if verify_checksum and crc and checksum(data) != crc:
        raise ProtocolError("payload checksum mismatch")
    return Message(command, arg0, arg1, data)


def sync_request(request_id: int, payload: bytes) -> bytes:
    return SYNC_HEADER.pack(request_id, len(payload)) + payload


def sync_data_chunks(data: bytes) -> bytes:
    """A file body as the DATA.../DONE sequence a RECV returns (mtime in DONE is ignored by hosts)."""
    parts = []
    for start in range(0, len(data), SYNC_DATA_MAX):
        chunk = data[start:start + SYNC_DATA_MAX]
        parts.append(SYNC_HEADER.pack(ID_DATA, len(chunk)))
        parts.append(chunk)
    parts.append(SYNC_HEADER.pack(ID_DONE, 0))
    return b"".join(parts)


def parse_banner(banner: bytes) -> tuple[str, dict[str, str]]:
    """'device::ro.product.name=x;ro.product.model=y;features=a,b' -> ('device', {...})."""
    text = banner.rstrip(b"\0").decode("utf-8", "replace")
    kind, _, rest = text.partition("::")
    props = {}
    for item in rest.split(";"):
        key, sep, value = item.partition("=")
        if sep:
            props[key.strip()] = value.strip()
    return kind.split(":")[0], props


# sync LIS2 (AOSP file_sync_protocol.h, sync_dent_v2, feature "ls_v2"): 64-bit sizes and times, an error field.
ID_LIS2, ID_DNT2 = wire_id(b"LIS2"), wire_id(b"DNT2")
SYNC_DENT_V2 = struct.Struct("<IIQQIIIIQqqqI")  # id error dev ino mode nlink uid gid size atime mtime ctime namelen


def parse_dents(buf, pos: int, out: list, v2: bool = False) -> tuple[int, bool]:
    """Parse complete DENT (or DNT2) records of a LIST reply from `buf[pos:]` into `out` as
    (name bytes, mode, size, mtime), in one pass: no slicing of the remaining buffer per entry (adb-shell's
    list does, which makes a 10,000-file LIST cost ~1 s). Returns (position after the last complete record,
    whether DONE was reached); call again with more bytes appended. "." and ".." are left to the caller."""
    header = SYNC_DENT_V2 if v2 else SYNC_DENT
    size = header.size
    unpack = header.unpack_from
    end = len(buf)
    while end - pos >= size:
        fields = unpack(buf, pos)
        if fields[0] == ID_DONE:
            return pos + size, True
        if fields[0] != (ID_DNT2 if v2 else ID_DENT):
            raise ProtocolError(f"unexpected {fields[0]:#x} in a LIST reply")
        namelen = fields[-1]
        if end - pos - size < namelen:
            break
        name = bytes(buf[pos + size:pos + size + namelen])
        if v2:
            _, error, _, _, mode, _, _, _, fsize, _, mtime, _, _ = fields
            if not error:  # an entry lstat() failed on (vanished mid-listing) carries only its name
                out.append((name, mode, fsize, mtime))
        else:
            out.append((name, fields[1], fields[2], fields[3]))
        pos += size + namelen
    return pos, False
