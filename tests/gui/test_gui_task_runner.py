"""The task runner: results, throttled progress, errors, cancel, delayed dialog, shutdown."""

from __future__ import annotations

import os
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from turnout_desktop.errors import Cancelled, NotFound
from turnout_desktop.gui.error_dialogs import CrashDialog, show_error
from turnout_desktop.gui.task_runner import TaskRunner


def add(a, b, *, progress, cancelled):
    return a + b


def chatty(steps, *, progress, cancelled):
    for step in range(steps + 1):
        progress(step / steps, f"step {step}")
    return threading.current_thread().name


def fails(*, progress, cancelled):
    raise ValueError("boom in the worker")


def waits_for_cancel(started: threading.Event, *, progress, cancelled):
    started.set()
    while not cancelled():
        threading.Event().wait(0.005)
    raise Cancelled("stopped")


@pytest.fixture
def runner(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    runner = TaskRunner(parent, dialog_parent=parent, dialog_delay_ms=50)
    yield runner
    runner.shutdown()


def test_result_arrives_on_the_gui_thread(qtbot, runner):
    results, threads = [], []
    runner.start(add, 2, 3, on_result=lambda r: (results.append(r), threads.append(threading.current_thread())))
    with qtbot.waitSignal(runner.busy_changed, timeout=5000) as blocker:
        pass
    assert blocker.args == [False] or results  # busy True may already have passed
    qtbot.waitUntil(lambda: results == [5], timeout=5000)
    assert threads == [threading.main_thread()]
    assert runner.is_idle()


def test_progress_is_throttled_to_percent_changes(qtbot, runner):
    seen: list[tuple[float, str]] = []
    names: list[str] = []
    runner.start(chatty, 20_000, on_progress=lambda f, t: seen.append((f, t)), on_result=names.append)
    qtbot.waitUntil(lambda: bool(names), timeout=5000)
    # 20 001 calls become one signal per rounded percent: exactly 0 %, 1 %, ..., 100 %.
    assert [fraction for fraction, _text in seen] == [p / 100 for p in range(101)]
    assert seen[-1] == (1.0, "step 19900")  # 99.5 % rounds to 100 %
    assert names[0] != threading.main_thread().name


def test_error_reaches_on_error_with_traceback(qtbot, runner):
    errors = []
    runner.start(fails, on_error=lambda e, trace: errors.append((e, trace)))
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    error, trace = errors[0]
    assert isinstance(error, ValueError) and str(error) == "boom in the worker"
    assert "in fails" in trace


def test_cancel_from_the_delayed_progress_dialog_is_swallowed(qtbot, runner):
    errors, results = [], []
    started = threading.Event()
    runner.start(waits_for_cancel, started, on_error=lambda e, t: errors.append(e), on_result=results.append,
                 title="Long job")
    qtbot.waitUntil(lambda: runner.progress_dialog is not None, timeout=5000)
    dialog = runner.progress_dialog
    assert dialog.labelText() == "Long job"
    cancel_button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(runner.is_idle, timeout=5000)
    assert errors == [] and results == []
    assert runner.progress_dialog is None


def test_no_dialog_for_quick_work(qtbot, qapp):
    parent = QWidget()
    qtbot.addWidget(parent)
    runner = TaskRunner(parent, dialog_parent=parent, dialog_delay_ms=10_000)
    results = []
    runner.start(add, 1, 1, on_result=results.append)
    qtbot.waitUntil(lambda: results == [2], timeout=5000)
    assert runner.progress_dialog is None
    assert not runner._dialog_timer.isActive()
    runner.shutdown()


def test_default_error_handler_shows_crash_dialog_for_bugs(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    shown = []
    runner = TaskRunner(parent, default_error_handler=lambda e, t: shown.append(show_error(parent, e, t)))
    runner.start(fails)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    dialog = shown[0]
    assert isinstance(dialog, CrashDialog)
    assert "ValueError: boom in the worker" in dialog.summary.text()
    assert "raise ValueError" in dialog.trace_view.toPlainText()
    dialog.close()
    runner.shutdown()


def test_known_errors_get_a_plain_message_box(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    box = show_error(parent, NotFound("No reconciliation log entry 9."))
    assert isinstance(box, QMessageBox)
    assert box.text() == "No reconciliation log entry 9."
    assert box.isVisible()
    box.close()


def test_start_after_shutdown_is_refused(qtbot, runner):
    assert runner.shutdown() is True
    with pytest.raises(RuntimeError):
        runner.start(add, 1, 2)


def slow_steps(steps, *, progress, cancelled):
    for step in range(steps + 1):
        if cancelled():
            raise Cancelled("stopped in the child")
        progress(step / steps, f"step {step}")
    return os.getpid()


def refuses(*, progress, cancelled):
    raise NotFound("No reconciliation log entry 42.")


def test_heavy_work_runs_in_the_child_process(qtbot, runner):
    results, seen, errors = [], [], []
    runner.start(slow_steps, 200, on_result=results.append, on_progress=lambda f, t: seen.append(f), heavy=True)
    qtbot.waitUntil(lambda: bool(results), timeout=60_000)
    assert results[0] != os.getpid()
    assert seen == [p / 100 for p in range(101)]
    runner.start(refuses, on_error=lambda e, t: errors.append(e), heavy=True)
    qtbot.waitUntil(lambda: bool(errors), timeout=30_000)
    assert isinstance(errors[0], NotFound) and str(errors[0]) == "No reconciliation log entry 42."
