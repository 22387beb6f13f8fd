"""The tether controller without Qt: connection lifecycle, candidate attempts that never disturb a working
session, the look hook's failures reported, finished workers forgotten."""
from __future__ import annotations

import socket
import threading

import pytest

from tether.controller import TetherController
from test_helpers import wait_for


class Recorder:
    def __init__(self, controller):
        self.events: list[tuple[str, dict]] = []
        self._cond = threading.Condition()
        controller.observe(self)

    def __call__(self, kind, data):
        with self._cond:
            self.events.append((kind, data))
            self._cond.notify_all()

    def wait(self, kind, count=1, timeout=15.0):
        with self._cond:
            ok = self._cond.wait_for(lambda: len(self.of(kind)) >= count, timeout)
        assert ok, f"no {kind} event; got {[k for k, _ in self.events]}"
        return self.of(kind)[count - 1]

    def of(self, kind):
        return [d for k, d in self.events if k == kind]

    def states(self):
        return [d["state"] for d in self.of("state")]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def controller(tmp_path, host_key):
    made = []

    def make(**options):
        c = TetherController(tmp_path / "sessions", key_path=host_key, **options)
        made.append(c)
        return c
    yield make
    for c in made:
        c.shutdown()


def _tethered(controller, make_phone, host_key, **options):
    """A phone that trusts this computer, and a controller (with `options`) connected to it: (phone, c, events)."""
    phone = make_phone(trusted_keys=[host_key])
    c = controller(**options)
    events = Recorder(c)
    c.connect(f"127.0.0.1:{phone.port}", "Shoot")
    events.wait("connected")
    return phone, c, events


def test_a_failed_connect_never_disturbs_the_working_session(controller, make_phone, host_key):
    phone, c, events = _tethered(controller, make_phone, host_key)
    session = c.session
    c.connect(f"127.0.0.1:{_closed_port()}", "Shoot")  # a wrong address while tethered
    failed = events.wait("connect_failed")
    assert failed["kept"] and "refused" in failed["message"]
    assert c.state == "connected" and c.session is session and not session.stopping
    assert events.states() == ["connecting", "connected"]  # no "error", no "reconnecting"
    assert c.shoot()
    assert events.wait("capture")["path"].parent == session.session_dir


def test_a_new_phone_replaces_the_old_only_once_it_works(controller, make_phone, host_key):
    first, second = make_phone(trusted_keys=[host_key]), make_phone(trusted_keys=[host_key], serial="SECOND01")
    c = controller()
    events = Recorder(c)
    c.connect(f"127.0.0.1:{first.port}", "One")
    events.wait("connected")
    old = c.session
    c.connect(f"127.0.0.1:{second.port}", "Two")
    assert events.wait("connected", 2)["info"].serial == "SECOND01"
    assert old.stopping and c.session is not old and c.session.session_dir.name == "Two"


def test_disconnect_while_connecting_drops_the_attempt(controller, make_phone, host_key):
    phone = make_phone(trusted_keys=[host_key])
    c = controller()
    events = Recorder(c)
    c.connect(f"127.0.0.1:{phone.port}", "Shoot")
    c.disconnect()
    wait_for(lambda: c.workers == 0, "the controller's workers to finish")
    assert c.workers == 0 and c.session is None and c.state == "disconnected"
    assert not events.of("connected")


def test_a_failing_look_is_reported_and_the_capture_still_lands(controller, make_phone, host_key):
    def develop(path):
        raise OSError(28, "No space left on device")
    phone, c, events = _tethered(controller, make_phone, host_key, develop=develop)
    for n in (1, 2):
        assert c.shoot()
        events.wait("capture", n)
    assert any("look not applied" in d["message"] and "No space left" in d["message"] for d in events.of("log"))
    wait_for(lambda: c.workers == 0, "the controller's workers to finish")
    assert c.workers == 0  # shutter workers are forgotten once done


def test_shooting_while_disconnected_says_so(controller):
    c = controller()
    events = Recorder(c)
    assert not c.shoot()
    assert events.of("log")[-1]["message"] == "Connect a phone first"


def test_the_simulated_phone_is_the_realistic_one_unless_told(controller):
    c = controller()
    events = Recorder(c)
    c.connect_simulated("Demo")
    info = events.wait("connected", timeout=60)["info"]
    assert c.phone.profile.name == "realistic" and "Pixel" in info.model


def test_a_phone_that_forgets_this_computer_asks_for_allow_then_resumes(controller, make_phone, host_key):
    phone, c, events = _tethered(controller, make_phone, host_key)
    c._on_session_event(c.live, "unauthorized", {"message": "Unlock the phone and tap 'Allow'"})
    assert c.state == "reconnecting" and "Allow" in c.detail
    assert events.of("log")[-1]["message"] == "Unlock the phone and tap 'Allow'"
    c._on_session_event(c.live, "reconnected", {})
    assert c.state == "connected"


def test_the_phone_is_kept_awake_while_tethered_unless_unticked(controller, make_phone, host_key):
    phone, c, events = _tethered(controller, make_phone, host_key)
    assert "svc power stayon usb" in phone.commands or "svc power stayon true" in phone.commands
    c.disconnect()
    c.keep_awake = False
    before = len(phone.commands)
    c.connect(f"127.0.0.1:{phone.port}", "Shoot")
    events.wait("connected", 2)
    assert not any(cmd.startswith("svc power stayon") and "false" not in cmd for cmd in phone.commands[before:])


def test_camera_folders_reach_the_session_and_a_bad_value_is_refused(controller, make_phone, host_key):
    phone = make_phone(trusted_keys=[host_key], sd_card="1A2B-3C4D")
    c = controller()
    events = Recorder(c)
    c.connect(f"127.0.0.1:{phone.port}", "Shoot", folders=" /storage/1A2B-3C4D/DCIM/Camera/ , ")
    events.wait("connected")
    session = c.session
    assert session.folders_given and session.watcher.folders == ["/storage/1A2B-3C4D/DCIM/Camera"]
    before = list(events.events)
    for bad, words in (("DCIM/Camera", "not an absolute phone path"), ("/sdcard/../data/x", "'..'"),
                       ("/sdcard/DCIM/Camera,/sdcard/a\nb", "control character")):
        with pytest.raises(ValueError, match=words):
            c.connect(f"127.0.0.1:{phone.port}", "Shoot", folders=bad)
        with pytest.raises(ValueError, match=words):
            c.connect_simulated("Shoot", folders=bad, profile="fast")
        with pytest.raises(ValueError, match=words):
            c.pair("127.0.0.1:1", "123456", "127.0.0.1:2", folders=bad)
    assert events.events == before  # nothing was attempted, nothing said
    assert c.state == "connected" and c.session is session and not session.stopping and c.workers == 0
