#!/usr/bin/env bash
# Makes .venv beside the checkout and (re)installs Darkslide into it whenever pyproject.toml is newer
# than the last install. Sourced by run.sh and test.sh so each command does its own set-up.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
python=${PYTHON:-python3}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Darkslide needs Python 3.11 or newer as '$python' (set PYTHON=... to choose another)." >&2
    exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
    if ! "$python" -m venv "$venv" 2>/dev/null; then
        rm -rf "$venv"
        pkg="python3-venv python$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "Installing Debian's venv support ($pkg)..."
            apt-get update -qq && apt-get install -y -qq $pkg >/dev/null || apt-get install -y -qq python3-venv >/dev/null
            "$python" -m venv "$venv"
        else
            echo "Python's venv module is missing. Install it with: sudo apt-get install $pkg" >&2
            exit 1
        fi
    fi
fi
stamp="$venv/.installed"
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
    echo "Installing Darkslide and its dependencies into $venv ..."
    "$venv/bin/python" -m pip install -q --upgrade pip
    # (setuptools' notice about editable installs is a UserWarning meant for package authors, not users)
    PYTHONWARNINGS=ignore::UserWarning "$venv/bin/python" -m pip install -q -e "$root[test]"
    touch "$stamp"
fi
