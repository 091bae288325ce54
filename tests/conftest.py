import os
import subprocess
import sys
from pathlib import Path

import pytest

from spatialgen.cli import main
from spatialgen.writer import GenerateArgs, generate_dataset

ROOT = Path(__file__).resolve().parents[1]


def cli(*argv: str) -> int:
    return main([str(a) for a in argv])


def run_py(code: str, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    e = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def image_ds(tmp_path_factory) -> Path:
    """A small image dataset with all three splits over two levels, several shards per stream."""
    out = tmp_path_factory.mktemp("img") / "ds"
    generate_dataset(GenerateArgs(tasks="maze.*", n=None, n_per_level=12, levels="1-2", validation_per_level=4,
                                  test_per_level=8, shard_size=5, modality="image"), out, workers=1)
    return out


@pytest.fixture(scope="session")
def text_ds(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("txt") / "ds"
    generate_dataset(GenerateArgs(tasks="maze.*", n=None, n_per_level=16, levels="1-3", validation_per_level=8,
                                  test_per_level=8, shard_size=6, modality="text", completion="trace"), out, workers=1)
    return out


@pytest.fixture
def run_cli(capsys):
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""

    def run(*argv: str):
        code = main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def read_records(folder: Path) -> list[dict]:
    """All records of a dataset folder, in index order (the folder groups them by split and level)."""
    from spatialgen.verify import iter_dataset_records

    return sorted(iter_dataset_records(Path(folder)), key=lambda r: (r.get("split", "train"), r["index"]))
