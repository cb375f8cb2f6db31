"""Statewide roster streaming and precinct maps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tests.ingest.conftest import write_text, write_xlsx
from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.interpret.precincts import read_precincts
from turnout_desktop.ingest.interpret.statewide import read_statewide

ELECTION = dt.date(2026, 5, 26)
SOS_ROWS = ["COUNTY,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT",
            'HARRIS,"DOE, JANE",1000000001,IN-PERSON,0070',
            'DEWITT,"ROE, JOHN",1000000002,MAIL-IN,101',
            'LASALLE,"X, Y",123456789,IN-PERSON,1',
            'COUNTY_151,"X, Z",1000000004,IN-PERSON,1',
            'La Salle,"Q, R",1000000005,IN-PERSON,2']


def _all(file: object) -> pd.DataFrame:
    return pd.concat(list(file.chunks()), ignore_index=True)


def test_sos_ev_roster_in_chunks(tmp_path: Path) -> None:
    path = write_text(tmp_path / "EVR_STATEWIDE_REP_20260522093000.csv", SOS_ROWS)
    file = read_statewide(path, election=ELECTION, chunk_rows=2)
    chunks = list(file.chunks())
    assert len(chunks) == 3
    frame = pd.concat(chunks, ignore_index=True)
    assert frame.to_dict("records") == [
        {"vuid": "1000000001", "county": "HARRIS", "party": "REP", "voting_method": "early-voting",
         "precinct": "0070", "vote_date": None, "district": None},
        {"vuid": "1000000002", "county": "DEWITT", "party": "REP", "voting_method": "mail-in",
         "precinct": "101", "vote_date": None, "district": None},
        {"vuid": "1000000005", "county": "LASALLE", "party": "REP", "voting_method": "early-voting",
         "precinct": "2", "vote_date": None, "district": None}]
    assert file.rows_read == 5
    assert dict(file.skipped) == {"vuid_too_short": 1, "unknown_county": 1}
    assert file.as_of is None  # a stamp without an "as of" marker is no snapshot time; no vote dates
    assert file.layout["mapping"] == {"vuid": "ID_VOTER", "county": "COUNTY", "voting_method": "VOTING_METHOD",
                                      "precinct": "PRECINCT"}
    assert len(file.sha256) == 64 and file.size == path.stat().st_size


def test_in_person_needs_a_clue(tmp_path: Path) -> None:
    path = write_text(tmp_path / "statewide.csv", SOS_ROWS)
    with pytest.raises(ImportRejected) as caught:
        read_statewide(path, election=ELECTION)
    assert caught.value.reason == "in_person_method" and "--in-person-method" in str(caught.value)
    file = read_statewide(path, election=ELECTION, party="DEM", in_person_method="election-day")
    assert _all(file)["voting_method"].tolist() == ["election-day", "mail-in", "election-day"]
    ed = read_statewide(write_text(tmp_path / "statewide_ELECTIONDAY.csv", SOS_ROWS), election=ELECTION)
    assert _all(ed)["voting_method"].iloc[0] == "election-day"


def test_civix_and_canonical_layouts(tmp_path: Path) -> None:
    civix = write_text(tmp_path / "EV roster.csv", ["tx_county_name, voter_name, id_voter, voting_method, "
                                                    "tx_precinct_code", "Travis, A, 2000000001, IN-PERSON, 267"])
    assert _all(read_statewide(civix, election=ELECTION)).iloc[0].to_dict() == {
        "vuid": "2000000001", "county": "TRAVIS", "party": "ALL", "voting_method": "early-voting",
        "precinct": "267", "vote_date": None, "district": None}
    canonical = write_text(tmp_path / "canonical.csv", [
        "VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE,DISTRICT",
        "0123456789,BEXAR,DEM,early-voting,1001,2026-05-18,CD20",
        "0123456790,BEXAR,REP,election-day,1002,05/26/2026,"])
    frame = _all(read_statewide(canonical, election=ELECTION))
    assert frame["vuid"].tolist() == ["0123456789", "0123456790"]
    assert frame["party"].tolist() == ["DEM", "REP"]
    assert frame["vote_date"].tolist() == [dt.date(2026, 5, 18), dt.date(2026, 5, 26)]
    assert frame["district"].tolist() == ["CD20", None]


def test_per_county_details_report_takes_county_from_name(tmp_path: Path) -> None:
    path = write_text(tmp_path / "Loving_EV_details.csv", ['"VOTER_NAME","ID_VOTER","VOTING_METHOD","PRECINCT"',
                                                           '"A, B","1000000099","IN-PERSON","1"'])
    frame = _all(read_statewide(path, election=ELECTION))
    assert frame[["county", "voting_method"]].values.tolist() == [["LOVING", "early-voting"]]


def test_read_precincts(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "precincts.xlsx", {"Map": [["Precinct map"], ["County", "Precinct", "District"],
                                                            ["DeWitt", "0101", "CD27"], ["Harris", 70, "CD18"],
                                                            ["Harris", 70, "CD18"], ["Nowhere", "1", "X"]]})
    assert read_precincts(path) == [("DEWITT", "0101", "CD27"), ("HARRIS", "70", "CD18")]
    with pytest.raises(ImportRejected):
        read_precincts(write_text(tmp_path / "bad.csv", ["a,b", "1,2"]))
