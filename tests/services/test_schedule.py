"""`turnout schedule` install / status / remove: real files in a temporary home, only the platform command recorded."""

from __future__ import annotations

import plistlib
import subprocess
import sys
from pathlib import Path

import pytest
from schedule_runner import NEXT_RUN, PROGRAM, RecordingRunner, host_for

from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services import schedule
from turnout_desktop.services import schedule_units as units
from turnout_desktop.services.schedule import CommandOutcome, PlatformCommandMissing, ScheduleCommandFailed

PG_URL = "postgresql://clerk:s3cret-pw@db.example.org:5432/turnout?sslmode=verify-full"


def test_linux_install_status_remove(tmp_path):
    runner = RecordingRunner()
    host = host_for(schedule.LINUX, tmp_path, runner)
    database = f"sqlite:///{tmp_path / 'turnout.db'}"
    installed = schedule.install(30, database, host)
    unit_dir = tmp_path / ".config" / "systemd" / "user"
    service, timer = unit_dir / units.SERVICE_UNIT, unit_dir / units.TIMER_UNIT
    assert service.is_file() and timer.is_file()
    assert runner.calls[:2] == [("systemctl", "--user", "daemon-reload"),
                                ("systemctl", "--user", "enable", "--now", units.TIMER_UNIT)]
    assert installed.installed and installed.every == "30m" and installed.interval_minutes == 30
    assert installed.database == database and installed.next_run == NEXT_RUN
    assert installed.command == (*PROGRAM, "--db", database, "check")
    assert installed.files == (str(service), str(timer)) and installed.scheduler == "systemd user timer"

    assert schedule.status(host) == installed  # read back from the files and systemctl

    runner.calls.clear()
    removed = schedule.remove(host)
    changes = [call for call in runner.calls if "show" not in call]  # remove reads the status first
    assert changes == [("systemctl", "--user", "disable", "--now", units.TIMER_UNIT),
                       ("systemctl", "--user", "daemon-reload")]
    assert not service.exists() and not timer.exists()
    assert not removed.installed and removed.notes == ("The scheduled check was removed.",)
    again = schedule.remove(host)
    assert not again.installed and again.notes == ("No scheduled check was installed.",)


def test_config_home_is_where_systemd_looks(tmp_path):
    host = schedule.ScheduleHost(platform=schedule.LINUX, home=tmp_path / "home", runner=RecordingRunner(),
                                 program=PROGRAM, config_home=tmp_path / "xdg")
    schedule.install(60, f"sqlite:///{tmp_path / 'a.db'}", host)
    assert (tmp_path / "xdg" / "systemd" / "user" / units.TIMER_UNIT).is_file()
    assert not (tmp_path / "home").exists()


def test_no_password_is_ever_written(tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "env-secret")
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-pgpass"))
    for platform in (schedule.LINUX, schedule.MACOS, schedule.WINDOWS):
        runner = RecordingRunner()
        home = tmp_path / platform
        home.mkdir()
        installed = schedule.install(60, PG_URL, host_for(platform, home, runner))
        assert installed.database == "postgresql://clerk@db.example.org:5432/turnout?sslmode=verify-full"
        assert "The password in the database URL was not written into the job." in installed.notes
        assert any("no-such-pgpass does not exist yet" in note for note in installed.notes)
        written = b"".join(path.read_bytes() for path in home.rglob("*") if path.is_file())
        written += (runner.task_xml or "").encode()
        assert written and b"s3cret" not in written and b"env-secret" not in written
        assert b"PGPASSWORD" not in written
        if platform != schedule.WINDOWS:  # a task takes the user's own environment
            assert ("PGPASSFILE", str(tmp_path / "no-such-pgpass")) in _environment(platform, home, runner)


@pytest.mark.parametrize("key", ["password", "sslpassword", "PASSWORD"])
def test_a_password_in_the_url_query_is_not_written_either(tmp_path, key):
    """libpq also takes ``?password=``: the job file and the status must not carry it."""
    installed = schedule.install(60, f"postgresql://clerk@db.example.org/turnout?sslmode=require&{key}=q-secret",
                                 host_for(schedule.LINUX, tmp_path, RecordingRunner()))
    written = b"".join(path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())
    assert written and b"q-secret" not in written
    assert installed.database == "postgresql://clerk@db.example.org/turnout?sslmode=require"
    assert "The password in the database URL was not written into the job." in installed.notes


def test_the_short_postgres_scheme_is_accepted_like_everywhere_else():
    database, _notes = schedule.job_database("postgres://clerk@db.example.org/turnout")
    assert database == "postgresql://clerk@db.example.org/turnout"


def _environment(platform: str, home: Path, runner: RecordingRunner) -> set[tuple[str, str]]:
    """The variables the job is started with (systemd Environment= lines, launchd EnvironmentVariables)."""
    if platform == schedule.LINUX:
        lines = (home / ".config/systemd/user" / units.SERVICE_UNIT).read_text().splitlines()
        pairs = (line.removeprefix("Environment=").strip('"').split("=", 1) for line in lines
                 if line.startswith("Environment="))
        return {(name, value) for name, value in pairs}
    agent = plistlib.loads(schedule.launchd_plist_path(host_for(platform, home, runner)).read_bytes())
    return set(agent["EnvironmentVariables"].items())


def test_a_failing_systemctl_leaves_nothing_installed(tmp_path):
    refusal = CommandOutcome(1, "", "Failed to connect to bus: No medium found")
    host = host_for(schedule.LINUX, tmp_path, RecordingRunner(fail={"enable": refusal}))
    with pytest.raises(ScheduleCommandFailed, match="No medium found") as failed:
        schedule.install(60, f"sqlite:///{tmp_path / 'a.db'}", host)
    assert failed.value.exit_code == 1
    assert "systemctl --user enable --now turnout-check.timer" in str(failed.value)
    assert not list((tmp_path / ".config" / "systemd" / "user").iterdir())
    assert not schedule.status(host).installed


def test_a_missing_platform_command_is_exit_2(tmp_path):
    host = host_for(schedule.LINUX, tmp_path, RecordingRunner(missing=True))
    with pytest.raises(PlatformCommandMissing, match="systemctl is not available") as missing:
        schedule.install(60, f"sqlite:///{tmp_path / 'a.db'}", host)
    assert missing.value.exit_code == 2
    with pytest.raises(PlatformCommandMissing, match="turnout-no-such-scheduler is not available"):
        schedule.run_platform_command(["turnout-no-such-scheduler", "--version"])


def test_a_real_command_reports_its_output():
    outcome = schedule.run_platform_command([sys.executable, "-c", "import sys; print('out'); sys.exit(3)"])
    assert outcome == CommandOutcome(3, "out\n", "")


def test_windows_task_install_status_remove(tmp_path):
    runner = RecordingRunner()
    host = host_for(schedule.WINDOWS, tmp_path, runner, program=("C:\\Program Files\\Turnout\\turnout.exe",))
    database = "sqlite:///C:/Users/Ann Lee/AppData/Local/TurnoutDesktop/turnout.db"
    installed = schedule.install(120, database, host)
    create = runner.calls[0]
    assert create[:4] == ("schtasks", "/Create", "/TN", schedule.TASK_NAME) and create[-1] == "/F"
    assert not Path(create[create.index("/XML") + 1]).exists()  # the temporary XML is gone
    assert "<Interval>PT120M</Interval>" in (runner.task_xml or "")
    assert installed.installed and installed.every == "2h" and installed.database == database
    assert installed.command == ("C:\\Program Files\\Turnout\\turnout.exe", "--db", database, "check")
    assert installed.next_run == "12/5/2026 3:00:00 AM"
    removed = schedule.remove(host)
    assert ("schtasks", "/Delete", "/TN", schedule.TASK_NAME, "/F") in runner.calls
    assert not removed.installed and runner.task_xml is None


def test_macos_agent_install_status_remove(tmp_path):
    runner = RecordingRunner()
    host = host_for(schedule.MACOS, tmp_path, runner)
    installed = schedule.install(15, f"sqlite:///{tmp_path / 'a.db'}", host)
    plist = tmp_path / "Library" / "LaunchAgents" / f"{units.LAUNCHD_LABEL}.plist"
    assert ("launchctl", "bootstrap", "gui/501", str(plist)) in runner.calls
    assert plistlib.loads(plist.read_bytes())["StartInterval"] == 900
    assert (tmp_path / "Library" / "Logs" / "TurnoutDesktop").is_dir()
    assert installed.installed and installed.every == "15m" and installed.notes == ()
    assert installed.next_run is None  # launchd does not tell
    removed = schedule.remove(host)
    assert ("launchctl", "bootout", f"gui/501/{units.LAUNCHD_LABEL}") in runner.calls
    assert not plist.exists() and not removed.installed


def test_an_unloaded_agent_is_reported(tmp_path):
    runner = RecordingRunner()
    host = host_for(schedule.MACOS, tmp_path, runner)
    schedule.install(60, f"sqlite:///{tmp_path / 'a.db'}", host)
    runner.loaded = False  # e.g. unloaded by hand
    assert schedule.status(host).notes == ("The agent is not loaded: run `turnout schedule install` again.",)


def test_a_relative_sqlite_file_is_pinned_absolutely(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    database, notes = schedule.job_database("sqlite:///local.db")
    assert database == f"sqlite:///{tmp_path / 'local.db'}" and notes == ()
    with pytest.raises(InvalidRequest, match="in-memory"):
        schedule.job_database("sqlite:///:memory:")
    with pytest.raises(InvalidRequest, match="Unsupported database 'mysql'"):
        schedule.job_database("mysql://x@y/z")


def test_the_default_database_is_the_local_file(tmp_path, monkeypatch):
    monkeypatch.delenv("TURNOUT_DB_URL", raising=False)
    monkeypatch.setenv("TURNOUT_DATA_DIR", str(tmp_path / "data"))
    assert schedule.job_database(None)[0] == f"sqlite:///{tmp_path / 'data' / 'turnout.db'}"
    monkeypatch.setenv("TURNOUT_DB_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert schedule.job_database(None)[0] == f"sqlite:///{tmp_path / 'env.db'}"


def test_bad_interval_or_platform_is_refused(tmp_path):
    with pytest.raises(InvalidRequest, match="not 4 minutes"):
        schedule.install(4, None, host_for(schedule.LINUX, tmp_path, RecordingRunner()))
    with pytest.raises(InvalidRequest, match="not supported on 'plan9'"):
        schedule.status(host_for("plan9", tmp_path, RecordingRunner()))


def test_the_program_runs_this_installation(tmp_path, monkeypatch):
    program = schedule.turnout_program()
    assert program == (str(Path(sys.executable).absolute()), "-m", "turnout_desktop.cli.main")
    shown = subprocess.run([*program, "schedule", "--help"], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and "install" in shown.stdout

    bundle = tmp_path / "Turnout Desktop"
    bundle.mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(bundle / "turnout-desktop"))
    with pytest.raises(InvalidRequest, match="no console program turnout"):
        schedule.turnout_program()
    (bundle / "turnout").write_text("")
    assert schedule.turnout_program() == (str(bundle / "turnout"),)


def test_the_installed_job_runs_the_check_on_the_same_database(tmp_path):
    """The command systemd would start, read back from the written unit and run: it checks the pinned file."""
    database = tmp_path / "office data" / "turnout.db"
    host = host_for(schedule.LINUX, tmp_path, RecordingRunner(), program=schedule.turnout_program())
    schedule.install(60, f"sqlite:///{database}", host)
    service = (tmp_path / ".config" / "systemd" / "user" / units.SERVICE_UNIT).read_text(encoding="utf-8")
    argv = units.split_systemd_command(units.unit_values(service)["Service.ExecStart"])
    ran = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=tmp_path.parent)
    assert ran.returncode == 2 and "No database at" in ran.stderr  # nothing there yet: refused, not created
    assert not database.exists()
    assert subprocess.run([*argv[:-1], "init"], capture_output=True, timeout=300).returncode == 0
    ran = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=tmp_path.parent)
    assert ran.returncode == 0, ran.stderr  # the scheduled `turnout check` on the office's database
