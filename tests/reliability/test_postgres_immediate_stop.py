"""docs/reliability.md T10 on PostgreSQL: ``pg_ctl stop -m immediate`` in the middle of a statewide import.

A cluster of this test's own (the shared test server must stay up) is stopped the hard way while a
child process imports; after every restart the committed import is whole, the interrupted one is
either complete or absent (no half-written source file, no stray records), and a rerun completes it.
4 stops per CI run, ``TURNOUT_T10_STOPS`` (docs/reliability.md: 20) for a longer one.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from turnout_desktop.db.pg_security import setup_database
from turnout_desktop.db.session import make_engine

STOPS = int(os.environ.get("TURNOUT_T10_STOPS", "4"))
ROWS = 50_000
PG_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))

_NEEDS_RUNUSER = os.geteuid() == 0 and shutil.which("runuser") is None  # initdb refuses to run as root
pytestmark = pytest.mark.skipif(not PG_BINARIES or _NEEDS_RUNUSER,
                                reason="no PostgreSQL server binaries (or no runuser, as root); CI installs both")

IMPORT = r"""
import datetime as dt, sys
from pathlib import Path
from turnout_desktop.services.context import open_context
from turnout_desktop.services.submission import import_statewide
ctx = open_context(sys.argv[1])
print("importing", flush=True)
import_statewide(ctx, [Path(sys.argv[2])], election=dt.date(2026, 3, 3), party="REP")
print("done", flush=True)
"""


class Cluster:
    """A throwaway PostgreSQL cluster (as user postgres when the tests run as root)."""

    def __init__(self, folder: Path) -> None:
        self.bin = PG_BINARIES[-1].parent
        self.folder = folder
        self.data = folder / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="turnout-t10-pg-"))
    os.chmod(folder, 0o755)
    server = Cluster(folder)
    server.init()
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already down
        shutil.rmtree(folder, ignore_errors=True)


def _statewide(path: Path, first_vuid: int) -> Path:
    lines = ["VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE"]
    lines += [f"{first_vuid + i},LOVING,REP,EARLY VOTING,{i % 7},2026-02-20" for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _state(engine: Engine) -> tuple[dict[str, tuple[str, int]], int]:
    """Per source file: (status, records); and the records without a source file."""
    with engine.connect() as connection:
        files = {name: (status, count) for name, status, count in connection.execute(text(
            "SELECT f.name, f.status, (SELECT COUNT(*) FROM turnout_record t WHERE t.source_file_id = f.id) "
            "FROM source_file f"))}
        orphans = connection.execute(text(
            "SELECT COUNT(*) FROM turnout_record t WHERE t.source_file_id IS NULL "
            "OR NOT EXISTS (SELECT 1 FROM source_file f WHERE f.id = t.source_file_id)")).scalar_one()
    return files, orphans


def _import(url: str, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", IMPORT, url, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def test_immediate_stop_mid_import_leaves_complete_or_absent(cluster: Cluster, tmp_path: Path) -> None:
    engine = make_engine(cluster.url)
    setup_database(engine)
    engine.dispose()
    committed = _statewide(tmp_path / "statewide_EV_committed.csv", 1_000_000_000)
    started = time.monotonic()
    first = _import(cluster.url, committed)
    assert first.wait(120) == 0
    duration = time.monotonic() - started
    rng = random.Random(10)
    outcomes = []
    for stop in range(STOPS):
        path = _statewide(tmp_path / f"statewide_EV_stop{stop}.csv", 1_100_000_000 + stop * ROWS)
        child = _import(cluster.url, path)
        assert child.stdout is not None and child.stdout.readline().strip() == "importing"
        time.sleep(rng.uniform(0.0, duration))
        cluster.stop("immediate")
        child.wait(60)
        cluster.start()
        engine = make_engine(cluster.url)
        files, orphans = _state(engine)
        engine.dispose()
        assert files[committed.name] == ("complete", ROWS)  # committed rows survive
        assert orphans == 0
        if path.name in files:  # it committed before the stop: then it is whole
            assert files[path.name] == ("complete", ROWS)
            outcomes.append("complete")
        else:
            outcomes.append("absent")
        rerun = _import(cluster.url, path)
        assert rerun.wait(120) == 0
        engine = make_engine(cluster.url)
        files, orphans = _state(engine)
        engine.dispose()
        assert files[path.name] == ("complete", ROWS) and orphans == 0
    assert len(outcomes) == STOPS
    print(f"docs/reliability.md T10, pg_ctl stop -m immediate x {STOPS}: {outcomes}")
