"""Mazes: perfect and braided grid mazes, their operators, text twin and Pillow rendering.

Cells are (row, col), row 0 at the top; ``up`` is row-1 and ``right`` is col+1. Internally a maze
is a list of 4-bit masks (one per cell, bit set = open towards that direction) for speed; the
scene graph stores the public, human-readable form (``passages``).
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from PIL import Image

from .. import CheckResult, Family, register_family
from . import ops  # noqa: F401  (registers the operators)
# Re-exported so that the old single-module imports (spatialgen.families.maze.X) keep working.
from .generate import (  # noqa: F401
    ALGORITHMS, _passages, braid, gen_backtracker, gen_kruskal, gen_prim, gen_wilson, place, to_ascii,
)
from .ops import (  # noqa: F401
    op_cell, op_cols, op_count_shortest_paths, op_count_turns, op_distance, op_goal, op_is_shortest_route,
    op_is_valid_route, op_open_directions, op_random_cell, op_random_walk, op_reaches, op_route_candidate,
    op_route_progress, op_rows, op_shortest_path, op_start, op_walk, op_wrong_routes,
)
from .render import _PALETTE_KEYS, IMAGE_SIZE, STYLES, _edge_midpoints, _layout, render_maze  # noqa: F401
from .scene import BIT, CLOCKWISE, DELTA, DIRS, OPPOSITE, Cell, MazeScene, bfs_distances  # noqa: F401


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
                start, goal = place(placement, rows, cols, mask, rnd)
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
