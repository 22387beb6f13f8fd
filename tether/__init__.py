"""Tethered capture from Android phones over ADB.

No Qt in here: the editor imports this package from worker threads and the CLI uses it headless.

Main entry points:
    DeviceConnection   connect over TCP or USB, device info, pulls (tether.connection)
    Session            watch + verified ingest + journal, on_capture hook (tether.session)
    RemoteTrigger      remote shutter (tether.trigger); LiveView: screencap frames (tether.liveview)
    list_usb_phones    attached ADB phones (tether.usb_devices)
    cli                `tether` and `simulate-phone` commands; simphone: the simulated phone
"""
from .connection import DeviceConnection, Target
from .errors import TetherError
from .ingest import Capture, IngestOptions
from .session import Session

__all__ = ["Capture", "DeviceConnection", "IngestOptions", "Session", "Target", "TetherError"]
