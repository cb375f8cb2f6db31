"""docs/reliability.md T7 SQL injection: hostile text through the services reads back byte-identical and runs nothing.

Precinct codes, file names, user names and override reasons carrying quotes, comment markers,
semicolons and whole statements go through ``submit_files`` and ``override`` on SQLite and on
PostgreSQL; each value must come back exactly and no table may lose a row. ``ruff`` rule S608 keeps
string-built SQL out of the code (docs/reliability.md T7); this is the runtime half.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, inspect, select, text

from turnout_desktop.db.models import AuditEvent, CountyRosterRow, ManualOverride, Submission
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.limits import MAX_PRECINCT
from turnout_desktop.domain.scope import Scope
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.fixes import override
from turnout_desktop.services.submission import submit_files

ELECTION = dt.date(2026, 3, 3)
EXAMPLES = int(os.environ.get("TURNOUT_INJECTION_EXAMPLES", "60"))  # docs/reliability.md T7: 500 in a nightly run
PAYLOADS = ["'; DROP TABLE turnout_record;--", "1' OR '1'='1", "\"); DELETE FROM submission; --", "a;b",
            "%_\\", "O'Brien", "-- comment", "/* x */", "Robert'); DROP TABLE county_roster_row;--"]
# Key fields refuse control and invisible characters (docs/reliability.md T4) and trim outer spaces, so the
# generated text avoids them; everything else, quotes and statements included, must survive exactly.
HOSTILE = st.one_of(st.sampled_from(PAYLOADS), st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), min_size=1, max_size=40,
).map(str.strip).filter(bool))
_vuids = itertools.count(1_000_000_001)


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        return {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()  # noqa: S608
                for name in tables}


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(precinct=HOSTILE.filter(lambda s: len(s) <= MAX_PRECINCT), user=HOSTILE, reason=HOSTILE)
@example(precinct=PAYLOADS[0], user=PAYLOADS[-1], reason=PAYLOADS[-1])
@example(precinct="\uf900", user=PAYLOADS[0], reason=PAYLOADS[0])  # NFC maps it to U+8C48
def test_hostile_text_reads_back_exactly_and_runs_nothing(db_engine: Engine, tmp_path_factory: pytest.TempPathFactory,
                                                          precinct: str,
                                                          user: str, reason: str) -> None:
    folder = tmp_path_factory.mktemp("t7")
    vuid = str(next(_vuids))
    path = folder / "Loving roster EV REP.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["VUID", "Precinct"], [vuid, precinct]])
    before = _row_counts(db_engine)
    ctx = AppContext(db_engine, user=user)
    result = submit_files(ctx, [path], election=ELECTION, county="Loving", reconcile=False)
    assert result.stored
    override(ctx, Scope(ELECTION, "LOVING", "REP"), reason=reason)

    after = _row_counts(db_engine)
    assert set(after) == set(before)
    assert all(after[name] >= before[name] for name in before)  # nothing dropped, nothing deleted
    with transaction(db_engine) as session:
        # Cell text is read in Unicode NFC (ingest/readers/text_reader.clean_text): a compatibility character, U+F900,
        # comes back as its canonical equivalent; nothing else may change.
        assert session.execute(select(CountyRosterRow.precinct).where(CountyRosterRow.vuid == vuid)).scalar_one() \
            == unicodedata.normalize("NFC", precinct)
        submission = session.get(Submission, result.submission_ids[0])
        assert submission is not None and submission.submitted_by == user
        latest = session.execute(select(ManualOverride).order_by(ManualOverride.id.desc())).scalars().first()
        assert latest is not None and (latest.reason, latest.created_by) == (reason, user)
        assert session.execute(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.user_name == user)).scalar_one() >= 2
