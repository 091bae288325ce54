"""A contact sheet (PNG) and an HTML gallery of a dataset's records, for eyeballing in seconds.

Records are picked by seeded reservoir sampling while streaming the JSONL shards, so any dataset
size works in constant memory and the same seed shows the same records.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .verify import iter_dataset_records

TILE = 300
TEXT_H = 170


def pick(root: Path, n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = np.random.Generator(np.random.PCG64(seed))
    chosen: list[tuple[int, dict[str, Any]]] = []
    for k, rec in enumerate(iter_dataset_records(root)):
        if len(chosen) < n:
            chosen.append((k, rec))
        else:
            j = int(rng.integers(k + 1))
            if j < n:
                chosen[j] = (k, rec)
    return [r for _, r in sorted(chosen, key=lambda kr: kr[0])]


def _thumb(root: Path, rec: dict[str, Any], font) -> Image.Image:
    if rec.get("images"):
        img = Image.open(root / rec["images"][0]).convert("RGB")
        img.thumbnail((TILE, TILE))
        return img
    # Text-only records: show the scene's text rendering (e.g. the ASCII maze).
    img = Image.new("RGB", (TILE, TILE), "white")
    body = rec.get("scene", {}).get("ascii") or rec["question"]
    ImageDraw.Draw(img).multiline_text((4, 4), "\n".join(body.splitlines()[:24]), fill="black", font=font)
    return img


def _question_core(rec: dict[str, Any]) -> str:
    """The question without the scene description, the option list and the format instruction."""
    parts = [p for p in rec["question"].split("\n\n") if p.strip()]
    k = 3 if rec.get("choices") else 2
    return parts[-k] if len(parts) > k else rec["question"]


def preview(root: Path, n: int = 24, out: Path = Path("preview.png"), seed: int = 0) -> tuple[Path, Path]:
    root, out = Path(root), Path(out)
    recs = pick(root, n, seed)
    if not recs:
        raise ValueError(f"{root} has no records")
    font = ImageFont.load_default()
    cols = min(6, len(recs))
    rows = -(-len(recs) // cols)
    sheet = Image.new("RGB", (cols * (TILE + 10) + 10, rows * (TILE + TEXT_H + 10) + 10), (235, 235, 235))
    d = ImageDraw.Draw(sheet)
    cards = []
    for k, rec in enumerate(recs):
        x, y = 10 + (k % cols) * (TILE + 10), 10 + (k // cols) * (TILE + TEXT_H + 10)
        thumb = _thumb(root, rec, font)
        sheet.paste(thumb, (x + (TILE - thumb.width) // 2, y))
        q = _question_core(rec)
        lines = [f"{rec['task']}  L{rec['level']}  {rec.get('split', 'train')}"]
        lines += textwrap.wrap(q, 48)[:8]
        lines += textwrap.wrap(f"answer: {rec['answer']}", 48)[:2]
        d.rectangle([x, y + TILE, x + TILE, y + TILE + TEXT_H], fill="white")
        d.multiline_text((x + 4, y + TILE + 4), "\n".join(lines), fill="black", font=font)
        buf = io.BytesIO()
        thumb.save(buf, format="PNG")
        choices = "".join(f"<li>{'ABCDEFGH'[i]}. {html.escape(c)}</li>" for i, c in enumerate(rec.get("choices") or []))
        cards.append(
            f'<figure><img src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'
            f"<figcaption><b>{html.escape(rec['task'])}</b> level {rec['level']} · {html.escape(rec.get('split', 'train'))}"
            f"<br><code>{html.escape(rec['id'])}</code><p>{html.escape(q)}</p>"
            f"{'<ol>' + choices + '</ol>' if choices else ''}<p>answer: <b>{html.escape(rec['answer'])}</b></p>"
            f"</figcaption></figure>")
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, format="PNG")
    page = out.with_suffix(".html")
    page.write_text(
        "<!doctype html><meta charset=utf-8><title>spatialgen preview</title><style>"
        "body{font-family:sans-serif;display:flex;flex-wrap:wrap;gap:12px;background:#eee}"
        "figure{background:#fff;width:320px;margin:0;padding:8px}img{max-width:300px}ol{list-style:none;padding:0}"
        f"</style><h1 style='width:100%'>{html.escape(str(root))}: {len(recs)} records</h1>" + "".join(cards))
    return out, page
