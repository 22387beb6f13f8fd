#!/usr/bin/env bash
# Runs the whole test suite headless. Creates the virtualenv on first use. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
source tools/venv.sh
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q "$@"
