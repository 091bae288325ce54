"""The grid family: R x C grids of icons or letters, and 2D maps of named landmarks.

Templates choose the layout with ``render: {layout: grid}`` or ``render: {layout: map}``; levels in
``scenes/grid.yaml`` set sizes, object kinds, look-alike distractors, label style, 4 or 8 compass
points and the ambiguity margins of map questions.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from PIL import Image

from .. import CheckResult, Family, register_family
from . import ops  # noqa: F401  (registers the operators)
from .build import build_grid, build_map
from .render import STYLES, grid_checks, map_checks, render_grid, render_map
from .scene import POINTS, GridScene, column_label, item_name

_SYMBOL_NOTE = "Each cell holds at most one letter or digit."


def _directions_note(scene: GridScene) -> str:
    pts = ", ".join(POINTS[scene.compass])
    return (f"Directions use {scene.compass} compass points ({pts}): one landmark is, say, "
            f"{POINTS[scene.compass][1]} of another when the compass bearing from the other to it is closer to "
            f"{POINTS[scene.compass][1]} than to any other of these points. Distances are straight-line distances.")


def grid_table(scene: GridScene) -> str:
    """The grid as a Markdown table, '-' for an empty cell (the text modality's whole scene)."""
    cells = {(it.row, it.col): item_name(it, scene.use_size) for it in scene.items}
    head = "| row | " + " | ".join(column_label(scene, c + 1) for c in range(scene.cols)) + " |"
    rule = "|---" * (scene.cols + 1) + "|"
    body = [f"| {r + 1} | " + " | ".join(cells.get((r, c), "-") for c in range(scene.cols)) + " |"
            for r in range(scene.rows)]
    return "\n".join([head, rule, *body])


def map_listing(scene: GridScene) -> str:
    return "\n".join(f"- the {m.name}: ({m.x:.1f}, {m.y:.1f})" for m in scene.landmarks)


@register_family
class Grid(Family):
    name = "grid"
    scene_type = GridScene
    styles = tuple(STYLES)
    text_vars = ("rows", "cols", "colname", "compass_words")

    def build_for(self, level: int, rng: np.random.Generator, hints: dict[str, Any]) -> GridScene:
        layout = hints.get("layout", "grid")
        if layout not in ("grid", "map"):
            raise ValueError(f"grid templates set render.layout to grid or map, not {layout!r}")
        cfg = self.level(level)
        rnd = random.Random(int(rng.integers(2**63)))  # cheap draws in the placement loops
        common = {"compass": cfg["compass"], "angle_margin": float(cfg["angle_margin"]),
                  "distance_ratio": float(cfg["distance_ratio"])}
        if layout == "grid":
            return build_grid(cfg["grid"], common, rnd).with_id()  # type: ignore[return-value]
        for _ in range(50):
            scene = build_map(cfg["map"], common, rnd)
            if scene is not None:
                return scene.with_id()  # type: ignore[return-value]
        raise RuntimeError(f"grid level {level}: cannot place {cfg['map']['landmarks']} landmarks "
                           f"{cfg['map']['min_separation']} apart; lower map.min_separation in scenes/grid.yaml")

    def build(self, level: int, rng: np.random.Generator) -> GridScene:
        return self.build_for(level, rng, {})

    def describe(self, scene: GridScene, modality: str) -> str:
        if scene.layout == "map":
            return self._describe_map(scene, modality)
        what = "letters and digits" if scene.icons == "symbols" else "coloured shapes"
        first_col = column_label(scene, 1)
        frame = (f"The grid has {scene.rows} rows and {scene.cols} columns of {what}. Rows are numbered from 1 at "
                 f"the top; columns are labelled from {first_col} at the left.")
        if scene.icons == "shapes":
            frame += (" Objects are named by size, colour and shape (small or large)." if scene.use_size
                      else " Objects are named by colour and shape.")
        else:
            frame += " " + _SYMBOL_NOTE
        picture = ("In the image, the numbers around the grid show the row and column labels." if scene.labels != "none"
                   else "The image shows no labels: count rows from the top and columns from the left.")
        table = f"The grid, row by row ('-' marks an empty cell):\n\n{grid_table(scene)}"
        if modality == "text":
            return f"{frame} {table}"
        if modality == "both":
            return f"{frame} {picture} {table}"
        return f"{frame} {picture}"

    def _describe_map(self, scene: GridScene, modality: str) -> str:
        frame = ("The map is a square of 100 by 100 units with north at the top; x grows towards the east "
                 "and y towards the north.")
        picture = "In the image, each marker is a landmark with its name written underneath; the arrow points north."
        listing = f"The landmarks and their (x, y) positions:\n{map_listing(scene)}"
        note = _directions_note(scene)
        if modality == "text":
            return f"{frame} {note}\n\n{listing}"
        if modality == "both":
            return f"{frame} {picture} {note}\n\n{listing}"
        return f"{frame} {picture} {note}"

    def text_context(self, scene: GridScene) -> dict[str, Any]:
        return {"rows": scene.rows, "cols": scene.cols,
                "colname": {c: column_label(scene, c) for c in range(1, max(scene.rows, scene.cols) + 1)},
                "compass_words": ", ".join(POINTS[scene.compass])}

    def render(self, scene: GridScene, style: str, hints: dict[str, Any]) -> list[Image.Image]:
        return [render_map(scene, style) if scene.layout == "map" else render_grid(scene, style)]

    def render_checks(self, scene: GridScene, images: list[Image.Image], style: str,
                      hints: dict[str, Any]) -> list[CheckResult]:
        return map_checks(scene, images[0]) if scene.layout == "map" else grid_checks(scene, images[0])
