"""Make one verified record: a pure function of (version, task, level, seed, index).

Per record, a ``SeedSequence`` built from (seed, task, level, index) first fixes the choices that
must be balanced (the target answer bucket, the correct option's letter, the text variant, the
render style); each attempt then gets its own child generator. An attempt builds a scene, draws
parameters, and keeps the question only if every constraint and check passes. Attempts are
bounded: when a task cannot be satisfied the error says which check kept failing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from . import __version__
from .answers import CHOICE_LETTERS
from .dsl import Context, ProgramError
from .families import IMAGE_MODALITIES, CheckResult
from .render.text_panel import with_question
from .templates import Task

SCENES_PER_RECORD = 60
DRAWS_PER_SCENE = 8
ANSWER_TAG = "Put your final answer inside <answer></answer>."
IMAGE_ONLY_PROMPT = "Answer the question written in the image."


class GenerationError(RuntimeError):
    """A task/level combination could not produce a record within the attempt budget."""


@dataclass
class Sample:
    """A record (JSON-ready dict) with its images still in memory."""

    record: dict[str, Any]
    images: list[Image.Image] = field(default_factory=list)
    #: Extra files (relative path -> bytes) from ``Family.extras``: depth maps, masks...
    files: dict[str, bytes] = field(default_factory=dict)


def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


#: Data splits. "train" keeps the original 4-word seed derivation (records made before splits
#: existed are unchanged); other splits append a fifth word, so their streams are disjoint from it.
SPLITS = ("train", "validation", "test")


def record_seed(seed: int, task_id: str, level: int, index: int, split: str = "train") -> np.random.SeedSequence:
    words = [seed, _stable_int(task_id), level, index]
    if split != "train":
        words.append(_stable_int("split:" + split))
    return np.random.SeedSequence(words)


def record_id(task_id: str, level: int, seed: int, index: int, split: str = "train") -> str:
    tag = "" if split == "train" else f"{split}-"
    return f"{task_id}-L{level}-s{seed}-{tag}{index:06d}"


def to_dsl(value: Any) -> Any:
    """JSON values back to program values (lists become tuples, recursively)."""
    if isinstance(value, list):
        return tuple(to_dsl(v) for v in value)
    return value


def trace_json(steps) -> list[dict[str, Any]]:
    return [{"depth": s.depth, "let": s.label, "value": s.value} if s.is_binding else
            {"depth": s.depth, "op": s.label, "args": list(s.args), "value": s.value} for s in steps]


def sample_params(task: Task, ctx: Context) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for p in task.params:
        if p.values is not None:
            params[p.name] = to_dsl(p.values[int(ctx.rng.integers(len(p.values)))])
        else:
            params[p.name] = p.sampler.run(ctx, params, trace=False).value  # type: ignore[union-attr]
    return params


def check_question(task: Task, ctx: Context, params: dict[str, Any], trace: bool = True):
    """Constraints, program and accept rule on one scene. Returns (value, canonical, steps, checks)
    or raises _Reject naming the failed check. Shared by the sampler and by ``verify``."""
    checks: list[CheckResult] = []
    for c in task.constraints:
        if not c.program.run(ctx, params, trace=False).value:
            raise _Reject(f"constraint '{c.name}'")
        checks.append(CheckResult(f"constraint: {c.name}", True))
    result = task.program.run(ctx, params, trace=trace)
    value = result.value
    canonical = task.answer.canonical(value)
    if task.spec.labels is not None and canonical not in task.label_set:
        raise _Reject(f"answer {canonical!r} is not one of the template's labels")
    if task.answer.canonical(task.answer.parse(canonical)) != canonical:
        raise _Reject("gold answer does not survive the scorer's parser")
    checks.append(CheckResult("gold answer round-trips through the scorer", True))
    fam = task.family
    if fam.perturbations:
        # Seeded from the scene id, so verify repeats exactly the same perturbations.
        prng = np.random.Generator(np.random.PCG64(_stable_int(ctx.scene.id)))
        for _ in range(fam.perturbations):
            moved = Context(fam.perturb(ctx.scene, prng))
            if task.answer.canonical(task.program.run(moved, params, trace=False).value) != canonical:
                raise _Reject("answer changes under a tiny perturbation of the scene")
        checks.append(CheckResult(f"answer stable under {fam.perturbations} perturbations", True))
    if task.accept is not None:
        if not task.accept.run(ctx, {**params, "response": value}, trace=False).value:
            raise _Reject("the program's answer is rejected by the template's accept rule")
        checks.append(CheckResult("gold answer accepted by the accept rule", True))
    return value, canonical, result.trace, checks


def judge_choices(task: Task, ctx: Context, params: dict[str, Any], options: list[Any]) -> list[bool]:
    """Which options are correct answers, proved by the accept rule (or canonical equality)."""
    if task.accept is not None:
        return [bool(task.accept.run(ctx, {**params, "response": o}, trace=False).value) for o in options]
    gold = task.answer.canonical(task.program.run(ctx, params, trace=False).value)
    return [task.answer.canonical(o) == gold for o in options]


class _Reject(Exception):
    pass


def render_hints(task: Task, params: dict[str, Any]) -> dict[str, Any]:
    """The template's ``render`` block with ``$param`` values filled in (e.g. ``highlight: $cell``)."""
    return {k: params[v[1:]] if isinstance(v, str) and v.startswith("$") and v[1:] in params else v
            for k, v in task.spec.render.items()}


def question_text(task: Task, scene, modality: str, params: dict[str, Any], variant: int,
                  choices: list[str] | None) -> str:
    """The record's text. For ``image_only`` the full question lives in the image
    (:func:`image_question`) and the text only points there."""
    if modality == "image_only":
        return f"{IMAGE_ONLY_PROMPT} {ANSWER_TAG}"
    return _full_question(task, scene, modality, params, variant, choices)


def image_question(task: Task, scene, params: dict[str, Any], variant: int, choices: list[str] | None) -> str:
    """The text drawn into the image in the ``image_only`` modality."""
    return _full_question(task, scene, "image_only", params, variant, choices)


def _full_question(task: Task, scene, modality: str, params: dict[str, Any], variant: int,
                   choices: list[str] | None) -> str:
    ctx = {**task.family.text_context(scene), **params}
    body = task.texts[variant].render(**ctx, answer_instruction=task.answer.instruction).strip()
    parts = [task.family.describe(scene, modality), body]
    if choices is not None:
        parts.append("\n".join(f"{CHOICE_LETTERS[i]}. {c}" for i, c in enumerate(choices)))
        parts.append(f"Answer with the letter of the correct option. {ANSWER_TAG}")
    else:
        parts.append(f"{task.answer.instruction} {ANSWER_TAG}")
    return "\n\n".join(parts)


def add_question_panel(task: Task, scene, images: list[Image.Image], params: dict[str, Any], variant: int,
                       choices: list[str] | None) -> list[Image.Image]:
    """``image_only``: the question drawn beneath the family's first image (or on its own for
    families that draw nothing). Render checks run on the family's images before this."""
    text = image_question(task, scene, params, variant, choices)
    return [with_question(images[0] if images else None, text), *images[1:]]


def make_record(task: Task, level: int, seed: int, index: int, modality: str = "image",
                render: bool = True, split: str = "train") -> Sample:
    """The record ``index`` of (task, level, seed, split). Raises GenerationError if the budget runs out."""
    task.family.check_modality(modality)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    ss = record_seed(seed, task.id, level, index, split)
    rng = np.random.Generator(np.random.PCG64(ss))
    target = task.balance[int(rng.integers(len(task.balance)))] if task.balance else None
    n_choices = task.spec.choices.count if task.spec.choices else 0
    letter = int(rng.integers(n_choices)) if n_choices else None
    variant = int(rng.integers(len(task.texts)))
    style = task.family.styles[int(rng.integers(len(task.family.styles)))]
    failures: Counter[str] = Counter()
    # Without sampled parameters every draw on a scene asks the same question: one is enough.
    draws = DRAWS_PER_SCENE if task.params else 1
    drawing = modality in IMAGE_MODALITIES and render

    for attempt in range(SCENES_PER_RECORD):
        arng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(ss.entropy, spawn_key=(attempt,))))
        scene = task.family.build_for(level, arng, task.spec.render)
        if drawing:
            # A scene that would certainly fail a render check is skipped before any question work or
            # rendering. Conservative, so the records are the same as without it: such a scene would
            # end its attempt at the render check anyway, and the next attempt has its own generator.
            why = task.family.render_precheck(scene, task.spec.render)
            if why is not None:
                failures[f"render check: {why} (pre-check)"] += 1
                continue
        ctx = Context(scene, rng=arng)
        for _ in range(draws):
            try:
                params = sample_params(task, ctx)
                value, canonical, steps, checks = check_question(task, ctx, params)
                if target is not None and canonical != target:
                    raise _Reject(f"answer never landed in the balanced bucket '{target}'")
                choices = None
                if n_choices:
                    choices, checks = _make_choices(task, ctx, params, value, n_choices, letter, checks)
            except _Reject as r:
                failures[str(r)] += 1
                continue
            except ProgramError as e:
                failures[f"program error ({e})"] += 1
                continue
            images: list[Image.Image] = []
            hints = render_hints(task, params)
            if drawing:
                images = task.family.render(scene, style, hints)
                render_checks = task.family.render_checks(scene, images, style, hints)
                if not all(c.passed for c in render_checks):
                    failures["render check: " + next(c.name for c in render_checks if not c.passed)] += 1
                    break  # the scene itself cannot be drawn faithfully: take a new one
                checks = checks + render_checks
                if modality == "image_only":
                    images = add_question_panel(task, scene, images, params, variant, choices)
            rid = record_id(task.id, level, seed, index, split)
            annotations: dict[str, Any] = {}
            files: dict[str, bytes] = {}
            if images:
                annotations, extra = task.family.extras(scene, style, hints)
                files = {f"images/{rid}.{suffix}": data for suffix, data in extra.items()}
                if files:
                    annotations = {**annotations, "files": sorted(files)}
            record = {
                "id": rid,
                "task": task.id,
                "family": task.family.name,
                "level": level,
                "seed": seed,
                "index": index,
                "split": split,
                "modality": modality,
                "question": question_text(task, scene, modality, params, variant, choices),
                "answer": CHOICE_LETTERS[letter] if letter is not None else canonical,
                "answer_type": "choice" if n_choices else task.spec.answer_type,
                "choices": choices,
                "images": [f"images/{rid}.png" if k == 0 else f"images/{rid}-{k}.png" for k in range(len(images))],
                "scene": scene.to_json_dict(),
                "params": params,
                "program": task.spec.program.strip(),
                "trace": trace_json(steps),
                "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in checks],
                "text_variant": variant,
                "style": style,
                "version": __version__,
            }
            if annotations:  # only families with extras add the key: other records are unchanged
                record["annotations"] = annotations
            return Sample(record, images, files)
    common = "; ".join(f"{why} ({n}x)" for why, n in failures.most_common(3)) or "no scene could be built"
    raise GenerationError(
        f"task {task.id} level {level} (seed {seed}, index {index}): no valid question after "
        f"{SCENES_PER_RECORD} scenes x {draws} draws; most frequent failures: {common}. "
        f"Loosen the template's constraints or change the level in scenes/{task.family.name}.yaml")


def _make_choices(task: Task, ctx: Context, params, value, n: int, letter: int, checks):
    gold = task.answer.canonical(value)
    pool = task.distractors.run(ctx, params, trace=False).value  # type: ignore[union-attr]
    distractors, seen = [], {gold}
    for d in pool:
        c = task.answer.canonical(d)
        if c not in seen:
            seen.add(c)
            distractors.append(d)
    if len(distractors) < n - 1:
        raise _Reject(f"fewer than {n - 1} distinct distractors")
    options = distractors[: n - 1]
    options.insert(letter, value)
    verdicts = judge_choices(task, ctx, params, options)
    if sum(verdicts) != 1 or not verdicts[letter]:
        raise _Reject("not exactly one correct choice")
    checks = checks + [CheckResult("exactly one correct choice", True, f"option {CHOICE_LETTERS[letter]}")]
    return [task.answer.canonical(o) for o in options], checks
