"""The report says what the GUI says: the same status word as the activity table and the county overview for
the same run, the strategies' declared labels and words for outcomes; the CSV data keeps the codes."""

from __future__ import annotations

import re
from pathlib import Path

from report_election_data import ELECTION
from sqlalchemy import Engine
from test_report import _pdf_text

from turnout_desktop.gui.activity_model import ActivityModel
from turnout_desktop.gui.county_overview import CountyOverviewModel
from turnout_desktop.gui.record_model import RecordTableModel
from turnout_desktop.reports.model import report_tables
from turnout_desktop.reports.pdf import render_report_pdf_bytes
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.reconciliation import county_overview, log_entries
from turnout_desktop.services.reporting import load_report


def _status_cell(model: RecordTableModel, county: str, party: str) -> str:
    headers = model.headers()
    for row in range(model.rowCount()):
        shown = {headers[c]: model.index(row, c).data() for c in range(model.columnCount())}
        if (shown["County"], shown["Party"]) == (county, party):
            return shown["Status"]
    raise AssertionError(f"{county} {party} not in the table")


def test_the_report_uses_the_guis_words(populated: tuple[Engine, dict[str, int]], tmp_path: Path) -> None:
    engine, ids = populated
    ctx = AppContext(engine, user="admin.ruiz", role="admin")
    activity = ActivityModel()
    activity.set_records(log_entries(ctx, election=ELECTION))
    overview = CountyOverviewModel()
    overview.set_overview(county_overview(ctx, ELECTION))
    escalated = _status_cell(activity, "ANDERSON", "ALL")
    assert escalated == _status_cell(overview, "ANDERSON", "ALL") == "Escalated"
    verified = _status_cell(overview, "KENT", "ALL")
    assert verified == "Verified"

    report = load_report(ctx, election=ELECTION)
    text, _pages = _pdf_text(render_report_pdf_bytes(report), tmp_path)
    assert f"ANDERSON ALL: {escalated} (log {ids['anderson']})" in text
    assert re.search(rf"^\s*ANDERSON\s+ALL\s+TOTAL\s.*\s{escalated}\s+no\b", text, re.MULTILINE)
    assert re.search(rf"^\s*KENT\s+ALL\s+TOTAL\s.*\s{verified}\s+yes\b", text, re.MULTILINE)
    for code in ("ESCALATED", "RESOLVED", "OVERRIDDEN", "refetch_statewide", "fill_gaps", "no_change",
                 "missing_vuids"):
        assert code not in text, code
    for words in ("Re-fetch statewide data", "No change", "Votes missing from the database"):
        assert words in re.sub(r"\s+", " ", text), words

    andrews = next(d for d in report.discrepancies if d.log_id == ids["andrews"])
    assert andrews.resolution.startswith("Resolved by Fill gaps from the county roster. "
                                         f"fix {ids['fix']} Fill gaps from the county roster: inserted 7")
    # The CSV/XLSX data keep the stored codes: they are read back by programs, not only by people.
    counties = next(t for t in report_tables(report) if t.name == "counties")
    status = counties.header.index("status")
    assert {row[status] for row in counties.rows if row[0] == "ANDERSON"} == {"ESCALATED"}
