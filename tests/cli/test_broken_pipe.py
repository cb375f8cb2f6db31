"""`turnout ... | head -1`: the reader going away ends the command quietly (exit 141), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from turnout_desktop.cli.main import EXIT_BROKEN_PIPE


def test_a_closed_pipe_ends_the_command_without_a_traceback(tmp_path: Path) -> None:
    roster = tmp_path / "loving_roster.csv"
    rows = "".join(f"11{index:08d},REP,early-voting\n" for index in range(200))
    roster.write_text("VUID,Party,Method\n" + rows, encoding="utf-8")
    command = [sys.executable, "-m", "turnout_desktop.cli.main", "precheck", str(roster), "--county", "LOVING",
               "--election", "2026-03-03", "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before the command writes (as `head` does once it has enough)
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == EXIT_BROKEN_PIPE, errors
    assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors
