"""Random grid and map scenes for a level of ``scenes/grid.yaml``.

Python's ``random.Random`` (seeded from the attempt's numpy generator) drives the loops: numpy's
per-call overhead dominates small draws.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from .render import label_boxes, overlaps
from .scene import COLORS, LANDMARKS, LOOKALIKE, MAP_SIZE, SHAPES, SIZES, SYMBOLS, GridItem, GridScene, Landmark

Kind = tuple[str, str, str, str]


def _lookalike(kind: Kind, universe: set[Kind], taken: set[Kind], rnd: random.Random) -> Kind | None:
    """A kind differing from ``kind`` in exactly one attribute (or a confusable character)."""
    shape, color, size, symbol = kind
    if symbol:
        alt = LOOKALIKE.get(symbol)
        cands = [("", "", "", alt)] if alt else []
    else:
        cands = [(s, color, size, "") for s in SHAPES] + [(shape, c, size, "") for c in COLORS] + \
                [(shape, color, z, "") for z in SIZES]
    cands = [c for c in cands if c in universe and c not in taken]
    return cands[rnd.randrange(len(cands))] if cands else None


def build_grid(cfg: dict[str, Any], common: dict[str, Any], rnd: random.Random) -> GridScene:
    rows, cols = rnd.randint(*cfg["rows"]), rnd.randint(*cfg["cols"])
    icons = rnd.choice(cfg["icons"])
    use_size = cfg["sizes"] > 1 and icons == "shapes"
    if icons == "shapes":
        sizes = SIZES if use_size else ("large",)
        universe = set(itertools.product(SHAPES[: cfg["shapes"]], list(COLORS)[: cfg["colors"]], sizes, ("",)))
    else:
        universe = {("", "", "", s) for s in SYMBOLS} | {("", "", "", s) for s in LOOKALIKE}
    pool = sorted(universe)
    kinds = rnd.sample(pool, cfg["kinds"])
    taken = set(kinds)
    for _ in range(cfg["lookalikes"]):
        alt = _lookalike(kinds[rnd.randrange(len(kinds))], universe, taken, rnd)
        if alt is not None:
            kinds.append(alt)
            taken.add(alt)
    # A few kinds placed exactly once, so that "the red star" names a single object.
    singles = rnd.sample(sorted(universe - taken), min(cfg["unique"], len(universe - taken)))
    n = rows * cols
    cells = rnd.sample(range(n), max(len(singles), round(cfg["fill"] * n)))
    items = []
    for k, cell in enumerate(cells):  # sample order is random: singles land anywhere
        kind = singles[k] if k < len(singles) else kinds[rnd.randrange(len(kinds))]
        shape, color, size, symbol = kind
        items.append(GridItem(row=cell // cols, col=cell % cols, shape=shape, color=color, size=size, symbol=symbol))
    items.sort(key=lambda it: (it.row, it.col))
    return GridScene(layout="grid", rows=rows, cols=cols, icons=icons, labels=rnd.choice(cfg["labels"]),
                     use_size=use_size, items=items, **common)


def build_map(cfg: dict[str, Any], common: dict[str, Any], rnd: random.Random) -> GridScene | None:
    """Landmarks at least ``min_separation`` apart whose drawn markers and names do not collide;
    None when a placement fails (the caller draws again)."""
    n = rnd.randint(*cfg["landmarks"])
    names = rnd.sample(LANDMARKS, n)
    colors, lo, hi = list(COLORS), 6.0, MAP_SIZE - 6.0
    placed: list[Landmark] = []
    boxes: list[tuple[float, float, float, float]] = []
    for name in names:
        for _ in range(60):
            mark = Landmark(name=name, x=round(rnd.uniform(lo, hi), 1), y=round(rnd.uniform(lo, hi), 1),
                            shape=rnd.choice(SHAPES), color=rnd.choice(colors))
            if any((mark.x - p.x) ** 2 + (mark.y - p.y) ** 2 < cfg["min_separation"] ** 2 for p in placed):
                continue
            box = label_boxes(mark)
            if any(overlaps(box, b) for b in boxes):
                continue
            placed.append(mark)
            boxes.append(box)
            break
        else:
            return None
    return GridScene(layout="map", landmarks=placed, **common)
