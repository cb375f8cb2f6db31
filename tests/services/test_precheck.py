"""``precheck_upload`` is the one reading of a county upload: submit stores and blocks exactly what it reports.

Real CSV files and a real database (SQLite, then the PostgreSQL test server); the wizard's and the CLI's
use of the same function is in tests/gui/test_gui_wizard_jobs.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from csv_files import write_csv
from sqlalchemy import Engine

from turnout_desktop.errors import ImportRejected
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.precheck import precheck_upload
from turnout_desktop.services.submission import submit_files
from turnout_desktop.services.upload_refusals import SubmissionBlocked

ELECTION = dt.date(2026, 3, 3)
HEADER = ["VUID", "PARTY", "VOTING_METHOD"]


def test_submit_stores_what_the_precheck_reads_and_an_update_supersedes_its_original(db_engine: Engine,
                                                                                      tmp_path: Path) -> None:
    original = write_csv(tmp_path / "Loving_EV.csv", HEADER, [
        ["1151000001", "DEM", "early-voting"], ["1151000002", "DEM", "early-voting"],
        ["1151000003", "DEM", "early-voting"]])
    updated = write_csv(tmp_path / "Loving_EV_Updated.csv", HEADER, [
        ["1151000001", "DEM", "early-voting"], ["1151000004", "REP", "mail-in"]])
    checked = precheck_upload([original, updated], county="Loving", election=ELECTION)
    assert [(p.code, p.file) for p in checked.upload.problems] == [("file_superseded", "Loving_EV.csv")]
    assert checked.ready and checked.sheets == ()  # sheets only when the wizard asks for them
    result = submit_files(AppContext(db_engine, user="clerk1"), [original, updated], election=ELECTION,
                          county="Loving", reconcile=False)
    assert result.counts == tuple(checked.upload.counts)
    assert result.problems == tuple(checked.upload.problems)
    totals = {(c.party, c.voting_method): c.count for c in result.counts if c.voting_method == "TOTAL"}
    assert totals == {("DEM", "TOTAL"): 1, ("REP", "TOTAL"): 1}  # the original's three rows are not counted


def test_submit_blocks_on_exactly_the_blocking_problems_the_precheck_reports(db_engine: Engine,
                                                                             tmp_path: Path) -> None:
    path = write_csv(tmp_path / "loving.csv", HEADER, [
        ["1151000001", "DEM", "early-voting"], ["1151000001", "DEM", "mail-in"]])
    checked = precheck_upload([path], county="Loving", election=ELECTION)
    assert not checked.ready
    with pytest.raises(SubmissionBlocked) as refused:
        submit_files(AppContext(db_engine, user="clerk1"), [path], election=ELECTION, county="Loving",
                     reconcile=False)
    assert refused.value.upload.problems == checked.upload.problems
    assert {p.code for p in checked.upload.problems if p.blocking} == {"duplicate_vuid_methods"}


def test_the_wizard_reads_a_superseded_original_only_for_its_preview(tmp_path: Path) -> None:
    """Without sheets an unreadable original is never opened; the wizard's preview reads it (and says so)."""
    original = tmp_path / "Loving_EV.csv"
    original.write_bytes(b"")
    updated = write_csv(tmp_path / "Loving_EV_Updated.csv", HEADER, [["1151000001", "DEM", "early-voting"]])
    assert precheck_upload([original, updated], county="Loving").ready
    with pytest.raises(ImportRejected, match="empty"):
        precheck_upload([original, updated], county="Loving", with_sheets=True)


def test_the_result_is_frozen(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "loving.csv", HEADER, [["1151000001", "DEM", "early-voting"]])
    result = precheck_upload([path], county="Loving", statewide_counts={("LOVING", "DEM", "early-voting"): 1},
                             with_sheets=True)
    assert [(s.file, s.layout is not None) for s in result.sheets] == [("loving.csv", True)]
    assert result.report.statewide_comparison[0].difference == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.report.statewide_counts = None  # type: ignore[misc]
