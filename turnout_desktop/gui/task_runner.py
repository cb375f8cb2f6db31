"""The one task runner of the GUI: plain functions on a single worker thread.

Work is a plain function ``fn(*args, progress=..., cancelled=...)``. ``progress(fraction, text)``
is throttled (emitted only when the rounded percent changes) and ``cancelled()`` returns True
once the user pressed Cancel. Results, progress and errors reach the GUI thread through queued
signals; the worker never touches a widget. One thread only, so database work is serialised.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from turnout_desktop.errors import Cancelled
from turnout_desktop.gui.process_worker import run_isolated
from turnout_desktop.gui.qt_compat import emit

log = logging.getLogger(__name__)

PROGRESS_DIALOG_DELAY_MS = 500
# Too early a guess of the time left jumps about: wait for this much work and time before giving one.
ESTIMATE_MIN_FRACTION = 0.03
ESTIMATE_MIN_SECONDS = 2.0
ProgressCallback = Callable[[float, str], None]
ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException, str], None]

_RUNNERS: weakref.WeakSet[TaskRunner] = weakref.WeakSet()


def live_runners() -> list[TaskRunner]:
    """Every TaskRunner whose Qt object still exists (tests use it to find leaked work)."""
    return [runner for runner in list(_RUNNERS) if shiboken6.isValid(runner) and shiboken6.isValid(runner._pool)]


@dataclass
class TaskHandle:
    """What the caller keeps of a started task: its id, title and cancel switch."""

    task_id: int
    title: str
    cancel_event: threading.Event = field(default_factory=threading.Event)
    on_result: ResultCallback | None = None
    on_error: ErrorCallback | None = None
    on_progress: ProgressCallback | None = None
    done: bool = False
    first_progress: tuple[float, float] | None = None  # (monotonic time, fraction) of the first report

    def cancel(self) -> None:
        """Ask the work to stop at its next ``cancelled()`` check."""
        self.cancel_event.set()


def time_left_text(fraction_done: float, fraction_per_second: float) -> str:
    """``about 40 s left`` / ``about 3 min left`` at the rate seen so far ("" when no estimate can be given)."""
    if fraction_per_second <= 0 or fraction_done >= 1:
        return ""
    seconds = (1 - fraction_done) / fraction_per_second
    if seconds < 60:
        return f"about {max(5, round(seconds / 5) * 5)} s left"
    return f"about {round(seconds / 60)} min left"


def progress_label(title: str, text: str, fraction: float, first: tuple[float, float] | None, now: float) -> str:
    """The progress dialog's text: the work, its step (file, rows), and the time left once it can be told."""
    lines = [title] + ([text] if text else [])
    if first is not None:
        started_at, started_fraction = first
        elapsed, done = now - started_at, fraction - started_fraction
        if elapsed >= ESTIMATE_MIN_SECONDS and done >= ESTIMATE_MIN_FRACTION:
            estimate = time_left_text(fraction, done / elapsed)
            lines += [estimate] if estimate else []
    return "\n".join(lines)


class _Bridge(QObject):
    """Signals emitted from the worker thread; connected queued to the runner in the GUI thread."""

    progressed = Signal(int, float, str)
    succeeded = Signal(int, object)
    failed = Signal(int, object, str)


class _Job(QRunnable):
    """Runs one function on the pool thread and reports through the bridge."""

    def __init__(self, bridge: _Bridge, handle: TaskHandle, fn: Callable[..., Any],
                 args: tuple[Any, ...], kwargs: dict[str, Any], *, isolated: bool = False) -> None:
        super().__init__()
        self._isolated = isolated
        self.setAutoDelete(True)
        self._bridge = bridge
        self._handle = handle
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self._last_percent = -1

    def _progress(self, fraction: float, text: str = "") -> None:
        percent = round(max(0.0, min(1.0, float(fraction))) * 100)
        if percent == self._last_percent:
            return  # throttle: a million row callbacks become at most 101 signals
        self._last_percent = percent
        emit(self._bridge.progressed, self._handle.task_id, percent / 100, text)

    def _cancelled(self) -> bool:
        return self._handle.cancel_event.is_set()

    def run(self) -> None:
        task_id = self._handle.task_id
        try:
            if self._cancelled():
                raise Cancelled("cancelled before it started")
            if self._isolated:
                result = run_isolated(self._fn, self._args, self._kwargs, progress=self._progress,
                                      cancelled=self._cancelled)
            else:
                result = self._fn(*self._args, progress=self._progress, cancelled=self._cancelled, **self._kwargs)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI thread
            emit(self._bridge.failed, task_id, exc, traceback.format_exc())
        else:
            emit(self._bridge.succeeded, task_id, result)


class TaskRunner(QObject):
    """Runs work off the GUI thread, one job at a time, with a delayed progress dialog.

    Args:
        dialog_parent: widget the progress dialog belongs to (None: no dialog).
        default_error_handler: called for errors of tasks started without ``on_error``.
    """

    busy_changed = Signal(bool)
    task_finished = Signal(int)

    def __init__(self, parent: QObject | None = None, *, dialog_parent: QWidget | None = None,
                 default_error_handler: ErrorCallback | None = None,
                 dialog_delay_ms: int = PROGRESS_DIALOG_DELAY_MS, isolate_heavy: bool = True) -> None:
        super().__init__(parent)
        self.isolate_heavy = isolate_heavy
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._bridge = _Bridge()
        self._bridge.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._bridge.succeeded.connect(self._on_success, Qt.ConnectionType.QueuedConnection)
        self._bridge.failed.connect(self._on_failure, Qt.ConnectionType.QueuedConnection)
        self._ids = itertools.count(1)
        self._pending: dict[int, TaskHandle] = {}
        self._dialog_parent = dialog_parent
        self._default_error_handler = default_error_handler
        self._dialog: QProgressDialog | None = None
        self._dialog_timer = QTimer(self)
        self._dialog_timer.setSingleShot(True)
        self._dialog_timer.setInterval(dialog_delay_ms)
        self._dialog_timer.timeout.connect(self._show_dialog)
        self._shut_down = False
        _RUNNERS.add(self)

    # -- public API ---------------------------------------------------------------------------
    def start(self, fn: Callable[..., Any], *args: Any, on_result: ResultCallback | None = None,
              on_error: ErrorCallback | None = None, on_progress: ProgressCallback | None = None,
              title: str = "Working…", heavy: bool = False, **kwargs: Any) -> TaskHandle:
        """Queue ``fn(*args, progress=, cancelled=, **kwargs)`` on the worker; return its handle.

        ``heavy`` work (big files, reconciliation) runs in the child process when the runner
        isolates heavy work, so long C calls cannot stall the event loop; it is still serialised.
        """
        if self._shut_down:
            raise RuntimeError("the task runner has been shut down")
        handle = TaskHandle(next(self._ids), title, on_result=on_result, on_error=on_error,
                            on_progress=on_progress)
        was_idle = not self._pending
        self._pending[handle.task_id] = handle
        self._pool.start(_Job(self._bridge, handle, fn, args, kwargs, isolated=heavy and self.isolate_heavy))
        if was_idle:
            emit(self.busy_changed, True)
            if self._dialog_parent is not None:
                self._dialog_timer.start()
        log.debug("task %s queued: %s", handle.task_id, title)
        return handle

    def is_idle(self) -> bool:
        """True when no task is queued or running and no callback is outstanding.

        A worker delivers its result before its thread returns to the pool, so the pool's
        thread count can lag by a moment after the last callback ran; the pending table is
        the truth (`shutdown` still waits for the threads themselves).
        """
        return not self._pending

    def cancel_all(self) -> None:
        for handle in self._pending.values():
            handle.cancel()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel everything, wait for the worker, drop the dialog. Returns False on timeout."""
        self._shut_down = True
        self.cancel_all()
        finished = self._pool.waitForDone(timeout_ms)
        self._dialog_timer.stop()
        self._close_dialog()
        return bool(finished)

    # -- GUI-thread slots ---------------------------------------------------------------------
    @Slot(int, float, str)
    def _on_progress(self, task_id: int, fraction: float, text: str) -> None:
        handle = self._pending.get(task_id)
        if handle is None:
            return
        if handle.on_progress is not None:
            handle.on_progress(fraction, text)
        now = time.monotonic()
        if handle.first_progress is None:
            handle.first_progress = (now, fraction)
        if self._dialog is not None:
            self._dialog.setLabelText(progress_label(handle.title, text, fraction, handle.first_progress, now))
            self._dialog.setValue(round(fraction * 100))

    @Slot(int, object)
    def _on_success(self, task_id: int, result: object) -> None:
        handle = self._finish(task_id)
        if handle is not None and handle.on_result is not None:
            handle.on_result(result)
        emit(self.task_finished, task_id)

    @Slot(int, object, str)
    def _on_failure(self, task_id: int, error: object, trace: str) -> None:
        handle = self._finish(task_id)
        assert isinstance(error, BaseException)
        if isinstance(error, Cancelled):
            log.info("task %s cancelled", task_id)
        elif handle is not None and handle.on_error is not None:
            handle.on_error(error, trace)
        elif self._default_error_handler is not None:
            self._default_error_handler(error, trace)
        else:
            log.error("task %s failed:\n%s", task_id, trace)
        emit(self.task_finished, task_id)

    def _finish(self, task_id: int) -> TaskHandle | None:
        handle = self._pending.pop(task_id, None)
        if handle is not None:
            handle.done = True
        if not self._pending:
            self._dialog_timer.stop()
            self._close_dialog()
            emit(self.busy_changed, False)
        return handle

    def _show_dialog(self) -> None:
        if not self._pending or self._dialog_parent is None:
            return
        current = next(iter(self._pending.values()))
        dialog = QProgressDialog(current.title, "Cancel", 0, 100, self._dialog_parent)
        dialog.setObjectName("taskProgressDialog")
        dialog.setWindowTitle("Turnout Desktop")
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel_all)
        # Not modal: a modal QProgressDialog runs processEvents() inside setValue(), which would
        # deliver later results in the middle of this slot (re-entrancy).
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        self._dialog = dialog
        dialog.show()

    def _close_dialog(self) -> None:
        if self._dialog is not None:
            self._dialog.canceled.disconnect(self.cancel_all)
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None

    @property
    def progress_dialog(self) -> QProgressDialog | None:
        """The visible progress dialog, if the current work has run longer than the delay."""
        return self._dialog
