"""PyInstaller entry script of both executables of the bundle (build.spec): they share one archive of Python
modules, so one script runs in both and picks the entry point pyproject.toml declares for the executable's name:
``turnout`` (console) runs [project.scripts] turnout, ``TurnoutDesktop`` (windowed) [project.gui-scripts]."""

import multiprocessing
import sys
from pathlib import Path

CLI_EXECUTABLE = "turnout"


def is_cli(executable: str) -> bool:
    """True for the console executable (``turnout``, ``turnout.exe``), whatever folder or link it is run from."""
    return Path(executable).stem.lower() == CLI_EXECUTABLE


if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process started from this executable runs its task
    if is_cli(sys.executable):
        from turnout_desktop.cli.main import main
    else:
        from turnout_desktop.gui.app import main
    sys.exit(main())
