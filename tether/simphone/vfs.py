"""Maps the phone's paths (/sdcard/DCIM/Camera/...) onto real folders on the desktop.

Paths from the host are untrusted: anything that normalises outside a mount is "not found".
"""
from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path

STORAGE_ALIASES = ("/storage/emulated/0", "/storage/self/primary", "/mnt/sdcard")
# Directories a phone always has above its volumes: `ls /storage` shows emulated and self beside SD cards.
FIXED_CHILDREN = {"/storage": ("emulated", "self"), "/storage/emulated": ("0",), "/storage/self": ("primary",)}


class VirtualFs:
    def __init__(self, mounts: dict[str, Path]):
        self.mounts = {posixpath.normpath(k): Path(v) for k, v in mounts.items()}

    def canonical(self, device_path: str) -> str:
        path = posixpath.normpath("/" + device_path.lstrip("/")) if device_path else "/"
        for alias in STORAGE_ALIASES:
            if path == alias or path.startswith(alias + "/"):
                path = "/sdcard" + path[len(alias):]
        return path

    def resolve(self, device_path: str) -> Path | None:
        """Real path for a device path inside a mount, else None."""
        path = self.canonical(device_path)
        for mount, real in self.mounts.items():
            if path == mount or path.startswith(mount + "/"):
                rest = path[len(mount):].lstrip("/")
                return real / rest if rest else real
        return None

    def virtual_children(self, device_path: str) -> list[str]:
        """Directories that exist only because a mount lies below them (/sdcard, /sdcard/DCIM)."""
        path = self.canonical(device_path).rstrip("/") or "/"
        names = set(FIXED_CHILDREN.get(path, ()))
        if path == "/":
            names.add("storage")
        for mount in self.mounts:
            if mount.startswith(path + "/") or (path == "/" and mount != "/"):
                rest = mount[len(path):].lstrip("/")
                names.add(rest.split("/")[0])
        return sorted(names)

    def lstat(self, device_path: str) -> os.stat_result | None:
        real = self.resolve(device_path)
        if real is not None:
            try:
                return os.lstat(real)
            except OSError:
                return None
        if self.virtual_children(device_path):
            return os.stat_result((stat.S_IFDIR | 0o771, 0, 0, 2, 0, 0, 4096, 0, 0, 0))
        return None

    def stat(self, device_path: str) -> os.stat_result | None:
        st = self.lstat(device_path)
        if st is not None and stat.S_ISLNK(st.st_mode):
            try:
                return os.stat(self.resolve(device_path))
            except OSError:
                return None
        return st

    def listdir(self, device_path: str) -> list[tuple[str, os.stat_result]] | None:
        real = self.resolve(device_path)
        entries = []
        if real is not None:
            try:
                with os.scandir(real) as it:
                    for entry in it:
                        try:
                            entries.append((entry.name, entry.stat(follow_symlinks=False)))
                        except OSError:
                            pass  # vanished between readdir and stat, as on a real phone
            except OSError:
                return None
            return entries
        children = self.virtual_children(device_path)
        if not children:
            return None
        return [(name, self.lstat(posixpath.join(self.canonical(device_path), name))) for name in children]
