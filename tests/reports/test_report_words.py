"""The PDF report's words: accuracies carry their percent sign, times their zone (the database stores UTC)."""

from __future__ import annotations

import re
from pathlib import Path

from report_election_data import AS_OF
from test_report import _pdf_text, _report

from turnout_desktop.reports.pdf import render_report_pdf_bytes


def test_pdf_accuracies_have_percent_and_times_their_zone(populated, tmp_path: Path, central_time: None) -> None:
    engine, _ = populated
    report = _report(engine)
    text, _pages = _pdf_text(render_report_pdf_bytes(report), tmp_path)
    flat = re.sub(r"\s+", " ", text)
    assert re.search(r"\b97\.15%", flat)  # the county table's accuracy cell
    assert AS_OF.isoformat() == "2024-11-04T06:00:00"  # stored UTC
    assert "Data as of 2024-11-04 00:00 CST" in flat  # shown in Central time, zone named
