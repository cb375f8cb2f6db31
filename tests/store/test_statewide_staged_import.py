"""The staged statewide load (store/statewide_loader.py over db/record_stage.py): its guarantees on a real
SQLite file and PostgreSQL.

Re-imports that differ by a few rows stage only the new ones; identity dedup, the file's first row
winning, removed records staying removed, refusals leaving nothing, the count cache and input versions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text, update

from turnout_desktop.db.models import SourceFile, StatewideCountCache, TurnoutRecord
from turnout_desktop.db.record_stage import StoredIdentities
from turnout_desktop.db.session import transaction
from turnout_desktop.engine import inputs
from turnout_desktop.errors import ImportRejected
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import import_statewide
from turnout_desktop.store.statewide_loader import refresh_statewide_count_cache

ELECTION = dt.date(2026, 3, 3)
CANONICAL = "VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE"


def write(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CANONICAL + "\n" + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def records(engine: Engine) -> dict[tuple[str, str], tuple[str, str | None, bool]]:
    """(vuid, method) -> (county, precinct, removed) of every statewide record."""
    with transaction(engine) as session:
        rows = session.execute(select(TurnoutRecord.vuid, TurnoutRecord.voting_method, TurnoutRecord.county,
                                      TurnoutRecord.precinct, TurnoutRecord.removed_at))
        return {(v, m): (c, p, r is not None) for v, m, c, p, r in rows}


def base_rows() -> list[str]:
    return [f"{1151000000 + i},LOVING,REP,EV,{i % 3 + 1},2026-02-20" for i in range(30)] + \
           [f"{1152000000 + i},KING,REP,MAIL,1,2026-02-21" for i in range(10)]


def test_repeats_collapse_first_row_wins_and_two_methods_stay_two(db_engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path / "statewide.csv", [
        "1151000001,LOVING,REP,EV,0007,2026-02-20",
        "1151000001,LOVING,REP,EV,0009,2026-02-20",  # same identity, later row: dropped
        "1151000001,LOVING,REP,MAIL,0007,2026-02-20",  # another method: its own record
        "1151000002,LOVING,REP,EV,0001,2026-02-20",
        "1151000002,LOVING,REP,EV,0001,2026-02-20",  # exact repeat
    ])
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION).files[0]
    assert (result.rows_read, result.inserted, result.already_present) == (5, 3, 2)
    assert result.by_county == {"LOVING": 3}
    stored = records(db_engine)
    assert stored[("1151000001", "early-voting")][1] == "0007"
    assert set(stored) == {("1151000001", "early-voting"), ("1151000001", "mail-in"), ("1151000002", "early-voting")}


def test_a_changed_file_adds_only_its_new_rows_and_leaves_stored_records_alone(db_engine: Engine,
                                                                               tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="admin")
    import_statewide(ctx, [write(tmp_path / "first" / "statewide.csv", base_rows())], election=ELECTION)
    with transaction(db_engine) as session:  # a fix removed one record; a re-import must not bring it back
        session.execute(update(TurnoutRecord).where(TurnoutRecord.vuid == "1151000003")
                        .values(removed_at=dt.datetime(2026, 3, 1)))
        before = {county: v.version for county, v in inputs.versions(session, ELECTION).items()}
    changed = base_rows()
    changed[0] = "1151000000,BORDEN,REP,EV,9,2026-02-20"  # a stored identity in another county: not moved
    changed += ["1151999999,LOVING,REP,EV,4,2026-02-22", "1151000004,LOVING,REP,ED,4,2026-03-03"]
    result = import_statewide(ctx, [write(tmp_path / "second" / "statewide.csv", changed)],
                              election=ELECTION).files[0]
    assert (result.rows_read, result.inserted, result.already_present) == (42, 2, 40)
    assert result.by_county == {"LOVING": 2}
    stored = records(db_engine)
    assert len(stored) == 42
    assert stored[("1151000000", "early-voting")][0] == "LOVING"
    assert stored[("1151000003", "early-voting")][2] is True
    assert stored[("1151000004", "election-day")] == ("LOVING", "4", False)
    with transaction(db_engine) as session:
        after = {county: v.version for county, v in inputs.versions(session, ELECTION).items()}
        new_file = session.execute(select(SourceFile.id).where(SourceFile.name == "statewide.csv")
                                   .order_by(SourceFile.id.desc())).scalars().first()
        assert session.execute(select(func.count()).select_from(TurnoutRecord)
                               .where(TurnoutRecord.source_file_id == new_file)).scalar_one() == 2
        cache = {(c.county, c.party, c.voting_method): c.count
                 for c in session.execute(select(StatewideCountCache)).scalars()}
    assert after["LOVING"] == before["LOVING"] + 1 and after["KING"] == before["KING"]  # only counties it added to
    assert cache == {("LOVING", "REP", "early-voting"): 30, ("LOVING", "REP", "election-day"): 1,
                     ("KING", "REP", "mail-in"): 10}  # the removed record is not counted


def test_a_refused_file_leaves_nothing_on_either_path(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="admin")
    import_statewide(ctx, [write(tmp_path / "first" / "statewide.csv", base_rows())], election=ELECTION)
    before = records(db_engine)
    other_election = ["1153000001,LOVING,REP,EV,1,2024-10-21", "1153000002,LOVING,REP,EV,1,2024-10-22"]
    for name, rows in [("all_new", other_election),  # every staged row added: dates read from the stage
                       ("repeats", [*base_rows(), *other_election, other_election[0]])]:  # read back
        with pytest.raises(ImportRejected) as refused:
            import_statewide(ctx, [write(tmp_path / name / "statewide.csv", rows)], election=ELECTION)
        assert refused.value.reason == "other_election"
        assert records(db_engine) == before
    with db_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(SourceFile)).scalar_one() == 1


def test_count_cache_leaves_out_county_records(db_engine: Engine, tmp_path: Path) -> None:
    import_statewide(AppContext(db_engine, user="admin"), [write(tmp_path / "s.csv", base_rows())], election=ELECTION)
    with transaction(db_engine) as session:  # what strategy F (fill_gaps) adds: pending county records
        session.execute(text(
            "INSERT INTO turnout_record (election_date, vuid, county, party, voting_method, source, verification, "
            "county_fallback, created_at) VALUES (:e, '1159000001', 'LOVING', 'REP', 'early-voting', 'county', "
            "'pending', :no, :now)"), {"e": ELECTION, "no": False, "now": dt.datetime(2026, 3, 3)})
        direct = Counter({(c, p, m): n for c, p, m, n in session.execute(
            select(TurnoutRecord.county, TurnoutRecord.party, TurnoutRecord.voting_method, func.count())
            .where(TurnoutRecord.election_date == ELECTION, TurnoutRecord.source == "statewide",
                   TurnoutRecord.removed_at.is_(None))
            .group_by(TurnoutRecord.county, TurnoutRecord.party, TurnoutRecord.voting_method))})
        refresh_statewide_count_cache(session, ELECTION)
        cache = {(c.county, c.party, c.voting_method): c.count
                 for c in session.execute(select(StatewideCountCache)).scalars()}
        assert cache == dict(direct)
        assert direct[("LOVING", "REP", "early-voting")] == 30


def test_stored_identities_never_claim_an_odd_vuid_or_another_method(db_engine: Engine, tmp_path: Path) -> None:
    import_statewide(AppContext(db_engine, user="admin"),
                     [write(tmp_path / "s.csv", ["1151000001,LOVING,REP,EV,1,2026-02-20"])], election=ELECTION)
    with transaction(db_engine) as session:
        known = StoredIdentities(session, ELECTION)
        mask = known.stored(["1151000001", "1151000001", "115100000１", None, "1151000002"],
                            ["early-voting", "mail-in", "early-voting", "early-voting", "early-voting"])
    assert mask.tolist() == [True, False, False, False, False]
