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
from turnout_desktop.errors import Certified
from turnout_desktop.services import admin, reconciliation
from turnout_desktop.services.context import open_context
from turnout_desktop.services.demo import DEMO_ELECTION
from turnout_desktop.services.outbox import is_not_permitted, open_server_context, push_outbox

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


def test_a_login_without_a_turnout_role_exits_4_not_unreachable(server, tmp_path: Path,  # noqa: ANN001
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    local_url = f"sqlite:///{tmp_path / 'local.db'}"
    _queue_offline(local_url, server.files[OWN_COUNTY], capsys)
    assert main(["--db", local_url, "outbox", "push", "--server", server.no_role, "--json"]) == 4
    captured = capsys.readouterr()
    assert json.loads(captured.out)["reachable"] is True and captured.err.startswith("not permitted:")
    assert len(_pending(local_url, capsys)) == 1


def test_a_login_revoked_during_a_push_is_refused_not_offline(server, tmp_path: Path,  # noqa: ANN001
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    local_url = f"sqlite:///{tmp_path / 'local.db'}"
    _queue_offline(local_url, server.files[OWN_COUNTY], capsys)
    signed_in = open_server_context(server.clerk_own, user="ignored", role="ignored")
    local = open_context(local_url, user="clerk1")
    try:
        signed_in.engine.dispose()  # the next statement needs a new connection, as after an idle pool
        with admin.owner_engine(server.owner_url) as owner:
            admin.revoke(owner, "t_clerk_loving")
        (outcome,) = push_outbox(local, signed_in, reconcile=False)
    finally:
        signed_in.engine.dispose()
        local.engine.dispose()
    assert (outcome.status, outcome.not_permitted, outcome.unreachable) == ("failed", True, False)
    assert "no Turnout role" in (outcome.error or "")


def test_a_refused_reconciliation_after_the_store_exits_4(server, tmp_path: Path,  # noqa: ANN001
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The county is certified between storing the item and reconciling it: stored, but a person must act."""
    local_url = f"sqlite:///{tmp_path / 'local.db'}"
    corrected = tmp_path / "loving_corrected.csv"  # not the upload the server holds: stored anew, then reconciled
    corrected.write_text("VUID,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE\n"
                         f"1151000001,DEM,early-voting,0001,{DEMO_ELECTION.isoformat()}\n", encoding="utf-8")
    _queue_offline(local_url, corrected, capsys)

    def certified_meanwhile(*_args: object, **_kwargs: object) -> None:
        raise Certified(f"{OWN_COUNTY} {DEMO_ELECTION} is certified: reconcile refused", county=OWN_COUNTY)

    monkeypatch.setattr(reconciliation, "reconcile", certified_meanwhile)
    assert main(["--db", local_url, "outbox", "push", "--server", server.clerk_own]) == 4
    captured = capsys.readouterr()
    assert "reconciliation failed: Certified" in captured.out and "stored, but its reconciliation" in captured.err
    assert _pending(local_url, capsys) == []  # stored: not pushed again
