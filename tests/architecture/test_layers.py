"""Core layers import no Qt (STYLE.md practice 1): checked in a fresh interpreter with PySide6 blocked."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import turnout_desktop

ROOT = Path(turnout_desktop.__file__).resolve().parent
CORE_PACKAGES = ("domain", "ingest", "db", "engine", "services")


def _core_modules() -> list[str]:
    names = []
    for package in CORE_PACKAGES:
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"turnout_desktop.{package}."):
            if ".migrations" not in info.name:
                names.append(info.name)
    return names


def test_core_imports_without_qt() -> None:
    modules = _core_modules() + ["strategies"]
    assert len(modules) > 10
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'):\n"
        "            raise ImportError('Qt imported from core: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for name in {modules!r}:\n"
        "    __import__(name)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_engine_never_imports_strategies() -> None:
    for path in (ROOT / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import strategies" not in text and "from strategies" not in text, path
