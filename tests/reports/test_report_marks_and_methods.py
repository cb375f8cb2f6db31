"""The PDF's status cells carry the GUI's marks (✓ ! ✕ ...) and its tables name voting methods in words;
the CSV/XLSX data keep the method codes."""

from __future__ import annotations

import re
from pathlib import Path

from report_election_data import ELECTION
from sqlalchemy import Engine
from test_report import _pdf_text

from turnout_desktop.domain.display import DisplayStatus
from turnout_desktop.domain.labels import STATUS_MARKS, method_label
from turnout_desktop.reports.model import report_tables
from turnout_desktop.reports.pdf import render_report_pdf_bytes
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.reporting import load_report


def test_pdf_status_cells_show_the_guis_marks_and_methods_in_words(
        populated: tuple[Engine, dict[str, int]], tmp_path: Path) -> None:
    engine, _ids = populated
    report = load_report(AppContext(engine, user="admin.ruiz", role="admin"), election=ELECTION)
    text, _pages = _pdf_text(render_report_pdf_bytes(report), tmp_path)
    verified, escalated = STATUS_MARKS[DisplayStatus.VERIFIED], STATUS_MARKS[DisplayStatus.ESCALATED]
    assert re.search(rf"^\s*KENT\s+ALL\s+TOTAL\s.*\s{verified} Verified\s+yes\b", text, re.MULTILINE)
    assert re.search(rf"^\s*ANDERSON\s+ALL\s+TOTAL\s.*\s{escalated} Escalated\s+no\b", text, re.MULTILINE)
    assert re.search(rf"^\s*ANDERSON\s+ALL\s+{method_label('mail-in')}\s.*\s{escalated} Escalated\s+no\b",
                     text, re.MULTILINE)  # a method row takes its party's mark

    methods = {row.method for row in report.counties} | {row.method for row in report.totals}
    methods.discard("TOTAL")
    assert methods, "the report data have per-method rows"
    for code in methods:
        assert method_label(code) in text, code
        assert code not in text, f"the PDF shows the code {code}"
    counties = next(t for t in report_tables(report) if t.name == "counties")
    shown_methods = {row[counties.header.index("method")] for row in counties.rows}
    assert methods <= shown_methods  # the data export keeps the codes
