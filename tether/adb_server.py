"""The second transport: through a running Google adb server (host protocol, TCP 5037), with adbutils.

Why: when the adb server runs (Android Studio, scrcpy, any `adb` command starts it) it holds the phone's USB
interface, and killing it is undone by the next `adb` call. And Android 11+ Wireless debugging needs pairing
(SPAKE2) and TLS, which Google's adb does and adb-shell does not. So Darkslide talks to the phone through the
server instead: `adb:SERIAL` targets, `pair()` runs `adb pair`, `connect_wireless()` runs `adb connect`.

`ServerConnection` offers what DeviceConnection offers (shell, exec_out, list_dir, stat, pull, md5, info,
reconnect, a stream of its own for live view), so a Session does not know which transport it runs on.
Every request is its own socket to the server, so live view and ingest never queue behind each other.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .adb_shell_glue import write_local
from .connection import DeviceConnection, RemoteEntry, Target, _open_local
from .errors import (ConnectionLostError, DeviceCommandError, NoDeviceError, TetherError, UnauthorizedError)

DEFAULT_PORT = int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037"))


class AdbServerError(TetherError):
    """The adb server is not running, or refused what we asked."""


class PairingError(TetherError):
    """`adb pair` did not pair (wrong code, expired dialog, wrong address)."""


def bundled_adb() -> str | None:
    """Google's adb: the one inside adbutils' wheel (36.x, has `adb pair`), else one on PATH."""
    try:
        import adbutils
        inside = Path(adbutils.__file__).parent / "binaries" / "adb"
        if inside.is_file() and os.access(inside, os.X_OK):
            return str(inside)
    except ImportError:
        pass
    return shutil.which("adb")


def server_running(host: str = "127.0.0.1", port: int = DEFAULT_PORT, timeout: float = 0.5) -> bool:
    """Whether an adb server answers `host:version` (without starting one, unlike adbutils)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"000chost:version")
            return sock.recv(4) == b"OKAY"
    except OSError:
        return False


class AdbServer:
    """One adb server (normally the user's own on 5037)."""

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT, adb: str | None = None):
        self.host, self.port = host, port
        self.adb = adb or bundled_adb()

    @property
    def client(self):
        import adbutils
        return adbutils.AdbClient(host=self.host, port=self.port, socket_timeout=10)

    def running(self) -> bool:
        return server_running(self.host, self.port)

    def devices(self) -> dict[str, str]:
        """serial -> state ("device", "unauthorized", "offline", ...); {} when no server runs."""
        if not self.running():
            return {}
        try:
            return {d.serial: d.state for d in self.client.list()}
        except Exception as exc:
            raise AdbServerError(f"The adb server on port {self.port} did not list its phones: {exc}") from exc

    def run(self, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
        """Run the adb tool against this server."""
        if not self.adb:
            raise AdbServerError("Google's adb is not installed (pip install adbutils ships it).")
        env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(self.port))
        try:
            return subprocess.run([self.adb, "-P", str(self.port), *args], env=env, capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise AdbServerError(f"`adb {' '.join(args)}` did not finish within {timeout:g} s") from exc
        except OSError as exc:
            raise AdbServerError(f"Cannot run Google's adb ({self.adb}): {exc.strerror or exc}") from exc

    def start(self) -> None:
        if not self.running():
            result = self.run("start-server")
            if result.returncode != 0:
                raise AdbServerError(f"Could not start the adb server: {result.stderr.strip() or result.stdout}")

    def pair(self, address: str, code: str) -> str:
        """Android 11+ Wireless debugging: `adb pair HOST:PORT CODE` with the port and six-digit code from
        the phone's "Pair device with pairing code" dialog. Returns adb's message; PairingError if it failed."""
        code = code.strip()
        if not (code.isdigit() and len(code) == 6):
            raise PairingError("The pairing code is the six digits shown under 'Pair device with pairing code'.")
        self.start()
        result = self.run("pair", address, code, timeout=30)
        text = (result.stdout + result.stderr).strip()
        if result.returncode != 0 or "Successfully paired" not in text:
            raise PairingError(f"Pairing with {address} failed: {text or 'no answer'}. Open 'Pair device with "
                               "pairing code' on the phone again and use the address and code it shows now.")
        return text

    def connect_wireless(self, address: str) -> str:
        """`adb connect HOST:PORT` (the address on the Wireless debugging screen, not the pairing one).
        Returns the serial the server gives the phone."""
        self.start()
        result = self.run("connect", address, timeout=20)
        text = (result.stdout + result.stderr).strip()
        # "failed to authenticate": the phone is showing its "Allow debugging?" prompt; the server keeps the
        # phone listed as unauthorized and it turns to "device" once the user taps Allow.
        if "connected to" not in text and "failed to authenticate" not in text:
            raise AdbServerError(f"adb could not connect to {address}: {text}. Use the 'IP address & Port' shown "
                                 "on the phone's Wireless debugging screen; pair first if it is a new computer.")
        return address if ":" in address else f"{address}:5555"

    def kill(self) -> None:
        with contextlib.suppress(AdbServerError):
            self.run("kill-server", timeout=10)


class ServerStream:
    """A raw service stream through the server (e.g. `exec:screenrecord ...`): read(timeout) and close()."""

    def __init__(self, connection):
        self._conn = connection  # adbutils AdbConnection, OKAY already read

    def read(self, timeout: float = 0.5) -> bytes:
        if self._conn is None:
            raise EOFError("stream closed")
        sock = self._conn.conn
        sock.settimeout(timeout)
        try:
            data = sock.recv(1 << 16)
        except (socket.timeout, TimeoutError):
            return b""
        except OSError as exc:
            self.close()
            raise EOFError(str(exc)) from exc
        if not data:
            self.close()
            raise EOFError("the command ended")
        return data

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


class ServerConnection:
    """A phone reached through an adb server; same commands as DeviceConnection."""

    can_stream = True

    def __init__(self, serial: str | None = None, server: AdbServer | None = None, *, io_timeout: float = 10.0,
                 **_ignored):
        self.server = server or AdbServer()
        self.target = Target("adb", serial=serial)
        self.io_timeout = io_timeout
        self.banner_props: dict[str, str] = {}
        self.reconnects = 0
        self._device = None
        self.fast_pull = False

    # ---- connecting ----------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._device is not None

    def connect(self) -> "ServerConnection":
        if not self.server.running():
            raise NoDeviceError(f"No adb server answers on port {self.server.port}.")
        devices = self.server.devices()
        serial = self.target.serial
        if serial is None:
            ready = [s for s, state in devices.items() if state == "device"]
            if len(ready) != 1:
                raise NoDeviceError(f"The adb server has {len(ready)} ready phones ({', '.join(devices) or 'none'}); "
                                    "pick one by serial.")
            serial = ready[0]
        state = devices.get(serial)
        if state is None:
            raise NoDeviceError(f"The adb server does not know {serial}. Plug the phone in (or `adb connect` it) "
                                "and unlock it.")
        if state == "unauthorized":
            raise UnauthorizedError(f"{serial} has not authorised this computer yet. Unlock the phone and tap "
                                    "'Allow' on 'Allow USB debugging?'.")
        if state != "device":
            raise NoDeviceError(f"{serial} is {state} in the adb server; reconnect the cable or Wi-Fi.")
        self._device = self.server.client.device(serial)
        self.target = Target("adb", serial=serial)
        with contextlib.suppress(Exception):
            self.banner_props = {"features": ",".join(self._device.get_features())}
        return self

    def close(self) -> None:
        self._device = None

    reconnect = DeviceConnection.reconnect  # the same backoff loop over connect()

    @contextlib.contextmanager
    def background(self, **_):
        yield  # every request has its own socket: nothing to share

    # ---- commands ------------------------------------------------------
    @contextlib.contextmanager
    def _op(self, what: str):
        if self._device is None:
            raise ConnectionLostError(f"Not connected to {self.target} ({what})")
        try:
            yield self._device
        except TetherError:
            raise
        except Exception as exc:  # adbutils: AdbError, AdbTimeout, socket errors
            text = str(exc)
            if "No such file" in text or ("not found" in text.lower() and "device" not in text.lower()):
                raise DeviceCommandError(f"{what}: {exc}") from exc  # the file, not the phone, is missing
            self._device = None
            raise ConnectionLostError(f"Lost {self.target} through the adb server during {what}: {exc}") from exc

    def _service(self, service: str, timeout: float):
        """A device service (exec:, shell:) through the server: pick the transport, then ask for it."""
        with self._op(service) as dev:
            conn = dev.open_transport(timeout=timeout)
            try:
                conn.send_command(service)
                conn.check_okay()
            except BaseException:
                conn.close()
                raise
            return conn

    def shell(self, command: str, timeout: float | None = None) -> str:
        return self.exec_out(command, timeout).decode("utf-8", "replace").replace("\r\n", "\n")

    def exec_out(self, command: str, timeout: float | None = None) -> bytes:
        conn = self._service(f"exec:{command}", timeout or self.io_timeout * 4)
        with self._op(f"exec {command!r}"):
            try:
                conn.conn.settimeout(timeout or self.io_timeout * 4)
                chunks = []
                while chunk := conn.conn.recv(1 << 16):
                    chunks.append(chunk)
                return b"".join(chunks)
            finally:
                conn.close()

    def open_exec_stream(self, command: str) -> ServerStream:
        return ServerStream(self._service(f"exec:{command}", self.io_timeout))

    def list_dir(self, path: str) -> list[RemoteEntry]:
        with self._op(f"list {path}") as dev:
            raw = list(dev.sync.iter_directory(path))
        return [RemoteEntry(f.path, f.mode, f.size, int(f.mtime.timestamp()) if f.mtime else 0)
                for f in raw if f.path not in (".", "..")]

    def stat(self, path: str) -> RemoteEntry | None:
        with self._op(f"stat {path}") as dev:
            info = dev.sync.stat(path)
        if info.mode == 0 and info.size == 0:
            return None
        mtime = int(info.mtime.timestamp()) if info.mtime else 0
        return RemoteEntry(posixpath.basename(path), info.mode, info.size, mtime)

    def pull(self, device_path: str, local_path: Path, progress=None, hash_md5: bool = True) -> tuple[int, str]:
        md5, count = hashlib.md5(), 0
        with _open_local(local_path) as fh, self._op(f"pull {device_path}") as dev:
            for chunk in dev.sync.iter_content(device_path):
                write_local(fh, chunk)
                md5.update(chunk)
                count += len(chunk)
                if progress:
                    progress(count)
        return count, md5.hexdigest()

    remote_md5 = DeviceConnection.remote_md5
    remove = DeviceConnection.remove
    device_info = DeviceConnection.device_info
