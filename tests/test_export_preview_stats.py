import csv
import importlib.util
import json
import sys

import yaml

from conftest import cli
from spatialgen.verify import iter_dataset_records, load_manifest


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!function", lambda loader, node: ("function", loader.construct_scalar(node)))


def test_lmms_eval_task_folder(image_ds, tmp_path):
    out = tmp_path / "lmms"
    assert cli("export", "lmms-eval", image_ds, "--out", out) == 0
    task = yaml.load((out / "spatialgen_maze_level_2.yaml").read_text(), Loader=_Loader)
    assert task["dataset_name"] == "level_2" and task["test_split"] == "test"
    assert task["process_results"] == ("function", "utils.process_results")
    group = yaml.safe_load((out / "spatialgen_maze.yaml").read_text())
    assert group["task"] == ["spatialgen_maze_level_1", "spatialgen_maze_level_2"]
    spec = importlib.util.spec_from_file_location("lmms_utils", out / "utils.py")
    utils = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(utils)
    from datasets import load_dataset

    doc = load_dataset(str(image_ds), "level_2", split="test", cache_dir=str(tmp_path / "c"))[0]
    assert utils.doc_to_visual(doc)[0].mode == "RGB"
    assert utils.process_results(doc, [f"<answer>{doc['solution']}</answer>"]) == {"accuracy": 1.0}
    assert utils.doc_to_text(doc) == doc["question"]


def test_vlmevalkit_tsv(image_ds):
    assert cli("export", "vlmevalkit", image_ds) == 0
    path = image_ds / "export" / "spatialgen_test_mcq.tsv"
    csv.field_size_limit(sys.maxsize)
    rows = list(csv.DictReader(path.open(), delimiter="\t"))
    expect = [r for r in iter_dataset_records(image_ds) if r["split"] == "test" and r["choices"]]
    assert len(rows) == len(expect) > 0
    assert all(r[r["answer"]] and r["image"] for r in rows)


def test_preview_and_stats(image_ds, tmp_path, capsys):
    from PIL import Image

    assert cli("preview", image_ds, "--n", 5, "--out", tmp_path / "s.png") == 0
    assert Image.open(tmp_path / "s.png").size[0] > 500
    page = (tmp_path / "s.html").read_text()
    assert page.count("<figure>") == 5
    capsys.readouterr()
    assert cli("stats", image_ds, "--json") == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["count"] == load_manifest(image_ds)["count"]
    assert rep["blind_baseline_split"] == "test"
    for r in rep["blind_baseline"]:
        assert 0.0 <= r["accuracy"] <= 1.0
    assert cli("stats", image_ds) == 0
    assert "blind" in capsys.readouterr().out
