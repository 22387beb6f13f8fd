"""Tethered capture from Android phones over ADB.

No Qt in here: the editor imports this package from worker threads and the CLI uses it headless.

Main entry points:
    DeviceConnection   connect over TCP or USB, device info, pulls (tether.connection)
    Session            watch + verified ingest + journal, on_capture hook (tether.session)
    RemoteTrigger      remote shutter (tether.trigger); LiveView: screenrecord H.264 (tether.liveview)
    connect_phone      the best transport: adb-shell, or Google's adb server (tether.transport)
    TetherController   Qt-free lifecycle of connection, session, live view (tether.controller)
    list_usb_phones    attached ADB phones, and hdc-only ones (tether.usb_devices)
    cli                `tether` and `simulate-phone` commands; simphone: the simulated phone
"""
from .connection import DeviceConnection, Target
from .errors import TetherError
from .ingest import Capture, IngestOptions
from .session import Session

__all__ = ["Capture", "DeviceConnection", "IngestOptions", "Session", "Target", "TetherError"]
