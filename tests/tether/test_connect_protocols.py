"""Phones that answer, but not in plain ADB: Android 11+ Wireless debugging (STLS) and HarmonyOS NEXT (hdc),
and USB scans that fail or find an hdc-only phone. Each ends in words that say what to do."""
from __future__ import annotations

import socket
import sys
import threading
import types

import pytest

from tether import adbproto
from tether.connect_errors import HarmonyNextError, TlsRequiredError
from tether.connection import DeviceConnection
from tether.transport import connect_phone
from tether.usb_devices import UsbScanError, list_usb_phones

STLS = adbproto.wire_id(b"STLS")
HDC_HANDSHAKE = (b"HW\x00\x00\x01\x0b\x00\x20\x00\x00\x00" + b"\x08\x01" * 4  # PayloadHead "HW", protobuf head,
                 + b"OHOS HDC\x00\x00\x00\x00" + bytes(12))  # then the banner: more than one ADB header


def _answering(reply: bytes) -> int:
    """A one-shot TCP peer that answers the host's first message with `reply`."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(reply)
            conn.recv(4096)  # until the host hangs up
        server.close()
    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1]


def test_a_wireless_debugging_port_asks_for_pairing_in_words(host_key):
    port = _answering(adbproto.pack_message(STLS, 0x01000000, 0))
    with pytest.raises(TlsRequiredError) as err:
        DeviceConnection(f"127.0.0.1:{port}", host_key, connect_timeout=2, auth_timeout=2).connect()
    text = str(err.value)
    assert "Wireless debugging" in text and "pairing code" in text and "Unknown command" not in text


def test_stls_without_a_reachable_adb_server_still_explains(host_key, tmp_path):
    from tether.adb_server import AdbServer
    port = _answering(adbproto.pack_message(STLS, 0x01000000, 0))
    nowhere = AdbServer(port=1, adb=str(tmp_path / "no-adb"))  # no server, no binary
    with pytest.raises(TlsRequiredError, match="Pair"):
        connect_phone(f"127.0.0.1:{port}", host_key, server=nowhere, connect_timeout=2, auth_timeout=2)


def test_a_harmonyos_next_phone_is_named_and_not_retried(host_key):
    port = _answering(HDC_HANDSHAKE)
    with pytest.raises(HarmonyNextError, match="HarmonyOS NEXT"):
        DeviceConnection(f"127.0.0.1:{port}", host_key, connect_timeout=2, auth_timeout=2).connect()


class _Setting:
    def __init__(self, triple):
        self.triple = triple

    def getClass(self):
        return self.triple[0]

    def getSubClass(self):
        return self.triple[1]

    def getProtocol(self):
        return self.triple[2]


class _Device:
    def __init__(self, triples, vendor, serial="S1", product="Phone", denied=False):
        self.triples, self.vendor, self.serial, self.product, self.denied = triples, vendor, serial, product, denied

    def iterSettings(self):
        return [_Setting(t) for t in self.triples]

    def getSerialNumber(self):
        if self.denied:
            raise _USBError("LIBUSB_ERROR_ACCESS")
        return self.serial

    def getProduct(self):
        return self.product

    def getVendorID(self):
        return self.vendor

    def getProductID(self):
        return 0x107E

    def close(self):
        pass


class _USBError(Exception):
    pass


def _fake_usb1(monkeypatch, devices=None, fail=None):
    class Context:
        def __enter__(self):
            if fail:
                raise fail
            return self

        def __exit__(self, *exc):
            return False

        def getDeviceIterator(self, skip_on_error=True):
            return iter(devices or [])
    monkeypatch.setitem(sys.modules, "usb1", types.SimpleNamespace(USBContext=Context, USBError=_USBError))


def test_a_usb_bus_that_cannot_be_read_is_not_reported_as_no_phone(monkeypatch):
    _fake_usb1(monkeypatch, fail=OSError("libusb-1.0.so.0: cannot open shared object file"))
    with pytest.raises(UsbScanError, match="libusb"):
        list_usb_phones()


def test_usb_scan_names_adb_phones_hdc_phones_and_missing_permissions(monkeypatch):
    _fake_usb1(monkeypatch, [
        _Device([(0xFF, 0x42, 0x01)], 0x18D1, "PIXEL1", "Pixel 8"),
        _Device([(0xFF, 0x50, 0x01)], 0x12D1, "HM1", "Mate 70"),
        _Device([(0xFF, 0x42, 0x01)], 0x12D1, denied=True),
        _Device([(0x08, 0x06, 0x50)], 0x0781),  # a USB stick
        _Device([(0x06, 0x01, 0x01)], 0x12D1, "HM2", "Pura 70"),  # USB debugging off: file transfer only
        _Device([(0x06, 0x01, 0x01), (0xFF, 0x42, 0x01)], 0x04E8, "R5C", "Galaxy S24"),  # MTP and ADB
        _Device([(0x06, 0x01, 0x01)], 0x04A9, "CAM", "EOS R6"),  # a camera over PTP: not a phone
    ])
    phones = list_usb_phones()
    assert [p.kind for p in phones] == ["adb", "hdc", "adb", "mtp", "adb"]
    assert "USB debugging is off" in phones[3].problem and "HarmonyOS NEXT" in phones[3].problem
    assert phones[4].problem == ""
    assert phones[0].problem == "" and phones[0].label == "Pixel 8 PIXEL1"
    assert "HarmonyOS NEXT" in phones[1].problem and "not supported" in phones[1].label
    assert not phones[2].accessible and "udev" in phones[2].problem


def test_the_simulated_wireless_debugging_phone_is_recognised(make_phone, host_key):
    phone = make_phone(trusted_keys=[host_key], wireless_debugging=True)
    with pytest.raises(TlsRequiredError, match="pairing code"):
        DeviceConnection(f"127.0.0.1:{phone.port}", host_key, connect_timeout=2, auth_timeout=2).connect()


def test_a_web_server_at_the_address_is_named_not_dumped(host_key):
    port = _answering(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    with pytest.raises(Exception) as err:
        DeviceConnection(f"127.0.0.1:{port}", host_key, connect_timeout=2, auth_timeout=2).connect()
    text = str(err.value)
    assert "web server" in text and "not in ADB" in text and "Unknown command" not in text
