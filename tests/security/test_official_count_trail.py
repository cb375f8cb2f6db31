"""Every change of an official count is written down by the database itself, naming the login.

A clerk's login may update its counties' official counts (uploads and strategy E do), so plain SQL could
change one without an upload or an audit event; ``official_count_change`` (migration 0009) keeps the
trail where no application role can rewrite it.
"""

from __future__ import annotations

import pytest
from security_server import refused
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.pg

TRAIL = ("SELECT old_count, new_count, changed_by FROM official_count_change WHERE county = 'LOVING' "
         "AND party = 'DEM' AND voting_method = 'TOTAL' ORDER BY id DESC LIMIT 1")


def _rows(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def test_a_hand_made_change_of_an_official_count_names_the_clerk(server) -> None:  # noqa: ANN001
    [(submitted,)] = _rows(server.owner_url, "SELECT official_count FROM county_turnout_reference WHERE "
                                             "county = 'LOVING' AND party = 'DEM' AND voting_method = 'TOTAL'")
    assert _rows(server.owner_url, TRAIL)[0][1] == submitted  # the upload itself left its row
    _rows(server.clerk_own, "UPDATE county_turnout_reference SET official_count = official_count - 1 "
                            "WHERE county = 'LOVING' AND party = 'DEM' AND voting_method = 'TOTAL'")
    assert _rows(server.owner_url, TRAIL) == [(submitted, submitted - 1, "t_clerk_loving")]
    for statement in ("UPDATE official_count_change SET changed_by = 'someone'", "DELETE FROM official_count_change",
                      "TRUNCATE official_count_change",
                      "INSERT INTO official_count_change (county, election_date, party, voting_method, new_count, "
                      "changed_at) VALUES ('LOVING', '2026-03-03', 'DEM', 'TOTAL', 1, now())"):
        for login in (server.clerk_own, server.admin, server.service):
            assert refused(login, statement), (login, statement)
    assert _rows(server.owner_url, TRAIL) == [(submitted, submitted - 1, "t_clerk_loving")]
    # A clerk reads its own counties' trail only.
    assert _rows(server.clerk_other, "SELECT count(*) FROM official_count_change WHERE county = 'LOVING'") == [(0,)]
