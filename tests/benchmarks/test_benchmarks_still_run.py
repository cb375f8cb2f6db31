"""The benchmarks run end to end at a tiny size, so a refactor that breaks one is caught here, not on the night
someone measures (no timing is asserted: targets live in the benchmarks' own output)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SMALL_RUNS = [
    pytest.param(["gui_responsiveness.py", "--rows", "3000"], id="gui_responsiveness"),
    pytest.param(["import_roster.py", "--rows", "2000", "--only", "csv"], id="import_roster"),
    pytest.param(["import_statewide.py", "--rows", "2000"], id="import_statewide"),
    pytest.param(["reconcile.py", "--records", "5000", "--faults", "0.01", "--backend", "sqlite"], id="reconcile"),
]


@pytest.mark.parametrize("command", SMALL_RUNS)
def test_benchmark_runs_at_a_tiny_size(command: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / command[0]), *command[1:]], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
