"""Grid and map scene graphs, and the geometry their questions rely on.

A grid scene is R x C cells holding icons (shape x colour x size) or letters/digits; cells are
0-based in the scene graph and 1-based in questions (row 1 is the top row). A map scene holds
named landmarks at continuous (x, y) positions on a 100 x 100 square, y pointing north.
Compass directions are sectors: with ``n`` points each sector is 360/n degrees wide, centred on
its point. A direction is only *clear* when the bearing is at least ``angle_margin`` degrees
away from the sector borders, so that rounding or drawing can never change the answer.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ...scene import Scene

SHAPES = ("circle", "square", "triangle", "diamond", "star", "hexagon", "cross", "pentagon")
PLURAL = {s: s + ("es" if s == "cross" else "s") for s in SHAPES}
COLORS = {
    "red": (214, 39, 40), "blue": (31, 100, 210), "green": (44, 160, 44), "yellow": (240, 200, 20),
    "purple": (148, 80, 190), "orange": (255, 127, 14), "pink": (240, 110, 180), "brown": (140, 86, 60),
}
SIZES = ("small", "large")
# Letters and digits that are easy to tell apart, and look-alike pairs used as distractors.
SYMBOLS = tuple("ABCDEFGHJKLMNPRSTUVWXYZ23456789")
LOOKALIKE = {"O": "0", "0": "O", "I": "1", "1": "I", "S": "5", "5": "S", "B": "8", "8": "B", "Z": "2",
             "2": "Z", "E": "F", "F": "E", "P": "R", "R": "P", "M": "N", "N": "M", "C": "G", "G": "C",
             "U": "V", "V": "U"}
LANDMARKS = ("bakery", "school", "museum", "library", "station", "church", "hotel", "market", "cafe",
             "tower", "bridge", "harbor", "stadium", "farm", "castle", "hospital", "cinema", "garden",
             "lighthouse", "mill", "theater", "zoo", "bank", "fountain")
MAP_SIZE = 100.0
# Counter-clockwise from east, the order of sector indices.
POINTS = {4: ("east", "north", "west", "south"),
          8: ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")}
# Grid relation of a to b from the signs of (column difference, upward row difference).
GRID_RELATION = {(-1, 0): "left", (1, 0): "right", (0, 1): "above", (0, -1): "below",
                 (-1, 1): "upper-left", (1, 1): "upper-right", (-1, -1): "lower-left", (1, -1): "lower-right"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GridItem(_Model):
    row: int
    col: int
    shape: str = ""
    color: str = ""
    size: str = ""
    symbol: str = ""

    def kind(self) -> tuple[str, str, str, str]:
        return (self.shape, self.color, self.size, self.symbol)


class Landmark(_Model):
    name: str
    x: float
    y: float
    shape: str
    color: str


class GridScene(Scene):
    family: Literal["grid"] = "grid"
    layout: Literal["grid", "map"]
    rows: int = 0
    cols: int = 0
    icons: Literal["shapes", "symbols"] = "shapes"
    labels: Literal["numbers", "letters", "none"] = "numbers"
    use_size: bool = False
    items: list[GridItem] = []
    landmarks: list[Landmark] = []
    compass: Literal[4, 8] = 8
    angle_margin: float = 10.0
    distance_ratio: float = 1.25


def kind_name(kind: tuple[str, str, str, str], use_size: bool) -> str:
    """'large red circle', 'red circle', or the symbol itself."""
    shape, color, size, symbol = kind
    if symbol:
        return symbol
    return f"{size} {color} {shape}" if use_size else f"{color} {shape}"


def item_name(item: GridItem, use_size: bool) -> str:
    return kind_name(item.kind(), use_size)


def column_label(scene: GridScene, col: int) -> str:
    """The label of 1-based column ``col`` as the picture and the text table show it."""
    return chr(ord("A") + col - 1) if scene.labels == "letters" else str(col)


# -- count queries: a plural phrase such as "red shapes", "circles", "small blue stars", "copies of K"

def query_phrase(kind: tuple[str, str, str, str], fields: tuple[str, ...]) -> str:
    shape, color, size, symbol = kind
    if symbol:
        return f"copies of {symbol}"
    words = [w for f, w in (("size", size), ("color", color)) if f in fields]
    words.append(PLURAL[shape] if "shape" in fields else "shapes")
    return " ".join(words)


def query_matches(phrase: str, kind: tuple[str, str, str, str]) -> bool:
    """Whether an object of ``kind`` is one of the objects ``phrase`` asks about."""
    shape, color, size, symbol = kind
    if phrase.startswith("copies of "):
        return symbol == phrase[len("copies of "):]
    if symbol:
        return False
    want = {"size": None, "color": None, "shape": None}
    for w in phrase.split():
        if w in SIZES:
            want["size"] = w
        elif w in COLORS:
            want["color"] = w
        elif w in PLURAL.values():
            want["shape"] = next(s for s, p in PLURAL.items() if p == w)
        elif w != "shapes":
            raise ValueError(f"unknown word {w!r} in count query {phrase!r}")
    return all(v is None or v == got for v, got in ((want["size"], size), (want["color"], color),
                                                     (want["shape"], shape)))


# -- map geometry -------------------------------------------------------------------------------------

def bearing(a: Landmark, b: Landmark) -> float:
    """Compass angle of ``a`` seen from ``b``, degrees counter-clockwise from east in [0, 360)."""
    return math.degrees(math.atan2(a.y - b.y, a.x - b.x)) % 360.0


def sector(angle: float, n: int) -> str:
    width = 360.0 / n
    return POINTS[n][int(math.floor(angle / width + 0.5)) % n]


def border_distance(angle: float, n: int) -> float:
    """Degrees from ``angle`` to the nearest border between two compass sectors."""
    width = 360.0 / n
    off = (angle - width / 2) % width
    return min(off, width - off)


def distance(a: Landmark, b: Landmark) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def grid_transform(rows: int, cols: int, transform: str, times: int, row: int, col: int) -> tuple[int, int, int, int]:
    """Where cell (row, col) (0-based) of the transformed grid comes from in the original.

    Returns (source row, source col, transformed rows, transformed cols). ``rotate`` turns the
    grid 90 degrees clockwise; ``mirror_lr`` swaps left and right; ``mirror_tb`` top and bottom.
    """
    if transform not in ("rotate", "mirror_lr", "mirror_tb"):
        raise ValueError(f"unknown transform {transform!r} (rotate, mirror_lr, mirror_tb)")
    if times < 0:
        raise ValueError("times must be >= 0")
    r, c, R, C = row, col, rows, cols
    # Undo one step at a time, from the last transformation back to the original grid.
    shape_after = [(rows, cols)]
    for _ in range(times):
        pr, pc = shape_after[-1]
        shape_after.append((pc, pr) if transform == "rotate" else (pr, pc))
    R, C = shape_after[-1]
    if not (0 <= row < R and 0 <= col < C):
        raise ValueError(f"cell ({row + 1}, {col + 1}) is outside the transformed {R}x{C} grid")
    for step in range(times, 0, -1):
        pr, pc = shape_after[step - 1]  # shape before this step
        if transform == "rotate":  # after a clockwise turn, (r, c) came from (pr - 1 - c, r)
            r, c = pr - 1 - c, r
        elif transform == "mirror_lr":
            c = pc - 1 - c
        else:
            r = pr - 1 - r
    return r, c, R, C
