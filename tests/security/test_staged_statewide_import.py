"""The staged statewide load under the shared server's grants: COPY into a temporary stage as the service login.

Strategy A runs as the service login (db/pg_security.py grants, row-level security on); its re-import of
a changed statewide file stages only the new rows with COPY and adds exactly the identities not stored yet.
"""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from turnout_desktop.db.models import TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.services.context import open_context
from turnout_desktop.services.demo import DEMO_ELECTION
from turnout_desktop.services.submission import import_statewide

pytestmark = pytest.mark.pg


def identities(path) -> set[tuple[str, str]]:  # noqa: ANN001
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = [title.strip().upper() for title in rows[0]]
    return {(row[header.index("VUID")], row[header.index("VOTING_METHOD")]) for row in rows[1:] if row}


def test_the_service_login_stages_a_changed_file_and_adds_only_its_new_records(server, tmp_path) -> None:  # noqa: ANN001
    # The server's uploads already ran strategy A over the newer file; a later fetch differs by a few rows.
    changed = tmp_path / "statewide_source" / "statewide_changed.csv"
    changed.parent.mkdir()
    added = [f"115800000{i},LOVING,REP,election-day,0004,2026-03-03" for i in range(3)]
    changed.write_text(server.files["newer"].read_text(encoding="utf-8") + "\n".join(added) + "\n",
                       encoding="utf-8")
    service = open_context(server.service)
    try:
        with transaction(service.engine) as session:
            before = session.execute(select(func.count()).select_from(TurnoutRecord)).scalar_one()
        result = import_statewide(service, [changed], election=DEMO_ELECTION)
        new = identities(changed) - identities(server.files["statewide"]) - identities(server.files["newer"])
        assert len(new) == 3 and result.inserted == 3
        with transaction(service.engine) as session:
            after = session.execute(select(func.count()).select_from(TurnoutRecord)).scalar_one()
            stored = set(session.execute(select(TurnoutRecord.vuid).where(TurnoutRecord.vuid.like("1158%"))).scalars())
        assert after == before + 3 and stored == {vuid for vuid, _ in new}
    finally:
        service.engine.dispose()
