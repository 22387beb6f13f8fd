"""`darkslide install-desktop` and `darkslide setup-usb`: what they write, and that they ask first."""
from __future__ import annotations

import configparser
import shutil
import subprocess
import sys

import pytest
from defusedxml import ElementTree

from editor.cli import desktop


def test_install_writes_a_menu_entry_icon_and_appstream_data_and_uninstall_removes_them(tmp_path):
    written = desktop.install_desktop(tmp_path)
    entry_path = tmp_path / "applications" / f"{desktop.APP_ID}.desktop"
    assert entry_path in written and all(p.is_file() for p in written)
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(entry_path)
    section = entry["Desktop Entry"]
    assert section["Exec"].endswith(" %F") and "@EXEC@" not in section["Exec"]
    assert section["Icon"] == desktop.APP_ID and "Photography" in section["Categories"]
    icon = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / f"{desktop.APP_ID}.svg"
    assert ElementTree.parse(icon).getroot().tag.endswith("svg")
    meta = ElementTree.parse(tmp_path / "metainfo" / f"{desktop.APP_ID}.metainfo.xml").getroot()
    assert meta.findtext("id") == desktop.APP_ID and meta.find("launchable").text == entry_path.name
    if shutil.which("desktop-file-validate"):  # freedesktop's own checker, when installed
        result = subprocess.run(["desktop-file-validate", str(entry_path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    if shutil.which("appstreamcli"):  # AppStream's own validator, when installed
        result = subprocess.run(["appstreamcli", "validate", "--no-net",
                                 str(tmp_path / "metainfo" / f"{desktop.APP_ID}.metainfo.xml")],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(desktop.uninstall_desktop(tmp_path)) == sorted(written)
    assert not any(p.exists() for p in written)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="udev is Linux only")
def test_setup_usb_shows_the_rule_and_changes_nothing_unless_the_user_agrees(capsys):
    calls = []
    run = lambda step: calls.append(step) or subprocess.CompletedProcess(step, 0)  # noqa: E731
    assert desktop.setup_usb(["12d1"], yes=False, ask=lambda _q: "n", run=run) == 1
    assert calls == [] and 'ATTR{idVendor}=="12d1"' in capsys.readouterr().out
    rule = {}

    def install(step):
        if "install" in step:
            rule["text"] = open(step[-2]).read()
        return run(step)
    assert desktop.setup_usb(["12d1", "18d1"], yes=False, ask=lambda _q: "y", run=install) == 0
    assert [c[-1] for c in calls] == [str(desktop.RULE_FILE), "--reload-rules", "trigger"]
    assert rule["text"].count('TAG+="uaccess"') == 2 and "Huawei" in rule["text"]


def test_a_vendor_id_that_is_not_four_hex_digits_is_refused(capsys):
    import argparse
    assert desktop.run_usb(argparse.Namespace(vendor=["12d1x"], yes=True)) == 2
    assert "4 hex digits" in capsys.readouterr().err
