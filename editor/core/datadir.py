"""The user's data folder (presets, LUTs, the sample photos' copies): one definition for the whole program.

$DARKSLIDE_DATA_DIR when set (tests, portable installs), else the platform's user data folder for
"darkslide" (platformdirs: ~/.local/share/darkslide, %LOCALAPPDATA%\\darkslide, ~/Library/Application
Support/darkslide)."""
from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    root = os.environ.get("DARKSLIDE_DATA_DIR")
    if root:
        return Path(root)
    import platformdirs

    return Path(platformdirs.user_data_dir("darkslide"))
