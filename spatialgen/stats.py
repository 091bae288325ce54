"""Quality report of a dataset: counts per split, task and level, answer distributions, and the
blind baseline (always answering the most frequent training answer of a task and level).

A high blind baseline means the answers are guessable without looking at the scene, which is what
answer balancing is meant to prevent. Stats are accumulated per shard (stored in each shard's
resume marker) and merged, so a run never holds all records to compute them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

#: Distinct answers tracked per (split, task, level); the rest is counted as OTHER. Small answer
#: spaces (numbers, yes/no, letters, directions) stay exact; routes are unique anyway.
CAP = 200
OTHER = "(other)"


class Stats:
    def __init__(self) -> None:
        self.answers: dict[tuple[str, str, int], Counter[str]] = {}

    def add(self, split: str, task: str, level: int, answer: str) -> None:
        self._bump(self.answers.setdefault((split, task, level), Counter()), answer, 1)

    @staticmethod
    def _bump(c: Counter[str], answer: str, n: int) -> None:
        if answer in c or len(c) < CAP:
            c[answer] += n
        else:
            c[OTHER] += n

    def merge(self, other: "Stats") -> None:
        for key, c in other.answers.items():
            mine = self.answers.setdefault(key, Counter())
            for a, n in c.most_common():
                self._bump(mine, a, n)

    def to_json(self) -> list[Any]:
        return [[s, t, lv, dict(c)] for (s, t, lv), c in sorted(self.answers.items())]

    @classmethod
    def from_json(cls, data: list[Any]) -> "Stats":
        st = cls()
        for s, t, lv, c in data:
            st.answers[(s, t, int(lv))] = Counter(c)
        return st

    # -- report ---------------------------------------------------------------------------------
    def count(self, split: str | None = None, task: str | None = None, level: int | None = None) -> int:
        return sum(sum(c.values()) for (s, t, lv), c in self.answers.items()
                   if (split is None or s == split) and (task is None or t == task) and (level is None or lv == level))

    def tasks(self) -> list[str]:
        return sorted({t for _, t, _ in self.answers})

    def levels(self) -> list[int]:
        return sorted({lv for _, _, lv in self.answers})

    def splits(self) -> list[str]:
        present = {s for s, _, _ in self.answers}
        return [s for s in ("train", "validation", "test") if s in present]

    def pooled(self, split: str | None, task: str, level: int | None = None) -> Counter[str]:
        out: Counter[str] = Counter()
        for (s, t, lv), c in self.answers.items():
            if (split is None or s == split) and t == task and (level is None or lv == level):
                out.update(c)
        return out

    def blind_baseline(self) -> tuple[str, list[dict[str, Any]]]:
        """Majority-answer accuracy per (task, level): the majority is taken on train and scored on
        test (else validation; else on train itself, which is optimistic and says so)."""
        splits = self.splits()
        fit = "train" if "train" in splits else splits[0]
        held = next((s for s in ("test", "validation") if s in splits), fit)
        rows = []
        for task in self.tasks():
            for lv in self.levels():
                train = self.pooled(fit, task, lv)
                test = self.pooled(held, task, lv)
                train.pop(OTHER, None)
                if not train or not sum(test.values()):
                    continue
                majority, _ = max(train.items(), key=lambda kv: (kv[1], kv[0]))
                n = sum(test.values())
                rows.append({"task": task, "level": lv, "majority": majority, "n": n,
                             "accuracy": test.get(majority, 0) / n, "distinct": len(self.pooled(None, task, lv))})
        return held, rows

    def report(self) -> dict[str, Any]:
        held, rows = self.blind_baseline()
        dist = {}
        for task in self.tasks():
            c = self.pooled(None, task)
            total = sum(c.values())
            dist[task] = {"distinct": len(c), "top": [[a, n / total] for a, n in c.most_common(5)]}
        return {"count": self.count(), "counts": {s: {t: {lv: self.count(s, t, lv) for lv in self.levels()}
                                                       for t in self.tasks()} for s in self.splits()},
                "answers": dist, "blind_baseline": rows, "blind_baseline_split": held}


def report_markdown(stats: Stats) -> str:
    rep = stats.report()
    lv = stats.levels()
    out = ["## Records per task and level", "",
           "| task | " + " | ".join(f"L{x}" for x in lv) + " | total |",
           "|---|" + "---|" * (len(lv) + 1)]
    for t in stats.tasks():
        cells = [stats.count(None, t, x) for x in lv]
        out.append(f"| {t} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    out += ["", "## Answer distributions (top 5 answers per task, all splits)", "",
            "| task | distinct answers | most frequent |", "|---|---|---|"]
    for t, d in rep["answers"].items():
        top = ", ".join(f"`{_short(a)}` {p:.0%}" for a, p in d["top"])
        out.append(f"| {t} | {d['distinct']}{'+' if d['distinct'] >= CAP else ''} | {top} |")
    out += ["", f"## Blind baseline (majority train answer per task and level, scored on {rep['blind_baseline_split']})",
            "", "Accuracy of always giving the most frequent training answer without looking at the scene: "
            "lower is better (hard to guess).", "",
            "| task | level | majority answer | accuracy | n |", "|---|---|---|---|---|"]
    for r in rep["blind_baseline"]:
        out.append(f"| {r['task']} | {r['level']} | `{_short(r['majority'])}` | {r['accuracy']:.1%} | {r['n']} |")
    return "\n".join(out) + "\n"


def report_text(stats: Stats) -> str:
    rep = stats.report()
    lines = [f"{rep['count']} records; splits: " + ", ".join(f"{s} {stats.count(s)}" for s in stats.splits()), "",
             f"{'task':<34} {'level':>5} {'n':>7} {'distinct':>8} {'blind':>7}  majority"]
    by = {(r["task"], r["level"]): r for r in rep["blind_baseline"]}
    for t in stats.tasks():
        for lv in stats.levels():
            n = stats.count(None, t, lv)
            if not n:
                continue
            r = by.get((t, lv))
            blind = f"{r['accuracy']:.1%}" if r else "-"
            lines.append(f"{t:<34} {lv:>5} {n:>7} {len(stats.pooled(None, t, lv)):>8} {blind:>7}  "
                         f"{_short(r['majority']) if r else ''}")
    lines.append(f"(blind = majority train answer scored on {rep['blind_baseline_split']})")
    return "\n".join(lines)


def _short(a: str, n: int = 40) -> str:
    return a if len(a) <= n else a[: n - 1] + "…"


def chart(stats: Stats, path: Path) -> None:
    """Bar chart of the blind-baseline accuracy per task and level (Pillow only, no plotting dep)."""
    from PIL import Image, ImageDraw, ImageFont

    _, rows = stats.blind_baseline()
    tasks, levels = stats.tasks(), stats.levels()
    by = {(r["task"], r["level"]): r["accuracy"] for r in rows}
    font = ImageFont.load_default()
    label_w, bar_w, row_h = 230, 420, 14 * max(1, len(levels)) + 10
    img = Image.new("RGB", (label_w + bar_w + 60, 50 + row_h * len(tasks) + 30), "white")
    d = ImageDraw.Draw(img)
    d.text((10, 10), "Blind baseline: majority-answer accuracy per task (one bar per level)", fill="black", font=font)
    palette = [(66, 133, 244), (52, 168, 83), (251, 188, 5), (234, 67, 53), (154, 80, 200), (0, 172, 193)]
    for i, t in enumerate(tasks):
        y0 = 40 + i * row_h
        d.text((10, y0 + row_h // 2 - 6), t, fill="black", font=font)
        for k, lv in enumerate(levels):
            acc = by.get((t, lv))
            if acc is None:
                continue
            y = y0 + 4 + k * 14
            d.rectangle([label_w, y, label_w + int(bar_w * acc), y + 10], fill=palette[k % len(palette)])
            d.text((label_w + int(bar_w * acc) + 4, y - 1), f"L{lv} {acc:.0%}", fill="black", font=font)
    yb = 40 + len(tasks) * row_h
    d.line([label_w, 35, label_w, yb], fill="black")
    for frac in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + int(bar_w * frac)
        d.text((x - 8, yb + 5), f"{frac:.0%}", fill="gray", font=font)
    img.save(path, format="PNG")
