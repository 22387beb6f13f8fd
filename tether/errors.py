"""Exceptions the tether layer raises. Each message says what the photographer should do next."""


class TetherError(Exception):
    """Base class: anything that stops tethering and can be shown to the user as is."""


class NoDeviceError(TetherError):
    """No phone answered on the requested USB serial or TCP address."""


class UnauthorizedError(TetherError):
    """The phone did not accept our key (the "Allow USB debugging?" prompt was denied or not answered)."""


class UsbBusyError(TetherError):
    """Another program (almost always the `adb` server) holds the phone's USB interface."""


class UsbPermissionError(TetherError):
    """Linux refused to open the USB device: the udev rule is missing."""


class TcpConnectError(TetherError):
    """The TCP address refused the connection or did not answer in time."""


class ConnectionLostError(TetherError):
    """An established connection broke (cable pulled, phone slept, Wi-Fi dropped). Reconnect and resume."""


class TransferError(TetherError):
    """A pulled file did not match the phone's size or checksum; it was discarded and will be retried."""


class LocalStorageError(TetherError):
    """The desktop side failed: session folder not writable, disk full. Not a connection problem."""


class DeviceCommandError(TetherError):
    """A command on the phone failed (for example the file vanished before we could pull it)."""
