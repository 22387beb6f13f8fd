"""The `tether` command end to end against a simulated phone, stopped the way Ctrl-C would."""
from __future__ import annotations

import argparse
import threading

import pytest

from tether import cli
from test_helpers import wait_for


def test_cli_run_prints_device_captures_and_summary(phone, host_key, tmp_path):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["--tcp", f"127.0.0.1:{phone.port}", "--session", "cli", "--out", str(tmp_path),
                              "--key", str(host_key), "--poll", "0.05", "--look", "M-Mono"])
    lines, hooked, stop = [], [], threading.Event()
    thread = threading.Thread(target=lambda: hooked.append(cli.run(args, on_capture=lambda c: hooked.append(c),
                                                                   stop=stop, out=lines.append)))
    thread.start()
    try:
        wait_for(lambda: any(line.startswith("Watching") for line in lines), "the command to say it is watching")
        shots = [phone.shoot() for _ in range(2)]
        wait_for(lambda: len(hooked) >= 2, "both captures to reach the hook")
    finally:
        stop.set()
    thread.join(30)
    assert not thread.is_alive(), "the command ends once stopped (and has printed its summary)"
    text = "\n".join(lines)
    assert "Connected: HUAWEI ELS-NX9" in text and "Android 10" in text
    assert "cli_0001.jpg" in text and "cli_0002.jpg" in text
    assert "Session cli: 2 captures" in text
    assert hooked[-1] == 0 and all(c.extra["look"] == "M-Mono" for c in hooked[:2])
    assert sorted(p.name for p in (tmp_path / "cli").glob("*.jpg")) == ["cli_0001.jpg", "cli_0002.jpg"]
    assert len(shots) == 2


def test_cli_reports_unreachable_phone(host_key, tmp_path):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["--tcp", "127.0.0.1:1", "--session", "x", "--out", str(tmp_path), "--key", str(host_key)])
    lines = []
    assert cli.run(args, out=lines.append) == 2
    assert any("refused" in line for line in lines)


def test_cli_intervalometer_reports_shutter_latency(phone, host_key, tmp_path):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["--tcp", f"127.0.0.1:{phone.port}", "--session", "tl", "--out", str(tmp_path),
                              "--key", str(host_key), "--poll", "0.05", "--trigger-every", "0.5"])
    lines, stop = [], threading.Event()
    thread = threading.Thread(target=lambda: cli.run(args, stop=stop, out=lines.append))
    thread.start()
    try:
        wait_for(lambda: sum("from shutter" in line for line in lines) >= 2, "two shutter latencies reported")
    finally:
        stop.set()
    thread.join(30)
    assert not thread.is_alive(), "the command ends once stopped"
    assert "input keyevent 27" in phone.commands


def test_cli_list_usb_and_missing_session(tmp_path):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    lines = []
    assert cli.run(parser.parse_args(["--list-usb"]), out=lines.append) in (0, 1) and lines
    assert cli.run(parser.parse_args(["--tcp", "127.0.0.1:1"]), out=lines.append) == 2
    assert "--session" in lines[-1]


@pytest.mark.parametrize("folders", ["DCIM/Camera", "/sdcard/DCIM/../../data", "/sdcard/\x1b[2J"])
def test_cli_refuses_camera_folders_that_would_ask_the_phone_for_something_else(tmp_path, folders):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    lines = []
    args = parser.parse_args(["--tcp", "127.0.0.1:1", "--session", "s", "--out", str(tmp_path), "--folders", folders])
    assert cli.run(args, out=lines.append) == 2
    assert lines[-1].startswith("Error: Camera folder") and not any("Connecting" in line for line in lines)
