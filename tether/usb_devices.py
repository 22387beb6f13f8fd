"""Best-effort listing of ADB-capable USB devices. Never raises: libusb may be missing or locked down."""
from __future__ import annotations

from dataclasses import dataclass

ADB_CLASS, ADB_SUBCLASS, ADB_PROTOCOL = 0xFF, 0x42, 0x01
HUAWEI_VENDOR_ID = 0x12D1


@dataclass
class UsbPhone:
    serial: str
    model: str
    vendor_id: int
    product_id: int
    accessible: bool  # False when udev permissions stop us opening it


def _has_adb_interface(device) -> bool:
    for setting in device.iterSettings():
        if (setting.getClass(), setting.getSubClass(), setting.getProtocol()) == (ADB_CLASS, ADB_SUBCLASS, ADB_PROTOCOL):
            return True
    return False


def list_usb_phones() -> list[UsbPhone]:
    try:
        import usb1
    except Exception:  # libusb1 not installed or libusb shared library missing
        return []
    phones = []
    try:
        with usb1.USBContext() as ctx:
            for device in ctx.getDeviceIterator(skip_on_error=True):
                try:
                    if not _has_adb_interface(device):
                        continue
                    serial, model, accessible = "", "", True
                    try:
                        serial = device.getSerialNumber() or ""
                        model = device.getProduct() or ""
                    except usb1.USBError:
                        accessible = False
                    phones.append(UsbPhone(serial, model, device.getVendorID(), device.getProductID(), accessible))
                finally:
                    device.close()
    except Exception:
        return phones
    return phones
