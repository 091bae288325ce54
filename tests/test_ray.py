"""Ray executor output equals the local executor's, byte for byte (skipped without Ray)."""
import pytest

from test_writer import tree_hashes
from spatialgen.writer import GenerateArgs, generate_dataset

ray = pytest.importorskip("ray")


def test_ray_equals_local(tmp_path):
    args = GenerateArgs(tasks="maze.count_turns,maze.choose_path", n=None, n_per_level=6, levels="1-2",
                        validation_per_level=2, test_per_level=2, shard_size=3, modality="image")
    generate_dataset(args, tmp_path / "local", workers=1)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        generate_dataset(args, tmp_path / "ray", executor="ray")
    finally:
        ray.shutdown()
    assert tree_hashes(tmp_path / "local") == tree_hashes(tmp_path / "ray")
