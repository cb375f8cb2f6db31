"""Summary uploads (real SOS files included) and the ``turnout precheck`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ingest.conftest import REAL_DATA, counts_of, problem_tuples, write_text, write_xlsx
from tests.ingest.upload_reading import read_county_upload
from turnout_desktop.cli.cmd_precheck import precheck_json
from turnout_desktop.cli.common import json_ready
from turnout_desktop.cli.main import main
from turnout_desktop.services.precheck import precheck_upload

SOS_XLSX = REAL_DATA / "sos_ev_turnout_by_county_2020G_daily.xlsx"


def _totals(counts: dict[tuple[str, str, str], int]) -> dict[str, int]:
    result: dict[str, int] = {}
    for (_county, _party, method), number in counts.items():
        result[method] = result.get(method, 0) + number
    return result


def test_real_sos_daily_workbook_latest_sheet_wins() -> None:
    upload = read_county_upload([SOS_XLSX])
    assert upload.kind == "summary"
    counts = counts_of(upload)
    assert counts[("HARRIS", "ALL", "early-voting")] == 1_265_359
    assert counts[("HARRIS", "ALL", "mail-in")] == 171_167
    assert counts[("HARRIS", "ALL", "election-day")] == 0
    assert counts[("HARRIS", "ALL", "TOTAL")] == 1_436_526
    assert len(counts) == 254 * 4
    assert _totals(counts) == {"early-voting": 8_745_958, "election-day": 0, "mail-in": 973_143,
                               "TOTAL": 9_719_101}
    layouts = {x.sheet: x for x in upload.files[0].layouts}
    assert len(layouts) == 27
    assert layouts["Oct-24"].header_row == 87  # 86 blank rows above the header
    assert layouts["Oct-30"].mapping == {"county": "County", "early-voting": "Cumulative In-Person Voters",
                                         "mail-in": "Cumulative By Mail Voters",
                                         "TOTAL": "Cumulative In-Person And Mail Voters",
                                         "in-person-on-date": "# In Person On 10/30/2020"}
    codes = [(p.code, p.sheet) for p in upload.problems]
    assert codes.count(("summary_sheet_superseded", "Oct-29")) == 1
    assert sum(code == "summary_sheet_superseded" for code, _ in codes) == 26
    assert sum(code == "footer_total" for code, _ in codes) == 25  # Oct-16 has no TOTAL row; Oct-27 disagrees
    assert [(p.column, p.value) for p in upload.problems if p.code == "footer_total_mismatch"] == [
        ("Cumulative In-Person Voters", "7295325"), ("Cumulative By Mail Voters", "892921"),
        ("Cumulative In-Person And Mail Voters", "8188246")]
    assert upload.ready


def test_real_civix_csvs() -> None:
    gap = read_county_upload([REAL_DATA / "civix_58315_ev_turnout_vs_roster_gap.csv"], party="REP")
    assert _totals(counts_of(gap)) == {"early-voting": 773_111, "election-day": 0, "mail-in": 56_163,
                                       "TOTAL": 829_274}
    assert counts_of(gap)[("HARRIS", "REP", "early-voting")] == 69_705
    assert gap.ready and gap.problems == []
    turnout = read_county_upload([REAL_DATA / "civix_58315_turnout_ed_2026-05-26.csv"], party="REP")
    # An election-day report (the file name says ED): total_in_person_votes is early voting + election day,
    # in_person_votes_on_date is election day alone (docs/data-formats.md 2.2: Bell 8,536 + 5,613 = 14,149).
    assert _totals(counts_of(turnout)) == {"early-voting": 855_053 - 86_156, "election-day": 86_156,
                                           "mail-in": 59_596, "TOTAL": 855_053 + 59_596}
    counts = counts_of(turnout)
    assert [counts[("BELL", "REP", m)] for m in ("early-voting", "election-day", "mail-in", "TOTAL")] == [
        8_536, 5_613, 688, 14_837]
    assert len(turnout.counts) == 254 * 4
    assert [(p.code, p.column, p.blocking) for p in turnout.problems] == [
        ("summary_in_person_split", "in_person_votes_on_date", False)]
    assert turnout.ready


CIVIX_HEADER = ("election_id,report_date,county,county_id,registered_voters,in_person_votes_on_date,"
                "total_in_person_votes,total_mail_votes")


@pytest.mark.parametrize(("name", "method", "expected"), [
    ("turnout_ev_2026-05-22.csv", None, [110, 0, 7, 117]),           # early voting: the on-date day is inside
    ("turnout_2026-05-26.csv", None, [110, 0, 7, 117]),              # no hint: nothing is split
    ("turnout_2026-05-26.csv", "election-day", [80, 30, 7, 117]),    # --method election-day
    ("turnout_ed_2026-05-26.csv", None, [80, 30, 7, 117]),
])
def test_in_person_on_date_splits_only_election_day_reports(tmp_path: Path, name: str, method: str | None,
                                                            expected: list[int]) -> None:
    path = write_text(tmp_path / name, [CIVIX_HEADER, "58315,2026-05-26,LOVING,151,90,30,110,7"])
    upload = read_county_upload([path], party="REP", method=method)
    counts = counts_of(upload)
    assert [counts[("LOVING", "REP", m)] for m in ("early-voting", "election-day", "mail-in", "TOTAL")] == expected
    assert upload.ready


def test_in_person_on_date_above_the_cumulative_count_blocks(tmp_path: Path) -> None:
    path = write_text(tmp_path / "turnout_ed.csv", [CIVIX_HEADER, "58315,2026-05-26,LOVING,151,90,120,110,7"])
    upload = read_county_upload([path], party="REP")
    assert [(p.code, p.row, p.column, p.value, p.blocking) for p in upload.problems] == [
        ("summary_in_person_split", None, "in_person_votes_on_date", "total_in_person_votes", False),
        ("summary_arithmetic", 2, "in_person_votes_on_date", "120", True)]
    assert not upload.ready


def test_party_rows_wide_summary_arithmetic_blocks(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "Travis official counts.xlsx", {"Counts": [
        ["Travis County official turnout"], ["Party", "Early Voting", "Election Day", "Mail", "Total"],
        ["Democratic", 100, 50, 10, 160], ["Republican", 80, 40, 5, 126], ["Total", 180, 90, 15, 286]]})
    upload = read_county_upload([path])
    assert counts_of(upload) == {
        ("TRAVIS", "DEM", "early-voting"): 100, ("TRAVIS", "DEM", "election-day"): 50,
        ("TRAVIS", "DEM", "mail-in"): 10, ("TRAVIS", "DEM", "TOTAL"): 160,
        ("TRAVIS", "REP", "early-voting"): 80, ("TRAVIS", "REP", "election-day"): 40,
        ("TRAVIS", "REP", "mail-in"): 5, ("TRAVIS", "REP", "TOTAL"): 126}
    assert problem_tuples(upload.problems) == [
        ("banner_skipped", "Counts", 1, None, "Travis County official turnout", False),
        ("summary_arithmetic", "Counts", 4, "Total", "126", True),
        ("footer_total", "Counts", 5, None, "Total", False)]


def test_long_summary(tmp_path: Path) -> None:
    path = write_text(tmp_path / "counts.csv", ["County,Party,Method,Count", "Loving,REP,EV,5", "Loving,REP,BBM,1",
                                                "Loving,REP,Total,6", "Loving,DEM,ED,2"])
    upload = read_county_upload([path])
    assert counts_of(upload) == {
        ("LOVING", "DEM", "early-voting"): 0, ("LOVING", "DEM", "election-day"): 2,
        ("LOVING", "DEM", "mail-in"): 0, ("LOVING", "DEM", "TOTAL"): 2,
        ("LOVING", "REP", "early-voting"): 5, ("LOVING", "REP", "election-day"): 0,
        ("LOVING", "REP", "mail-in"): 1, ("LOVING", "REP", "TOTAL"): 6}
    assert upload.ready


def test_precheck_json_and_statewide_comparison(tmp_path: Path) -> None:
    path = write_text(tmp_path / "Loving County EV REP.csv", ["VUID", "1000000081", "1000000082"])
    report = precheck_upload([path], statewide_counts={("LOVING", "REP", "early-voting"): 1}).report
    payload = json_ready(precheck_json(report))  # what `turnout precheck --json` prints
    assert list(payload) == ["layout", "rows", "counts", "problems", "ready", "statewide"]
    assert {k: payload["layout"][k] for k in ("parser", "encoding", "sheet", "header_row", "mapping")} == {
        "parser": "csv", "encoding": "utf-8", "sheet": None, "header_row": 1, "mapping": {"vuid": "VUID"}}
    assert payload["rows"] == 2 and payload["ready"] is True
    assert payload["counts"][0] == {"county": "LOVING", "party": "REP", "voting_method": "early-voting", "count": 2}
    assert payload["statewide"][0] == {"county": "LOVING", "party": "REP", "voting_method": "early-voting",
                                       "official": 2, "statewide": 1, "difference": 1}
    assert payload["statewide"][3]["statewide"] == 1  # TOTAL from the methods


@pytest.mark.parametrize(("lines", "expected"), [
    (["VUID,Method", "1000000091,EV"], 0),
    (["VUID,Method", "1000000091,EV", "1000000091,BBM"], 1),
])
def test_cli_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str],
                                 expected: int) -> None:
    path = write_text(tmp_path / "Loving County.csv", lines)
    assert main(["precheck", str(path), "--county", "Loving", "--party", "REP", "--json"]) == expected
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"layout", "rows", "counts", "problems", "ready"}
    assert payload["ready"] is (expected == 0)
    for problem in payload["problems"]:
        assert set(problem) == {"file", "sheet", "row", "column", "value", "code", "message", "blocking"}
    assert main(["precheck", str(path), "--county", "Loving", "--party", "REP"]) == expected
    out = capsys.readouterr().out
    assert "Rows read:" in out and "LOVING" in out
    if expected:
        # The text says where and what in words; the code is for --json.
        assert "row 3" in out and "also appears as early-voting; here it is mail-in" in out
        assert "duplicate_vuid_methods" not in out


def test_cli_unreadable_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["precheck", str(empty), "--json"]) == 2
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert payload["ready"] is False and payload["error"]["reason"] == "empty"
    assert "empty.csv" in captured.err
    names = write_text(tmp_path / "names.csv", ["Name,Address", "A,B"])
    assert main(["precheck", str(names)]) == 2
    assert "No header with a VUID column" in capsys.readouterr().err
    assert main(["precheck", str(names), "--map", "vuid=Voter ID"]) == 2
