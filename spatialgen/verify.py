"""Re-check a written dataset: file hashes, and every record's program and checks re-executed
from the stored scene graph, independently of how the record was generated."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from PIL import Image

from .answers import CHOICE_LETTERS
from .catalog import catalog
from .dsl import Context, ProgramError
from .sampler import _Reject, add_question_panel, check_question, judge_choices, question_text, render_hints, to_dsl


@dataclass
class VerifyReport:
    records: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_record(record: dict[str, Any], root: Path | None = None, template_dirs: tuple[str, ...] = ()) -> list[str]:
    """Problems found in one record (empty list = verified)."""
    rid = record.get("id", "?")
    try:
        task = catalog(tuple(template_dirs)).get(record["task"])
        scene = task.family.scene_type.model_validate(record["scene"])
    except (KeyError, ValueError) as e:
        return [f"{rid}: cannot load task or scene: {e}"]
    problems = []
    if scene.id != scene.content_id():
        problems.append(f"{rid}: scene id does not match its content (scene was edited)")
    ctx = Context(scene)
    params = {k: to_dsl(v) for k, v in record.get("params", {}).items()}
    try:
        value, canonical, _, checks = check_question(task, ctx, params, trace=False)
    except (_Reject, ProgramError) as e:
        return problems + [f"{rid}: {e}"]
    if record.get("choices"):
        options = [task.answer.parse(c) for c in record["choices"]]
        verdicts = judge_choices(task, ctx, params, options)
        letter = record["answer"]
        if sum(verdicts) != 1 or CHOICE_LETTERS[verdicts.index(True)] != letter:
            problems.append(f"{rid}: choices do not have exactly one correct option at {letter}")
    elif canonical != record["answer"]:
        problems.append(f"{rid}: stored answer {record['answer']!r} but the program gives {canonical!r}")
    expected_q = question_text(task, scene, record["modality"], params, record["text_variant"], record.get("choices"))
    if expected_q != record["question"]:
        problems.append(f"{rid}: question text differs from the template's rendering")
    if root is not None and record.get("images"):
        try:
            images = [Image.open(root / p) for p in record["images"]]
            hints = render_hints(task, params)
            drawn = images
            if record["modality"] == "image_only":
                # The question lives only in the pixels: re-draw scene and question and compare; the
                # render checks then apply to the fresh drawing of the scene itself.
                drawn = task.family.render(scene, record["style"], hints)
                again = add_question_panel(task, scene, drawn, params, record["text_variant"], record.get("choices"))
                if any(a.mode != b.mode or a.size != b.size or a.tobytes() != b.tobytes()
                       for a, b in zip(again, images)):
                    problems.append(f"{rid}: image differs from a fresh rendering of the scene and question")
            for c in task.family.render_checks(scene, drawn, record["style"], hints):
                if not c.passed:
                    problems.append(f"{rid}: render check failed: {c.name} ({c.detail})")
        except OSError as e:
            problems.append(f"{rid}: cannot read image: {e}")
    return problems


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{n}: not valid JSON ({e.msg})") from None


def load_manifest(root: Path) -> dict[str, Any]:
    path = Path(root) / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"{root}: no manifest.json; is this a finished spatialgen dataset folder?")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON ({e.msg})") from None
    missing = [k for k in ("files", "shards", "count") if k not in manifest] if isinstance(manifest, dict) else ["all"]
    if missing:
        raise ValueError(f"{path}: not a spatialgen manifest (missing {', '.join(missing)})")
    return manifest


def record_files(root: Path) -> list[Path]:
    """The JSONL files of a dataset folder in canonical order: the shards listed in the manifest
    (``records/level_<k>/<split>-<i>-of-<n>.jsonl``)."""
    root = Path(root)
    return [root / rel for rel in load_manifest(root)["shards"]]


def iter_dataset_records(root: Path) -> Iterator[dict[str, Any]]:
    """Every record of a dataset folder, streamed shard by shard."""
    for path in record_files(root):
        yield from iter_records(path)


def verify_dataset(root: Path, template_dirs: tuple[str, ...] = ()) -> VerifyReport:
    root = Path(root)
    report = VerifyReport()
    manifest = load_manifest(root)
    dirs = tuple(template_dirs) or tuple(manifest.get("arguments", {}).get("templates", []) or [])
    for rel, digest in manifest["files"].items():
        path = root / rel
        report.files += 1
        if not path.is_file():
            report.problems.append(f"{rel}: listed in the manifest but missing")
        elif sha256_file(path) != digest:
            report.problems.append(f"{rel}: sha256 differs from the manifest")
    ids: set[str] = set()
    for record in iter_dataset_records(root):
        report.records += 1
        if record.get("id") in ids:
            report.problems.append(f"{record.get('id')}: appears twice")
        ids.add(record.get("id"))
        report.problems += verify_record(record, root, dirs)
    if report.records != manifest.get("count"):
        report.problems.append(f"manifest counts {manifest.get('count')} records, the JSONL files have {report.records}")
    return report
