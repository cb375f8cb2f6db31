"""Every CLI command under each role on the real server: allowed (exit 0) or refused with exit 4.

The clerk of LOVING acts on LOVING; the clerk of KING acts on LOVING too (another county's clerk); the
admin and the auditor act on LOVING. A refusal is one line, ``not permitted: ROLE may not ACTION``,
whether the service or PostgreSQL itself refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from turnout_desktop.cli.main import main
from turnout_desktop.domain.scope import Scope
from turnout_desktop.services.demo import DEMO_ELECTION

ELECTION = DEMO_ELECTION.isoformat()
ROLES = ("clerk_own", "clerk_other", "admin", "auditor")
# command -> exit codes for (clerk of LOVING, clerk of KING, admin, auditor), all acting on LOVING
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    "whoami": (0, 0, 0, 0),
    "init": (0, 0, 0, 0),
    "status": (0, 0, 0, 0),
    "log": (0, 4, 0, 0),
    "gate": (0, 4, 0, 0),
    "report": (0, 4, 0, 0),
    "submit": (0, 4, 0, 4),
    "reconcile": (0, 4, 0, 4),
    "check": (4, 4, 0, 4),
    "import-statewide": (4, 4, 0, 4),
    "import-precincts": (4, 4, 0, 4),
    "source-set": (4, 4, 0, 4),
    "undo": (4, 4, 0, 4),
    "export-public": (4, 4, 0, 0),
    "audit-verify": (4, 4, 0, 0),
    "override": (4, 4, 0, 4),
    "override-revoke": (4, 4, 0, 4),
    "review": (4, 4, 0, 4),
    "admin-grant": (4, 4, 4, 4),
}


def _fix_id(owner_url: str) -> int:
    engine = create_engine(owner_url)
    with engine.connect() as connection:
        fix_id = connection.execute(text("SELECT min(id) FROM fix WHERE undone_at IS NULL")).scalar_one()
    engine.dispose()
    assert fix_id is not None, "the seeded election should have made at least one fix"
    return fix_id


def _override_id(admin_url: str) -> int:
    """An override in force on LOVING DEM, made by the admin (what ``override revoke`` acts on)."""
    from turnout_desktop.services.context import open_context
    from turnout_desktop.services.fixes import override

    ctx = open_context(admin_url)
    try:
        return int(override(ctx, Scope(DEMO_ELECTION, "LOVING", "DEM"), reason="matrix").id)
    finally:
        ctx.engine.dispose()


def _escalation_id(owner_url: str) -> int:
    engine = create_engine(owner_url)
    with engine.connect() as connection:
        log_id = connection.execute(text("SELECT id FROM reconciliation_log WHERE status = 'ESCALATED' "
                                         "ORDER BY county = 'LOVING' DESC, id LIMIT 1")).scalar()
    engine.dispose()
    assert log_id is not None, "the seeded election should have escalated at least one county"
    return log_id


def _arguments(command: str, server, tmp_path: Path) -> list[str]:  # noqa: ANN001 - the SharedServer fixture
    if command == "override-revoke":  # made only when needed: building it writes an override
        return ["override", "revoke", str(_override_id(server.admin)), "--reason", "matrix"]
    if command == "review":
        return ["review", str(_escalation_id(server.owner_url)), "--state", "investigating", "--reason", "matrix"]
    precincts = tmp_path / "precincts.csv"
    precincts.write_text("County,Precinct,District\nLOVING,101,CD-23\n", encoding="utf-8")
    return {
        "whoami": ["whoami", "--json"],
        "init": ["init"],
        "status": ["status", "--election", ELECTION, "--json"],
        "log": ["log", "--county", "LOVING", "--json"],
        "gate": ["gate", "--election", ELECTION, "--county", "LOVING", "--party", "DEM", "--json"],
        "report": ["report", "--election", ELECTION, "--county", "LOVING", "--format", "csv",
                   "--out", str(tmp_path / "report.csv")],
        "submit": ["submit", str(server.files["LOVING"]), "--county", "LOVING", "--election", ELECTION, "--json"],
        "reconcile": ["reconcile", "--election", ELECTION, "--county", "LOVING", "--json"],
        "check": ["check", "--election", ELECTION],
        "import-statewide": ["import-statewide", str(server.files["newer"]), "--election", ELECTION, "--json"],
        "import-precincts": ["import-precincts", str(precincts)],
        "source-set": ["source", "set", str(server.files["newer"].parent)],
        "undo": ["undo", str(_fix_id(server.owner_url)), "--reason", "role matrix"],
        "export-public": ["export-public", "--election", ELECTION, "--out", str(tmp_path / "public.csv")],
        "audit-verify": ["audit", "verify", "--json"],
        "admin-grant": ["admin", "grant-admin", "t_nobody"],
        "override": ["override", "--election", ELECTION, "--county", "LOVING", "--party", "DEM", "--reason", "matrix"],
    }[command]


@pytest.mark.pg
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_every_command_is_allowed_or_refused_with_exit_4(server, role_index: int, tmp_path: Path,  # noqa: ANN001
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    url = getattr(server, ROLES[role_index])
    outcomes: dict[str, int] = {}
    refusals: dict[str, str] = {}
    for command, expected in EXPECTED.items():
        code = main(["--db", url, *_arguments(command, server, tmp_path)])
        captured = capsys.readouterr()
        outcomes[command] = code
        if code == 4:
            refusals[command] = captured.err.strip()
        assert "Traceback" not in captured.err
        if code != expected[role_index]:
            print(f"{command}: exit {code}, expected {expected[role_index]}; stderr: {captured.err.strip()}")
    assert outcomes == {command: codes[role_index] for command, codes in EXPECTED.items()}
    for command, message in refusals.items():
        assert len(message.splitlines()) == 1, (command, message)
        assert message.startswith("not permitted: "), (command, message)


@pytest.mark.pg
def test_a_login_without_a_turnout_role_is_told_so(server, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    assert main(["--db", server.no_role, "status", "--election", ELECTION, "--json"]) == 4
    message = capsys.readouterr().err.strip()
    assert message.startswith("not permitted: t_nobody has no Turnout role") and len(message.splitlines()) == 1
    engine = create_engine(server.owner_url)
    with engine.connect() as connection:  # admin setup lets only the Turnout groups connect
        assert connection.execute(text("SELECT has_database_privilege('t_nobody', current_database(), "
                                       "'CONNECT')")).scalar() is False
    engine.dispose()


@pytest.mark.pg
def test_user_option_is_refused_on_postgresql(server, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    code = main(["--db", server.clerk_own, "submit", str(server.files["LOVING"]), "--county", "LOVING",
                 "--election", ELECTION, "--user", "Secretary of State"])
    assert code == 2
    assert "--user is not accepted on PostgreSQL" in capsys.readouterr().err
