"""Command-line options of `simulate-phone` (and `python -m tether.simphone`), kept beside the phone."""
from __future__ import annotations

import argparse
from pathlib import Path

from .profile import PROFILES


def add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=5555)
    parser.add_argument("--folder", type=Path, default=Path("simulated-phone/DCIM/Camera"))
    parser.add_argument("--profile", choices=sorted(PROFILES), default="realistic",
                        help="realistic: real-phone timings, a big camera roll, sleeping screen (default); "
                             "fast: the instant phone the unit tests use")
    parser.add_argument("--roll", type=int, default=None, metavar="N",
                        help="photos already in DCIM/Camera (default: 3000 realistic, 0 fast)")
    parser.add_argument("--phone", choices=["pixel", "huawei"], default=None,
                        help="identity and file naming (default: pixel realistic, huawei fast)")
    parser.add_argument("--interval", type=float, default=None, help="shoot a photo every N seconds")
    parser.add_argument("--size", default=None, choices=["small", "medium", "12mp"],
                        help="photo size (default: the profile's)")
    parser.add_argument("--dng", action="store_true",
                        help="RAW+JPEG: a Pixel pair in Camera, or a Huawei DNG in Camera/RAW, for each shot")
    parser.add_argument("--screen-timeout", type=float, default=None, metavar="S",
                        help="screen sleeps after S seconds without input (0: never)")
    parser.add_argument("--lock", choices=["none", "swipe", "pin"], default=None, help="lock screen kind")
    parser.add_argument("--sd-card", metavar="ID", nargs="?", const="1A2B-3C4D", default=None,
                        help="an SD card at /storage/ID (default id 1A2B-3C4D) where the camera saves photos")
    parser.add_argument("--wireless-debugging", action="store_true",
                        help="answer CNXN with STLS like an Android 11+ phone in Wireless debugging")
    parser.add_argument("--approve-after", type=float, default=2.0,
                        help="seconds the simulated user takes to allow a new key")
    parser.add_argument("--refuse-auth", action="store_true", help="deny every key")
    parser.add_argument("--no-inotifyd", action="store_true",
                        help="no toybox inotifyd (hosts must find new photos by listing)")


def phone_options(args: argparse.Namespace) -> dict:
    """SimulatedPhone keyword arguments from parsed options."""
    options = dict(profile=args.profile, roll=args.roll, style=args.phone, image_size=args.size, with_dng=args.dng,
                   lock=args.lock, wireless_debugging=args.wireless_debugging,
                   sd_card=args.sd_card, save_to_sd=bool(args.sd_card),
                   approve_after=args.approve_after, refuse_auth=args.refuse_auth)
    if args.no_inotifyd:
        options["inotifyd"] = False
    if args.screen_timeout is not None:
        options["screen_timeout_s"] = args.screen_timeout or None
    return options


def run_simulate(args: argparse.Namespace, trusted_keys=()) -> int:
    from .phone import serve
    serve(args.port, args.folder, args.interval, trusted_keys=trusted_keys, **phone_options(args))
    return 0
