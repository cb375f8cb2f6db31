"""Strategy E (data_format) on real uploads stored through the submit service, SQLite and PostgreSQL.

The wrong first parse (docs/data-formats.md section 4, "Encoding / bytes"): a BOM-less cp1252 roster
(Texas names such as ``Peña``/``Muñoz``, the Travis/Tarrant/Hidalgo case) read by a reader that
assumed UTF-8 and skipped every line that is not valid UTF-8 - "strict utf-8 fails on a BOM-less
cp1252 file ... order matters". The stored state it leaves: ``source_file.encoding = 'utf-8'``, the
roster rows of those voters missing, and official counts short by exactly those rows per method.
The state is built through the real ``submit_files`` and then cut down the way that reader would.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from turnout_desktop.db.models import (
    CountyRosterRow,
    CountyTurnoutReference,
    Fix,
    FixAction,
    SourceFile,
    Submission,
    TurnoutRecord,
)
from turnout_desktop.domain.metrics import MethodCount
from turnout_desktop.domain.scope import Scope
from turnout_desktop.engine.fixes import FixRecorder
from turnout_desktop.engine.types import DATA_FORMAT, Diagnosis, StrategyContext
from turnout_desktop.services import fixes as fix_service
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import import_statewide, submit_files
from turnout_desktop.strategies.data_format import NOT_IN_REPARSE, DataFormat

ELECTION = dt.date(2026, 3, 3)
COUNTY = "HIDALGO"
METHODS = ("early-voting", "election-day", "mail-in")
SURNAMES = ("Garcia", "Peña", "Smith", "Muñoz", "Lee", "Ibáñez", "Nguyen", "Gómez", "Brown", "Ortíz", "Cantu")
DATA_TABLES = (CountyRosterRow, CountyTurnoutReference, SourceFile, TurnoutRecord)


def write_roster(folder: Path, voters: int = 33, *, name: str = "hidalgo_roster.csv", party_column: bool = True,
                 party: str = "DEM") -> tuple[Path, list[str]]:
    """A cp1252 CRLF roster csv (as county exports are); returns the path and the VUIDs in row order."""
    header = ["VUID", "VOTER_NAME", *(["PARTY"] if party_column else []), "VOTING_METHOD", "PRECINCT", "VOTE_DATE"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    vuids = []
    for index in range(voters):
        vuid = f"{1_200_000_001 + index:010d}"
        vuids.append(vuid)
        person = f"{SURNAMES[index % len(SURNAMES)]}, Voter {index}"
        writer.writerow([vuid, person, *([party] if party_column else []), METHODS[index % 3], "0101",
                         "2026-02-20"])
    path = folder / name
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path, vuids


def write_statewide(folder: Path, vuids: list[str], party: str = "DEM") -> Path:
    path = folder / "statewide.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        for index, vuid in enumerate(vuids):
            writer.writerow([vuid, COUNTY, party, METHODS[index % 3], "0101", "2026-02-20"])
    return path


def simulate_lossy_utf8_first_parse(engine: Engine, county: str = COUNTY) -> Counter[tuple[str, str]]:
    """Cut the stored upload down to what a skip-undecodable-lines UTF-8 reader would have stored.

    Returns:
        The lost rows per (party, voting_method).
    """
    with Session(engine) as session, session.begin():
        source = session.execute(
            select(SourceFile).join(Submission, Submission.county == county)
            .where(SourceFile.kind == "county_roster")).scalars().first()
        assert source is not None and source.content is not None
        lost_lines = {number for number, line in enumerate(source.content.split(b"\n"), start=1)
                      if not _is_utf8(line)}
        rows = session.execute(select(CountyRosterRow).where(CountyRosterRow.source_file_id == source.id,
                                                             CountyRosterRow.row_no.in_(lost_lines))).scalars().all()
        lost = Counter((row.party, row.voting_method) for row in rows)
        session.execute(delete(CountyRosterRow).where(CountyRosterRow.id.in_([row.id for row in rows])))
        for reference in session.execute(select(CountyTurnoutReference).where(
                CountyTurnoutReference.county == county)).scalars():
            if reference.voting_method == "TOTAL":
                reference.official_count -= sum(n for (p, _m), n in lost.items() if p == reference.party)
            else:
                reference.official_count -= lost[(reference.party, reference.voting_method)]
        source.encoding = "utf-8"
    return lost


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def snapshot_tables(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables E may touch (and turnout_record, which it must not), bytes excluded."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with Session(engine) as session:
        for model in DATA_TABLES:
            columns = [c for c in model.__table__.columns if c.key != "content"]
            found[model.__tablename__] = [tuple(r) for r in session.execute(
                select(*columns).order_by(model.__table__.c.id)).all()]
    return found


def official(engine: Engine, county: str = COUNTY, party: str = "DEM") -> list[int]:
    with Session(engine) as session:
        rows = dict(session.execute(select(CountyTurnoutReference.voting_method, CountyTurnoutReference.official_count)
                                    .where(CountyTurnoutReference.county == county,
                                           CountyTurnoutReference.party == party)).all())
    return [rows[m] for m in (*METHODS, "TOTAL")]


def count_rows(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def run_e(engine: Engine, *, dry_run: bool = False, party: str = "DEM") -> Any:
    """Run strategy E once in its own transaction, the way the loop does."""
    with Session(engine) as session, session.begin():
        diagnosis = Diagnosis(county=COUNTY, election_date=ELECTION, party=party, expected_total=0, actual_total=0,
                              by_method={}, accuracy=0, codes=[DATA_FORMAT])  # type: ignore[arg-type]
        recorder = FixRecorder(session, election_date=ELECTION, county=COUNTY, party=party, user="tester",
                               dry_run=dry_run)
        context = StrategyContext(session=session, election_date=ELECTION, county=COUNTY, party=party,
                                  diagnosis=diagnosis, fixes=recorder, dry_run=dry_run, user="tester")
        return DataFormat().execute(context)


def submitted(engine: Engine, folder: Path, **options: Any) -> tuple[AppContext, list[str]]:
    ctx = AppContext(engine, user="admin")
    path, vuids = write_roster(folder, **{k: v for k, v in options.items() if k in ("party_column", "name")})
    hints = {k: v for k, v in options.items() if k in ("party", "method")}
    submit_files(ctx, [path], election=ELECTION, county="Hidalgo", reconcile=False, **hints)
    return ctx, vuids


def test_reparse_that_matches_the_store_changes_nothing(db_engine, tmp_path):
    submitted(db_engine, tmp_path)
    before = snapshot_tables(db_engine)
    outcome = run_e(db_engine)
    assert (outcome.applied, outcome.fix_id, outcome.changed) == (False, None, 0)
    assert count_rows(db_engine, Fix) == 0 and count_rows(db_engine, FixAction) == 0
    assert snapshot_tables(db_engine) == before


def test_submit_hints_are_kept_and_used_by_the_reparse(db_engine, tmp_path):
    # No party column, no party in the file name: the party comes only from --party at submit.
    submitted(db_engine, tmp_path, party_column=False, party="REP")
    with Session(db_engine) as session:
        layout = session.execute(select(SourceFile.layout)).scalar_one()
    assert layout["hints"] == {"county": "Hidalgo", "party": "REP", "method": None, "mapping": {}}
    before = snapshot_tables(db_engine)
    assert official(db_engine, party="REP") == [11, 11, 11, 33]
    outcome = run_e(db_engine, party="REP")
    assert (outcome.applied, outcome.changed) == (False, 0)
    assert snapshot_tables(db_engine) == before


def test_wrong_first_parse_is_restored_and_undo_restores_the_wrong_state(db_engine, tmp_path):
    ctx, _vuids = submitted(db_engine, tmp_path)
    right = official(db_engine)
    assert right == [11, 11, 11, 33]
    lost = simulate_lossy_utf8_first_parse(db_engine)
    # Peña, Muñoz, Ibáñez, Gómez, Ortíz: 5 of every 11 rows are not UTF-8 -> 15 of 33 lost.
    assert lost == Counter({("DEM", "early-voting"): 5, ("DEM", "election-day"): 5, ("DEM", "mail-in"): 5})
    assert official(db_engine) == [6, 6, 6, 18]
    wrong = snapshot_tables(db_engine)
    rows_before = count_rows(db_engine, CountyRosterRow)

    outcome = run_e(db_engine)
    assert outcome.applied is True and outcome.fix_id is not None
    assert (outcome.inserted, outcome.updated, outcome.removed, outcome.reassigned) == (15, 5, 0, 0)
    assert official(db_engine) == right
    assert count_rows(db_engine, CountyRosterRow) == rows_before + 15
    with Session(db_engine) as session:
        assert session.execute(select(SourceFile.parser, SourceFile.encoding)).one() == ("csv", "cp1252")
        actions = Counter(session.execute(select(FixAction.action, FixAction.table_name)
                                          .where(FixAction.fix_id == outcome.fix_id)).all())
        reference_changes = session.execute(
            select(FixAction.before, FixAction.after).where(FixAction.table_name == "county_turnout_reference")
            .order_by(FixAction.id)).all()
    assert actions == Counter({("insert", "county_roster_row"): 15, ("update", "county_turnout_reference"): 4,
                               ("update", "source_file"): 1})
    assert [(b["official_count"], a["official_count"]) for b, a in reference_changes] == [(6, 11)] * 3 + [(18, 33)]
    after_fix = snapshot_tables(db_engine)
    assert after_fix["turnout_record"] == wrong["turnout_record"]  # never touches records

    assert (run_e(db_engine).applied, count_rows(db_engine, Fix)) == (False, 1)  # now it matches: idempotent
    fix_service.undo_fix(ctx, outcome.fix_id, reason="test undo", reconcile=False)
    assert snapshot_tables(db_engine) == wrong


def test_dry_run_previews_the_same_changes_and_writes_nothing(db_engine, tmp_path):
    submitted(db_engine, tmp_path)
    simulate_lossy_utf8_first_parse(db_engine)
    wrong = snapshot_tables(db_engine)
    preview = run_e(db_engine, dry_run=True)
    assert (preview.applied, preview.fix_id, preview.inserted, preview.updated) == (True, None, 15, 5)
    assert preview.message.endswith("(Dry run: would change 20 row(s))")
    assert {entry["table_name"] for entry in preview.preview} == {"county_roster_row", "county_turnout_reference",
                                                                  "source_file"}
    assert snapshot_tables(db_engine) == wrong
    assert (count_rows(db_engine, Fix), count_rows(db_engine, FixAction)) == (0, 0)


def test_a_stored_row_the_reparse_does_not_find_is_marked_never_deleted(db_engine, tmp_path):
    ctx, _vuids = submitted(db_engine, tmp_path)
    with Session(db_engine) as session, session.begin():  # an earlier parse read a footer line as a voter
        first = session.execute(select(CountyRosterRow).order_by(CountyRosterRow.id)).scalars().first()
        session.add(CountyRosterRow(submission_id=first.submission_id, source_file_id=first.source_file_id, sheet="",
                                    row_no=900, election_date=ELECTION, county=COUNTY, party="DEM",
                                    voting_method="mail-in", vuid="1299999999", vuid_raw="1299999999"))
        reference = session.execute(select(CountyTurnoutReference).where(
            CountyTurnoutReference.voting_method == "mail-in")).scalar_one()
        reference.official_count += 1
        total = session.execute(select(CountyTurnoutReference).where(
            CountyTurnoutReference.voting_method == "TOTAL")).scalar_one()
        total.official_count += 1
    wrong = snapshot_tables(db_engine)
    rows_before = count_rows(db_engine, CountyRosterRow)
    outcome = run_e(db_engine)
    assert (outcome.applied, outcome.inserted, outcome.updated) == (True, 0, 3)
    assert count_rows(db_engine, CountyRosterRow) == rows_before
    with Session(db_engine) as session:
        marked = session.execute(select(CountyRosterRow.vuid, CountyRosterRow.problem_code)
                                 .where(CountyRosterRow.row_no == 900)).one()
    assert tuple(marked) == (None, NOT_IN_REPARSE)
    assert official(db_engine) == [11, 11, 11, 33]
    fix_service.undo_fix(ctx, outcome.fix_id, reason="test undo", reconcile=False)
    assert snapshot_tables(db_engine) == wrong


def test_loop_picks_e_for_the_wrong_parse_and_resolves(db_engine, tmp_path):
    ctx, vuids = submitted(db_engine, tmp_path)
    import_statewide(ctx, [write_statewide(tmp_path, vuids)], election=ELECTION)
    simulate_lossy_utf8_first_parse(db_engine)
    records_before = snapshot_tables(db_engine)["turnout_record"]
    (entry,) = reconciliation.reconcile(ctx, Scope(ELECTION, county=COUNTY))
    assert DATA_FORMAT in entry.diagnosis
    assert (entry.status, entry.strategy_succeeded) == ("RESOLVED", "data_format")
    assert entry.strategies_tried == ("data_format",)
    assert (entry.expected_total, entry.actual_total) == (33, 33)
    assert entry.by_method == {m: MethodCount(expected=11, actual=11) for m in METHODS}
    assert snapshot_tables(db_engine)["turnout_record"] == records_before
