"""Samples per second per core for the grid and relations families, image and text.

One process (one core): each record is made exactly as ``spatialgen generate`` makes it
(sampling, checks, both verdicts for relations, rendering and render checks) and, for image
modalities, PNG-encoded as the writer does. Tasks x levels 1-5 are cycled like a real run.

    PYTHONPATH=. python benchmarks/bench_grid_relations.py [--n 400] [--out benchmarks/grid_relations.md]
"""

from __future__ import annotations

import argparse
import platform
import time

from spatialgen.dataset import plan
from spatialgen.sampler import make_record
from spatialgen.writer import encode_png

CASES = [("grid.*", "image"), ("grid.*", "text"), ("grid.*", "image_only"),
         ("relations.*", "image"), ("relations.*", "text"), ("relations.*", "image_only")]


def bench(tasks: str, modality: str, n: int, repeats: int = 3) -> float:
    pairs = plan(tasks, "1-5", modality=modality)
    for i in range(len(pairs)):  # warm-up: template compilation, fonts, caches
        make_record(*pairs[i], 999, i, modality)
    best = 0.0
    for _ in range(repeats):  # best of several: the figure is for an otherwise idle core
        t0 = time.perf_counter()
        for i in range(n):
            task, level = pairs[i % len(pairs)]
            s = make_record(task, level, 0, i, modality)
            for img in s.images:
                encode_png(img)
        best = max(best, n / (time.perf_counter() - t0))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    rows = [(t, m, bench(t, m, args.n)) for t, m in CASES]
    lines = [f"Measured on {platform.machine()}, Python {platform.python_version()}, "
             f"1 process, {args.n} records per row (tasks x levels 1-5 cycled), best of 3, PNG encoding included.", "",
             "| tasks | modality | samples/s per core |", "|---|---|---:|"]
    lines += [f"| `{t}` | {m} | {r:.0f} |" for t, m, r in rows]
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write("# Grid and relations families: generation throughput\n\n" + text + "\n")


if __name__ == "__main__":
    main()
