#!/usr/bin/env bash
# Starts Darkslide (the GUI; pass a sub-command such as `export` or `presets` for headless work).
# Creates the virtualenv on first use.
set -euo pipefail
cd "$(dirname "$0")"
source tools/venv.sh
case "${1:-}" in
    export|presets|tether|simulate-phone|-h|--help) ;;  # headless sub-commands need no display libraries
    *) [ -n "${QT_QPA_PLATFORM:-}" ] || source tools/qt-deps.sh ;;
esac
exec .venv/bin/python main.py "$@"
