"""County roster files with the real quirks of docs/data-formats.md section 4, exact counts and problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.conftest import counts_of, problem_tuples, write_text, write_xlsx
from tests.ingest.upload_reading import read_county_upload
from turnout_desktop.errors import ImportRejected

TRAVIS_DEM = [["Travis County Early Vote Roster"], ["10/30/2020"], ["Democratic Primary"], [],
              ["VUID", "Precinct", "First Name", "Last Name"],
              ["1000000001", "0101", "A", "B"], [1000000002, "0102", "C", "D"], [],
              ["1.23457E+09", "0103", "E", "F"], ["1000000001", "0101", "A", "B"], ["Total Voters: 4"]]
TRAVIS_REP = [["Travis County Early Vote Roster"], ["VUID", "PCT", "First Name", "Last Name"],
              ["2000000001", "0201", "G", "H"], ["114229866", "0202", "I", "J"],
              ["00002_0420160812", "", "K", "L"], ["Total", 5]]


def test_travis_banner_party_sheets_footer_and_updated_correction(tmp_path: Path) -> None:
    original = write_xlsx(tmp_path / "10.30.2020 Early Vote.xlsx", {"Democratic": [["VUID"], ["1999999999"]]})
    updated = write_xlsx(tmp_path / "10.30.2020 Early Vote_Updated.xlsx",
                         {"Democratic": TRAVIS_DEM, "Republican": TRAVIS_REP})
    upload = read_county_upload([original, updated], county="Travis")
    assert upload.kind == "roster"
    assert counts_of(upload) == {
        ("TRAVIS", "DEM", "early-voting"): 2, ("TRAVIS", "DEM", "election-day"): 0,
        ("TRAVIS", "DEM", "mail-in"): 0, ("TRAVIS", "DEM", "TOTAL"): 2,
        ("TRAVIS", "REP", "early-voting"): 1, ("TRAVIS", "REP", "election-day"): 0,
        ("TRAVIS", "REP", "mail-in"): 0, ("TRAVIS", "REP", "TOTAL"): 1,
    }
    name = updated.name
    assert problem_tuples(upload.problems) == [
        ("file_superseded", None, None, None, name, False),
        ("banner_skipped", "Democratic", 1, None, "Travis County Early Vote Roster", False),
        ("blank_row", "Democratic", 8, None, None, False),
        ("vuid_repaired_float", "Democratic", 7, "VUID", "1000000002.0", False),
        ("vuid_scientific_notation", "Democratic", 9, "VUID", "1.23457E+09", True),
        ("footer_total", "Democratic", 11, None, "4", False),
        ("banner_skipped", "Republican", 1, None, "Travis County Early Vote Roster", False),
        ("vuid_too_short", "Republican", 4, "VUID", "114229866", True),
        ("vuid_composite", "Republican", 5, "VUID", "00002_0420160812", True),
        ("footer_total_mismatch", "Republican", 6, None, "5", False),
        ("duplicate_row", "Democratic", 10, None, "1000000001", False),
    ]
    assert not upload.ready
    rows = upload.rows
    assert rows["row_no"].tolist() == [6, 7, 9, 10, 3, 4, 5]
    assert rows["vuid"].tolist()[:2] == ["1000000001", "1000000002"]
    assert rows["precinct"].tolist()[:2] == ["0101", "0102"]
    assert set(rows["voting_method"]) == {"early-voting"}
    assert str(rows["vote_date"].iloc[0]) == "2020-10-30"  # the file-name date
    layouts = upload.files[0].layouts
    assert [(x.sheet, x.header_row, x.mapping) for x in layouts] == [
        ("Democratic", 5, {"vuid": "VUID", "precinct": "Precinct"}),
        ("Republican", 2, {"vuid": "VUID", "precinct": "PCT"})]


def test_tarrant_tsv_cp1252_sos_voter_id_not_id_number_npa_party_from_file_name(tmp_path: Path) -> None:
    lines = ["SOS Voter ID\tID Number\tName\tPrecinct\tParty of Ballot Issued",
             "1000000011\t555\tPeña, José\t100101\tNPA",
             "1000000012\t556\tROE, JOHN\t100102\tNpa",
             "--Redacted--\t557\t--Redacted--\t100103\tNPA",
             "1000000014\t558\tDOE, A\t100104\tREP"]
    path = write_text(tmp_path / "Early_voting_in_person_report_Redacted_Dem.txt", lines, encoding="cp1252",
                      newline="\r\n")
    upload = read_county_upload([path], county="TARRANT")
    counts = counts_of(upload)
    assert counts[("TARRANT", "DEM", "early-voting")] == 2
    assert counts[("TARRANT", "REP", "early-voting")] == 1
    assert counts[("TARRANT", "DEM", "TOTAL")] == 2
    assert upload.files[0].layouts[0].mapping == {"vuid": "SOS Voter ID", "party": "Party of Ballot Issued",
                                                  "precinct": "Precinct"}
    assert problem_tuples(upload.problems) == [
        ("encoding_fallback", None, None, None, "cp1252", False),
        ("vuid_redacted", None, 4, "SOS Voter ID", "--Redacted--", True),
    ]
    assert upload.rows["precinct"].tolist()[0] == "100101"


def test_harris_bbm_csv_blank_state_voter_id(tmp_path: Path) -> None:
    lines = ["Name,VoterAddress,VoterCity,VoterZIP,StateVoterID,IDNumber,Precinct,ActivityDate",
             '"DOE, JANE MARIE",1 MAIN ST,HOUSTON,77002,1000000021,9001,0070,10/14/2026',
             '"ROE, JOHN",2 MAIN ST,HOUSTON,77002,,9002,0071,10/15/2026',
             '"POE, ANN",3 MAIN ST,HOUSTON,77002,1000000023,9003,0070,10/15/2026']
    path = write_text(tmp_path / "Cumulative_BBM_1126.csv", lines)
    upload = read_county_upload([path], county="Harris", party="ALL")
    assert counts_of(upload)[("HARRIS", "ALL", "mail-in")] == 2
    assert counts_of(upload)[("HARRIS", "ALL", "early-voting")] == 0
    assert problem_tuples(upload.problems) == [("vuid_blank", None, 3, "StateVoterID", "", True)]
    assert [str(d) for d in upload.rows["vote_date"]] == ["2026-10-14", "2026-10-15", "2026-10-15"]
    assert upload.rows["precinct"].tolist() == ["0070", "0071", "0070"]


def test_hidalgo_cert_is_the_vuid_not_id(tmp_path: Path) -> None:
    lines = ["ID,CERT,LASTNAME,FIRSTNAME,CHECK-IN,PRECINCT,SITE,BALLOT STYLE,PARTY",
             "77,1000000031,A,B,5/20/2024 17:42,128.01,EV-1,BS 2,D",
             "78,1000000032,C,D,5/21/2024 9:05,128.02,EV-1,BS 3,R"]
    path = write_text(tmp_path / "2024 Primary EV (Cumulative)_202403020808348828.csv", lines)
    upload = read_county_upload([path], county="Hidalgo")
    assert upload.files[0].layouts[0].mapping["vuid"] == "CERT"
    assert upload.files[0].layouts[0].mapping["party"] == "PARTY"
    assert counts_of(upload)[("HIDALGO", "DEM", "early-voting")] == 1
    assert counts_of(upload)[("HIDALGO", "REP", "early-voting")] == 1
    assert upload.problems == []
    assert upload.rows["precinct"].tolist() == ["128.01", "128.02"]
    assert str(upload.rows["vote_date"].iloc[0]) == "2024-05-20"


def test_montgomery_codes_eof_byte_duplicates(tmp_path: Path) -> None:
    lines = ["VUID,Vote Type,DateVoted,LastName,FirstName,Voting_Precinct",
             "1000000041,E,rec'd,A,B,101", "1000000042,A,rec'd,C,D,102", "1000000041,E,rec'd,A,B,101",
             "1000000042,E,rec'd,C,D,102", "1000000043,E,other,E,F,103", "1000000043,E,note,E,F,103",
             ",E,rec'd,G,H,104", "1000000044,L,rec'd,I,J,105"]
    path = write_text(tmp_path / "GEN110320_10.09.2020.csv", lines, newline="\r\n", tail=b"\r\n\r\n\x1a")
    upload = read_county_upload([path], county="Montgomery", party="ALL")
    counts = counts_of(upload)
    # L (a limited ballot cast in person) in a sheet whose other in-person codes are all early voting.
    assert counts[("MONTGOMERY", "ALL", "early-voting")] == 4
    assert counts[("MONTGOMERY", "ALL", "mail-in")] == 1
    assert counts[("MONTGOMERY", "ALL", "TOTAL")] == 5
    assert [(p.code, p.row, p.value, p.blocking) for p in upload.problems] == [
        ("vuid_blank", 8, "", True),
        ("in_person_method_inferred", None, "L", False),
        ("duplicate_row", 4, "1000000041", False),
        ("duplicate_vuid_methods", 5, "1000000042", True),
        ("duplicate_vuid_same_method", 7, "1000000043", False),
    ]
    assert str(upload.rows["vote_date"].iloc[0]) == "2020-10-09"


def test_rows_of_another_county_and_unknown_county_block(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "roster.xlsx", {"EV": [["VUID", "County", "Party", "Method"],
                                                        ["1000000051", "DeWitt", "REP", "EV"],
                                                        ["1000000052", "Harris", "REP", "EV"],
                                                        ["1000000053", "COUNTY_151", "REP", "BBM"]]})
    upload = read_county_upload([path], county="DE WITT")
    assert [(p.code, p.row, p.value, p.blocking) for p in upload.problems] == [
        ("unknown_county", 4, "COUNTY_151", True), ("other_county", 3, "Harris", True)]
    assert counts_of(upload)[("DEWITT", "REP", "early-voting")] == 1


def test_explicit_mapping_wins(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "odd.xlsx", {"Sheet1": [["Voter ID", "Ballot Style", "Precinct"],
                                                         ["1000000061", "Democratic", "1"]]})
    upload = read_county_upload([path], county="Bexar", method="mail-in",
                                mapping={"vuid": "Voter ID", "party": "Ballot Style"})
    assert counts_of(upload)[("BEXAR", "DEM", "mail-in")] == 1
    assert upload.files[0].layouts[0].mapping == {"vuid": "Voter ID", "party": "Ballot Style",
                                                  "precinct": "Precinct"}


def test_no_header_is_rejected_with_location(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "names.xlsx", {"List": [["Name", "Address"], ["A", "B"]]})
    with pytest.raises(ImportRejected) as caught:
        read_county_upload([path], county="Bexar")
    assert caught.value.reason == "no_vuid_column"
    assert (caught.value.file, caught.value.sheet) == ("names.xlsx", "List")


def test_unknown_method_without_any_clue_blocks(tmp_path: Path) -> None:
    path = write_text(tmp_path / "roster.csv", ["VUID,Precinct", "1000000071,1"])
    upload = read_county_upload([path], county="Bexar")
    assert [(p.code, p.row, p.blocking) for p in upload.problems] == [
        ("party_assumed_all", None, False), ("unknown_method", None, True)]
    assert read_county_upload([path], county="Bexar", method="ED", party="REP").ready
