#!/usr/bin/env bash
# Starts Darkslide (the GUI; pass a sub-command such as `export` or `presets` for headless work).
# Creates the virtualenv on first use. Stays in the caller's folder so relative photo paths work.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
source "$root/tools/venv.sh"
case "${1:-}" in
    export|presets|tether|simulate-phone|install-desktop|setup-usb|library|-h|--help) ;;  # headless sub-commands need no display libraries
    *) [ -n "${QT_QPA_PLATFORM:-}" ] || source "$root/tools/qt-deps.sh" ;;
esac
exec "$root/.venv/bin/python" "$root/main.py" "$@"
