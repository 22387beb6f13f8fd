"""A structural check of HEIC/AVIF files (ISO base media file format, ISO/IEC 14496-12) before decoding.

libheif decodes a grid image whose tiles lie past the end of a truncated file without an error: the
missing tiles come out as flat green. So before decoding, every item's data (each tile of the grid, the
thumbnails, the EXIF block) is located through the `iloc` box and must lie inside the file, and every
top-level box must end within the file. Only the box headers and the `meta` box are read (bounded).
"""
from __future__ import annotations

import os
import struct

MAX_META = 16 * 1024 * 1024  # a 48 MP phone HEIC has ~1 KB of iloc; this only bounds a hostile file


class Damaged(Exception):
    """The file's structure shows it is truncated or corrupt; the message says how, in words."""


def check(fd: int) -> None:
    """Raise Damaged when a box or an item's data extends past the end of the open file `fd`."""
    size = os.fstat(fd).st_size
    meta = None
    for kind, start, end, header in _boxes(fd, 0, size):
        if end > size:
            raise Damaged(f"the file is truncated: its '{kind}' box needs {end - size:,} more bytes than "
                          f"the file holds")
        if kind == "meta":
            if end - start > MAX_META:
                raise Damaged("the file is corrupt: its 'meta' box is implausibly large")
            meta = os.pread(fd, end - start - header, start + header)
    if meta is None:  # an image sequence keeps its frames in tracks: the box check above is what we have
        return
    iloc = _child(meta[4:], "iloc")  # meta is a full box: 4 bytes of version and flags first
    if iloc is None:
        raise Damaged("the file is corrupt: its 'meta' box has no item locations ('iloc')")
    for item, offset, length in _extents(iloc):
        if offset + length > size:
            raise Damaged(f"the file is truncated: image item {item} needs bytes up to {offset + length:,} "
                          f"but the file ends at {size:,} (parts of the photo are missing)")


def _boxes(fd: int, start: int, end: int):
    """(type, start, end, header length) of the top-level boxes."""
    pos = start
    while pos + 8 <= end:
        head = os.pread(fd, 16, pos)
        if len(head) < 8:
            return
        length, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if length == 1:
            if len(head) < 16:
                raise Damaged("the file is truncated inside a box header")
            length, header = struct.unpack(">Q", head[8:16])[0], 16
        elif length == 0:
            length = end - pos  # "extends to the end of the file"
        if length < header:
            raise Damaged(f"the file is corrupt: a box declares an impossible size ({length})")
        yield kind.decode("latin-1"), pos, pos + length, header
        pos += length


def _child(data: bytes, wanted: str) -> bytes | None:
    pos = 0
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if length == 1 and pos + 16 <= len(data):
            length, header = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        if length < header or pos + length > len(data):
            raise Damaged("the file is corrupt: a box inside 'meta' has an impossible size")
        if kind == wanted.encode():
            return data[pos + header:pos + length]
        pos += length
    return None


def _extents(iloc: bytes):
    """(item id, file offset, length) of every extent stored in the file itself (construction method 0)."""
    try:
        reader = _Reader(iloc)
        version = reader.int(1)
        reader.int(3)  # flags
        sizes = reader.int(1)
        offset_size, length_size = sizes >> 4, sizes & 15
        sizes = reader.int(1)
        base_size, index_size = sizes >> 4, (sizes & 15) if version in (1, 2) else 0
        if version > 2 or not {offset_size, length_size, base_size, index_size} <= {0, 4, 8}:
            raise Damaged("the file is corrupt: its item locations ('iloc') use impossible field sizes")
        extent_bytes = index_size + offset_size + length_size
        for _ in range(reader.int(2 if version < 2 else 4)):  # each item reads bytes: bounded by the box
            item = reader.int(2 if version < 2 else 4)
            method = reader.int(2) & 15 if version in (1, 2) else 0
            reference = reader.int(2)
            base = reader.int(base_size)
            count = reader.int(2)
            for _ in range(count if extent_bytes else 0):  # extents of no bytes say nothing
                reader.int(index_size)
                offset, length = reader.int(offset_size), reader.int(length_size)
                if method == 0 and reference == 0 and length > 0:  # 0 length: "to the end of the file"
                    yield item, base + offset, length
    except (struct.error, IndexError):
        raise Damaged("the file is corrupt: its item locations ('iloc') are cut short") from None


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def int(self, size: int) -> int:
        if size == 0:
            return 0
        if self.pos + size > len(self.data):
            raise IndexError
        value = int.from_bytes(self.data[self.pos:self.pos + size], "big")
        self.pos += size
        return value
