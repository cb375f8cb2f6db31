"""Which database a desktop job opens and who acts there (services/worker_context.py), and the app's first
job on it (services/demo.py ``prepare_database``). Real SQLite files throughout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from desktop_jobs import never_cancelled, no_progress
from sqlalchemy import inspect

from turnout_desktop.db.identity import LOCAL_LABEL
from turnout_desktop.services.demo import has_official_counts, prepare_database
from turnout_desktop.services.worker_context import ActingIdentity, ContextSpec, open_worker_context

pytestmark = pytest.mark.usefixtures("close_cached_engines")


def test_a_new_sqlite_file_is_migrated_and_acts_as_the_spec_says(tmp_path: Path) -> None:
    spec = ContextSpec(f"sqlite:///{tmp_path / 'fresh.db'}", user="carl", role="clerk", county="KENT")
    ctx = open_worker_context(spec)
    assert "turnout_record" in inspect(ctx.engine).get_table_names()
    assert (ctx.user, ctx.role, ctx.county, ctx.counties) == ("carl", "clerk", "KENT", frozenset({"KENT"}))
    assert ActingIdentity.of(ctx) == ActingIdentity("carl", "clerk", ("KENT",))


def test_jobs_on_one_url_share_the_engine_but_not_the_identity(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    clerk = open_worker_context(ContextSpec(url, user="carl", role="clerk", county="KENT", counties=("KENT",)))
    admin = open_worker_context(ContextSpec(url, user="ada", role="admin"))
    assert clerk.engine is admin.engine
    assert (clerk.user, clerk.counties) == ("carl", frozenset({"KENT"}))
    assert (admin.user, admin.role, admin.counties) == ("ada", "admin", None)


def test_spec_labels_and_the_password_stays_out_of_repr() -> None:
    assert ContextSpec("sqlite:///x.db").label() == LOCAL_LABEL
    server = ContextSpec("postgresql://bob@db.example.org/turnout", user="bob", role="clerk", counties=("KENT", "KING"),
                         password="S3cr3t-canary")
    assert server.label() == "bob - clerk (KENT, KING)"
    assert server.connect_url == "postgresql://bob:S3cr3t-canary@db.example.org/turnout"
    assert "S3cr3t-canary" not in repr(server) and "S3cr3t-canary" not in server.resolved_url
    with pytest.raises(ValueError, match="no outbox database"):
        server.outbox_spec()


def test_prepare_database_seeds_the_demo_once_and_only_when_asked(tmp_path: Path) -> None:
    asked_not = ContextSpec(f"sqlite:///{tmp_path / 'plain.db'}")
    assert prepare_database(asked_not, seed_if_empty=False, progress=no_progress, cancelled=never_cancelled) is False
    assert not has_official_counts(open_worker_context(asked_not))

    demo = ContextSpec(f"sqlite:///{tmp_path / 'demo.db'}")
    seeded = prepare_database(demo, seed_if_empty=True, demo_folder=tmp_path / "demo", progress=no_progress,
                              cancelled=never_cancelled)
    assert seeded is True and has_official_counts(open_worker_context(demo))
    again = prepare_database(demo, seed_if_empty=True, demo_folder=tmp_path / "demo", progress=no_progress,
                             cancelled=never_cancelled)
    assert again is False
