"""Hub-ready output: load_dataset round trip under several hash seeds, schema, card, push."""
import json

import pytest
import yaml

from conftest import cli, run_py
from spatialgen import hub
from spatialgen.verify import iter_dataset_records, load_manifest

LOAD = """
import json, sys
from datasets import load_dataset
from datasets.utils.logging import disable_progress_bar
disable_progress_bar()
root = sys.argv[1] if len(sys.argv) > 1 else {root!r}
out = {{}}
for config in {configs!r}:
    dd = load_dataset(root, config)
    out[config] = {{}}
    for split, ds in dd.items():
        rows = list(ds)
        imgs = [im.size for r in rows for im in r["images"]]
        out[config][split] = {{"ids": [r["id"] for r in rows], "levels": sorted({{r["level"] for r in rows}}),
                               "images": len(imgs), "decoded": all(type(im).__module__.startswith("PIL") for r in rows for im in r["images"]),
                               "gt_ok": all(json.loads(r["ground_truth"])["answer"] == r["solution"] for r in rows),
                               "prompt_ok": all(r["prompt"][0]["role"] == "user" and "<answer>" in r["prompt"][0]["content"][-1]["text"] for r in rows)}}
print(json.dumps(out))
"""


@pytest.mark.parametrize("hashseed", ["0", "1", "4242"])
def test_load_dataset_every_config_any_hash_seed(image_ds, hashseed):
    m = load_manifest(image_ds)
    configs = [f"level_{lv}" for lv in (1, 2)] + ["all"]
    res = run_py(LOAD.format(root=str(image_ds), configs=configs), env={"PYTHONHASHSEED": hashseed,
                                                                         "HF_DATASETS_CACHE": str(image_ds.parent / f"cache{hashseed}")})
    assert res.returncode == 0, res.stderr[-2000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    recs = list(iter_dataset_records(image_ds))
    for config in configs:
        for split in ("train", "validation", "test"):
            expect = [r for r in recs if r["split"] == split and (config == "all" or f"level_{r['level']}" == config)]
            g = got[config][split]
            assert sorted(g["ids"]) == sorted(r["id"] for r in expect)
            assert g["images"] == len(expect) and g["decoded"] and g["gt_ok"] and g["prompt_ok"]
    assert sum(len(v["ids"]) for v in got["all"].values()) == m["count"]


def test_schema_matches_datasets_features():
    from datasets import Features

    f = Features.from_dict(hub.features_dict())
    assert f.arrow_schema.remove_metadata() == hub.arrow_schema().remove_metadata()
    from datasets import DatasetInfo

    assert DatasetInfo(features=f)._to_yaml_dict()["features"] == hub.features_yaml()


def test_text_dataset_loads_and_has_trace_completion(text_ds):
    res = run_py(LOAD.format(root=str(text_ds), configs=["level_3"]), env={"HF_DATASETS_CACHE": str(text_ds.parent / "c")})
    assert res.returncode == 0, res.stderr[-2000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["level_3"]["train"]["images"] == 0 and got["level_3"]["train"]["levels"] == [3]
    import pyarrow.parquet as pq

    row = pq.read_table(next((text_ds / "data" / "level_3").glob("train-*.parquet"))).to_pylist()[0]
    text = row["completion"][0]["content"][-1]["text"]
    assert " = " in text and text.endswith(f"<answer>{row['solution']}</answer>")


def test_card_front_matter(image_ds):
    text = (image_ds / "README.md").read_text()
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n")[1])
    assert "visual-question-answering" in front["task_categories"]
    assert front["license"] and front["size_categories"] == ["n<1K"] and "spatial-reasoning" in front["tags"]
    assert [c["config_name"] for c in front["configs"]] == ["level_1", "level_2", "all"]
    assert [i["config_name"] for i in front["dataset_info"]] == ["level_1", "level_2", "all"]
    assert all(i["features"] == hub.features_yaml() for i in front["dataset_info"])
    m = load_manifest(image_ds)
    body = text.split("---\n", 2)[2]
    assert m["command"] in body and "Blind baseline" in body and "blind_baseline.png" in body
    assert (image_ds / "blind_baseline.png").is_file()


def test_push_dry_run_and_upload_calls(image_ds, capsys, monkeypatch):
    assert cli("push", image_ds, "--repo", "org/name", "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert "README.md" in out and "manifest.json" in out and not any(x.startswith("images/") for x in out)
    assert sum(x.endswith(".parquet") for x in out) == len(list((image_ds / "data").rglob("*.parquet")))
    calls = []

    class FakeApi:
        def __init__(self, token=None):
            calls.append(("init", token))

        def create_repo(self, repo_id, **kw):
            calls.append(("create_repo", repo_id, kw))

        def upload_folder(self, **kw):
            calls.append(("upload_folder", kw))

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    assert cli("push", image_ds, "--repo", "org/name") == 0
    assert calls[0] == ("init", "hf_test_token")
    assert calls[1][1] == "org/name" and calls[1][2]["repo_type"] == "dataset"
    up = calls[2][1]
    assert up["repo_type"] == "dataset" and up["repo_id"] == "org/name" and "README.md" in up["allow_patterns"]


def test_push_bad_input(image_ds, tmp_path, capsys):
    assert cli("push", image_ds, "--repo", "no-slash", "--dry-run") == 2
    assert cli("push", tmp_path, "--repo", "org/name", "--dry-run") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(e.startswith("spatialgen: error:") for e in err)
