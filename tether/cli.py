"""Command-line front ends: `darkslide tether ...` and `darkslide simulate-phone ...`.

main.py registers them with:
    tether.cli.add_arguments(sub.add_parser("tether"));           -> tether.cli.run(args)
    tether.cli.add_simulate_arguments(sub.add_parser("simulate-phone")) -> tether.cli.run_simulate(args)
"""
from __future__ import annotations

import argparse
import signal
import statistics
import threading
import time
from pathlib import Path

from .connection import Target
from .transport import connect_phone
from .errors import TetherError
from .ingest import IngestOptions
from .naming import DEFAULT_TEMPLATE, parse_folders, sanitise_component
from .session import Session
from .watcher import DEFAULT_FOLDERS


def default_sessions_dir() -> Path:
    try:
        from platformdirs import user_pictures_dir
        return Path(user_pictures_dir()) / "Darkslide"
    except Exception:
        return Path.home() / "Pictures" / "Darkslide"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--usb", metavar="SERIAL", nargs="?", const="", help="USB phone (first one if no serial)")
    where.add_argument("--tcp", metavar="HOST:PORT", help="phone in `adb tcpip` mode, or a simulated phone")
    where.add_argument("--adb", metavar="SERIAL", nargs="?", const="",
                       help="through Google's adb server (Wireless debugging after `adb pair`; first phone if no serial)")
    where.add_argument("--list-usb", action="store_true", help="list attached USB phones and exit")
    parser.add_argument("--session", help="session name; also the folder name (required to tether)")
    parser.add_argument("--out", type=Path, default=None, help=f"sessions folder (default {default_sessions_dir()})")
    parser.add_argument("--look", default=None, help="look to apply to each capture (handled by the editor)")
    parser.add_argument("--template", default=DEFAULT_TEMPLATE,
                        help="file name template: {session} {date} {time} {seq} {model} {orig}")
    parser.add_argument("--folders", default=None,
                        help="comma-separated camera folders on the phone (default: found on the phone, every "
                             "DCIM folder on internal storage and SD cards, e.g. " + ",".join(DEFAULT_FOLDERS) + ")")
    parser.add_argument("--backup", type=Path, default=None, help="also copy every capture here")
    parser.add_argument("--delete-after-import", action="store_true", help="delete from the phone once verified")
    parser.add_argument("--key", type=Path, default=None, help="ADB private key (default ~/.android/adbkey or ours)")
    parser.add_argument("--auth-timeout", type=float, default=60.0, help="seconds to wait for 'Allow USB debugging'")
    parser.add_argument("--poll", type=float, default=0.1,
                        help="seconds between looks at the camera folders (one STAT each; a LIST only on change)")
    parser.add_argument("--no-md5", action="store_true", help="skip the on-phone md5 check (size is still checked)")
    parser.add_argument("--keep-awake", action="store_true",
                        help="keep the phone's screen on while tethered (svc power stayon; restored at the end)")
    parser.add_argument("--trigger-every", type=float, default=None, metavar="SECONDS",
                        help="press the shutter remotely every N seconds (camera key; opens the camera app)")


def add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    from .simphone.options import add_simulate_arguments as add
    add(parser)


def run_simulate(args: argparse.Namespace) -> int:
    from .simphone.options import run_simulate as run
    return run(args)


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


class _Printer:
    def __init__(self, out=print):
        self.out = out
        self.latencies: list[float] = []

    def __call__(self, kind: str, **data) -> None:
        if kind == "connected":
            self.out(f"Connected: {data['info'].summary()}")
        elif kind == "capture":
            c = data["capture"]
            if c.shutter_time is not None:
                timing = f"{c.ready_time - c.shutter_time:.2f} s from shutter"
                self.latencies.append(c.ready_time - c.shutter_time)
            else:  # shutter pressed on the phone itself: time from the file's first appearance
                timing = f"{c.ready_time - c.appeared_time:.2f} s after it appeared on the phone"
                self.latencies.append(c.ready_time - c.appeared_time)
            self.out(f"  {c.local_path.name}  {_human(c.size)}  ready {timing}")
        elif kind == "progress":
            self.out(f"  ... {data['path'].rsplit('/', 1)[-1]}: {100 * data['done'] // max(1, data['total'])}%")
        elif kind == "listing":
            self.out(data["message"])
        elif kind == "watching":
            self.out(f"Watching {', '.join(data['folders'])} now.")
        elif kind == "disconnected":
            self.out(f"Lost the phone: {data['message']}")
        elif kind == "reconnecting":
            self.out(f"  reconnecting in {data['delay']:.1f} s ...")
        elif kind == "reconnected":
            self.out("Reconnected; resuming.")
        elif kind == "retry":
            self.out(f"  will retry {data['path'].rsplit('/', 1)[-1]}: {data['message']}")
        elif kind == "rejected":
            self.out(f"  ignoring unsafe file name {data['name']!r} in {data['folder']}")
        elif kind == "unauthorized":
            self.out(data["message"])
        elif kind == "error":
            self.out(f"Error: {data['message']}")


def run(args: argparse.Namespace, on_capture=None, stop: threading.Event | None = None, out=print) -> int:
    """Tether until Ctrl-C (or `stop` is set). Returns a process exit code."""
    if args.list_usb:
        return _list_usb(out)
    if not args.session:
        out("Error: --session NAME is required")
        return 2
    problem = session_name_problem(args.session)
    if problem:
        out(f"Error: {problem}")
        return 2
    try:
        folders = parse_folders(args.folders or "")
    except ValueError as exc:
        out(f"Error: {exc}")
        return 2
    if getattr(args, "adb", None) is not None:
        target = Target("adb", serial=args.adb or None)
    else:
        target = Target("tcp", *_split(args.tcp)) if args.tcp else Target("usb", serial=args.usb or None)
    sessions = args.out or default_sessions_dir()
    printer = _Printer(out)
    def hook(capture):
        capture.extra["look"] = args.look  # the editor applies it; tether only carries the choice
        if on_capture is not None:
            on_capture(capture)
    try:
        out(f"Connecting to {target} ...")
        # adb-shell directly, or Google's adb server when it holds the phone or the phone wants TLS
        conn = connect_phone(target, args.key, auth_timeout=args.auth_timeout,
                             on_auth_prompt=lambda: out("Unlock the phone and tap 'Allow' on 'Allow USB debugging?'"))
        session = Session(conn, sessions / args.session, args.session, template=args.template,
                          folders=folders,
                          poll_interval=args.poll,
                          options=IngestOptions(verify_md5=not args.no_md5, backup_dir=args.backup,
                                                delete_after_import=args.delete_after_import),
                          on_capture=hook, on_event=printer, keep_awake=args.keep_awake)
    except TetherError as exc:
        out(f"Error: {exc}")
        return 2
    stop = stop or threading.Event()
    previous = _install_sigint(stop)
    started = time.monotonic()
    try:
        session.start()
        doing = "Watching" if session.watching.is_set() else "Will watch"  # else a "listing" line came first
        out(f"{doing} {', '.join(session.watcher.folders)}; saving to {session.session_dir} "
            f"(next: {session.preview_next_name()}). Ctrl-C to stop.")
        if args.trigger_every:
            _intervalometer(session, args.trigger_every, stop, out)
        stop.wait()
    finally:
        session.stop()
        conn.close()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    _summary(out, session, printer, time.monotonic() - started)
    return 0


def session_name_problem(name: str) -> str | None:
    """A session name is one folder inside --out: no separators, no '..', not absolute, nothing hidden."""
    if (not name.strip() or name in (".", "..") or "/" in name or "\\" in name or "\0" in name
            or name.startswith(".") or Path(name).is_absolute() or sanitise_component(name) != name):
        return (f"--session {name!r} is not a plain folder name; it must stay inside the sessions folder "
                f"(--out). Use letters, digits, spaces, '-', '_' or '.', e.g. --session \"Studio 25-11\".")
    return None


def _list_usb(out) -> int:
    from .usb_devices import UsbScanError, list_usb_phones
    try:
        phones = list_usb_phones()
    except UsbScanError as exc:
        out(str(exc))
        return 1
    for phone in phones:
        if phone.problem:
            out(phone.problem)
    if not phones:
        out("No USB phones with debugging enabled were found (is libusb installed, the phone unlocked?).")
        return 1
    for phone in phones:
        access = "" if phone.accessible else "  (no permission: see the udev rule in the README)"
        out(f"{phone.serial or '?':<20} {phone.model or '?':<20} {phone.vendor_id:04x}:{phone.product_id:04x}{access}")
    return 0


def _intervalometer(session: Session, every: float, stop: threading.Event, out) -> None:
    """Fire the remote shutter every `every` seconds on a helper thread until stopped."""
    from .trigger import RemoteTrigger
    trigger = RemoteTrigger(session)

    def loop() -> None:
        while not stop.wait(every):
            try:
                trigger.fire(timeout=max(10.0, every * 2))
            except TetherError as exc:
                out(f"  shutter failed: {exc}")
    threading.Thread(target=loop, name="tether-intervalometer", daemon=True).start()


def _split(hostport: str) -> tuple[str, int]:
    target = Target.parse(hostport)
    return target.host, target.port


def _install_sigint(stop: threading.Event):
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, lambda *_: stop.set())


def _summary(out, session: Session, printer: _Printer, seconds: float) -> None:
    total = sum(c.size for c in session.captures)
    out(f"Session {session.name}: {len(session.captures)} captures, {_human(total)} in {seconds:.0f} s, "
        f"{session.connection.reconnects} reconnects.")
    if printer.latencies:
        out(f"  ready latency median {statistics.median(printer.latencies):.2f} s, "
            f"max {max(printer.latencies):.2f} s")
    for message in session.errors[-5:]:
        out(f"  error: {message}")
