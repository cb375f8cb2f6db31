"""The desktop app's outbox status and push (services/outbox_sync.py): what the status bar says, and how many
uploads wait. The local outbox is a real SQLite file; "away" is a PostgreSQL URL on a loopback port nobody
listens on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from desktop_jobs import closed_port_url, never_cancelled, no_progress

from turnout_desktop.services.outbox_sync import PushSummary, ServerStatus, outbox_pending, push_queued, server_status
from turnout_desktop.services.worker_context import ContextSpec

pytestmark = pytest.mark.usefixtures("close_cached_engines")


def test_status_labels() -> None:
    assert ServerStatus(True, 0).label() == "Online"
    assert ServerStatus(True, 2).label() == "Online - 2 queued"
    assert ServerStatus(False, 3).label() == "Offline - 3 queued"
    summary = PushSummary(pushed=1, failed=2, pending=2, online=True, first_error="ImportRejected: bad file")
    assert summary.text() == "Queued uploads: 1 pushed, 2 failed (first error: ImportRejected: bad file); " \
                             "2 still queued."


def test_an_unreachable_server_is_offline_with_its_first_error_line(tmp_path: Path) -> None:
    spec = ContextSpec(closed_port_url(), user="lou", role="clerk", county="LOVING",
                       outbox_url=f"sqlite:///{tmp_path / 'outbox.db'}")
    status = server_status(spec, progress=no_progress, cancelled=never_cancelled)
    assert (status.online, status.pending) == (False, 0)
    assert status.error and "\n" not in status.error
    assert status.label() == "Offline - 0 queued"
    assert outbox_pending(spec) == 0


def test_a_reachable_server_is_online_and_an_empty_push_sends_nothing(tmp_path: Path, db_url: str) -> None:
    spec = ContextSpec(db_url, user="ada", role="admin", outbox_url=f"sqlite:///{tmp_path / 'outbox.db'}")
    assert server_status(spec, progress=no_progress, cancelled=never_cancelled) == ServerStatus(True, 0, None)
    summary = push_queued(spec, progress=no_progress, cancelled=never_cancelled)
    assert (summary.pushed, summary.failed, summary.pending, summary.online) == (0, 0, 0, True)
    assert summary.text() == "Queued uploads: 0 pushed, 0 failed."


def test_push_while_the_server_is_away_keeps_the_outbox_and_says_offline(tmp_path: Path) -> None:
    spec = ContextSpec(closed_port_url(), user="lou", role="clerk", county="LOVING",
                       outbox_url=f"sqlite:///{tmp_path / 'outbox.db'}")
    summary = push_queued(spec, progress=no_progress, cancelled=never_cancelled)
    assert (summary.pushed, summary.failed, summary.online) == (0, 0, False)
    assert summary.status.online is False and summary.status.error == summary.first_error
