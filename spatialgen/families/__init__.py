"""Scene families: a registry filled by the modules of this package.

Each module defines a :class:`Family` subclass decorated with :func:`register_family`; modules are
discovered automatically, so adding a family never edits this file.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import IMAGE_MODALITIES, MODALITIES, CheckResult, Family

_FAMILIES: dict[str, Family] = {}
_LOADED = False


def register_family(cls: type[Family]) -> type[Family]:
    if cls.name in _FAMILIES:
        raise ValueError(f"family {cls.name!r} registered twice")
    _FAMILIES[cls.name] = cls()
    return cls


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "base":
            importlib.import_module(f"{__name__}.{mod.name}")
    _LOADED = True


def get_family(name: str) -> Family:
    _load_all()
    try:
        return _FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown family {name!r}; known: {', '.join(sorted(_FAMILIES))}") from None


def all_families() -> dict[str, Family]:
    _load_all()
    return dict(sorted(_FAMILIES.items()))


__all__ = ["CheckResult", "Family", "IMAGE_MODALITIES", "MODALITIES", "all_families", "get_family", "register_family"]
