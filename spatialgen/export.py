"""Evaluation-harness exports of a dataset folder.

- lmms-eval: a task folder (one task YAML per dataset config, a group YAML, and ``utils.py`` that
  scores with spatialgen's scorer, so routes are simulated rather than string-matched).
- VLMEvalKit: a multiple-choice TSV (index, image as base64 PNG, question, A-D, answer, category)
  for the choice tasks of an image dataset.
"""

from __future__ import annotations

import base64
import csv
import re
from pathlib import Path

import yaml

from .answers import CHOICE_LETTERS
from .verify import iter_dataset_records, load_manifest

UTILS_PY = '''"""lmms-eval hooks for a spatialgen dataset (written by `spatialgen export lmms-eval`)."""
import json

from spatialgen.scoring import score


def doc_to_visual(doc):
    return [im.convert("RGB") for im in doc["images"]]


def doc_to_text(doc, lmms_eval_specific_kwargs=None):
    kw = lmms_eval_specific_kwargs or {}
    return kw.get("pre_prompt", "") + doc["question"] + kw.get("post_prompt", "")


def doc_to_target(doc):
    return doc["solution"]


def process_results(doc, results):
    """Accuracy via spatialgen.score on the row's ground truth (routes are simulated on the scene)."""
    return {"accuracy": score(json.loads(doc["ground_truth"]), results[0])}
'''


class _FunctionTag(str):
    """Emits lmms-eval's ``!function utils.x`` tags."""


def _function_representer(dumper: yaml.SafeDumper, value: _FunctionTag):
    return dumper.represent_scalar("!function", str(value))


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_FunctionTag, _function_representer)


def _pick_split(manifest: dict, split: str | None) -> str:
    splits = manifest["splits"]
    if split is None:
        return "test" if "test" in splits else "train"
    if split not in splits:
        raise ValueError(f"split {split!r} is not in this dataset (it has {', '.join(splits)})")
    return split


def export_lmms_eval(root: Path, out: Path | None = None, split: str | None = None,
                     dataset_path: str | None = None) -> Path:
    root = Path(root)
    manifest = load_manifest(root)
    if not manifest.get("parquet"):
        raise ValueError(f"{root} has no Parquet shards (lmms-eval loads them with datasets); "
                         "regenerate with pyarrow installed")
    split = _pick_split(manifest, split)
    name = "spatialgen_" + re.sub(r"[^a-z0-9]+", "_", "_".join(sorted({t.split(".")[0] for t in manifest["tasks"]})))
    out = Path(out) if out else root / "export" / "lmms_eval" / name
    out.mkdir(parents=True, exist_ok=True)
    levels = sorted({int(lv) for per in manifest["splits"].values() for lv in per})
    text_only = manifest["arguments"]["modality"] == "text"
    tasks = []
    for config in [f"level_{lv}" for lv in levels] + ["all"]:
        task = f"{name}_{config}"
        doc = {
            "task": task,
            "dataset_path": dataset_path or str(root.resolve()),
            "dataset_name": config,
            "test_split": split,
            "output_type": "generate_until",
            "doc_to_visual": _FunctionTag("utils.doc_to_visual"),
            "doc_to_text": _FunctionTag("utils.doc_to_text"),
            "doc_to_target": _FunctionTag("utils.doc_to_target"),
            "generation_kwargs": {"max_new_tokens": 512, "temperature": 0, "do_sample": False},
            "process_results": _FunctionTag("utils.process_results"),
            "metric_list": [{"metric": "accuracy", "aggregation": "mean", "higher_is_better": True}],
            "metadata": {"version": manifest["spatialgen_version"], "config_hash": manifest["config_hash"],
                         "text_only": text_only},
        }
        (out / f"{task}.yaml").write_text(yaml.dump(doc, Dumper=_Dumper, sort_keys=False))
        if config != "all":
            tasks.append(task)
    (out / f"{name}.yaml").write_text(yaml.safe_dump({"group": name, "task": tasks}, sort_keys=False))
    (out / "utils.py").write_text(UTILS_PY)
    return out


def export_vlmevalkit(root: Path, out: Path | None = None, split: str | None = None) -> Path:
    root = Path(root)
    manifest = load_manifest(root)
    if manifest["arguments"]["modality"] == "text":
        raise ValueError("VLMEvalKit TSVs are for image datasets; this one is text-only")
    split = _pick_split(manifest, split)
    out = Path(out) if out else root / "export" / f"spatialgen_{split}_mcq.tsv"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    n = 0
    width = 0
    for r in iter_dataset_records(root):
        if r.get("split", "train") == split and r.get("choices") and r.get("images"):
            width = max(width, len(r["choices"]))
    letters = CHOICE_LETTERS[:width]
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["index", "image", "question", *letters, "answer", "category", "l2-category", "id"])
        for r in iter_dataset_records(root):
            if r.get("split", "train") != split or not r.get("choices") or not r.get("images"):
                continue
            image = base64.b64encode((root / r["images"][0]).read_bytes()).decode()
            # The question without its inline option list: VLMEvalKit prints options from A-D itself.
            question = r["question"].split("\n\nA. ")[0]
            opts = list(r["choices"]) + [""] * (width - len(r["choices"]))
            w.writerow([n, image, question, *opts, r["answer"], r["task"], f"level_{r['level']}", r["id"]])
            n += 1
    if not n:
        tmp.unlink()
        raise ValueError(f"no multiple-choice image records in the {split} split of {root}")
    tmp.replace(out)
    return out
