"""SimulatedPhone: a local TCP server that behaves like a phone's adbd in `adb tcpip` mode.

How it behaves (timings, naming, screen, features) comes from a PhoneProfile ("realistic" or "fast",
see profile.py); docs/tether-phone-model.md lists each behaviour with its source.
"""
from __future__ import annotations

import collections
import io
import logging
import os
import random
import selectors
import signal
import socket
import threading
import time
from pathlib import Path

from PIL import Image

from .adbd import AdbdConnection
from .auth import AuthPolicy
from .camera import Camera, Shot, render_screen
from .faults import Faults
from .mediastore import MediaStore, Volume
from .profile import PhoneProfile, get_profile
from .roll import make_roll
from .screen import Screen
from .shell_service import KEYCODE_CAMERA, KEYCODE_VOLUME_DOWN, KEYCODE_VOLUME_UP, parse_service, serve_shell
from .styles import IDENTITIES, SDK_LEVELS
from .sync_service import serve_sync
from .vfs import VirtualFs

log = logging.getLogger(__name__)

CAMERA_DIR = "/sdcard/DCIM/Camera"
STILL_IMAGE_CAMERA = "android.media.action.STILL_IMAGE_CAMERA"
# What a current adbd advertises that this simulator implements (AOSP adb/transport.cpp feature names).
FEATURES = ("shell_v2", "cmd", "stat_v2", "ls_v2", "fixed_push_mkdir")
LEGACY_FEATURES = ("cmd", "fixed_push_mkdir")


class SimulatedPhone:
    """Usage: `with SimulatedPhone(folder, profile="realistic") as phone: phone.port; phone.shoot()`.

    profile: "fast" (default here, for unit tests) or "realistic", or a PhoneProfile; any PhoneProfile
    field can be overridden by keyword (roll=10_000, screencap_min_s=0.7, ...), and the older keywords
    image_size, write_steps, write_duration, pending_names and screen_size still work.
    trusted_keys: key paths (or .pub lines) already authorised; unknown keys are approved after
    approve_after seconds (None = the user never answers); refuse_auth rejects everything.
    wireless_debugging: answer CNXN with STLS like an Android 11+ phone in Wireless debugging.
    """

    def __init__(self, folder, port: int = 0, host: str = "127.0.0.1", *, profile="fast", trusted_keys=(),
                 approve_after: float | None = 0.0, refuse_auth: bool = False, require_auth: bool = True,
                 model=None, product=None, device=None, serial=None, manufacturer=None, android_release=None,
                 image_size=None, with_dng=False, write_steps=None, write_duration=None, pending_names=None,
                 interval: float | None = None, screen_size=None, max_payload=1024 * 1024, battery_level=87,
                 charging=True, frame_pool: int = 0, features=FEATURES, wireless_debugging: bool = False,
                 sd_card: str | None = None, save_to_sd: bool = False, seed: int | None = None, **profile_fields):
        self.profile: PhoneProfile = get_profile(
            profile, image_size=image_size, write_steps=write_steps, write_duration_s=write_duration,
            pending_names=pending_names, screen_size=tuple(screen_size) if screen_size else None, **profile_fields)
        ident = IDENTITIES[self.profile.style]
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.roll_made = make_roll(self.folder, self.profile.roll, self.profile.style) if self.profile.roll else 0
        self.host, self.requested_port = host, port
        self.auth = AuthPolicy(trusted_keys, approve_after=approve_after, refuse=refuse_auth)
        self.require_auth = require_auth
        self.model, self.product = model or ident.model, product or ident.product
        self.device, self.serial = device or ident.device, serial or ident.serial
        self.manufacturer = manufacturer or ident.manufacturer
        self.android_release = android_release or ident.android_release
        self.display_id = ident.display_id
        self.features = tuple(features)
        self.wireless_debugging = wireless_debugging
        self.max_payload = max_payload
        self.screen_size = self.profile.screen_size
        self.battery = {"level": battery_level, "charging": charging}
        self.screen = Screen(self.profile.screen_timeout_s, self.profile.lock, plugged="usb" if charging else "")
        self.rng = random.Random(seed)
        camera_folder, camera_dir = self._mount_storage(sd_card, save_to_sd)
        self.camera = Camera(camera_folder, size=self.profile.image_size, with_dng=with_dng,
                             write_steps=self.profile.write_steps, write_duration=self.profile.write_duration_s,
                             pending_names=self.profile.pending_names, device_dir=camera_dir, frame_pool=frame_pool,
                             style=self.profile.style, processing_s=self.profile.processing_s,
                             make=self.manufacturer, model=self.model, media=self.media)
        self.faults = Faults()
        self.interval = interval
        self.camera_active = False
        self.stopping = threading.Event()
        self.commands: list[str] = []
        self.services: list[str] = []  # every OPEN, as the host named it ("shell,v2,raw:ls", "sync:")
        self.unsafe_commands: list[str] = []
        self.sync_requests: list[tuple[str, str]] = []
        self.fake_entries: dict[str, list] = {}
        self.frame_times: collections.deque = collections.deque(maxlen=100_000)  # (recording, index, monotonic)
        self.mark_frames = False  # screenrecord draws each frame's index (screenrecord.read_mark decodes it)
        self.ignored_shutters = 0  # camera key presses while asleep or locked
        self.last_host_banner = ""
        self.connections_accepted = 0
        self.restarts = 0
        self._conns: set[AdbdConnection] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._reboot = threading.Event()
        self._rebooted = threading.Event()
        self._threads: list[threading.Thread] = []
        self.port = 0

    def _mount_storage(self, sd_card: str | None, save_to_sd: bool) -> tuple[Path, str]:
        """Internal storage, and an SD card (sd_card="1A2B-3C4D") at /storage/1A2B-3C4D whose DCIM/Camera is
        a sibling folder of `folder` on the desktop. Returns where the camera app saves (save_to_sd)."""
        self.sd_card = sd_card
        self.sd_folder = self.folder.parent / f"sdcard-{sd_card}" if sd_card else None
        mounts, volumes = {CAMERA_DIR: self.folder}, [Volume(self.folder)]
        if sd_card:
            self.sd_folder.mkdir(parents=True, exist_ok=True)
            mounts[f"/storage/{sd_card}/DCIM/Camera"] = self.sd_folder
            volumes.append(Volume(self.sd_folder, sd_card.lower(), f"/storage/{sd_card}"))
        self.vfs = VirtualFs(mounts)
        self.media = MediaStore(*volumes)
        if save_to_sd and sd_card:
            return self.sd_folder, f"/storage/{sd_card}/DCIM/Camera"
        return self.folder, CAMERA_DIR

    def fs_wait(self, started: float, cost_s: float) -> None:
        """Sleep until `cost_s` after `started` (monotonic): the phone's own time for an operation, of
        which this desktop's real work is a part, not an addition."""
        delay = started + cost_s - time.monotonic()
        if delay > 0:
            self.stopping.wait(delay)

    # ---- lifecycle -----------------------------------------------------
    def start(self) -> "SimulatedPhone":
        self._listener = self._listen(self.requested_port)
        self.port = self._listener.getsockname()[1]
        self._threads.append(threading.Thread(target=self._accept_loop, daemon=True, name="simphone-accept"))
        if self.interval:
            self._threads.append(threading.Thread(target=self._intervalometer, daemon=True, name="simphone-timer"))
        for t in self._threads:
            t.start()
        return self

    def _listen(self, port: int) -> socket.socket:
        listener = socket.create_server((self.host, port), reuse_port=False)
        listener.setblocking(False)
        return listener

    def __enter__(self) -> "SimulatedPhone":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        for t in self._threads:
            t.join(timeout=5)
        if self._listener:
            self._listener.close()
        self.disconnect_all()
        self.camera.stop()

    def restart(self, wait: bool = True, revoke_keys: bool = True) -> None:
        """Reboot: every connection drops, the port refuses connections for profile.reboot_s, then the
        phone comes back locked, with its files, asking "Allow USB debugging?" again (revoke_keys) — as
        after a reboot with an expired or one-time authorisation. Answered per approve_after/refuse."""
        self._rebooted.clear()
        if revoke_keys:
            self.auth.revoke_all()
        self._reboot.set()
        if wait:
            self.wait_until_up(self.profile.reboot_s + 10)

    def wait_until_up(self, timeout: float) -> bool:
        """After restart(wait=False): block until the phone listens again (True) or timeout (False)."""
        return self._rebooted.wait(timeout)

    def _accept_loop(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._listener, selectors.EVENT_READ)
        try:
            while not self.stopping.is_set():
                if self._reboot.is_set():
                    sel = self._do_reboot(sel)
                    continue
                if not sel.select(timeout=0.1):
                    continue
                try:
                    sock, _ = self._listener.accept()
                except (BlockingIOError, OSError):
                    continue
                sock.setblocking(True)
                conn = AdbdConnection(self, sock)
                with self._lock:
                    self._conns.add(conn)
                    self.connections_accepted += 1
                conn.thread.start()
        finally:
            sel.close()

    def _do_reboot(self, sel):
        sel.close()
        self._listener.close()
        self.disconnect_all()
        self.camera_active = False
        self.screen.sleep()  # comes back showing the lock screen
        if self.stopping.wait(self.profile.reboot_s):
            self._rebooted.set()
            return sel  # stopped while rebooting: nothing to listen on any more
        self.screen.wake()
        self._listener = self._listen(self.port)
        self.restarts += 1
        self._reboot.clear()
        self._rebooted.set()
        sel = selectors.DefaultSelector()
        sel.register(self._listener, selectors.EVENT_READ)
        return sel

    def _forget(self, conn: AdbdConnection) -> None:
        with self._lock:
            self._conns.discard(conn)

    def disconnect_all(self) -> None:
        """Pull the cable: every host connection is reset."""
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            conn.drop()
        for conn in conns:
            conn.thread.join(timeout=2)

    def _intervalometer(self) -> None:
        while not self.stopping.wait(self.interval):
            self.shoot()

    # ---- camera --------------------------------------------------------
    def shoot(self, **kwargs) -> Shot:
        """The photographer presses the shutter on the phone itself (always works: they are holding it)."""
        self.screen.wake()
        self.screen.dismiss_keyguard()
        return self.camera.shoot(**kwargs)

    def on_keyevent(self, code) -> None:
        self.screen.on_key(code)
        if code != KEYCODE_CAMERA and not (self.camera_active and code in (KEYCODE_VOLUME_UP, KEYCODE_VOLUME_DOWN)):
            return
        # KEYCODE_CAMERA fires the camera app; volume keys are shutters only while it is in front.
        # Neither takes anything while the screen is off or the lock screen shows.
        if not self.screen.interactive:
            self.ignored_shutters += 1
            return
        self.camera_active = True
        self.camera.shoot()

    def on_activity(self, action: str) -> None:
        self.screen.user_activity()
        if action == STILL_IMAGE_CAMERA and self.screen.interactive:
            self.camera_active = True

    def screen_frame(self, width: int, height: int):
        """What the display shows now, as an RGB array: black when asleep, a dim lock screen when locked."""
        import numpy as np
        if not self.screen.awake:
            return np.zeros((height, width, 3), np.uint8)
        frame = render_screen(width, height, t=time.time())
        if self.screen.locked:
            frame = (frame // 4).astype(np.uint8)
            frame[height // 5:height // 5 + max(2, height // 40), width // 4:3 * width // 4] = 230  # the clock
        return frame

    def screen_png(self) -> bytes:
        buf = io.BytesIO()
        Image.fromarray(self.screen_frame(*self.screen_size), "RGB").save(buf, "PNG", compress_level=1)
        return buf.getvalue()

    def screen_raw(self) -> bytes:
        import struct
        w, h = self.screen_size
        rgba = Image.fromarray(self.screen_frame(w, h), "RGB").convert("RGBA").tobytes()
        return struct.pack("<III", w, h, 1) + rgba

    # ---- adbd plumbing ---------------------------------------------------
    def properties(self) -> dict[str, str]:
        return {
            "ro.product.model": self.model, "ro.product.name": self.product, "ro.product.device": self.device,
            "ro.product.manufacturer": self.manufacturer, "ro.product.brand": self.manufacturer,
            "ro.serialno": self.serial, "ro.build.version.release": self.android_release,
            "ro.build.version.sdk": SDK_LEVELS.get(self.android_release, "29"),
            "ro.build.display.id": self.display_id,
        }

    def banner(self) -> str:
        return (f"device::ro.product.name={self.product};ro.product.model={self.model};"
                f"ro.product.device={self.device};features={','.join(self.features)}")

    def service_handler(self, service: str):
        self.services.append(service)
        if service == "sync:":
            return lambda stream: serve_sync(self, stream)
        parsed = parse_service(service, legacy_pty=self.profile.legacy_shell_pty)
        if parsed is None or not parsed[0].strip():
            return None  # no interactive shells here
        command, mode = parsed
        if mode.v2 and "shell_v2" not in self.features:
            return None  # adbd without shell_v2 does not know the v2 arguments
        return lambda stream: serve_shell(self, stream, command, mode)

    def extra_list_entries(self, device_path: str) -> list:
        """Fabricated directory entries (names a real fs could not hold) for hostile-name tests."""
        return list(self.fake_entries.get(self.vfs.canonical(device_path), []))

    def log_command(self, command: str) -> None:
        self.commands.append(command)

    def log_sync(self, request_id: int, path: str) -> None:
        self.sync_requests.append((request_id.to_bytes(4, "little").decode(), path))


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(port: int, folder: Path, interval: float | None, **options) -> None:
    """Run a simulated phone until Ctrl-C or SIGTERM (the `simulate-phone` command); SIGUSR1 restarts it."""
    # Installed explicitly: a process started as a background job inherits SIGINT *ignored*, and then
    # Python never raises KeyboardInterrupt, so the phone would run on after Ctrl-C/kill -INT.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)
    phone = SimulatedPhone(folder, port=port, interval=interval, **options).start()
    phone.camera.warm_up()
    signal.signal(signal.SIGUSR1, lambda *_: phone.restart(wait=False))
    p = phone.profile
    print(f"Simulated {phone.manufacturer} {phone.model} (serial {phone.serial}) listening on "
          f"{phone.host}:{phone.port}, camera folder {phone.folder}", flush=True)
    print(f"Profile {p.name}: {p.roll} photos in the roll ({phone.roll_made} made now), screencap "
          f"{p.screencap_min_s:g}-{p.screencap_max_s:g} s, screen sleeps after "
          f"{'never' if p.screen_timeout_s is None else f'{p.screen_timeout_s:g} s'}, lock screen {p.lock}"
          + (", Wireless debugging (answers STLS)" if phone.wireless_debugging else ""), flush=True)
    print(f"Try: adb connect {phone.host}:{phone.port} && adb -s {phone.host}:{phone.port} shell getprop ro.product.model")
    print(f"Restart it (it asks 'Allow USB debugging?' again): kill -USR1 {os.getpid()}")
    if interval:
        print(f"Shooting a photo every {interval:g} s.")
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("Stopping simulated phone.")
    finally:
        phone.stop()
