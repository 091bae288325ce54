"""Score free-text model responses against records.

The final answer is extracted from ``<answer>...</answer>`` (last occurrence), else from a
``final answer:`` line, else from the last non-empty line. Routes are judged by simulating the
moves on the stored scene (the template's ``accept`` rule), never by string matching.
"""

from __future__ import annotations

import re
from typing import Any

from .answers import CHOICE_LETTERS, AnswerParseError, parse_choice
from .catalog import catalog
from .dsl import Context, ProgramError
from .sampler import to_dsl

_TAG = re.compile(r"<answer>(.*?)</answer>", re.S | re.I)
_FINAL = re.compile(r"(?:final answer|answer)\s*(?:is)?\s*[:：]\s*(.+)", re.I)


def extract_answer(response: str) -> str:
    """The part of a response that states the final answer."""
    tags = _TAG.findall(response)
    if tags:
        return tags[-1].strip()
    lines = [ln.strip() for ln in response.strip().splitlines() if ln.strip()]
    for ln in reversed(lines):
        m = _FINAL.search(ln)
        if m:
            return m.group(1).strip()
    return lines[-1] if lines else ""


def _scene(record: dict[str, Any], task):
    return task.family.scene_type.model_validate(record["scene"])


def score(record: dict[str, Any], response: str, partial: bool = False,
          template_dirs: tuple[str, ...] = ()) -> float:
    """1.0 for a correct answer, 0.0 otherwise; with ``partial`` and a template that defines a
    ``partial`` rule (e.g. route progress), a fraction in [0, 1] for partly right answers."""
    text = extract_answer(response)
    if record.get("choices"):
        try:
            chosen = parse_choice(text, record["choices"])
        except AnswerParseError:
            return 0.0
        return 1.0 if CHOICE_LETTERS[chosen] == record["answer"] else 0.0
    task = catalog(tuple(template_dirs)).get(record["task"])
    try:
        value = task.answer.parse(text)
    except AnswerParseError:
        return 0.0
    if task.accept is None and (not partial or task.partial is None):
        return 1.0 if task.answer.canonical(value) == record["answer"] else 0.0
    ctx = Context(_scene(record, task))
    params = {k: to_dsl(v) for k, v in record["params"].items()}
    try:
        ok = (task.accept.run(ctx, {**params, "response": value}, trace=False).value if task.accept
              else task.answer.canonical(value) == record["answer"])
        if ok:
            return 1.0
        if partial and task.partial is not None:
            return float(task.partial.run(ctx, {**params, "response": value}, trace=False).value)
    except ProgramError:
        return 0.0
    return 0.0
