"""One reconciliation run at a time per (county, election), across threads, processes and offices.

Each attempt of a run is its own transaction (so a crash loses at most one attempt), and the
transaction-scoped locks of ``repository.lock_county`` serialise attempts, not runs: without this lock
two runs started together could both pick up the same IN_PROGRESS log row and interleave their
attempts. The lock is held for the whole run and dies with its holder, so a crashed run never blocks
the next one, which then resumes the row the crash left:

- PostgreSQL: a transaction-level advisory lock (two-key form, a key space apart from the attempts' own
  transaction locks) held by a transaction left open on a connection of its own for the whole run;
  ending that transaction, closing the connection or killing the process releases it. Transaction-level
  rather than session-level so that it also holds behind a PgBouncer in transaction-pooling mode, which
  would hand a session lock's server connection to another client.
- SQLite file: an exclusive ``flock``/``msvcrt`` lock on a small file in ``<database>.runlocks/``; the
  operating system drops it when the process dies.
- In-memory SQLite: nothing to share, no lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from turnout_desktop.errors import Cancelled, TurnoutError

RUN_LOCK_CLASS = 0x7475726E  # "turn": the first key of the two-key advisory lock, apart from xact locks
POLL_SECONDS = 0.2
DEFAULT_WAIT_SECONDS = 600.0


class RunBusy(TurnoutError):
    """Another run of the same county and election holds the lock longer than the caller would wait."""


def _run_key(county: str, election: dt.date) -> int:
    digest = hashlib.sha256(f"run|{county}|{election.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


@contextmanager
def county_run_lock(engine: Engine, county: str, election: dt.date, *, wait_seconds: float = DEFAULT_WAIT_SECONDS,
                    cancel: Callable[[], bool] | None = None) -> Iterator[None]:
    """Hold the run lock of (county, election) for the ``with`` block, waiting up to ``wait_seconds``.

    Raises:
        RunBusy: another run held the lock for all of ``wait_seconds``.
        Cancelled: ``cancel()`` turned true while waiting.
    """
    if engine.dialect.name == "postgresql":
        with _postgres_lock(engine, _run_key(county, election), county, wait_seconds, cancel):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        yield
        return
    folder = Path(f"{database}.runlocks")
    folder.mkdir(exist_ok=True)
    with _file_lock(folder / f"{election.isoformat()}-{_run_key(county, election) & 0xFFFFFFFF:08x}.lock", county,
                    wait_seconds, cancel):
        yield


@contextmanager
def free_run_locks(engine: Engine, counties: Sequence[str], election: dt.date) -> Iterator[set[str]]:
    """Take, without waiting, the run locks of those ``counties`` no other run holds; yields the ones taken.

    The set-based round of many counties (``engine/bulk_round.py``) works on the counties it got and leaves
    the busy ones to the per-county loop, which waits for them.
    """
    wanted = sorted(set(counties))
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        try:
            held = {county for county in wanted if connection.execute(
                text("SELECT pg_try_advisory_xact_lock(:cls, :key)"),
                {"cls": RUN_LOCK_CLASS, "key": _run_key(county, election)}).scalar()}
            yield held
        finally:
            try:
                connection.rollback()  # ends the transaction, and with it every lock taken
            finally:
                connection.close()
        return
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        yield set(wanted)
        return
    folder = Path(f"{database}.runlocks")
    folder.mkdir(exist_ok=True)
    descriptors: dict[str, int] = {}
    try:
        for county in wanted:
            path = folder / f"{election.isoformat()}-{_run_key(county, election) & 0xFFFFFFFF:08x}.lock"
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            if _try_lock_file(descriptor):
                descriptors[county] = descriptor
            else:
                os.close(descriptor)
        yield set(descriptors)
    finally:
        for descriptor in descriptors.values():
            try:
                _unlock_file(descriptor)
            finally:
                os.close(descriptor)


def _wait(try_lock: Callable[[], bool], county: str, wait_seconds: float, cancel: Callable[[], bool] | None) -> None:
    deadline = time.monotonic() + wait_seconds
    while not try_lock():
        if cancel and cancel():
            raise Cancelled(f"waiting for the run of {county} was cancelled")
        if time.monotonic() >= deadline:
            raise RunBusy(f"Another reconciliation of {county} is still running after {wait_seconds:.0f} s; "
                          "try again when it has finished.")
        time.sleep(POLL_SECONDS)


@contextmanager
def _postgres_lock(engine: Engine, key: int, county: str, wait_seconds: float,
                   cancel: Callable[[], bool] | None) -> Iterator[None]:
    connection = engine.connect()
    try:
        def try_lock() -> bool:
            acquired = connection.execute(text("SELECT pg_try_advisory_xact_lock(:cls, :key)"),
                                          {"cls": RUN_LOCK_CLASS, "key": key}).scalar()
            if not acquired:
                connection.rollback()  # no transaction left open while waiting
            return bool(acquired)  # held: the transaction stays open until the run ends

        _wait(try_lock, county, wait_seconds, cancel)
        yield
    finally:
        try:
            connection.rollback()  # ends the transaction, and with it the lock
        finally:
            connection.close()


@contextmanager
def _file_lock(path: Path, county: str, wait_seconds: float, cancel: Callable[[], bool] | None) -> Iterator[None]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _wait(lambda: _try_lock_file(descriptor), county, wait_seconds, cancel)
        try:
            yield
        finally:
            _unlock_file(descriptor)
    finally:
        os.close(descriptor)


def _try_lock_file(descriptor: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock_file(descriptor: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
        import msvcrt

        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(descriptor, fcntl.LOCK_UN)
