"""Telling a damaged photo from a whole one: what decoders' errors mean in words, which libjpeg warnings
are harmless, and what a file's size and first bytes prove before any decoding.

The policy these serve is in docs/damaged-data.md: a damaged photo is refused with the file named and the
reason in words, never decoded silently into grey, green or smeared pixels.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from editor.core.files import open_regular

# Decoder messages, in words: checked against the lower-cased text of a decoder's error.
_TRUNCATED = ("premature end", "truncated", "unexpected end", "end of file", "short read", "bad seek",
              "not enough data", "out of data", "read error on strip", "read error on tile", "eof")
_CORRUPT = ("corrupt", "crc", "huffman", "invalid", "incorrect", "bad ", "checksum", "inflate", "marker",
            "decompress", "error in", "unsupported", "wrong")

# libjpeg warnings that leave every pixel intact; any other warning means damaged pixels (libjpeg would
# paint them grey or smeared), so JPEGs decode with fail_on="warning" and fall back only for these.
# Stray bytes before a marker are skipped harmlessly, except before a restart marker (RST0-7, 0xd0-0xd7),
# which sits inside the scan data.
_HARMLESS_JPEG = re.compile(r"extraneous bytes before marker 0x(?!d[0-7])[0-9a-f]{2}|unknown jfif revision"
                            r"|invalid sos parameters for sequential|bad icc marker|inconsistent progression")

# The first bytes of the formats Darkslide reads, for telling a damaged photo from some other file.
_MAGIC = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"II*\0", "TIFF"), (b"MM\0*", "TIFF"),
          (b"II+\0", "TIFF"), (b"MM\0+", "TIFF"))
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"miaf", b"avif", b"avis")
_PNG_END = b"\0\0\0\0IEND\xaeB`\x82"


def detail_lines(exc: BaseException) -> list[str]:
    """The informative lines of a decoder's error ("unable to call X" says nothing to a user)."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return [ln for ln in lines if not ln.startswith("unable to")] or lines


def words(exc: BaseException) -> str:
    """What a decoder's error means for the photo, in words (the raw text is left to the caller)."""
    text = "\n".join(detail_lines(exc)).lower()
    if "out of memory" in text or "memory allocation" in text:
        return "there is not enough memory to decode it"
    if any(word in text for word in _TRUNCATED) and "corrupt" not in text:
        return "the file is truncated: it ends before the image data does"
    if any(word in text for word in _CORRUPT):
        return "the image data is corrupt, so parts of the photo cannot be decoded"
    return "the image data is damaged (truncated or corrupt) and cannot be decoded"


def png_words(path: Path) -> str:
    """libpng says only "read error"; the file's end tells a truncated PNG from a corrupt one."""
    try:
        fd = open_regular(path)
        try:
            whole = os.pread(fd, 12, max(0, os.fstat(fd).st_size - 12)) == _PNG_END
        finally:
            os.close(fd)
    except OSError:
        whole = True
    if not whole:
        return "the file is truncated: it ends before its end marker"
    return "the image data is corrupt (a checksum does not match or the compressed data is invalid)"


def only_harmless_jpeg_warnings(exc: BaseException) -> bool:
    """Whether every libjpeg complaint in `exc` is one that leaves the pixels intact."""
    lines = [ln.lower() for ln in str(exc).splitlines() if "vipsjpeg:" in ln.lower()]
    return bool(lines) and all(_HARMLESS_JPEG.search(ln) for ln in lines)


def sniff(head: bytes) -> str | None:
    """'JPEG', 'PNG', 'TIFF', 'WebP' or 'HEIF' when `head` (the first 16 bytes) starts like one."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None


def least_bytes(kind: str, width: int, height: int) -> int:
    """Fewest bytes a file of this kind declaring width x height can hold (0 where no bound is known).

    JPEG (Huffman-coded): each 8x8 block of the first component costs at least one bit in the DC scan,
    so width*height/512 bytes; half that is allowed. PNG: deflate compresses at most 1032:1 and each row
    holds at least one filter byte and one bit per pixel. WebP, HEIC and AVIF can code a flat image in a
    few bytes; their containers are checked instead (isobmff, libwebp's RIFF size check).
    """
    if kind == "jpeg":
        return width * height // 1024
    if kind == "png":
        return height * (1 + (width + 7) // 8) // 1032
    return 0


def jpeg_is_arithmetic(path: Path, markers: int = 64) -> bool:
    """True when the JPEG's frame header is SOF9..SOF15 (arithmetic coding, rare, and without the bound
    of `least_bytes`). Walks the marker segments before the frame header, reading 4 bytes per marker."""
    try:
        fd = open_regular(path)
    except OSError:
        return False
    try:
        pos = 2
        for _ in range(markers):
            head = os.pread(fd, 4, pos)
            if len(head) < 4 or head[0] != 0xFF:
                return False
            marker = head[1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # not DHT, JPG, DAC
                return marker >= 0xC9
            pos += 2 + int.from_bytes(head[2:4], "big")
        return False
    finally:
        os.close(fd)
