"""Records/s and peak memory of `spatialgen generate` for text records, by N and worker count.

    python benchmarks/bench_scale.py [--sizes 10000 100000] [--workers 1 2] [--json out.json]

Each configuration runs in a fresh process (generate_dataset into a temporary folder, Parquet +
JSONL written as usual). Peak memory is the max RSS of the writer process and of the largest
worker process; CPU seconds and the load average before the run show how much the machine was
shared (a speed-up needs the cores to be free). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from spatialgen.writer import GenerateArgs, generate_dataset
n, workers, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
args = GenerateArgs(tasks="maze.*", n=n, levels="1-5", modality="text", seed=0)
import os
load0 = os.getloadavg()[0]  # other processes on the machine compete for the same cores
t0 = time.perf_counter()
generate_dataset(args, out, workers=workers)
dt = time.perf_counter() - t0
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"n": n, "workers": workers, "seconds": dt, "records_per_s": n / dt,
                  "writer_cpu_s": me.ru_utime + me.ru_stime, "worker_cpu_s": kids.ru_utime + kids.ru_stime,
                  "load_before": load0,
                  "writer_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--json", default=None, help="also write the rows as JSON here")
    a = ap.parse_args()
    rows = []
    root = Path(__file__).resolve().parents[1]
    for n in a.sizes:
        for w in a.workers:
            tmp = Path(tempfile.mkdtemp(prefix="sg-bench-"))
            try:
                env = {**os.environ, "PYTHONPATH": str(root)}
                res = subprocess.run([sys.executable, "-c", CHILD, str(n), str(w), str(tmp / "ds")], env=env,
                                     capture_output=True, text=True, check=True)
                rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
                print(rows[-1], file=sys.stderr, flush=True)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    base = {r["n"]: r["records_per_s"] for r in rows if r["workers"] == 1}
    print("| records | workers | seconds | records/s | speed-up | CPU s (writer + workers) | writer peak MiB | worker peak MiB | load avg before |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        su = r["records_per_s"] / base[r["n"]] if r["n"] in base else float("nan")
        print(f"| {r['n']:,} | {r['workers']} | {r['seconds']:.1f} | {r['records_per_s']:.0f} | {su:.2f}x | "
              f"{r['writer_cpu_s']:.0f} + {r['worker_cpu_s']:.0f} | {r['writer_peak_mib']:.0f} | {r['worker_peak_mib']:.0f} | "
              f"{r['load_before']:.1f} |")
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
