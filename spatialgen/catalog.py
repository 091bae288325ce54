"""The catalog of tasks: built-in templates plus any user template folders."""

from __future__ import annotations

import fnmatch
from functools import lru_cache
from pathlib import Path

from .resources import data_dir
from .templates import Task, TemplateError, load_template


class Catalog:
    """All tasks by id. User folders (``--templates DIR``) get the same validation as built-ins."""

    def __init__(self, template_dirs: tuple[Path, ...] = ()):
        self.template_dirs = tuple(Path(d) for d in template_dirs)
        self.tasks: dict[str, Task] = {}
        for d in (data_dir("templates"), *self.template_dirs):
            if not d.is_dir():
                raise TemplateError(f"{d}: template folder does not exist")
            for path in sorted(d.rglob("*.yaml")):
                task = load_template(path)
                if task.id in self.tasks:
                    raise TemplateError(f"{task.file}: task id '{task.id}' is already defined in "
                                        f"{self.tasks[task.id].file}; choose another id")
                self.tasks[task.id] = task

    def match(self, patterns: str | list[str]) -> list[Task]:
        """Tasks matching comma-separated glob patterns (``maze.*,grid.count``), in catalog order."""
        pats = [p.strip() for p in (patterns.split(",") if isinstance(patterns, str) else patterns) if p.strip()]
        if not pats:
            raise ValueError("no task pattern given; try --tasks 'maze.*'")
        chosen: list[Task] = []
        for pat in pats:
            hits = [t for tid, t in sorted(self.tasks.items()) if fnmatch.fnmatchcase(tid, pat)]
            if not hits:
                raise ValueError(f"no task matches '{pat}'; run 'spatialgen list' to see the tasks")
            chosen += [t for t in hits if t not in chosen]
        return chosen

    def get(self, task_id: str) -> Task:
        try:
            return self.tasks[task_id]
        except KeyError:
            raise ValueError(f"unknown task '{task_id}'; run 'spatialgen list' to see the tasks") from None


@lru_cache(maxsize=8)
def catalog(template_dirs: tuple[str, ...] = ()) -> Catalog:
    """Cached catalog (templates compile once per process)."""
    return Catalog(tuple(Path(d) for d in template_dirs))
