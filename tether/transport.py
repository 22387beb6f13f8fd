"""Which way to reach a phone: adb-shell directly (no Google tools needed), or Google's adb server.

    conn = connect_phone(Target.parse("usb:"), key_path)     # connected; DeviceConnection or ServerConnection

- `adb:SERIAL` always goes through the adb server.
- `usb:` goes direct; when the adb server holds the phone's USB interface (it usually does when installed),
  the same phone is used through the server instead of asking the user to kill it.
- `HOST:PORT` goes direct; when the phone answers STLS (Android 11+ Wireless debugging) it is reached with
  `adb connect` through the server, which works once this computer has been paired (`pair_and_connect`).
"""
from __future__ import annotations

import logging

from .adb_server import AdbServer, AdbServerError, ServerConnection
from .connect_errors import TLS_HINT, TlsRequiredError
from .connection import DeviceConnection, Target
from .errors import NoDeviceError, TetherError, UnauthorizedError, UsbBusyError

log = logging.getLogger(__name__)


def connect_phone(target: Target | str, key_path=None, *, server: AdbServer | None = None, **options):
    """A connected connection to `target`, by the best transport available (see the module docstring)."""
    target = Target.parse(target) if isinstance(target, str) else target
    server = server or AdbServer()
    if target.kind == "adb":
        return ServerConnection(target.serial, server).connect()
    direct = DeviceConnection(target, key_path, **options)
    try:
        return direct.connect()
    except (UsbBusyError, NoDeviceError) as exc:
        if target.kind != "usb" or isinstance(exc, TlsRequiredError):
            raise
        held = _usb_phone_in_server(server, target.serial)
        if held is None:
            raise
        log.info("the adb server holds %s; using it", held)
        return ServerConnection(held, server).connect()
    except TlsRequiredError:
        return _wireless_through_server(server, f"{target.host}:{target.port}")


def _usb_phone_in_server(server: AdbServer, serial: str | None) -> str | None:
    """The serial of the (USB) phone the running server lists, if it is the one asked for."""
    try:
        devices = server.devices()
    except AdbServerError:
        return None
    if serial:
        return serial if serial in devices else None
    usb = [s for s in devices if ":" not in s and not s.startswith("adb-")]  # not Wi-Fi / mDNS entries
    return usb[0] if len(usb) == 1 else None


def _wireless_through_server(server: AdbServer, address: str) -> ServerConnection:
    try:
        serial = server.connect_wireless(address)
        return ServerConnection(serial, server).connect()
    except (AdbServerError, UnauthorizedError, NoDeviceError) as exc:
        raise TlsRequiredError(f"{TLS_HINT} (adb said: {exc})") from exc


def pair_wireless(pair_address: str, code: str, connect_address: str, server: AdbServer | None = None) -> str:
    """Wireless debugging from scratch: `adb pair` with the code, then `adb connect`. Returns the serial to
    connect to through the server (`adb:SERIAL`)."""
    server = server or AdbServer()
    server.pair(pair_address, code)
    return server.connect_wireless(connect_address)
