"""A clerk's upload still heals under row-level security; what it may not do waits for the service's check."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from turnout_desktop.cli.main import main
from turnout_desktop.errors import InvalidRequest, PermissionDenied
from turnout_desktop.services import shared_settings
from turnout_desktop.services.context import open_context

pytestmark = pytest.mark.pg
ELECTION = "2026-03-03"


def _statuses(url: str, capsys: pytest.CaptureFixture[str]) -> dict[tuple[str, str], str]:
    assert main(["--db", url, "status", "--election", ELECTION, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["counties"]
    return {(r["county"], r["party"]): r["status"] for r in rows if r["voting_method"] == "TOTAL"}


def test_a_clerks_upload_reaches_resolved(server, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    assert main(["--db", server.clerk_own, "submit", str(server.files["LOVING"]), "--county", "LOVING",
                 "--election", ELECTION, "--json"]) == 0
    capsys.readouterr()
    assert main(["--db", server.clerk_own, "reconcile", "--election", ELECTION, "--county", "LOVING", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert results and {r["status"] for r in results} == {"RESOLVED"}
    assert set(_statuses(server.clerk_own, capsys)) <= {("LOVING", "DEM"), ("LOVING", "REP")}


def test_strategy_a_of_a_clerks_run_is_left_to_the_service_check(fresh_server: str, tmp_path,  # noqa: ANN001
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """KENEDY's election-day votes are only in the newer statewide file: the clerk may not import it."""
    from pg_logins import signed_in_url

    from turnout_desktop.domain.permissions import Role
    from turnout_desktop.services.demo import write_demo_files

    files = write_demo_files(tmp_path / "demo")
    admin = signed_in_url(fresh_server, "t_admin", Role.ADMIN)
    service = signed_in_url(fresh_server, "t_service", Role.SERVICE)
    clerk = signed_in_url(fresh_server, "t_clerk_kenedy", Role.CLERK, ["KENEDY"])
    assert main(["--db", admin, "import-statewide", str(files["statewide"]), "--election", ELECTION]) == 0
    assert main(["--db", admin, "source", "set", str(files["newer"].parent)]) == 0
    assert main(["--db", clerk, "submit", str(files["KENEDY"]), "--county", "KENEDY", "--election", ELECTION]) == 0
    capsys.readouterr()
    assert main(["--db", clerk, "log", "--county", "KENEDY", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)["entries"]
    messages = [a.get("message") or "" for entry in entries for a in entry.get("attempts", [])]
    assert any(m.startswith("Statewide import is left to the scheduled check") for m in messages), messages
    assert main(["--db", service, "check", "--election", ELECTION, "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    kenedy = [r for r in checked["results"] if r["county"] == "KENEDY"]
    assert kenedy and {r["check"] for r in kenedy} == {"reconciled"}  # re-run, not skipped as unchanged
    assert {r["status"] for r in kenedy} == {"RESOLVED"}
    assert {s for (c, _p), s in _statuses(clerk, capsys).items() if c == "KENEDY"} == {"RESOLVED"}


def test_shared_settings_are_admin_only_validated_and_audited(server) -> None:  # noqa: ANN001
    clerk = open_context(server.clerk_own)
    admin = open_context(server.admin)
    try:
        with pytest.raises(PermissionDenied, match="not permitted: clerk may not change shared settings"):
            shared_settings.update(clerk, gate_verified="0", gate_within="0")
        for bad in ("NaN", "Infinity", "0", "-1", "100.5", "lots"):
            with pytest.raises(InvalidRequest):
                shared_settings.update(admin, gate_within=bad)
        with pytest.raises(InvalidRequest, match="may not exceed"):
            shared_settings.update(admin, gate_verified="98", gate_within="99")
        changes = shared_settings.update(admin, gate_verified="99.5", gate_within="98.5", auto_check_minutes=30)
        assert {c.key: (c.old, c.new) for c in changes} == {
            "gate_verified_threshold": ("", "99.5"), "gate_within_threshold": ("", "98.5"),
            "auto_check_minutes": ("", "30")}
        assert shared_settings.read(clerk).gate_verified == Decimal("99.5")  # a clerk reads them
        from sqlalchemy import text

        with admin.engine.connect() as connection:
            event = connection.execute(text("SELECT user_name, user_role, details FROM audit_event "
                                            "WHERE event_type = 'settings_change' ORDER BY seq DESC")).first()
        assert event.user_name == "t_admin" and event.user_role == "admin"
        assert {c["key"] for c in event.details["changes"]} == {"gate_verified_threshold", "gate_within_threshold",
                                                                 "auto_check_minutes"}
    finally:
        clerk.engine.dispose()
        admin.engine.dispose()


def test_a_clerks_two_parties_heal_in_one_set_based_round(fresh_server: str, tmp_path,  # noqa: ANN001
                                                           capsys: pytest.CaptureFixture[str],
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """Both parties of the clerk's county miss voters: fill_gaps runs once for both (engine/bulk_round.py), its
    staging table and inserts passing row-level security as the clerk's own login."""
    import csv

    from pg_logins import signed_in_url

    from turnout_desktop.domain.permissions import Role

    admin = signed_in_url(fresh_server, "t_admin", Role.ADMIN)
    clerk = signed_in_url(fresh_server, "t_clerk_loving", Role.CLERK, ["LOVING"])

    def write(path, header, rows):  # noqa: ANN001, ANN202
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    voters = [(f"{1_200_000_000 + n}", "DEM" if n < 10 else "REP") for n in range(20)]
    statewide = write(tmp_path / "statewide.csv", ["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"],
                      [[v, "LOVING", p, "early-voting", "0001", "2026-02-20"] for n, (v, p) in enumerate(voters)
                       if n % 10 < 8])  # two voters of each party missing
    roster = write(tmp_path / "loving.csv", ["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"],
                   [[v, p, "early-voting", "0001", "2026-02-20"] for v, p in voters])
    assert main(["--db", admin, "import-statewide", str(statewide), "--election", ELECTION]) == 0
    assert main(["--db", clerk, "submit", str(roster), "--county", "LOVING", "--election", ELECTION]) == 0
    capsys.readouterr()
    assert main(["--db", clerk, "log", "--county", "LOVING", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)["entries"]
    newest = {}
    for entry in sorted(entries, key=lambda e: e["id"]):
        newest[entry["party"]] = entry
    assert {p: (e["status"], e["strategy_succeeded"]) for p, e in newest.items()} == {
        "DEM": ("RESOLVED", "fill_gaps"), "REP": ("RESOLVED", "fill_gaps")}
    assert {p: e["actual_total"] for p, e in newest.items()} == {"DEM": 10, "REP": 10}
    assert not [r for r in caplog.records if r.name == "turnout_desktop.engine.bulk_round"]  # no fallback taken
