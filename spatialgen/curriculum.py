"""A per-task difficulty curriculum driven by the accuracy a trainer reports.

Every task starts at its lowest level. After each report the task's window of recent outcomes is
checked: once it is full, mean accuracy above ``advance_at`` moves the task one level up, below
``step_back_at`` one level down, and the window restarts at the new level. Which record to train on
next is a pure function of the state (seed and per-task counters), so a restored curriculum
continues exactly where the saved one stopped.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .dataset import parse_levels, plan
from .sampler import Sample, make_record


@dataclass
class _TaskState:
    level_pos: int = 0
    drawn: int = 0
    window: deque = field(default_factory=deque)


class Curriculum:
    def __init__(self, tasks: str | list[str] = "maze.*", levels: str | Sequence[int] = "1-5", seed: int = 0,
                 modality: str = "image", window: int = 64, advance_at: float = 0.8,
                 step_back_at: float | None = 0.3, template_dirs: tuple[str, ...] = ()):
        if not 0 < window:
            raise ValueError("window must be positive")
        if step_back_at is not None and not step_back_at < advance_at:
            raise ValueError("step_back_at must be below advance_at")
        self.levels = parse_levels(levels)
        chosen = plan(tasks, self.levels, template_dirs)
        self.tasks = {t.id: t for t, _ in chosen}
        self.seed, self.modality, self.window_size = seed, modality, window
        self.advance_at, self.step_back_at = advance_at, step_back_at
        self.template_dirs = template_dirs
        self._tasks_arg = tasks
        self.state = {tid: _TaskState(window=deque(maxlen=window)) for tid in self.tasks}
        self.turn = 0
        self._counters: dict[str, int] = {}  # records drawn per "task@level": the next index

    def level(self, task_id: str) -> int:
        return self.levels[self.state[task_id].level_pos]

    def levels_now(self) -> dict[str, int]:
        return {tid: self.level(tid) for tid in self.tasks}

    def sample(self, task_id: str | None = None) -> Sample:
        """Next record: tasks in turn (or ``task_id``), each at its current level. Records at a
        level are numbered per (task, level), so no record repeats while the curriculum runs."""
        if task_id is None:
            ids = sorted(self.tasks)
            task_id = ids[self.turn % len(ids)]
            self.turn += 1
        st = self.state[task_id]
        level = self.level(task_id)
        st.drawn += 1
        # Indices count up per (task, level); make_record's seed includes task and level, so the
        # streams are independent. They are train-split seeds: never a validation/test record.
        index = self._drawn_at(task_id, level)
        return make_record(self.tasks[task_id], level, self.seed, index, self.modality)

    def _drawn_at(self, task_id: str, level: int) -> int:
        key = f"{task_id}@{level}"
        n = self._counters.get(key, 0)
        self._counters[key] = n + 1
        return n

    def report(self, task_id: str, correct: float | Sequence[float]) -> int:
        """Record outcomes (1/0 or scores in [0, 1]) for ``task_id``; returns its level afterwards."""
        if task_id not in self.state:
            raise KeyError(f"unknown task {task_id!r}")
        st = self.state[task_id]
        for c in ([correct] if isinstance(correct, (int, float)) else correct):
            st.window.append(float(c))
            if len(st.window) < self.window_size:
                continue
            acc = sum(st.window) / len(st.window)
            if acc > self.advance_at and st.level_pos < len(self.levels) - 1:
                st.level_pos += 1
                st.window.clear()
            elif self.step_back_at is not None and acc < self.step_back_at and st.level_pos > 0:
                st.level_pos -= 1
                st.window.clear()
        return self.level(task_id)

    # -- save / restore -------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            "config": {"tasks": self._tasks_arg, "levels": self.levels, "seed": self.seed,
                       "modality": self.modality, "window": self.window_size, "advance_at": self.advance_at,
                       "step_back_at": self.step_back_at, "template_dirs": list(self.template_dirs)},
            "turn": self.turn,
            "counters": dict(self._counters),
            "tasks": {tid: {"level": self.level(tid), "drawn": st.drawn, "window": list(st.window)}
                      for tid, st in self.state.items()},
        }

    @classmethod
    def from_state_dict(cls, state: dict[str, Any]) -> "Curriculum":
        c = state["config"]
        cur = cls(c["tasks"], c["levels"], c["seed"], c["modality"], c["window"], c["advance_at"],
                  c["step_back_at"], tuple(c["template_dirs"]))
        cur.turn = state["turn"]
        cur._counters.update(state["counters"])
        for tid, s in state["tasks"].items():
            st = cur.state[tid]
            st.level_pos, st.drawn = cur.levels.index(s["level"]), s["drawn"]
            st.window.extend(s["window"])
        return cur

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.state_dict()))

    @classmethod
    def load(cls, path: str | Path) -> "Curriculum":
        return cls.from_state_dict(json.loads(Path(path).read_text()))
