"""Data files that ship with Darkslide (looks, style sheet, icons, desktop entry, sample photos); a package
only so that a wheel (`pipx install .`) carries them beside the code that finds them by relative path."""
