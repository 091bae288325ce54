"""Write a dataset folder: ``records.jsonl``, ``images/*.png`` and ``manifest.json``.

Everything is written into a hidden temporary folder beside the destination and renamed into
place only when complete, so an interrupted or failed run never leaves a half-written dataset.
Workers produce records for fixed chunks of indices; the parent writes them in index order, so the
output is byte-identical for any number of workers.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import orjson

from . import __version__
from .dataset import plan

CHUNK = 32


@dataclass
class GenerateArgs:
    tasks: str = "maze.*"
    n: int = 100
    seed: int = 0
    levels: str = "1-5"
    modality: str = "image"
    templates: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def encode_png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _dump(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


_WORKER_ARGS: GenerateArgs | None = None
_WORKER_DIR: Path | None = None


def _init_worker(args: GenerateArgs, tmp: Path) -> None:
    global _WORKER_ARGS, _WORKER_DIR
    _WORKER_ARGS, _WORKER_DIR = args, tmp


def _make_chunk(bounds: tuple[int, int]) -> list[tuple[bytes, list[tuple[str, str]]]]:
    """Records [lo, hi) as JSON lines, their images written to the temporary folder."""
    from .sampler import make_record

    args, tmp = _WORKER_ARGS, _WORKER_DIR
    assert args is not None and tmp is not None
    pairs = plan(args.tasks, args.levels, tuple(args.templates))
    out = []
    for i in range(*bounds):
        task, level = pairs[i % len(pairs)]
        sample = make_record(task, level, args.seed, i, args.modality)
        files = []
        for rel, img in zip(sample.record["images"], sample.images):
            data = encode_png(img)
            with open(tmp / rel, "wb") as f:
                f.write(data)
            files.append((rel, hashlib.sha256(data).hexdigest()))
        for rel, data in sample.files.items():  # family extras (depth, masks): hashed like images
            with open(tmp / rel, "wb") as f:
                f.write(data)
            files.append((rel, hashlib.sha256(data).hexdigest()))
        out.append((_dump(sample.record), files))
    return out


def generate_dataset(args: GenerateArgs, out: Path, workers: int = 1, overwrite: bool = False,
                     progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Generate ``args.n`` records into ``out`` atomically; returns the manifest."""
    out = Path(out)
    pairs = plan(args.tasks, args.levels, tuple(args.templates), args.modality)  # validate before touching disk
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out} already exists and is not empty; choose another --out or pass --overwrite")
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    except OSError as e:
        raise PermissionError(f"cannot write to {parent}: {e.strerror}; choose a writable --out") from None
    try:
        (tmp / "images").mkdir()
        manifest = _write(args, pairs, tmp, workers, progress)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _holds_gl_context() -> bool:
    # A GL (EGL/Mesa) context does not survive fork: a parent that already rendered spawns workers.
    worker = sys.modules.get("spatialgen.render.worker")
    return bool(worker is not None and worker.active_in_this_process())


def _write(args: GenerateArgs, pairs, tmp: Path, workers: int, progress) -> dict[str, Any]:
    chunks = [(lo, min(lo + CHUNK, args.n)) for lo in range(0, args.n, CHUNK)]
    files: dict[str, str] = {}
    counts: dict[str, int] = {}
    rec_hash = hashlib.sha256()
    with open(tmp / "records.jsonl", "wb") as f:
        if workers <= 1:
            _init_worker(args, tmp)
            results = map(_make_chunk, chunks)
            pool = None
        else:
            method = "fork" if sys.platform.startswith("linux") and not _holds_gl_context() else "spawn"
            pool = mp.get_context(method).Pool(workers, initializer=_init_worker, initargs=(args, tmp))
            results = pool.imap(_make_chunk, chunks)
        try:
            for chunk in results:
                for line, rec_files in chunk:
                    f.write(line)
                    rec_hash.update(line)
                    files.update(rec_files)
                if progress:
                    progress(len(chunk))
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
    for i in range(args.n):
        task, level = pairs[i % len(pairs)]
        key = f"{task.id}/level_{level}"
        counts[key] = counts.get(key, 0) + 1
    manifest = {
        "spatialgen_version": __version__,
        "arguments": args.as_dict(),
        "count": args.n,
        "counts": counts,
        "files": {"records.jsonl": rec_hash.hexdigest(), **dict(sorted(files.items()))},
    }
    (tmp / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    return manifest


def _swap_into_place(tmp: Path, out: Path) -> None:
    if out.exists():
        trash = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(trash)
        tmp.rename(out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        tmp.rename(out)
