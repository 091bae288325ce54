"""Maze samples per second on one core: complete records (scene, program, checks, text,
and for images: render + render checks + PNG encoding), as the writer produces them.

    python benchmarks/bench_maze.py [--n 400] [--levels 1-5]

Targets (issue 2): >= 200/s per core with 512 px images, >= 5,000/s per core text-only.
"""

from __future__ import annotations

import argparse
import time

from spatialgen.dataset import Dataset
from spatialgen.writer import dump_record, encode_png


def run(n: int, levels: str, modality: str, repeats: int = 3) -> float:
    """Best of ``repeats`` passes over the same n records (the machine may be shared)."""
    ds = Dataset("maze.*", levels=levels, seed=123, n=n, modality=modality)
    for i in range(min(n, 40)):
        ds[i]  # warm caches: every task's template, fonts at every cell size
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(n):
            s = ds[i]
            dump_record(s.record)
            for img in s.images:
                encode_png(img)
        best = max(best, n / (time.perf_counter() - t0))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--levels", default="1-5")
    args = ap.parse_args()
    print(f"{'modality':<8} {'levels':<7} {'records/s (1 core)':>20}")
    for levels in [args.levels, "1", "3", "5"]:
        for modality in ("image", "text"):
            n = args.n if modality == "image" else args.n * 5
            print(f"{modality:<8} {levels:<7} {run(n, levels, modality):>20.0f}")


if __name__ == "__main__":
    main()
