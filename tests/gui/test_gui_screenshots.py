"""``turnout-desktop --screenshot PATH --view NAME [--size WxH] [--dark]``: every view, its size, the dark palette."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from turnout_desktop.domain.labels import START_CHOICE_LABELS
from turnout_desktop.gui.app import Startup, build_parser
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.screenshots import VIEWS
from turnout_desktop.gui.settings import Preferences, load_preferences
from turnout_desktop.gui.welcome_dialog import WelcomeDialog

SIZE = QSize(1000, 700)
ISSUE_VIEWS = ("main", "map", "inbox", "details", "escalation", "override-confirm", "wizard", "wizard-result",
               "settings", "print-preview", "chart", "welcome")


def grey_levels(path: Path, step: int = 4) -> list[int]:
    """The grey level (0..255) of every ``step``-th pixel in each direction."""
    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not a readable image"
    return [image.pixelColor(x, y).lightness() for y in range(0, image.height(), step)
            for x in range(0, image.width(), step)]


def spread(levels: list[int]) -> float:
    mean = sum(levels) / len(levels)
    return (sum((level - mean) ** 2 for level in levels) / len(levels)) ** 0.5


def test_every_view_the_issue_names_is_offered() -> None:
    assert set(VIEWS) == set(ISSUE_VIEWS)
    parser = build_parser()
    for view in ISSUE_VIEWS:
        assert parser.parse_args(["--screenshot", "x.png", "--view", view]).view == view


@pytest.mark.parametrize("text", ["big", "1280", "1280x", "0x800", "1280x-5", "100x100", "99999x800"])
def test_a_bad_size_is_a_clear_argparse_error(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--screenshot", "x.png", "--size", text])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "argument --size" in error and ("WIDTHxHEIGHT" in error or "width must be" in error)


def test_sizes_parse() -> None:
    args = build_parser().parse_args(["--screenshot", "x.png", "--size", "1366x768", "--dark"])
    assert args.size == QSize(1366, 768) and args.dark is True
    assert build_parser().parse_args([]).size is None


@pytest.mark.parametrize("view", ISSUE_VIEWS)
def test_each_view_is_saved_at_the_requested_size_and_shows_something(qtbot, admin_spec, demo_template,
                                                                      tmp_path, view: str) -> None:
    demo_files = shutil.copytree(demo_template.parent / "files", tmp_path / "files")
    window = MainWindow(admin_spec, Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    window.resize(SIZE)
    window.show()
    shot = tmp_path / "shots" / f"{view}.png"
    startup = Startup(window, seed_if_empty=False, demo_folder=demo_files, screenshot=shot, view=view, size=SIZE)
    with qtbot.waitSignal(startup.screenshot_saved, timeout=60_000):
        startup.start()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    qtbot.waitUntil(window.runner.is_idle, timeout=30_000)
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (SIZE.width(), SIZE.height())
    assert spread(grey_levels(shot)) > 5.0, f"{view}: the picture is (nearly) one colour"


def test_the_welcome_view_shows_the_three_choices_and_chooses_none(qtbot, admin_spec, tmp_path) -> None:
    """The first start's dialog as the user guide shows it: every choice, the server form open, nothing saved."""
    window = MainWindow(admin_spec, Preferences(auto_check_minutes=0))
    qtbot.addWidget(window)
    window.show()
    shot = tmp_path / "welcome.png"
    startup = Startup(window, seed_if_empty=False, screenshot=shot, view="welcome")
    with qtbot.waitSignal(startup.screenshot_saved, timeout=60_000):
        startup.start()
    qtbot.waitUntil(window.runner.is_idle, timeout=30_000)
    dialog = window.findChild(WelcomeDialog)
    assert dialog is not None and dialog.choice is None
    assert [button.text() for button in dialog.buttons.values()] == list(START_CHOICE_LABELS.values())
    assert not dialog.server_box.isHidden()
    assert load_preferences().start_choice == Preferences().start_choice  # the capture chose nothing
    image = QImage(str(shot))
    assert image.width() >= dialog.minimumWidth() and spread(grey_levels(shot)) > 5.0


def run_app(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    return subprocess.run([sys.executable, "-m", "turnout_desktop.gui.app", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_the_command_renders_at_its_size_and_dark_is_darker(demo_url: str, tmp_path: Path) -> None:
    light, dark = tmp_path / "light.png", tmp_path / "dark.png"
    for target, extra in ((light, ()), (dark, ("--dark",))):
        done = run_app("--db", demo_url, "--screenshot", str(target), "--view", "map", "--size", "1100x720", *extra,
                       home=tmp_path / "home")
        assert done.returncode == 0, done.stderr
        image = QImage(str(target))
        assert (image.width(), image.height()) == (1100, 720)
    light_levels, dark_levels = grey_levels(light), grey_levels(dark)
    assert spread(dark_levels) > 5.0
    assert sum(dark_levels) / len(dark_levels) < sum(light_levels) / len(light_levels) - 50


def test_the_command_refuses_a_bad_size(tmp_path: Path) -> None:
    done = run_app("--screenshot", str(tmp_path / "x.png"), "--size", "wide", home=tmp_path / "home")
    assert done.returncode == 2 and "argument --size" in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_main_window_keeps_its_default_screenshot_size(demo_url: str, tmp_path: Path) -> None:
    shot = tmp_path / "main.png"
    done = run_app("--db", demo_url, "--screenshot", str(shot), home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)


def test_the_readme_screenshots_are_views_of_the_command() -> None:
    """Each picture the README shows is ``--view NAME`` saved as ``resources/screenshots/NAME.png``."""
    root = Path(__file__).resolve().parents[2]
    names = re.findall(r"resources/screenshots/([\w-]+)\.png", (root / "README.md").read_text(encoding="utf-8"))
    assert names and set(names) <= set(VIEWS)
    for name in names:
        assert QImage(str(root / "resources" / "screenshots" / f"{name}.png")).width() > 0, name
