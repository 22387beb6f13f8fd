"""The simulated phone's adbd features, byte for byte over a raw socket: the banner's v2 features, shell
protocol v2 framing (AOSP shell_protocol.h), STA2/LST2/LIS2 (file_sync_protocol.h) and the STLS reply of a
Wireless debugging phone; plain `shell:` keeps working for adb-shell."""
from __future__ import annotations

import errno
import os
import stat
import struct

import pytest

from tether import adbproto as p
from tether.simphone.sync_service import DENT_V2, STAT_V2

from phone_model_host import Host, shell_packets

CAMERA = "/sdcard/DCIM/Camera"


@pytest.fixture
def host(phone, host_key):
    h = Host(phone.port, host_key).login()
    yield h
    h.close()


def test_banner_advertises_the_v2_features(host):
    _, props = p.parse_banner(host.cnxn.data)
    assert {"shell_v2", "cmd", "stat_v2", "ls_v2"} <= set(props["features"].split(","))


def test_shell_v2_separates_stdout_stderr_and_sends_the_exit_code(phone, host):
    (phone.folder / "a.jpg").write_bytes(b"x" * 7)
    packets = shell_packets(host.run(f"shell,v2,TERM=xterm-256color,raw:ls {CAMERA}/a.jpg {CAMERA}/none.jpg"))
    kinds = [k for k, _ in packets]
    assert kinds[-1] == 3 and packets[-1][1] == b"\x01"  # exit packet: one byte, status 1
    stdout = b"".join(d for k, d in packets if k == 1)
    stderr = b"".join(d for k, d in packets if k == 2)
    assert stdout == f"{CAMERA}/a.jpg\n".encode() and b"none.jpg: No such file" in stderr
    unknown = shell_packets(host.run("shell,v2,raw:frobnicate"))
    assert unknown[-1] == (3, bytes([127])) and b"frobnicate: inaccessible or not found" in unknown[0][1]
    ok = shell_packets(host.run("shell,v2,raw:echo hi"))
    assert ok == [(1, b"hi\n"), (3, b"\x00")]


def test_shell_v2_ignores_stdin_and_window_packets(host):
    stdin = struct.pack("<BI", 0, 3) + b"abc" + struct.pack("<BI", 5, 11) + b"24x80,0x0\0\0" + struct.pack("<BI", 4, 0)
    assert shell_packets(host.run("shell,v2,raw:echo ok", stdin=stdin)) == [(1, b"ok\n"), (3, b"\x00")]


def test_v1_shell_is_raw_on_a_current_phone_and_pty_on_the_fast_profile(make_phone, host_key):
    realistic = make_phone(profile="realistic", trusted_keys=[host_key], roll=0)
    fast = make_phone(profile="fast", trusted_keys=[host_key])
    assert Host(realistic.port, host_key).login().run("shell:echo hi") == b"hi\n"
    assert Host(fast.port, host_key).login().run("shell:echo hi") == b"hi\r\n"
    assert Host(realistic.port, host_key).login().run("shell,pty:echo hi") == b"hi\r\n"


def test_legacy_phone_refuses_v2_services(make_phone, host_key):
    from tether.simphone.phone import LEGACY_FEATURES
    phone = make_phone(trusted_keys=[host_key], features=LEGACY_FEATURES)
    host = Host(phone.port, host_key).login()
    assert "shell_v2" not in p.parse_banner(host.cnxn.data)[1]["features"]
    with pytest.raises(LookupError):
        host.run("shell,v2,raw:echo hi")
    assert host.run("shell:echo hi").strip() == b"hi"


def _stat_v2_reply(data: bytes) -> bool:
    return len(data) >= STAT_V2.size


def test_sta2_and_lst2_give_64_bit_sizes_and_errno(phone, host):
    body = os.urandom(1234)
    (phone.folder / "a.jpg").write_bytes(body)
    os.symlink("a.jpg", phone.folder / "link.jpg")
    for ident, name, kind in ((b"STA2", "link.jpg", stat.S_IFREG), (b"LST2", "link.jpg", stat.S_IFLNK)):
        reply = STAT_V2.unpack(host.sync((ident, f"{CAMERA}/{name}".encode()), reply_bytes=_stat_v2_reply))
        ident_back, error, _dev, _ino, mode, _nlink, uid, gid, size, _a, mtime, _c = reply
        assert (ident_back, error, stat.S_IFMT(mode)) == (p.wire_id(ident), 0, kind)
        assert uid == 10123 and gid == 1023 and mtime > 0
        if kind == stat.S_IFREG:
            assert size == 1234
    missing = STAT_V2.unpack(host.sync((b"STA2", f"{CAMERA}/none".encode()), reply_bytes=_stat_v2_reply))
    assert missing[:2] == (p.wire_id(b"STA2"), errno.ENOENT) and set(missing[2:]) == {0}


def _dents_done(data: bytes) -> bool:
    pos = 0
    while len(data) >= pos + DENT_V2.size:
        fields = DENT_V2.unpack_from(data, pos)
        if fields[0] == p.ID_DONE:
            return True
        pos += DENT_V2.size + fields[-1]
    return False


def test_lis2_lists_dnt2_entries_ended_by_a_zeroed_done(phone, host):
    big = phone.folder / "VID_big.mp4"
    with open(big, "wb") as fh:
        fh.truncate(5 << 30)  # 5 GiB: the v1 DENT's 32-bit size would wrap
    (phone.folder / "IMG_1.jpg").write_bytes(b"x" * 10)
    data = host.sync((b"LIS2", CAMERA.encode()), reply_bytes=_dents_done)
    names, pos = {}, 0
    while True:
        fields = DENT_V2.unpack_from(data, pos)
        pos += DENT_V2.size
        if fields[0] == p.ID_DONE:
            assert set(fields[1:]) == {0} and pos == len(data)
            break
        assert fields[0] == p.wire_id(b"DNT2") and fields[1] == 0
        names[data[pos:pos + fields[-1]].decode()] = fields[8]
        pos += fields[-1]
    assert names["VID_big.mp4"] == 5 << 30 and names["IMG_1.jpg"] == 10 and "." in names and ".." in names


def test_wireless_debugging_phone_answers_cnxn_with_stls(make_phone, host_key):
    phone = make_phone(trusted_keys=[host_key], wireless_debugging=True)
    host = Host(phone.port, host_key)
    assert (host.first.command, host.first.arg0, host.first.arg1) == (p.wire_id(b"STLS"), 0x01000000, 0)
    assert phone.auth.prompts == 0  # no AUTH before TLS: pairing replaces the dialog
