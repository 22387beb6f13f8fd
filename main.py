"""Darkslide's entry point: the GUI by default, sub-commands for headless work.

    python main.py                      open the app (bundled samples, or the last folder)
    python main.py PHOTO|FOLDER         open the app on a photo or folder
    python main.py export ...           develop and export photos          (editor.core.export_cli)
    python main.py presets ...          list, show, import, export looks   (presets.cli)
    python main.py tether ...           tethered session in the terminal   (tether.cli)
    python main.py simulate-phone ...   run the simulated phone (ADB over TCP)

This is the one place where the Qt-free core and the views meet; each sub-command imports only what it needs.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# sub-command -> (module with add_arguments(parser) and run(args) -> int, help)
COMMANDS = {
    "export": ("editor.core.export_cli", "develop photos with their edits (or a look) and export them"),
    "presets": ("presets.cli", "list, show, import and export looks"),
    "tether": ("tether.cli", "run a tethered session in the terminal"),
    "simulate-phone": ("main", "serve a simulated phone over ADB/TCP (demo mode and tests)"),
}


# simulate-phone is a thin wrapper over tether.simphone.serve, so its arguments live here.
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=5555, help="TCP port to listen on (default 5555)")
    parser.add_argument("--folder", default=None, help="folder served as the phone's DCIM/Camera "
                        "(default: a new temporary folder)")
    parser.add_argument("--interval", type=float, default=None,
                        help="also shoot a photo every N seconds (default: only when triggered)")


def run(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    from tether.simphone import serve

    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="darkslide-phone-"))
    print(f"Simulated phone on 127.0.0.1:{args.port}, camera folder {folder} (Ctrl-C to stop)")
    try:
        serve(args.port, folder, args.interval)
    except KeyboardInterrupt:
        pass
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="darkslide", description="Tethered photo editor with film looks.")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_) in COMMANDS.items():
        sub = subs.add_parser(name, help=help_, description=help_)
        try:
            importlib.import_module(module).add_arguments(sub)
        except ImportError as exc:  # keep the other commands usable if one part is missing
            sub.set_defaults(unavailable=f"'{name}' is unavailable: {exc}")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        from editor.ui.app import run as run_gui
        return run_gui(argv)
    args = build_parser().parse_args(argv)
    if getattr(args, "unavailable", None):
        print(args.unavailable, file=sys.stderr)
        return 2
    return importlib.import_module(COMMANDS[args.command][0]).run(args)


if __name__ == "__main__":
    sys.exit(main())
