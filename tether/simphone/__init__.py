"""A simulated Android phone speaking the real ADB protocol, for tests, demos and benchmarks."""
from .phone import CAMERA_DIR, SimulatedPhone, serve

__all__ = ["CAMERA_DIR", "SimulatedPhone", "serve"]
