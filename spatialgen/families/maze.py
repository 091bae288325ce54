"""Mazes: perfect and braided grid mazes, their operators, text twin and Pillow rendering.

Cells are (row, col), row 0 at the top; ``up`` is row-1 and ``right`` is col+1. Internally a maze
is a list of 4-bit masks (one per cell, bit set = open towards that direction) for speed; the
scene graph stores the public, human-readable form (``passages``).
"""

from __future__ import annotations

import random
from collections import deque
from functools import cached_property, lru_cache
from typing import Any, ClassVar, Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..dsl import ProgramError, operator
from ..scene import Scene
from . import CheckResult, Family, register_family

Cell = tuple[int, int]
DIRS = ("up", "down", "left", "right")
DELTA = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
BIT = {"up": 1, "down": 2, "left": 4, "right": 8}
OPPOSITE = {"up": "down", "down": "up", "left": "right", "right": "left"}
# Heading after turning right (clockwise) from each heading.
CLOCKWISE = {"up": "right", "right": "down", "down": "left", "left": "up"}


class MazeScene(Scene):
    family: Literal["maze"] = "maze"
    rows: int
    cols: int
    start: tuple[int, int]
    goal: tuple[int, int]
    passages: list[tuple[tuple[int, int], tuple[int, int]]]
    algorithm: str
    braid: float = 0.0
    loops: int = 0
    ascii: str = ""

    # -- structure ----------------------------------------------------------------------------
    @cached_property
    def open_mask(self) -> list[int]:
        """One 4-bit mask per cell (bit set = open that way). Cached in the instance dict: a plain
        attribute read afterwards, which the hot loops need (pydantic private attributes are slow)."""
        m = [0] * (self.rows * self.cols)
        for (r1, c1), (r2, c2) in self.passages:
            d = _direction((r1, c1), (r2, c2))
            m[r1 * self.cols + c1] |= BIT[d]
            m[r2 * self.cols + c2] |= BIT[OPPOSITE[d]]
        return m

    def inside(self, cell: Cell) -> bool:
        return 0 <= cell[0] < self.rows and 0 <= cell[1] < self.cols

    def is_open(self, cell: Cell, d: str) -> bool:
        return bool(self.open_mask[cell[0] * self.cols + cell[1]] & BIT[d])

    def neighbours(self, cell: Cell, mask: list[int] | None = None):
        m = (mask or self.open_mask)[cell[0] * self.cols + cell[1]]
        for d in DIRS:
            if m & BIT[d]:
                dr, dc = DELTA[d]
                yield d, (cell[0] + dr, cell[1] + dc)

    def distances(self, src: Cell) -> list[int]:
        """BFS distance from ``src`` to every cell (index r*cols+c); -1 if unreachable."""
        return bfs_distances(self.open_mask, self.cols, src[0] * self.cols + src[1])


def bfs_distances(mask: list[int], cols: int, src: int) -> list[int]:
    dist = [-1] * len(mask)
    dist[src] = 0
    q = deque([src])
    steps = ((1, -cols), (2, cols), (4, -1), (8, 1))
    while q:
        i = q.popleft()
        nd = dist[i] + 1
        m = mask[i]
        for bit, off in steps:
            if m & bit:
                j = i + off
                if dist[j] < 0:
                    dist[j] = nd
                    q.append(j)
    return dist


def _direction(a: Cell, b: Cell) -> str:
    for d, (dr, dc) in DELTA.items():
        if (a[0] + dr, a[1] + dc) == tuple(b):
            return d
    raise ValueError(f"cells {a} and {b} are not adjacent")


# -- generation -------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _grid_table(rows: int, cols: int) -> tuple[tuple[tuple[str, int], ...], ...]:
    """(direction, neighbour index) pairs of every cell of a rows x cols grid, computed once."""
    table = []
    for i in range(rows * cols):
        r, c = divmod(i, cols)
        nbs = []
        if r > 0:
            nbs.append(("up", i - cols))
        if r < rows - 1:
            nbs.append(("down", i + cols))
        if c > 0:
            nbs.append(("left", i - 1))
        if c < cols - 1:
            nbs.append(("right", i + 1))
        table.append(tuple(nbs))
    return tuple(table)


def _grid_neighbours(rows: int, cols: int, i: int):
    return _grid_table(rows, cols)[i]


def _carve(mask: list[int], i: int, d: str, j: int) -> None:
    mask[i] |= BIT[d]
    mask[j] |= BIT[OPPOSITE[d]]


def gen_backtracker(rows: int, cols: int, rnd: random.Random) -> list[int]:
    """Recursive backtracker (iterative DFS): long corridors, few forks."""
    mask = [0] * (rows * cols)
    seen = [False] * (rows * cols)
    start = rnd.randrange(rows * cols)
    seen[start] = True
    stack = [start]
    while stack:
        i = stack[-1]
        options = [(d, j) for d, j in _grid_neighbours(rows, cols, i) if not seen[j]]
        if not options:
            stack.pop()
            continue
        d, j = options[rnd.randrange(len(options))]
        _carve(mask, i, d, j)
        seen[j] = True
        stack.append(j)
    return mask


def gen_kruskal(rows: int, cols: int, rnd: random.Random) -> list[int]:
    """Randomised Kruskal: a uniform-ish spanning tree with many short dead ends."""
    parent = list(range(rows * cols))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    walls = [(i, "right", i + 1) for i in range(rows * cols) if i % cols < cols - 1]
    walls += [(i, "down", i + cols) for i in range(rows * cols) if i // cols < rows - 1]
    rnd.shuffle(walls)
    mask = [0] * (rows * cols)
    for i, d, j in walls:
        a, b = find(i), find(j)
        if a != b:
            parent[a] = b
            _carve(mask, i, d, j)
    return mask


def gen_wilson(rows: int, cols: int, rnd: random.Random) -> list[int]:
    """Wilson's algorithm (loop-erased random walks): a uniform spanning tree."""
    n = rows * cols
    mask = [0] * n
    in_tree = [False] * n
    in_tree[rnd.randrange(n)] = True
    nxt: dict[int, tuple[str, int]] = {}
    for s in rnd.sample(range(n), n):
        i = s
        while not in_tree[i]:  # walk, remembering the last exit from each cell (erases loops)
            options = list(_grid_neighbours(rows, cols, i))
            nxt[i] = options[rnd.randrange(len(options))]
            i = nxt[i][1]
        i = s
        while not in_tree[i]:
            d, j = nxt[i]
            _carve(mask, i, d, j)
            in_tree[i] = True
            i = j
    return mask


def gen_prim(rows: int, cols: int, rnd: random.Random) -> list[int]:
    """Randomised Prim: short, branchy passages radiating from a seed cell."""
    n = rows * cols
    mask = [0] * n
    inside = [False] * n
    s = rnd.randrange(n)
    inside[s] = True
    frontier = [(s, d, j) for d, j in _grid_neighbours(rows, cols, s)]
    while frontier:
        k = rnd.randrange(len(frontier))
        frontier[k], frontier[-1] = frontier[-1], frontier[k]
        i, d, j = frontier.pop()
        if inside[j]:
            continue
        _carve(mask, i, d, j)
        inside[j] = True
        frontier += [(j, d2, j2) for d2, j2 in _grid_neighbours(rows, cols, j) if not inside[j2]]
    return mask


ALGORITHMS = {"backtracker": gen_backtracker, "kruskal": gen_kruskal, "wilson": gen_wilson, "prim": gen_prim}


def braid(mask: list[int], rows: int, cols: int, fraction: float, rnd: random.Random) -> int:
    """Open one extra wall at about ``fraction`` of the dead ends: creates loops (several routes).
    Returns how many loops were added."""
    added = 0
    if fraction <= 0:
        return 0
    dead = [i for i, m in enumerate(mask) if bin(m).count("1") == 1]
    rnd.shuffle(dead)
    for i in dead:
        if bin(mask[i]).count("1") != 1 or rnd.random() >= fraction:
            continue
        closed = [(d, j) for d, j in _grid_neighbours(rows, cols, i) if not mask[i] & BIT[d]]
        if closed:
            # Prefer joining another dead end: removes two dead ends with one loop.
            best = [x for x in closed if bin(mask[x[1]]).count("1") == 1] or closed
            d, j = best[rnd.randrange(len(best))]
            _carve(mask, i, d, j)
            added += 1
    return added


def to_ascii(rows: int, cols: int, mask: list[int], start: Cell, goal: Cell) -> str:
    lines = []
    for r in range(rows):
        top = ["+"]
        mid = ["|"]
        for c in range(cols):
            m = mask[r * cols + c]
            top.append("   +" if m & 1 else "---+")
            label = "S" if (r, c) == tuple(start) else "G" if (r, c) == tuple(goal) else " "
            mid.append(f" {label} " + (" " if m & 8 else "|"))
        lines.append("".join(top))
        lines.append("".join(mid))
    lines.append("+" + "---+" * cols)
    return "\n".join(lines)


def _passages(mask: list[int], rows: int, cols: int) -> list[tuple[Cell, Cell]]:
    out = []
    for i, m in enumerate(mask):
        r, c = divmod(i, cols)
        if m & 8:
            out.append(((r, c), (r, c + 1)))
        if m & 2:
            out.append(((r, c), (r + 1, c)))
    return out


# -- rendering ----------------------------------------------------------------------------------------

STYLES = {
    # name: background, wall, start, goal, text, wall width factor
    "classic": ((255, 255, 255), (20, 20, 20), (46, 160, 67), (214, 48, 49), (60, 60, 60), 0.10),
    "blueprint": ((22, 54, 110), (235, 240, 255), (80, 220, 120), (255, 110, 90), (200, 215, 240), 0.08),
    "sepia": ((245, 233, 210), (90, 60, 30), (40, 140, 70), (190, 40, 40), (90, 60, 30), 0.14),
    "dark": ((28, 28, 32), (210, 210, 210), (60, 200, 90), (240, 80, 80), (170, 170, 170), 0.09),
}
_PALETTE_KEYS = ("background", "wall", "start", "goal", "text")
IMAGE_SIZE = 512


def _layout(scene: MazeScene, coordinates: bool) -> tuple[float, float, float]:
    margin = 34 if coordinates else 12
    cell = min((IMAGE_SIZE - 2 * margin) / scene.cols, (IMAGE_SIZE - 2 * margin) / scene.rows)
    x0 = (IMAGE_SIZE - cell * scene.cols) / 2
    y0 = (IMAGE_SIZE - cell * scene.rows) / 2
    return cell, x0, y0


_FONTS: dict[int, Any] = {}


def _font(size: int):
    if size not in _FONTS:
        _FONTS[size] = ImageFont.load_default(size=size)
    return _FONTS[size]


def render_maze(scene: MazeScene, style: str, coordinates: bool, highlight: Cell | None = None) -> Image.Image:
    colors = STYLES[style]
    # A palette image: five colours, no anti-aliasing, and PNG encoding several times faster than RGB.
    img = Image.new("P", (IMAGE_SIZE, IMAGE_SIZE), 0)
    img.putpalette([v for rgb in colors[:5] for v in rgb])
    draw = ImageDraw.Draw(img)
    cell, x0, y0 = _layout(scene, coordinates)
    w = max(2, round(cell * colors[5]))
    h = w / 2
    mask, rows, cols = scene.open_mask, scene.rows, scene.cols
    if highlight is not None:  # a ring around the cell the question is about
        r, c = highlight
        pad = cell * 0.12
        draw.ellipse((x0 + c * cell + pad, y0 + r * cell + pad, x0 + (c + 1) * cell - pad, y0 + (r + 1) * cell - pad),
                     outline=4, width=max(2, w // 2))
    for key, (r, c) in (("start", scene.start), ("goal", scene.goal)):
        pad = cell * 0.2
        box = (x0 + c * cell + pad, y0 + r * cell + pad, x0 + (c + 1) * cell - pad, y0 + (r + 1) * cell - pad)
        color = _PALETTE_KEYS.index(key)
        if key == "start":
            draw.rectangle(box, fill=color)
        else:
            draw.ellipse(box, fill=color)
        size = max(8, int(cell * 0.4))
        draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), "S" if key == "start" else "G",
                  fill=0, font=_font(size), anchor="mm")
    for r in range(rows):
        for c in range(cols):
            m = mask[r * cols + c]
            x, y = x0 + c * cell, y0 + r * cell
            # Walls overhang by half their width so corners join without gaps.
            if not m & 8:
                draw.line((x + cell, y - h, x + cell, y + cell + h), fill=1, width=w)
            if not m & 2:
                draw.line((x - h, y + cell, x + cell + h, y + cell), fill=1, width=w)
    draw.line((x0 - h, y0, x0 + cols * cell + h, y0), fill=1, width=w)
    draw.line((x0, y0 - h, x0, y0 + rows * cell + h), fill=1, width=w)
    if coordinates:
        size = max(9, min(16, int(cell * 0.45)))
        font = _font(size)
        for c in range(cols):
            draw.text((x0 + (c + 0.5) * cell, y0 - 6 - w), str(c), fill=4, font=font, anchor="mb")
        for r in range(rows):
            draw.text((x0 - 6 - w, y0 + (r + 0.5) * cell), str(r), fill=4, font=font, anchor="rm")
    return img


def _edge_midpoints(scene: MazeScene, coordinates: bool):
    """Pixel positions of every interior edge's midpoint and whether the scene opens it."""
    cell, x0, y0 = _layout(scene, coordinates)
    rows, cols, mask = scene.rows, scene.cols, scene.open_mask
    pts, opened = [], []
    for r in range(rows):
        for c in range(cols):
            m = mask[r * cols + c]
            if c < cols - 1:
                pts.append((y0 + (r + 0.5) * cell, x0 + (c + 1) * cell))
                opened.append(bool(m & 8))
            if r < rows - 1:
                pts.append((y0 + (r + 1) * cell, x0 + (c + 0.5) * cell))
                opened.append(bool(m & 2))
    return np.array(pts).round().astype(int), np.array(opened)


# -- the family -----------------------------------------------------------------------------------------

@register_family
class Maze(Family):
    name = "maze"
    scene_type = MazeScene
    styles = tuple(STYLES)
    text_vars = ("rows", "cols", "start", "goal")

    def build(self, level: int, rng: np.random.Generator) -> MazeScene:
        cfg = self.level(level)
        rnd = random.Random(int(rng.integers(2**63)))  # Python's RNG: far cheaper per draw in hot loops
        for _ in range(50):
            rows = rnd.randint(*cfg["rows"])
            cols = rnd.randint(*cfg["cols"])
            algorithm = rnd.choice(cfg["algorithms"])
            mask = ALGORITHMS[algorithm](rows, cols, rnd)
            loops = braid(mask, rows, cols, float(cfg.get("braid", 0.0)), rnd)
            for _ in range(4):  # several placements per maze before generating a new one
                placement = rnd.choice(cfg["placements"])
                start, goal = self._place(placement, rows, cols, mask, rnd)
                d = bfs_distances(mask, cols, start[0] * cols + start[1])[goal[0] * cols + goal[1]]
                if d < cfg["min_path"]:
                    continue
                # Built from values we just computed, so pydantic validation is skipped (it is the
                # hot path); verify re-validates every stored scene from JSON.
                scene = MazeScene.model_construct(
                    family="maze", id="", rows=rows, cols=cols, start=start, goal=goal,
                    passages=_passages(mask, rows, cols), algorithm=algorithm, braid=float(cfg.get("braid", 0.0)),
                    loops=loops, ascii=to_ascii(rows, cols, mask, start, goal))
                scene.__dict__["open_mask"] = mask  # prime the cache
                return scene.with_id()  # type: ignore[return-value]
        raise RuntimeError(f"maze level {level}: could not place start and goal {cfg['min_path']}+ moves apart; "
                           f"lower min_path in scenes/maze.yaml")

    @staticmethod
    def _place(rule: str, rows: int, cols: int, mask: list[int], rnd: random.Random) -> tuple[Cell, Cell]:
        corners = [(0, 0), (0, cols - 1), (rows - 1, 0), (rows - 1, cols - 1)]
        if rule == "corners":
            k = rnd.randrange(4)
            return corners[k], corners[3 - k]
        start = (rnd.randrange(rows), rnd.randrange(cols))
        if rule == "random":
            goal = start
            while goal == start:
                goal = (rnd.randrange(rows), rnd.randrange(cols))
            return start, goal
        if rule == "far":  # the goal is a cell farthest from the start
            dist = bfs_distances(mask, cols, start[0] * cols + start[1])
            far = max(dist)
            options = [i for i, v in enumerate(dist) if v == far]
            return start, divmod(options[rnd.randrange(len(options))], cols)
        raise ValueError(f"unknown placement rule {rule!r} (corners, random, far)")

    def describe(self, scene: MazeScene, modality: str) -> str:
        frame = (f"The maze has {scene.rows} rows and {scene.cols} columns. Rows are numbered from 0 at the top, "
                 f"columns from 0 at the left; moving up decreases the row, moving right increases the column.")
        picture = "In the image, S (the square) marks the start and G (the circle) marks the goal; lines are walls."
        drawing = (f"In the drawing below, '+', '-' and '|' are walls, S is the start and G is the goal; "
                   f"each cell is three characters wide.\n\n{scene.ascii}")
        if modality == "text":
            return f"{frame} {drawing}"
        if modality == "both":  # the picture and the same maze as text
            return f"{frame} {picture} {drawing}"
        return f"{frame} {picture}"

    def text_context(self, scene: MazeScene) -> dict[str, Any]:
        return {"rows": scene.rows, "cols": scene.cols, "start": scene.start, "goal": scene.goal}

    def render(self, scene: MazeScene, style: str, hints: dict[str, Any]) -> list[Image.Image]:
        highlight = hints.get("highlight")
        return [render_maze(scene, style, bool(hints.get("coordinates", False)),
                            tuple(highlight) if highlight is not None else None)]

    def render_checks(self, scene: MazeScene, images: list[Image.Image], style: str,
                      hints: dict[str, Any]) -> list[CheckResult]:
        coordinates = bool(hints.get("coordinates", False))
        px = np.asarray(images[0])
        cell, x0, y0 = _layout(scene, coordinates)
        checks = []
        for key, (r, c) in (("start", scene.start), ("goal", scene.goal)):
            # Sample just inside the marker, away from its letter.
            y, x = int(y0 + (r + 0.32) * cell), int(x0 + (c + 0.5) * cell)
            ok = px[y, x] == _PALETTE_KEYS.index(key)
            checks.append(CheckResult(f"{key} marker visible", bool(ok), f"pixel ({x}, {y})"))
        pts, opened = _edge_midpoints(scene, coordinates)
        is_wall = px[pts[:, 0], pts[:, 1]] == 1
        wrong = int(np.sum(is_wall == opened))
        checks.append(CheckResult("walls drawn as in the scene", wrong == 0, f"{wrong} of {len(opened)} edges differ"))
        return checks


# -- operators ------------------------------------------------------------------------------------------

def _cell(scene: MazeScene, cell) -> Cell:
    cell = (int(cell[0]), int(cell[1]))
    if not scene.inside(cell):
        raise ProgramError(f"cell {list(cell)} is outside the {scene.rows}x{scene.cols} maze")
    return cell


def _dist_from(ctx, src: Cell) -> list[int]:
    return ctx.memo(("dist", src), lambda: ctx.scene.distances(src))


def _walk(scene: MazeScene, a: Cell, moves) -> tuple[Cell, int]:
    """Follow moves from ``a``; returns the last cell reached and how many moves were legal."""
    cur, mask, cols = a, scene.open_mask, scene.cols
    for k, m in enumerate(moves):
        if m not in BIT:
            raise ProgramError(f"unknown move {m!r}")
        if not mask[cur[0] * cols + cur[1]] & BIT[m]:
            return cur, k
        cur = (cur[0] + DELTA[m][0], cur[1] + DELTA[m][1])
    return cur, len(moves)


@operator("start() -> Cell", family="maze")
def op_start(ctx):
    """the start cell S"""
    return tuple(ctx.scene.start)


@operator("goal() -> Cell", family="maze")
def op_goal(ctx):
    """the goal cell G"""
    return tuple(ctx.scene.goal)


@operator("cell(row: Int, col: Int) -> Cell", family="maze")
def op_cell(ctx, row, col):
    """the cell at (row, col)"""
    return _cell(ctx.scene, (row, col))


@operator("rows() -> Int", family="maze")
def op_rows(ctx):
    """number of rows"""
    return ctx.scene.rows


@operator("cols() -> Int", family="maze")
def op_cols(ctx):
    """number of columns"""
    return ctx.scene.cols


@operator("distance(a: Cell, b: Cell) -> Int", family="maze")
def op_distance(ctx, a, b):
    """number of moves on a shortest route from a to b"""
    a, b = _cell(ctx.scene, a), _cell(ctx.scene, b)
    d = _dist_from(ctx, b)[a[0] * ctx.scene.cols + a[1]]
    if d < 0:
        raise ProgramError(f"{list(b)} cannot be reached from {list(a)}")
    return d


# (bit, direction, index offset as a function of cols) in tie-break order up, down, left, right
_STEPS = ((1, "up", lambda cols: -cols), (2, "down", lambda cols: cols), (4, "left", lambda cols: -1),
          (8, "right", lambda cols: 1))


@operator("shortest_path(a: Cell, b: Cell) -> Moves", family="maze")
def op_shortest_path(ctx, a, b):
    """one shortest route from a to b (ties broken in the order up, down, left, right)"""
    scene: MazeScene = ctx.scene
    a, b = _cell(scene, a), _cell(scene, b)
    dist = _dist_from(ctx, b)
    cols, mask = scene.cols, scene.open_mask
    i, target = a[0] * cols + a[1], b[0] * cols + b[1]
    if dist[i] < 0:
        raise ProgramError(f"{list(b)} cannot be reached from {list(a)}")
    steps = [(bit, name, off(cols)) for bit, name, off in _STEPS]
    moves = []
    while i != target:
        here, m = dist[i], mask[i]
        for bit, name, off in steps:
            if m & bit and dist[i + off] == here - 1:
                moves.append(name)
                i += off
                break
    return tuple(moves)


@operator("count_shortest_paths(a: Cell, b: Cell) -> Int", family="maze")
def op_count_shortest_paths(ctx, a, b):
    """how many different shortest routes lead from a to b"""
    scene: MazeScene = ctx.scene
    a, b = _cell(scene, a), _cell(scene, b)
    dist = _dist_from(ctx, b)
    cols, mask = scene.cols, scene.open_mask
    src = a[0] * cols + a[1]
    limit = dist[src]
    if limit < 0:
        return 0
    offs = [(bit, off(cols)) for bit, _, off in _STEPS]
    ways = [0] * len(dist)
    ways[b[0] * cols + b[1]] = 1
    # Cells in order of distance from b; each adds up the ways of its neighbours one step closer.
    for i in sorted((i for i, d in enumerate(dist) if 0 < d <= limit), key=dist.__getitem__):
        d, m = dist[i], mask[i]
        ways[i] = sum(ways[i + off] for bit, off in offs if m & bit and dist[i + off] == d - 1)
    return ways[src]


@operator("count_turns(moves: Moves, side: Str) -> Int", family="maze")
def op_count_turns(ctx, moves, side):
    """turns along a route: side is 'left', 'right' or 'total' (a reversal counts as two turns)"""
    if side not in ("left", "right", "total"):
        raise ProgramError(f"side must be left, right or total, got {side!r}")
    left = right = 0
    for prev, nxt in zip(moves, moves[1:]):
        if nxt == CLOCKWISE[prev]:
            right += 1
        elif prev == CLOCKWISE[nxt]:
            left += 1
        elif nxt == OPPOSITE[prev]:
            left += 1
            right += 1
    return {"left": left, "right": right, "total": left + right}[side]


@operator("walk(a: Cell, moves: Moves) -> Cell", family="maze")
def op_walk(ctx, a, moves):
    """the cell reached by following moves from a (an error if a move crosses a wall)"""
    a = _cell(ctx.scene, a)
    end, legal = _walk(ctx.scene, a, moves)
    if legal < len(moves):
        raise ProgramError(f"move {legal + 1} ({moves[legal]}) from {list(end)} crosses a wall")
    return end


@operator("is_valid_route(a: Cell, moves: Moves) -> Bool", family="maze")
def op_is_valid_route(ctx, a, moves):
    """following moves from a never crosses a wall"""
    return _walk(ctx.scene, _cell(ctx.scene, a), moves)[1] == len(moves)


@operator("reaches(a: Cell, b: Cell, moves: Moves) -> Bool", family="maze")
def op_reaches(ctx, a, b, moves):
    """following moves from a crosses no wall and ends on b"""
    end, legal = _walk(ctx.scene, _cell(ctx.scene, a), moves)
    return legal == len(moves) and end == _cell(ctx.scene, b)


@operator("is_shortest_route(a: Cell, b: Cell, moves: Moves) -> Bool", family="maze")
def op_is_shortest_route(ctx, a, b, moves):
    """moves lead from a to b and no route is shorter"""
    return op_reaches(ctx, a, b, moves) and len(moves) == op_distance(ctx, a, b)


@operator("open_directions(c: Cell) -> Directions", family="maze")
def op_open_directions(ctx, c):
    """the directions one can move from c without crossing a wall"""
    c = _cell(ctx.scene, c)
    return tuple(d for d in DIRS if ctx.scene.is_open(c, d))


@operator("route_progress(a: Cell, b: Cell, moves: Moves) -> Float", family="maze")
def op_route_progress(ctx, a, b, moves):
    """partial credit: how much closer to b the legal prefix of moves gets (1.0 = reaches b)"""
    a, b = _cell(ctx.scene, a), _cell(ctx.scene, b)
    total = op_distance(ctx, a, b)
    end, _ = _walk(ctx.scene, a, moves)
    if total == 0:
        return 1.0
    return max(0.0, (total - op_distance(ctx, end, b)) / total)


# -- random operators (parameter domains only) -----------------------------------------------------------

@operator("random_cell() -> Cell", family="maze", random=True)
def op_random_cell(ctx):
    """a uniformly chosen cell"""
    s = ctx.scene
    return int(ctx.rng.integers(s.rows)), int(ctx.rng.integers(s.cols))


@operator("random_walk(a: Cell, length: Int) -> Moves", family="maze", random=True)
def op_random_walk(ctx, a, length):
    """a legal walk of the given length from a, avoiding immediate back-tracking where possible"""
    scene, cur, moves = ctx.scene, _cell(ctx.scene, a), []
    for _ in range(length):
        options = [d for d, _ in scene.neighbours(cur)]
        if moves and len(options) > 1:
            options = [d for d in options if d != OPPOSITE[moves[-1]]]
        d = options[int(ctx.rng.integers(len(options)))]
        moves.append(d)
        cur = (cur[0] + DELTA[d][0], cur[1] + DELTA[d][1])
    return tuple(moves)


def _corrupt(ctx, a: Cell, b: Cell, route: tuple[str, ...]) -> tuple[str, ...]:
    """A plausible wrong or non-shortest route: a wall bump, a detour, a truncation, a swap."""
    scene, rng = ctx.scene, ctx.rng
    kind = int(rng.integers(4))
    moves = list(route)
    if kind == 0 and moves:  # change one move so it bumps into a wall or leaves the route
        k = int(rng.integers(len(moves)))
        moves[k] = [d for d in DIRS if d != moves[k]][int(rng.integers(3))]
    elif kind == 1:  # a detour: step into a side passage and back (legal but longer)
        cur, spots = a, []
        for k, m in enumerate(moves + [None]):
            for d, _ in scene.neighbours(cur):
                if m is None or d != m:
                    spots.append((k, d))
            if m is not None:
                cur = (cur[0] + DELTA[m][0], cur[1] + DELTA[m][1])
        if spots:
            k, d = spots[int(rng.integers(len(spots)))]
            moves[k:k] = [d, OPPOSITE[d]]
    elif kind == 2 and len(moves) > 1:  # stop early
        moves = moves[: int(rng.integers(1, len(moves)))]
    elif len(moves) > 1:  # swap two neighbouring moves
        k = int(rng.integers(len(moves) - 1))
        moves[k], moves[k + 1] = moves[k + 1], moves[k]
    return tuple(moves)


@operator("route_candidate(a: Cell, b: Cell) -> Moves", family="maze", random=True)
def op_route_candidate(ctx, a, b):
    """half the time a shortest route from a to b, otherwise a corrupted one"""
    route = op_shortest_path(ctx, a, b)
    return route if ctx.rng.random() < 0.5 else _corrupt(ctx, a, b, route)


@operator("wrong_routes(a: Cell, b: Cell, n: Int) -> List[Moves]", family="maze", random=True)
def op_wrong_routes(ctx, a, b, n):
    """up to n distinct routes that do not lead from a to b"""
    route = op_shortest_path(ctx, a, b)
    out: list[tuple[str, ...]] = []
    for _ in range(n * 6):
        cand = _corrupt(ctx, a, b, route)
        if cand not in out and not op_reaches(ctx, a, b, cand):
            out.append(cand)
            if len(out) == n:
                break
    return tuple(out)
