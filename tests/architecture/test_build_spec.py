"""build.spec, checked without building (a real build takes minutes: packaging/build.sh does it): the spec runs with
stand-ins for PyInstaller's builders that record what it asks for, and its lists are compared with the code.

- one Analysis, two executables (the windowed TurnoutDesktop, the console turnout) from pyproject's entry points,
  collected into one folder, sharing one archive of Python modules (turnout.pkg a link to TurnoutDesktop.pkg);
- every data file the code loads through resources_path is where the bundle's layout puts it, found under
  ``sys._MEIPASS`` as the frozen app finds it, and so are the migrations and the strategies;
- no module the code imports is excluded, and no library the app loads is dropped; libraries are stripped except
  those of wheels repaired by auditwheel.
"""

from __future__ import annotations

import _bisect
import os
import re
import shutil
import subprocess
import sys
import tomllib
import types
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

import pytest

from turnout_desktop import resources_path
from turnout_desktop.cli.main import COMMAND_MODULES
from turnout_desktop.strategies import strategy_modules

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_HOOK = ("pyi_rth_inspect", "/pyinstaller/hooks/rthooks/pyi_rth_inspect.py", "PYSOURCE")
# What the hooks collect that the app loads (paths inside the bundle, as PyInstaller names them): kept.
NEEDED_BINARIES = [
    "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Widgets.so.6",
    "PySide6/Qt/lib/libQt6Svg.so.6", "PySide6/Qt/lib/libQt6PrintSupport.so.6", "PySide6/Qt/lib/libQt6DBus.so.6",
    "PySide6/Qt/lib/libQt6XcbQpa.so.6", "PySide6/Qt/lib/libQt6WaylandClient.so.6", "PySide6/Qt/lib/libicudata.so.73",
    "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so", "PySide6/Qt/plugins/platforms/qwindows.dll",
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so", "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
    "PySide6/plugins/printsupport/windowsprintersupport.dll",
    "pyarrow/libarrow.so.2600", "pyarrow/libarrow_compute.so.2600", "pyarrow/libparquet.so.2600",
    "pyarrow/libarrow_dataset.so.2600", "pyarrow/libarrow_acero.so.2600", "pyarrow/libarrow_substrait.so.2600",
    "pyarrow/libarrow_python.so.2600", "pyarrow/_csv.cpython-311-x86_64-linux-gnu.so",
    "pyarrow/_compute.cpython-311-x86_64-linux-gnu.so", "pyarrow/lib.cpython-311-x86_64-linux-gnu.so",
    "libfontconfig.so.1", "libfreetype.so.6", "libcups.so.2", "libglib-2.0.so.0", "libpython3.11.so.1.0",
    "python3.11/lib-dynload/_decimal.cpython-311-x86_64-linux-gnu.so",
    "numpy.libs/libscipy_openblas64_-32a4b2a6.so", "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so",
    "psycopg_binary.libs/libpq-e9b5c9ac.so.5.18", "psycopg_binary/pq.cpython-311-x86_64-linux-gnu.so",
]
# Of those, the files of wheels repaired by auditwheel (a <package>.libs folder beside the package): never stripped.
AUDITWHEEL_REPAIRED = [name for name in NEEDED_BINARIES if name.split("/")[0].removesuffix(".libs") in
                       ("numpy", "psycopg_binary")]
# Collected by the hooks, never loaded: dropped.
UNUSED_BINARIES = [
    "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Qml.so.6", "PySide6/Qt/lib/libQt6Pdf.so.6",
    "PySide6/Qt/lib/libQt6VirtualKeyboard.so.6", "PySide6/Qt/plugins/imageformats/libqpdf.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so", "pyarrow/libarrow_flight.so.2600", "libgtk-3.so.0",
    "PySide6/Qt/translations/qtbase_de.qm",
    # pyarrow's two extra copies of libarrow_python (the loader asks for .so.2600) and its Parquet encryption
    "pyarrow/libarrow_python.so", "pyarrow/libarrow_python.so.2600.1.0",
    "pyarrow/libarrow_python_parquet_encryption.so.2600",
    # linked by nothing else in the bundle
    "PySide6/Qt/lib/libQt6Network.so.6", "libgio-2.0.so.0", "libharfbuzz.so.0", "libjpeg.so.62",
]


class _Recorded:
    """What the spec asked PyInstaller for."""

    def __init__(self) -> None:
        self.analyses: list[Any] = []
        self.executables: list[dict[str, Any]] = []
        self.collections: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.archive_content = b"PYZ and scripts"
        self.archives: dict[str, bytes] = {}  # executable name: its archive, when not archive_content


def _builders(recorded: _Recorded, tmp_path: Path) -> dict[str, Any]:
    library = Path(_bisect.__file__)  # a real shared library stands in for every collected one: strip runs on it
    class Analysis:
        def __init__(self, scripts: list[str], **options: Any) -> None:
            self.entry_scripts, self.options = scripts, options
            self.scripts = [RUNTIME_HOOK, *((Path(script).stem, script, "PYSOURCE") for script in scripts)]
            self.pure: list[Any] = []
            self.binaries = [(name, str(library), "BINARY") for name in NEEDED_BINARIES + UNUSED_BINARIES]
            self.datas = [(dest, source, "DATA") for source, dest in options["datas"]]
            recorded.analyses.append(self)

    def exe(*parts: Any, **options: Any) -> dict[str, Any]:
        recorded.executables.append({"parts": parts, **options})
        return recorded.executables[-1]

    def collect(*parts: Any, **options: Any) -> types.SimpleNamespace:
        """Lays out what COLLECT would: each executable's stand-alone archive beside it (the same modules)."""
        recorded.collections.append((parts, options))
        bundle = tmp_path / "dist" / options["name"]
        bundle.mkdir(parents=True)
        for part in parts:
            if isinstance(part, dict) and part["append_pkg"] is False:
                content = recorded.archives.get(part["name"], recorded.archive_content)
                (bundle / f"{part['name']}.pkg").write_bytes(content)
        return types.SimpleNamespace(name=str(bundle))

    return {"Analysis": Analysis, "PYZ": lambda pure: ("pyz", pure), "EXE": exe, "COLLECT": collect}


def _copy_metadata(name: str) -> list[tuple[str, str]]:
    """PyInstaller's copy_metadata: the distribution's metadata folder, under its own name."""
    folder = Path(str(distribution(name)._path))
    return [(str(folder), folder.name)]


def run_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, archives: dict[str, bytes] | None = None) -> _Recorded:
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.copy_metadata = _copy_metadata
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec puts the checkout first
    recorded = _Recorded()
    recorded.archives = archives or {}
    namespace = {"SPECPATH": str(ROOT), "workpath": str(tmp_path / "work"), **_builders(recorded, tmp_path)}
    exec(compile((ROOT / "build.spec").read_text(encoding="utf-8"), "build.spec", "exec"), namespace)
    return recorded


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> _Recorded:
    return run_spec(tmp_path, monkeypatch)


def test_one_analysis_builds_the_windowed_app_and_the_console_cli_into_one_folder(recorded: _Recorded) -> None:
    (analysis,) = recorded.analyses
    executables = {exe["name"]: exe for exe in recorded.executables}
    assert set(executables) == {"TurnoutDesktop", "turnout"}
    assert executables["TurnoutDesktop"]["console"] is False and executables["turnout"]["console"] is True
    for exe in executables.values():
        pyz, scripts = exe["parts"][:2]
        assert pyz == ("pyz", analysis.pure) and exe["exclude_binaries"] is True
        assert scripts == analysis.scripts and scripts[0] == RUNTIME_HOOK and len(scripts) == 2  # hooks, one entry
        assert exe["append_pkg"] is False  # the archive is a file beside the executable, so that both share one
    ((parts, options),) = recorded.collections
    assert options["name"] == "TurnoutDesktop"
    assert list(parts[:2]) == list(executables.values()) and parts[2:] == (analysis.binaries, analysis.datas)


def test_both_executables_share_one_archive_of_python_modules(recorded: _Recorded, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "dist" / "TurnoutDesktop"
    assert (bundle / "turnout.pkg").is_symlink() and not (bundle / "TurnoutDesktop.pkg").is_symlink()
    assert (bundle / "turnout.pkg").readlink() == Path("TurnoutDesktop.pkg")  # relative: the folder can move
    assert (bundle / "turnout.pkg").read_bytes() == recorded.archive_content

    run_spec(tmp_path / "differing", monkeypatch, archives={"turnout": b"another archive"})
    differing = tmp_path / "differing" / "dist" / "TurnoutDesktop"
    assert not any(path.is_symlink() for path in differing.iterdir())  # archives that differ are both kept


def test_each_executable_runs_the_entry_point_pyproject_declares(recorded: _Recorded) -> None:
    """The shared entry script, run as each executable, starts that executable's entry point: its --help."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {"turnout": ("turnout", project["scripts"]["turnout"]),
                "TurnoutDesktop": ("turnout-desktop", project["gui-scripts"]["turnout-desktop"])}
    (analysis,) = recorded.analyses
    (entry,) = analysis.entry_scripts
    source = Path(entry).read_text(encoding="utf-8")
    for exe in recorded.executables:
        program, entry_point = declared[exe["name"]]
        module, function = entry_point.split(":")
        assert f"from {module} import {function}\n" in source and f"sys.exit({function}())" in source
        for executable in (f"/opt/bundle/{exe['name']}", f"/opt/bundle/{exe['name']}.exe"):
            run = (f"import runpy, sys; sys.executable = {executable!r}; sys.argv = [{exe['name']!r}, '--help']; "
                   f"runpy.run_path({entry!r}, run_name='__main__')")
            result = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, timeout=120,
                                    env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
            assert result.returncode == 0, result.stderr
            assert result.stdout.startswith(f"usage: {program} ["), result.stdout[:200]


def test_the_bundle_layout_holds_every_data_file_the_code_loads(recorded: _Recorded, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The datas laid out as the bundle lays them out, found through resources_path under ``sys._MEIPASS``."""
    bundle = tmp_path / "bundle"
    for source, dest in recorded.analyses[0].options["datas"]:
        if Path(source).is_dir():
            shutil.copytree(source, bundle / dest, dirs_exist_ok=True)
        else:
            (bundle / dest).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, bundle / dest)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    resources_path.resources_dir.cache_clear()
    resources_path.migrations_dir.cache_clear()
    try:
        assert resources_path.resources_dir() == bundle / "resources"
        missing = [name for name in loaded_resources() if not resources_path.resource_path(name).exists()]
        assert resources_path.migrations_dir() == bundle / "turnout_desktop" / "db" / "migrations"
        versions = {path.name for path in (resources_path.migrations_dir() / "versions").glob("0*.py")}
    finally:
        monkeypatch.delattr(sys, "_MEIPASS")
        resources_path.resources_dir.cache_clear()
        resources_path.migrations_dir.cache_clear()
    assert missing == []
    assert versions == {path.name for path in (ROOT / "turnout_desktop/db/migrations/versions").glob("0*.py")}
    assert (bundle / "turnout_desktop" / "strategies" / "fill_gaps.py").is_file()
    assert any(Path(dest).name.startswith("turnout_desktop") and dest.endswith(("dist-info", "egg-info"))
               for _source, dest in recorded.analyses[0].options["datas"])  # the strategies' entry points


def loaded_resources() -> list[str]:
    """Every resource the code names in a ``resource_path(...)`` call: a literal, a module constant, or an icon."""
    icons = set()
    names: list[str] = []
    sources = {path: path.read_text(encoding="utf-8") for path in (ROOT / "turnout_desktop").rglob("*.py")}
    for source in sources.values():
        icons |= set(re.findall(r'\bicon\("([\w-]+)"\)', source))
    for path, source in sources.items():
        for argument in re.findall(r"\bresource_path\(([^)]*)\)", source):
            if path.name == "resources_path.py":
                continue
            if re.fullmatch(r'"[^"{}]+"', argument):
                names.append(argument.strip('"'))
            elif re.fullmatch(r"[A-Z_]+", argument):
                constant = re.search(rf'^{argument}\s*=\s*"([^"]+)"', source, re.MULTILINE)
                assert constant, f"{path}: {argument} is not a string constant of that module"
                names.append(constant.group(1))
            elif argument == 'f"icons/{name}.svg"':
                names += [f"icons/{name}.svg" for name in sorted(icons)]
            else:
                raise AssertionError(f"{path}: resource_path({argument}): teach this test to read that argument")
    assert {"texas_counties.csv", "texas_counties.json", "style.qss", "icons/app.svg", "self_test"} <= set(names)
    return names


def test_no_module_the_code_imports_is_excluded_and_hidden_imports_cover_what_is_loaded_by_name(
        recorded: _Recorded) -> None:
    options = recorded.analyses[0].options
    imported: set[str] = set()
    for path in [*(ROOT / "turnout_desktop").rglob("*.py"), *(ROOT / "strategies").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        imported |= set(re.findall(r"^\s*(?:from|import) ([\w.]+)", source, re.MULTILINE))
    excluded = [module for module in options["excludes"]
                if any(name == module or name.startswith(f"{module}.") for name in imported)]
    assert excluded == []
    assert "PySide6.QtPrintSupport" in imported and "PySide6.QtCharts" not in imported
    assert {"PySide6.QtSvg", *strategy_modules(), *COMMAND_MODULES} <= set(options["hiddenimports"])


def test_only_libraries_the_app_never_loads_are_dropped(recorded: _Recorded) -> None:
    (analysis,) = recorded.analyses
    kept = {name for name, _source, _kind in analysis.binaries}
    assert kept == set(NEEDED_BINARIES)
    assert all(not dest.startswith("PySide6/Qt/translations/") for dest, _source, _kind in analysis.datas)


@pytest.mark.skipif(sys.platform != "linux" or shutil.which("strip") is None, reason="Linux builds strip (binutils)")
def test_libraries_are_stripped_except_those_of_wheels_repaired_by_auditwheel(recorded: _Recorded,
                                                                              tmp_path: Path) -> None:
    (analysis,) = recorded.analyses
    library = Path(_bisect.__file__)
    sources = {name: Path(source) for name, source, _kind in analysis.binaries}
    stripped_root = tmp_path / "work" / "stripped"
    assert AUDITWHEEL_REPAIRED and all(sources[name] == library for name in AUDITWHEEL_REPAIRED)
    for name in set(NEEDED_BINARIES) - set(AUDITWHEEL_REPAIRED):
        assert sources[name] == stripped_root / name
        assert sources[name].stat().st_size <= library.stat().st_size
    symbols = subprocess.run(["nm", "--dynamic", "--defined-only", str(sources["libpython3.11.so.1.0"])],
                             capture_output=True, text=True, check=True).stdout
    assert "PyInit__bisect" in symbols  # what the loader looks up stays
    load = ("import importlib.machinery as m, importlib.util as u, sys; "
            "loader = m.ExtensionFileLoader('_bisect', sys.argv[1]); module = u.module_from_spec("
            "u.spec_from_loader('_bisect', loader)); loader.exec_module(module); "
            "print(module.bisect_right([1, 2, 3], 2))")
    result = subprocess.run([sys.executable, "-c", load, str(sources["libpython3.11.so.1.0"])],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "2\n"), result.stderr


def test_a_windows_build_gets_the_package_icon_and_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import PySide6.QtSvg  # noqa: F401 - loaded as on Linux before the platform is pretended (its init checks it)

    from turnout_desktop import __version__

    monkeypatch.setattr(sys, "platform", "win32")
    recorded = run_spec(tmp_path, monkeypatch)
    (icon,) = {exe["icon"] for exe in recorded.executables}
    (version_file,) = {exe["version"] for exe in recorded.executables}
    assert Path(icon).read_bytes()[:4] == b"\x00\x00\x01\x00"  # an .ico rendered from resources/icons/app.svg
    assert f"StringStruct('FileVersion', '{__version__}')" in Path(version_file).read_text(encoding="utf-8")


def test_the_build_script_pins_pyinstaller_builds_the_spec_and_runs_both_self_tests() -> None:
    script = ROOT / "packaging" / "build.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "#!/usr/bin/env bash" and "set -euo pipefail" in text
    assert re.search(r"^PYINSTALLER_VERSION=\d+\.\d+\.\d+$", text, re.MULTILINE)
    assert '"pyinstaller==$PYINSTALLER_VERSION"' in text and "build.spec" in text
    assert '"$BUNDLE/turnout$SUFFIX" self-test' in text
    assert 'QT_QPA_PLATFORM=offscreen "$BUNDLE/TurnoutDesktop$SUFFIX" --self-test' in text
