"""Turn a record's program trace into a step-by-step rationale (chain-of-thought text for SFT)."""

from __future__ import annotations

from typing import Any


def _fmt(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        if v and all(isinstance(x, str) for x in v):
            return " ".join(v) if len(v) <= 40 else " ".join(v[:40]) + f" ... ({len(v)} items)"
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def rationale(trace: list[dict[str, Any]], answer: str | None = None) -> str:
    """Numbered steps, ``op(args) = value`` and ``let name = value``; steps inside named definitions
    are indented."""
    lines = []
    for n, step in enumerate(trace, 1):
        if "let" in step:
            text = f"let {step['let']} = {_fmt(step['value'])}"
        else:
            text = f"{step['op']}({', '.join(_fmt(a) for a in step['args'])}) = {_fmt(step['value'])}"
        lines.append(f"{'  ' * step['depth']}{n}. {text}")
    if answer is not None:
        lines.append(f"So the answer is {answer}.")
    return "\n".join(lines)
