"""`python -m tether.simphone --port 0 --folder DIR [--trust KEY]`: a simulated phone in its own process."""
from __future__ import annotations

import argparse

from .options import add_simulate_arguments, run_simulate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tether.simphone")
    add_simulate_arguments(parser)
    parser.add_argument("--trust", action="append", default=[], help="private key path whose .pub is authorised")
    args = parser.parse_args()
    run_simulate(args, trusted_keys=args.trust)


if __name__ == "__main__":
    main()
