"""Maze scene graph: cells, directions, the MazeScene model and BFS distances."""

from __future__ import annotations

from collections import deque
from functools import cached_property
from typing import Literal

from ...scene import Scene

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
