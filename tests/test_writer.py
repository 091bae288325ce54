"""Sharded writer: layout, equality with Dataset, splits, seeds, duplicates, workers, errors."""
import errno
import hashlib
from pathlib import Path

import numpy as np
import orjson
import pytest

from conftest import cli
from spatialgen import Dataset
from spatialgen.sampler import _stable_int, record_seed
from spatialgen.shards import dedup_key
from spatialgen.verify import iter_dataset_records, load_manifest, verify_dataset
from spatialgen.writer import GenerateArgs, generate_dataset
from spatialgen import writer


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_legacy_n_mode_matches_dataset_random_access(tmp_path):
    out = tmp_path / "d"
    assert cli("generate", "--n", 23, "--levels", "1-3", "--modality", "text", "--shard-size", 4,
               "--out", out, "--quiet", "--workers", 1) == 0
    recs = list(iter_dataset_records(out))
    assert len(recs) == 23 and sorted(r["index"] for r in recs) == list(range(23))
    ds = Dataset("maze.*", levels="1-3", seed=0, n=23, modality="text")
    for r in recs:
        assert r == orjson.loads(orjson.dumps(ds[r["index"]].record))
    assert verify_dataset(out).ok
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no partial folder left


def test_train_seed_derivation_is_unchanged_and_splits_get_their_own_stream():
    old = np.random.SeedSequence([7, _stable_int("maze.navigate"), 3, 11])
    assert record_seed(7, "maze.navigate", 3, 11).generate_state(4).tolist() == old.generate_state(4).tolist()
    states = {s: tuple(record_seed(7, "maze.navigate", 3, 11, s).generate_state(4)) for s in ("train", "validation", "test")}
    assert len(set(states.values())) == 3


def test_splits_disjoint_and_no_duplicates(image_ds, text_ds):
    for root in (image_ds, text_ds):
        recs = list(iter_dataset_records(root))
        keys = [dedup_key(r) for r in recs]
        assert len(keys) == len(set(keys)), "a question appears twice"
        ids = [r["id"] for r in recs]
        assert len(ids) == len(set(ids))
        m = load_manifest(root)
        for split, per in m["splits"].items():
            for lv, n in per.items():
                assert sum(1 for r in recs if r["split"] == split and r["level"] == int(lv)) == n


def test_duplicates_are_replaced_deterministically(tmp_path, monkeypatch):
    # Force collisions: a key function that maps many questions to few keys.
    from spatialgen import shards

    real = shards.dedup_key
    monkeypatch.setattr(shards, "dedup_key", lambda r: real(r) % 7)
    # Workers must be forked to see the patch (an earlier 3D test may have made this process spawn).
    monkeypatch.setattr("spatialgen.executors._holds_gl_context", lambda: False)
    a, b = tmp_path / "a", tmp_path / "b"
    args = dict(tasks="maze.path_check", n=None, n_per_level=5, levels="3", validation_per_level=0,
                test_per_level=2, shard_size=3, modality="text")
    generate_dataset(GenerateArgs(**args), a, workers=1)
    generate_dataset(GenerateArgs(**args), b, workers=2)
    m = load_manifest(a)
    assert m["duplicates_replaced"] > 0 and m["count"] == 7
    keys = [real(r) % 7 for r in iter_dataset_records(a)]
    assert len(keys) == len(set(keys)) == 7
    assert tree_hashes(a) == tree_hashes(b)


def test_different_seeds_do_not_overlap_nor_shift():
    # reasoning-gym's Random(seed + idx) makes seed s+1 record i equal seed s record i+1.
    a = Dataset("maze.shortest_path_length", levels="3", seed=1, n=40, modality="text")
    b = Dataset("maze.shortest_path_length", levels="3", seed=2, n=40, modality="text")
    ka = [dedup_key(a[i].record) for i in range(40)]
    kb = [dedup_key(b[i].record) for i in range(40)]
    assert not set(ka) & set(kb)
    assert ka[1:] != kb[:-1]
    assert {a[i].record["scene"]["id"] for i in range(40)}.isdisjoint({b[i].record["scene"]["id"] for i in range(40)})


def test_byte_identical_for_any_worker_count(tmp_path):
    args = GenerateArgs(tasks="maze.count_turns,maze.choose_path", n=None, n_per_level=9, levels="1-2",
                        validation_per_level=2, test_per_level=2, shard_size=4, modality="image")
    generate_dataset(args, tmp_path / "w1", workers=1)
    generate_dataset(args, tmp_path / "w2", workers=2)
    h1 = tree_hashes(tmp_path / "w1")
    assert h1 == tree_hashes(tmp_path / "w2")
    assert any(k.endswith(".parquet") for k in h1) and any(k.endswith(".png") for k in h1)


def test_rows_and_card_carry_version_and_config_hash(image_ds):
    import pyarrow.parquet as pq

    m = load_manifest(image_ds)
    card = (image_ds / "README.md").read_text()
    assert m["config_hash"] in card and m["spatialgen_version"] in card
    for p in (image_ds / "data").rglob("*.parquet"):
        t = pq.read_table(p, columns=["config_hash", "version"]).to_pylist()
        assert {r["config_hash"] for r in t} == {m["config_hash"]}
        assert {r["version"] for r in t} == {m["spatialgen_version"]}


def test_rerun_of_finished_dataset_is_a_no_op_and_other_settings_refused(tmp_path):
    out = tmp_path / "d"
    argv = ["generate", "--n", 6, "--levels", "1", "--modality", "text", "--out", out, "--quiet"]
    assert cli(*argv) == 0
    before = tree_hashes(out)
    assert cli(*argv) == 0 and tree_hashes(out) == before
    assert cli("generate", "--n", 7, "--levels", "1", "--modality", "text", "--out", out, "--quiet") == 2


@pytest.mark.parametrize("argv, msg", [
    (["--n", "0"], "--n must be at least 1"),
    (["--n-per-level", "0"], "--n-per-level"),
    (["--n", "5", "--shard-size", "0"], "--shard-size"),
    (["--n", "5", "--tasks", "nope.*"], "no task matches"),
    (["--n", "5", "--levels", "9"], "level 9 is not defined"),
    (["--n", "5", "--test-per-level", "-1"], ">= 0"),
])
def test_bad_input_one_line_exit_2(tmp_path, capsys, argv, msg):
    out = tmp_path / "d"
    assert cli("generate", *argv, "--out", out, "--quiet") == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and msg in err
    assert not out.exists() and not list(tmp_path.glob(".*"))


def test_disk_full_keeps_finished_shards_and_resumes(tmp_path, monkeypatch, capsys):
    out = tmp_path / "d"
    argv = ["generate", "--n-per-level", 12, "--levels", "1", "--test-per-level", 0, "--validation-per-level", 0,
            "--modality", "text", "--shard-size", 3, "--out", out, "--quiet", "--workers", 1]
    real = writer._write_atomic
    calls = {"n": 0}

    def failing(path, data):
        if path.suffix == ".jsonl":
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(writer, "_write_atomic", failing)
    assert cli(*argv) == 2
    err = capsys.readouterr().err
    assert "disk full" in err and "re-run the same command" in err and err.strip().count("\n") == 0
    part = tmp_path / ".d.partial"
    assert len(list((part / ".shards").glob("*.json"))) == 2 and not out.exists()
    monkeypatch.setattr(writer, "_write_atomic", real)
    assert cli(*argv) == 0
    ref = tmp_path / "ref"
    assert cli(*[a if a != out else ref for a in argv]) == 0
    assert tree_hashes(out) == tree_hashes(ref)


def test_unwritable_destination_is_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert cli("generate", "--n", 3, "--out", blocker / "d", "--quiet") == 2
    assert "cannot write" in capsys.readouterr().err


def test_verify_detects_tampering(tmp_path):
    out = tmp_path / "d"
    generate_dataset(GenerateArgs(tasks="maze.count_turns", n=6, levels="2", modality="text", shard_size=3), out)
    p = next((out / "records").rglob("*.jsonl"))
    lines = p.read_bytes().splitlines(keepends=True)
    rec = orjson.loads(lines[0])
    rec["answer"] = str(int(rec["answer"]) + 1)
    p.write_bytes(orjson.dumps(rec) + b"\n" + b"".join(lines[1:]))
    rep = verify_dataset(out)
    assert not rep.ok and any("sha256" in x for x in rep.problems) and any("stored answer" in x for x in rep.problems)


def test_score_reads_the_sharded_layout(text_ds, tmp_path, capsys):
    preds = tmp_path / "p.jsonl"
    recs = list(iter_dataset_records(text_ds))
    preds.write_bytes(b"".join(orjson.dumps({"id": r["id"], "response": f"<answer>{r['answer']}</answer>"}) + b"\n"
                               for r in recs[: len(recs) // 2]))
    assert cli("score", text_ds, preds, "--json") == 0
    res = orjson.loads(capsys.readouterr().out)
    assert res["missing"] == len(recs) - len(recs) // 2
    assert abs(res["overall"] - (len(recs) // 2) / len(recs)) < 1e-9
