#!/usr/bin/env bash
# Runs the whole test suite headless. Creates the virtualenv on first use. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
source tools/venv.sh
# The simulated phone is also checked against Android's own adb; install it when we can (else those skip).
if ! command -v adb >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get install -y -qq adb || { apt-get update -qq && apt-get install -y -qq adb; }; } >/dev/null 2>&1 \
        || echo "note: could not install adb; the tests against Android's adb will be skipped"
fi
# Our exported .cube files are checked against ffmpeg's lut3d the same way (skipped when it is missing).
if ! command -v ffmpeg >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get install -y -qq --no-install-recommends ffmpeg \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends ffmpeg; }; } >/dev/null 2>&1 \
        || echo "note: could not install ffmpeg; the tests against ffmpeg's lut3d will be skipped"
fi
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q "$@"
