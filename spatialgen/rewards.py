"""Reward functions for RL trainers (TRL's GRPO signature: ``reward(completions, **columns)``).

TRL passes the generated completions (strings, or for conversational datasets lists of
``{"role", "content"}`` messages) and every other dataset column as a keyword list aligned with them.
The rewards here read the ``ground_truth`` column of a spatialgen dataset (a JSON string holding
the task, answer, choices, parameters and scene), so routes are judged by simulating the moves on the
scene, exactly like ``spatialgen score``.

    from spatialgen.rewards import correctness_reward, format_reward
    GRPOTrainer(..., reward_funcs=[correctness_reward, format_reward])
"""

from __future__ import annotations

import json
import re
from typing import Any

from .scoring import score

_TAGGED = re.compile(r"<answer>\s*\S.*?</answer>", re.S | re.I)


def completion_text(completion: Any) -> str:
    """The text of one completion: a string, a list of messages (last assistant message), or a
    message whose content is a list of typed parts."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        content = completion.get("content", "")
        if isinstance(content, list):
            return "".join(p.get("text") or "" for p in content if isinstance(p, dict))
        return str(content)
    if isinstance(completion, (list, tuple)):
        msgs = [m for m in completion if isinstance(m, dict)]
        assistant = [m for m in msgs if m.get("role", "assistant") == "assistant"] or msgs
        return completion_text(assistant[-1]) if assistant else ""
    return str(completion)


def _ground_truth(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, (str, bytes)) else dict(value)


def correctness_reward(completions: list[Any], ground_truth: list[Any] | None = None, partial: bool = False,
                       **columns: Any) -> list[float]:
    """1.0 when the completion's final answer is correct, else 0.0 (with ``partial=True``, route
    tasks give partial credit for progress towards the goal)."""
    if ground_truth is None:
        raise ValueError("correctness_reward needs the dataset's 'ground_truth' column")
    if len(ground_truth) != len(completions):
        raise ValueError(f"{len(completions)} completions but {len(ground_truth)} ground_truth values")
    return [score(_ground_truth(gt), completion_text(c), partial=partial) for c, gt in zip(completions, ground_truth)]


def format_reward(completions: list[Any], **columns: Any) -> list[float]:
    """1.0 when the completion states exactly one non-empty ``<answer>...</answer>``, else 0.0."""
    return [1.0 if len(_TAGGED.findall(completion_text(c))) == 1 else 0.0 for c in completions]


def partial_reward(completions: list[Any], ground_truth: list[Any] | None = None, **columns: Any) -> list[float]:
    """Like :func:`correctness_reward` with partial credit where a template defines it."""
    return correctness_reward(completions, ground_truth, partial=True, **columns)
