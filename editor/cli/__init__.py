"""Command-line front ends of the editor (headless; beside main.py, above the core and presets)."""
