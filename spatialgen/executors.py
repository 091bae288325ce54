"""Where shard work runs: inline, in local processes, or as Ray tasks.

Every executor yields shard results *in submission order* and keeps at most ``window`` shards in
flight, so the parent's memory is bounded by a few shards whatever the run's size, and the writer
(which alone touches disk) produces the same bytes with any executor or worker count.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections import deque
from typing import Iterable, Iterator

from .shards import Item, RunConfig, ShardSpec, make_shard


def _holds_gl_context() -> bool:
    # A GL (EGL/Mesa) context does not survive fork: a parent that already rendered spawns workers.
    worker = sys.modules.get("spatialgen.render.worker")
    return bool(worker is not None and worker.active_in_this_process())


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Executor:
    def map(self, cfg: RunConfig, shards: Iterable[ShardSpec]) -> Iterator[list[Item]]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class InlineExecutor(Executor):
    def map(self, cfg: RunConfig, shards: Iterable[ShardSpec]) -> Iterator[list[Item]]:
        for spec in shards:
            yield make_shard(cfg, spec)


_CFG: RunConfig | None = None


def _init(cfg: RunConfig) -> None:
    global _CFG
    _CFG = cfg


def _run(spec: ShardSpec) -> list[Item]:
    assert _CFG is not None
    return make_shard(_CFG, spec)


class ProcessExecutor(Executor):
    def __init__(self, workers: int):
        self.workers = workers
        self.pool = None

    def map(self, cfg: RunConfig, shards: Iterable[ShardSpec]) -> Iterator[list[Item]]:
        method = "fork" if sys.platform.startswith("linux") and not _holds_gl_context() else "spawn"
        self.pool = mp.get_context(method).Pool(self.workers, initializer=_init, initargs=(cfg,))
        pending: deque = deque()
        it = iter(shards)
        window = 2 * self.workers
        for spec in it:
            pending.append(self.pool.apply_async(_run, (spec,)))
            if len(pending) >= window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


class RayExecutor(Executor):
    """Shards as Ray tasks on the cluster at ``address`` (None: start or join a local instance).
    Workers need spatialgen importable (installed on the cluster, or the driver's PYTHONPATH)."""

    def __init__(self, address: str | None = None, window: int | None = None):
        try:
            import ray
        except ImportError:
            raise RuntimeError("--executor ray needs Ray: pip install 'spatialgen[ray]'") from None
        self.ray = ray
        if not ray.is_initialized():
            env = {}
            if os.environ.get("PYTHONPATH"):
                env["env_vars"] = {"PYTHONPATH": os.environ["PYTHONPATH"]}
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     runtime_env=env or None, configure_logging=False)
            self._started = True
        else:
            self._started = False
        self.window = window or max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))
        self._task = ray.remote(make_shard)

    def map(self, cfg: RunConfig, shards: Iterable[ShardSpec]) -> Iterator[list[Item]]:
        cfg_ref = self.ray.put(cfg)
        pending: deque = deque()
        for spec in shards:
            pending.append(self._task.remote(cfg_ref, spec))
            if len(pending) >= self.window:
                yield self.ray.get(pending.popleft())
        while pending:
            yield self.ray.get(pending.popleft())

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()


def make_executor(kind: str = "local", workers: int | None = None, address: str | None = None) -> Executor:
    if kind == "ray":
        return RayExecutor(address)
    if kind != "local":
        raise ValueError(f"unknown executor {kind!r}; choose local or ray")
    workers = workers or default_workers()
    return InlineExecutor() if workers <= 1 else ProcessExecutor(workers)
