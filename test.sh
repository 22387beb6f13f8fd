#!/usr/bin/env bash
# Runs the whole test suite headless. Creates the virtualenv on first use. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
source tools/venv.sh

# Tools nobody here wrote check our output; install them when we can (as root with apt), else those tests skip.
install_checker() {  # COMMAND DEBIAN-PACKAGE WHAT-IT-CHECKS
    command -v "$1" >/dev/null && return 0
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 0
    { apt-get install -y -qq --no-install-recommends "$2" \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$2"; }; } >/dev/null 2>&1 \
        || echo "note: could not install $2; the tests against $3 will be skipped"
}
install_checker adb adb "Android's own adb"                            # the simulated phone
install_checker ffmpeg ffmpeg "ffmpeg's lut3d"                         # exported .cube files
install_checker exiftool libimage-exiftool-perl "ExifTool"             # exported Lightroom presets

export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q "$@"
