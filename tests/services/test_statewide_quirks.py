"""import_statewide against the messiness of docs/data-formats.md section 4 (one test per quirk)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from turnout_desktop.db.models import AuditEvent, SourceFile, TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.errors import ImportRejected
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import import_statewide

ELECTION = dt.date(2026, 3, 3)
SOS_HEADER = "COUNTY,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT"


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))  # byte-exact: no newline translation
    return path


def stored_counts(engine: Engine) -> dict[tuple[str, str, str], int]:
    with transaction(engine) as session:
        rows = session.execute(select(TurnoutRecord.county, TurnoutRecord.party, TurnoutRecord.voting_method))
        return dict(Counter((c, p, m) for c, p, m in rows))


def stored_vuids(engine: Engine) -> list[tuple[str, str]]:
    with transaction(engine) as session:
        return sorted(tuple(r) for r in session.execute(select(TurnoutRecord.vuid, TurnoutRecord.voting_method)))


def count_rows(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-16"])
def test_encodings_and_boms(db_engine: Engine, tmp_path: Path, encoding: str) -> None:
    # docs/data-formats.md 4 "cp1252 / Latin-1; UTF-8; UTF-8 with BOM (header key starts with U+FEFF)"; the
    # BOM must not hide the COUNTY title; non-ASCII names survive.
    path = write_text(tmp_path / "EVR_STATEWIDE.csv", f"{SOS_HEADER}\r\n"
                      'LOVING,"MUÑOZ, JOSÉ",1151000001,IN-PERSON,1\r\nLOVING,"PEÑA, ANA",1151000002,MAIL-IN,1\r\n',
                      encoding)
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION)
    assert result.files[0].rows_skipped == {}
    assert stored_counts(db_engine) == {("LOVING", "ALL", "early-voting"): 1, ("LOVING", "ALL", "mail-in"): 1}


def test_crlf_stray_cr_blank_lines_and_dos_eof(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 4 "CRLF vs LF; stray CR; DOS EOF 0x1A; trailing blank lines (Montgomery)": none of
    # them is a voter, so nothing is reported skipped.
    path = write_text(tmp_path / "EVR_STATEWIDE.csv",
                      f"{SOS_HEADER}\r\nLOVING,\"A, B\",1151000001,IN-PERSON,1\r\n"
                      "LOVING,\"C, D\",1151000002,IN-PERSON,1\n\r\n\r\n\n\x1a")
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION)
    assert result.rows_read == 2 and result.inserted == 2
    assert result.files[0].rows_skipped == {}


def test_unquoted_comma_in_name_is_reported_not_lost(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 4 "Quoted fields with embedded commas (SOS names like "LAST, FIRST")": a row whose
    # name lost its quotes has one field too many; it is counted as skipped with a reason.
    path = write_text(tmp_path / "EVR_STATEWIDE.csv",
                      f"{SOS_HEADER}\nLOVING,\"A, B\",1151000001,IN-PERSON,1\n"
                      "LOVING,DOE, JANE,1151000002,IN-PERSON,1\n")
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION)
    assert result.inserted == 1 and result.rows_read == 2
    assert result.files[0].rows_skipped == {"wrong_field_count": 1}


def test_vuid_as_number_float_and_broken_forms(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 1.9/4 "strip .0; detect E+ notation; handle blank, redacted, 9-digit and composite IDs".
    rows = ["1151000001.0", "1151000002", "115100003", "1.15E+09", "", "--Redacted--", "00002_0420160812"]
    body = "".join(f"LOVING,\"V{i}, X\",{vuid},IN-PERSON,1\n" for i, vuid in enumerate(rows))
    path = write_text(tmp_path / "EVR_STATEWIDE.csv", f"{SOS_HEADER}\n{body}")
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION)
    assert stored_vuids(db_engine) == [("1151000001", "early-voting"), ("1151000002", "early-voting")]
    assert result.rows_read == 7 and result.files[0].rows_skipped == {
        "vuid_too_short": 1, "vuid_scientific_notation": 1, "vuid_blank": 1, "vuid_redacted": 1, "vuid_composite": 1}


def test_pseudo_and_unresolved_counties(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 4 "Tolerate a STATEWIDE/TOTAL pseudo-county and unresolved names like COUNTY_151":
    # pseudo rows skipped under their own reason, unresolved names as unknown_county (the project's rule,
    # see tests/ingest/interpret/test_statewide_precincts.py); MCLENNAN and "El Paso" spellings resolve.
    path = write_text(tmp_path / "EVR_STATEWIDE.csv", f"{SOS_HEADER}\n"
                      "COUNTY_151,A,1151000001,IN-PERSON,1\nEl Paso,B,1071000002,IN-PERSON,1\n"
                      "MCLENNAN,C,1161000003,IN-PERSON,1\nTOTAL,D,1999000004,IN-PERSON,\n"
                      "STATEWIDE,E,1999000005,IN-PERSON,\nATLANTIS,F,1999000006,IN-PERSON,1\n")
    result = import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION)
    assert stored_counts(db_engine) == {("EL PASO", "ALL", "early-voting"): 1, ("MCLENNAN", "ALL", "early-voting"): 1}
    assert result.files[0].rows_skipped == {"pseudo_county": 2, "unknown_county": 2}


def test_no_in_person_clue_is_refused_with_advice(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 4 "Method: from the file/feed, not the row label (SOS ED rows say IN-PERSON)":
    # no clue and no option -> refused with the --in-person-method advice; the option decides.
    path = write_text(tmp_path / "statewide_53813.csv", f"{SOS_HEADER}\nLOVING,A,1151000001,IN-PERSON,1\n")
    ctx = AppContext(db_engine, user="admin")
    with pytest.raises(ImportRejected) as caught:
        import_statewide(ctx, [path], election=ELECTION)
    assert "--in-person-method" in str(caught.value) and count_rows(db_engine, SourceFile) == 0
    import_statewide(ctx, [path], election=ELECTION, in_person_method="election-day")
    assert stored_counts(db_engine) == {("LOVING", "ALL", "election-day"): 1}


def test_in_person_rows_far_past_the_preview_still_need_a_clue(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 2.2/4 IN-PERSON needs the feed; a roster sorted MAIL-IN first shows IN-PERSON only
    # after thousands of rows: those voters must not be dropped as "unknown method" but refused whole.
    mail = "".join(f"LOVING,M{i},{1151000000 + i},MAIL-IN,1\n" for i in range(1500))
    path = write_text(tmp_path / "statewide_sorted.csv",
                      f"{SOS_HEADER}\n{mail}LOVING,P,1152000000,IN-PERSON,1\n")
    with pytest.raises(ImportRejected) as caught:
        import_statewide(AppContext(db_engine, user="admin"), [path], election=ELECTION)
    assert caught.value.reason == "in_person_method"
    assert count_rows(db_engine, SourceFile) == 0 and count_rows(db_engine, TurnoutRecord) == 0


def test_cumulative_snapshots_ev_then_ed_identity(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 4 "cumulative snapshots - loading several must not add them up"; record identity
    # (election, VUID, voting_method): repeats collapse and are counted, EV + ED of one VUID stay two.
    ctx = AppContext(db_engine, user="admin")
    day1 = write_text(tmp_path / "EVR_STATEWIDE_DEM_02-20-2026.csv",
                      f"{SOS_HEADER}\nLOVING,A,1151000001,IN-PERSON,1\nLOVING,A,1151000001,IN-PERSON,1\n")
    day2 = write_text(tmp_path / "EVR_STATEWIDE_DEM_02-21-2026.csv",
                      f"{SOS_HEADER}\nLOVING,A,1151000001,IN-PERSON,1\nLOVING,B,1151000002,IN-PERSON,1\n")
    election_day = write_text(tmp_path / "EVR_STATEWIDE_ELECTIONDAY_DEM_2026-03-04.csv",
                              f"{SOS_HEADER}\nLOVING,A,1151000001,IN-PERSON,1\n")
    first = import_statewide(ctx, [day1, day2, election_day], election=ELECTION)
    assert first.inserted == 3 and first.duplicates_collapsed == 2
    assert [f.as_of for f in first.files] == [None, None, None]  # plain name dates are no as-of
    assert stored_vuids(db_engine) == [("1151000001", "early-voting"), ("1151000001", "election-day"),
                                       ("1151000002", "early-voting")]
    events = count_rows(db_engine, AuditEvent)
    again = import_statewide(ctx, [day1, day2, election_day], election=ELECTION)
    assert again.inserted == 0 and len(again.skipped_files) == 3
    assert count_rows(db_engine, TurnoutRecord) == 3 and count_rows(db_engine, AuditEvent) == events


def test_tab_delimited_statewide(db_engine: Engine, tmp_path: Path) -> None:
    # docs/data-formats.md 4 "Delimiters: comma, TAB ... parsers also sniff for pipe".
    for delimiter, name, vuid in (("\t", "EVR_STATEWIDE_tab.txt", "1151000001"),
                                  ("|", "EVR_STATEWIDE_pipe.txt", "1151000002")):
        fields = ["LOVING", "DOE, JANE", vuid, "IN-PERSON", "1"]
        write_text(tmp_path / name, f"{SOS_HEADER.replace(',', delimiter)}\n{delimiter.join(fields)}\n")
    result = import_statewide(AppContext(db_engine, user="admin"),
                              [tmp_path / "EVR_STATEWIDE_tab.txt", tmp_path / "EVR_STATEWIDE_pipe.txt"],
                              election=ELECTION)
    assert result.inserted == 2 and stored_counts(db_engine) == {("LOVING", "ALL", "early-voting"): 2}
