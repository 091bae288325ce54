"""Paraphrase bank (loaded from ``scenes/relations.yaml``) and the query types shared by the
generator (``story``) and the text-only verifier (``deduce``).

Nothing here knows about positions: the bank only says which wording asserts which label.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from ...resources import data_dir

# The 9 answer labels; "a is <label> of b" on a grid with y pointing up.
DIRECTIONS: tuple[str, ...] = (
    "left", "right", "above", "below",
    "upper-left", "upper-right", "lower-left", "lower-right",
)
LABELS: tuple[str, ...] = DIRECTIONS + ("overlap",)
# One-axis predicates used by yes/no and "which object" questions (bAbI 17 semantics:
# "Is A to the left of B?" only asks about x, whatever the vertical offset).
PREDICATES: tuple[str, ...] = ("left", "right", "above", "below")
CANNOT = "cannot be determined"
NOISE = "noise"


@dataclass(frozen=True)
class Template:
    """One sentence wording. ``rel`` is what the sentence asserts about ({a}, {b})."""

    id: str
    rel: str
    text: str

    def render(self, a: str, b: str | None = None) -> str:
        """Fill in names, capitalise the first letter and add a full stop."""
        s = self.text.format(a=a, b=b) if b is not None else self.text.format(a=a)
        return s[0].upper() + s[1:] + "."


@dataclass(frozen=True)
class Bank:
    """Sentence templates per label, distractor templates, names, questions, level ladder."""

    templates: Mapping[str, tuple[Template, ...]]
    noise: tuple[Template, ...]
    names: Mapping[str, tuple[str, ...]]
    questions: Mapping[str, Any]
    levels: Mapping[int, Mapping[str, Mapping[str, int]]]

    def all_templates(self) -> list[Template]:
        return [t for rel in LABELS for t in self.templates[rel]]

    def compass_templates(self, rel: str) -> tuple[Template, ...]:
        """Templates for ``rel`` worded with compass points (for the rooms task)."""
        words = ("north", "south", "east", "west")
        return tuple(t for t in self.templates[rel] if any(w in t.text for w in words))


@dataclass(frozen=True)
class RelationQuery:
    """What is the relation of ``a`` to ``b``? -> one of LABELS, or CANNOT."""

    a: str
    b: str


@dataclass(frozen=True)
class PredicateQuery:
    """Is ``a`` <pred> ``b``? (pred in PREDICATES) -> "yes", "no" or CANNOT."""

    a: str
    pred: str
    b: str


@dataclass(frozen=True)
class WhichQuery:
    """Which of ``candidates`` is <pred> ``ref``? -> the single candidate, or CANNOT.

    Determined only when every candidate's membership is entailed and exactly one is in.
    """

    pred: str
    ref: str
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class RouteQuery:
    """How do you go from ``start`` to ``goal``? -> tuple of compass words."""

    start: str
    goal: str


Query = RelationQuery | PredicateQuery | WhichQuery | RouteQuery


def default_bank_path() -> Path:
    """``scenes/relations.yaml``: the same file the family's preset (levels) is read from."""
    path = data_dir("scenes") / "relations.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall spatialgen")
    return path


def _check_template(t: Template) -> None:
    # Catch data errors at load time rather than as odd parses later.
    if t.rel != NOISE and (t.text.count("{a}") != 1 or t.text.count("{b}") != 1):
        raise ValueError(f"template {t.id} needs exactly one {{a}} and one {{b}}: {t.text!r}")
    if t.text.rstrip().endswith("."):
        raise ValueError(f"template {t.id} must not end with a full stop: {t.text!r}")


def bank_from_dict(data: Mapping[str, Any]) -> Bank:
    """Build a Bank from the parsed YAML mapping (validates labels and placeholders)."""
    raw = data["templates"]
    if set(raw) != set(LABELS):
        raise ValueError(f"templates must cover exactly {LABELS}, got {sorted(raw)}")
    templates = {
        rel: tuple(Template(f"{rel}/{i}", rel, text) for i, text in enumerate(raw[rel]))
        for rel in LABELS
    }
    noise = tuple(Template(f"{NOISE}/{i}", NOISE, t) for i, t in enumerate(data["noise_templates"]))
    for t in [*(x for ts in templates.values() for x in ts), *noise]:
        _check_template(t)
    names = {k: tuple(v) for k, v in data["names"].items()}
    levels = {int(k): v for k, v in data["levels"].items()}
    return Bank(templates, noise, names, data["questions"], levels)


@functools.lru_cache(maxsize=8)
def load_bank(path: str | None = None) -> Bank:
    """Load (and cache) the bank; ``path`` defaults to :func:`default_bank_path`."""
    p = Path(path) if path else default_bank_path()
    with open(p, encoding="utf-8") as fh:
        return bank_from_dict(yaml.safe_load(fh))


def pick(rng: Any, seq: Sequence[Any]) -> Any:
    """Uniform choice through the passed generator (keeps element types intact)."""
    return seq[int(rng.integers(len(seq)))]
