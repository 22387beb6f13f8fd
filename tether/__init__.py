"""Tethered capture from Android phones over ADB.

No Qt in here: the editor imports this package from worker threads and the CLI uses it headless.
"""
