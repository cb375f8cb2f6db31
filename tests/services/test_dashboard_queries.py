"""The dashboard's queries stay on indexes over millions of records (the desktop must start fast).

No timings here (benchmarks/dashboard.py measures them over 3M records): the elections list is found by
one index probe per election and still lists every election; the confirmed counts' GROUP BY reads the
group index alone and the county records come from their partial index (migration 0006), on both backends.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text

from turnout_desktop.db.models import CountyTurnoutReference, TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.engine import repository
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext

DAYS = (dt.date(2026, 3, 3), dt.date(2024, 3, 5), dt.date(2022, 11, 8))


def _record(day: dt.date, vuid: str, source: str = "statewide", removed: bool = False) -> TurnoutRecord:
    return TurnoutRecord(election_date=day, vuid=vuid, county="LOVING", party="DEM", voting_method="early-voting",
                         source=source, verification="verified",
                         removed_at=dt.datetime(2026, 3, 4) if removed else None)


def test_every_election_is_listed_newest_first(db_engine: Engine) -> None:
    with transaction(db_engine) as session:
        session.add_all([_record(DAYS[0], "1000000001"), _record(DAYS[0], "1000000002"),
                         _record(DAYS[1], "1000000001", removed=True)])
        session.add(CountyTurnoutReference(county="LOVING", election_date=DAYS[2], party="DEM",
                                           voting_method="TOTAL", official_count=1))
    assert reconciliation.elections(AppContext(db_engine, user="clerk")) == list(DAYS)


def test_no_election_without_data(db_engine: Engine) -> None:
    assert reconciliation.elections(AppContext(db_engine, user="clerk")) == []


def test_confirmed_counts_read_the_group_and_the_county_record_indexes(db_engine: Engine) -> None:
    with transaction(db_engine) as session:
        session.add_all([_record(DAYS[0], "1000000001"), _record(DAYS[0], "1000000002", source="county"),
                         _record(DAYS[0], "1000000002"), _record(DAYS[0], "1000000003", source="county")])
    with transaction(db_engine) as session:
        # two voters: the county twin of 1000000002 is the voter its statewide record already counts
        assert repository.confirmed_counts(session, DAYS[0]) == {("LOVING", "DEM", "early-voting"): 2}
    if db_engine.dialect.name != "sqlite":
        return  # PostgreSQL picks plans by table statistics: a four-row table says nothing
    group = ("SELECT county, party, voting_method, count(*) FROM turnout_record WHERE election_date = :day "
             "AND removed_at IS NULL AND source = :source GROUP BY county, party, voting_method")
    county_rows = ("SELECT vuid, voting_method, county, party FROM turnout_record WHERE election_date = :day "
                   "AND removed_at IS NULL AND source != :source")
    with db_engine.connect() as connection:
        plans = [" ".join(str(row[-1]) for row in connection.execute(text("EXPLAIN QUERY PLAN " + query),
                                                                     {"day": DAYS[0], "source": "statewide"}))
                 for query in (group, county_rows)]
    assert "COVERING INDEX ix_turnout_record_group" in plans[0]
    assert "ix_turnout_record_not_statewide" in plans[1]
