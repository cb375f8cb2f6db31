"""A typical escalated row on the demo database: the activity table, the county overview and the escalation
dialog show it in the words of domain/labels.py, and no cell or label shows a raw code."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from test_gui_main_window import open_window, select_activity

from turnout_desktop.domain.display import DisplayStatus
from turnout_desktop.domain.labels import DISPLAY_LABELS, strategy_label
from turnout_desktop.domain.status import AttemptOutcome, Status
from turnout_desktop.engine.types import DIAGNOSIS_CODES
from turnout_desktop.gui.escalation_dialog import EscalationDialog
from turnout_desktop.gui.record_model import RecordTableModel
from turnout_desktop.services.labels import strategy_labels

STRATEGY_NAMES = tuple(strategy_labels())
RAW_CODES = frozenset({*Status, *DisplayStatus, *AttemptOutcome, *DIAGNOSIS_CODES, *STRATEGY_NAMES})
# Codes that are no English word (``ESCALATED``, ``missing_vuids``) are found anywhere in a text; a one-word
# code (``escalated``, ``timing``) only as a whole cell, since "Blocked: escalated to an administrator" is prose.
_RAW = re.compile(r"(?<![\w-])(" + "|".join(re.escape(code) for code in sorted(
    (c for c in RAW_CODES if c.isupper() or "_" in c), key=len, reverse=True)) + r")(?![\w-])")


def raw_codes_in(*texts: str) -> list[str]:
    """The codes the texts show as stored: within the text, or as the whole text."""
    return [code for text in texts for code in ([text] if text in RAW_CODES else _RAW.findall(text))]


def cells(model: RecordTableModel, row: int) -> dict[str, str]:
    return {model.headers()[column]: model.index(row, column).data() for column in range(model.columnCount())}


def rows_of(model: RecordTableModel, county: str, party: str) -> list[dict[str, str]]:
    return [row for row in (cells(model, r) for r in range(model.rowCount()))
            if (row["County"], row["Party"]) == (county, party)]


def test_the_code_finder_finds_codes() -> None:
    assert raw_codes_in("status ESCALATED; tried manual_review for missing_vuids") == [
        "ESCALATED", "manual_review", "missing_vuids"]
    assert raw_codes_in("Blocked: escalated to an administrator", "timing", "Manual review") == ["timing"]


def test_an_escalated_row_shows_words_not_codes(qtbot, admin_spec) -> None:
    window = open_window(qtbot, admin_spec)
    escalated = DISPLAY_LABELS[DisplayStatus.ESCALATED]
    [activity] = rows_of(window.activity.model, "KENT", "REP")
    assert activity["Status"] == escalated
    assert activity["Strategy"] in strategy_labels().values()
    [overview] = rows_of(window.overview.model, "KENT", "REP")
    assert overview["Status"] == escalated  # the same word in both tables
    for row in (activity, overview):
        assert not raw_codes_in(*row.values()), row

    select_activity(window, "KENT", "REP")
    qtbot.mouseClick(window.activity.details_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, EscalationDialog), timeout=10_000)
    dialog = window.session.last_dialog
    assert f"<b>{escalated}</b>" in dialog.summary_label.text()
    diagnosis = dialog.diagnosis_label.text()
    assert diagnosis.startswith("Diagnosis: ") and diagnosis != "Diagnosis: none recorded"
    assert not raw_codes_in(dialog.summary_label.text(), diagnosis, *diagnosis.removeprefix("Diagnosis: ").split(", "))
    attempts = [cells(dialog.attempts, row) for row in range(dialog.attempts.rowCount())]
    assert attempts, "the demo's escalation tried strategies"
    for attempt in attempts:
        assert attempt["Strategy"] in strategy_labels().values()
        assert not raw_codes_in(attempt["Strategy"], attempt["Outcome"]), attempt
    assert strategy_label("manual_review", strategy_labels()) in {a["Strategy"] for a in attempts}
    dialog.close()
