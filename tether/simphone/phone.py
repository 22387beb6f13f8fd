"""SimulatedPhone: a local TCP server that behaves like a Huawei phone's adbd in `adb tcpip` mode."""
from __future__ import annotations

import io
import logging
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
from .shell_service import KEYCODE_CAMERA, KEYCODE_VOLUME_DOWN, KEYCODE_VOLUME_UP, serve_shell
from .sync_service import serve_sync
from .vfs import VirtualFs

log = logging.getLogger(__name__)

CAMERA_DIR = "/sdcard/DCIM/Camera"
STILL_IMAGE_CAMERA = "android.media.action.STILL_IMAGE_CAMERA"


class SimulatedPhone:
    """Usage: `with SimulatedPhone(folder) as phone: phone.port; phone.shoot()`.

    trusted_keys: key paths (or .pub lines) already authorised; unknown keys are approved after
    approve_after seconds (None = the user never answers); refuse_auth rejects everything.
    """

    def __init__(self, folder, port: int = 0, host: str = "127.0.0.1", *, trusted_keys=(),
                 approve_after: float | None = 0.0, refuse_auth: bool = False, require_auth: bool = True,
                 model="ELS-NX9", product="ELS-NX9EEA", device="HWELS", serial="SIM0123456789",
                 manufacturer="HUAWEI", android_release="10", image_size="small", with_dng=False,
                 write_steps=4, write_duration=0.3, pending_names=False, interval: float | None = None,
                 screen_size=(540, 1170), max_payload=1024 * 1024, battery_level=87, charging=True,
                 frame_pool: int = 0):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.host, self.requested_port = host, port
        self.auth = AuthPolicy(trusted_keys, approve_after=approve_after, refuse=refuse_auth)
        self.require_auth = require_auth
        self.model, self.product, self.device, self.serial = model, product, device, serial
        self.manufacturer, self.android_release = manufacturer, android_release
        self.max_payload = max_payload
        self.screen_size = screen_size
        self.battery = {"level": battery_level, "charging": charging}
        self.vfs = VirtualFs({CAMERA_DIR: self.folder})
        self.camera = Camera(self.folder, size=image_size, with_dng=with_dng, write_steps=write_steps,
                             write_duration=write_duration, pending_names=pending_names, device_dir=CAMERA_DIR,
                             frame_pool=frame_pool)
        self.faults = Faults()
        self.interval = interval
        self.camera_active = False
        self.stopping = threading.Event()
        self.commands: list[str] = []
        self.unsafe_commands: list[str] = []
        self.sync_requests: list[tuple[str, str]] = []
        self.fake_entries: dict[str, list] = {}
        self.last_host_banner = ""
        self.connections_accepted = 0
        self._conns: set[AdbdConnection] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self.port = 0

    # ---- lifecycle -----------------------------------------------------
    def start(self) -> "SimulatedPhone":
        self._listener = socket.create_server((self.host, self.requested_port), reuse_port=False)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._threads.append(threading.Thread(target=self._accept_loop, daemon=True, name="simphone-accept"))
        if self.interval:
            self._threads.append(threading.Thread(target=self._intervalometer, daemon=True, name="simphone-timer"))
        for t in self._threads:
            t.start()
        return self

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

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self._listener, selectors.EVENT_READ)
            while not self.stopping.is_set():
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
        return self.camera.shoot(**kwargs)

    def on_keyevent(self, code) -> None:
        # KEYCODE_CAMERA always fires the camera app; volume keys are shutters only while it is in front.
        if code == KEYCODE_CAMERA or (self.camera_active and code in (KEYCODE_VOLUME_UP, KEYCODE_VOLUME_DOWN)):
            self.camera_active = True
            self.shoot()

    def on_activity(self, action: str) -> None:
        if action == STILL_IMAGE_CAMERA:
            self.camera_active = True

    def screen_png(self) -> bytes:
        frame = render_screen(*self.screen_size, t=time.time())
        buf = io.BytesIO()
        Image.fromarray(frame, "RGB").save(buf, "PNG", compress_level=1)
        return buf.getvalue()

    def screen_raw(self) -> bytes:
        import struct
        w, h = self.screen_size
        frame = render_screen(w, h, t=time.time())
        rgba = Image.fromarray(frame, "RGB").convert("RGBA").tobytes()
        return struct.pack("<III", w, h, 1) + rgba

    # ---- adbd plumbing ---------------------------------------------------
    def properties(self) -> dict[str, str]:
        return {
            "ro.product.model": self.model, "ro.product.name": self.product, "ro.product.device": self.device,
            "ro.product.manufacturer": self.manufacturer, "ro.product.brand": self.manufacturer,
            "ro.serialno": self.serial, "ro.build.version.release": self.android_release,
            "ro.build.version.sdk": {"9": "28", "10": "29", "11": "30", "12": "31"}.get(self.android_release, "29"),
            "ro.build.display.id": f"{self.model} 10.1.0.150(C431E2R1P3)",
        }

    def banner(self) -> str:
        # Without shell_v2 / stat_v2 hosts use legacy shell: and the v1 sync requests this phone implements.
        return (f"device::ro.product.name={self.product};ro.product.model={self.model};"
                f"ro.product.device={self.device};features=cmd,fixed_push_mkdir")

    def service_handler(self, service: str):
        if service == "sync:":
            return lambda stream: serve_sync(self, stream)
        for prefix, pty in (("shell:", True), ("exec:", False)):
            if service.startswith(prefix) and service[len(prefix):].strip():
                command = service[len(prefix):]
                return lambda stream, c=command, t=pty: serve_shell(self, stream, c, t)
        return None

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
    """Run a simulated phone until Ctrl-C or SIGTERM (the `simulate-phone` command)."""
    # Installed explicitly: a process started as a background job inherits SIGINT *ignored*, and then
    # Python never raises KeyboardInterrupt, so the phone would run on after Ctrl-C/kill -INT.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)
    phone = SimulatedPhone(folder, port=port, interval=interval, **options).start()
    print(f"Simulated {phone.manufacturer} {phone.model} (serial {phone.serial}) listening on "
          f"{phone.host}:{phone.port}, camera folder {phone.folder}", flush=True)
    print(f"Try: adb connect {phone.host}:{phone.port} && adb -s {phone.host}:{phone.port} shell getprop ro.product.model")
    if interval:
        print(f"Shooting a photo every {interval:g} s.")
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("Stopping simulated phone.")
    finally:
        phone.stop()
