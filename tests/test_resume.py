"""Resume after SIGKILL at random moments: no loss, no duplicates, same bytes as an uninterrupted run."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT
from test_writer import tree_hashes
from spatialgen.verify import iter_dataset_records, verify_dataset

ARGS = ["generate", "--tasks", "maze.*", "--levels", "1-2", "--n-per-level", "40", "--validation-per-level", "6",
        "--test-per-level", "6", "--modality", "image", "--shard-size", "4", "--workers", "2", "--quiet"]


def _start(out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "spatialgen", *ARGS, "--out", str(out)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def test_sigkill_at_random_points_then_resume(tmp_path):
    ref = tmp_path / "ref"
    assert subprocess.run([sys.executable, "-m", "spatialgen", *ARGS, "--out", str(ref)],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}).returncode == 0
    out = tmp_path / "d"
    part = tmp_path / ".d.partial"
    rng = random.Random(1234)
    kills = 0
    for attempt in range(3):
        proc = _start(out)
        # Wait until some shards are finished (a random number), then kill at a random instant.
        target = rng.randint(1, 12)
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            done = len(list((part / ".shards").glob("*.json"))) if part.exists() else 0
            if done >= target:
                break
            time.sleep(0.005)
        time.sleep(rng.random() * 0.05)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the whole group: workers die too
            kills += 1
        proc.wait()
        if out.exists():
            break
    assert kills >= 1
    proc = _start(out)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert tree_hashes(out) == tree_hashes(ref)
    recs = list(iter_dataset_records(out))
    assert len(recs) == len({r["id"] for r in recs}) == 2 * (40 + 6 + 6)
    assert verify_dataset(out).ok
    assert not part.exists()


def test_corrupted_finished_shard_is_redone(tmp_path):
    """A marker whose files no longer hash correctly is not trusted."""
    from spatialgen import writer
    from spatialgen.writer import GenerateArgs, generate_dataset

    args = GenerateArgs(tasks="maze.count_turns", n=12, levels="2", modality="text", shard_size=3)
    ref = tmp_path / "ref"
    generate_dataset(args, ref)
    out = tmp_path / "d"
    calls = {"n": 0}
    real = writer._finish_shard

    def stop_after_three(*a, **k):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(*a, **k)

    writer._finish_shard = stop_after_three
    try:
        try:
            generate_dataset(args, out)
        except KeyboardInterrupt:
            pass
    finally:
        writer._finish_shard = real
    part = tmp_path / ".d.partial"
    jsonl = sorted((part / "records").rglob("*.jsonl"))
    assert len(jsonl) == 3
    jsonl[1].write_bytes(b"garbage\n")
    generate_dataset(args, out)
    assert tree_hashes(out) == tree_hashes(ref)
