"""What went wrong while connecting, in words a photographer can act on."""
from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from adb_shell import exceptions as adb_exc

from .errors import NoDeviceError, TcpConnectError, TetherError, UnauthorizedError, UsbBusyError, UsbPermissionError

if TYPE_CHECKING:
    from .connection import Target

UDEV_HINT = "see 'Tethering set-up' in the README for the udev rule (vendor 12d1, group plugdev)"


def explain_connect_error(target: Target, exc: Exception, prompted: bool, auth_timeout: float,
                          connect_timeout: float) -> TetherError:
    """Turn whatever adb-shell or the socket raised while connecting into an actionable TetherError."""
    where = str(target)
    if prompted:
        return UnauthorizedError(f"{where} did not authorise this computer within {auth_timeout:g} s. "
                                 "Unlock the phone and tap 'Allow' on 'Allow USB debugging?' "
                                 "(tick 'Always allow from this computer'), then try again.")
    if target.kind == "usb":
        return explain_usb_error(target, exc)
    if isinstance(exc, ConnectionRefusedError):
        return TcpConnectError(f"{where} refused the connection. Is Wi-Fi debugging on? Connect the phone by USB "
                               f"and run `adb tcpip {target.port}`, or check the address.")
    if isinstance(exc, (socket.timeout, TimeoutError, adb_exc.TcpTimeoutException, adb_exc.AdbTimeoutError)):
        return TcpConnectError(f"{where} did not answer within {connect_timeout:g} s. "
                               "Check the phone is on the same network and awake.")
    if isinstance(exc, OSError):
        return TcpConnectError(f"Could not connect to {where}: {exc}")
    return NoDeviceError(f"Could not talk ADB to {where}: {exc}")


def explain_usb_error(target: Target, exc: Exception) -> TetherError:
    """libusb reports busy/access problems as USBError subclasses; their names say which."""
    text = f"{type(exc).__name__}: {exc}"
    serial = target.serial or "any phone"
    if isinstance(exc, (adb_exc.UsbDeviceNotFoundError,)):
        return NoDeviceError(f"No USB phone found ({serial}). Plug it in, unlock it and enable USB debugging "
                             "in Developer options.")
    if "BUSY" in text.upper() or "RESOURCE BUSY" in text.upper():
        return UsbBusyError("The phone's USB debugging interface is held by another program, usually the adb "
                            "server. Run `adb kill-server` and try again.")
    if "ACCESS" in text.upper() or "PERMISSION" in text.upper():
        return UsbPermissionError(f"Linux denied access to the USB phone; {UDEV_HINT}.")
    if isinstance(exc, (adb_exc.InvalidTransportError, ImportError)):
        return NoDeviceError(f"USB support is unavailable ({exc}); install libusb-1.0 or use --tcp.")
    return NoDeviceError(f"Could not open the USB phone ({serial}): {text}")
