"""Write a dataset folder, shard by shard, resumably.

Layout of a finished folder::

    README.md                      dataset card (YAML front matter for the Hub + quality report)
    blind_baseline.png             the card's chart
    manifest.json                  version, config hash, arguments, counts, stats, sha256 of every file
    data/level_<k>/<split>-<i>-of-<n>.parquet   rows with embedded images (if pyarrow is installed)
    records/level_<k>/<split>-<i>-of-<n>.jsonl  the same records, human-readable
    images/<record id>.png

While running, everything lives in a hidden ``.<name>.partial`` folder beside the destination,
renamed into place only when complete. Each shard's files are written under temporary names and
renamed, then a marker (``.shards/*.json``) records their sha256. Killed at any moment, the same
command resumes: markers whose files still hash correctly are kept, the rest is redone. The
parent alone writes, in canonical shard order, so output is byte-identical for any worker count or
executor.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
import shlex
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import orjson

from . import __version__
from .dataset import parse_levels, plan
from .shards import DEFAULT_SHARD_SIZE, Item, RunConfig, ShardSpec, make_item, plan_shards, stream_counts
from .stats import Stats

_JSON = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
COMPLETIONS = ("answer", "trace", "none")


@dataclass
class GenerateArgs:
    tasks: str = "maze.*"
    n: int | None = 100
    seed: int = 0
    levels: str = "1-5"
    modality: str = "image"
    templates: list[str] = field(default_factory=list)
    n_per_level: int | None = None
    validation_per_level: int | None = None
    test_per_level: int | None = None
    shard_size: int = DEFAULT_SHARD_SIZE
    completion: str = "answer"
    license: str = "apache-2.0"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def held_out(self) -> tuple[int, int]:
        """Validation and test records per level. With ``--n-per-level`` they default to a tenth of
        the train count each; with ``--n`` (one pool of records) to none."""
        default = (self.n_per_level or 0) // 10 if self.n_per_level is not None else 0
        v = default if self.validation_per_level is None else self.validation_per_level
        t = default if self.test_per_level is None else self.test_per_level
        return v, t


def encode_png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def dump_record(record: dict[str, Any]) -> bytes:
    """A record as one JSONL line (newline included), exactly as dataset folders store it."""
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


def run_config(args: GenerateArgs) -> RunConfig:
    """Validate the arguments (before any disk is touched) and fix the run's content."""
    if args.n_per_level is None and (args.n is None or args.n < 1):
        raise ValueError("--n must be at least 1")
    if args.n_per_level is not None and args.n_per_level < 1:
        raise ValueError("--n-per-level must be at least 1")
    if args.seed < 0:
        raise ValueError("--seed must be a non-negative integer")
    if args.shard_size < 1:
        raise ValueError("--shard-size must be at least 1")
    if args.completion not in COMPLETIONS:
        raise ValueError(f"unknown --completion {args.completion!r}; choose from {', '.join(COMPLETIONS)}")
    v, t = args.held_out()
    if v < 0 or t < 0:
        raise ValueError("--validation-per-level and --test-per-level must be >= 0")
    dirs = tuple(args.templates)
    pairs = plan(args.tasks, args.levels, dirs, args.modality)
    tasks = {task.id: task for task, _ in pairs}  # each task once, in plan order
    task_ids = tuple(tasks)
    digest = hashlib.sha256()
    for task in tasks.values():
        if Path(task.file).is_file():
            digest.update(task.id.encode() + Path(task.file).read_bytes())
    levels = tuple(parse_levels(args.levels))
    return RunConfig(task_ids=task_ids, levels=levels, seed=args.seed, modality=args.modality,
                     counts=stream_counts(args.n if args.n_per_level is None else None, args.n_per_level,
                                          list(levels), v, t),
                     shard_size=args.shard_size, completion=args.completion, template_dirs=dirs,
                     template_digest=digest.hexdigest()[:16])


class _State:
    """What later shards depend on: questions already used, and spare positions consumed."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.spare_next: dict[str, int] = {}
        self.files: dict[str, str] = {}
        self.stats = Stats()
        self.replaced = 0
        self.done = 0


def generate_dataset(args: GenerateArgs, out: Path, workers: int | None = 1, overwrite: bool = False,
                     progress: Callable[[int], None] | None = None, executor: str = "local",
                     address: str | None = None, parquet: bool | None = None, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Generate the run described by ``args`` into ``out``; returns the manifest. Resumes an
    interrupted run of the same configuration; ``parquet=None`` writes Parquet if pyarrow exists."""
    from .hub import have_pyarrow

    out = Path(out)
    cfg = run_config(args)
    if parquet is None:
        parquet = have_pyarrow()
        if not parquet and log:
            log("pyarrow is not installed: writing JSONL + PNG only (pip install 'spatialgen[hub]' for Parquet)")
    elif parquet and not have_pyarrow():
        raise RuntimeError("Parquet output needs pyarrow: pip install 'spatialgen[hub]'")
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        done = out / "manifest.json"
        if done.is_file():
            m = orjson.loads(done.read_bytes())
            if m.get("config_hash") == cfg.config_hash and m.get("spatialgen_version") == __version__:
                if log:
                    log(f"{out} is already complete with the same configuration; nothing to do")
                return m
        raise FileExistsError(f"{out} already exists and is not empty; choose another --out or pass --overwrite")
    parent = out.resolve().parent
    part = parent / f".{out.name}.partial"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        part.mkdir(exist_ok=True)
        lock = open(part / ".lock", "w")
    except OSError as e:
        raise PermissionError(f"cannot write to {parent}: {e.strerror}; choose a writable --out") from None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise RuntimeError(f"another spatialgen run is writing {part}; wait for it or choose another --out") from None
    try:
        run_file = part / "run.json"
        if run_file.is_file():
            prev = orjson.loads(run_file.read_bytes())
            if prev.get("config_hash") != cfg.config_hash or prev.get("parquet") != parquet:
                if not overwrite:
                    raise FileExistsError(
                        f"an unfinished run with other settings is in {part}; re-run its command "
                        f"({prev.get('command', '?')}) to finish it, or pass --overwrite to discard it")
                _clear(part)
        return _run(part, out, cfg, args, workers, executor, address, parquet, progress, log)
    except OSError as e:
        if isinstance(e, FileExistsError) and not e.filename:
            raise
        raise _disk_error(e, part) from None
    except (ValueError, RuntimeError):
        # A configuration that cannot generate (e.g. an unsatisfiable template) fails the same way
        # when resumed: leave nothing behind. Interrupted or disk-full runs keep finished shards.
        shutil.rmtree(part, ignore_errors=True)
        raise
    finally:
        lock.close()


def _run(part: Path, out: Path, cfg: RunConfig, args: GenerateArgs, workers, executor, address, parquet,
         progress, log) -> dict[str, Any]:
    from .executors import make_executor

    command = _command_for(args)
    _write_atomic(part / "run.json", orjson.dumps({"config_hash": cfg.config_hash, "parquet": parquet,
                                                   "command": command}))
    for sub in ("images", "records", "data", ".shards"):
        (part / sub).mkdir(exist_ok=True)
    shards = plan_shards(cfg)
    state = _State()
    start = _resume(part, shards, state)
    if start and log:
        log(f"resuming: {start} of {len(shards)} shards already done ({state.done} records)")
    if progress and state.done:
        progress(state.done)
    ex = make_executor(executor, workers, address)
    try:
        for spec, items in zip(shards[start:], ex.map(cfg, shards[start:])):
            n = _finish_shard(part, cfg, spec, items, state, parquet)
            if progress:
                progress(n)
    finally:
        ex.close()
    manifest = _finalize(part, cfg, args, shards, state, command, parquet)
    _swap_into_place(part, out)
    return manifest


def _disk_error(e: OSError, part: Path) -> OSError:
    what = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk quota exceeded",
            errno.EACCES: "permission denied", errno.EROFS: "read-only file system"}.get(e.errno or 0, e.strerror or str(e))
    where = f" writing {e.filename}" if e.filename else ""
    return OSError(e.errno, f"{what}{where}; finished shards are kept in {part}: fix this and re-run the same "
                            "command to resume")


def _clear(part: Path) -> None:
    for p in part.iterdir():
        if p.name != ".lock":
            shutil.rmtree(p) if p.is_dir() else p.unlink()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _resume(part: Path, shards: list[ShardSpec], state: _State) -> int:
    """Restore state from the finished prefix of shards; returns the first shard to (re)do."""
    from .verify import sha256_file

    for k, spec in enumerate(shards):
        marker = part / spec.rel("marker")
        try:
            m = orjson.loads(marker.read_bytes())
            intact = m["shard"] == spec.name and all(
                (part / rel).is_file() and sha256_file(part / rel) == h for rel, h in m["files"].items())
        except (OSError, ValueError, KeyError):
            intact = False
        if not intact:
            for later in shards[k:]:  # later shards depend on this one's history: redo them all
                (part / later.rel("marker")).unlink(missing_ok=True)
            return k
        state.seen.update(m["keys"])
        state.spare_next.update(m["spare_next"])
        state.files.update(m["files"])
        state.stats.merge(Stats.from_json(m["stats"]))
        state.replaced += m["replaced"]
        state.done += len(m["keys"])
    return len(shards)


def _finish_shard(part: Path, cfg: RunConfig, spec: ShardSpec, items: list[Item], state: _State,
                  parquet: bool) -> int:
    """Drop questions already used, top up from spare positions, write the shard's files."""
    keep: list[Item] = []
    replaced = 0
    for it in items:
        if it.key in state.seen:
            replaced += 1
            continue
        state.seen.add(it.key)
        keep.append(it)
    stream = f"{spec.split}/{spec.level}"
    tries = 0
    while len(keep) < spec.size:
        # Spares come from positions past the stream's end, in order: deterministic, and never a
        # position any other shard of this run uses.
        pos = state.spare_next.get(stream, cfg.count(spec.split, spec.level))
        state.spare_next[stream] = pos + 1
        it = make_item(cfg, spec.split, spec.level, pos)
        tries += 1
        if it.key not in state.seen:
            state.seen.add(it.key)
            keep.append(it)
        elif tries > 100 * spec.size:
            raise RuntimeError(f"level {spec.level} has too few distinct questions for {cfg.count(spec.split, spec.level)} "
                               f"{spec.split} records; ask for fewer or add levels")
    if parquet:
        from .hub import to_row, write_parquet
    files: dict[str, str] = {}
    stats = Stats()
    rows = []
    lines = io.BytesIO()
    for it in keep:
        rec = orjson.loads(it.line)
        stats.add(spec.split, rec["task"], rec["level"], rec["answer"])
        for rel, data in (*it.images, *it.extras):
            _write_atomic(part / rel, data)
            files[rel] = _sha(data)
        lines.write(it.line)
        if parquet:
            rows.append(to_row(rec, it.images, cfg.config_hash, cfg.completion))
    jsonl = part / spec.rel("jsonl")
    jsonl.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(jsonl, lines.getvalue())
    files[spec.rel("jsonl")] = _sha(lines.getvalue())
    if parquet:
        pq = part / spec.rel("parquet")
        pq.parent.mkdir(parents=True, exist_ok=True)
        tmp = pq.with_name(pq.name + ".tmp")
        write_parquet(rows, tmp, has_images=cfg.modality != "text")
        os.replace(tmp, pq)
        from .verify import sha256_file

        files[spec.rel("parquet")] = sha256_file(pq)
    marker = {"shard": spec.name, "files": files, "keys": [it.key for it in keep],
              "spare_next": {stream: state.spare_next[stream]} if stream in state.spare_next else {},
              "stats": stats.to_json(), "replaced": replaced}
    _write_atomic(part / spec.rel("marker"), orjson.dumps(marker))
    state.files.update(files)
    state.stats.merge(stats)
    state.replaced += replaced
    state.done += len(keep)
    return len(keep)


def _finalize(part: Path, cfg: RunConfig, args: GenerateArgs, shards: list[ShardSpec], state: _State,
              command: str, parquet: bool) -> dict[str, Any]:
    from .stats import chart, report_markdown

    splits: dict[str, dict[str, int]] = {}
    for split, lv, n in cfg.counts:
        splits.setdefault(split, {})[str(lv)] = n
    counts: dict[str, int] = {}
    for (_, task, lv), c in sorted(state.stats.answers.items()):
        counts[f"{task}/level_{lv}"] = counts.get(f"{task}/level_{lv}", 0) + sum(c.values())
    chart_name = "blind_baseline.png"
    chart(state.stats, part / chart_name)
    manifest: dict[str, Any] = {
        "spatialgen_version": __version__,
        "config_hash": cfg.config_hash,
        "command": command,
        "arguments": args.as_dict(),
        "tasks": list(cfg.task_ids),
        "count": cfg.total,
        "counts": counts,
        "splits": splits,
        "shards": [spec.rel("jsonl") for spec in shards],
        "parquet": parquet,
        "duplicates_replaced": state.replaced,
        "stats": state.stats.to_json(),
        "files": {**dict(sorted(state.files.items())), chart_name: _sha((part / chart_name).read_bytes())},
    }
    if parquet:
        from .hub import write_card

        write_card(part, manifest, report_markdown(state.stats), chart_name)
        manifest["files"]["README.md"] = _sha((part / "README.md").read_bytes())
    else:
        from .stats import report_markdown as rm

        (part / "README.md").write_text(f"# spatialgen dataset\n\n```\n{manifest['command']}\n```\n\n{rm(state.stats)}")
    _write_atomic(part / "manifest.json", orjson.dumps(manifest, option=_JSON))
    shutil.rmtree(part / ".shards", ignore_errors=True)
    for name in ("run.json", ".lock"):
        (part / name).unlink(missing_ok=True)
    return manifest


def _command_for(args: GenerateArgs) -> str:
    """The CLI command equivalent to ``args``, without --out/--workers/--executor, which do not
    change the content: the card and manifest must be byte-identical however the run was executed."""
    parts = ["spatialgen", "generate", "--tasks", args.tasks, "--levels", args.levels, "--seed", str(args.seed),
             "--modality", args.modality]
    if args.n_per_level is not None:
        parts += ["--n-per-level", str(args.n_per_level)]
    else:
        parts += ["--n", str(args.n)]
    v, t = args.held_out()
    parts += ["--validation-per-level", str(v), "--test-per-level", str(t)]
    if args.shard_size != DEFAULT_SHARD_SIZE:
        parts += ["--shard-size", str(args.shard_size)]
    if args.completion != "answer":
        parts += ["--completion", args.completion]
    for d in args.templates:
        parts += ["--templates", d]
    return shlex.join(parts)


def _swap_into_place(tmp: Path, out: Path) -> None:
    if out.exists():
        trash = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(trash)
        tmp.rename(out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        tmp.rename(out)
