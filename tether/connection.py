"""One authenticated ADB connection to a phone, over TCP or USB, built on adb-shell.

Every adb-shell call gets explicit timeouts, and every failure leaves as a TetherError subclass
whose message tells the photographer what to do. A broken link raises ConnectionLostError;
`reconnect()` retries with backoff so a session can resume where it stopped.
"""
from __future__ import annotations

import contextlib
import logging
import posixpath
import shlex
import stat as statmod
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from adb_shell import exceptions as adb_exc
from adb_shell.adb_device import AdbDevice

from . import adbkeys, adbproto
from .adb_demux import DemuxTransport
from .fastsync import FastSync, FastSyncError, FastSyncRefused
from .device_info import DeviceInfo, info_from, parse_getprop
from .adb_shell_glue import EofAwareTcpTransport, HashingSink, use_fast_checksum
from .connect_errors import explain_connect_error, explain_usb_error
from .errors import (ConnectionLostError, DeviceCommandError, LocalStorageError, NoDeviceError, TcpConnectError,
                     TetherError, UsbBusyError)

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class RemoteEntry:
    name: str
    mode: int
    size: int
    mtime: int

    @property
    def is_file(self) -> bool:
        return statmod.S_ISREG(self.mode)

    @property
    def is_dir(self) -> bool:
        return statmod.S_ISDIR(self.mode)


@dataclass(frozen=True)
class Target:
    """Where the phone is: `tcp` with host/port, or `usb` with an optional serial."""
    kind: str
    host: str = ""
    port: int = 5555
    serial: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Target":
        if text.startswith("usb:"):
            return cls("usb", serial=text[4:] or None)
        if text.startswith("adb:"):  # through Google's adb server (tether.adb_server)
            return cls("adb", serial=text[4:] or None)
        host, _, port = text.rpartition(":")
        if not host:
            host, port = text, "5555"
        return cls("tcp", host=host, port=int(port))

    def __str__(self) -> str:
        return f"{self.host}:{self.port}" if self.kind == "tcp" else f"{self.kind}:{self.serial or 'first'}"


use_fast_checksum()


def _open_local(path: Path):
    try:
        return open(path, "wb")
    except OSError as exc:
        raise LocalStorageError(f"Cannot create {path}: {exc.strerror or exc}.") from exc

_LINK_ERRORS = (OSError, adb_exc.TcpTimeoutException, adb_exc.AdbTimeoutError, adb_exc.InvalidChecksumError,
                adb_exc.InvalidCommandError, adb_exc.InvalidResponseError, adb_exc.AdbConnectionError,
                adb_exc.UsbReadFailedError, adb_exc.UsbWriteFailedError, struct.error)


class DeviceConnection:
    def __init__(self, target: Target | str, key_path: Path | None = None, *, auth_timeout: float = 60.0,
                 io_timeout: float = 5.0, connect_timeout: float = 5.0, on_auth_prompt=None, fast_pull: bool = True,
                 shared_streams: bool | None = None):
        self.target = Target.parse(target) if isinstance(target, str) else target
        # Long streams (live view, inotifyd) on this one connection, through adb_demux (USB: no second one);
        # on TCP only for tests standing in for USB.
        self.shared_streams = self.target.kind == "usb" if shared_streams is None else shared_streams
        self._demux = None
        self.key_path = adbkeys.ensure_key_pair(key_path)
        self.auth_timeout = auth_timeout  # long: a human has to unlock the phone and tap "Allow"
        self.io_timeout = io_timeout
        self.connect_timeout = connect_timeout
        self.on_auth_prompt = on_auth_prompt
        # adb-shell does not keep the phone's CNXN banner; the fast-sync handshake fills this in when used.
        self.banner_props: dict[str, str] = {}
        self.reconnects = 0
        self._device: AdbDevice | None = None
        self.fast_pull = fast_pull and self.target.kind == "tcp"
        self._fast: FastSync | None = None
        self._lock = threading.RLock()  # adb-shell is not safe for concurrent commands on one device
        # Foreground commands (ingest, shutter) waiting for _lock; background work (screencap live view) only
        # takes the lock when this is zero, so it never makes ingest queue behind it more than once.
        self._waiting = 0
        self._last_foreground = 0.0  # time.monotonic() when the last foreground command finished
        self._turns = threading.Condition()

    # ---- connecting ----------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._device is not None and self._device.available

    def connect(self) -> "DeviceConnection":
        with self._lock:
            self._close_quietly()
            device = self._make_device()
            prompted = []

            def auth_prompt(_):
                prompted.append(True)
                if self.on_auth_prompt:
                    self.on_auth_prompt()

            try:
                device.connect(rsa_keys=[adbkeys.load_signer(self.key_path)], transport_timeout_s=self.connect_timeout,
                               auth_timeout_s=self.auth_timeout, read_timeout_s=max(self.io_timeout, self.connect_timeout),
                               auth_callback=auth_prompt)
            except TetherError:
                raise
            except Exception as exc:
                with contextlib.suppress(Exception):
                    device.close()
                raise explain_connect_error(self.target, exc, bool(prompted), self.auth_timeout,
                                            self.connect_timeout) from exc
            self._device = device
            return self

    def _make_device(self) -> AdbDevice:
        if self.target.kind == "tcp":
            transport = EofAwareTcpTransport(self.target.host, self.target.port)
        else:
            try:  # what adb-shell's AdbDeviceUsb does, with the transport in our hands
                from adb_shell.transport.usb_transport import UsbTransport
                transport = UsbTransport.find_adb(self.target.serial, None, self.io_timeout)
            except Exception as exc:
                raise explain_usb_error(self.target, exc) from exc
        self._demux = DemuxTransport(transport) if self.shared_streams else None
        return AdbDevice(self._demux or transport, default_transport_timeout_s=self.io_timeout)

    def close(self) -> None:
        with self._lock:
            self._close_quietly()

    def _close_quietly(self) -> None:
        if self._fast is not None:
            self._fast.close()
            self._fast = None
        if self._device is not None:
            with contextlib.suppress(Exception):
                self._device.close()
        self._device = None

    def reconnect(self, stop: threading.Event | None = None, max_wait: float = 60.0, on_attempt=None) -> None:
        """Retry with exponential backoff (0.2 s doubling to 5 s) until connected, stopped or max_wait passes."""
        delay, deadline = 0.2, time.monotonic() + max_wait
        while True:
            try:
                self.connect()
                self.reconnects += 1
                return
            except (TcpConnectError, NoDeviceError, UsbBusyError, ConnectionLostError) as exc:
                if on_attempt:
                    on_attempt(exc, delay)
                if time.monotonic() + delay > deadline:
                    raise ConnectionLostError(f"Lost {self.target} and could not reconnect within {max_wait:g} s: {exc}")
                if stop is not None and stop.wait(delay):
                    raise ConnectionLostError("stopped while reconnecting") from exc
                if stop is None:
                    time.sleep(delay)
                delay = min(delay * 2, 5.0)

    # ---- commands ------------------------------------------------------
    @contextlib.contextmanager
    def _foreground(self):
        with self._turns:
            self._waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._turns:
                self._waiting -= 1
        try:
            yield
        finally:
            self._last_foreground = time.monotonic()
            self._lock.release()
            with self._turns:
                self._turns.notify_all()

    @contextlib.contextmanager
    def background(self, patience: float = 2.0, quiet: float = 0.2):
        """Hold the connection for low-priority work once no foreground command is waiting for it and none
        ran in the last `quiet` seconds (an ingest runs its commands back to back; a watcher polls with
        pauses). After `patience` seconds it queues like anyone else. Re-entrant for its own commands."""
        deadline = time.monotonic() + patience
        with self._turns:
            while time.monotonic() < deadline:
                idle = time.monotonic() - self._last_foreground
                if not self._waiting and idle >= quiet:
                    break
                self._turns.wait(min(deadline - time.monotonic(), max(quiet - idle, 0.01)))
        with self._lock:
            yield

    @property
    def can_stream(self) -> bool:
        """Whether a long stream can run beside ingest: on a connection of its own (TCP) or as a side stream
        of this one (USB, adb_demux)."""
        return self.target.kind == "tcp" or self.shared_streams

    def open_exec_stream(self, command: str):
        """Run `command` on a stream of its own and return its output stream (read(timeout), close()): a second
        connection (TCP, tether.adbstream) or a side stream of this one (adb_demux)."""
        from .adbstream import ExecStream
        if self.shared_streams:
            return self._open_side_stream(command)
        if not self.can_stream:
            raise DeviceCommandError("a second stream needs a TCP phone or the adb server")
        stream = ExecStream(self.target.host, self.target.port, adbkeys.load_signer(self.key_path),
                            timeout=self.io_timeout)
        try:
            return stream.open(command)
        except (OSError, FastSyncError, adbproto.ProtocolError, struct.error) as exc:
            stream.close()
            raise ConnectionLostError(f"Could not open a live-view stream to {self.target}: {exc}") from exc

    def _open_side_stream(self, command: str):
        demux = self._demux
        if demux is None or not self.connected:
            raise ConnectionLostError(f"Not connected to {self.target} (exec {command!r})")
        try:
            return demux.open_stream(f"exec:{command}", self.io_timeout)
        except (OSError, EOFError) as exc:  # TimeoutError and ConnectionResetError are OSErrors
            raise ConnectionLostError(f"Could not open a stream for {command!r} on {self.target}: {exc}") from exc

    @contextlib.contextmanager
    def _op(self, what: str):
        with self._foreground():
            if not self.connected:
                raise ConnectionLostError(f"Not connected to {self.target} ({what})")
            try:
                yield self._device
            except adb_exc.AdbCommandFailureException as exc:
                raise DeviceCommandError(f"{what}: {exc}") from exc
            except _LINK_ERRORS as exc:
                self._close_quietly()
                raise ConnectionLostError(f"Connection to {self.target} lost during {what}: {exc}") from exc

    def shell(self, command: str, timeout: float | None = None) -> str:
        """Run a shell command; output with PTY carriage returns removed."""
        with self._op(f"shell {command!r}") as dev:
            out = dev.shell(command, transport_timeout_s=self.io_timeout, read_timeout_s=self.io_timeout,
                            timeout_s=timeout or self.io_timeout * 4)
        return out.replace("\r\n", "\n")

    def exec_out(self, command: str, timeout: float | None = None) -> bytes:
        """Binary-safe command output (no PTY), e.g. `screencap -p`."""
        with self._op(f"exec {command!r}") as dev:
            return dev.exec_out(command, transport_timeout_s=self.io_timeout, read_timeout_s=self.io_timeout,
                                timeout_s=timeout or self.io_timeout * 4, decode=False)

    def list_dir(self, path: str) -> list[RemoteEntry]:
        """sync LIST, without '.' and '..' (adbd includes them). Over TCP through the fast-sync connection,
        whose one-pass parser lists 10,000 files in milliseconds instead of adb-shell's ~1 s."""
        if self.fast_pull:
            try:
                raw = self._on_fast(f"list {path}", lambda fast: fast.list(path))
            except FastSyncRefused:
                self.fast_pull = False
            else:
                return [RemoteEntry(name.decode("utf-8", "surrogateescape"), mode, size, mtime)
                        for name, mode, size, mtime in raw if name not in (b".", b"..")]
        with self._op(f"list {path}") as dev:
            raw = dev.list(path, transport_timeout_s=self.io_timeout, read_timeout_s=self.io_timeout)
        entries = []
        for f in raw:
            name = bytes(f.filename).decode("utf-8", "surrogateescape")
            if name not in (".", ".."):
                entries.append(RemoteEntry(name, f.mode, f.size, f.mtime))
        return entries

    def stat(self, path: str) -> RemoteEntry | None:
        """sync STAT; adbd answers zeros for a missing path, which we turn into None."""
        with self._op(f"stat {path}") as dev:
            mode, size, mtime = dev.stat(path, transport_timeout_s=self.io_timeout, read_timeout_s=self.io_timeout)
        if mode == 0 and size == 0 and mtime == 0:
            return None
        return RemoteEntry(posixpath.basename(path), mode, size, mtime)

    def pull(self, device_path: str, local_path: Path, progress=None, hash_md5: bool = True) -> tuple[int, str]:
        """Pull into local_path (created/truncated). Returns (bytes written, md5 hex).
        hash_md5=False (fast path only) skips hashing; benchmarks use it to measure the raw transfer."""
        if self.fast_pull:
            try:
                return self._pull_fast(device_path, local_path, progress, hash_md5)
            except FastSyncRefused:
                self.fast_pull = False  # phone wants a prompt for a second connection: use adb-shell only
        with _open_local(local_path) as fh:
            sink = HashingSink(fh, progress)
            with self._op(f"pull {device_path}") as dev:
                dev.pull(device_path, sink, transport_timeout_s=self.io_timeout, read_timeout_s=self.io_timeout)
            fh.flush()
        return sink.count, sink.md5.hexdigest()

    def _pull_fast(self, device_path: str, local_path: Path, progress, hash_md5: bool) -> tuple[int, str]:
        def pull(fast: FastSync) -> tuple[int, str]:
            with _open_local(local_path) as fh:
                return fast.pull(device_path, fh, progress, hash_md5)
        return self._on_fast(f"pull {device_path}", pull)

    def _on_fast(self, what: str, call):
        """Run call(FastSync) on the fast-sync connection, opening it when needed."""
        with self._foreground():
            if not self.connected:
                raise ConnectionLostError(f"Not connected to {self.target} ({what})")
            # A reused connection may have been dropped by the phone while idle: one retry on a fresh one.
            for attempt in range(2):
                fresh = self._fast is None or self._fast.sock is None
                try:
                    if fresh:
                        self._open_fast()
                    return call(self._fast)
                except FileNotFoundError as exc:
                    raise DeviceCommandError(f"{what}: {exc}") from exc
                except FastSyncRefused:
                    raise
                except LocalStorageError:
                    self._fast.close()  # the phone is still mid-stream on it; start clean next time
                    self._fast = None
                    raise
                except (OSError, FastSyncError, adbproto.ProtocolError, struct.error) as exc:
                    if self._fast is not None:
                        self._fast.close()
                        self._fast = None
                    if fresh or attempt:
                        raise ConnectionLostError(f"Connection to {self.target} lost during {what}: {exc}") from exc
        raise AssertionError("unreachable")

    def _open_fast(self) -> None:
        fast = FastSync(self.target.host, self.target.port, adbkeys.load_signer(self.key_path), timeout=self.io_timeout)
        fast.connect()
        self._fast = fast
        self.banner_props = fast.banner_props

    def remote_md5(self, device_path: str) -> str | None:
        """md5 computed on the phone (toybox md5sum), or None when the phone has no md5sum."""
        out = self.shell(f"md5sum {shlex.quote(device_path)}")
        word = out.strip().split(" ", 1)[0] if out.strip() else ""
        return word.lower() if len(word) == 32 and all(c in "0123456789abcdefABCDEF" for c in word) else None

    def remove(self, device_path: str) -> None:
        self.shell(f"rm -f {shlex.quote(device_path)}")

    def device_info(self) -> DeviceInfo:
        props = parse_getprop(self.shell("getprop"))
        battery = self.shell("dumpsys battery")
        df = self.shell("df /sdcard")
        fallback = self.target.serial or str(self.target)
        return info_from(self.banner_props, props, battery, df, fallback_serial=fallback)
