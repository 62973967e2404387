"""The benchmark suite still runs: `python -m benchmarks --quick` writes every section with sane
numbers. The figures are not judged here (timing belongs to the benchmarks, not the tests)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.cli import default_sections

ROOT = Path(__file__).resolve().parent.parent
QUICK_SECONDS = 300


@pytest.mark.timeout(QUICK_SECONDS + 30)
def test_quick_run_writes_every_section(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=QUICK_SECONDS,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(output.read_text())
    assert results["quick"] is True
    assert set(results["sections"]) == set(default_sections())
    for name, figures in results["sections"].items():
        assert figures, name
        for figure in figures:
            assert math.isfinite(figure["value"]), (name, figure)
            assert figure["value"] > 0, (name, figure)
            assert figure["unit"], (name, figure)
    assert "section" in run.stdout
