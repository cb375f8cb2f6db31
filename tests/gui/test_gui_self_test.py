"""``turnout-desktop --self-test``: the installation self-test plus the desktop's own check (svg icons, stylesheet),
offscreen, without opening a window; exit 0 only if every check passed."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from turnout_desktop.gui import app as desktop_app
from turnout_desktop.services.self_test import SAMPLE_FOLDER, SAMPLE_STATEWIDE

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ["sample files", "database", "migrations", "statewide import", "reconcile", "pdf", "icons and style",
          "cleanup"]


def test_the_desktop_self_test_passes_in_its_own_process_without_a_window(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    shown = subprocess.run([sys.executable, "-m", "turnout_desktop.gui.app", "--self-test"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    lines = shown.stdout.splitlines()
    assert [line.split(" (")[0] for line in lines] == [f"ok  {name}" for name in CHECKS]
    assert "ok  icons and style (Qt platform offscreen)" in lines
    assert list(tmp_path.iterdir()) == []  # its temporary folder is gone


def test_the_desktop_self_test_fails_on_a_broken_sample_and_a_missing_icon(
        qapp: QGuiApplication, bundle_resources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp_root))
    (bundle_resources / SAMPLE_FOLDER / SAMPLE_STATEWIDE).write_text("not,a\nroster\n", encoding="utf-8")
    (bundle_resources / "icons" / "app.svg").write_text("<svg broken", encoding="utf-8")
    assert desktop_app.main(["--self-test"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[3].startswith("FAIL statewide import: ")
    assert lines[6] == "FAIL icons and style: RuntimeError: app.svg does not render: Qt's svg icon engine (QtSvg) " \
                       "is missing"
    assert lines[-1] == "ok  cleanup"
    assert list(temp_root.iterdir()) == []
    assert not [window for window in QGuiApplication.topLevelWindows() if window.isVisible()]  # none was opened
