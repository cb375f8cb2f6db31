"""The README's set-up commands are what CI runs: a virtual environment, Python >= 3.11, the
Debian packages Qt's xcb plugin and the PDF tests need, and `.ci/run` running the README's test command verbatim."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _setup_commands() -> list[str]:
    """The one-line ```bash blocks of the README's "Set up" section, in order."""
    section = README[README.index("## Set up"):README.index("\n## ", README.index("## Set up") + 1)]
    return re.findall(r"```bash\n(.+?)\n```", section)


def _ci_array(name: str) -> list[str]:
    match = re.search(rf"^{name}=\((.*?)\)", CI_RUN, re.MULTILINE | re.DOTALL)
    assert match, f".ci/run defines no {name}=(...)"
    return match.group(1).split()


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = next(command for command in _setup_commands() if "pytest" in command)
    assert test_command in CI_RUN.splitlines(), ".ci/run must run the README's test command, character for character"


def test_both_commands_create_and_use_a_virtual_environment() -> None:
    commands = _setup_commands()
    install = next(command for command in commands if "turnout-desktop" in command)
    test = next(command for command in commands if "pytest" in command)
    for command in (install, test):
        assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install ")
    assert commands.index(install) < commands.index(test)  # the first command a reader meets installs the app


def test_the_python_version_named_is_the_one_required() -> None:
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    assert "Python >= 3.11" in README


def test_the_readme_lists_the_debian_packages_ci_installs() -> None:
    apt_line = next(command for command in _setup_commands() if command.startswith("sudo apt-get install "))
    readme_packages = apt_line.removeprefix("sudo apt-get install ").split()
    assert readme_packages[0] == "python3-venv"
    assert readme_packages[1:] == _ci_array("QT_PACKAGES")
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"} <= set(readme_packages)
    for package in _ci_array("TEST_PACKAGES"):  # poppler-utils: pdftotext, read by the PDF tests
        assert package in README
    assert "poppler-utils" in _ci_array("TEST_PACKAGES")
    assert {"xvfb", "xauth", "postgresql"} <= set(_ci_array("CI_PACKAGES"))


def test_ci_starts_the_app_on_a_real_x_server() -> None:
    assert "xvfb-run" in CI_RUN and "QT_QPA_PLATFORM=xcb" in CI_RUN and "--screenshot" in CI_RUN


def test_ruff_is_pinned() -> None:
    test_extra = PYPROJECT["project"]["optional-dependencies"]["test"]
    ruff = [requirement for requirement in test_extra if requirement.startswith("ruff")]
    assert len(ruff) == 1 and re.fullmatch(r"ruff==\d+\.\d+\.\d+", ruff[0]), ruff
