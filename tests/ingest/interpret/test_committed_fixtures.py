"""Small committed xls and ods files (written once with xlwt and odfpy) read exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from turnout_desktop.ingest.interpret.precheck import PrecheckReport
from turnout_desktop.services.precheck import precheck_upload

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ELECTION = dt.date(2026, 3, 3)


def _counts(report: PrecheckReport) -> dict[tuple[str, str, str], int]:
    return {(c.county, c.party, c.voting_method): c.count for c in report.upload.counts}


def test_travis_xls_with_banner_rows_and_party_sheets() -> None:
    report = precheck_upload([FIXTURES / "travis_early_vote_03.03.2026.xls"], county="Travis", election=ELECTION).report
    layout = report.upload.files[0].layouts[0]
    assert layout.parser == "xlrd" and layout.header_row == 4
    counts = _counts(report)
    assert counts[("TRAVIS", "DEM", "early-voting")] == 3 and counts[("TRAVIS", "DEM", "TOTAL")] == 3
    assert counts[("TRAVIS", "REP", "early-voting")] == 1 and counts[("TRAVIS", "REP", "TOTAL")] == 1
    problems = [(p.code, p.sheet, p.row, p.blocking) for p in report.upload.problems]
    assert problems == [
        ("banner_skipped", "Democratic", 1, False),
        ("vuid_repaired_leading_zeros", "Democratic", 7, False),  # 123450003 stored as a number
        ("banner_skipped", "Republican", 1, False),
        ("vuid_redacted", "Republican", 6, True),
    ]
    assert report.ready is False


def test_hidalgo_ods_cert_is_the_vuid_not_id() -> None:
    report = precheck_upload([FIXTURES / "EV DEM REP Roster Hidalgo.ods"], county="Hidalgo", election=ELECTION).report
    assert report.upload.files[0].layouts[0].mapping["vuid"] == "CERT"
    assert report.upload.problems == [] and report.ready is True
    counts = _counts(report)
    assert counts[("HIDALGO", "DEM", "early-voting")] == 2 and counts[("HIDALGO", "REP", "early-voting")] == 1
    rows = report.upload.rows
    assert sorted(rows["vuid"]) == ["1080000001", "1080000002", "1080000003"]
    assert sorted(rows["precinct"]) == ["128.01", "128.02", "130"]
