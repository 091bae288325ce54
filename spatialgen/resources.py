"""Where the built-in data folders live: the repo root in a checkout, ``spatialgen/_data`` in a wheel."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Path of a built-in data folder: ``templates``, ``scenes`` or ``programs``."""
    installed = _PKG / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PKG.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"spatialgen's built-in '{name}' folder is missing; reinstall the package")
