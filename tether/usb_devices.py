"""Phones on USB: the ones with an ADB interface, HarmonyOS NEXT phones that only offer Huawei's hdc, and
phones plugged in with USB debugging off (only MTP/PTP, interface class 6).

A scan that cannot run (libusb missing, USB access refused) raises UsbScanError saying why, instead of
looking like "no phone". Interface numbers: ADB is class 0xff / subclass 0x42 / protocol 1 (AOSP
adb/client/usb_linux.cpp, is_adb_interface); hdc is 0xff / 0x50 / 1 (OpenHarmony developtools_hdc,
HDC_CLASS / HDC_SUBCLASS in src/common/define.h).
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import TetherError

ADB_CLASS, ADB_SUBCLASS, ADB_PROTOCOL = 0xFF, 0x42, 0x01
HDC_SUBCLASS, HDC_PROTOCOL = 0x50, 0x01
STILL_IMAGE_CLASS = 0x06  # MTP/PTP: a phone in "File transfer" mode, which every phone offers
# Phone makers' USB vendor ids (Google, Samsung, Huawei, Honor, Xiaomi, OnePlus, OPPO, vivo, Motorola, Sony,
# LG): an MTP device from one of them is a phone with USB debugging off; from anyone else, maybe a camera.
PHONE_VENDORS = {0x18D1, 0x04E8, 0x12D1, 0x339B, 0x2717, 0x2A70, 0x22D9, 0x2D95, 0x22B8, 0x0FCE, 0x1004}
HUAWEI_VENDOR_ID = 0x12D1
HARMONY_NEXT_HINT = ("speaks Huawei's hdc, not ADB: it runs HarmonyOS NEXT, which Darkslide cannot tether. "
                     "Phones on HarmonyOS 4 or older (and EMUI) work: enable USB debugging in Developer options.")


class UsbScanError(TetherError):
    """The USB bus could not be looked at (not the same as "no phone")."""


@dataclass
class UsbPhone:
    serial: str
    model: str
    vendor_id: int
    product_id: int
    accessible: bool  # False when udev permissions stop us opening it
    kind: str = "adb"  # "adb"; "hdc" (HarmonyOS NEXT, cannot be used); "mtp" (a phone with USB debugging off)

    @property
    def label(self) -> str:
        name = f"{self.model or 'phone'} {self.serial}".strip()
        if self.kind == "hdc":
            return f"{name} (HarmonyOS NEXT: not supported)"
        if self.kind == "mtp":
            return f"{name} (USB debugging off)"
        return name + ("" if self.accessible else " (no access: udev rule missing)")

    @property
    def problem(self) -> str:
        """Why this phone cannot be used as is, in words; "" when it can."""
        if self.kind == "hdc":
            return f"{self.model or 'The Huawei phone'} {HARMONY_NEXT_HINT}"
        if self.kind == "mtp":
            huawei = (" If it is a Huawei phone on HarmonyOS NEXT there is no USB debugging to turn on: it "
                      "cannot be tethered.") if self.vendor_id == HUAWEI_VENDOR_ID else ""
            return (f"{self.model or 'A phone'} is plugged in for file transfer but USB debugging is off: turn it "
                    "on in Developer options and allow this computer." + huawei)
        if not self.accessible:
            return (f"{self.model or 'The phone'} {self.serial}: Linux denied access; see 'Tethering set-up' "
                    "(udev rule for vendor {:04x}).".format(self.vendor_id))
        return ""


def interface_kind(device) -> str | None:
    """"adb", "hdc", "mtp" or None (not a phone), from the device's interface descriptors."""
    kinds = set()
    for setting in device.iterSettings():
        triple = (setting.getClass(), setting.getSubClass(), setting.getProtocol())
        if triple == (ADB_CLASS, ADB_SUBCLASS, ADB_PROTOCOL):
            kinds.add("adb")
        elif triple == (ADB_CLASS, HDC_SUBCLASS, HDC_PROTOCOL):
            kinds.add("hdc")
        elif triple[0] == STILL_IMAGE_CLASS:
            kinds.add("mtp")
    for kind in ("adb", "hdc", "mtp"):  # a phone with USB debugging on also shows MTP: ADB wins
        if kind in kinds:
            return kind
    return None


def list_usb_phones() -> list[UsbPhone]:
    """ADB phones and hdc-only phones on USB. Raises UsbScanError when the bus cannot be read at all."""
    try:
        import usb1
    except ImportError as exc:
        raise UsbScanError(f"USB support is not installed ({exc}); install libusb1 or connect over Wi-Fi.") from exc
    phones = []
    try:
        with usb1.USBContext() as ctx:
            for device in ctx.getDeviceIterator(skip_on_error=True):
                try:
                    phone = _describe(device, usb1)
                    if phone is not None:
                        phones.append(phone)
                finally:
                    device.close()
    except Exception as exc:  # libusb's shared library missing, no /dev/bus/usb in a sandbox, ...
        raise UsbScanError(f"Could not read the USB bus: {type(exc).__name__}: {exc}. Install libusb-1.0, "
                           "check the phone's cable, or connect over Wi-Fi.") from exc
    return phones


def _describe(device, usb1) -> UsbPhone | None:
    kind = interface_kind(device)
    if kind is None or (kind == "mtp" and device.getVendorID() not in PHONE_VENDORS):
        return None
    serial, model, accessible = "", "", True
    try:
        serial = device.getSerialNumber() or ""
        model = device.getProduct() or ""
    except usb1.USBError:
        accessible = False  # reading string descriptors needs the device opened: udev said no
    return UsbPhone(serial, model, device.getVendorID(), device.getProductID(), accessible, kind)
