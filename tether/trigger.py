"""Remote shutter: bring the camera app forward, press a key, report the capture that results."""
from __future__ import annotations

import shlex
import time
from dataclasses import dataclass

from .errors import TetherError
from .ingest import Capture

STILL_IMAGE_CAMERA = "android.media.action.STILL_IMAGE_CAMERA"
KEYCODES = {"camera": 27, "volume_up": 24, "volume_down": 25}


class TriggerTimeout(TetherError):
    """The shutter was pressed but no new photo appeared in time."""


@dataclass
class TriggerResult:
    capture: Capture
    pressed_at: float
    seconds_to_ready: float


class RemoteTrigger:
    def __init__(self, session, key: str | int = "camera", open_camera: bool = True):
        self.session = session
        self.keycode = KEYCODES[key] if isinstance(key, str) else int(key)
        self.open_camera = open_camera
        self._camera_opened = False

    def open_camera_app(self) -> None:
        self.session.connection.shell(f"am start -a {shlex.quote(STILL_IMAGE_CAMERA)}")
        self._camera_opened = True

    def fire(self, timeout: float = 10.0) -> TriggerResult:
        """Press the shutter and wait for the photo it produced (the next new capture)."""
        if self.open_camera and not self._camera_opened:
            self.open_camera_app()
            time.sleep(0.3)  # let the camera activity come to the front before the key press
        before = len(self.session.captures)
        pressed_wall, _ = self.session.note_trigger()
        self.session.connection.shell(f"input keyevent {self.keycode}")
        capture = self.session.wait_for_capture_after(before, timeout)
        if capture is None:
            raise TriggerTimeout(f"Pressed the shutter (keycode {self.keycode}) but no photo arrived within "
                                 f"{timeout:g} s. Is the camera app open and unlocked on the phone?")
        return TriggerResult(capture, pressed_wall, capture.ready_time - pressed_wall)
