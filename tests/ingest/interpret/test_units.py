"""Dates, names, column synonyms, VUID columns; Hypothesis round trips through real files."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ingest.upload_reading import read_county_upload
from turnout_desktop.ingest.interpret.dates import datetime_from_name, parse_date_value
from turnout_desktop.ingest.interpret.filenames import county_from_name, superseded_by_updates
from turnout_desktop.ingest.interpret.mapping import count_field, map_header, roster_field
from turnout_desktop.ingest.interpret.normalize import normalize_vuids


def test_dates() -> None:
    assert [parse_date_value(v) for v in ["10/30/2020", "2020-10-30", "30-OCT-20", "10/30/2020 17:42", 44134.0,
                                          "20201030", dt.datetime(2020, 10, 30, 8), "received", None]] == [
        dt.date(2020, 10, 30)] * 7 + [None, None]
    assert datetime_from_name("EV DEM Roster March 3, 2026 (Cumulative)_20260227070116.xlsx") == dt.datetime(
        2026, 2, 27, 7, 1, 16)
    assert datetime_from_name("Early-Voting-Roster-July-20-2026.csv") == dt.datetime(2026, 7, 20)
    assert datetime_from_name("3.02.2026 Ballot By Mail.xlsx") == dt.datetime(2026, 3, 2)
    assert datetime_from_name("Cumulative_BBM_1126.zip") is None


def test_names() -> None:
    assert county_from_name("Harris County EV.csv") == "HARRIS"
    assert county_from_name("El_Paso_Received_Ballots.csv") == "EL PASO"
    assert county_from_name("Cumulative_BBM_1126.zip") is None
    assert superseded_by_updates(["a.xlsx", "a_UPDATED.xlsx", "b.xlsx"]) == {"a.xlsx": "a_UPDATED.xlsx"}


def test_synonyms_never_take_the_county_id() -> None:
    for title in ["VUID", "VUIDNO", "ID_VOTER", "SOS Voter ID", "SOS_VoterID", "StateVoterID", "STATE VOTER ID",
                  "State ID", "Voter ID", "VoterUID", "CERT", "Certificate", "CertificateNumber", "\ufeffVUID"]:
        assert roster_field(title) == "vuid", title
    for title in ["ID Number", "IDNumber", "ID_NUMBER", "idnumber", "ID", "COUNTY VOTER ID"]:
        assert roster_field(title) is None, title
    assert map_header(["ID", "IDNumber", "CERT", "PCTCOD", "Vote_Type", "Return Date"]) == {
        "vuid": 2, "precinct": 3, "voting_method": 4, "vote_date": 5}
    assert [count_field(t) for t in ["Registered Voters", "# In Person On 10/30/2020", "Cumulative In-Person Voters",
                                     "Cumulative % In-Person", "Cumulative By Mail Voters",
                                     "Cumulative In-Person And Mail Voters", "Election Day", "roster_mail"]] == [
        None, None, "early-voting", None, "mail-in", "TOTAL", "election-day", None]


def test_vuid_column_fast_and_slow_paths() -> None:
    column = normalize_vuids(["1234567890", 1234567890.0, "1.23457E+09", "123456789", None, "0123456789.0"])
    assert column.vuids == ["1234567890", "1234567890", None, None, None, "0123456789"]
    assert column.codes == [None, "vuid_repaired_float", "vuid_scientific_notation", "vuid_too_short", "vuid_blank",
                            "vuid_repaired_float"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.from_regex(r"\A[0-9]{10}\Z", fullmatch=True), min_size=1, max_size=5, unique=True))
def test_any_ten_digit_vuid_survives_csv_and_xlsx(vuids: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "Loving County EV.csv"
        csv_path.write_text("VUID\n" + "\n".join(vuids) + "\n", encoding="utf-8")
        xlsx_path = Path(folder) / "Loving County EV.xlsx"
        book = xlsxwriter.Workbook(str(xlsx_path))
        sheet = book.add_worksheet("REP")
        sheet.write_string(0, 0, "VUID")
        for row, vuid in enumerate(vuids, start=1):
            sheet.write_string(row, 0, vuid)
        book.close()
        for path in (csv_path, xlsx_path):
            upload = read_county_upload([path], party="REP")
            assert upload.rows["vuid"].tolist() == vuids
            assert upload.problems == [] or all(not p.blocking for p in upload.problems)
