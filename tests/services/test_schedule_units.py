"""The files `turnout schedule` generates: systemd units, the Task Scheduler XML, the launchd plist, --every."""

from __future__ import annotations

import datetime as dt
import plistlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services import schedule_units as units

TRICKY_ARGS = ("--db", 'sqlite:////srv/Turnout Data/50% "final" & <copy>$HOME;.db', "check")
NS = {"t": units.TASK_NAMESPACE}


def _job(program: str = "/opt/Turnout Desktop/bin/python", minutes: int = 60) -> units.JobSpec:
    return units.JobSpec(argv=(program, "-m", "turnout_desktop.cli.main", *TRICKY_ARGS), interval_minutes=minutes,
                         environment=(("TURNOUT_DATA_DIR", "/home/clerk/Turnout 100%"),))


@pytest.mark.parametrize(("text", "minutes"), [("15m", 15), ("60m", 60), ("2h", 120), (" 90 min", 90),
                                               ("5m", 5), ("24h", 1440), ("2H", 120)])
def test_every_takes_minutes_and_hours(text, minutes):
    assert units.parse_every(text) == minutes
    assert units.parse_every(units.format_every(minutes)) == minutes


@pytest.mark.parametrize(("text", "message"), [
    ("4m", "between 5 minutes and 24 hours, not 4 minutes"),
    ("0h", "not 0 minutes"),
    ("25h", "not 1500 minutes"),
    ("60", "such as 15m, 60m or 2h, not '60'"),
    ("hourly", "not 'hourly'"),
    ("", "not ''"),
    ("-5m", "not '-5m'"),
])
def test_every_refuses_with_a_clear_reason(text, message):
    with pytest.raises(InvalidRequest, match="--every|interval") as refused:
        units.parse_every(text)
    assert message in str(refused.value)
    assert refused.value.exit_code == 2


def test_systemd_units_have_the_expected_keys():
    job = _job()
    service = units.unit_values(units.systemd_service(job))
    assert service["Service.Type"] == "oneshot"
    assert units.split_systemd_command(service["Service.ExecStart"]) == job.argv  # spaces, %, $, quotes survive
    assert service["Service.ExecStart"].startswith('"/opt/Turnout Desktop/bin/python" -m ')
    assert "%%" in service["Service.ExecStart"] and "$$HOME" in service["Service.ExecStart"]
    assert service["Service.Environment"] == '"TURNOUT_DATA_DIR=/home/clerk/Turnout 100%%"'
    timer = units.unit_values(units.systemd_timer(job))
    assert timer["Timer.OnCalendar"] == "*-*-* 00/1:00:00"  # every hour on the hour
    assert timer["Timer.Persistent"] == "true"
    assert timer["Timer.Unit"] == units.SERVICE_UNIT
    assert timer[f"Timer.{units.EVERY_KEY}"] == "60"
    assert timer["Install.WantedBy"] == "timers.target"


@pytest.mark.parametrize(("minutes", "expected"), [
    (15, {"Timer.OnCalendar": "*-*-* *:00/15:00", "Timer.Persistent": "true"}),
    (120, {"Timer.OnCalendar": "*-*-* 00/2:00:00", "Timer.Persistent": "true"}),
    (45, {"Timer.OnUnitActiveSec": "45min", "Timer.OnStartupSec": "5min"}),
    (90, {"Timer.OnUnitActiveSec": "90min"}),
])
def test_systemd_timer_follows_the_interval(minutes, expected):
    timer = units.unit_values(units.systemd_timer(_job(minutes=minutes)))
    assert expected.items() <= timer.items()
    assert int(timer["Timer.RandomizedDelaySec"]) <= minutes * 60 // 10


def test_control_characters_never_reach_a_unit():
    with pytest.raises(InvalidRequest, match="control characters"):
        units.systemd_service(units.JobSpec(argv=("/bin/turnout", "--db", "x\nExecStartPre=/bin/rm"),
                                            interval_minutes=60))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed here; the INI keys are checked by the test above")
def test_systemd_analyze_verifies_the_units(tmp_path):
    folder = tmp_path / "Turnout Desktop"  # an executable path with a space, as ExecStart must quote it
    folder.mkdir()
    program = folder / "python"
    program.symlink_to(sys.executable)
    units_dir = tmp_path / "units"
    units_dir.mkdir()
    for minutes in (15, 90):
        job = _job(str(program), minutes)
        (units_dir / units.SERVICE_UNIT).write_text(units.systemd_service(job), encoding="utf-8")
        (units_dir / units.TIMER_UNIT).write_text(units.systemd_timer(job), encoding="utf-8")
        verified = subprocess.run(["systemd-analyze", "verify", "--man=no", str(units_dir / units.TIMER_UNIT),
                                   str(units_dir / units.SERVICE_UNIT)], capture_output=True, text=True, timeout=60)
        assert verified.returncode == 0, verified.stderr
        assert "turnout-check" not in verified.stderr, verified.stderr  # no "unknown key", no "ignoring"
    # the same check refuses a unit whose program does not exist
    broken = _job(str(tmp_path / "missing" / "python"))
    (units_dir / units.SERVICE_UNIT).write_text(units.systemd_service(broken), encoding="utf-8")
    refused = subprocess.run(["systemd-analyze", "verify", "--man=no", str(units_dir / units.SERVICE_UNIT)],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "not executable" in refused.stderr


def test_task_scheduler_xml_parses_and_keeps_the_command():
    job = _job("C:\\Program Files\\Turnout Desktop\\turnout.exe", 30)
    start = dt.datetime(2026, 12, 5, 1, 30, 12, 345)
    text = units.task_scheduler_xml(job, start=start, description="Turnout check every 30m")
    root = ET.fromstring(text.encode("utf-16"))  # as schtasks reads the file: UTF-16 with a byte order mark
    assert root.tag == f"{{{units.TASK_NAMESPACE}}}Task"
    assert root.findtext("t:Triggers/t:TimeTrigger/t:Repetition/t:Interval", namespaces=NS) == "PT30M"
    assert root.findtext("t:Triggers/t:TimeTrigger/t:StartBoundary", namespaces=NS) == "2026-12-05T01:30:12"
    assert root.findtext("t:Principals/t:Principal/t:LogonType", namespaces=NS) == "InteractiveToken"
    assert root.findtext("t:Settings/t:MultipleInstancesPolicy", namespaces=NS) == "IgnoreNew"
    assert root.findtext("t:Actions/t:Exec/t:Command", namespaces=NS) == job.argv[0]
    assert "&amp;" in text and "&lt;copy&gt;" in text  # escaped in the file, intact once parsed
    assert units.read_task_xml(text) == (30, job.argv)
    arguments = root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=NS)
    assert units.split_windows_arguments(arguments) == job.argv[1:]


@pytest.mark.parametrize("words", [
    ("plain", "with space", 'quote"inside', "trailing\\", 'back\\"slash', "C:\\Program Files\\x\\", ""),
    ("--db", "sqlite:///C:/Users/Ann Lee/AppData/Local/TurnoutDesktop/turnout.db", "check"),
])
def test_windows_arguments_round_trip(words):
    assert units.split_windows_arguments(subprocess.list2cmdline(words)) == words


def test_launchd_plist_parses():
    job = _job()
    data = units.launchd_plist(job, log_file="/Users/clerk/Library/Logs/TurnoutDesktop/check.log")
    agent = plistlib.loads(data)
    assert agent["Label"] == units.LAUNCHD_LABEL
    assert agent["ProgramArguments"] == list(job.argv)
    assert agent["StartInterval"] == 3600
    assert agent["RunAtLoad"] is False
    assert agent["EnvironmentVariables"] == {"TURNOUT_DATA_DIR": "/home/clerk/Turnout 100%"}
    assert agent["StandardErrorPath"].endswith("check.log")
    assert units.read_launchd_plist(data) == (60, job.argv)


def test_database_of_reads_the_pinned_database():
    assert units.database_of(_job().argv) == TRICKY_ARGS[1]
    assert units.database_of(("/bin/turnout", "check")) is None


def test_generators_refuse_an_interval_out_of_range(tmp_path: Path):
    job = _job(minutes=2)
    with pytest.raises(InvalidRequest):
        units.systemd_timer(job)
    with pytest.raises(InvalidRequest):
        units.task_scheduler_xml(job, start=dt.datetime(2026, 1, 1), description="x")
    with pytest.raises(InvalidRequest):
        units.launchd_plist(job, log_file=str(tmp_path / "log"))
