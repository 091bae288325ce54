"""Which record sits at which index, and random access to records from Python.

Record ``i`` of a run uses the ``i % len(pairs)``-th (task, level) pair, where ``pairs`` lists the
matching tasks (sorted by id) crossed with the requested levels. So a record's task and level
depend only on its index and the arguments, never on the number of workers.
"""

from __future__ import annotations

import re
from typing import Iterator, Sequence

from .catalog import catalog
from .families import MODALITIES
from .sampler import Sample, make_record
from .templates import Task


def parse_levels(text: str | Sequence[int]) -> list[int]:
    """``"1-5"``, ``"1,3,5"`` or a list of ints -> sorted unique levels."""
    if not isinstance(text, str):
        levels = [int(x) for x in text]
    else:
        levels = []
        for part in text.split(","):
            part = part.strip()
            m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
            if not m:
                raise ValueError(f"bad level range {part!r}; write e.g. 1-5 or 1,3,5")
            lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
            if hi < lo:
                raise ValueError(f"bad level range {part!r}: {hi} < {lo}")
            levels += range(lo, hi + 1)
    if not levels:
        raise ValueError("no levels given")
    return sorted(set(levels))


def plan(tasks: str | list[str], levels: str | Sequence[int], template_dirs: tuple[str, ...] = (),
         modality: str | None = None) -> list[tuple[Task, int]]:
    """The (task, level) pairs of a run, in the order records cycle through them. With
    ``modality``, also fails early (one clear line) if a chosen family cannot produce it."""
    chosen = catalog(tuple(str(d) for d in template_dirs)).match(tasks)
    lv = parse_levels(levels)
    for t in chosen:
        if modality is not None:
            t.family.check_modality(modality)
        for level in lv:
            t.family.level(level)  # raises a clear error for undefined levels
    return [(t, level) for t in chosen for level in lv]


class Dataset:
    """Random access to the same records the CLI writes: ``Dataset(...)[i]`` equals the record with
    index ``i`` of ``spatialgen generate`` with the same tasks, levels, seed, modality and split.

    (The CLI additionally replaces the rare record whose question — scene, task and parameters —
    repeats an earlier one; such a replacement comes from a position past the end of its stream.)
    """

    def __init__(self, tasks: str | list[str] = "maze.*", levels: str | Sequence[int] = "1-5", seed: int = 0,
                 n: int = 1000, modality: str = "image", template_dirs: tuple[str, ...] = (),
                 split: str = "train"):
        from .sampler import SPLITS

        if modality not in MODALITIES:
            raise ValueError(f"unknown modality {modality!r}; choose from {', '.join(MODALITIES)}")
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
        if n < 0:
            raise ValueError("n must be >= 0")
        self.pairs = plan(tasks, levels, template_dirs, modality)
        self.seed, self.n, self.modality, self.split = seed, n, modality, split

    def __len__(self) -> int:
        return self.n

    def task_level(self, index: int) -> tuple[Task, int]:
        return self.pairs[index % len(self.pairs)]

    def __getitem__(self, index: int) -> Sample:
        if not 0 <= index < self.n:
            raise IndexError(f"index {index} out of range for {self.n} records")
        task, level = self.task_level(index)
        return make_record(task, level, self.seed, index, self.modality, split=self.split)

    def __iter__(self) -> Iterator[Sample]:
        for i in range(self.n):
            yield self[i]
