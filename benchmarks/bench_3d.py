"""Complete 3D samples per second, one worker, at the presets' sizes (layout3d 480x320 per view).

    PYTHONPATH=. python benchmarks/bench_3d.py [N_PER_TASK] [LEVEL]

A sample is everything the writer does for one record: scene building, parameter draws,
constraints, program, perturbation re-checks, rendering (RGB + depth + instance-mask pass),
render checks (visibility, occlusion), extras (mask and 16-bit depth PNGs) and the RGB PNG.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict

from spatialgen.catalog import catalog
from spatialgen.render.worker import renderer_info
from spatialgen.sampler import make_record
from spatialgen.writer import encode_png


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    level = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    tasks = catalog().match("layout3d.*,rotation.*")
    print(renderer_info())
    make_record(tasks[0], level, 0, 10**6)  # warm-up: GL context, shaders, mesh uploads
    per_family: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for task in tasks:
        t = time.perf_counter()
        for i in range(n):
            s = make_record(task, level, 0, i)
            for img in s.images:
                encode_png(img)
        dt = time.perf_counter() - t
        per_family[task.family.name][0] += n
        per_family[task.family.name][1] += dt
        print(f"{task.id:30s} L{level} {n / dt:6.1f} samples/s")
    for fam, (cnt, dt) in per_family.items():
        print(f"{fam:30s} L{level} {cnt / dt:6.1f} samples/s  ({cnt} samples)")


if __name__ == "__main__":
    main()
