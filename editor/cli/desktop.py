"""Installing Darkslide like a desktop app, and letting the user's account open a phone over USB.

    darkslide install-desktop [--uninstall]   menu entry, icon and AppStream data for this user (Linux)
    darkslide setup-usb [--vendor 12d1] [--yes]   the udev rule that lets you (not only root) open the phone

Only the Linux freedesktop parts live here; the rest of Darkslide stays free of POSIX-only calls.
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

APP_ID = "io.github.darkslide.Darkslide"
RESOURCES = Path(__file__).resolve().parents[2] / "resources"
RULE_FILE = Path("/etc/udev/rules.d/51-darkslide-android.rules")
# USB vendor ids of phone makers (the ids Android's own udev rules list), Huawei first: Darkslide's phones.
VENDORS = {"12d1": "Huawei", "18d1": "Google", "04e8": "Samsung", "2717": "Xiaomi", "2a70": "OnePlus",
           "22d9": "OPPO", "2d95": "vivo", "22b8": "Motorola", "0fce": "Sony", "1004": "LG"}


def data_home() -> Path:
    """$XDG_DATA_HOME, else ~/.local/share (where desktops look for a user's menu entries and icons)."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launcher() -> str:
    """The command a menu entry runs: the installed `darkslide` script beside this Python, else main.py."""
    script = Path(sys.executable).with_name("darkslide")
    if script.is_file():
        return shlex.quote(str(script))
    main = Path(__file__).resolve().parents[2] / "main.py"
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(main))}"


def targets(root: Path) -> dict[str, Path]:
    return {"desktop": root / "applications" / f"{APP_ID}.desktop",
            "icon": root / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
            "metainfo": root / "metainfo" / f"{APP_ID}.metainfo.xml"}


def install_desktop(root: Path | None = None) -> list[Path]:
    """Write the menu entry, icon and AppStream file under `root` (the user's data folder); returns them."""
    paths = targets(root or data_home())
    entry = (RESOURCES / "desktop" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    contents = {"desktop": entry.replace("@EXEC@", launcher()).encode(),
                "icon": (RESOURCES / "icons" / "darkslide.svg").read_bytes(),
                "metainfo": (RESOURCES / "desktop" / f"{APP_ID}.metainfo.xml").read_bytes()}
    for key, path in paths.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(contents[key])
    _refresh(paths["desktop"].parent)
    return list(paths.values())


def uninstall_desktop(root: Path | None = None) -> list[Path]:
    """Remove what install_desktop wrote; returns the files that were there."""
    removed = []
    for path in targets(root or data_home()).values():
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def _refresh(applications: Path) -> None:
    """Tell the desktop the menu changed, when its tool is installed (it notices by itself otherwise)."""
    tool = shutil.which("update-desktop-database")
    if tool:
        subprocess.run([tool, str(applications)], capture_output=True, timeout=30)


def udev_rule(vendors: list[str]) -> str:
    """The rule text: each vendor's USB devices readable by the logged-in user (uaccess) and plugdev."""
    lines = ["# Written by `darkslide setup-usb`: lets your account open Android phones over USB (ADB)."]
    for vid in vendors:
        lines.append(f'SUBSYSTEM=="usb", ATTR{{idVendor}}=="{vid}", MODE="0660", GROUP="plugdev", '
                     f'TAG+="uaccess"  # {VENDORS.get(vid, "phone")}')
    return "\n".join(lines) + "\n"


def setup_usb(vendors: list[str], yes: bool, ask=input, run=subprocess.run) -> int:
    """Show the rule, ask, then install it with sudo and reload udev. Returns an exit code."""
    if not sys.platform.startswith("linux"):
        print("setup-usb is for Linux; Windows and macOS need no rule (Windows: the phone maker's USB driver).")
        return 0
    rule = udev_rule(vendors)
    print(f"This writes {RULE_FILE}:\n\n{rule}\nand reloads udev (needs sudo).")
    if not yes and ask("Go ahead? [y/N] ").strip().lower() not in ("y", "yes"):
        print("Nothing changed.")
        return 1
    with tempfile.NamedTemporaryFile("w", suffix=".rules", delete=False) as tmp:
        tmp.write(rule)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    steps = [[*sudo, "install", "-m", "644", tmp.name, str(RULE_FILE)],
             [*sudo, "udevadm", "control", "--reload-rules"], [*sudo, "udevadm", "trigger"]]
    try:
        for step in steps:
            if run(step).returncode != 0:
                print(f"Failed: {' '.join(step)}", file=sys.stderr)
                return 1
    finally:
        os.unlink(tmp.name)
    print("Done. Unplug and replug the phone.")
    return 0


def add_install_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--uninstall", action="store_true", help="remove the menu entry, icon and AppStream data")


def run_install(args: argparse.Namespace) -> int:
    if not sys.platform.startswith("linux"):
        print("install-desktop writes freedesktop menu entries (Linux); on Windows and macOS start Darkslide "
              "with `darkslide` after `pipx install .`.")
        return 0
    if args.uninstall:
        removed = uninstall_desktop()
        print("\n".join(f"removed {p}" for p in removed) or "Nothing to remove.")
        return 0
    for path in install_desktop():
        print(f"wrote {path}")
    print("Darkslide is in your applications menu (log out and in if it does not show yet).")
    return 0


def add_usb_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vendor", action="append", metavar="ID",
                        help=f"USB vendor id (hex) to allow; repeatable (default: {', '.join(VENDORS)})")
    parser.add_argument("--yes", action="store_true", help="do not ask")


def run_usb(args: argparse.Namespace) -> int:
    vendors = [v.lower().removeprefix("0x") for v in (args.vendor or VENDORS)]
    bad = [v for v in vendors if len(v) != 4 or any(c not in "0123456789abcdef" for c in v)]
    if bad:
        print(f"setup-usb: {', '.join(bad)}: a vendor id is 4 hex digits, e.g. 12d1 (Huawei)", file=sys.stderr)
        return 2
    return setup_usb(vendors, args.yes)
