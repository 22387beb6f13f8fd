"""What went wrong while connecting, in words a photographer can act on."""
from __future__ import annotations

import re
import socket
from typing import TYPE_CHECKING

from adb_shell import exceptions as adb_exc

from .errors import NoDeviceError, TcpConnectError, TetherError, UnauthorizedError, UsbBusyError, UsbPermissionError

if TYPE_CHECKING:
    from .connection import Target

UDEV_HINT = "see 'Tethering set-up' in the README for the udev rule (vendor 12d1, group plugdev)"
STLS_ID = 0x534C5453  # b"STLS": adbd's answer to CNXN on a Wireless debugging (TLS) port, Android 11+
HDC_TCP_PORT = 8710  # hdc's default port (OpenHarmony developtools_hdc, DEFAULT_PORT)


class TlsRequiredError(TetherError):
    """The phone wants TLS (Android 11+ Wireless debugging): only Google's adb, after pairing, can connect."""


class HarmonyNextError(NoDeviceError):
    """The other end speaks Huawei's hdc (HarmonyOS NEXT), not ADB."""


TLS_HINT = ("This address is Android 11+ Wireless debugging, which needs pairing and an encrypted connection. "
            "In the Tether panel choose 'Pair…' and type the pairing code from Developer options > Wireless "
            "debugging > 'Pair device with pairing code' (or run `adb pair HOST:PORT CODE` once), then connect to "
            "the 'IP address & Port' shown there. Darkslide goes through Google's adb for this.")
HARMONY_HINT = ("The phone answered in Huawei's hdc protocol: it runs HarmonyOS NEXT, which has no ADB, so Darkslide "
                "cannot tether it. Phones on HarmonyOS 4 or older (and EMUI) work with USB debugging.")


def recognise_protocol(exc: Exception, port: int | None = None) -> TetherError | None:
    """A phone that answered, but not in plain ADB: STLS (TLS wanted) or hdc (HarmonyOS NEXT)."""
    text = str(exc)
    if "STLS" in text or str(STLS_ID) in text:
        return TlsRequiredError(TLS_HINT)
    if "OHOS HDC" in text or re.search(r"Unknown command: \d+ = 'b'HW", text):  # hdc packets start "HW"
        return HarmonyNextError(HARMONY_HINT)
    if port == HDC_TCP_PORT:
        return HarmonyNextError(f"Nothing answered in ADB on port {HDC_TCP_PORT}, hdc's port. " + HARMONY_HINT)
    if "Unknown command" in text:  # something answered, but not a phone's adbd (a web server, a printer...)
        what = " (a web server)" if "HTTP" in text else ""
        return NoDeviceError(f"Something answered there{what}, but not in ADB. Check the address and port: "
                             "Wireless debugging shows its 'IP address & Port'; `adb tcpip` uses port 5555.")
    return None


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
    recognised = recognise_protocol(exc, target.port if isinstance(exc, OSError) else None)
    if recognised is not None:
        return recognised
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
        return UsbBusyError("The phone's USB debugging interface is held by another program (not an adb server "
                            "Darkslide could reach). Close Android Studio, scrcpy or other phone tools and try "
                            "again.")
    if "ACCESS" in text.upper() or "PERMISSION" in text.upper():
        return UsbPermissionError(f"Linux denied access to the USB phone; {UDEV_HINT}.")
    if isinstance(exc, (adb_exc.InvalidTransportError, ImportError)):
        return NoDeviceError(f"USB support is unavailable ({exc}); install libusb-1.0 or use --tcp.")
    return NoDeviceError(f"Could not open the USB phone ({serial}): {text}")
