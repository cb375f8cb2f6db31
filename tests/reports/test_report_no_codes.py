"""The PDF report names what started each run and each review state in words, and shows no internal code
(the codes come from tests/user_facing_codes.py); the CSV data keeps the codes."""

from __future__ import annotations

import re
from pathlib import Path

from report_election_data import ELECTION
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session
from test_report import _pdf_text
from user_facing_codes import leaked_codes

from turnout_desktop.db.models import ReconciliationLog
from turnout_desktop.domain.labels import TRIGGER_LABELS, review_label
from turnout_desktop.reports.model import report_tables
from turnout_desktop.reports.pdf import render_report_pdf_bytes
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.reporting import load_report


def test_the_pdf_shows_triggers_and_review_states_in_words(populated: tuple[Engine, dict[str, int]],
                                                           tmp_path: Path) -> None:
    engine, ids = populated
    with Session(engine) as session:  # one run of each trigger, and a reviewed escalation
        for log_id, trigger in ((ids["andrews"], "MANUAL"), (ids["hogg"], "AUTO_CHECK")):
            session.execute(update(ReconciliationLog).where(ReconciliationLog.id == log_id)
                            .values(trigger_type=trigger))
        session.execute(update(ReconciliationLog).where(ReconciliationLog.id == ids["anderson"])
                        .values(review_state="wont-fix", review_reason="Late count is known"))
        session.commit()
    report = load_report(AppContext(engine, user="admin.ruiz", role="admin"), election=ELECTION)
    text, _pages = _pdf_text(render_report_pdf_bytes(report), tmp_path)
    flat = re.sub(r"\s+", " ", text)

    assert leaked_codes(text) == []
    for trigger in ("COUNTY_UPLOAD", "MANUAL", "AUTO_CHECK"):
        assert f"Started by: {TRIGGER_LABELS[trigger]}." in flat, trigger
    assert f"review: {review_label('wont-fix')}. Late count is known" in flat

    # The CSV/XLSX data keep the codes: programs read them back.
    discrepancies = next(t for t in report_tables(report) if t.name == "discrepancies")
    trigger = discrepancies.header.index("trigger")
    assert {row[trigger] for row in discrepancies.rows} == {"COUNTY_UPLOAD", "MANUAL", "AUTO_CHECK"}


def test_evidence_facts_read_as_words_not_json() -> None:
    from turnout_desktop.reports.pdf import facts_text

    assert facts_text('{"missing_in_statewide": 3, "source": "statewide", "complete": true}') == \
        "Missing in statewide: 3 \N{MIDDLE DOT} Source: statewide \N{MIDDLE DOT} Complete: yes"
    assert facts_text('{"total": 12345}') == "Total: 12,345"
    assert facts_text("free text the engine wrote") == "free text the engine wrote"
    assert facts_text('["1100000001"]') == '["1100000001"]'  # not facts: shown as recorded
    assert facts_text(None) == ""
