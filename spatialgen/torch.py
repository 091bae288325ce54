"""PyTorch adapter: records generated on the fly inside DataLoader workers.

``SpatialIterableDataset`` is a ``torch.utils.data.IterableDataset`` over a :class:`spatialgen.Dataset`.
Each (distributed rank, DataLoader worker) pair takes a disjoint stride of the epoch's order, so all
of them together cover every index exactly once per epoch. ``set_epoch(e)`` changes the order (a
permutation seeded by (seed, epoch)) without changing which records exist: record ``i`` is always
``Dataset[i]``.

torch is optional: this module is the only one that imports it, and only when used. The splitting
logic (:func:`shard_indices`) is plain Python so it is testable without torch.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np

from .dataset import Dataset


def epoch_order(n: int, seed: int, epoch: int, shuffle: bool) -> np.ndarray:
    if not shuffle:
        return np.arange(n)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, epoch, 0x5EED]))).permutation(n)


def shard_indices(n: int, rank: int, world_size: int, worker: int, num_workers: int, *, seed: int = 0,
                  epoch: int = 0, shuffle: bool = True) -> list[int]:
    """Indices for one (rank, worker): stride ``world_size * num_workers`` through the epoch order."""
    if not (0 <= rank < world_size and 0 <= worker < num_workers):
        raise ValueError(f"bad rank/worker {rank}/{world_size}, {worker}/{num_workers}")
    order = epoch_order(n, seed, epoch, shuffle)
    slot, slots = rank * num_workers + worker, world_size * num_workers
    return [int(i) for i in order[slot::slots]]


def _dist_info() -> tuple[int, int]:
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


try:
    from torch.utils.data import IterableDataset as _Base
except ImportError:  # torch absent: the class below still imports, and says what to install when used
    _Base = object  # type: ignore[assignment,misc]


class SpatialIterableDataset(_Base):  # type: ignore[misc,valid-type]
    """``for sample in DataLoader(SpatialIterableDataset(Dataset(...)), num_workers=K)``.

    ``transform`` maps a :class:`spatialgen.Sample` to what the loader yields (default: the record
    dict with ``"pil_images"`` added). ``rank``/``world_size`` default to torch.distributed's.
    """

    def __init__(self, dataset: Dataset, *, shuffle: bool = True, seed: int = 0,
                 transform: Callable[[Any], Any] | None = None, rank: int | None = None,
                 world_size: int | None = None):
        if _Base is object:
            raise ImportError("spatialgen.torch needs PyTorch: pip install 'spatialgen[torch]'")
        self.dataset, self.shuffle, self.seed, self.transform = dataset, shuffle, seed, transform
        self.rank, self.world_size = rank, world_size
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _slot(self) -> tuple[int, int, int, int]:
        from torch.utils.data import get_worker_info

        rank, world = _dist_info()
        rank = self.rank if self.rank is not None else rank
        world = self.world_size if self.world_size is not None else world
        info = get_worker_info()
        return rank, world, (info.id if info else 0), (info.num_workers if info else 1)

    def indices(self) -> list[int]:
        rank, world, worker, workers = self._slot()
        return shard_indices(len(self.dataset), rank, world, worker, workers, seed=self.seed,
                             epoch=self.epoch, shuffle=self.shuffle)

    def __iter__(self) -> Iterator[Any]:
        for i in self.indices():
            sample = self.dataset[i]
            if self.transform is not None:
                yield self.transform(sample)
            else:
                yield {**sample.record, "pil_images": sample.images}

    def __len__(self) -> int:
        rank, world, worker, workers = self._slot()
        return len(range(rank * workers + worker, len(self.dataset), world * workers))
