"""Benchmark: time and peak memory until each hostile input is accepted or refused.

Target: no file under 50 MB makes the process use more than 1 GB or run more than 10 s before it is
accepted or refused. Each shape is generated into a temporary folder (tests/corpus/hostile_shapes.py)
and pre-checked by ``precheck_upload`` (services/precheck.py, no database) in its own process, so the peak
RSS printed is that read's own.

    python benchmarks/hostile_inputs.py            # every shape
    python benchmarks/hostile_inputs.py --only tall_20m
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_SECONDS, LIMIT_MB = 10.0, 1024

CHILD = r"""
import datetime as dt, json, sys, time
from pathlib import Path
from turnout_desktop.errors import ImportRejected
from turnout_desktop.services.precheck import precheck_upload
start = time.perf_counter()
try:
    upload = precheck_upload([Path(sys.argv[1])], county="Loving", election=dt.date(2026, 3, 3)).upload
    outcome = f"accepted ({len(upload.rows):,} rows, {len(upload.problems)} problems)"
except ImportRejected as rejection:
    outcome = f"refused {rejection.reason}: {str(rejection)[:90]}"
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "outcome": outcome}))
"""


def _shapes_module():
    spec = importlib.util.spec_from_file_location("hostile_shapes", ROOT / "tests" / "corpus" / "hostile_shapes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _envelope(payload: bytes) -> bytes:
    return json.dumps({"upload": base64.b64encode(payload).decode()}).encode()


def generate(folder: Path) -> dict[str, Path]:
    """Every shape, written into ``folder``."""
    shapes = _shapes_module()
    header = b"VUID,LAST NAME,PARTY,VOTING_METHOD\n"
    row = b"1151000001,PENA,DEM,early-voting\n"
    files = {
        "tall_20m": shapes.tall_sheet(folder / "tall_20m.xlsx", rows=20_000_000, width=256),
        "tall_2m": shapes.tall_sheet(folder / "tall_2m.xlsx", rows=2_000_000, width=256),
        "cells_1m_x_40": shapes.tall_sheet(folder / "cells_1m_x_40.xlsx", rows=1_000_000, width=40),
    }
    big_json = folder / "envelope_120mb.json"
    big_json.write_bytes(_envelope(header + row + b"\n" * 90_000_000))
    files["json_over_limit"] = big_json
    blank = folder / "envelope_blank_lines.json"
    blank.write_bytes(_envelope(header + row + b"\n" * 4_000_000 + row))
    files["json_4m_blank_lines"] = blank
    # Blank lines at scale (target >= 100 MB/s): empty lines are dropped before parsing (ingest/readers/blank_lines.py);
    # lines of spaces or of delimiters are rows of empty cells, found by layout.blank_mask.
    blank_big = folder / "envelope_66m_blank_lines.json"
    blank_big.write_bytes(_envelope(header + row + b"\n" * 66_000_000 + row))
    files["json_66m_blank_lines"] = blank_big
    for name, line, count in (("csv_45m_blank_lines", b"\n", 45_000_000), ("csv_4m_space_lines", b" \n", 4_000_000),
                              ("csv_4m_comma_lines", b",,,\n", 4_000_000),
                              ("csv_20m_space_lines", b" \n", 20_000_000)):
        path = folder / f"{name}.csv"
        path.write_bytes(header + row + line * count + row)
        files[name] = path
    # Not hostile, only big: the most rows a text file under 50 MB can hold (4M VUIDs, one per line).
    tall_csv = folder / "roster_4m_vuids.csv"
    tall_csv.write_bytes(b"VUID\n" + b"".join(b"%d\n" % (1_151_000_000 + n) for n in range(4_000_000)))
    files["csv_4m_vuid_rows"] = tall_csv
    mixed = folder / "loving_mixed.csv"
    mixed.write_bytes(header + "1151000001,PEÑA,DEM,early-voting\n".encode() * 200_000
                      + "1151000002,MUÑOZ,DEM,early-voting\n".encode("cp1252"))
    files["csv_mixed_encoding"] = mixed
    return files


def measure(path: Path) -> dict:
    """One read in a fresh process under ``/usr/bin/time -v`` (the child's own ru_maxrss would include
    this generating process's peak: Linux keeps it across fork and exec)."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", CHILD, str(path)], capture_output=True,
                          text=True, env=env, timeout=900, check=False)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if done.returncode or not done.stdout.strip():
        return {"seconds": float("nan"), "peak_mb": float("nan"),
                "outcome": f"process died ({done.returncode}): {done.stderr.strip()[-200:]}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_mb"] = int(peak.group(1)) / 1024 if peak else float("nan")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="one shape name")
    options = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        files = generate(Path(folder))
        print(f"{'shape':<22}{'file MB':>9}{'seconds':>9}{'MB/s':>7}{'peak MB':>9}  outcome")
        for name, path in files.items():
            if options.only and name != options.only:
                continue
            result = measure(path)
            within = result["seconds"] <= LIMIT_SECONDS and result["peak_mb"] <= LIMIT_MB
            failures += not within
            size_mb = path.stat().st_size / 2**20
            print(f"{name:<22}{size_mb:>9.1f}{result['seconds']:>9.2f}{size_mb / result['seconds']:>7.0f}"
                  f"{result['peak_mb']:>9.0f}  {'' if within else 'OVER LIMIT '}{result['outcome']}")
    print(f"limits: {LIMIT_SECONDS:.0f} s and {LIMIT_MB} MB per file")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
