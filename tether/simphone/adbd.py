"""The simulated phone's side of one host connection: handshake, auth, stream multiplexing."""
from __future__ import annotations

import logging
import os
import socket
import threading
import time

from .. import adbproto
from .streams import Stream, StreamClosed

log = logging.getLogger(__name__)

# AOSP adb/adb.h: A_STLS starts TLS on an Android 11+ Wireless debugging connection (A_STLS_VERSION).
STLS = adbproto.wire_id(b"STLS")
STLS_VERSION = 0x01000000


class HostGone(Exception):
    pass


class AdbdConnection:
    """Speaks adbd's half of the protocol over one accepted socket; one reader thread plus one per service."""

    def __init__(self, phone, sock: socket.socket):
        self.phone = phone
        self.sock = sock
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.peer_version = adbproto.A_VERSION_MIN
        self.max_payload = adbproto.MAX_PAYLOAD_V1
        self.okay_timeout = 30.0
        self.online = False
        self._send_lock = threading.Lock()
        self._link_free_at = 0.0  # monotonic time the simulated link has sent everything queued so far
        self._streams: dict[int, Stream] = {}
        self._next_id = 1
        self._token = b""
        self._offered_key = False
        self.thread = threading.Thread(target=self._run, name="simphone-conn", daemon=True)

    # ---- socket helpers ------------------------------------------------
    def _recv_exact(self, size: int) -> bytes:
        buf = bytearray()
        while len(buf) < size:
            chunk = self.sock.recv(size - len(buf))
            if not chunk:
                raise HostGone("host closed the connection")
            buf += chunk
        return bytes(buf)

    def send(self, command: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        # Peers from protocol 0x01000001 on skip the checksum, as real adbd does; older ones (adb-shell) check it.
        packet = adbproto.pack_message(command, arg0, arg1, data,
                                       with_checksum=self.peer_version < adbproto.A_VERSION_SKIP_CHECKSUM)
        with self._send_lock:
            try:
                self.sock.sendall(packet)
            except OSError as exc:
                raise StreamClosed(f"send failed: {exc}") from exc
            self._pace(len(packet))

    def _pace(self, nbytes: int) -> None:
        """Hold the link as long as `nbytes` take at the profile's link speed (all streams share it)."""
        rate = self.phone.profile.link_mb_s
        if not rate:
            return
        now = time.monotonic()
        self._link_free_at = max(now, self._link_free_at) + nbytes / (rate * 1e6)
        delay = self._link_free_at - now - 0.002  # a couple of milliseconds of burst, like a socket buffer
        if delay > 0:
            self.phone.stopping.wait(delay)

    def drop(self) -> None:
        """Yank the cable: the host sees a reset, not a polite close."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    # ---- main loop -----------------------------------------------------
    def _run(self) -> None:
        try:
            while not self.phone.stopping.is_set():
                message = adbproto.read_message(self._recv_exact, verify_checksum=True)
                self._dispatch(message)
        except (HostGone, OSError, adbproto.ProtocolError, StreamClosed) as exc:
            log.debug("connection ended: %s", exc)
        finally:
            for stream in list(self._streams.values()):
                stream.mark_closed()
            self._streams.clear()
            try:
                self.sock.close()
            except OSError:
                pass
            self.phone._forget(self)

    def _dispatch(self, m: adbproto.Message) -> None:
        if m.command == adbproto.CNXN:
            self._on_cnxn(m)
        elif m.command == adbproto.AUTH:
            self._on_auth(m)
        elif not self.online:
            return  # adbd ignores stream traffic before the handshake completes
        elif m.command == adbproto.OPEN:
            self._on_open(m)
        elif m.command == adbproto.OKAY:
            stream = self._streams.get(m.arg1)
            if stream:
                stream.on_okay()
        elif m.command == adbproto.WRTE:
            stream = self._streams.get(m.arg1)
            if stream:
                stream.feed(m.data)
                self.send(adbproto.OKAY, stream.local_id, stream.remote_id)
        elif m.command == adbproto.CLSE:
            stream = self._streams.get(m.arg1)
            if stream:
                self.close_stream(stream, notify_host=True)

    # ---- handshake -----------------------------------------------------
    def _on_cnxn(self, m: adbproto.Message) -> None:
        self.peer_version = min(m.arg0, adbproto.A_VERSION_SKIP_CHECKSUM)
        self.max_payload = max(adbproto.MAX_PAYLOAD_V1, min(m.arg1, self.phone.max_payload))
        self.phone.last_host_banner = m.data.rstrip(b"\0").decode("utf-8", "replace")
        if self.phone.wireless_debugging:
            # Wireless debugging answers CNXN with STLS and then expects a TLS 1.3 handshake keyed by
            # `adb pair`. The simulator stops there: a host that answers STLS is disconnected (the
            # reader fails on the unknown command), one that does not understand STLS sees only this.
            self.send(STLS, STLS_VERSION, 0)
            return
        if not self.phone.require_auth:
            self._go_online()
            return
        self._send_token()

    def _send_token(self) -> None:
        self._token = os.urandom(adbproto.TOKEN_SIZE)
        self.send(adbproto.AUTH, adbproto.AUTH_TOKEN, 0, self._token)

    def _on_auth(self, m: adbproto.Message) -> None:
        if m.arg0 == adbproto.AUTH_SIGNATURE:
            if self.phone.auth.accepts(self._token, m.data):
                self._go_online()
            else:
                self._send_token()  # the host tries its next key, then offers its public key
        elif m.arg0 == adbproto.AUTH_RSAPUBLICKEY and not self._offered_key:
            self._offered_key = True
            # The user's "Allow USB debugging?" dialog: answer on a side thread so the reader keeps going.
            threading.Thread(target=self._ask_user, args=(m.data,), daemon=True).start()

    def _ask_user(self, public_key_line: bytes) -> None:
        if self.phone.auth.user_approves(public_key_line, self.phone.stopping):
            self._go_online()
        # A denied key gets no answer at all, exactly like a phone whose user tapped "Cancel".

    def _go_online(self) -> None:
        if self.online:
            return
        self.online = True
        self.send(adbproto.CNXN, adbproto.A_VERSION_SKIP_CHECKSUM, self.phone.max_payload,
                  self.phone.banner().encode() + b"\0")

    # ---- streams -------------------------------------------------------
    def _on_open(self, m: adbproto.Message) -> None:
        service = m.data.rstrip(b"\0").decode("utf-8", "replace")
        handler = self.phone.service_handler(service)
        if handler is None:
            self.send(adbproto.CLSE, 0, m.arg0)
            return
        local_id = self._next_id
        self._next_id += 1
        stream = Stream(self, local_id, m.arg0, service)
        self._streams[local_id] = stream
        self.send(adbproto.OKAY, local_id, m.arg0)
        threading.Thread(target=self._serve, args=(handler, stream), name=f"simphone-{service[:20]}",
                         daemon=True).start()

    def _serve(self, handler, stream: Stream) -> None:
        try:
            handler(stream)
        except StreamClosed:
            pass
        except Exception:  # a bug in the simulator must not take the whole phone down
            log.exception("service %s failed", stream.service)
        finally:
            stream.close()

    def close_stream(self, stream: Stream, notify_host: bool) -> None:
        if self._streams.pop(stream.local_id, None) is None:
            return
        stream.mark_closed()
        if notify_host:
            try:
                self.send(adbproto.CLSE, stream.local_id, stream.remote_id)
            except StreamClosed:
                pass

