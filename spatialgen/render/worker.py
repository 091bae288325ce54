"""One lazily created :class:`Renderer3D` per process, shared by every 3D family.

The writer forks worker processes; a GL context must never cross a fork, so the renderer is
keyed by process id and created on first use in each process, then reused for every sample.
The backend comes from ``SPATIALGEN_RENDER_BACKEND`` (``auto``, ``egl``, ``osmesa``), which
``spatialgen generate --render-backend`` sets before workers start.
"""

from __future__ import annotations

import os

from .offscreen3d import Renderer3D

_RENDERER: tuple[int, Renderer3D] | None = None


def backend_name() -> str:
    value = os.environ.get("SPATIALGEN_RENDER_BACKEND", "auto") or "auto"
    if value not in ("auto", "egl", "osmesa"):
        raise ValueError(f"SPATIALGEN_RENDER_BACKEND must be auto, egl or osmesa, got {value!r}")
    return value


def get_renderer(width: int, height: int) -> Renderer3D:
    """This process's renderer (the viewport follows each camera's size)."""
    global _RENDERER
    pid = os.getpid()
    if _RENDERER is not None and _RENDERER[0] != pid:
        # EGL/Mesa state does not survive fork: a new context here would hang, so fail clearly.
        raise RuntimeError("this process was forked from one that had already rendered 3D images; "
                           "start worker processes with 'spawn' (the writer does so automatically)")
    if _RENDERER is None:
        _RENDERER = (pid, Renderer3D(width, height, backend=backend_name()))
    return _RENDERER[1]


def active_in_this_process() -> bool:
    """True once this process holds a GL context (it must then not fork renderers)."""
    return _RENDERER is not None and _RENDERER[0] == os.getpid()


def renderer_info() -> dict[str, str]:
    """GL renderer in use in this process (creates the renderer if needed)."""
    r = get_renderer(64, 64) if _RENDERER is None or _RENDERER[0] != os.getpid() else _RENDERER[1]
    return r.info()
