"""Throughput of Renderer3D on an 8-object 480x320 scene.

    PYTHONPATH=. python benchmarks/render3d_throughput.py [N]

Prints renders/s for rgb+depth, rgb+depth+mask, rgb+depth+mask with PNG encoding of rgb and
16-bit depth, and (for reference) with occlusion, plus the GL renderer in use.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from spatialgen.geometry import random_arm_shape
from spatialgen.render.offscreen3d import (
    Camera3D,
    Primitive3D,
    Renderer3D,
    encode_depth_png16,
    encode_png,
)


def scene() -> list[Primitive3D]:
    cells = random_arm_shape(10, 4, np.random.default_rng(1))
    spec = [("cube", (-2, 0)), ("sphere", (0, 0)), ("cylinder", (2, 0)), ("cone", (-1, 2)),
            ("torus", (1, 2)), ("mesh_cubes", (0, -2)), ("cube", (2.5, -2)), ("sphere", (-2.5, -2))]
    rng = np.random.default_rng(0)
    return [Primitive3D(id=f"o{i}", shape=s, position=pos, rotation=float(rng.uniform(0, 360)),
                        color=tuple(int(c) for c in rng.integers(30, 230, 3)),
                        material="metal" if i % 3 == 0 else "rubber",
                        size=0.3 if s == "mesh_cubes" else 1.0,
                        cells=cells if s == "mesh_cubes" else None)
            for i, (s, pos) in enumerate(spec)]


def bench(label: str, n: int, fn) -> None:
    fn()  # warm-up: shader compilation and mesh upload
    t = time.perf_counter()
    for _ in range(n):
        fn()
    dt = time.perf_counter() - t
    print(f"{label:32s} {n / dt:7.1f} renders/s  ({1000 * dt / n:.1f} ms)")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    prims = scene()
    cam = Camera3D.orbit((0, 0, 0.4), 9, 20, 35, width=480, height=320)
    r = Renderer3D(480, 320)
    print(r.info())

    def with_png() -> None:
        out = r.render(prims, cam, want_masks=True)
        encode_png(out.rgb)
        encode_depth_png16(out.depth, 20.0)

    bench("rgb+depth", n, lambda: r.render(prims, cam, want_masks=False))
    bench("rgb+depth+mask", n, lambda: r.render(prims, cam, want_masks=True))
    bench("rgb+depth+mask+png(rgb,depth16)", n, with_png)
    bench("rgb+depth+mask+occlusion", max(n // 4, 1),
          lambda: r.render(prims, cam, want_occlusion=True))
    r.close()


if __name__ == "__main__":
    main()
