"""Darkslide's entry point: the GUI by default, sub-commands for headless work.

    python main.py                      open the app (bundled samples, or the last folder)
    python main.py PHOTO|FOLDER         open the app on a photo or folder
    python main.py export ...           develop and export photos          (editor.cli.export)
    python main.py library ...          the catalog: add folders, list, rebuild (editor.cli.library)
    python main.py presets ...          list, show, import, export looks   (presets.cli)
    python main.py tether ...           tethered session in the terminal   (tether.cli + presets.autolook)
    python main.py simulate-phone ...   run the simulated phone (ADB over TCP)

This is the one place where the Qt-free core and the views meet; each sub-command imports only what it needs.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# sub-command -> (module, its add-arguments function, its run function, help)
COMMANDS = {
    "export": ("editor.cli.export", "add_arguments", "run",
               "develop photos with their edits (or a look) and export them"),
    "library": ("editor.cli.library", "add_arguments", "run",
                "the catalog of every folder and session: add, list, scan, rebuild"),
    "presets": ("presets.cli", "add_arguments", "run", "list, show, import and export looks"),
    "tether": ("main", "add_tether_arguments", "run_tether", "run a tethered session in the terminal"),
    "simulate-phone": ("tether.cli", "add_simulate_arguments", "run_simulate",
                       "serve a simulated phone over ADB/TCP (demo mode and tests)"),
    "install-desktop": ("editor.cli.desktop", "add_install_arguments", "run_install",
                        "add Darkslide to your applications menu (or --uninstall)"),
    "setup-usb": ("editor.cli.desktop", "add_usb_arguments", "run_usb",
                  "let your account open Android phones over USB (writes a udev rule, asks first)"),
}


def add_tether_arguments(parser: argparse.ArgumentParser) -> None:
    from tether import cli

    cli.add_arguments(parser)
    parser.add_argument("--amount", type=float, default=100.0, help="strength of --look in %% (0-200)")


def run_tether(args: argparse.Namespace) -> int:
    """A terminal session whose captures get the chosen look in their sidecar and a rendered preview, and
    join the library's catalog (the session as a 'session' folder)."""
    from presets import PresetError
    from presets.autolook import AutoLook
    from tether import cli

    try:
        develop = AutoLook(args.look, args.amount)
    except PresetError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    from editor.cli.library import SessionRecorder

    record = SessionRecorder(lambda text: print(text, file=sys.stderr))  # the session joins the library

    def on_capture(capture) -> None:
        develop(capture.local_path)
        record(capture.local_path)
    try:
        return cli.run(args, on_capture=on_capture)
    finally:
        record.close()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; with `command`, only that sub-command's arguments are added (the others keep
    their help line), so that e.g. an export does not import tether and the preset formats (~80 ms)."""
    parser = argparse.ArgumentParser(prog="darkslide", description="Tethered photo editor with film looks.")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, add, _, help_) in COMMANDS.items():
        sub = subs.add_parser(name, help=help_, description=help_)
        if command not in (None, name):
            continue
        try:
            getattr(importlib.import_module(module), add)(sub)
        except ImportError as exc:  # keep the other commands usable if one part is missing
            sub.set_defaults(unavailable=f"'{name}' is unavailable: {exc}")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        from editor.ui.app import run as run_gui
        return run_gui(argv)
    args = build_parser(argv[0]).parse_args(argv)
    if getattr(args, "unavailable", None):
        print(args.unavailable, file=sys.stderr)
        return 2
    module, _, run, _ = COMMANDS[args.command]
    return getattr(importlib.import_module(module), run)(args)


if __name__ == "__main__":
    sys.exit(main())
