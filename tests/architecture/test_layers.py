"""The import layers hold: import-linter's contracts (pyproject.toml, [tool.importlinter]) are kept by the real
tree, by a copy of it and by a copy laid out as installed (strategies/ as turnout_desktop.strategies), and a
forbidden import placed inside a function of such a copy breaks the contract it should.

Import-linter reads every import statement, including those inside functions, so an import that runs only
when a function is called is caught as surely as one at the top of a module.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGES = ("turnout_desktop", "strategies")
CONFIG = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
ALL_KEPT = f"Contracts: {len(CONFIG['tool']['importlinter']['contracts'])} kept, 0 broken."

LAYERS = "Each layer imports only the layers below it"
CORE_WITHOUT_QT = "The Qt-free core never reaches Qt, the GUI or the CLI"
STRATEGIES_WITHOUT_SERVICES = "Strategies see the engine and the store, never services"
ENGINE_WITHOUT_PLUGINS = "The engine never imports strategies, store or services"
QT_ONLY_IN_GUI = "PySide6 only in gui/ and the report renderers"
STRATEGIES_ONLY_FROM_SERVICES = "Only services import turnout_desktop.strategies"
READERS_BELOW_INTERPRET = "Readers (bytes to raw tables) never import the interpretation of those tables"
GUI_THROUGH_SERVICES = "The GUI reaches the core only through services"
CLI_THROUGH_SERVICES = "The CLI reaches the core only through services"


def _lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter in ``folder`` (its pyproject.toml, its packages first on the path), without cache."""
    script = ("import sys\n"
              "from importlinter.cli import lint_imports\n"
              "sys.exit(lint_imports(no_cache=True, no_logo=True))\n")
    return subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, timeout=300)


def _copy_of_the_tree(destination: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(REPOSITORY / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPOSITORY / "pyproject.toml", destination / "pyproject.toml")
    return destination


def _copy_as_installed(destination: Path) -> Path:
    """The tree as pip installs it: strategies/ inside turnout_desktop/, and the contracts' names to match.

    Import-linter reads package folders, so in the repository it sees the strategies/ folder as a package of
    its own and an import of ``turnout_desktop.strategies`` (the installed name, pyproject's package-dir) as
    one of the root package; only this layout shows who imports the strategies.
    """
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPOSITORY / "turnout_desktop", destination / "turnout_desktop", ignore=ignore)
    shutil.copytree(REPOSITORY / "strategies", destination / "turnout_desktop" / "strategies", ignore=ignore)
    config = (REPOSITORY / "pyproject.toml").read_text(encoding="utf-8")
    head, section = config.split("[tool.importlinter]", 1)
    roots = 'root_packages = ["turnout_desktop", "strategies"]'
    assert roots in section, "test_layers.py expects these root packages in [tool.importlinter]"
    section = (section.replace(roots, 'root_packages = ["turnout_desktop"]')
               .replace('"strategies"', '"turnout_desktop.strategies"')
               .replace("| strategies", "| turnout_desktop.strategies"))
    (destination / "pyproject.toml").write_text(f"{head}[tool.importlinter]{section}", encoding="utf-8")
    return destination


def _add_function(module: Path, import_statement: str) -> None:
    """Append a function whose body is ``import_statement``: the import runs only if the function is called."""
    text = module.read_text(encoding="utf-8")
    module.write_text(f"{text}\n\ndef _reaches_too_far() -> None:\n    {import_statement}  # noqa\n",
                      encoding="utf-8")


def _broken(output: str) -> set[str]:
    """The names of the broken contracts; a contract with ignored imports ends "BROKEN (1 ignored import)"."""
    return {match.group(1).strip() for match in re.finditer(r"^(.*) BROKEN(?: \(\d+ ignored imports?\))?$",
                                                            output, flags=re.MULTILINE)}


def test_the_repository_keeps_every_contract() -> None:
    result = _lint_imports(REPOSITORY)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert ALL_KEPT in result.stdout


def test_an_unmodified_copy_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint_imports(_copy_of_the_tree(tmp_path))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert ALL_KEPT in result.stdout


@pytest.mark.parametrize(("module", "import_statement", "contracts_broken"), [
    ("turnout_desktop/engine/publication.py", "import PySide6", {CORE_WITHOUT_QT}),
    ("turnout_desktop/engine/publication.py", "from turnout_desktop.gui import main_window",
     {LAYERS, CORE_WITHOUT_QT, ENGINE_WITHOUT_PLUGINS}),
    ("turnout_desktop/engine/publication.py", "import strategies", {LAYERS, ENGINE_WITHOUT_PLUGINS}),
    ("turnout_desktop/engine/publication.py", "from turnout_desktop.strategies import default_strategies",
     {STRATEGIES_ONLY_FROM_SERVICES}),
    ("turnout_desktop/reports/build.py", "import turnout_desktop.strategies.fill_gaps",
     {STRATEGIES_ONLY_FROM_SERVICES}),
    ("turnout_desktop/engine/batch.py", "from turnout_desktop import strategies", {STRATEGIES_ONLY_FROM_SERVICES}),
    # The front ends reach the strategies through a service too: in this layout their installed name reads as
    # the root package, which only this contract forbids (the GUI and CLI contracts name the folder).
    ("turnout_desktop/gui/status_bar.py", "from turnout_desktop.strategies import default_strategies",
     {STRATEGIES_ONLY_FROM_SERVICES}),
    ("turnout_desktop/gui/printing.py", "import turnout_desktop.strategies.fill_gaps",
     {STRATEGIES_ONLY_FROM_SERVICES}),
    ("turnout_desktop/cli/cmd_init.py", "from turnout_desktop.strategies import default_strategies",
     {STRATEGIES_ONLY_FROM_SERVICES}),
    ("turnout_desktop/engine/loop.py", "from turnout_desktop.store import statewide_loader",
     {LAYERS, ENGINE_WITHOUT_PLUGINS}),
    ("strategies/refetch_statewide.py", "from turnout_desktop.services import check",
     {LAYERS, STRATEGIES_WITHOUT_SERVICES}),
    ("turnout_desktop/db/settings_store.py", "from turnout_desktop.engine import publication", {LAYERS}),
    ("turnout_desktop/services/check.py", "from PySide6 import QtCore", {QT_ONLY_IN_GUI}),
    ("turnout_desktop/domain/gate.py", "from turnout_desktop.gui import main_window",
     {LAYERS, CORE_WITHOUT_QT}),
    ("turnout_desktop/ingest/readers/text_reader.py", "from turnout_desktop.ingest.interpret import layout",
     {READERS_BELOW_INTERPRET}),
])
def test_a_forbidden_import_inside_a_function_breaks_its_contract(
        tmp_path: Path, module: str, import_statement: str, contracts_broken: set[str]) -> None:
    tree = _copy_of_the_tree(tmp_path)
    _add_function(tree / module, import_statement)
    result = _lint_imports(tree)
    assert result.returncode != 0, result.stdout[-4000:]
    assert contracts_broken <= _broken(result.stdout), result.stdout[-4000:]


# (contract, module, import added inside a function, the import the report names)
UPPER_LAYER_PROBES = [
    (GUI_THROUGH_SERVICES, "turnout_desktop/gui/status_bar.py", "from turnout_desktop.db import session",
     "turnout_desktop.gui.status_bar -> turnout_desktop.db.session"),
    (GUI_THROUGH_SERVICES, "turnout_desktop/gui/icons.py", "from turnout_desktop.ingest.readers import registry",
     "turnout_desktop.gui.icons -> turnout_desktop.ingest.readers.registry"),
    (GUI_THROUGH_SERVICES, "turnout_desktop/gui/printing.py", "import turnout_desktop.store.statewide_loader",
     "turnout_desktop.gui.printing -> turnout_desktop.store.statewide_loader"),
    (CLI_THROUGH_SERVICES, "turnout_desktop/cli/cmd_init.py", "from turnout_desktop.db.migrate import current_revision",
     "turnout_desktop.cli.cmd_init -> turnout_desktop.db.migrate"),
    (CLI_THROUGH_SERVICES, "turnout_desktop/cli/common.py", "from turnout_desktop.engine import types",
     "turnout_desktop.cli.common -> turnout_desktop.engine.types"),
    (CLI_THROUGH_SERVICES, "turnout_desktop/cli/main.py", "from turnout_desktop.ingest.readers import raw",
     "turnout_desktop.cli.main -> turnout_desktop.ingest.readers.raw"),
    (CLI_THROUGH_SERVICES, "turnout_desktop/cli/cmd_imports.py", "import turnout_desktop.store.statewide_loader",
     "turnout_desktop.cli.cmd_imports -> turnout_desktop.store.statewide_loader"),
    (CLI_THROUGH_SERVICES, "turnout_desktop/cli/cmd_outbox.py", "import strategies.fill_gaps",
     "turnout_desktop.cli.cmd_outbox -> strategies.fill_gaps"),
    (CLI_THROUGH_SERVICES, "turnout_desktop/cli/cmd_engine.py", "from turnout_desktop.reports import build",
     "turnout_desktop.cli.cmd_engine -> turnout_desktop.reports.build"),
]


@pytest.mark.parametrize(("contract", "module", "import_statement", "reported"), UPPER_LAYER_PROBES)
def test_an_upper_layer_module_importing_below_services_breaks_its_contract(
        tmp_path: Path, contract: str, module: str, import_statement: str, reported: str) -> None:
    """gui/ reaches db, ingest, engine and store only through a service; cli/ reaches those, the strategies and
    reports (it renders no PDF itself) only through a service too. A direct import, even inside a function, is
    reported by name under that layer's own contract (the layers contract allows it: both are above them all)."""
    tree = _copy_of_the_tree(tmp_path)
    _add_function(tree / module, import_statement)
    result = _lint_imports(tree)
    assert result.returncode != 0, result.stdout[-4000:]
    assert contract in _broken(result.stdout), result.stdout[-4000:]
    assert LAYERS not in _broken(result.stdout), result.stdout[-4000:]
    assert reported in result.stdout, result.stdout[-4000:]


def test_the_installed_layout_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint_imports(_copy_as_installed(tmp_path))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert ALL_KEPT in result.stdout


@pytest.mark.parametrize(("module", "import_statement", "contracts_broken"), [
    ("turnout_desktop/engine/publication.py", "from turnout_desktop.strategies import default_strategies",
     {LAYERS, ENGINE_WITHOUT_PLUGINS}),
    ("turnout_desktop/store/statewide_loader.py", "import turnout_desktop.strategies", {LAYERS}),
    ("turnout_desktop/strategies/refetch_statewide.py", "from turnout_desktop.services import check",
     {LAYERS, STRATEGIES_WITHOUT_SERVICES}),
])
def test_a_forbidden_import_of_the_installed_strategies_breaks_its_contract(
        tmp_path: Path, module: str, import_statement: str, contracts_broken: set[str]) -> None:
    tree = _copy_as_installed(tmp_path)
    _add_function(tree / module, import_statement)
    result = _lint_imports(tree)
    assert result.returncode != 0, result.stdout[-4000:]
    assert contracts_broken <= _broken(result.stdout), result.stdout[-4000:]
