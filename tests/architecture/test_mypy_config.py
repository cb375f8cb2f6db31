"""A bare `mypy` has no blind spots (pyproject.toml `[tool.mypy]`): it resolves `turnout_desktop.strategies`
(installed from the top-level strategies/ folder, pyproject's package-dir) to the real strategy modules rather
than to an untyped Any, and it checks every gui/ module that imports no Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRATEGIES_LINK = ROOT / "typecheck" / "turnout_desktop" / "strategies"
QT_PACKAGES = {"PySide6", "shiboken6"}


def _mypy_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def _imports_qt(path: Path) -> bool:
    """Whether the module imports Qt anywhere (at the top or inside a function)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name.split(".")[0] in QT_PACKAGES for name in names):
            return True
    return False


def test_the_strategies_are_checked_under_their_installed_name() -> None:
    config = _mypy_config()
    assert STRATEGIES_LINK.is_symlink(), "typecheck/turnout_desktop/strategies must be a symlink to ../../strategies"
    assert STRATEGIES_LINK.resolve() == (ROOT / "strategies").resolve()
    assert "typecheck/turnout_desktop/strategies" in config["files"]
    assert "strategies" not in config["files"]  # the same files under a second module name
    assert config["mypy_path"] == ["typecheck"] and config["explicit_package_bases"] is True
    silenced = [override for override in config.get("overrides", [])
                if any(str(module).startswith("turnout_desktop.strategies") for module in override["module"])]
    assert silenced == [], "an override for turnout_desktop.strategies would hide the strategies from mypy again"


def test_every_qt_free_gui_module_is_type_checked_and_no_qt_module_is() -> None:
    gui = ROOT / "turnout_desktop" / "gui"
    qt_free = {f"turnout_desktop/gui/{path.name}" for path in gui.glob("*.py")
               if path.name != "__init__.py" and not _imports_qt(path)}
    listed = {entry for entry in _mypy_config()["files"] if entry.startswith("turnout_desktop/gui")}
    assert qt_free - listed == set(), "add these Qt-free gui modules to [tool.mypy] files in pyproject.toml"
    assert listed - qt_free == set(), "these import Qt (or are gone): take them out of [tool.mypy] files"


def test_mypy_sees_the_real_registry_and_reports_a_wrong_use_of_common(tmp_path: Path) -> None:
    """With the repository's own configuration, a probe importing by the installed name gets real types: the
    registry's return type, and an error for a wrong argument to a `_common` helper (Any would accept it)."""
    probe = tmp_path / "strategies_probe.py"
    probe.write_text(textwrap.dedent("""\
        from turnout_desktop.engine.types import StrategyContext
        from turnout_desktop.strategies import default_strategies
        from turnout_desktop.strategies._common import open_fix

        reveal_type(default_strategies())


        def misuse(context: StrategyContext) -> None:
            open_fix(context, "fill_gaps", 42)
        """), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                             "--no-error-summary", str(probe)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    lines = result.stdout.splitlines()
    assert any(':5: note: Revealed type is "list[turnout_desktop.engine.types.Strategy]"' in line
               for line in lines), result.stdout + result.stderr
    assert any(":9: error:" in line and '"open_fix"' in line and "[arg-type]" in line for line in lines), \
        result.stdout + result.stderr
    assert result.returncode == 1
