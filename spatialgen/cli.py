"""Command line: ``spatialgen list | generate | verify | score | stats | preview | push | export``.

User errors (bad templates, unknown tasks, impossible levels, unwritable folders) print one line,
``spatialgen: error: ...``, and exit with code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

from . import __version__
from .families.base import MODALITIES


def _templates_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--templates", action="append", default=[], metavar="DIR",
                   help="extra template folder (repeatable); validated like the built-in ones")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spatialgen", description="Verified synthetic spatial-reasoning data.")
    parser.add_argument("--version", action="version", version=f"spatialgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="families, tasks and levels")
    _templates_arg(p)
    p.add_argument("--operators", action="store_true", help="also list the program operators per family")

    p = sub.add_parser("generate", help="write a verified dataset folder")
    p.add_argument("--tasks", default="maze.*", help="comma-separated task patterns (default: 'maze.*')")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--n", type=int, default=None,
                      help="total train records, round-robin over tasks x levels (default: 100)")
    size.add_argument("--n-per-level", type=int, default=None, metavar="N",
                      help="train records per level (one dataset config per level)")
    p.add_argument("--seed", type=int, default=0, help="base seed (default: 0)")
    p.add_argument("--levels", default="1-5", help="levels, e.g. 1-5 or 1,3 (default: 1-5)")
    p.add_argument("--modality", default="image", choices=list(MODALITIES),
                   help="image: picture + question; text: scene in words; both: picture + words; "
                        "image_only: the question drawn into the picture (default: image)")
    p.add_argument("--out", default="spatialgen_data", help="output folder (default: ./spatialgen_data)")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes (default: all cores; output is identical for any K)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output folder when done")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--render-backend", choices=["auto", "egl", "osmesa"], default=None,
                   help="3D families: OpenGL platform (default: $SPATIALGEN_RENDER_BACKEND or auto = EGL, "
                        "GPU if present else Mesa llvmpipe)")
    _templates_arg(p)
    _add_scale_options(p)

    p = sub.add_parser("verify", help="re-check every record and file of a dataset folder")
    p.add_argument("dir")
    _templates_arg(p)

    p = sub.add_parser("score", help="accuracy of predictions per task and level")
    p.add_argument("dir")
    p.add_argument("predictions", help="JSONL with {'id': ..., 'response': ...} per line")
    p.add_argument("--partial", action="store_true", help="partial credit where a template defines it")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    _templates_arg(p)
    _add_dataset_commands(sub)
    return parser


def cmd_list(args) -> int:
    from .catalog import catalog
    from .dsl import LIBRARY
    from .families import all_families

    cat = catalog(tuple(args.templates))
    for name, fam in all_families().items():
        levels = sorted(fam.levels)
        print(f"{name}  (levels {levels[0]}-{levels[-1]})  modalities: {', '.join(fam.modalities)}")
        for tid, task in sorted(cat.tasks.items()):
            if task.family is fam:
                kind = "choice" if task.is_choice else task.spec.answer_type
                print(f"  {tid:<34} {kind:<10} L{levels[0]}-{levels[-1]}  {task.spec.description}")
        if args.operators:
            for op in LIBRARY.visible(name):
                if op.family == name:
                    print(f"    op {op.signature}{'  [random]' if op.random else ''}  - {op.doc}")
    if args.operators:
        print("core operators")
        for op in LIBRARY.visible(None):
            print(f"    op {op.signature}{'  [random]' if op.random else ''}  - {op.doc}")
    return 0


def cmd_generate(args) -> int:
    from .writer import GenerateArgs, generate_dataset, run_config

    if args.workers is not None and args.workers < 1:
        raise ValueError("--workers must be at least 1")
    if args.render_backend:  # read by spatialgen.render.worker in every (forked) worker process
        os.environ["SPATIALGEN_RENDER_BACKEND"] = args.render_backend
    n = 100 if args.n is None and args.n_per_level is None else args.n
    gargs = GenerateArgs(args.tasks, n, args.seed, args.levels, args.modality,
                         [str(Path(t).resolve()) for t in args.templates],
                         n_per_level=args.n_per_level, validation_per_level=args.validation_per_level,
                         test_per_level=args.test_per_level, shard_size=args.shard_size,
                         completion=args.completion, license=args.license)
    total = run_config(gargs).total  # validates everything before a progress bar appears
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="rec", desc="generate", file=sys.stderr)

    def log(msg: str) -> None:
        (bar.write if bar else print)(msg, file=sys.stderr)

    try:
        manifest = generate_dataset(gargs, Path(args.out), workers=args.workers, overwrite=args.overwrite,
                                    progress=bar.update if bar else None, executor=args.executor,
                                    address=args.address, log=log)
    except KeyboardInterrupt:
        if bar:
            bar.close()
        print("spatialgen: interrupted; finished shards are kept: re-run the same command to resume",
              file=sys.stderr)
        return 130
    finally:
        if bar:
            bar.close()
    print(f"wrote {manifest['count']} verified records to {args.out}")
    return 0


def cmd_verify(args) -> int:
    from .verify import verify_dataset

    report = verify_dataset(Path(args.dir), tuple(str(Path(t).resolve()) for t in args.templates))
    for p in report.problems[:50]:
        print(f"FAIL {p}")
    if len(report.problems) > 50:
        print(f"... and {len(report.problems) - 50} more problems")
    status = "OK" if report.ok else "FAILED"
    print(f"{status}: {report.records} records and {report.files} files checked, {len(report.problems)} problems")
    return 0 if report.ok else 1


def cmd_score(args) -> int:
    from .scoring import score
    from .verify import iter_dataset_records, iter_records

    records = {r["id"]: r for r in iter_dataset_records(Path(args.dir))}
    preds: dict[str, str] = {}
    for r in iter_records(Path(args.predictions)):
        if "id" not in r or "response" not in r:
            raise ValueError(f"{args.predictions}: every line needs 'id' and 'response'")
        preds[str(r["id"])] = str(r["response"])
    unknown = [k for k in preds if k not in records]
    if unknown:
        raise ValueError(f"{args.predictions}: {len(unknown)} prediction id(s) are not in {args.dir}, e.g. {unknown[0]!r}")
    table: dict[tuple[str, int], list[float]] = defaultdict(list)
    dirs = tuple(str(Path(t).resolve()) for t in args.templates)
    for rid, rec in records.items():
        s = score(rec, preds[rid], partial=args.partial, template_dirs=dirs) if rid in preds else 0.0
        table[(rec["task"], rec["level"])].append(s)
    rows = [{"task": t, "level": lv, "n": len(v), "accuracy": sum(v) / len(v)} for (t, lv), v in sorted(table.items())]
    total = [s for v in table.values() for s in v]
    if args.json:
        print(json.dumps({"rows": rows, "overall": sum(total) / len(total), "missing": len(records) - len(preds)}))
        return 0
    print(f"{'task':<34} {'level':>5} {'n':>6} {'accuracy':>9}")
    for r in rows:
        print(f"{r['task']:<34} {r['level']:>5} {r['n']:>6} {r['accuracy']:>9.3f}")
    print(f"{'overall':<34} {'':>5} {len(total):>6} {sum(total) / len(total):>9.3f}")
    if len(preds) < len(records):
        print(f"({len(records) - len(preds)} records had no prediction and count as wrong)")
    return 0


# -- datasets at scale (issue 5): generate options, stats, preview, push, export -----------------

def _add_scale_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--validation-per-level", type=int, default=None, metavar="N",
                   help="validation records per level (default: a tenth of --n-per-level; 0 with --n)")
    p.add_argument("--test-per-level", type=int, default=None, metavar="N",
                   help="test records per level (default: a tenth of --n-per-level; 0 with --n)")
    p.add_argument("--shard-size", type=int, default=1000, help="records per shard (default: 1000)")
    p.add_argument("--completion", default="answer", choices=["answer", "trace", "none"],
                   help="SFT completion column: the tagged answer, the program trace as rationale, or none")
    p.add_argument("--executor", default="local", choices=["local", "ray"],
                   help="local processes (default) or Ray tasks (pip install 'spatialgen[ray]')")
    p.add_argument("--address", default=None, help="Ray cluster address (default: start a local instance)")
    p.add_argument("--license", default="apache-2.0", help="license written into the dataset card")


def _add_dataset_commands(sub) -> None:
    p = sub.add_parser("stats", help="quality report of a dataset folder (counts, answers, blind baseline)")
    p.add_argument("dir")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("preview", help="contact sheet (PNG) and HTML gallery of records")
    p.add_argument("dir")
    p.add_argument("--n", type=int, default=24, help="records to show (default: 24)")
    p.add_argument("--out", default="preview.png", help="contact sheet path; the gallery goes beside it as .html")
    p.add_argument("--seed", type=int, default=0, help="which records are picked (default: 0)")

    p = sub.add_parser("push", help="upload a dataset folder to the Hugging Face Hub (dataset repo)")
    p.add_argument("dir")
    p.add_argument("--repo", required=True, help="org/name of the dataset repo")
    p.add_argument("--dry-run", action="store_true", help="list what would be sent; send nothing")
    p.add_argument("--private", action="store_true", help="create the repo as private")
    p.add_argument("--include-raw", action="store_true", help="also send the JSONL + PNG copies")

    p = sub.add_parser("export", help="evaluation-harness files for a dataset folder")
    p.add_argument("format", choices=["lmms-eval", "vlmevalkit"])
    p.add_argument("dir")
    p.add_argument("--out", default=None, help="output folder or file (default: inside DIR/export/)")
    p.add_argument("--split", default=None, help="split to evaluate (default: test if present, else train)")
    p.add_argument("--dataset-path", default=None,
                   help="lmms-eval dataset_path: a Hub repo id (default: the folder's absolute path)")


def cmd_stats(args) -> int:
    from .stats import Stats, report_text
    from .verify import load_manifest

    manifest = load_manifest(Path(args.dir))
    if "stats" not in manifest:
        raise ValueError(f"{args.dir}: the manifest has no stats (made by an older spatialgen); regenerate it")
    stats = Stats.from_json(manifest["stats"])
    if args.json:
        print(json.dumps(stats.report()))
    else:
        print(report_text(stats))
    return 0


def cmd_preview(args) -> int:
    from .preview import preview

    if args.n < 1:
        raise ValueError("--n must be at least 1")
    sheet, html = preview(Path(args.dir), args.n, Path(args.out), seed=args.seed)
    print(f"wrote {sheet} and {html}")
    return 0


def cmd_push(args) -> int:
    from .hub import push

    files = push(Path(args.dir), args.repo, dry_run=args.dry_run, private=args.private,
                 include_raw=args.include_raw)
    if args.dry_run:
        for f in files:
            print(f)
        print(f"dry run: would upload {len(files)} files to the dataset repo {args.repo}")
    else:
        print(f"uploaded {len(files)} files to https://huggingface.co/datasets/{args.repo}")
    return 0


def cmd_export(args) -> int:
    from .export import export_lmms_eval, export_vlmevalkit

    if args.format == "lmms-eval":
        out = export_lmms_eval(Path(args.dir), Path(args.out) if args.out else None, split=args.split,
                               dataset_path=args.dataset_path)
    else:
        out = export_vlmevalkit(Path(args.dir), Path(args.out) if args.out else None, split=args.split)
    print(f"wrote {out}")
    return 0


COMMANDS = {"list": cmd_list, "generate": cmd_generate, "verify": cmd_verify, "score": cmd_score,
            "stats": cmd_stats, "preview": cmd_preview, "push": cmd_push, "export": cmd_export}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        # Output piped into e.g. `head` that stopped reading: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("spatialgen: interrupted; no partial output was left behind", file=sys.stderr)
        return 130
    except (ValueError, OSError, RuntimeError) as e:
        # TemplateError, DslError and GenerationError are ValueError/RuntimeError subclasses
        # whose messages already say what, where and how to fix.
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        print(f"spatialgen: error: {msg}", file=sys.stderr)
        if os.environ.get("SPATIALGEN_DEBUG"):
            raise
        return 2


if __name__ == "__main__":
    sys.exit(main())
