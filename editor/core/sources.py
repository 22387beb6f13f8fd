"""Opening photos: header-only `open_photo`, then previews, a fast draft and the full image on demand.

Every image handed out is in the working space the pipeline expects: sRGB-encoded (IEC 61966-2-1),
3 bands, uchar for 8-bit sources and ushort for 16-bit ones (16-bit TIFF/PNG, 10-bit HEIC, DNG),
upright (EXIF orientation applied exactly once), alpha flattened onto white, grey expanded to RGB,
embedded ICC profiles (e.g. Display P3 from phones) converted with relative colorimetric intent and
replaced by libvips' sRGB profile.

JPEG, PNG, TIFF, WebP and AVIF are read by libvips. HEIC (HEVC) is decoded by pillow-heif because the
libvips wheel has no HEVC decoder; DNG is demosaiced by rawpy (LibRaw) with the camera white balance.
Files are sniffed by content, not by name (except DNG, which is a TIFF and is recognised by suffix).
"""
from __future__ import annotations

import os
import zlib
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Lock
from typing import Iterable, Iterator

import numpy as np
import pyvips

from editor.core import damage, isobmff
from editor.core.files import NotRegularFile, open_regular
from editor.core.icc import convert_to_srgb, needs_conversion, srgb_profile

MAX_PIXELS = 250_000_000  # decompression-bomb guard: refuse headers above 250 MP before decoding
PREVIEW_CACHE = 3  # in-memory previews kept per Photo (distinct sizes)
DRAFT_SHRINK = 8  # JPEG shrink-on-load factor for the first paint
# Library thumbnails of JPEGs shrink on load while this much is left for the lanczos reduce after it.
# libvips' `thumbnail` leaves 2x, so a 4000 px photo at 256 px decodes at 1/4 (1000 px) and costs ~20 %
# more than at 1/8 (500 px). Against a full decode reduced to the same size, 1.5x left (the least) still
# measures 46 dB PSNR on a sample photo, where libvips' thumbnail gives 51: no difference a grid cell shows.
THUMB_MARGIN = 1.5

_LOADERS = {"jpegload": "jpeg", "pngload": "png", "tiffload": "tiff", "webpload": "webp", "heifload": "heif"}
RAW_SUFFIXES = {".dng"}
_UNBOUNDED = 10_000_000  # libvips' largest coordinate: "no limit" for one side of a thumbnail box


class PhotoError(Exception):
    """A photo that cannot be opened or decoded; the message names the file and says what is wrong in
    words, and the decoder's own text (if any) follows in brackets as detail."""


def _fail(path: Path, what: str, exc: BaseException | None = None) -> PhotoError:
    detail = ""
    if exc is not None:
        lines = damage.detail_lines(exc)
        detail = f" ({'; '.join(lines[:3])})" if lines else f" ({type(exc).__name__})"
    return PhotoError(f"{path}: {what}{detail}")


# ---------------------------------------------------------------------------------------------- working space

def to_working(image: pyvips.Image, icc: bytes | None = None, keep_profile: bool = False) -> pyvips.Image:
    """`image` (any band layout, uchar/ushort/float) converted into the working space (lazy).

    `icc` is the source profile; when None the one embedded in `image` is used, and none means sRGB.
    With `keep_profile`, RGB pixels in a profile other than sRGB keep their values and carry that profile:
    `fused.apply` converts them into sRGB as part of the look's transform, one pass over the pixels
    instead of two (for export and 1:1 views; everything else wants sRGB values).
    """
    if icc is None and image.get_typeof("icc-profile-data"):
        icc = bytes(image.get("icc-profile-data"))
    sixteen = image.format not in ("uchar", "char")
    if image.format not in ("uchar", "ushort"):
        image = _to_ushort(image)
    if image.hasalpha():
        image = image.flatten(background=[65535 if sixteen else 255] * (image.bands - 1))
    kept = None
    if image.interpretation in ("cmyk",) or image.bands == 4:
        image = image.icc_transform("srgb", input_profile="cmyk", embedded=icc is not None,
                                    intent="relative", depth=16 if sixteen else 8)
    elif icc is not None and keep_profile and image.bands >= 3 and needs_conversion(icc):
        kept = icc  # converted within the look's transform (fused.apply)
    elif icc is not None:
        image = convert_to_srgb(image, icc)
    if image.bands < 3:
        image = image.bandjoin([image, image])
    image = image.copy(interpretation="rgb16" if sixteen else "srgb")
    image.set_type(pyvips.GValue.blob_type, "icc-profile-data", kept or srgb_profile())
    return image


def _to_ushort(image: pyvips.Image) -> pyvips.Image:
    """Non-uchar/ushort sources (float or 32-bit TIFF) as ushort: floats are assumed 0..1."""
    if image.format in ("float", "double", "complex", "dpcomplex"):
        return (image * 65535).cast("ushort")
    return image.cast("ushort")


def _orientation(image: pyvips.Image) -> int:
    if image.get_typeof("orientation"):
        try:
            value = int(image.get("orientation"))
        except (TypeError, ValueError):
            return 1
        return value if 1 <= value <= 8 else 1
    return 1


def _blob(image: pyvips.Image, name: str) -> bytes | None:
    return bytes(image.get(name)) if image.get_typeof(name) else None


def _fit(width: int, height: int, long_edge: int) -> tuple[int, int]:
    """(w, h) fitted so the long edge is at most `long_edge` (never upscaled)."""
    scale = min(1.0, long_edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def resize_to(image: pyvips.Image, width: int, height: int) -> pyvips.Image:
    """`image` resized to exactly width x height (lanczos3), keeping its band format."""
    if (image.width, image.height) == (width, height):
        return image
    out = image.resize(width / image.width, vscale=height / image.height, kernel="lanczos3")
    if (out.width, out.height) != (width, height):  # rounding: trim or pad the last row/column
        out = out.gravity("north-west", width, height, extend="copy")
    return out


# ---------------------------------------------------------------------------------------------- the photo

class Photo:
    """An opened photo. Only the header has been read; pixels are decoded on demand.

    width/height are the upright full-resolution size in pixels.
    """

    def __init__(self, path: Path, width: int, height: int, format: str, exif: bytes | None,
                 icc: bytes | None, orientation: int = 1, sixteen: bool = False):
        self.path = path
        self.sixteen = sixteen  # decodes to ushort
        self.width, self.height = width, height
        self.format = format
        self.exif, self.icc = exif, icc
        self.orientation = orientation  # EXIF orientation of the stored pixels (1 once decoded upright)
        self.seed = zlib.crc32(path.name.encode("utf-8")) & 0x7FFFFFFF  # libvips takes a signed 32-bit seed
        # libvips' strictness: any libjpeg warning fails a JPEG (see damage.py); other
        # loaders warn about harmless metadata (PNG's "known incorrect sRGB profile"), so errors only.
        self.fail_on = "warning" if format == "jpeg" else "error"
        self._previews: OrderedDict[int, pyvips.Image] = OrderedDict()
        self._lock = Lock()

    def __repr__(self) -> str:
        return f"Photo({str(self.path)!r}, {self.width}x{self.height}, {self.format})"

    # -- public API
    def preview(self, long_edge: int) -> pyvips.Image:
        """Working-space image whose long edge is `long_edge` px (never upscaled), decoded into memory.

        One copy per size is cached (small LRU), so repeated renders don't decode again.
        """
        long_edge = int(long_edge)
        with self._lock:
            if long_edge in self._previews:
                self._previews.move_to_end(long_edge)
                return self._previews[long_edge]
        image = self._decode(lambda: self.scaled(long_edge).copy_memory(), "cannot decode")
        with self._lock:
            self._previews[long_edge] = image
            while len(self._previews) > PREVIEW_CACHE:
                self._previews.popitem(last=False)
        return image

    def draft(self) -> pyvips.Image:
        """The quickest decent first paint (in memory): JPEG shrink-on-load by 8, embedded DNG/HEIC
        thumbnails, otherwise a small preview."""
        return self._decode(lambda: self._draft().copy_memory(), "cannot decode")

    def full(self, sequential: bool = False, keep_profile: bool = False) -> pyvips.Image:
        """Working-space full-resolution upright image, lazy. Errors while pixels flow raise pyvips.Error.

        `sequential` streams the file top to bottom with little memory (export without geometry edits);
        anything that reads out of order (rotation, straightening) needs the default random access.
        `keep_profile`: see `to_working` (for `pipeline.render`, which converts within the look).
        """
        return self._decode(lambda: self._full(sequential, keep_profile), "cannot decode")

    def small(self, long_edge: int) -> pyvips.Image:
        """A library thumbnail, long edge `long_edge` px, decoded into memory (not cached): for JPEGs a
        deeper shrink-on-load than a preview's (see THUMB_MARGIN)."""
        return self._decode(lambda: self._small(int(long_edge)).copy_memory(), "cannot decode")

    def scaled(self, long_edge: int) -> pyvips.Image:
        """Lazy working-space image with its long edge `long_edge` px via shrink-on-load (not cached)."""
        return self._decode(lambda: self._scaled(int(long_edge)), "cannot decode")

    def damage_words(self, exc: BaseException) -> str:
        """What a decoder's error means for this photo, in words."""
        return damage.png_words(self.path) if self.format == "png" else damage.words(exc)

    def forgive(self, exc: BaseException) -> bool:
        """True (and decode less strictly from now on) when `exc` is only a harmless libjpeg warning,
        so the caller can try again."""
        if self.fail_on == "warning" and damage.only_harmless_jpeg_warnings(exc):
            self.fail_on = "error"
            return True
        return False

    def scale_of(self, image: pyvips.Image) -> float:
        """Rendered pixels per full-resolution pixel of `image` (for RenderContext.scale)."""
        return image.width / self.width

    # -- per-format decoding, overridden below
    def _scaled(self, long_edge: int) -> pyvips.Image:
        w, h = _fit(self.width, self.height, long_edge)
        if self.sixteen:  # libvips' thumbnail would reduce to 8 bits; PNG/TIFF have no shrink-on-load anyway
            return resize_to(self._full(), w, h)
        # Constrain only the long edge: a w x h box could cost the long edge a pixel to rounding.
        box = (w, _UNBOUNDED) if self.width >= self.height else (_UNBOUNDED, h)
        image = pyvips.Image.thumbnail(str(self.path), box[0], height=box[1], size="down", no_rotate=False,
                                       fail_on=self.fail_on)
        return to_working(image, self.icc)

    def _small(self, long_edge: int) -> pyvips.Image:
        if self.format != "jpeg":
            return self._scaled(long_edge)
        w, h = _fit(self.width, self.height, long_edge)
        wanted = THUMB_MARGIN * max(w, h)
        shrink = next(s for s in (8, 4, 2, 1) if s == 1 or max(self.width, self.height) / s >= wanted)
        return to_working(resize_to(self._jpeg_shrunk(shrink), w, h), self.icc)

    def _jpeg_shrunk(self, shrink: int) -> pyvips.Image:
        """The JPEG decoded at 1/`shrink` of its size (libjpeg's DCT scaling), upright."""
        return pyvips.Image.jpegload(str(self.path), shrink=shrink, fail_on=self.fail_on).autorot()

    def _draft(self) -> pyvips.Image:
        if self.format == "jpeg":
            return to_working(self._jpeg_shrunk(DRAFT_SHRINK), self.icc)
        return self._scaled(max(1, max(self.width, self.height) // DRAFT_SHRINK))

    def _full(self, sequential: bool = False, keep_profile: bool = False) -> pyvips.Image:
        # EXIF rotation reads out of order too, so only upright files can stream.
        access = "sequential" if sequential and self.orientation == 1 else "random"
        image = pyvips.Image.new_from_file(str(self.path), access=access, fail_on=self.fail_on)
        return to_working(image.autorot(), self.icc, keep_profile)

    def _decode(self, fn, what: str):
        try:
            return fn()
        except pyvips.Error as exc:
            if self.forgive(exc):
                return self._decode(fn, what)
            raise _fail(self.path, f"{what}: {self.damage_words(exc)}", exc) from exc
        except MemoryError as exc:
            raise _fail(self.path, f"{what}: there is not enough memory to decode it", exc) from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise _fail(self.path, f"{what}: {damage.words(exc)}", exc) from exc


class HeifPhoto(Photo):
    """HEIC/HEIF decoded by pillow-heif (libheif applies the container's rotation; EXIF says 1)."""

    def _heif(self, thumbnail: bool = False):
        import pillow_heif
        heif = pillow_heif.open_heif(str(self.path), convert_hdr_to_8bit=False)
        if thumbnail:
            primary = heif[heif.primary_index]
            sizes = primary.info.get("thumbnails") or []
            return primary.get_thumbnail(sizes.index(max(sizes))) if sizes else None
        return heif

    def _pixels(self, heif) -> pyvips.Image:
        mode, (w, h) = heif.mode, heif.size
        bands = 4 if mode.startswith("RGBA") else 3 if mode.startswith("RGB") else 1
        sixteen = ";" in mode  # "RGB;16", "RGBA;16" ... hold 10/12-bit data scaled to 16 bits
        dtype = np.dtype("<u2") if sixteen else np.dtype(np.uint8)
        row = w * bands * dtype.itemsize
        data = np.frombuffer(heif.data, dtype=np.uint8).reshape(h, heif.stride)[:, :row]
        array = np.ascontiguousarray(data).view(dtype).reshape(h, w, bands)
        image = pyvips.Image.new_from_array(array)
        return image.copy(interpretation=("rgb16" if bands >= 3 else "grey16") if sixteen
                          else ("srgb" if bands >= 3 else "b-w"))

    def _full(self, sequential: bool = False, keep_profile: bool = False) -> pyvips.Image:
        return to_working(self._pixels(self._heif()), self.icc, keep_profile)

    def _scaled(self, long_edge: int) -> pyvips.Image:
        w, h = _fit(self.width, self.height, long_edge)
        return resize_to(self._full(), w, h)

    def _same_shape(self, size: tuple[int, int]) -> bool:
        """A thumbnail with the photo's aspect (and orientation) within a pixel of rounding."""
        tw, th = size
        return abs(tw * self.height / self.width - th) <= 1.5

    def _draft(self) -> pyvips.Image:
        thumb = self._heif(thumbnail=True)
        if thumb is None or not self._same_shape(thumb.size):  # a thumbnail must not paint sideways
            return self._scaled(max(1, max(self.width, self.height) // DRAFT_SHRINK))
        return to_working(self._pixels(thumb), self.icc)


class RawPhoto(Photo):
    """DNG demosaiced by rawpy with the camera white balance into 16-bit sRGB; drafts from the
    embedded JPEG preview."""

    def _develop(self, half_size: bool) -> pyvips.Image:
        import rawpy
        with rawpy.imread(str(self.path)) as raw:
            rgb = raw.postprocess(use_camera_wb=True, output_bps=16, half_size=half_size,
                                  output_color=rawpy.ColorSpace.sRGB, no_auto_bright=True)
        image = pyvips.Image.new_from_array(np.ascontiguousarray(rgb)).copy(interpretation="rgb16")
        return to_working(image, None)

    def _full(self, sequential: bool = False, keep_profile: bool = False) -> pyvips.Image:
        return self._develop(half_size=False)  # LibRaw develops into sRGB

    def _decode(self, fn, what: str):
        import rawpy
        try:
            return super()._decode(fn, what)
        except rawpy.LibRawIOError as exc:  # LibRaw's text is only "Input/output error"
            raise _fail(self.path, f"{what}: the raw data is truncated or unreadable", exc) from exc
        except rawpy.LibRawError as exc:
            raise _fail(self.path, f"{what}: the raw data is corrupt", exc) from exc

    def _scaled(self, long_edge: int) -> pyvips.Image:
        w, h = _fit(self.width, self.height, long_edge)
        half = w * 2 <= self.width  # half-size demosaic is 4x faster and still big enough
        return resize_to(self._develop(half_size=half), w, h)

    def _draft(self) -> pyvips.Image:
        import rawpy
        try:
            with rawpy.imread(str(self.path)) as raw:
                thumb, flip = raw.extract_thumb(), raw.sizes.flip
        except (rawpy.LibRawError, OSError):
            thumb = None
        if thumb is None or thumb.format != rawpy.ThumbFormat.JPEG:
            return self._scaled(max(1, max(self.width, self.height) // DRAFT_SHRINK))
        image = pyvips.Image.new_from_buffer(thumb.data, "", fail_on="error")
        image = _libraw_flip(image.autorot(), flip)
        return to_working(image, None)


def _libraw_flip(image: pyvips.Image, flip: int) -> pyvips.Image:
    """Apply LibRaw's `sizes.flip` (0 none, 3 180 deg, 5 90 deg CCW, 6 90 deg CW) to an unrotated thumb."""
    return {3: image.rot180, 5: image.rot270, 6: image.rot90}.get(flip, lambda: image)()


# ---------------------------------------------------------------------------------------------- opening

def open_photo(path) -> Photo:
    """Read `path`'s header (no pixels) and return a Photo; raises PhotoError naming the file.

    Only a regular file is opened (a FIFO named x.jpg would block for ever), and before any decoding
    the header is checked against the data: the declared size must fit the file (see `_check_data`).
    """
    path = Path(path)
    head = _check_file(path)
    if path.suffix.lower() in RAW_SUFFIXES:
        return _open_raw(path)
    try:
        header = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="error")
    except pyvips.Error as exc:
        kind = damage.sniff(head)
        if kind is not None:  # e.g. a TIFF cut before its directory, which libvips then does not know
            raise _fail(path, f"cannot read the {kind} header: the file is truncated or corrupt", exc) from exc
        if "known file format" in str(exc) or "not a known" in str(exc):
            raise _fail(path, "not a supported image (JPEG, PNG, TIFF, WebP, AVIF, HEIC or DNG)") from exc
        raise _fail(path, "cannot read the image header: the file is truncated or corrupt", exc) from exc
    loader = header.get("vips-loader") if header.get_typeof("vips-loader") else ""
    kind = _LOADERS.get(loader.removesuffix("_source").removesuffix("_buffer"))
    if kind is None:
        raise _fail(path, f"not a supported image (JPEG, PNG, TIFF, WebP, AVIF, HEIC or DNG; libvips "
                          f"reads it with {loader or 'an unknown loader'})")
    return _from_header(path, header, kind)


def _check_file(path: Path) -> bytes:
    """The first 16 bytes of `path`, after refusing anything but a non-empty regular file."""
    try:
        fd = open_regular(path)
        try:
            head = os.read(fd, 16)
            if damage.sniff(head) == "HEIF":
                isobmff.check(fd)
        finally:
            os.close(fd)
    except isobmff.Damaged as exc:
        raise PhotoError(f"{path}: {exc}") from None
    except NotRegularFile as exc:
        raise PhotoError(f"{path}: {exc}") from None
    except FileNotFoundError:
        raise PhotoError(f"{path}: no such file") from None
    except OSError as exc:
        raise PhotoError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    if not head:
        raise PhotoError(f"{path}: the file is empty")
    return head


def _check_size(path: Path, width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise PhotoError(f"{path}: the header declares an empty image ({width}x{height})")
    if width * height > MAX_PIXELS:
        raise PhotoError(f"{path}: {width}x{height} is {width * height / 1e6:.0f} MP, above the "
                         f"{MAX_PIXELS / 1e6:.0f} MP limit (refusing to decode a possible decompression bomb)")


def _check_data(path: Path, kind: str, width: int, height: int) -> None:
    """Refuse a header whose declared size the file's data cannot possibly fill (a cut or forged file:
    decoding it would paint a huge grey or black image). See damage.least_bytes."""
    least = damage.least_bytes(kind, width, height)
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size < least and not (kind == "jpeg" and damage.jpeg_is_arithmetic(path)):
        raise PhotoError(f"{path}: the header declares {width}x{height} pixels, which needs at least "
                         f"{least:,} bytes of {kind.upper()} data, but the file holds {size:,} bytes: "
                         f"it is truncated or its header is corrupt")


def _from_header(path: Path, header: pyvips.Image, kind: str) -> Photo:
    width, height = header.width, header.height
    _check_size(path, width, height)
    _check_data(path, kind, width, height)
    exif, icc = _blob(header, "exif-data"), _blob(header, "icc-profile-data")
    if kind == "heif":
        compression = header.get("heif-compression") if header.get_typeof("heif-compression") else "hevc"
        if compression == "av1":
            return Photo(path, width, height, "avif", exif, icc, 1)  # libvips decodes AV1 itself
        return _open_heic(path)
    orientation = _orientation(header)
    if orientation >= 5:
        width, height = height, width
    return Photo(path, width, height, kind, exif, icc, orientation, header.format not in ("uchar", "char"))


def _open_heic(path: Path) -> Photo:
    import pillow_heif
    try:
        heif = pillow_heif.open_heif(str(path), convert_hdr_to_8bit=False)
        width, height = heif.size
        info = heif.info
    except (ValueError, RuntimeError, OSError, SyntaxError) as exc:
        raise _fail(path, "cannot read the HEIC header", exc) from exc
    _check_size(path, width, height)
    return HeifPhoto(path, width, height, "heic", info.get("exif"), info.get("icc_profile") or None, 1)


def _open_raw(path: Path) -> Photo:
    import rawpy
    try:
        with rawpy.imread(str(path)) as raw:
            sizes = raw.sizes
            width, height = sizes.width, sizes.height  # LibRaw's output size before flipping
            flip = sizes.flip
    except (rawpy.LibRawError, OSError, ValueError) as exc:
        raise _fail(path, "cannot read the raw file", exc) from exc
    if flip in (5, 6):
        width, height = height, width
    _check_size(path, width, height)
    exif = None
    try:
        exif = _blob(pyvips.Image.new_from_file(str(path), access="sequential"), "exif-data")
    except pyvips.Error:
        pass  # DNG EXIF is a nicety; LibRaw could read the pixels
    return RawPhoto(path, width, height, "dng", exif, None, 1)


def thumbnail(path, size: int) -> pyvips.Image:
    """A library thumbnail in the working space, long edge `size` px, decoded; raises PhotoError."""
    return open_photo(path).small(size)


def thumbnails(paths: Iterable, size: int, workers: int = 2) -> Iterator[tuple[Path, pyvips.Image | PhotoError]]:
    """(path, thumbnail or PhotoError) for many files, in order, `workers` at a time.

    libvips decodes one JPEG on one core, so two side by side use two cores (measured ~1.7x faster in
    bench/bench_engine.py). Work is submitted in small windows so a huge folder is not held in memory.
    """
    def one(path):
        try:
            return thumbnail(path, size)
        except PhotoError as exc:
            return exc

    paths = [Path(p) for p in paths]
    window = max(1, workers) * 4
    with ThreadPoolExecutor(max(1, workers)) as pool:
        for start in range(0, len(paths), window):
            chunk = paths[start:start + window]
            yield from zip(chunk, pool.map(one, chunk))
