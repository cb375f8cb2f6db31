"""Benchmark the built bundle (packaging/build.sh, build.spec): its size and its cold start to the main window.

Size: every file of ``dist/TurnoutDesktop/`` (symbolic links not counted twice), against the 250 MB target of
the installer; with ``--archive`` also the size of the folder packed as a zip (about what an installer downloads).
Start: the bundled ``TurnoutDesktop --screenshot`` offscreen on a new, empty SQLite database in a temporary data
folder: the time from spawning the process until the main window's picture is written (the window is up and has
shown its first data), and until the process has exited. The first run is the cold one (nothing of the bundle
compiled or cached by this process); the median of the following runs is printed too. The 3 s target applies
to the first. The same start from this source tree (``python -m turnout_desktop.gui.app``), measured in the same
run, is the reference a busy machine slows alike. Ratios are printed, never asserted.

Usage: python benchmarks/bundle.py [--bundle dist/TurnoutDesktop] [--runs 5] [--archive]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZE_TARGET_MB = 250.0
START_TARGET_S = 3.0
START_TIMEOUT_S = 120.0


def bundle_size(bundle: Path) -> int:
    """Bytes of every regular file in the bundle."""
    return sum(path.stat().st_size for path in bundle.rglob("*") if path.is_file() and not path.is_symlink())


def size_by_part(bundle: Path) -> dict[str, int]:
    """Bytes per part of the bundle, largest first: each package folder of ``_internal/`` (Qt's libraries, ICU
    among them, apart from PySide6's modules), Python itself, the other shared libraries, the archive of modules."""
    sizes: dict[str, int] = {}
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        parts = path.relative_to(bundle).parts
        if parts[0] != "_internal":
            part = "executables and their module archive"
        elif parts[1:3] == ("PySide6", "Qt"):
            part = "PySide6/Qt (Qt's libraries and plugins)"
        elif len(parts) > 2:
            part = parts[1]
        elif parts[1].startswith("libpython"):
            part = "Python (libpython)"
        else:
            part = "other shared libraries (system, Python's)"
        sizes[part] = sizes.get(part, 0) + path.stat().st_size
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))


def archive_size(bundle: Path) -> int:
    """Bytes of the bundle packed as a zip (deflate), in a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="turnout-bundle-zip-") as folder:
        archive = shutil.make_archive(str(Path(folder) / "bundle"), "zip", root_dir=bundle.parent,
                                      base_dir=bundle.name)
        return Path(archive).stat().st_size


def executable(bundle: Path, name: str) -> Path:
    path = bundle / (f"{name}.exe" if sys.platform == "win32" else name)
    if not path.is_file():
        raise SystemExit(f"{path} not found: build the bundle first (bash packaging/build.sh)")
    return path


def start_once(app: list[str], folder: Path) -> tuple[float, float]:
    """Seconds from spawning ``app`` to the main window's screenshot on disk, and to the process's exit."""
    picture = folder / "main.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TURNOUT_DATA_DIR": str(folder / "data")}
    env.pop("TURNOUT_DB_URL", None)
    command = [*app, "--db", f"sqlite:///{folder / 'empty.db'}", "--screenshot", str(picture)]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    window_up: float | None = None
    while process.poll() is None:
        if window_up is None and picture.is_file():
            window_up = time.perf_counter() - start
        if time.perf_counter() - start > START_TIMEOUT_S:
            process.kill()
            raise SystemExit(f"{' '.join(app)} did not exit within {START_TIMEOUT_S:.0f} s")
        time.sleep(0.005)
    exited = time.perf_counter() - start
    errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0 or not picture.is_file():
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors[-2000:]}")
    return (window_up if window_up is not None else exited), exited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "TurnoutDesktop",
                        help="the built one-folder bundle (default: dist/TurnoutDesktop)")
    parser.add_argument("--runs", type=int, default=5, help="starts after the cold one (their median is printed)")
    parser.add_argument("--archive", action="store_true", help="also measure the bundle packed as a zip")
    args = parser.parse_args()
    bundle = args.bundle.resolve()
    app = executable(bundle, "TurnoutDesktop")
    executable(bundle, "turnout")  # both executables are part of the bundle

    size_mb = bundle_size(bundle) / 1e6
    print(f"bundle {bundle}")
    print(f"  size            {size_mb:8.1f} MB   {size_mb / SIZE_TARGET_MB:4.2f}x target ({SIZE_TARGET_MB:.0f} MB)  "
          f"{'ok' if size_mb < SIZE_TARGET_MB else 'over target'}")
    for part, size in list(size_by_part(bundle).items())[:12]:
        print(f"    {size / 1e6:8.1f} MB  {part}")
    if args.archive:
        zipped_mb = archive_size(bundle) / 1e6
        print(f"  as a zip        {zipped_mb:8.1f} MB   {zipped_mb / SIZE_TARGET_MB:4.2f}x target")

    window_times: list[float] = []
    exit_times: list[float] = []
    source_times: list[float] = []
    source_app = [sys.executable, "-m", "turnout_desktop.gui.app"]
    for _ in range(1 + args.runs):  # interleaved, so that other work on the machine slows both alike
        with tempfile.TemporaryDirectory(prefix="turnout-bundle-start-") as folder:
            window_up, exited = start_once([str(app)], Path(folder))
        window_times.append(window_up)
        exit_times.append(exited)
        with tempfile.TemporaryDirectory(prefix="turnout-source-start-") as folder:
            source_times.append(start_once(source_app, Path(folder))[0])
    cold = window_times[0]
    print(f"  cold start      {cold:8.2f} s    {cold / START_TARGET_S:4.2f}x target ({START_TARGET_S:.0f} s)  "
          f"{'ok' if cold < START_TARGET_S else 'over target'}  (to the main window's screenshot; exit after "
          f"{exit_times[0]:.2f} s)")
    if args.runs:
        warm = statistics.median(window_times[1:])
        print(f"  later starts    {warm:8.2f} s    {warm / START_TARGET_S:4.2f}x target  (median of {args.runs}; "
              f"exit after {statistics.median(exit_times[1:]):.2f} s)")
    source = statistics.median(source_times)
    print(f"  from source     {source:8.2f} s    reference: python -m turnout_desktop.gui.app, median of "
          f"{len(source_times)}; the bundle's cold start is {cold / source:4.2f}x it")


if __name__ == "__main__":
    main()
