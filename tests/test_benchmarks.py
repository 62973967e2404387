"""The benchmark suite still runs: `python -m benchmarks --quick` writes every section with sane
numbers. The figures are not judged here (timing belongs to the benchmarks, not the tests)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.cli import default_sections
from tests.conftest import POSTGRES_URL_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
# The quick run took 204 s on a 2-core machine at a load average of 8 (other test runs beside
# it): twice that and more before it counts as hung.
QUICK_SECONDS = 600


@pytest.mark.timeout(QUICK_SECONDS + 60)
def test_quick_run_writes_every_section(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    output = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if env.pop(POSTGRES_URL_VARIABLE, None):
        # The postgres section empties the database it is given: the run's own, never the server's.
        env["STUDYBOT_BENCH_POSTGRES_URL"] = request.getfixturevalue("postgres_run_url")
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)],
        cwd=tmp_path,  # not the checkout, whose .env would reach the servers it starts
        env=env,
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
            if figure["unit"] == "%":
                # A share, such as the closed loop's share told "busy", is 0 when nothing was refused.
                assert 0 <= figure["value"] <= 100, (name, figure)
            else:
                assert figure["value"] > 0, (name, figure)
            assert figure["unit"], (name, figure)
    assert "section" in run.stdout


def test_the_flood_measurement_runs() -> None:
    """`python -m benchmarks.flood` (issue 13's memory and fairness under a flood), briefly."""
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.flood", "--seconds", "2", "--clients", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=QUICK_SECONDS,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "resident memory: idle" in run.stdout and "other workspace:" in run.stdout
