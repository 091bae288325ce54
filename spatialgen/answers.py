"""Answer types: how an answer is written canonically, parsed from free text, and compared.

Each template names one answer type. The canonical string is what records store in ``answer``;
``parse`` is forgiving about the many ways models write the same answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from .dsl.types import BOOL, INT, STR, Type, declare_type, list_of

CELL = declare_type("Cell", "a grid cell (row, column), 0-based, row 0 at the top", base=list_of(INT))
MOVES = declare_type("Moves", "a sequence of unit moves: up, down, left, right", base=list_of(STR))
DIRECTIONS = declare_type("Directions", "a set of directions, in the order up, down, left, right",
                          base=list_of(STR))

DIRECTION_ORDER = ("up", "down", "left", "right")
_MOVE_WORDS = {
    "up": "up", "u": "up", "north": "up", "n": "up", "↑": "up",
    "down": "down", "d": "down", "south": "down", "s": "down", "↓": "down",
    "left": "left", "l": "left", "west": "left", "w": "left", "←": "left",
    "right": "right", "r": "right", "east": "right", "e": "right", "→": "right",
}
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}


class AnswerParseError(ValueError):
    pass


@dataclass(frozen=True)
class AnswerType:
    name: str
    dsl_type: Type
    instruction: str
    canonical: Callable[[Any], str]
    parse: Callable[[str], Any]


def _canon_text(s: str) -> str:
    return re.sub(r"[\s_]+", " ", s.strip().lower().strip(".!\"'`")).strip()


def _parse_int(text: str) -> int:
    t = _canon_text(text)
    found = re.findall(r"-?\d+", t)
    if found:
        return int(found[-1])
    words = [w for w in re.findall(r"[a-z]+", t) if w in _NUMBER_WORDS]
    if words:
        return _NUMBER_WORDS[words[-1]]
    raise AnswerParseError(f"no integer in {text!r}")


def _parse_bool(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    for w in reversed(words):
        if w in ("yes", "true", "correct"):
            return True
        if w in ("no", "false", "incorrect"):
            return False
    raise AnswerParseError(f"no yes/no in {text!r}")


def _parse_cell(text: str) -> tuple[int, int]:
    nums = re.findall(r"-?\d+", text)
    if len(nums) != 2:
        raise AnswerParseError(f"expected two numbers [row, col] in {text!r}")
    return int(nums[0]), int(nums[1])


def _parse_moves(text: str) -> tuple[str, ...]:
    tokens = re.findall(r"[a-z]+|[↑↓←→]", text.lower())
    if not tokens:
        return ()
    moves = []
    for tok in tokens:
        if tok not in _MOVE_WORDS:
            raise AnswerParseError(f"unknown move {tok!r} in {text!r}; use up, down, left, right")
        moves.append(_MOVE_WORDS[tok])
    return tuple(moves)


def _parse_directions(text: str) -> tuple[str, ...]:
    t = text.lower()
    if re.search(r"\b(none|nothing)\b", t):
        return ()
    found = set(_parse_moves(re.sub(r"\b(and|or|the|can|move|go|i|you|open|directions?)\b|[,;.]", " ", t)))
    return tuple(d for d in DIRECTION_ORDER if d in found)


ANSWER_TYPES: dict[str, AnswerType] = {}


def _register(t: AnswerType) -> None:
    ANSWER_TYPES[t.name] = t


_register(AnswerType("int", INT, "Answer with a single integer.", lambda v: str(int(v)), _parse_int))
_register(AnswerType("bool", BOOL, "Answer yes or no.", lambda v: "yes" if v else "no", _parse_bool))
_register(AnswerType("label", STR, "Answer with one of the allowed words.", _canon_text, _canon_text))
_register(AnswerType("cell", CELL, "Answer with the cell as [row, column].",
                     lambda v: f"[{int(v[0])}, {int(v[1])}]", _parse_cell))
_register(AnswerType("moves", MOVES, "Answer with the moves separated by spaces, e.g. 'up right right down'.",
                     lambda v: " ".join(v), _parse_moves))
_register(AnswerType("directions", DIRECTIONS,
                     "Answer with the open directions separated by spaces, in the order up, down, left, right.",
                     lambda v: " ".join(d for d in DIRECTION_ORDER if d in v) or "none", _parse_directions))

# -- 3D families: free text (object names in multiple choice) and object maps (cognitive maps) ----------

OBJMAP = declare_type("ObjMap", "object name -> [row, column] on a top-down grid, as (name, (row, col)) pairs",
)


def _canon_objmap(v: Any) -> str:
    cells = {_canon_text(str(name)): [int(rc[0]), int(rc[1])] for name, rc in v}
    return json.dumps(dict(sorted(cells.items())))


def _parse_objmap(text: str) -> tuple[tuple[str, tuple[int, int]], ...]:
    # Models wrap JSON in prose or code fences: take the outermost {...} block.
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise AnswerParseError(f"no JSON object in {text!r}")
    try:
        raw = json.loads(text[start:end + 1])
    except json.JSONDecodeError as e:
        raise AnswerParseError(f"invalid JSON object ({e.msg})") from None
    if not isinstance(raw, dict):
        raise AnswerParseError("expected a JSON object mapping names to [row, column]")
    out = []
    for name, rc in raw.items():
        if (not isinstance(rc, list) or len(rc) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in rc)):
            raise AnswerParseError(f"value for {name!r} must be [row, column] integers")
        out.append((_canon_text(name), (rc[0], rc[1])))
    return tuple(sorted(out))


_register(AnswerType("text", STR, "Answer with a short phrase.", _canon_text, _canon_text))
_register(AnswerType("objmap", OBJMAP,
                     'Answer with a JSON object mapping each object to its [row, column], e.g. '
                     '{"small red cube": [0, 2]}.', _canon_objmap, _parse_objmap))

CHOICE_LETTERS = "ABCDEFGH"


def parse_choice(text: str, choices: list[str]) -> int:
    """Index of the chosen option: a letter (``B``, ``(B)``, ``B.``) or the option's own text."""
    t = text.strip()
    m = re.fullmatch(r"\(?([A-Ha-h])[).:]?(\s.*)?", t, flags=re.S)
    if m and m.group(1).upper() in CHOICE_LETTERS[: len(choices)]:
        return CHOICE_LETTERS.index(m.group(1).upper())
    norm = _canon_text(t)
    for i, c in enumerate(choices):
        if _canon_text(c) == norm:
            return i
    m = re.search(r"\b(?:option|answer|choice)\s*(?:is\s*)?\(?([A-H])\b", t, flags=re.I)
    if m and m.group(1).upper() in CHOICE_LETTERS[: len(choices)]:
        return CHOICE_LETTERS.index(m.group(1).upper())
    raise AnswerParseError(f"no choice letter in {text!r}")


def get_answer_type(name: str) -> AnswerType:
    try:
        return ANSWER_TYPES[name]
    except KeyError:
        raise ValueError(f"unknown answer_type {name!r}; known: {', '.join(sorted(ANSWER_TYPES))}") from None


__all__ = ["ANSWER_TYPES", "AnswerParseError", "AnswerType", "CELL", "CHOICE_LETTERS", "DIRECTIONS",
           "DIRECTION_ORDER", "MOVES", "OBJMAP", "get_answer_type", "list_of", "parse_choice", "STR"]


# -- spatial labels, names and compass routes (grid and relations families) ----------------------

RELATION_LABELS = ("left", "right", "above", "below", "upper-left", "upper-right", "lower-left",
                   "lower-right", "overlap")
COMPASS_POINTS = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")
CANNOT_DETERMINE = "cannot be determined"
COMPASS_MOVES = declare_type("CompassMoves", "a route as compass steps: north, south, east, west",
                             base=list_of(STR))
_VERT = {"upper": "upper", "top": "upper", "up": "upper", "above": "upper", "over": "upper",
         "lower": "lower", "bottom": "lower", "down": "lower", "below": "lower", "under": "lower",
         "beneath": "lower"}
_HORIZ = {"left": "left", "right": "right"}
_ABBREV = {"n": "north", "s": "south", "e": "east", "w": "west", "ne": "north-east", "nw": "north-west",
           "se": "south-east", "sw": "south-west"}


def _parse_relation(text: str) -> str:
    """'upper left', 'top-left', 'above and to the left' -> 'upper-left'; 'same place' -> overlap."""
    t = _canon_text(text)
    if t in RELATION_LABELS:
        return t
    words = re.findall(r"[a-z]+", t)
    if {"overlap", "overlapping", "same", "overlaps"} & set(words):
        return "overlap"
    v = [_VERT[w] for w in words if w in _VERT]
    h = [_HORIZ[w] for w in words if w in _HORIZ]
    if len(set(v)) > 1 or len(set(h)) > 1 or not (v or h):
        raise AnswerParseError(f"no single relation in {text!r}")
    if v and h:
        return f"{v[0]}-{h[0]}"
    return h[0] if h else {"upper": "above", "lower": "below"}[v[0]]


def _parse_compass(text: str) -> str:
    """'NE', 'northeast', 'north east', 'north-east' -> 'north-east'."""
    t = _canon_text(text).replace("-", " ")
    words = re.findall(r"[a-z]+", t)
    if len(words) == 1 and words[0] in _ABBREV:
        return _ABBREV[words[0]]
    joined = "".join(w for w in words if w in ("north", "south", "east", "west", "northeast", "northwest",
                                                 "southeast", "southwest"))
    for point in COMPASS_POINTS:
        if joined == point.replace("-", ""):
            return point
    raise AnswerParseError(f"no compass direction in {text!r}")


def _canon_name(v: Any) -> str:
    """Object names: lower case, no leading article or 'the letter', no quotes."""
    t = _canon_text(str(v)).replace('"', "").replace("'", "")
    if re.search(r"\b(cannot|can't|can not) be (determined|known|told)\b|\bundetermined\b|\bunknown\b", t):
        return CANNOT_DETERMINE
    t = re.sub(r"^(the|a|an)\s+", "", t)
    t = re.sub(r"^(letter|digit|symbol|character)\s+", "", t).strip()
    return t.upper() if len(t) == 1 else t  # single letters/digits keep their printed case


def _parse_compass_moves(text: str) -> tuple[str, ...]:
    words = re.findall(r"[a-z]+", text.lower())
    moves = []
    for w in words:
        w = _ABBREV.get(w, w)
        if w in ("north", "south", "east", "west"):
            moves.append(w)
        elif w not in ("then", "and", "go", "move", "walk", "to", "the", "head"):
            raise AnswerParseError(f"unknown step {w!r} in {text!r}; use north, south, east, west")
    return tuple(moves)


_register(AnswerType("relation", STR, "Answer with one of: " + ", ".join(RELATION_LABELS) + ".",
                     _parse_relation, _parse_relation))
_register(AnswerType("compass", STR, "Answer with a compass direction such as north or south-west.",
                     _parse_compass, _parse_compass))
_register(AnswerType("object", STR, "Answer with the object's name only.", _canon_name, _canon_name))
_register(AnswerType("compass_moves", COMPASS_MOVES,
                     "Answer with the steps separated by spaces, e.g. 'north east east'.",
                     lambda v: " ".join(v), _parse_compass_moves))
