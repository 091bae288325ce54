import json
from pathlib import Path

import pytest

from spatialgen.cli import main


@pytest.fixture
def run_cli(capsys):
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""

    def run(*argv: str):
        code = main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def read_records(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (Path(folder) / "records.jsonl").read_text().splitlines()]
