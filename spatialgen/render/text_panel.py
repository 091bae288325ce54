"""Draw text into an image: the ``image_only`` modality puts the whole question (scene
description, question, options, answer instruction) into the picture itself.

The panel is appended *below* the scene image, so every scene pixel keeps its coordinates and
the family's render checks still apply unchanged to the stored image. Rasterising text with
Pillow's built-in font costs about 1 ms per line, so each distinct word is rasterised once
(cached) and pasted: stories reuse a small vocabulary, which makes panels ~10x cheaper.
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


@lru_cache(maxsize=16384)
def _word(word: str) -> tuple[Image.Image | None, int, int, float]:
    """(1-bit mask, x offset, y offset, advance) of ``word`` drawn at the origin."""
    font = _font(FONT_SIZE)
    advance = font.getlength(word) if word else 0.0
    if not word.strip():
        return None, 0, 0, advance
    left, top, right, bottom = font.getbbox(word)
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), word, font=font, fill=255)
    # Binary mask: palette images cannot blend, and crisp glyphs encode smaller.
    return mask.point(lambda v: 255 if v >= 96 else 0, "1"), left, top, advance


def _space() -> float:
    return _font(FONT_SIZE).getlength(" ")


def wrap(text: str, width: int) -> list[list[str]]:
    """Greedy word wrap to ``width`` pixels; keeps blank lines. Lines are lists of words."""
    space = _space()
    out: list[list[str]] = []
    for para in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for w in para.split(" "):
            adv = _word(w)[3]
            if line and used + space + adv > width:
                out.append(line)
                line, used = [], 0.0
            used += (space if line else 0.0) + adv
            line.append(w)
        out.append(line)
    return out


def _draw(img: Image.Image, lines: list[list[str]], top: int, fill) -> None:
    space, step = _space(), FONT_SIZE + LINE_GAP
    for i, words in enumerate(lines):
        x, y = float(PAD), top + PAD + i * step
        for w in words:
            mask, dx, dy, adv = _word(w)
            if mask is not None:
                img.paste(fill, (int(round(x)) + dx, y + dy), mask)
            x += adv + space


def _height(lines: list[list[str]]) -> int:
    return 2 * PAD + (FONT_SIZE + LINE_GAP) * len(lines)


def with_question(scene_image: Image.Image | None, text: str) -> Image.Image:
    """``scene_image`` with ``text`` drawn in a white panel underneath (or the panel alone)."""
    width = max(scene_image.width if scene_image else 0, PANEL_WIDTH)
    lines = wrap(text, width - 2 * PAD)
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
