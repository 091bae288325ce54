"""Pillow drawings of grids and maps, and checks that the drawing shows what the scene says.

Palette images (a dozen colours, no anti-aliasing): several times faster to draw and to encode
as PNG than RGB, and every pixel's palette index tells which scene element drew it.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..base import CheckResult
from .scene import COLORS, MAP_SIZE, GridScene, Landmark, column_label

IMAGE_SIZE = 512
STYLES = {  # background, ink (labels, symbols), grid lines
    "paper": ((255, 255, 255), (25, 25, 25), (185, 185, 185)),
    "cream": ((246, 241, 226), (50, 40, 30), (200, 188, 160)),
    "slate": ((232, 236, 242), (20, 30, 50), (160, 172, 190)),
}
BG, INK, LINE = 0, 1, 2
COLOR_INDEX = {c: 3 + i for i, c in enumerate(COLORS)}
MAP_MARGIN, MARKER, LABEL_FONT = 36, 9, 14


@lru_cache(maxsize=16)
def font(size: int):
    return ImageFont.load_default(size=size)


def _palette(style: str) -> list[int]:
    return [v for rgb in (*STYLES[style], *COLORS.values()) for v in rgb]


def shape_polygon(shape: str, cx: float, cy: float, r: float) -> list[tuple[float, float]] | None:
    """Vertices of ``shape`` of radius ``r`` around (cx, cy); None for the circle."""
    def ring(n: int, radius: float, start: float = -90.0):
        return [(cx + radius * math.cos(math.radians(start + 360 * k / n)),
                 cy + radius * math.sin(math.radians(start + 360 * k / n))) for k in range(n)]

    if shape == "circle":
        return None
    if shape == "square":
        s = r * 0.85
        return [(cx - s, cy - s), (cx + s, cy - s), (cx + s, cy + s), (cx - s, cy + s)]
    if shape == "triangle":
        return [(cx, cy - r), (cx + r * 0.95, cy + r * 0.75), (cx - r * 0.95, cy + r * 0.75)]
    if shape == "diamond":
        return ring(4, r)
    if shape == "hexagon":
        return ring(6, r, 0.0)
    if shape == "pentagon":
        return ring(5, r)
    if shape == "star":
        outer, inner = ring(5, r), ring(5, r * 0.45, -54.0)
        return [p for pair in zip(outer, inner) for p in pair]
    if shape == "cross":
        a, b = r * 0.33, r
        return [(cx - a, cy - b), (cx + a, cy - b), (cx + a, cy - a), (cx + b, cy - a), (cx + b, cy + a),
                (cx + a, cy + a), (cx + a, cy + b), (cx - a, cy + b), (cx - a, cy + a), (cx - b, cy + a),
                (cx - b, cy - a), (cx - a, cy - a)]
    raise ValueError(f"unknown shape {shape!r}")


def draw_shape(draw: ImageDraw.ImageDraw, shape: str, cx: float, cy: float, r: float, fill: int) -> None:
    poly = shape_polygon(shape, cx, cy, r)
    if poly is None:
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
    else:
        draw.polygon(poly, fill=fill)


# -- grids ----------------------------------------------------------------------------------------------

def grid_geometry(scene: GridScene) -> tuple[float, float, float]:
    margin = 34 if scene.labels != "none" else 12
    cell = min((IMAGE_SIZE - 2 * margin) / scene.cols, (IMAGE_SIZE - 2 * margin) / scene.rows)
    return cell, (IMAGE_SIZE - cell * scene.cols) / 2, (IMAGE_SIZE - cell * scene.rows) / 2


def render_grid(scene: GridScene, style: str) -> Image.Image:
    img = Image.new("P", (IMAGE_SIZE, IMAGE_SIZE), BG)
    img.putpalette(_palette(style))
    draw = ImageDraw.Draw(img)
    cell, x0, y0 = grid_geometry(scene)
    for r in range(scene.rows + 1):
        draw.line((x0, y0 + r * cell, x0 + scene.cols * cell, y0 + r * cell), fill=LINE, width=2)
    for c in range(scene.cols + 1):
        draw.line((x0 + c * cell, y0, x0 + c * cell, y0 + scene.rows * cell), fill=LINE, width=2)
    sym_font = font(max(10, int(cell * 0.62)))
    for it in scene.items:
        cx, cy = x0 + (it.col + 0.5) * cell, y0 + (it.row + 0.5) * cell
        if it.symbol:
            draw.text((cx, cy), it.symbol, fill=INK, font=sym_font, anchor="mm")
        else:
            r = cell * (0.38 if it.size != "small" else 0.2)
            draw_shape(draw, it.shape, cx, cy, r, COLOR_INDEX[it.color])
    if scene.labels != "none":
        f = font(max(10, min(16, int(cell * 0.4))))
        for c in range(scene.cols):
            draw.text((x0 + (c + 0.5) * cell, y0 - 8), column_label(scene, c + 1), fill=INK, font=f, anchor="mb")
        for r in range(scene.rows):
            draw.text((x0 - 8, y0 + (r + 0.5) * cell), str(r + 1), fill=INK, font=f, anchor="rm")
    return img


def grid_checks(scene: GridScene, img: Image.Image) -> list[CheckResult]:
    px = np.asarray(img)
    cell, x0, y0 = grid_geometry(scene)
    occupied = {(it.row, it.col): it for it in scene.items}
    wrong = []
    pad = 4  # stay clear of the grid lines
    for r in range(scene.rows):
        for c in range(scene.cols):
            box = px[int(y0 + r * cell) + pad:int(y0 + (r + 1) * cell) - pad,
                     int(x0 + c * cell) + pad:int(x0 + (c + 1) * cell) - pad]
            it = occupied.get((r, c))
            if it is None:
                ok = bool((box == BG).all())
            else:
                want = INK if it.symbol else COLOR_INDEX[it.color]
                ok = int((box == want).sum()) >= 6
            if not ok:
                wrong.append(f"({r + 1}, {c + 1})")
    return [CheckResult("every cell shows exactly its object", not wrong,
                        f"cells differ: {', '.join(wrong)}" if wrong else f"{scene.rows * scene.cols} cells")]


# -- maps -----------------------------------------------------------------------------------------------

def to_pixel(x: float, y: float) -> tuple[float, float]:
    scale = (IMAGE_SIZE - 2 * MAP_MARGIN) / MAP_SIZE
    return MAP_MARGIN + x * scale, IMAGE_SIZE - MAP_MARGIN - y * scale


def label_boxes(mark: Landmark) -> tuple[float, float, float, float]:
    """Pixel box covering a landmark's marker and its name (used to keep maps uncluttered)."""
    px, py = to_pixel(mark.x, mark.y)
    half = max(MARKER, font(LABEL_FONT).getlength(mark.name) / 2) + 2
    return px - half, py - MARKER - 2, px + half, py + MARKER + 4 + LABEL_FONT + 2


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def render_map(scene: GridScene, style: str) -> Image.Image:
    img = Image.new("P", (IMAGE_SIZE, IMAGE_SIZE), BG)
    img.putpalette(_palette(style))
    draw = ImageDraw.Draw(img)
    lo, hi = to_pixel(0, MAP_SIZE), to_pixel(MAP_SIZE, 0)
    draw.rectangle((lo[0], lo[1], hi[0], hi[1]), outline=LINE, width=2)
    # Compass: an arrow pointing up with N above it, in the top-right margin.
    ax = IMAGE_SIZE - 14
    draw.line((ax, 30, ax, 12), fill=INK, width=2)
    draw.polygon([(ax, 6), (ax - 5, 14), (ax + 5, 14)], fill=INK)
    draw.text((ax - 9, 18), "N", fill=INK, font=font(13), anchor="rm")
    f = font(LABEL_FONT)
    for m in scene.landmarks:
        px, py = to_pixel(m.x, m.y)
        draw_shape(draw, m.shape, px, py, MARKER, COLOR_INDEX[m.color])
        draw.text((px, py + MARKER + 4), m.name, fill=INK, font=f, anchor="mt")
    return img


def map_checks(scene: GridScene, img: Image.Image) -> list[CheckResult]:
    px = np.asarray(img)
    hidden = []
    for m in scene.landmarks:
        x, y = (int(round(v)) for v in to_pixel(m.x, m.y))
        if px[y, x] != COLOR_INDEX[m.color]:
            hidden.append(m.name)
    boxes = [label_boxes(m) for m in scene.landmarks]
    clash = sum(overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    return [CheckResult("every landmark marker is visible", not hidden, ", ".join(hidden)),
            CheckResult("no two landmark labels overlap", clash == 0, f"{clash} overlapping pairs")]
