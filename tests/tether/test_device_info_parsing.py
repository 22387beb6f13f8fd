"""Parsers for what real phones print (samples shaped like EMUI 10 / toybox output)."""
from __future__ import annotations

from tether.device_info import parse_battery, parse_df, parse_getprop

GETPROP = "[ro.product.model]: [ELS-NX9]\r\n[ro.build.version.release]: [10]\r\n[persist.sys.locale]: [en-GB]\r\nnoise\r\n"
BATTERY = """Current Battery Service state:
  AC powered: true
  USB powered: false
  Wireless powered: false
  status: 2
  level: 174
  scale: 200
"""
DF = """Filesystem                 1K-blocks     Used Available Use% Mounted on
/dev/block/dm-7              9076416  9046400     13632 100% /
/data/media                239068120 41011232 197925272  18% /storage/emulated
"""


def test_getprop_handles_pty_line_endings():
    props = parse_getprop(GETPROP)
    assert props == {"ro.product.model": "ELS-NX9", "ro.build.version.release": "10", "persist.sys.locale": "en-GB"}


def test_battery_scales_level_and_detects_charging():
    assert parse_battery(BATTERY) == (87, True)
    assert parse_battery("  level: 50\n  AC powered: false\n  USB powered: false\n  status: 3\n") == (50, False)
    assert parse_battery("garbage") == (None, None)


def test_df_takes_the_storage_line():
    assert parse_df(DF) == (239068120 * 1024, 197925272 * 1024)
    assert parse_df("") == (None, None)
