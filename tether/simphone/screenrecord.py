"""`screenrecord --output-format=h264 -`: the phone's screen as a raw H.264 Annex-B stream on stdout.

Like AOSP frameworks/av/cmds/screenrecord: stops at --time-limit (default and maximum 180 s),
honours --size WxH and --bit-rate (plain bits per second or with a K/M suffix), and produces a frame
only while the display is on. Encoded here with PyAV's libx264 (ultrafast, zerolatency: no B-frames,
so decode order is display order and each frame is written as soon as it is encoded). The default
size is 720 pixels wide at the screen's aspect ratio.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from fractions import Fraction

from .result import Result

MAX_TIME_LIMIT_S = 180  # screenrecord.cpp kMaxTimeLimitSec
DEFAULT_BIT_RATE = 20_000_000  # screenrecord.cpp gBitRate (20 Mbps in current AOSP; 4 Mbps in older ones)
DEFAULT_WIDTH = 720
_recording_ids = itertools.count(1)


@dataclass(frozen=True)
class RecordOptions:
    width: int
    height: int
    bit_rate: int
    time_limit_s: float


def _bit_rate(text: str) -> int | None:
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    digits = text[:-1] if scale != 1 else text
    return int(float(digits) * scale) if digits.replace(".", "", 1).isdigit() else None


def _split_options(args: list[str]) -> dict[str, str]:
    """--name=value and --name value, as getopt_long accepts them; bare words under "" (the output)."""
    options, it = {}, iter(args)
    for arg in it:
        if arg.startswith("--"):
            name, sep, value = arg[2:].partition("=")
            if not sep and name not in ("verbose", "bugreport", "rotate"):
                value = next(it, "")
            options[name] = value
        else:
            options[""] = arg
    return options


def parse_args(args: list[str], phone) -> tuple[RecordOptions | None, str]:
    """(options, "") or (None, the error screenrecord prints)."""
    opts = _split_options(args)
    if opts.get("output-format") != "h264" or opts.get("") != "-":
        return None, "The simulated phone records only --output-format=h264 to stdout (-).\n"
    sw, sh = phone.screen_size
    width, height = DEFAULT_WIDTH, round(DEFAULT_WIDTH * sh / sw / 2) * 2
    if "size" in opts:
        w, _, h = opts["size"].partition("x")
        if not (w.isdigit() and h.isdigit()) or int(w) < 2 or int(h) < 2:
            return None, f"Invalid size '{opts['size']}', must be width x height\n"
        width, height = int(w) // 2 * 2, int(h) // 2 * 2
    bit_rate = _bit_rate(opts.get("bit-rate", str(DEFAULT_BIT_RATE)))
    if bit_rate is None or not 100_000 <= bit_rate <= 200_000_000:
        return None, f"Invalid bit rate '{opts.get('bit-rate')}'\n"
    limit = opts.get("time-limit", str(MAX_TIME_LIMIT_S))
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_TIME_LIMIT_S:
        return None, f"Time limit {limit}s outside acceptable range [1,{MAX_TIME_LIMIT_S}]\n"
    return RecordOptions(width, height, bit_rate, float(limit)), ""


MARK_BITS = 16


def mark_frame(rgb, number: int) -> None:
    """Draw the frame number as 16 black/white blocks along the top edge (bit 0 leftmost, blocks 32 px at
    720 wide), so a decoder can tell which frame it shows and look its time up in phone.frame_times."""
    block = max(2, rgb.shape[1] * 32 // 720)
    for bit in range(MARK_BITS):
        rgb[:block, bit * block:(bit + 1) * block] = 255 if number >> bit & 1 else 0


def read_mark(rgb) -> int:
    """The number mark_frame() drew, from a decoded RGB frame of the same width."""
    block = max(2, rgb.shape[1] * 32 // 720)
    return sum(1 << bit for bit in range(MARK_BITS) if rgb[block // 2, bit * block + block // 2].mean() > 127)


def _encoder(options: RecordOptions, fps: float):
    import av  # imported here: only a phone asked to record needs PyAV
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height, codec.pix_fmt = options.width, options.height, "yuv420p"
    codec.time_base = Fraction(1, 1000)
    codec.framerate = Fraction(round(fps * 1000), 1000)
    codec.bit_rate = options.bit_rate
    codec.thread_count = 1  # the phone's encoder is hardware; here it must not take both cores
    codec.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(int(fps * 10))}  # I-frame every 10 s
    return codec


def record(phone, options: RecordOptions):
    """A generator of Annex-B chunks, one per encoded frame; ends at the time limit, when the host
    closes the stream (the write raises and the generator is closed) or when the phone stops."""
    import av
    codec = _encoder(options, phone.profile.screenrecord_fps)
    recording = next(_recording_ids)
    period = 1.0 / phone.profile.screenrecord_fps
    started = time.monotonic()
    index = 0
    while not phone.stopping.is_set():
        now = time.monotonic()
        if now - started >= options.time_limit_s:
            break
        if not phone.screen.awake:  # a dark display composes nothing, so the encoder gets nothing
            phone.stopping.wait(period)
            continue
        rgb = phone.screen_frame(options.width, options.height)
        if phone.mark_frames:
            mark_frame(rgb, index)
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame = frame.reformat(format="yuv420p")
        frame.pts = int((now - started) * 1000)
        data = b"".join(bytes(p) for p in codec.encode(frame))
        phone.frame_times.append((recording, index, now))
        index += 1
        if data:
            yield data
        phone.stopping.wait(max(0.0, started + index * period - time.monotonic()))
    tail = b"".join(bytes(p) for p in codec.encode(None))
    if tail:
        yield tail
    return Result()
