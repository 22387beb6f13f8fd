"""Darkslide's data folder: $DARKSLIDE_DATA_DIR, else the platform's user data folder (platformdirs).

Presets, LUTs and the catalog live there. Kept in the core so that every layer can reach it.
"""
from __future__ import annotations

import os
from pathlib import Path


def data_root() -> Path:
    root = os.environ.get("DARKSLIDE_DATA_DIR")
    if root:
        return Path(root)
    import platformdirs

    return Path(platformdirs.user_data_dir("darkslide"))
