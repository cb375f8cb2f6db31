"""docs/reliability.md T16: SIGKILL during a report export never leaves a partial file, and every file's sha256 is
recorded.

A child process exports the demo election's PDF over an older export and is killed at a random instant
(uniform over the measured run time). Afterwards the target is absent or a file whose sha256 is in the
audit trail (the old export or the new one): the export event is committed before the finished file
replaces the target. 10 kills per CI run, ``TURNOUT_T16_KILLS`` (docs/reliability.md: 50) for more.
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from turnout_desktop.db.models import AuditEvent
from turnout_desktop.db.session import transaction
from turnout_desktop.services.context import open_context
from turnout_desktop.services.demo import DEMO_ELECTION, seed_demo

KILLS = int(os.environ.get("TURNOUT_T16_KILLS", "10"))


def _export(url: str, target: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "turnout_desktop.cli.main", "--db", url, "report", "--election",
               DEMO_ELECTION.isoformat(), "--format", "pdf", "--out", str(target)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def _recorded(url: str) -> list[str]:
    ctx = open_context(url)
    with transaction(ctx.engine) as session:
        events = session.execute(select(AuditEvent.details).where(
            AuditEvent.event_type == "export", AuditEvent.disposition == "success").order_by(AuditEvent.seq)).scalars()
        hashes = [details["sha256"] for details in events if details and "sha256" in details]
    ctx.engine.dispose()
    return hashes


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_killed_exports_leave_the_old_or_the_new_recorded_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seed_demo(open_context(url, user="demo"), tmp_path / "demo")
    target = tmp_path / "out" / "report.pdf"
    target.parent.mkdir()
    started = time.monotonic()
    assert _export(url, target).wait(120) == 0
    duration = time.monotonic() - started
    assert _recorded(url)[-1] == _sha256(target)  # an uninterrupted export records the file's own hash
    rng = random.Random(16)
    for _ in range(KILLS):
        child = _export(url, target)
        time.sleep(rng.uniform(0.0, duration))
        child.kill()
        child.wait(30)
        assert target.exists()  # an older complete export was there: it is never removed
        assert target.read_bytes()[:5] == b"%PDF-" and _sha256(target) in _recorded(url)
    assert _export(url, target).wait(120) == 0
    assert _recorded(url)[-1] == _sha256(target)
