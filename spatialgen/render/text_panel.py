"""Draw text into an image: the ``image_only`` modality puts the whole question (scene
description, question, options, answer instruction) into the picture itself.

The panel is appended *below* the scene image, so every scene pixel keeps its coordinates and
the family's render checks still apply unchanged to the stored image.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

PANEL_WIDTH = 512
FONT_SIZE = 15
PAD = 12
LINE_GAP = 4
WHITE, BLACK = (255, 255, 255), (0, 0, 0)


@lru_cache(maxsize=4)
def _font(size: int):
    return ImageFont.load_default(size=size)


def wrap(text: str, width: int, size: int = FONT_SIZE) -> list[str]:
    """Greedy word wrap to ``width`` pixels; keeps blank lines and preformatted (ASCII) lines."""
    font = _font(size)
    out: list[str] = []
    for para in text.split("\n"):
        words = para.split(" ")
        line = ""
        for w in words:
            cand = f"{line} {w}" if line else w
            if not line or font.getlength(cand) <= width:
                line = cand
            else:
                out.append(line)
                line = w
        out.append(line)
    return out


def _draw(img: Image.Image, lines: list[str], top: int, fill) -> None:
    draw = ImageDraw.Draw(img)
    font, step = _font(FONT_SIZE), FONT_SIZE + LINE_GAP
    for i, line in enumerate(lines):
        draw.text((PAD, top + PAD + i * step), line, fill=fill, font=font)


def _height(lines: list[str]) -> int:
    return 2 * PAD + (FONT_SIZE + LINE_GAP) * len(lines)


def with_question(scene_image: Image.Image | None, text: str) -> Image.Image:
    """``scene_image`` with ``text`` drawn in a white panel underneath (or the panel alone)."""
    width = max(scene_image.width if scene_image else 0, PANEL_WIDTH)
    lines = wrap(text, width - 2 * PAD - 16)  # slack: glyph overhang beyond the advance width
    top = scene_image.height if scene_image else 0
    size = (width, top + _height(lines))
    pal = (scene_image.getpalette() or []) if scene_image is not None and scene_image.mode == "P" else None
    if scene_image is None or (pal is not None and len(pal) // 3 + 2 <= 256):
        # Palette mode (small, fast PNGs): white and black go after the scene's own colours.
        n = len(pal) // 3 if pal else 0
        out = Image.new("P", size, n)
        out.putpalette((pal or []) + [*WHITE, *BLACK])
        if scene_image is not None:
            out.paste(scene_image, (0, 0))
        _draw(out, lines, top, n + 1)
        return out
    out = Image.new("RGB", size, WHITE)
    out.paste(scene_image.convert("RGB"), (0, 0))
    _draw(out, lines, top, BLACK)
    return out
