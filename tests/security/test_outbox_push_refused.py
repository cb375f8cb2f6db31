"""`turnout outbox push` when the shared server refuses the signed-in login: exit 4, the item stays queued.

The refusal is the README's exit code 4 ("the signed-in role may not do this, whether Turnout or PostgreSQL
refused"); a script that pushes the outbox must not read a refused item as success.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from turnout_desktop.cli.main import main
from turnout_desktop.db.session import make_engine
from turnout_desktop.services.demo import DEMO_ELECTION
from turnout_desktop.services.outbox import is_not_permitted

OWN_COUNTY = "LOVING"  # the county of the server fixture's clerk_own (tests/security/conftest.py)


def _queue_offline(local_url: str, roster: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", local_url, "submit", str(roster), "--county", OWN_COUNTY, "--election",
                 DEMO_ELECTION.isoformat(), "--user", "clerk1", "--offline", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["queued"] is True


def _pending(local_url: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(["--db", local_url, "outbox", "list", "--pending", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_refused_item_exits_4_and_stays_queued(server, tmp_path: Path,  # noqa: ANN001
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    local_url = f"sqlite:///{tmp_path / 'local.db'}"
    _queue_offline(local_url, server.files[OWN_COUNTY], capsys)

    assert main(["--db", local_url, "outbox", "push", "--server", server.clerk_other, "--json"]) == 4
    captured = capsys.readouterr()
    (item,) = json.loads(captured.out)["items"]
    assert (item["status"], item["not_permitted"], item["unreachable"]) == ("failed", True, False)
    assert "not permitted" in item["error"] and "stays in the outbox" in captured.err
    assert len(_pending(local_url, capsys)) == 1

    assert main(["--db", local_url, "outbox", "push", "--server", server.clerk_other]) == 4  # text mode too
    assert "refused" in capsys.readouterr().err

    assert main(["--db", local_url, "outbox", "push", "--server", server.clerk_own, "--json"]) == 0
    (pushed,) = json.loads(capsys.readouterr().out)["items"]
    assert pushed["status"] != "failed" and "not_permitted" not in pushed
    assert _pending(local_url, capsys) == []


def test_postgresql_refusals_count_as_not_permitted_and_other_errors_do_not(server) -> None:  # noqa: ANN001
    engine = make_engine(server.clerk_other)
    try:
        with engine.connect() as connection, pytest.raises(DBAPIError) as refused:
            connection.execute(text("CREATE TABLE outbox_probe (id integer)"))  # no CREATE on the schema
        with engine.connect() as connection, pytest.raises(DBAPIError) as broken:
            connection.execute(text("SELECT 1 / 0"))
    finally:
        engine.dispose()
    assert is_not_permitted(refused.value)
    assert not is_not_permitted(broken.value)
