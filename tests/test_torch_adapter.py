"""The torch adapter covers every index exactly once across workers x ranks, and set_epoch reorders."""
import pytest

from spatialgen import Dataset
from spatialgen.torch import shard_indices


def test_shard_indices_disjoint_complete_2x2():
    n = 103
    for epoch in (0, 1):
        parts = [shard_indices(n, r, 2, w, 2, seed=5, epoch=epoch) for r in range(2) for w in range(2)]
        flat = [i for p in parts for i in p]
        assert sorted(flat) == list(range(n)) and len(set(flat)) == n
        assert max(map(len, parts)) - min(map(len, parts)) <= 1
    e0 = shard_indices(n, 0, 2, 0, 2, seed=5, epoch=0)
    assert e0 == shard_indices(n, 0, 2, 0, 2, seed=5, epoch=0)
    assert e0 != shard_indices(n, 0, 2, 0, 2, seed=5, epoch=1)
    assert shard_indices(n, 0, 1, 0, 1, shuffle=False) == list(range(n))
    with pytest.raises(ValueError):
        shard_indices(n, 2, 2, 0, 1)


def test_core_does_not_import_torch():
    from conftest import run_py

    res = run_py("import sys, spatialgen, spatialgen.writer, spatialgen.rewards, spatialgen.curriculum, "
                 "spatialgen.hub, spatialgen.executors; print('torch' in sys.modules)")
    assert res.stdout.strip() == "False"


def test_dataloader_2_workers_x_2_ranks():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    from spatialgen.torch import SpatialIterableDataset

    ds = Dataset("maze.count_turns,maze.path_check", levels="1-2", seed=3, n=18, modality="text")
    seen = []
    for rank in range(2):
        it = SpatialIterableDataset(ds, seed=9, rank=rank, world_size=2, transform=lambda s: s.record["id"])
        it.set_epoch(1)
        ids = list(DataLoader(it, batch_size=None, num_workers=2))
        seen.append(ids)
    flat = seen[0] + seen[1]
    assert sorted(flat) == sorted(ds[i].record["id"] for i in range(18))
    assert not set(seen[0]) & set(seen[1])
