"""`python -m tether.simphone --port 0 --folder DIR [--trust KEY]`: a simulated phone in its own process."""
from __future__ import annotations

import argparse

from ..cli import add_simulate_arguments
from .phone import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tether.simphone")
    add_simulate_arguments(parser)
    parser.add_argument("--trust", action="append", default=[], help="private key path whose .pub is authorised")
    args = parser.parse_args()
    serve(args.port, args.folder, args.interval, image_size=args.size, with_dng=args.dng,
          approve_after=args.approve_after, refuse_auth=args.refuse_auth, trusted_keys=args.trust)


if __name__ == "__main__":
    main()
