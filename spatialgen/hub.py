"""The Hugging Face face of a dataset folder: the row schema, Parquet shards, the dataset card, and
``push`` to the Hub.

One column list (:data:`COLUMNS`) is the single source of the schema: it yields the Arrow schema the
Parquet files are written with, the ``datasets.Features`` dict stored in each file's metadata, and
the ``dataset_info`` features in the card. Heterogeneous values (scene graphs, parameters, ground
truth) are JSON strings, so every shard of every family has exactly the same schema and
``load_dataset`` never has to infer a type (inference from one file chosen by hash order is what
makes ImageFolder-style layouts load or fail depending on ``PYTHONHASHSEED``).

pyarrow is needed to write Parquet and huggingface_hub to push (``pip install 'spatialgen[hub]'``);
neither is imported by the rest of the package.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import orjson
import yaml

_TEXT_PART = ("struct", [("type", "string"), ("text", "string")])
_MESSAGES = ("list", ("struct", [("role", "string"), ("content", ("list", _TEXT_PART))]))

#: (name, type): "string"/"int32"/"int64", "image", ("list", t) or ("struct", [(name, t), ...]).
COLUMNS: list[tuple[str, Any]] = [
    ("id", "string"),
    ("images", ("list", "image")),
    ("prompt", _MESSAGES),
    ("completion", _MESSAGES),
    ("question", "string"),
    ("solution", "string"),
    ("answer_type", "string"),
    ("choices", ("list", "string")),
    ("task", "string"),
    ("family", "string"),
    ("level", "int32"),
    ("split", "string"),
    ("seed", "int64"),
    ("index", "int64"),
    ("modality", "string"),
    ("ground_truth", "string"),
    ("scene", "string"),
    ("params", "string"),
    ("text_variant", "int32"),
    ("style", "string"),
    ("version", "string"),
    ("config_hash", "string"),
]


def _arrow_type(t):
    import pyarrow as pa

    if t == "image":
        return pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    if isinstance(t, str):
        return {"string": pa.string(), "int32": pa.int32(), "int64": pa.int64()}[t]
    if t[0] == "list":
        return pa.list_(_arrow_type(t[1]))
    return pa.struct([(n, _arrow_type(s)) for n, s in t[1]])


def _feature_dict(t) -> dict[str, Any]:
    """``datasets.Features.to_dict()`` form of one type (datasets >= 4 names lists ``List``)."""
    if t == "image":
        return {"_type": "Image"}
    if isinstance(t, str):
        return {"dtype": t, "_type": "Value"}
    if t[0] == "list":
        return {"feature": _feature_dict(t[1]), "_type": "List"}
    return {n: _feature_dict(s) for n, s in t[1]}


def _feature_yaml(name: str, t) -> dict[str, Any]:
    """The card's ``dataset_info.features`` form of one column."""
    def inner(t):
        if t == "image":
            return "image"
        if isinstance(t, str):
            return t
        if t[0] == "list":
            return {"list": inner(t[1])}
        return [_feature_yaml(n, s) for n, s in t[1]]

    v = inner(t)
    if isinstance(v, dict):
        return {"name": name, **v}
    if isinstance(v, list):
        return {"name": name, "struct": v}
    return {"name": name, "dtype": v}


def features_dict() -> dict[str, Any]:
    return {name: _feature_dict(t) for name, t in COLUMNS}


def features_yaml() -> list[dict[str, Any]]:
    return [_feature_yaml(name, t) for name, t in COLUMNS]


def arrow_schema():
    import pyarrow as pa

    meta = {b"huggingface": json.dumps({"info": {"features": features_dict()}}).encode()}
    return pa.schema([(n, _arrow_type(t)) for n, t in COLUMNS], metadata=meta)


def have_pyarrow() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


# -- rows ---------------------------------------------------------------------------------------

def rationale(record: dict[str, Any]) -> str:
    """The program's evaluation trace as a step-by-step rationale ending in the tagged answer."""
    from .rationale import rationale as steps

    return f"{steps(record.get('trace', []))}\n<answer>{record['answer']}</answer>"


def _message(role: str, text: str, n_images: int = 0) -> dict[str, Any]:
    parts = [{"type": "image", "text": None}] * n_images + [{"type": "text", "text": text}]
    return {"role": role, "content": parts}


def ground_truth(record: dict[str, Any]) -> dict[str, Any]:
    """What a scorer needs, and nothing else: :func:`spatialgen.score` accepts this dict as a record."""
    return {k: record[k] for k in ("id", "task", "answer", "answer_type", "choices", "params", "scene")}


def to_row(record: dict[str, Any], images: list[tuple[str, bytes]], config_hash: str,
           completion: str = "answer") -> dict[str, Any]:
    if completion == "answer":
        comp = [_message("assistant", f"<answer>{record['answer']}</answer>")]
    elif completion == "trace":
        comp = [_message("assistant", rationale(record))]
    else:
        comp = None
    dumps = lambda v: orjson.dumps(v, option=orjson.OPT_SORT_KEYS).decode()  # noqa: E731
    return {
        "id": record["id"],
        "images": [{"bytes": data, "path": rel} for rel, data in images],
        "prompt": [_message("user", record["question"], len(images))],
        "completion": comp,
        "question": record["question"],
        "solution": record["answer"],
        "answer_type": record["answer_type"],
        "choices": record["choices"],
        "task": record["task"],
        "family": record["family"],
        "level": record["level"],
        "split": record.get("split", "train"),
        "seed": record["seed"],
        "index": record["index"],
        "modality": record["modality"],
        "ground_truth": dumps(ground_truth(record)),
        "scene": dumps(record["scene"]),
        "params": dumps(record["params"]),
        "text_variant": record["text_variant"],
        "style": record["style"],
        "version": record["version"],
        "config_hash": config_hash,
    }


def write_parquet(rows: list[dict[str, Any]], path: Path, has_images: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(rows, schema=arrow_schema())
    # Small row groups for images keep random access (and the Hub viewer) cheap.
    pq.write_table(table, path, row_group_size=100 if has_images else 1000, compression="zstd")


# -- card ---------------------------------------------------------------------------------------

def size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if n < limit:
            return name
    return "10M<n<100M"


def card_front_matter(manifest: dict[str, Any], root: Path | None = None) -> dict[str, Any]:
    splits: dict[str, dict[str, int]] = manifest["splits"]  # split -> level -> n
    levels = sorted({int(lv) for per in splits.values() for lv in per})
    families = sorted({t.split(".")[0] for t in manifest["tasks"]})
    image = manifest["arguments"]["modality"] != "text"
    configs, infos = [], []
    for name, pattern, lvs in ([(f"level_{lv}", f"data/level_{lv}", [lv]) for lv in levels]
                               + [("all", "data/level_*", levels)]):
        files, split_info = [], []
        for split in ("train", "validation", "test"):
            n = sum(splits.get(split, {}).get(str(lv), 0) for lv in lvs)
            if n:
                files.append({"split": split, "path": f"{pattern}/{split}-*.parquet"})
                size = sum(p.stat().st_size for lv in lvs for p in (root or Path("/nonexistent")).glob(
                    f"data/level_{lv}/{split}-*.parquet"))
                split_info.append({"name": split, "num_bytes": size, "num_examples": n})
        entry: dict[str, Any] = {"config_name": name, "data_files": files}
        if name == "all":
            entry["default"] = True
        configs.append(entry)
        infos.append({"config_name": name, "features": features_yaml(), "splits": split_info,
                      "download_size": sum(s["num_bytes"] for s in split_info),
                      "dataset_size": sum(s["num_bytes"] for s in split_info)})
    return {
        "license": manifest["arguments"].get("license", "apache-2.0"),
        "task_categories": (["visual-question-answering", "question-answering"] if image
                            else ["question-answering", "visual-question-answering"]),
        "language": ["en"],
        "size_categories": [size_category(manifest["count"])],
        "tags": ["spatial-reasoning", "synthetic", "procedurally-generated", "verified", "spatialgen", *families],
        "pretty_name": f"spatialgen {', '.join(families)} ({'image+text' if image else 'text-only'})",
        "configs": configs,
        "dataset_info": infos,
    }


def write_card(root: Path, manifest: dict[str, Any], report_md: str, chart: str | None) -> None:
    front = yaml.safe_dump(card_front_matter(manifest, root), sort_keys=False, allow_unicode=True)
    a = manifest["arguments"]
    splits = manifest["splits"]
    split_lines = "\n".join(f"| {s} | " + ", ".join(f"L{lv}: {n}" for lv, n in sorted(per.items(), key=lambda x: int(x[0])))
                            + f" | {sum(per.values())} |" for s, per in splits.items())
    body = f"""# spatialgen synthetic spatial-reasoning data

Every record is {'an image and ' if a['modality'] != 'text' else ''}a question whose answer was computed by a
program run on the ground-truth scene graph, then re-checked (constraints, answer round-trip through the
scorer, {'render checks, ' if a['modality'] != 'text' else ''}exactly one correct option for multiple choice).
Scenes are stored with every row (`scene`, a JSON string), so any answer can be re-derived.

## How it was made

```
{manifest['command']}
```

- generator: spatialgen {manifest['spatialgen_version']}, config hash `{manifest['config_hash']}`
- base seed {a['seed']}; record seeds derive from numpy `SeedSequence([seed, task, level, index(, split)])`,
  so splits and runs with different seeds are independent streams, not shifted copies
- tasks: {', '.join(f'`{t}`' for t in manifest['tasks'])}
- {manifest['duplicates_replaced']} drawn questions duplicated an earlier one (same scene, task and parameters)
  and were replaced, so splits are disjoint and no question appears twice

## Loading

```python
from datasets import load_dataset
ds = load_dataset("<this folder or repo>", "level_3")   # or "all"
```

Columns: `images`, `prompt` (conversational, with the answer-format instruction), `solution`, `answer_type`,
`choices`, `task`, `level`, `seed`, `ground_truth` (JSON for scorers that see one field), `completion` (for SFT),
`scene`, `params`, `version`, `config_hash`. Score model outputs with `spatialgen.score` or the GRPO reward
functions in `spatialgen.rewards` (routes are simulated on the scene, not string-matched).

## Splits (records per level)

| split | per level | total |
|---|---|---|
{split_lines}

{report_md}
"""
    if chart:
        body += f"\n![answer balance and blind baselines]({chart})\n"
    (root / "README.md").write_text(f"---\n{front}---\n\n{body}")


# -- push ---------------------------------------------------------------------------------------

_REPO = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
def push_files(root: Path, include_raw: bool = False) -> list[Path]:
    """The files ``push`` sends: the card, manifest, chart and Parquet shards; JSONL + PNG (which
    duplicate the Parquet content and add one Hub file per image) only with ``include_raw``."""
    out = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if not p.is_file() or rel.startswith("."):
            continue
        top = rel.split("/")[0]
        if "/" not in rel:
            ok = rel in ("README.md", "manifest.json") or rel.endswith(".png")
        elif top == "data":
            ok = rel.endswith(".parquet")
        else:
            ok = include_raw and top in ("records", "images")
        if ok:
            out.append(p)
    return out


def push(root: Path, repo: str, dry_run: bool = False, private: bool = False, include_raw: bool = False,
         token: str | None = None) -> list[str]:
    """Upload a dataset folder to the Hub as a dataset repo; returns the relative paths sent (or that
    would be sent with ``dry_run``). The token comes from ``token``, else ``HF_TOKEN`` or the cached
    ``huggingface-cli login``, as huggingface_hub resolves it."""
    root = Path(root)
    if not _REPO.match(repo):
        raise ValueError(f"bad --repo {repo!r}; write it as org/name")
    if not (root / "manifest.json").is_file() or not (root / "README.md").is_file():
        raise FileNotFoundError(f"{root}: no manifest.json and README.md; is this a finished spatialgen dataset?")
    if not any((root / "data").glob("level_*/*.parquet")):
        raise FileNotFoundError(f"{root}: no Parquet shards under data/; regenerate with pyarrow installed "
                                "(pip install 'spatialgen[hub]')")
    files = [p.relative_to(root).as_posix() for p in push_files(root, include_raw)]
    if dry_run:
        return files
    try:
        from huggingface_hub import HfApi
    except ImportError:
        raise RuntimeError("push needs huggingface_hub: pip install 'spatialgen[hub]'") from None
    api = HfApi(token=token or os.environ.get("HF_TOKEN"))
    api.create_repo(repo, repo_type="dataset", private=private, exist_ok=True)
    api.upload_folder(folder_path=str(root), repo_id=repo, repo_type="dataset", allow_patterns=files,
                      commit_message="spatialgen dataset upload")
    return files
