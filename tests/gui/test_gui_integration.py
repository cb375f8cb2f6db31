"""Window actions against the real services: undo a fix, export a report, crash hooks, PostgreSQL."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from turnout_desktop.db.models import Fix
from turnout_desktop.gui import error_dialogs, jobs
from turnout_desktop.gui.details_dialog import DetailsDialog
from turnout_desktop.gui.error_dialogs import CrashDialog
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.services.context import open_context
from turnout_desktop.services.demo import seed_demo


def open_window(qtbot, spec: jobs.ContextSpec) -> MainWindow:
    window = MainWindow(spec, Preferences())
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        window.dashboard_view.refresh()
    return window


def last_audit_message(url: str, event_type: str) -> str:
    from turnout_desktop.db.models import AuditEvent

    engine = open_context(url).engine
    with engine.connect() as connection:
        message = connection.execute(select(AuditEvent.message).where(AuditEvent.event_type == event_type)
                                     .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    engine.dispose()
    return str(message)


def test_undo_a_fix_from_the_details_dialog(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    with_fix = [r for r in window.activity.model.records() if r.strategy_succeeded]
    assert with_fix, "the demo resolves some counties with a strategy"
    window.actions_for_records.view_details(with_fix[0])
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, DetailsDialog), timeout=10_000)
    dialog = window.session.last_dialog
    assert dialog.fixes.rowCount() >= 1
    fix_id = dialog.fixes.record(0).id
    dialog.fix_table.selectRow(0)
    dialog.undo_reason.setText("checking the undo from the desktop")
    with qtbot.waitSignal(window.dashboard_loaded, timeout=20_000):
        qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    engine = open_context(admin_spec.db_url).engine
    with engine.connect() as connection:
        undone = connection.execute(select(Fix.undone_at, Fix.undone_by).where(Fix.id == fix_id)).one()
    engine.dispose()
    assert undone.undone_at is not None and undone.undone_by == "ada"
    assert "checking the undo from the desktop" in last_audit_message(admin_spec.db_url, "fix_undone")
    dialog.close()


def test_export_report_writes_the_file(qtbot, admin_spec, tmp_path):
    window = open_window(qtbot, admin_spec)
    out = tmp_path / "report.csv"
    window.report_export.export(out)
    qtbot.waitUntil(window.runner.is_idle, timeout=30_000)
    text = out.read_text(encoding="utf-8-sig")
    assert "LOVING" in text and "KENT" in text
    assert window.statusBar().currentMessage() == f"Report written to {out}"


def test_uncaught_exceptions_reach_the_crash_dialog(qtbot):
    saved = sys.excepthook, threading.excepthook
    try:
        error_dialogs.install_handlers()
        try:
            raise RuntimeError("main thread bug")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        worker = threading.Thread(target=lambda: (_ for _ in ()).throw(LookupError("worker thread bug")))
        worker.start()
        worker.join()

        def crash_texts() -> list[str]:
            return [w.summary.text() for w in QApplication.topLevelWidgets()
                    if isinstance(w, CrashDialog) and w.isVisible()]

        qtbot.waitUntil(lambda: len(crash_texts()) == 2, timeout=5000)
        texts = sorted(crash_texts())
        assert "LookupError: worker thread bug" in texts[0]
        assert "RuntimeError: main thread bug" in texts[1]
    finally:
        sys.excepthook, threading.excepthook = saved
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, CrashDialog):
                widget.close()


def test_dashboard_on_both_backends(qtbot, db_url, tmp_path):
    """The same window on SQLite and on the PostgreSQL test server (db_url fixture)."""
    ctx = open_context(db_url)
    seed_demo(ctx, tmp_path / "demo")
    ctx.engine.dispose()
    spec = jobs.ContextSpec(db_url, user="ada", role="admin")
    window = open_window(qtbot, spec)
    assert window.labels.db_label.text() == ("local database" if db_url.startswith("sqlite") else "shared server")
    assert window.activity.model.rowCount() == 14
    assert window.status_panel.failed_label.text() == "2"
