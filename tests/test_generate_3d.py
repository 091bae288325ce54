"""End to end: every 3D task at every level generates, verifies, and is byte-deterministic."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from spatialgen.families import get_family
from spatialgen.verify import verify_dataset
from spatialgen.writer import GenerateArgs, generate_dataset

from conftest import read_records

TASKS = "layout3d.*,rotation.*"


@pytest.fixture(scope="module")
def small_images():
    """Quarter-size images keep the suite fast; thresholds in pixels shrink with them."""
    lay, rot = get_family("layout3d"), get_family("rotation")
    saved = copy.deepcopy(lay.preset), copy.deepcopy(rot.preset)
    lay.preset["image"] = [240, 160]
    for cfg in lay.preset["levels"].values():
        cfg["min_pixels"] = max(40, cfg["min_pixels"] // 4)
    rot.preset["panel"] = 160
    rot.preset["min_pixels"] = 100
    yield
    lay.preset.clear(), lay.preset.update(saved[0])
    rot.preset.clear(), rot.preset.update(saved[1])


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, small_images) -> Path:
    out = tmp_path_factory.mktemp("d3") / "set"
    from spatialgen.dataset import plan

    n = len(plan(TASKS, "1-5"))
    generate_dataset(GenerateArgs(tasks=TASKS, n=n, seed=3, levels="1-5"), out)
    return out


def test_all_new_tasks_and_levels_generate_and_verify(dataset):
    report = verify_dataset(dataset)
    assert report.ok, report.problems[:5]
    records = read_records(dataset)
    seen = {(r["task"], r["level"]) for r in records}
    tasks = {t for t, _ in seen}
    assert len(tasks) == 17 and {lv for _, lv in seen} == {1, 2, 3, 4, 5}
    manifest = json.loads((dataset / "manifest.json").read_text())
    for r in records:
        assert all(c["passed"] for c in r["checks"])
        for f in r["images"] + r.get("annotations", {}).get("files", []):
            assert f in manifest["files"]
    lay = [r for r in records if r["family"] == "layout3d"]
    assert all("views" in r["annotations"] and r["annotations"]["files"] for r in lay)
    assert any(c["name"].startswith("answer stable under") for r in lay for c in r["checks"])


def test_tampered_depth_file_fails_verify(dataset, tmp_path):
    import shutil

    copy_dir = tmp_path / "copy"
    shutil.copytree(dataset, copy_dir)
    depth = next((copy_dir / "images").glob("*.depth.png"))
    depth.write_bytes(depth.read_bytes()[:-8] + b"\0" * 8)
    report = verify_dataset(copy_dir)
    assert not report.ok and any("sha256" in p for p in report.problems)


def test_same_seed_gives_identical_bytes_for_any_number_of_workers(tmp_path):
    # Fresh processes (the CLI) at full size: forked workers each create their own renderer.
    common = ["generate", "--tasks", "layout3d.relation,layout3d.multiview,rotation.angle", "--n", "6",
              "--seed", "11", "--levels", "2,4", "--quiet"]
    a, b = tmp_path / "a", tmp_path / "b"
    assert _cli(*common, "--out", str(a)).returncode == 0
    assert _cli(*common, "--out", str(b), "--workers", "2").returncode == 0
    assert (a / "manifest.json").read_bytes() == (b / "manifest.json").read_bytes()
    files = sorted((a / "images").iterdir())
    assert len(files) >= 6 * 2
    for f in files:
        assert f.read_bytes() == (b / "images" / f.name).read_bytes()


def test_a_parent_that_rendered_spawns_its_workers(small_images, tmp_path):
    from spatialgen.render.worker import active_in_this_process
    from spatialgen.executors import _holds_gl_context

    get_family("rotation").render(get_family("rotation").build_for(1, __import__("numpy").random.default_rng(0),
                                                                   {"puzzle": "pair"}), "sand", {})
    assert active_in_this_process() and _holds_gl_context()


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "spatialgen", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_render_backend_option_and_env_errors_are_one_line(tmp_path):
    bad = _cli("generate", "--tasks", "layout3d.relation", "--n", "1", "--out", str(tmp_path / "x"), "--quiet",
               "--render-backend", "vulkan")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    env = _cli("generate", "--tasks", "layout3d.relation", "--n", "1", "--out", str(tmp_path / "y"), "--quiet",
               env={"SPATIALGEN_RENDER_BACKEND": "vulkan"})
    assert env.returncode == 2
    assert env.stderr.strip().count("\n") == 0 and "SPATIALGEN_RENDER_BACKEND" in env.stderr
    assert not (tmp_path / "y").exists()


@pytest.mark.parametrize("modality", ["image_only", "text", "both"])
def test_3d_tasks_in_other_modalities_verify(tmp_path, modality):
    # Render checks apply to the scene drawing, before image_only adds the question panel.
    out = tmp_path / "ds"
    generate_dataset(GenerateArgs(tasks="layout3d.relation,rotation.angle,rotation.cube_faces", n=3, seed=4,
                                  levels="2", modality=modality), out)
    report = verify_dataset(out)
    assert report.ok, report.problems[:3]
    records = read_records(out)
    assert all(len(r["images"]) == (0 if modality == "text" else 1) for r in records)
    if modality == "image_only":
        assert all(r["question"].startswith("Answer the question written in the image.") for r in records)
