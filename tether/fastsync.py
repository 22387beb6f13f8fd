"""A lean sync-RECV client for TCP phones, used for pulls because adb-shell's pure-Python read path
tops out well below what loopback and Wi-Fi 6 can carry.

It opens its own ADB connection with the same trusted key (no prompt: the phone already allowed it),
announces protocol 0x01000001 so the phone skips payload checksums like it does for `adb`, acknowledges
each WRTE before parsing it so the phone can keep sending, and streams DATA chunks straight to disk.
Anything unexpected raises; DeviceConnection then falls back to adb-shell.
"""
from __future__ import annotations

import hashlib
import queue
import socket
import threading

from . import adbproto as p
from .adb_shell_glue import write_local


class FastSyncError(Exception):
    pass


class FastSyncRefused(FastSyncError):
    """The phone wants a prompt answered (key not yet trusted): not our job here."""


class FastSync:
    def __init__(self, host: str, port: int, signer, timeout: float = 5.0):
        self.host, self.port, self.signer, self.timeout = host, port, signer, timeout
        self.sock: socket.socket | None = None
        self.max_payload = p.MAX_PAYLOAD
        self.banner_props: dict[str, str] = {}
        self._next_local = 1
        self._header = bytearray(p.HEADER.size)
        self._payload = bytearray(p.MAX_PAYLOAD)

    # ---- connection ----------------------------------------------------
    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock = sock
        self._send(p.CNXN, p.A_VERSION_SKIP_CHECKSUM, p.MAX_PAYLOAD, b"host::features=\0")
        command, arg0, arg1, data = self._read()
        if command == p.AUTH and arg0 == p.AUTH_TOKEN:
            self._send(p.AUTH, p.AUTH_SIGNATURE, 0, self.signer.Sign(bytes(data)))
            command, arg0, arg1, data = self._read()
            if command != p.CNXN:
                self.close()
                raise FastSyncRefused("key not accepted without a prompt")
        if command != p.CNXN:
            self.close()
            raise FastSyncError(f"unexpected {command:#x} during handshake")
        self.max_payload = min(arg1, p.MAX_PAYLOAD) or p.MAX_PAYLOAD_V1
        self.banner_props = p.parse_banner(bytes(data))[1]

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    def _send(self, command: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        self.sock.sendall(p.pack_message(command, arg0, arg1, data, with_checksum=True))

    def _recv_into(self, view: memoryview) -> None:
        while len(view):
            n = self.sock.recv_into(view)
            if not n:
                raise ConnectionResetError("the phone closed the connection")
            view = view[n:]

    def _read(self) -> tuple[int, int, int, memoryview]:
        self._recv_into(memoryview(self._header)[:1])
        return self._read_rest()

    def _read_rest(self) -> tuple[int, int, int, memoryview]:
        """The rest of a message whose header's first byte is already in (a reader may wait for that byte
        alone with a short timeout, as live view's stream does)."""
        self._recv_into(memoryview(self._header)[1:])
        command, arg0, arg1, length, crc = p.parse_header(bytes(self._header))
        if length > len(self._payload):
            raise FastSyncError(f"payload of {length} bytes is larger than negotiated")
        view = memoryview(self._payload)[:length]
        self._recv_into(view)
        if crc and p.checksum(view) != crc:
            raise FastSyncError("payload checksum mismatch")
        return command, arg0, arg1, view

    # ---- sync RECV -------------------------------------------------------
    def pull(self, device_path: str, fh, progress=None, hash_md5: bool = True) -> tuple[int, str]:
        """Stream device_path into the open binary file fh. Returns (bytes, md5 hex, or "" if not hashed)."""
        parser = _RecvParser(fh, progress, hash_md5)

        def feed(data) -> bool:
            parser.feed(data)
            return parser.done
        try:
            self._sync_request(p.ID_RECV, device_path, feed, "transfer")
        finally:
            parser.finish()
        if parser.error:
            raise FileNotFoundError(parser.error)
        return parser.count, parser.md5.hexdigest() if hash_md5 else ""

    # ---- sync LIST / LIS2 and STAT ---------------------------------------------
    def list(self, device_path: str) -> list[tuple[bytes, int, int, int]]:
        """(name, mode, size, mtime) of every entry, "." and ".." included, parsed in one pass as the WRTEs
        arrive. Uses LIS2 (64-bit sizes) when the phone's banner lists ls_v2."""
        v2 = "ls_v2" in self.banner_props.get("features", "").split(",")
        state = {"buf": bytearray(), "pos": 0, "entries": []}

        def feed(data) -> bool:
            buf = state["buf"]
            if state["pos"]:  # drop what is parsed once per WRTE (not per entry): the buffer stays small
                del buf[:state["pos"]]
            buf += data
            state["pos"], done = p.parse_dents(buf, 0, state["entries"], v2)
            return done
        self._sync_request(p.ID_LIS2 if v2 else p.ID_LIST, device_path, feed)
        return state["entries"]

    def stat(self, device_path: str) -> tuple[int, int, int]:
        """sync STAT: (mode, size, mtime); all zeros for a missing path (adbd never FAILs a STAT)."""
        reply = bytearray()

        def feed(data) -> bool:
            reply.extend(data)
            return len(reply) >= p.SYNC_STAT_REPLY.size
        self._sync_request(p.ID_STAT, device_path, feed)
        ident, mode, size, mtime = p.SYNC_STAT_REPLY.unpack_from(reply)
        if ident != p.ID_STAT:
            raise FastSyncError(f"unexpected {ident:#x} in a STAT reply")
        return mode, size, mtime

    def _open_stream(self, service: bytes) -> tuple[int, int | None]:
        """OPEN `service` (e.g. b"sync:") on a new local id: (local id, the phone's id, None if refused)."""
        local = self._next_local
        self._next_local += 1
        self._send(p.OPEN, local, 0, service + b"\0")
        command, remote, _, _ = self._read()
        return local, remote if command == p.OKAY else None

    def _sync_request(self, request_id: int, device_path: str, feed, what: str = "reply") -> None:
        """One request on a fresh sync stream; feed(payload) -> True once the reply is complete. The phone's
        WRTEs are acknowledged before feed() sees them, so it prepares the next one meanwhile; the payload
        buffer is only reused by the next _read(), after feed() is done with it."""
        local, remote = self._open_stream(b"sync:")
        if remote is None:
            raise FastSyncError("phone refused the sync service")
        self._send(p.WRTE, local, remote, p.sync_request(request_id, device_path.encode("utf-8", "surrogateescape")))
        done = False
        try:
            while not done:
                command, _, _, data = self._read()
                if command == p.OKAY:
                    continue
                if command == p.CLSE:
                    raise FastSyncError(f"phone closed the sync stream mid-{what}")
                if command != p.WRTE:
                    raise FastSyncError(f"unexpected {command:#x} in a sync {what}")
                self._send(p.OKAY, local, remote)
                done = feed(data)
        finally:
            try:
                self._send(p.CLSE, local, remote)
            except OSError:
                pass
        self._drain_close(local)

    def _drain_close(self, local: int) -> None:
        """Consume the phone's CLSE (and any late OKAY) so the next pull starts clean. The file is already
        complete here, so a phone that never answers only costs this connection, not the pull."""
        self.sock.settimeout(min(1.0, self.timeout))
        try:
            while True:
                command, _, arg1, _ = self._read()
                if command == p.CLSE and arg1 == local:
                    return
        except OSError:
            self.close()  # reopened on the next pull
        finally:
            if self.sock is not None:
                self.sock.settimeout(self.timeout)


class _RecvParser:
    """Incremental parser for DATA(len)+bytes ... DONE / FAIL(len)+message, across WRTE boundaries."""

    def __init__(self, fh, progress, hash_md5: bool = True):
        self.fh, self.progress, self.hash_md5 = fh, progress, hash_md5
        self.md5 = hashlib.md5()
        # md5 runs on a helper thread (hashlib drops the GIL), overlapping with receiving the next WRTE.
        self._to_hash: queue.SimpleQueue = queue.SimpleQueue()
        self._hasher = threading.Thread(target=self._hash_loop, daemon=True, name="fastsync-md5")
        if hash_md5:
            self._hasher.start()
        self.count = 0
        self.done = False
        self.error = ""
        self._pending_header = b""
        self._data_left = 0
        self._fail_left = 0
        self._fail = b""

    def feed(self, data) -> None:
        view = memoryview(data)
        while len(view) and not self.done:
            if self._data_left:
                take = view[:self._data_left]
                write_local(self.fh, take)
                if self.hash_md5:
                    self._to_hash.put(bytes(take))
                self.count += len(take)
                self._data_left -= len(take)
                view = view[len(take):]
                if self.progress and not self._data_left:
                    self.progress(self.count)
                continue
            if self._fail_left:
                take = view[:self._fail_left]
                self._fail += bytes(take)
                self._fail_left -= len(take)
                view = view[len(take):]
                if not self._fail_left:
                    self.error, self.done = self._fail.decode("utf-8", "replace"), True
                continue
            need = 8 - len(self._pending_header)
            self._pending_header += bytes(view[:need])
            view = view[need:]
            if len(self._pending_header) < 8:
                return
            ident, length = p.SYNC_HEADER.unpack(self._pending_header)
            self._pending_header = b""
            if ident == p.ID_DATA:
                if length > p.SYNC_DATA_MAX:
                    raise FastSyncError(f"DATA chunk of {length} bytes exceeds 64 KiB")
                self._data_left = length
            elif ident == p.ID_DONE:
                self.done = True
            elif ident == p.ID_FAIL:
                self._fail_left = length
                if not length:
                    self.error, self.done = "failed", True
            else:
                raise FastSyncError(f"unexpected sync reply {ident:#x}")

    def _hash_loop(self) -> None:
        while True:
            chunk = self._to_hash.get()
            if chunk is None:
                return
            self.md5.update(chunk)

    def finish(self) -> None:
        """Wait for the hash to catch up (also on errors, so the helper thread never leaks)."""
        if self.hash_md5:
            self._to_hash.put(None)
            self._hasher.join()
