"""Pillow drawing of a maze and the pixel helpers its render checks use."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .scene import Cell, MazeScene

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
