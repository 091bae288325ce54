"""Command line: ``spatialgen list | generate | verify | score``.

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
    p.add_argument("--n", type=int, default=100, help="total number of records (default: 100)")
    p.add_argument("--seed", type=int, default=0, help="base seed (default: 0)")
    p.add_argument("--levels", default="1-5", help="levels, e.g. 1-5 or 1,3 (default: 1-5)")
    p.add_argument("--modality", default="image", choices=list(MODALITIES),
                   help="image: picture + question; text: scene in words; both: picture + words; "
                        "image_only: the question drawn into the picture (default: image)")
    p.add_argument("--out", default="spatialgen_data", help="output folder (default: ./spatialgen_data)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default: 1; output is identical for any K)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output folder when done")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--render-backend", choices=["auto", "egl", "osmesa"], default=None,
                   help="3D families: OpenGL platform (default: $SPATIALGEN_RENDER_BACKEND or auto = EGL, "
                        "GPU if present else Mesa llvmpipe)")
    _templates_arg(p)

    p = sub.add_parser("verify", help="re-check every record and file of a dataset folder")
    p.add_argument("dir")
    _templates_arg(p)

    p = sub.add_parser("score", help="accuracy of predictions per task and level")
    p.add_argument("dir")
    p.add_argument("predictions", help="JSONL with {'id': ..., 'response': ...} per line")
    p.add_argument("--partial", action="store_true", help="partial credit where a template defines it")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    _templates_arg(p)
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
    from .writer import GenerateArgs, generate_dataset

    if args.n < 1:
        raise ValueError("--n must be at least 1")
    if args.seed < 0:
        raise ValueError("--seed must be a non-negative integer")
    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    if args.render_backend:  # read by spatialgen.render.worker in every (forked) worker process
        os.environ["SPATIALGEN_RENDER_BACKEND"] = args.render_backend
    gargs = GenerateArgs(args.tasks, args.n, args.seed, args.levels, args.modality,
                         [str(Path(t).resolve()) for t in args.templates])
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=args.n, unit="rec", desc="generate", file=sys.stderr)
    try:
        manifest = generate_dataset(gargs, Path(args.out), workers=args.workers, overwrite=args.overwrite,
                                    progress=bar.update if bar else None)
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
    from .verify import iter_records

    records = {r["id"]: r for r in iter_records(Path(args.dir) / "records.jsonl")}
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


COMMANDS = {"list": cmd_list, "generate": cmd_generate, "verify": cmd_verify, "score": cmd_score}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
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
