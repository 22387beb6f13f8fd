#!/usr/bin/env bash
# Starts Darkslide (the GUI; pass a sub-command such as `export` or `presets` for headless work).
# Creates the virtualenv on first use.
set -euo pipefail
cd "$(dirname "$0")"
source tools/venv.sh
if [ $# -eq 0 ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    source tools/qt-deps.sh
fi
exec .venv/bin/python main.py "$@"
