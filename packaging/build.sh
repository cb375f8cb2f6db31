#!/usr/bin/env bash
# Build the one-folder bundle from build.spec: dist/TurnoutDesktop/ with the windowed TurnoutDesktop and the
# console turnout side by side. Run it in the virtual environment the app is installed in (README, "Set up"):
# it installs the pinned PyInstaller there, builds, runs both executables' self-tests, and prints the size.
# DIST_DIR and WORK_DIR (default dist/ and build/ of this checkout) move the output and PyInstaller's work files.
set -euo pipefail

PYINSTALLER_VERSION=6.22.3
HOOKS_CONTRIB_VERSION=2026.10  # the hooks for pandas, pyarrow, psycopg ... PyInstaller was checked with

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST_DIR="${DIST_DIR:-$ROOT/dist}"
WORK_DIR="${WORK_DIR:-$ROOT/build}"
cd "$ROOT"

python -m pip install --quiet "pyinstaller==$PYINSTALLER_VERSION" \
    "pyinstaller-hooks-contrib==$HOOKS_CONTRIB_VERSION"
if [ "$(uname -s)" = Darwin ]; then
    python -m pip install --quiet "pillow>=10"  # PyInstaller converts build.spec's .png icon to .icns with it
fi
python -m PyInstaller --noconfirm --clean --distpath "$DIST_DIR" --workpath "$WORK_DIR" build.spec

BUNDLE="$DIST_DIR/TurnoutDesktop"
SUFFIX=""
case "$(uname -s)" in MINGW* | MSYS* | CYGWIN*) SUFFIX=".exe" ;; esac

echo "== turnout self-test"
"$BUNDLE/turnout$SUFFIX" self-test
echo "== TurnoutDesktop --self-test"  # a windowed Windows executable prints nowhere: its exit code still counts
QT_QPA_PLATFORM=offscreen "$BUNDLE/TurnoutDesktop$SUFFIX" --self-test

python - "$BUNDLE" <<'PY'
import sys
from pathlib import Path

bundle = Path(sys.argv[1])
size = sum(path.stat().st_size for path in bundle.rglob("*") if path.is_file() and not path.is_symlink())
print(f"bundle {bundle}: {size / 1e6:.1f} MB (benchmarks/bundle.py compares it with its target)")
PY
