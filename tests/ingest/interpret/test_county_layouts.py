"""County layouts of docs/data-formats.md section 1 and quirks of section 4, written the way each county writes them."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from tests.ingest.conftest import counts_of, problem_tuples, write_text, write_xlsx
from tests.ingest.upload_reading import read_county_upload


def _nonzero(upload: object) -> dict[tuple[str, str, str], int]:
    return {key: value for key, value in counts_of(upload).items() if value}


def test_travis_bbm_banner_names_the_county_and_header_on_row_5(tmp_path: Path) -> None:
    # docs/data-formats.md 1.1 "Banner: 3-4 title rows ("Travis County <method> Roster" ...), then the header on
    # row 4 or 5"; header variant `Precinct, VUID, Voter Name`; sheets `Democrat` / `Republican`.
    banner = [["Travis County Ballot By Mail Roster"], ["10/20/2024"], ["Democratic Primary"],
              ["March 5, 2024 Primary Election"], ["Precinct", "VUID", "Voter Name"]]
    path = write_xlsx(tmp_path / "10.21.2024 Ballot by Mail.xlsx", {
        "Democrat": [*banner, ["101", "1000000001", "SMITH,JOHN A"], ["102", "1000000002", "DOE,JANE"]],
        "Republican": [*banner, ["103", "2000000001", "ROE,RICK"]]})
    upload = read_county_upload([path])  # no --county: the banner names it
    assert _nonzero(upload) == {("TRAVIS", "DEM", "mail-in"): 2, ("TRAVIS", "DEM", "TOTAL"): 2,
                                ("TRAVIS", "REP", "mail-in"): 1, ("TRAVIS", "REP", "TOTAL"): 1}
    assert problem_tuples(upload.problems) == [
        ("banner_skipped", "Democrat", 1, None, "Travis County Ballot By Mail Roster", False),
        ("banner_skipped", "Republican", 1, None, "Travis County Ballot By Mail Roster", False)]
    assert upload.ready
    assert [(x.sheet, x.header_row) for x in upload.files[0].layouts] == [("Democrat", 5), ("Republican", 5)]
    assert upload.rows["vote_date"].map(str).tolist() == ["2024-10-21"] * 3  # daily file: the file-name date


def test_travis_election_day_sheet_named_earlyvote(tmp_path: Path) -> None:
    # docs/data-formats.md 1.1 "Sheet names are not reliable for the method (a G25 Election Day sheet is named
    # `EarlyVote`)"; header `VUID, Last Name, First Name, PCT` (G25 onward).
    path = write_xlsx(tmp_path / "11.04.2025 Election Day.xlsx", {"EarlyVote": [
        ["Travis County Election Day Roster"], ["11/4/2025"], ["Constitutional Amendment Election"],
        ["VUID", "Last Name", "First Name", "PCT"], ["1000000001", "B", "A", "101"], ["1000000002", "D", "C", "102"]]})
    upload = read_county_upload([path], election=dt.date(2025, 11, 4))
    assert _nonzero(upload) == {("TRAVIS", "ALL", "election-day"): 2, ("TRAVIS", "ALL", "TOTAL"): 2}
    assert problem_tuples(upload.problems) == [
        ("banner_skipped", "EarlyVote", 1, None, "Travis County Election Day Roster", False),
        ("party_assumed_all", "EarlyVote", None, None, None, False)]
    # The election date is the vote day of an election-day roster.
    assert upload.rows["vote_date"].map(str).tolist() == ["2025-11-04"] * 2


def test_travis_suspense_footer_is_not_compared_with_the_rows(tmp_path: Path) -> None:
    # docs/data-formats.md 4 "Footer rows: `Total Voters / Total Suspense / ...` (Travis L25)".
    path = write_xlsx(tmp_path / "11.01.2025 Early Vote.xlsx", {"Sheet1": [
        ["VUID", "PCT"], ["1000000001", "101"], ["1000000002", "102"], ["Total Voters", 2], ["Total Suspense", 1]]})
    upload = read_county_upload([path], county="Travis", party="ALL")
    assert _nonzero(upload) == {("TRAVIS", "ALL", "early-voting"): 2, ("TRAVIS", "ALL", "TOTAL"): 2}
    assert problem_tuples(upload.problems) == [
        ("footer_total", "Sheet1", 4, None, "2", False),
        ("footer_skipped", "Sheet1", 5, None, "Total Suspense", False)]


def test_tarrant_p24_ev_header_with_blank_first_titles(tmp_path: Path) -> None:
    # docs/data-formats.md 1.2 "P24 EV header is damaged (first four titles blank)"; Latin-1 TAB text, `ID Number`
    # is the county id, EV files have no date column.
    header = ["", "", "", "", "Middlename", "Lastname", "Precinct", "Precinct Subcode", "Party of Ballot Issued"]
    lines = ["\t".join(header),
             "\t".join(["1000000001", "123456", "JOSÉ A PEÑA", "JOSÉ", "A", "PEÑA", "1001", "01", "DEM"]),
             "\t".join(["1000000002", "123457", "ANN B LEE", "ANN", "B", "LEE", "1002", "", "REP"]),
             "\t".join(["--Redacted--", "123458", "--Redacted--", "", "", "", "1003", "", "REP"])]
    path = write_text(tmp_path / "ev_vtrex_tc.txt", lines, encoding="latin-1", newline="\r\n")
    upload = read_county_upload([path], county="Tarrant")
    assert _nonzero(upload) == {("TARRANT", "DEM", "early-voting"): 1, ("TARRANT", "DEM", "TOTAL"): 1,
                                ("TARRANT", "REP", "early-voting"): 1, ("TARRANT", "REP", "TOTAL"): 1}
    assert problem_tuples(upload.problems) == [
        ("encoding_fallback", None, None, None, "cp1252", False),
        ("header_vuid_inferred", None, 1, None, "column 1", False),
        ("vuid_redacted", None, 4, "", "--Redacted--", True)]
    assert upload.rows["vuid"].tolist() == ["1000000001", "1000000002", None]  # never the ID Number
    assert upload.rows["vote_date"].tolist() == [None, None, None]


def test_tarrant_p26_trailing_certificate_column_and_npa_party(tmp_path: Path) -> None:
    # docs/data-formats.md 1.2 layout 2 "from P26 extra mostly-empty trailing columns (`Zip4`, `Certificate`, ...)";
    # "`Party of Ballot Issued` is mostly `NPA` (also `Npa`); the real party comes only from the `_Dem`/`_Rep`
    # file name"; one file per party in the ZIP.
    header = "SOS Voter ID\tName\tPrecinct\tParty of Ballot Issued\tZip4\tCertificate\tVoter_Name"
    dem = [header, "1000000001\tPEÑA, JOSÉ\t100101\tNPA\t\t\t", "1000000002\tLEE, ANN\t100102\tNpa\t\t\t"]
    rep = [header, "2000000001\tROE, RICK\t100201\tNPA\t\t\t"]
    archive = tmp_path / "Early_voting_in_person_report_Redacted.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Early_voting_in_person_report_Redacted_Dem.txt", "\r\n".join(dem).encode("cp1252"))
        zipped.writestr("Early_voting_in_person_report_Redacted_Rep.txt", "\r\n".join(rep).encode("cp1252"))
    upload = read_county_upload([archive], county="Tarrant")
    assert _nonzero(upload) == {("TARRANT", "DEM", "early-voting"): 2, ("TARRANT", "DEM", "TOTAL"): 2,
                                ("TARRANT", "REP", "early-voting"): 1, ("TARRANT", "REP", "TOTAL"): 1}
    assert [(p.code, p.file) for p in upload.problems] == [  # only the Dem file holds non-ASCII names
        ("encoding_fallback", f"{archive.name}/Early_voting_in_person_report_Redacted_Dem.txt")]
    assert upload.ready
    assert {x.mapping["vuid"] for f in upload.files for x in f.layouts} == {"SOS Voter ID"}


def test_hidalgo_cumulative_name_date_is_not_a_vote_date(tmp_path: Path) -> None:
    # docs/data-formats.md 1.5 `2024 Primary EV REP (Cumulative)_202403020808348828.csv`; `ID` is the county id, `CERT`
    # the VUID; 4 "Daily vs cumulative ... Hidalgo ... cumulative snapshots".
    header = "ID,CERT,LASTNAME,FIRSTNAME,MIDDLENAME,SUFFIX,ADDRESS,PRECINCT,SITE,BALLOT STYLE,PARTY"
    lines = [header, '123,1000000001,A,B,,,"1 St, MISSION 78572",128.01,EV-1,BS 3,R',
             '124,1000000002,C,D,,JR,"2 St, MISSION 78572",128.02,EV-1,BS 3,R']
    path = write_text(tmp_path / "2024 Primary EV REP (Cumulative)_202403020808348828.csv", lines)
    upload = read_county_upload([path], county="Hidalgo")
    assert _nonzero(upload) == {("HIDALGO", "REP", "early-voting"): 2, ("HIDALGO", "REP", "TOTAL"): 2}
    assert upload.problems == []
    assert upload.rows["vuid"].tolist() == ["1000000001", "1000000002"]
    assert upload.rows["vote_date"].tolist() == [None, None]  # the stamp is the posting time, not a vote day


def test_harris_cumulative_snapshot_date(tmp_path: Path) -> None:
    # docs/data-formats.md 1.3 "Older daily snapshots `Cumulative_EV_1121_10-29-21.csv`" (cumulative: the date is the
    # snapshot's, not the rows' vote day); combined parties in one file.
    path = write_text(tmp_path / "Cumulative_EV_1121_10-29-21.csv", ["VUID,Precinct", "1000000001,0070",
                                                                       "1000000002,0071"])
    upload = read_county_upload([path], county="Harris", election=dt.date(2021, 11, 2))
    assert _nonzero(upload) == {("HARRIS", "ALL", "early-voting"): 2, ("HARRIS", "ALL", "TOTAL"): 2}
    assert problem_tuples(upload.problems) == [("party_assumed_all", None, None, None, None, False)]
    assert upload.rows["vote_date"].tolist() == [None, None]
    assert upload.rows["precinct"].tolist() == ["0070", "0071"]


def test_galveston_name_with_election_date_and_receipt_day(tmp_path: Path) -> None:
    # docs/data-formats.md 1.6 Galveston `NOV-3-2026-BALLOTS-RECEIVED-10.7.csv`; 4 "File-name dates: ... `10.7`".
    path = write_text(tmp_path / "NOV-3-2026-BALLOTS-RECEIVED-10.7.csv", ["VUID,Name", "1000000001,\"A, B\""])
    upload = read_county_upload([path], county="Galveston", election=dt.date(2026, 11, 3))
    assert _nonzero(upload) == {("GALVESTON", "ALL", "mail-in"): 1, ("GALVESTON", "ALL", "TOTAL"): 1}
    assert upload.rows["vote_date"].map(str).tolist() == ["2026-10-07"]


def test_file_name_date_typo_year_is_repaired(tmp_path: Path) -> None:
    # docs/data-formats.md 4 "typos (`02.26.2027` in a 2026 election, `9.25.25`, `nov-3rd-2025-...-10.8.26`)".
    typo = write_text(tmp_path / "02.26.2027 Early Vote.xlsx.csv", ["VUID", "1000000001"])
    late = write_text(tmp_path / "nov-3rd-2025-ballots-recevied-10.8.26.csv", ["VUID", "1000000002"])
    upload = read_county_upload([typo], county="Travis", election=dt.date(2026, 3, 3), party="DEM")
    assert upload.rows["vote_date"].map(str).tolist() == ["2026-02-26"]
    upload = read_county_upload([late], county="Galveston", election=dt.date(2025, 11, 4))
    assert upload.rows["vote_date"].map(str).tolist() == ["2025-10-08"]
    assert upload.rows["voting_method"].tolist() == ["mail-in"]


def test_brazoria_in_person_on_election_day_is_election_day(tmp_path: Path) -> None:
    # docs/data-formats.md 1.6 Brazoria `2026-03-03-IN PERSON-REP`: on the election date IN PERSON is election day;
    # the task brief: "IN-PERSON meaning early voting in an EV file and election day in an ED file".
    on_day = write_text(tmp_path / "2026-03-03-IN PERSON-REP.csv", ["VUID,Name", "1000000001,A"])
    before = write_text(tmp_path / "2026-02-20-IN PERSON-REP.csv", ["VUID,Name", "1000000002,B"])
    mail = write_text(tmp_path / "2026-02-20-MAIL-DEM.csv", ["VUID,Name", "1000000003,C"])
    upload = read_county_upload([on_day, before, mail], county="Brazoria", election=dt.date(2026, 3, 3))
    assert _nonzero(upload) == {("BRAZORIA", "REP", "election-day"): 1, ("BRAZORIA", "REP", "early-voting"): 1,
                                ("BRAZORIA", "REP", "TOTAL"): 2, ("BRAZORIA", "DEM", "mail-in"): 1,
                                ("BRAZORIA", "DEM", "TOTAL"): 1}
    assert upload.problems == []
    assert upload.rows["vote_date"].map(str).tolist() == ["2026-03-03", "2026-02-20", "2026-02-20"]


def test_county_abbreviated_co_in_file_name(tmp_path: Path) -> None:
    # Known gap: ambiguous county words (Real, King, Hall) are trusted only as "<name> County" - also "Co".
    king = write_text(tmp_path / "King Co EV 10.30.2026.csv", ["VUID", "1000000001"])
    upload = read_county_upload([king])
    assert _nonzero(upload) == {("KING", "ALL", "early-voting"): 1, ("KING", "ALL", "TOTAL"): 1}
    real = write_text(tmp_path / "Real_EV_10.30.2026.csv", ["VUID", "1000000002"])
    assert [p.code for p in read_county_upload([real]).problems] == ["unknown_county", "party_assumed_all"]


def test_precinct_that_excel_turned_into_a_date_is_reported_not_guessed(tmp_path: Path) -> None:
    # docs/data-formats.md 4 "Excel turns `1-4` into `1-Apr`": kept as read, reported (not blocking) with its row.
    path = write_xlsx(tmp_path / "Loving roster EV REP.xlsx", {"Roster": [
        ["VUID", "Precinct"], ["1000000001", "101"], ["1000000002", dt.datetime(2026, 4, 1)]]})
    upload = read_county_upload([path], election=dt.date(2026, 3, 3))
    assert [(p.code, p.row, p.column, p.blocking) for p in upload.problems] == [
        ("precinct_is_date", 3, "Precinct", False)]
    assert upload.rows["precinct"].tolist() == ["101", "2026-04-01"] and upload.ready


def test_mail_request_export_says_which_ballot_statuses_it_counted(tmp_path: Path) -> None:
    # docs/data-formats.md 1.2 "mail has Request Date, Print Date, Return_Status Code (OK, NT, NC, ...; undocumented;
    # rows include non-accepted ballots)": nothing dropped on a guess, the clerk is told the statuses.
    lines = ["SOS Voter ID\tID Number\tName\tRequest Date\tReturn_Status Code",
             "1000000001\t77\tDOE, JANE\t01/10/2026\tOK", "1000000002\t78\tROE, RICH\t01/11/2026\tOK",
             "1000000003\t79\tPOE, ANN\t01/12/2026\tNT", "1000000004\t80\tLOE, BO\t01/12/2026\t"]
    path = write_text(tmp_path / "a_reqexp_tc_Rep.txt", lines, encoding="cp1252")
    upload = read_county_upload([path], county="Tarrant", election=dt.date(2026, 3, 3))
    assert counts_of(upload)[("TARRANT", "REP", "mail-in")] == 4
    assert [(p.code, p.column, p.value, p.blocking) for p in upload.problems] == [
        ("mail_status_counted", "Return_Status Code", "OK 2, (blank) 1, NT 1", False)]
    assert upload.ready
