"""A stand-in for systemctl / schtasks / launchctl: records each command and answers as the platform would.

Only the platform command is replaced; the unit files, plists and task XML are real files in a temporary
home. ``fail`` maps a word of a command (e.g. ``enable``) to the outcome that command gets; ``missing``
makes every command raise as if the program were not installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from turnout_desktop.services.schedule import CommandOutcome, PlatformCommandMissing, ScheduleHost

NEXT_RUN = "Sat 2026-12-05 03:00:00 UTC"
PROGRAM = ("/opt/Turnout Desktop/bin/python", "-m", "turnout_desktop.cli.main")


class RecordingRunner:
    def __init__(self, *, fail: dict[str, CommandOutcome] | None = None, missing: bool = False) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.fail = fail or {}
        self.missing = missing
        self.task_xml: str | None = None  # what schtasks holds
        self.loaded = False  # what launchd holds

    def __call__(self, argv: Sequence[str]) -> CommandOutcome:
        command = tuple(argv)
        self.calls.append(command)
        if self.missing:
            raise PlatformCommandMissing(f"{command[0]} is not available on this computer")
        for word, outcome in self.fail.items():
            if word in command:
                return outcome
        if command[0] == "systemctl" and "show" in command:
            return CommandOutcome(0, f"NextElapseUSecRealtime={NEXT_RUN}\nActiveState=active\n")
        if command[0] == "schtasks":
            return self._schtasks(command)
        if command[0] == "launchctl":
            return self._launchctl(command)
        return CommandOutcome(0)

    def _schtasks(self, command: tuple[str, ...]) -> CommandOutcome:
        if "/Create" in command:  # the XML file exists while schtasks reads it
            self.task_xml = Path(command[command.index("/XML") + 1]).read_bytes().decode("utf-16")
            return CommandOutcome(0, "SUCCESS: The scheduled task was created.")
        if self.task_xml is None:
            return CommandOutcome(1, "", "ERROR: The system cannot find the file specified.")
        if "/Delete" in command:
            self.task_xml = None
            return CommandOutcome(0, "SUCCESS: deleted.")
        if "/XML" in command:
            return CommandOutcome(0, self.task_xml)
        return CommandOutcome(0, "TaskName: \\TurnoutDesktop Check\nNext Run Time: 12/5/2026 3:00:00 AM\n")

    def _launchctl(self, command: tuple[str, ...]) -> CommandOutcome:
        if command[1] == "bootstrap":
            self.loaded = True
        elif command[1] == "bootout":
            was, self.loaded = self.loaded, False
            return CommandOutcome(0 if was else 3, "", "" if was else "Boot-out failed: 3: No such process")
        elif command[1] == "print" and not self.loaded:
            return CommandOutcome(113, "", "Could not find service")
        return CommandOutcome(0)


def host_for(platform: str, home: Path, runner: RecordingRunner, program: tuple[str, ...] = PROGRAM) -> ScheduleHost:
    return ScheduleHost(platform=platform, home=home, runner=runner, program=program, temp_dir=home, user_id=501)
