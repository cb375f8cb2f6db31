"""import_statewide against every statewide layout of docs/data-formats.md section 2 (one test per layout).

Each test writes a small realistic file, imports it through the service and asserts exactly what
was stored: records per county/party/method, rows skipped with reasons, as-of time, idempotence.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from turnout_desktop.db.models import SourceFile, TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.errors import ImportRejected
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import import_statewide

ELECTION = dt.date(2026, 3, 3)
SOS_HEADER = "COUNTY,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT"


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))  # byte-exact: no newline translation
    return path


def write_zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def stored_counts(engine: Engine) -> dict[tuple[str, str, str], int]:
    with transaction(engine) as session:
        rows = session.execute(select(TurnoutRecord.county, TurnoutRecord.party, TurnoutRecord.voting_method))
        return dict(Counter((c, p, m) for c, p, m in rows))


def stored_records(engine: Engine) -> list[tuple]:
    with transaction(engine) as session:
        rows = session.execute(select(TurnoutRecord.vuid, TurnoutRecord.county, TurnoutRecord.voting_method,
                                      TurnoutRecord.precinct, TurnoutRecord.vote_date))
        return sorted(tuple(row) for row in rows)


def count_rows(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def source_as_of(engine: Engine) -> list[dt.datetime | None]:
    with transaction(engine) as session:
        values = session.execute(select(SourceFile.as_of).where(SourceFile.kind == "statewide")
                                 .order_by(SourceFile.id)).scalars().all()
        return [v.replace(tzinfo=None) if v is not None else None for v in values]


def test_sos_statewide_spelling_one_party_primary(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 2.2 "COUNTY, VOTER_NAME, ID_VOTER, VOTING_METHOD, PRECINCT" (with the spaces), no
    # party column (a one-party primary file; party and EV from the name), 4 DEWITT/LASALLE.
    path = write_text(tmp_path / "EVR_STATEWIDE_REP_2026-02-20.csv",
                      "COUNTY, VOTER_NAME, ID_VOTER, VOTING_METHOD, PRECINCT\n"
                      'LOVING,"DOE, JANE",1151000001,IN-PERSON,101\n'
                      'DEWITT,"ROE, JOHN",1123000002,MAIL-IN,0070\n'
                      'LASALLE,"POE, ANN",1141000003,IN-PERSON,2\n')
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION)
    assert result.inserted == 3 and result.files[0].rows_skipped == {}
    assert stored_counts(db_engine) == {("LOVING", "REP", "early-voting"): 1, ("DEWITT", "REP", "mail-in"): 1,
                                        ("LASALLE", "REP", "early-voting"): 1}
    assert ("1123000002", "DEWITT", "mail-in", "0070", None) in stored_records(db_engine)
    assert source_as_of(db_engine) == [None]  # a plain date in a name is no as-of; no marker, no vote dates


def test_civix_lowercase_spelling(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 2.2 "tx_county_name, voter_name, id_voter, voting_method, tx_precinct_code"; 4 "De Witt"
    # vs DEWITT; --party gives the party of a one-party primary file whose name has none.
    path = write_text(tmp_path / "EVR_STATEWIDE_53813.csv",
                      "tx_county_name, voter_name, id_voter, voting_method, tx_precinct_code\n"
                      'Loving,"DOE, JANE",1151000001,IN-PERSON,101\n'
                      'De Witt,"ROE, JOHN",1123000002,MAIL-IN,70\n')
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION, party="Republican")
    assert result.inserted == 2
    assert stored_counts(db_engine) == {("LOVING", "REP", "early-voting"): 1, ("DEWITT", "REP", "mail-in"): 1}


def test_canonical_csv_with_district(db_engine: Engine, tmp_path: Path) -> None:
    # The canonical CSV "VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE[,DISTRICT]"; 4 NPA party
    # means "look elsewhere" (here --party), method labels ED / early-voting, dates MM/DD/YYYY and ISO.
    path = write_text(tmp_path / "canonical.csv",
                      "VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE,DISTRICT\n"
                      "1151000001,LOVING,DEM,early-voting,1,2026-02-20,HD81\n"
                      "1151000002,Loving,NPA,ED,1,03/03/2026,\n")
    import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION, party="REP")
    assert stored_counts(db_engine) == {("LOVING", "DEM", "early-voting"): 1, ("LOVING", "REP", "election-day"): 1}
    assert stored_records(db_engine) == [("1151000001", "LOVING", "early-voting", "1", dt.date(2026, 2, 20)),
                                         ("1151000002", "LOVING", "election-day", "1", dt.date(2026, 3, 3))]


def test_civix_election_day_zip_payload(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 2.2 EVR_STATEWIDE_ELECTIONDAY (ZIP); "every row reads IN-PERSON, so election-day vs
    # early must come from which feed the row came from"; mail rows stay mail.
    path = write_zip(tmp_path / "EVR_STATEWIDE_ELECTIONDAY_58315.zip", {"statewide.csv": (
        f"{SOS_HEADER}\nBELL,\"A, B\",1014000001,IN-PERSON,101\nBELL,\"C, D\",1014000002,MAIL-IN,102\n")})
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION, party="REP")
    assert result.inserted == 2
    assert stored_counts(db_engine) == {("BELL", "REP", "election-day"): 1, ("BELL", "REP", "mail-in"): 1}


def test_zip_member_name_gives_method_and_as_of(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 3.1 "statewide_ed_58315_2026-05-26.zip": the zip's name may say nothing while its
    # member says ED and the date; 4 "Method: from the file/feed". Only a date after an "as of" marker
    # is the snapshot time (the bare 2026-05-26 is the election's).
    path = write_zip(tmp_path / "download.zip", {"statewide_ed_58315_asof_2026-05-26.csv": (
        f"{SOS_HEADER}\nBELL,\"A, B\",1014000001,IN-PERSON,101\n")})
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=dt.date(2026, 5, 26))
    assert result.files[0].as_of == "2026-05-26T00:00:00"
    assert stored_counts(db_engine) == {("BELL", "ALL", "election-day"): 1}
    assert source_as_of(db_engine) == [dt.datetime(2026, 5, 26)]


def test_legacy_voter_details_report_per_county(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 2.1 per-county "Voter Details Report": every field quoted, LF endings, header
    # "VOTER_NAME","ID_VOTER","VOTING_METHOD","PRECINCT", names with embedded commas/newlines; the
    # county comes from the file name.
    path = write_text(tmp_path / "Loving County EV 10-21-2024.csv",
                      '"VOTER_NAME","ID_VOTER","VOTING_METHOD","PRECINCT"\n'
                      '"DOE, JANE","1151000001","IN-PERSON","1"\n'
                      '"SMITH,\nJOHN JR","1151000002","IN-PERSON","1"\n'
                      '"ROE, ANN","1151000003","MAIL-IN","2"\n')
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=dt.date(2024, 11, 5))
    assert result.rows_read == 3 and result.inserted == 3
    assert stored_counts(db_engine) == {("LOVING", "ALL", "early-voting"): 2, ("LOVING", "ALL", "mail-in"): 1}
    assert source_as_of(db_engine) == [None]  # the name's date has no "as of" marker, the rows no vote date


def test_bulk_zip_picks_the_roster_member_by_content(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 2.1 "Statewide bulk ZIP with two CSVs": the poll-place count file beside the roster
    # may be the larger member; the roster is the one with a VUID column.
    places = "COUNTY, POLL PLACE ID, POLL PLACE NAME, VOTER COUNT\n" + "".join(
        f"LOVING,{i},COURTHOUSE ANNEX NUMBER {i},{i}\n" for i in range(200))
    path = write_zip(tmp_path / "EVR_58315_bulk.zip", {
        "58315_STATE.csv": places,
        "58315_ROSTER.csv": f"{SOS_HEADER}\nLOVING,\"A, B\",1151000001,IN-PERSON,1\n"})
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION)
    assert result.inserted == 1
    assert stored_counts(db_engine) == {("LOVING", "ALL", "early-voting"): 1}


def test_bulk_voter_state_without_county_is_refused(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 2.1 "{id}VOTER_STATE.csv (Date, VOTER_NAME, ID_VOTER, VOTING_METHOD constant GE,
    # PRECINCT)": no county column, so nothing can be stored; refused by reason, nothing written.
    path = write_zip(tmp_path / "EV_53813_bulk.zip", {
        "53813_STATE.csv": "COUNTY, POLL PLACE ID, POLL PLACE NAME, VOTER COUNT\nLOVING,1,ANNEX,1\n",
        "53813VOTER_STATE.csv": 'Date,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT\n21-OCT-24,"A, B",1151000001,GE,1\n'})
    with pytest.raises(ImportRejected) as caught:
        import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION)
    assert caught.value.reason == "no_county_column" and "VOTER_STATE" in str(caught.value)
    assert count_rows(db_engine, SourceFile) == 0 and count_rows(db_engine, TurnoutRecord) == 0


def test_voter_state_layout_dates_and_ge_method(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 2.1 VOTER_STATE columns with "Date as DD-MON-YY" and "VOTING_METHOD constant GE"
    # (in person, feed decides), here for one county named by the file.
    path = write_text(tmp_path / "Loving_53813VOTER_STATE.csv",
                      'Date,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT\n'
                      '21-OCT-24,"DOE, JANE",1151000001,GE,1\n22-OCT-24,"ROE, JOHN",1151000002,GE,2\n')
    with pytest.raises(ImportRejected) as caught:  # GE says nothing about early vs election day
        import_statewide(AppContext(db_engine, user="admin"), [path], election=dt.date(2024, 11, 5))
    assert caught.value.reason == "in_person_method" and "--in-person-method" in str(caught.value)
    import_statewide(AppContext(db_engine, user="admin"), [path], election=dt.date(2024, 11, 5),
                     in_person_method="early-voting")
    assert stored_records(db_engine) == [("1151000001", "LOVING", "early-voting", "1", dt.date(2024, 10, 21)),
                                         ("1151000002", "LOVING", "early-voting", "2", dt.date(2024, 10, 22))]


def test_empty_body_for_a_named_county_is_zero_records(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 2.2 "Empty county => HTTP 200 with an empty body": a county roster with no voters
    # is stored as a snapshot of zero records; an empty file that names no county is refused.
    empty = write_text(tmp_path / "Loving County EV 2026-02-20.csv", "\r\n")
    result = import_statewide(AppContext(db_engine, user="admin"), [empty], election=ELECTION)
    assert result.inserted == 0 and result.rows_read == 0
    assert count_rows(db_engine, SourceFile) == 1 and source_as_of(db_engine) == [None]  # no marker, no rows
    nameless = write_text(tmp_path / "download.csv", "")
    with pytest.raises(ImportRejected) as caught:
        import_statewide(AppContext(db_engine, user="admin"), [nameless], election=ELECTION)
    assert caught.value.reason == "empty" and count_rows(db_engine, SourceFile) == 1


def test_header_only_file_is_zero_records(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 2.2 an early snapshot before any ED voter (0 ED voters for Harris...): header, no rows.
    path = write_text(tmp_path / "EVR_STATEWIDE_ELECTIONDAY.csv", f"{SOS_HEADER}\n")
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION)
    assert result.inserted == 0 and result.rows_read == 0 and count_rows(db_engine, SourceFile) == 1
