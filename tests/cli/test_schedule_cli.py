"""`turnout schedule install|remove|status`: exit codes, JSON, help on every argument."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest
from schedule_runner import NEXT_RUN, PROGRAM, RecordingRunner, host_for

from turnout_desktop.cli.main import build_parser
from turnout_desktop.cli.main import main as turnout_main
from turnout_desktop.services import schedule
from turnout_desktop.services.schedule import CommandOutcome

STATUS_KEYS = ["installed", "platform", "scheduler", "every", "interval_minutes", "next_run", "database", "command",
               "files", "notes"]


@pytest.fixture
def runner(tmp_path, monkeypatch) -> RecordingRunner:
    """The CLI's host: this test's home on Linux, systemctl recorded."""
    recording = RecordingRunner()
    monkeypatch.setattr(schedule, "default_host", lambda: host_for(schedule.LINUX, tmp_path, recording))
    return recording


def test_install_status_remove(tmp_path, capsys, runner):
    database = f"sqlite:///{tmp_path / 'office.db'}"
    assert turnout_main(["--db", database, "schedule", "install", "--every", "2h", "--json"]) == 0
    installed = json.loads(capsys.readouterr().out)
    assert list(installed) == STATUS_KEYS
    assert installed["installed"] is True and installed["every"] == "2h" and installed["interval_minutes"] == 120
    assert installed["database"] == database and installed["command"] == [*PROGRAM, "--db", database, "check"]
    assert ("systemctl", "--user", "enable", "--now", "turnout-check.timer") in runner.calls

    assert turnout_main(["schedule", "status"]) == 0
    shown = capsys.readouterr().out
    assert "installed: yes, every 2h" in shown and f"database:  {database}" in shown
    assert f"next run:  {NEXT_RUN}" in shown

    assert turnout_main(["schedule", "remove"]) == 0
    assert "Removed: systemd user timer." in capsys.readouterr().out
    assert turnout_main(["schedule", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["installed"] is False and status["database"] is None

    assert turnout_main(["schedule", "remove"]) == 0  # again: nothing to remove, and it says only that
    again = capsys.readouterr().out
    assert "Removed" not in again and "No scheduled check was installed." in again


def test_install_defaults_to_every_hour(tmp_path, capsys, runner):
    assert turnout_main(["--db", f"sqlite:///{tmp_path / 'a.db'}", "schedule", "install"]) == 0
    assert "installed: yes, every 1h" in capsys.readouterr().out


@pytest.mark.parametrize("every", ["2m", "90", "soon", "0h"])
def test_a_bad_interval_is_exit_2(capsys, runner, every):
    with pytest.raises(SystemExit) as usage:
        turnout_main(["schedule", "install", "--every", every])
    assert usage.value.code == 2
    assert "argument --every:" in capsys.readouterr().err
    assert runner.calls == []


def test_a_refusing_scheduler_is_exit_1(tmp_path, capsys, monkeypatch):
    refusal = CommandOutcome(1, "", "Failed to connect to bus: No medium found")
    failing = RecordingRunner(fail={"enable": refusal})
    monkeypatch.setattr(schedule, "default_host", lambda: host_for(schedule.LINUX, tmp_path, failing))
    assert turnout_main(["--db", f"sqlite:///{tmp_path / 'a.db'}", "schedule", "install"]) == 1
    assert "No medium found" in capsys.readouterr().err


def test_no_scheduler_is_exit_2(tmp_path, capsys, monkeypatch):
    missing = RecordingRunner(missing=True)
    monkeypatch.setattr(schedule, "default_host", lambda: host_for(schedule.LINUX, tmp_path, missing))
    assert turnout_main(["--db", f"sqlite:///{tmp_path / 'a.db'}", "schedule", "install"]) == 2
    assert "systemctl is not available" in capsys.readouterr().err


def test_status_in_a_fresh_home_runs_as_a_program(tmp_path):
    """The real command, in a home where nothing is installed: no platform command is needed to say so."""
    environment = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "TURNOUT_DATA_DIR": str(tmp_path / "data")}
    shown = subprocess.run([sys.executable, "-m", "turnout_desktop.cli.main", "schedule", "status", "--json"],
                           capture_output=True, text=True, timeout=120, env=environment)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["installed"] is False
    refused = subprocess.run([sys.executable, "-m", "turnout_desktop.cli.main", "schedule", "install", "--every",
                              "1m"], capture_output=True, text=True, timeout=120, env=environment)
    assert refused.returncode == 2
    assert "between 5 minutes and 24 hours, not 1 minutes" in refused.stderr


def test_every_schedule_argument_has_help():
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    schedule_parser = commands.choices["schedule"]
    (actions,) = [a for a in schedule_parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(actions.choices) == {"install", "remove", "status"}
    for name, sub in actions.choices.items():
        for action in sub._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"schedule {name} {action.dest} has no help"
