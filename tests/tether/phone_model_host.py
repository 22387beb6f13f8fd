"""A bare ADB host over a raw socket, for checking the simulated phone's exact bytes (shell v2 packets,
STA2/LIS2 replies, STLS). Each stream's WRTEs are acknowledged as they arrive."""
from __future__ import annotations

import socket
import struct

from tether import adbkeys, adbproto as p

SHELL_PACKET = struct.Struct("<BI")


class Host:
    def __init__(self, port: int, key, banner: bytes = b"host::features=shell_v2,cmd,stat_v2,ls_v2\0",
                 version: int = p.A_VERSION_SKIP_CHECKSUM, timeout: float = 5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.sendall(p.pack_message(p.CNXN, version, p.MAX_PAYLOAD, banner))
        self.key = key
        self._next_id = 1
        self.first = self.read_packet()  # AUTH token, CNXN, or STLS

    def login(self) -> "Host":
        auth = self.first
        assert (auth.command, auth.arg0) == (p.AUTH, p.AUTH_TOKEN), auth
        self.send(p.AUTH, p.AUTH_SIGNATURE, 0, adbkeys.load_signer(self.key).Sign(auth.data))
        self.cnxn = self.read_packet()
        assert self.cnxn.command == p.CNXN, self.cnxn
        return self

    def send(self, command: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        self.sock.sendall(p.pack_message(command, arg0, arg1, data))

    def _recv_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("the phone closed the connection")
            buf += chunk
        return buf

    def read_packet(self) -> p.Message:
        header = self._recv_exact(p.HEADER.size)
        command, arg0, arg1, length, _crc, _magic = p.HEADER.unpack(header)
        data = self._recv_exact(length) if length else b""
        return p.Message(command, arg0, arg1, data)

    def run(self, service: str, stdin: bytes = b"") -> bytes:
        """Open a stream, optionally write to it, and return everything the phone sent until it closed."""
        local = self._next_id
        self._next_id += 1
        self.send(p.OPEN, local, 0, service.encode() + b"\0")
        okay = self.read_packet()
        if okay.command == p.CLSE:
            raise LookupError(f"the phone refused {service!r}")
        assert okay.command == p.OKAY, okay
        remote = okay.arg0
        if stdin:
            self.send(p.WRTE, local, remote, stdin)
        out = b""
        while True:
            m = self.read_packet()
            if m.command == p.WRTE:
                out += m.data
                self.send(p.OKAY, local, remote)
            elif m.command == p.CLSE:
                self.send(p.CLSE, local, remote)
                return out

    def sync(self, *requests: tuple[bytes, bytes], reply_bytes) -> bytes:
        """One sync: stream, send requests, read until reply_bytes(data) says the reply is complete."""
        local = self._next_id
        self._next_id += 1
        self.send(p.OPEN, local, 0, b"sync:\0")
        remote = self.read_packet().arg0
        for ident, path in requests:
            self.send(p.WRTE, local, remote, p.SYNC_HEADER.pack(p.wire_id(ident), len(path)) + path)
        data = b""
        while not reply_bytes(data):
            m = self.read_packet()
            if m.command == p.WRTE:
                data += m.data
                self.send(p.OKAY, local, remote)
            elif m.command == p.OKAY:
                continue
            else:
                raise AssertionError(f"unexpected {m!r}")
        return data

    def close(self) -> None:
        self.sock.close()


def shell_packets(data: bytes) -> list[tuple[int, bytes]]:
    """Split a shell-v2 byte stream into (id, payload) packets; fails on a torn packet."""
    out, pos = [], 0
    while pos < len(data):
        kind, length = SHELL_PACKET.unpack_from(data, pos)
        pos += SHELL_PACKET.size
        assert pos + length <= len(data), "torn shell v2 packet"
        out.append((kind, data[pos:pos + length]))
        pos += length
    return out
