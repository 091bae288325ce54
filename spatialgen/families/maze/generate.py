"""Maze generation: carving algorithms, braiding, start/goal placement and the ASCII drawing."""

from __future__ import annotations

import random
from functools import lru_cache

from .scene import BIT, OPPOSITE, Cell, bfs_distances


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


def place(rule: str, rows: int, cols: int, mask: list[int], rnd: random.Random) -> tuple[Cell, Cell]:
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
