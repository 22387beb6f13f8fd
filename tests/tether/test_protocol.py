"""ADB framing and the sync service's exact replies, checked with a raw socket (no adb-shell)."""
from __future__ import annotations

import os
import socket
import struct

import pytest

from tether import adbkeys, adbproto as p


def test_message_round_trip_and_checksum():
    packet = p.pack_message(p.WRTE, 7, 9, b"hello")
    chunks = [packet]
    buf = bytearray(packet)

    def recv_exact(n):
        out = bytes(buf[:n])
        del buf[:n]
        return out

    m = p.read_message(recv_exact, verify_checksum=True)
    assert (m.name, m.arg0, m.arg1, m.data) == ("WRTE", 7, 9, b"hello")
    assert p.checksum(b"hello") == sum(b"hello")
    assert struct.unpack("<6I", chunks[0][:24])[5] == p.WRTE ^ 0xFFFFFFFF


def test_bad_magic_and_checksum_are_rejected():
    packet = bytearray(p.pack_message(p.OKAY, 1, 2, b"x"))
    packet[20] ^= 1
    with pytest.raises(p.ProtocolError):
        p.parse_header(bytes(packet[:24]))
    good = bytearray(p.pack_message(p.WRTE, 1, 2, b"abc"))
    good[-1] ^= 0xFF
    with pytest.raises(p.ProtocolError):
        buf = bytearray(good)
        p.read_message(lambda n: bytes([buf.pop(0) for _ in range(n)]), verify_checksum=True)


def test_sync_data_chunks_never_exceed_64k():
    body = os.urandom(200_000)
    framed = p.sync_data_chunks(body)
    sizes, pos, out = [], 0, b""
    while True:
        ident, length = p.SYNC_HEADER.unpack_from(framed, pos)
        pos += 8
        if ident == p.ID_DONE:
            break
        sizes.append(length)
        out += framed[pos:pos + length]
        pos += length
    assert sizes == [65536, 65536, 65536, 200_000 - 3 * 65536] and out == body


def test_banner_parsing():
    kind, props = p.parse_banner(b"device::ro.product.name=ELS;ro.product.model=ELS-NX9;features=cmd,shell_v2\0")
    assert kind == "device" and props["ro.product.model"] == "ELS-NX9" and props["features"] == "cmd,shell_v2"


class RawHost:
    """Just enough of a host to drive the phone by hand and observe its packets."""

    def __init__(self, port, key, version=p.A_VERSION_MIN, maxdata=p.MAX_PAYLOAD):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(p.pack_message(p.CNXN, version, maxdata, b"host::\0"))
        auth = self.read()
        assert auth.name == "AUTH" and auth.arg0 == p.AUTH_TOKEN and len(auth.data) == p.TOKEN_SIZE
        signature = adbkeys.load_signer(key).Sign(auth.data)
        self.sock.sendall(p.pack_message(p.AUTH, p.AUTH_SIGNATURE, 0, signature))
        self.cnxn = self.read()
        assert self.cnxn.name == "CNXN"

    def read(self):
        def recv_exact(n):
            buf = b""
            while len(buf) < n:
                chunk = self.sock.recv(n - len(buf))
                assert chunk, "phone closed the connection"
                buf += chunk
            return buf
        return p.read_message(recv_exact, verify_checksum=True)

    def open(self, service: str, local_id=1):
        self.sock.sendall(p.pack_message(p.OPEN, local_id, 0, service.encode() + b"\0"))
        okay = self.read()
        assert okay.name == "OKAY" and okay.arg1 == local_id
        return okay.arg0

    def write(self, remote_id, data, local_id=1):
        self.sock.sendall(p.pack_message(p.WRTE, local_id, remote_id, data))
        assert self.read().name == "OKAY"

    def read_stream(self, remote_id, nbytes, local_id=1, ack=True):
        """Collect WRTE payloads until nbytes arrived; returns (data, payload sizes)."""
        data, sizes = b"", []
        while len(data) < nbytes:
            m = self.read()
            assert m.name == "WRTE", m
            data += m.data
            sizes.append(len(m.data))
            if ack:
                self.sock.sendall(p.pack_message(p.OKAY, local_id, remote_id))
        return data, sizes


def test_banner_advertises_device_identity(phone, host_key):
    host = RawHost(phone.port, host_key)
    kind, props = p.parse_banner(host.cnxn.data)
    assert kind == "device"
    assert props["ro.product.model"] == "ELS-NX9" and "ro.product.device" in props and "features" in props
    assert host.cnxn.arg1 == p.MAX_PAYLOAD


def test_stat_missing_is_zeros_and_recv_missing_is_fail(phone, host_key):
    host = RawHost(phone.port, host_key)
    remote = host.open("sync:")
    path = b"/sdcard/DCIM/Camera/none.jpg"
    host.write(remote, p.sync_request(p.ID_STAT, path))
    reply, _ = host.read_stream(remote, 16)
    assert p.SYNC_STAT_REPLY.unpack(reply) == (p.ID_STAT, 0, 0, 0)
    host.write(remote, p.sync_request(p.ID_RECV, path))
    reply, _ = host.read_stream(remote, 8)
    ident, length = p.SYNC_HEADER.unpack(reply[:8])
    assert ident == p.ID_FAIL
    assert b"No such file" in reply[8:] or host.read_stream(remote, length - len(reply) + 8)[0]


def test_list_includes_dot_entries_and_files(phone, host_key):
    (phone.folder / "IMG_1.jpg").write_bytes(b"x" * 123)
    host = RawHost(phone.port, host_key)
    remote = host.open("sync:")
    host.write(remote, p.sync_request(p.ID_LIST, b"/sdcard/DCIM/Camera"))
    data = b""
    names = {}
    while True:
        while len(data) < 20:
            data += host.read_stream(remote, 1)[0]
        ident, mode, size, mtime, namelen = p.SYNC_DENT.unpack(data[:20])
        if ident == p.ID_DONE:
            break
        while len(data) < 20 + namelen:
            data += host.read_stream(remote, 1)[0]
        names[data[20:20 + namelen].decode()] = size
        data = data[20 + namelen:]
    assert names[".."] and names["."] and names["IMG_1.jpg"] == 123


def test_recv_framing_payload_limits_and_flow_control(phone, host_key):
    body = os.urandom(300_000)
    (phone.folder / "big.bin").write_bytes(body)
    host = RawHost(phone.port, host_key, maxdata=100_000)  # the host's smaller payload limit must win
    remote = host.open("sync:")
    host.write(remote, p.sync_request(p.ID_RECV, b"/sdcard/DCIM/Camera/big.bin"))
    first = host.read()
    assert first.name == "WRTE" and len(first.data) == 100_000
    host.sock.settimeout(0.3)
    with pytest.raises(socket.timeout):
        host.read()  # no second WRTE until we acknowledge the first
    host.sock.settimeout(5)
    host.sock.sendall(p.pack_message(p.OKAY, 1, remote))
    expected_len = len(p.sync_data_chunks(body))
    rest, sizes = host.read_stream(remote, expected_len - len(first.data))
    framed = first.data + rest
    assert max(sizes) <= 100_000
    assert framed == p.sync_data_chunks(body)


def test_exec_is_binary_clean_but_shell_has_pty_newlines(phone, host_key):
    host = RawHost(phone.port, host_key)
    host.open("exec:echo hi", local_id=5)
    m = host.read()
    assert m.data == b"hi\n"
    host.open("shell:echo hi", local_id=6)
    m = host.read()
    while m.name != "WRTE":
        m = host.read()
    assert m.data == b"hi\r\n"
