"""The command line: the user's main path, and bad input that must fail cleanly with exit code 2."""

import json
import os
import subprocess
import sys

import pytest

from conftest import read_records


def test_generate_verify_score_round_trip(tmp_path, run_cli):
    out = tmp_path / "ds"
    code, stdout, _ = run_cli("generate", "--n", 24, "--out", out, "--quiet", "--seed", 3)
    assert code == 0 and "wrote 24 verified records" in stdout
    records = read_records(out)
    assert [r["index"] for r in records] == list(range(24))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["count"] == 24
    assert all(img in manifest["files"] for r in records for img in r["images"])
    assert manifest["arguments"]["seed"] == 3
    assert sum(manifest["counts"].values()) == 24

    code, stdout, _ = run_cli("verify", out)
    assert code == 0 and f"OK: 24 records and {len(manifest['files'])} files" in stdout

    preds = tmp_path / "preds.jsonl"
    with open(preds, "w") as f:
        for i, r in enumerate(records):  # right on even indices, wrong on odd ones
            resp = r["answer"] if i % 2 == 0 else "certainly not an answer"
            f.write(json.dumps({"id": r["id"], "response": f"<answer>{resp}</answer>"}) + "\n")
    code, stdout, _ = run_cli("score", out, preds, "--json")
    result = json.loads(stdout)
    assert code == 0 and result["overall"] == pytest.approx(0.5)


def test_one_and_two_workers_write_identical_bytes(tmp_path, run_cli):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("generate", "--n", 40, "--out", a, "--quiet")[0] == 0
    assert run_cli("generate", "--n", 40, "--out", b, "--quiet", "--workers", 2)[0] == 0
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_verify_detects_tampering(tmp_path, run_cli):
    out = tmp_path / "ds"
    run_cli("generate", "--n", 8, "--out", out, "--quiet", "--tasks", "maze.shortest_path_length")
    shard = sorted(out.glob("records/level_*/*.jsonl"))[0]
    lines = shard.read_text().splitlines()
    rec = json.loads(lines[0])
    rec["answer"] = str(int(rec["answer"]) + 1)
    lines[0] = json.dumps(rec)
    shard.write_text("\n".join(lines) + "\n")
    img = next((out / "images").iterdir())
    img.write_bytes(img.read_bytes()[:-10])
    code, stdout, _ = run_cli("verify", out)
    assert code == 1
    assert f"{shard.name}: sha256 differs" in stdout and "program gives" in stdout
    assert f"{img.name}: sha256 differs" in stdout


@pytest.mark.parametrize("args, fragment", [
    (["--tasks", "mze.*"], "no task matches 'mze.*'"),
    (["--levels", "7"], "level 7 is not defined for family 'maze'"),
    (["--levels", "3-1"], "bad level range"),
    (["--n", "0"], "--n must be at least 1"),
    (["--seed", "-1"], "non-negative"),
])
def test_bad_arguments_exit_2_with_one_line_and_no_output(tmp_path, run_cli, args, fragment):
    out = tmp_path / "ds"
    code, _, err = run_cli("generate", "--out", out, "--quiet", *args)
    assert code == 2
    assert err.startswith("spatialgen: error: ") and fragment in err and err.count("\n") == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_hostile_user_template_is_refused(tmp_path, run_cli):
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "evil.yaml").write_text(
        "id: maze.evil\nfamily: maze\nanswer_type: int\nprogram: distance(start(), goal())\n"
        "text:\n  - \"{{ ''.__class__.__mro__[1].__subclasses__() }}\"\n")
    out = tmp_path / "ds"
    code, _, err = run_cli("generate", "--templates", tpl, "--tasks", "maze.evil", "--out", out, "--quiet")
    assert code == 2 and "evil.yaml" in err and "private attribute" in err
    assert not out.exists()


def test_user_templates_generate_and_verify(tmp_path, run_cli):
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "far.yaml").write_text(
        "id: maze.goal_far\nfamily: maze\nanswer_type: bool\nprogram: distance(start(), goal()) > 10\n"
        "text:\n  - Is G more than 10 moves from S?\n  - Does reaching G take over 10 moves?\n")
    out = tmp_path / "ds"
    code, _, err = run_cli("generate", "--templates", tpl, "--tasks", "maze.goal_far", "--n", 6,
                           "--levels", "2", "--out", out, "--quiet")
    assert code == 0, err
    assert {r["answer"] for r in read_records(out)} <= {"yes", "no"}
    assert run_cli("verify", out)[0] == 0  # the manifest remembers the user's template folder


def test_existing_output_is_not_clobbered(tmp_path, run_cli):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, _, err = run_cli("generate", "--n", 2, "--out", out, "--quiet")
    assert code == 2 and "already exists" in err and (out / "keep.txt").read_text() == "mine"
    code, _, _ = run_cli("generate", "--n", 2, "--out", out, "--quiet", "--overwrite")
    assert code == 0 and not (out / "keep.txt").exists() and (out / "manifest.json").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_folder(tmp_path, run_cli):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = run_cli("generate", "--n", 2, "--out", locked / "ds", "--quiet")
    assert code == 2 and "cannot write" in err


def test_output_under_a_file_is_refused(tmp_path, run_cli):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_cli("generate", "--n", 2, "--out", blocker / "ds", "--quiet")
    assert code == 2 and err.startswith("spatialgen: error: cannot write")


def test_list_shows_tasks_levels_and_operators(run_cli):
    code, out, _ = run_cli("list", "--operators")
    assert code == 0
    assert "maze  (levels 1-5)" in out and "maze.count_turns" in out
    assert "op shortest_path(a: Cell, b: Cell) -> Moves" in out


def test_installed_entry_point_runs_from_any_directory(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "spatialgen", "list"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0 and "maze.navigate" in proc.stdout


def test_output_folder_that_cannot_be_created(tmp_path, run_cli):
    # /proc refuses new folders even to root.
    code, _, err = run_cli("generate", "--n", 2, "--out", "/proc/spatialgen-test/ds", "--quiet")
    assert code == 2 and "cannot write to /proc" in err


def test_output_piped_into_a_closed_reader_is_not_an_error(tmp_path):
    # `spatialgen list | head -1` must not print an error when head stops reading.
    proc = subprocess.run(f"{sys.executable} -m spatialgen list --operators | head -1", shell=True, cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "error" not in proc.stderr


def test_verify_refuses_a_folder_whose_manifest_is_not_ours(tmp_path, run_cli):
    (tmp_path / "manifest.json").write_text("{}")
    code, _, err = run_cli("verify", tmp_path)
    assert code == 2 and "not a spatialgen manifest (missing files, shards, count)" in err
