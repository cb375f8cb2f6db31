"""Scaling: each operation at 1M, 3M and 10M records on SQLite and PostgreSQL (docs/scaling.md).

Runs the other benchmark scripts as subprocesses and parses the lines they print (loose coupling: only
their "<label> <seconds> s" lines are read), so they can keep changing:

- ``reconcile.py --records N --backend B``: bulk load, bare SQL GROUP BY, clean reconcile, per-county
  re-check, reconcile with 1 % faults;
- ``import_statewide.py --rows N --backend B``: bare read, durable floor, import, strategy A's re-import;
- ``dashboard.py --records N`` (SQLite only): status, county overview, the desktop's first dashboard.

Peak memory of an operation: the highest resident set (VmRSS, summed over the child's process tree,
sampled every 50 ms) between the line before it and its own line; dashboard.py's own process (which only
builds the database) is left out; import_statewide.py prints the peak of its measuring process, used
instead. PostgreSQL's server processes are not counted. The 1-minute load average is kept with every row:
other jobs share the machine.

Results merge into ``docs/scaling-results.csv`` (a new run replaces the rows of the same script, backend
and size), then ``docs/scaling.svg`` (log-log) and the table between the markers of ``docs/scaling.md``
are regenerated from the whole file.

    python benchmarks/scaling.py --sizes 1M 3M 10M --backends sqlite postgresql --pg-url URL
    python benchmarks/scaling.py --plot-only
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import math
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
FIELDS = ("script", "backend", "records", "operation", "seconds", "peak_rss_mb", "load_1m", "load_1m_at_start",
          "measured_at", "note")
SCRIPTS = ("reconcile", "import_statewide", "dashboard")
TIMED_LINE = {  # per script: the printed line of one timed operation
    "reconcile": re.compile(r"^(?P<label>\S.*?)\s+(?P<seconds>\d+\.\d+) s$"),
    "import_statewide": re.compile(r"^(?P<label>\w+)\s+(?P<seconds>\d+\.\d+) s\s+rows\s.*?peak\s+(?P<mb>\d+) MB"),
    "dashboard": re.compile(r"^ {2}(?P<label>\S.*?)\s+(?P<seconds>\d+\.\d{3})(\s|$)"),
}
NOT_PLOTTED = re.compile(r"^(pandas|read$|floor)")  # floors and pandas stay in the csv, not on the plot
TABLE_START, TABLE_END = "<!-- scaling-table:start -->", "<!-- scaling-table:end -->"


def parse_size(text: str) -> int:
    """``1000000``, ``1M`` or ``300k``."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a record count: {text!r} (use 1000000, 1M or 300k)")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


def size_label(records: int) -> str:
    return f"{records / 1e6:g}M" if records >= 1_000_000 else f"{records / 1e3:g}k"


class TreeMemory:
    """Samples the summed VmRSS of a process and its descendants; ``take`` returns the peak since the last take."""

    def __init__(self, pid: int, *, include_root: bool = True) -> None:
        self.pid, self._peak_kb, self._lock, self._done = pid, 0, threading.Lock(), threading.Event()
        self.include_root = include_root
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree_kb(self) -> int:
        total, pending = 0, [self.pid]
        while pending:
            pid = pending.pop()
            try:
                status = Path(f"/proc/{pid}/status").read_text() if pid != self.pid or self.include_root else ""
                total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0)
                for task in Path(f"/proc/{pid}/task").iterdir():
                    pending += [int(child) for child in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue  # the process ended between two reads
        return total

    def sample(self) -> None:
        kb = self._tree_kb()
        with self._lock:
            self._peak_kb = max(self._peak_kb, kb)

    def _run(self) -> None:
        while not self._done.wait(0.05):
            self.sample()

    def take(self) -> float:
        self.sample()
        with self._lock:
            peak, self._peak_kb = self._peak_kb, 0
        return peak / 1024

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


@dataclass
class Run:
    script: str
    backend: str
    records: int

    def command(self, pg_url: str | None, dashboard_runs: int) -> list[str]:
        path = str(REPO / "benchmarks" / f"{self.script}.py")
        if self.script == "dashboard":
            return [sys.executable, path, "--records", str(self.records), "--runs", str(dashboard_runs)]
        size_option = "--records" if self.script == "reconcile" else "--rows"
        command = [sys.executable, path, size_option, str(self.records), "--backend", self.backend]
        return command + (["--pg-url", pg_url] if self.backend == "postgresql" and pg_url else [])

    def row(self, operation: str, seconds: float | None, peak_mb: float | None, start_load: float,
            note: str = "") -> dict[str, str]:
        return {"script": self.script, "backend": self.backend, "records": str(self.records), "operation": operation,
                "seconds": "" if seconds is None else f"{seconds:.3f}",
                "peak_rss_mb": "" if peak_mb is None else f"{peak_mb:.0f}",
                "load_1m": f"{os.getloadavg()[0]:.2f}", "load_1m_at_start": f"{start_load:.2f}",
                "measured_at": dt.datetime.now().isoformat(timespec="seconds"), "note": note}


def usable(script: str) -> str:
    """'' when ``script --help`` works, else why not (the row is then recorded as not measured)."""
    path = REPO / "benchmarks" / f"{script}.py"
    if not path.exists():
        return f"not measured: {path.name} does not exist"
    done = subprocess.run([sys.executable, str(path), "--help"], capture_output=True, text=True, timeout=120)
    return "" if done.returncode == 0 else f"not measured: {path.name} --help failed: {done.stderr.strip()[-200:]}"


def measure(run: Run, command: list[str], timeout: float, echo: Callable[[str], None]) -> list[dict[str, str]]:
    """Runs one benchmark, one csv row per timed line it prints (and one for a failure or a timeout)."""
    start_load = os.getloadavg()[0]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # lines arrive when printed, so each interval is the operation's
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    # dashboard.py itself only builds the database (and keeps that memory); what it measures runs in its children.
    memory = TreeMemory(process.pid, include_root=run.script != "dashboard")
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        os.killpg(process.pid, 9)  # the child's own session: it and the processes it started, nothing else

    watchdog = threading.Timer(timeout, kill)
    watchdog.start()
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.extend(process.stderr or []), daemon=True)
    reader.start()
    rows: list[dict[str, str]] = []
    pattern = TIMED_LINE[run.script]
    started = last_line_at = time.perf_counter()
    last_peak = whole_peak = 0.0
    for line in process.stdout or []:
        line = line.rstrip("\n")
        echo(f"    | {line}")
        peak, now = memory.take(), time.perf_counter()
        whole_peak = max(whole_peak, peak)
        match = pattern.match(line)
        if match:
            label = re.sub(r"\s+", " ", match.group("label"))
            printed_mb = match.groupdict().get("mb")
            note = ""
            if now - last_line_at < 0.2 and rows and not printed_mb:
                # Printed together, so measured before either line: the interval's peak belongs to both.
                peak = max(peak, last_peak)
                rows[-1]["peak_rss_mb"], note = f"{peak:.0f}", "peak shared with the line printed with it"
            rows.append(run.row(label, float(match.group("seconds")), float(printed_mb) if printed_mb else peak,
                                start_load, note))
        last_line_at, last_peak = now, peak
    returncode = process.wait()
    watchdog.cancel()
    memory.stop()
    reader.join(5)
    elapsed = time.perf_counter() - started
    if timed_out.is_set():
        rows.append(run.row("(run)", None, None, start_load, f"not finished: stopped after {timeout:.0f} s"))
    elif returncode != 0 and not rows:
        tail = " ".join("".join(errors).strip().splitlines()[-3:])[-300:]
        rows.append(run.row("(run)", None, None, start_load, f"failed (exit {returncode}): {tail}"))
    else:  # dashboard.py exits 1 when it misses its own targets, after printing every measurement
        tail = " ".join("".join(errors).strip().splitlines()[-2:])[-300:]
        verdict = f"; exit {returncode} after {len(rows)} measurements: {tail}" if returncode else ""
        rows.append(run.row("(run)", elapsed, whole_peak, start_load, f"whole process, generation included{verdict}"))
    return rows


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``<path>.lock`` for a read-modify-write of the results."""
    import fcntl
    import tempfile

    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]  # outside docs/: nothing left behind
    with open(Path(tempfile.gettempdir()) / f"turnout-scaling-{key}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def read_results(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def write_results(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = sorted(rows, key=lambda r: (SCRIPTS.index(r["script"]) if r["script"] in SCRIPTS else 9, r["backend"],
                                       r["operation"], int(r["records"])))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows({field: row.get(field, "") for field in FIELDS} for row in rows)


def series(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], dict[int, dict[str, str]]]:
    """(script, operation, backend) -> records -> row, operations in the order first measured."""
    lines: dict[tuple[str, str, str], dict[int, dict[str, str]]] = {}
    for row in rows:
        if row["seconds"] and row["operation"] != "(run)":
            lines.setdefault((row["script"], row["operation"], row["backend"]), {})[int(row["records"])] = row
    return lines


def exponent(points: dict[int, dict[str, str]], small: int, large: int) -> str:
    """k in time ~ records**k between two sizes (1: linear)."""
    if small not in points or large not in points:
        return ""
    ratio = float(points[large]["seconds"]) / max(float(points[small]["seconds"]), 1e-6)
    return f"{math.log(ratio) / math.log(large / small):.2f}"


def seconds_text(seconds: float) -> str:
    return f"{seconds:.0f}" if seconds >= 100 else f"{seconds:.3g}"


def markdown_table(rows: list[dict[str, str]]) -> str:
    sizes = sorted({int(row["records"]) for row in rows})
    head = ["operation", "backend"] + [size_label(size) for size in sizes]
    head += [f"k {size_label(a)}→{size_label(b)}" for a, b in zip(sizes, sizes[1:], strict=False)]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (script, operation, backend), points in series(rows).items():
        cells = []
        for size in sizes:
            row = points.get(size)
            memory = f", {row['peak_rss_mb']} MB" if row and row["peak_rss_mb"] else ""
            cells.append(f"{seconds_text(float(row['seconds']))} s{memory}" if row else "—")
        cells += [exponent(points, a, b) for a, b in zip(sizes, sizes[1:], strict=False)]
        out.append(f"| {script}: {operation} | {backend} | " + " | ".join(cells) + " |")
    missing = [row for row in rows if row["operation"] == "(run)" and not row["seconds"]]
    out += ["", *(f"- {size_label(int(r['records']))} {r['script']} on {r['backend']}: {r['note']}" for r in missing)]
    return "\n".join(out).rstrip() + "\n"


PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39")


def svg_plot(rows: list[dict[str, str]]) -> str:
    """A hand-written log-log plot: records on x, seconds on y, one polyline per operation and backend."""
    order = {script: index for index, script in enumerate(SCRIPTS)}
    lines = {key: points for key, points in sorted(series(rows).items(), key=lambda item: (
        order.get(item[0][0], 9), item[0][1], item[0][2])) if not NOT_PLOTTED.match(key[1])}
    seconds = [float(row["seconds"]) for points in lines.values() for row in points.values()]
    sizes = sorted({size for points in lines.values() for size in points})
    if not seconds:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="60">'
                '<text x="10" y="30">no data</text></svg>')
    margin = 0.12 if len(sizes) > 1 else 0.5  # a little room so the end points sit inside the frame
    x_low, x_high = math.log10(min(sizes)) - margin, math.log10(max(sizes)) + margin
    y_low, y_high = math.floor(math.log10(max(min(seconds), 1e-3))), math.ceil(math.log10(max(seconds)))
    y_high = max(y_high, y_low + 1)
    left, top, width, height, legend_x = 80, 30, 560, 440, 680

    def x_of(records: float) -> float:
        return left + (math.log10(records) - x_low) / (x_high - x_low) * width

    def y_of(value: float) -> float:
        return top + height - (math.log10(max(value, 10.0**y_low)) - y_low) / (y_high - y_low) * height

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="1100" height="{top + height + 70}" '
             'font-family="sans-serif" font-size="12">', '<rect width="100%" height="100%" fill="white"/>']
    for decade in range(math.floor(x_low), math.ceil(x_high) + 1):
        for step in range(1, 10):
            if not x_low <= math.log10(step * 10.0**decade) <= x_high:
                continue
            x = x_of(step * 10.0**decade)
            parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + height}" '
                         f'stroke="{"#bbb" if step == 1 else "#eee"}"/>')
            if step == 1:
                parts.append(f'<text x="{x:.1f}" y="{top + height + 18}" text-anchor="middle">'
                             f'{size_label(int(10**decade))}</text>')
    for size in sizes:
        if not math.log10(size).is_integer():
            parts.append(f'<text x="{x_of(size):.1f}" y="{top + height + 18}" text-anchor="middle" '
                         f'fill="#666">{size_label(size)}</text>')
    for decade in range(y_low, y_high + 1):
        for step in range(1, 10 if decade < y_high else 2):
            y = y_of(step * 10.0**decade)
            parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" '
                         f'stroke="{"#bbb" if step == 1 else "#eee"}"/>')
        parts.append(f'<text x="{left - 8}" y="{y_of(10.0**decade) + 4:.1f}" text-anchor="end">{10.0**decade:g} s'
                     '</text>')
    parts += [f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#333"/>',
              f'<text x="{left + width / 2}" y="{top + height + 45}" text-anchor="middle">records (log)</text>',
              f'<text x="20" y="{top + height / 2}" transform="rotate(-90 20 {top + height / 2})" '
              'text-anchor="middle">seconds (log)</text>']
    operations = list(dict.fromkeys((script, operation) for script, operation, _ in lines))
    for index, ((script, operation, backend), points) in enumerate(lines.items()):
        colour = PALETTE[operations.index((script, operation)) % len(PALETTE)]
        dash = ' stroke-dasharray="6 4"' if backend == "postgresql" else ""
        coordinates = [(x_of(size), y_of(float(row["seconds"]))) for size, row in sorted(points.items())]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coordinates]
        legend_y = top + 8 + index * 17
        parts.append(f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 30}" y2="{legend_y}" stroke="{colour}" '
                     f'stroke-width="2"{dash}/>')
        label = f"{script}: {operation} ({backend})".replace("&", "&amp;").replace("<", "&lt;")
        parts.append(f'<text x="{legend_x + 38}" y="{legend_y + 4}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def regenerate(csv_path: Path, svg_path: Path, markdown_path: Path) -> None:
    rows = read_results(csv_path)
    svg_path.write_text(svg_plot(rows), encoding="utf-8")
    if markdown_path.exists():
        text = markdown_path.read_text(encoding="utf-8")
        if TABLE_START in text and TABLE_END in text:
            head, rest = text.split(TABLE_START, 1)
            tail = rest.split(TABLE_END, 1)[1]
            markdown_path.write_text(f"{head}{TABLE_START}\n{markdown_table(rows)}{TABLE_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=[1_000_000, 3_000_000, 10_000_000])
    parser.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--scripts", nargs="+", choices=SCRIPTS, default=list(SCRIPTS))
    parser.add_argument("--pg-url", default=os.environ.get("TURNOUT_BENCH_PG_URL"),
                        help="owner URL of a PostgreSQL database the benchmarks may wipe (its public schema)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before one benchmark run is stopped")
    parser.add_argument("--dashboard-runs", type=int, default=1, help="fresh processes per dashboard measurement")
    parser.add_argument("--csv", type=Path, default=DOCS / "scaling-results.csv")
    parser.add_argument("--svg", type=Path, default=DOCS / "scaling.svg")
    parser.add_argument("--markdown", type=Path, default=DOCS / "scaling.md")
    parser.add_argument("--plot-only", action="store_true", help="only regenerate the plot and table from the csv")
    args = parser.parse_args(argv)
    if "postgresql" in args.backends and not args.pg_url and not args.plot_only:
        parser.error("--pg-url (or TURNOUT_BENCH_PG_URL) is needed for postgresql")
    if not args.plot_only:
        for script in args.scripts:
            problem = usable(script)
            for backend in (["sqlite"] if script == "dashboard" else args.backends):
                for records in args.sizes:
                    run = Run(script, backend, records)
                    print(f"== {script} {backend} {size_label(records)} (load {os.getloadavg()[0]:.2f})", flush=True)
                    new = ([run.row("(run)", None, None, os.getloadavg()[0], problem)] if problem else
                           measure(run, run.command(args.pg_url, args.dashboard_runs), args.timeout,
                                   lambda line: print(line, flush=True)))
                    with locked(args.csv):  # two invocations (say 10M apart from the rest) may share the csv
                        kept = [row for row in read_results(args.csv)
                                if (row["script"], row["backend"], row["records"]) != (script, backend, str(records))]
                        write_results(args.csv, kept + new)
                        regenerate(args.csv, args.svg, args.markdown)
    regenerate(args.csv, args.svg, args.markdown)
    print(markdown_table(read_results(args.csv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
