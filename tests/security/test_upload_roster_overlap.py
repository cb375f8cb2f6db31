"""A clerk is warned of another county's roster without reading that county's statewide records.

The wizard's check (services/upload_risks.py) needs to know whose statewide records an upload's VUIDs
are; row-level security hides every other county's from a clerk, so ``turnout_roster_overlap``
(db/pg_roster_overlap.py, a SECURITY DEFINER function) answers with a verdict only: the other county
holding more than half of the VUIDs, or none. Every probe is logged and a login's probes are rate-limited.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from security_server import refused
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from turnout_desktop.db.pg_roster_overlap import (
    ROSTER_OVERLAP_FUNCTION,
    ROSTER_OVERLAP_MAX_PER_HOUR,
    ROSTER_OVERLAP_MIN_VUIDS,
    ROSTER_OVERLAP_VERDICT_FUNCTION,
    RosterOverlap,
    roster_overlap,
    vuids_sha256,
)
from turnout_desktop.db.session import make_engine
from turnout_desktop.services.demo import DEMO_ELECTION
from turnout_desktop.services.precheck import precheck_upload
from turnout_desktop.services.upload_risks import ForeignRoster, read_upload_risks

pytestmark = pytest.mark.pg
OWN_COUNTY, OTHER_COUNTY = "LOVING", "KING"  # the counties of the clerk_own login and of clerk_other
ABSENT_VUID = "1999999999"  # in no statewide record
OVERLAP_QUERY = "SELECT * FROM turnout_roster_overlap(:election, CAST(:vuids AS text[]))"


def _rows(url: str, query: str, params: dict[str, object] | None = None) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query), params or {})]
    finally:
        engine.dispose()


def _committed(url: str, query: str, params: dict[str, object] | None = None) -> list[tuple[object, ...]]:
    """``_rows`` in a transaction that commits (a probe's verdict is given only once it is committed)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            return [tuple(row) for row in connection.execute(text(query), params or {})]
    finally:
        engine.dispose()


def _statewide_vuids(owner_url: str, county: str) -> list[str]:
    return [str(row[0]) for row in _rows(
        owner_url, "SELECT DISTINCT vuid FROM turnout_record WHERE county = :county AND source = 'statewide' "
        "AND removed_at IS NULL ORDER BY vuid", {"county": county})]


def _overlap(url: str, vuids: list[str]) -> RosterOverlap | None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return roster_overlap(connection, DEMO_ELECTION, vuids)
    finally:
        engine.dispose()


def _roster_csv(path: Path, vuids: list[str]) -> Path:
    parties = ("DEM", "REP")
    lines = ["VUID,Party,Voting Method"] + [f"{v},{parties[i % 2]},early-voting" for i, v in enumerate(vuids)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_clerk_is_warned_that_the_file_is_another_countys_roster(server, tmp_path: Path) -> None:  # noqa: ANN001
    other = _statewide_vuids(server.owner_url, OTHER_COUNTY)
    assert len(other) >= ROSTER_OVERLAP_MIN_VUIDS, "the demo election holds enough statewide records of KING"
    upload = precheck_upload([_roster_csv(tmp_path / "roster.csv", other)], county=OWN_COUNTY,
                             election=DEMO_ELECTION).upload
    assert _rows(server.clerk_own, "SELECT count(*) FROM turnout_record WHERE county = :county",
                 {"county": OTHER_COUNTY}) == [(0,)], "row-level security still hides KING's records"
    for url in (server.clerk_own, server.admin):  # the clerk through the function, the admin by the plain query
        engine = make_engine(url)
        try:
            risks = read_upload_risks(lambda engine=engine: engine, upload, DEMO_ELECTION)
        finally:
            engine.dispose()
        assert risks is not None
        counted = None if url == server.clerk_own else len(other)  # the clerk is told no count
        assert risks.foreign == (ForeignRoster(OWN_COUNTY, len(other), counted, OTHER_COUNTY, counted),), url
        assert f"belong to {OTHER_COUNTY}, not {OWN_COUNTY}" in risks.messages()[0]
        assert risks.roster_check_skipped is None


def test_the_clerks_own_roster_raises_no_warning(server) -> None:  # noqa: ANN001
    own = _statewide_vuids(server.owner_url, OWN_COUNTY)
    assert _overlap(server.clerk_own, own) == RosterOverlap(len(own), None)


def test_fewer_than_the_minimum_distinct_vuids_are_refused(server) -> None:  # noqa: ANN001
    other = _statewide_vuids(server.owner_url, OTHER_COUNTY)
    few = other[:ROSTER_OVERLAP_MIN_VUIDS - 1]
    assert _overlap(server.clerk_own, few) is None
    # Called directly, the function refuses; repeating one VUID does not make it more.
    for vuids in (few, [other[0]] * 50, []):
        assert refused(server.clerk_own, f"SELECT * FROM turnout_roster_overlap('{DEMO_ELECTION}', "
                                         f"ARRAY[{', '.join(repr(v) for v in vuids)}]::text[])"), len(vuids)


def test_one_voter_padded_with_the_clerks_own_vuids_is_not_told_apart(server) -> None:  # noqa: ANN001
    padding = _statewide_vuids(server.owner_url, OWN_COUNTY)[:ROSTER_OVERLAP_MIN_VUIDS - 1]
    target = _statewide_vuids(server.owner_url, OTHER_COUNTY)[0]
    with_target = _overlap(server.clerk_own, [*padding, target])
    with_nobody = _overlap(server.clerk_own, [*padding, ABSENT_VUID])
    assert with_target == with_nobody == RosterOverlap(len(padding) + 1, None)


def test_one_foreign_voter_added_to_a_known_foreign_set_is_not_told_apart(server) -> None:  # noqa: ANN001
    """The reviewer's differencing attack: 20 known KING VUIDs plus a target, then plus an absent VUID."""
    king = _statewide_vuids(server.owner_url, OTHER_COUNTY)
    assert len(king) > ROSTER_OVERLAP_MIN_VUIDS
    base, target = king[:ROSTER_OVERLAP_MIN_VUIDS], king[ROSTER_OVERLAP_MIN_VUIDS]
    assert _rows(server.clerk_own, "SELECT count(*) FROM turnout_record WHERE vuid = :v", {"v": target}) == [(0,)]
    with_target = _overlap(server.clerk_own, [*base, target])
    with_nobody = _overlap(server.clerk_own, [*base, ABSENT_VUID])
    assert with_target == with_nobody == RosterOverlap(ROSTER_OVERLAP_MIN_VUIDS + 1, OTHER_COUNTY)


def test_the_function_returns_no_count_and_never_a_vuid(server) -> None:  # noqa: ANN001
    columns = _rows(server.owner_url, "SELECT unnest(proargnames), unnest(proargmodes::text[]) FROM pg_proc "
                    "WHERE proname = 'turnout_roster_overlap'")
    assert [name for name, mode in columns if mode == "t"] == ["probe_id", "distinct_given"]
    [(verdict_type,)] = _rows(server.owner_url, "SELECT format_type(prorettype, NULL) FROM pg_proc "
                              "WHERE proname = 'turnout_roster_overlap_verdict'")
    assert verdict_type == "text"  # the county name or NULL
    other = _statewide_vuids(server.owner_url, OTHER_COUNTY)
    [(probe_id, distinct_given)] = _committed(server.clerk_own, OVERLAP_QUERY,
                                              {"election": DEMO_ELECTION, "vuids": other})
    assert distinct_given == len(other)  # what the caller sent, nothing about the records
    assert _rows(server.clerk_own, "SELECT turnout_roster_overlap_verdict(:p)", {"p": probe_id}) == [
        (OTHER_COUNTY,)]
    # The verdict only for a committed probe of one's own login: never inside the probe's transaction
    # (it could be rolled back, log row and rate limit with it), never for another login's probe.
    assert refused(server.clerk_own, f"SELECT * FROM turnout_roster_overlap('{DEMO_ELECTION}', "
                                     f"ARRAY[{', '.join(repr(v) for v in other)}]::text[])",
                   "SELECT turnout_roster_overlap_verdict(max(id)) FROM turnout_roster_overlap("
                   f"'{DEMO_ELECTION}', ARRAY[{', '.join(repr(v) for v in other)}]::text[]) AS p(id, n)")
    assert refused(server.clerk_other, f"SELECT turnout_roster_overlap_verdict({probe_id})")


def test_every_probe_is_logged_with_login_and_hash_for_admins_only(server) -> None:  # noqa: ANN001
    other = _statewide_vuids(server.owner_url, OTHER_COUNTY)
    assert _overlap(server.clerk_own, [*other, other[0]]) == RosterOverlap(len(other), OTHER_COUNTY)
    logged = [(login, election, n, digest, verdict) for login, election, n, digest, verdict in _rows(
        server.admin, "SELECT login, election_date, distinct_vuids, vuids_sha256, verdict FROM roster_overlap_probe")]
    assert logged == [("t_clerk_loving", DEMO_ELECTION, len(other), vuids_sha256(other), OTHER_COUNTY)]
    assert _rows(server.auditor, "SELECT count(*) FROM roster_overlap_probe") == [(1,)]
    insert = ("INSERT INTO roster_overlap_probe (login, election_date, distinct_vuids, vuids_sha256) "
              f"VALUES ('someone', '{DEMO_ELECTION}', 20, 'x')")
    for login in (server.clerk_own, server.service):
        assert refused(login, "SELECT count(*) FROM roster_overlap_probe"), login
        assert refused(login, insert), login
        assert refused(login, "DELETE FROM roster_overlap_probe"), login
    for login in (server.admin, server.auditor):
        assert refused(login, insert) and refused(login, "DELETE FROM roster_overlap_probe"), login
        assert refused(login, "UPDATE roster_overlap_probe SET verdict = NULL"), login
    assert _rows(server.owner_url, "SELECT count(*) FROM roster_overlap_probe") == [(1,)]


def test_a_login_is_refused_after_the_hourly_limit_and_the_wizard_says_so(server, tmp_path: Path) -> None:  # noqa: ANN001
    own = _statewide_vuids(server.owner_url, OWN_COUNTY)
    for _ in range(ROSTER_OVERLAP_MAX_PER_HOUR):
        assert _overlap(server.clerk_own, own) == RosterOverlap(len(own), None)
    statement = (f"SELECT * FROM turnout_roster_overlap('{DEMO_ELECTION}', "
                 f"ARRAY[{', '.join(repr(v) for v in own)}]::text[])")
    engine = create_engine(server.clerk_own)
    try:
        with engine.connect() as connection, pytest.raises(DBAPIError, match="in the last hour") as refusal:
            connection.execute(text(statement))
    finally:
        engine.dispose()
    assert getattr(refusal.value.orig, "sqlstate", None) == "54000"
    assert _committed(server.clerk_other, statement)  # the limit is per login
    assert _rows(server.admin, "SELECT login, count(*) FROM roster_overlap_probe GROUP BY 1 ORDER BY 1") == [
        ("t_clerk_king", 1), ("t_clerk_loving", ROSTER_OVERLAP_MAX_PER_HOUR)]
    # The wizard skips the check, still shows what the upload replaces, and says the check was skipped.
    other = _statewide_vuids(server.owner_url, OTHER_COUNTY)
    upload = precheck_upload([_roster_csv(tmp_path / "roster.csv", other)], county=OWN_COUNTY,
                             election=DEMO_ELECTION).upload
    engine = make_engine(server.clerk_own)
    try:
        risks = read_upload_risks(lambda: engine, upload, DEMO_ELECTION)
    finally:
        engine.dispose()
    assert risks is not None and risks.foreign == ()
    assert risks.replaced, "LOVING's stored official counts would still be replaced"
    assert risks.roster_check_skipped is not None and "in the last hour" in risks.roster_check_skipped
    assert risks.messages()[-1].startswith("Whether this file is another county's roster was not checked: ")


def test_only_clerks_and_admins_may_execute_it_and_public_may_not(server) -> None:  # noqa: ANN001
    for function in (ROSTER_OVERLAP_FUNCTION, ROSTER_OVERLAP_VERDICT_FUNCTION):
        may = {grantee: _rows(server.owner_url, f"SELECT has_function_privilege('{grantee}', "
                                                f"'{function}', 'EXECUTE')")[0][0]
               for grantee in ("public", "turnout_clerk", "turnout_admin", "turnout_auditor", "turnout_service")}
        assert may == {"public": False, "turnout_clerk": True, "turnout_admin": True, "turnout_auditor": False,
                       "turnout_service": False}, function
        acl = _rows(server.owner_url, "SELECT proacl::text FROM pg_proc WHERE oid = CAST(:f AS regprocedure)",
                    {"f": function})[0][0]
        assert not [item for item in str(acl).strip("{}").split(",") if item.startswith("=")]  # PUBLIC: none
    other = _statewide_vuids(server.owner_url, OTHER_COUNTY)
    statement = (f"SELECT * FROM turnout_roster_overlap('{DEMO_ELECTION}', "
                 f"ARRAY[{', '.join(repr(v) for v in other)}]::text[])")
    assert refused(server.auditor, statement) and refused(server.service, statement)
    assert not refused(server.clerk_own, statement)


def test_it_runs_as_the_owner_with_its_search_path_pinned(server) -> None:  # noqa: ANN001
    found = _rows(server.owner_url, "SELECT proname, prosecdef, proconfig FROM pg_proc "
                  "WHERE proname LIKE 'turnout_roster_overlap%' ORDER BY 1")
    assert [name for name, _, _ in found] == ["turnout_roster_overlap", "turnout_roster_overlap_verdict"]
    for name, definer, config in found:
        assert definer is True, name
        assert len(config) == 1 and config[0].startswith("search_path="), name
        assert config[0].endswith("pg_catalog, pg_temp"), name
