#!/usr/bin/env bash
# Qt's xcb platform plugin needs X libraries that a fresh Debian may lack. Install them when we are root,
# otherwise print the exact command and stop, instead of letting Qt abort with a cryptic plugin error.
qt_libs=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
         libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3)
if command -v dpkg-query >/dev/null; then
    missing=()
    for lib in "${qt_libs[@]}"; do
        dpkg-query -W -f='${Status}' "$lib" 2>/dev/null | grep -q "install ok installed" || missing+=("$lib")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ]; then
            echo "Installing the X libraries Qt needs: ${missing[*]}"
            apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
        else
            echo "Qt needs these system libraries to open a window. Install them, then run ./run.sh again:" >&2
            echo "  sudo apt-get install ${missing[*]}" >&2
            exit 1
        fi
    fi
fi
