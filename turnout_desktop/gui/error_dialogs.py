"""Errors reaching the user: plain messages for known problems, a crash dialog for bugs.

Known problems (``TurnoutError`` subclasses, an unreachable database) say what to do; any
other exception is a bug and shows its traceback so it can be reported.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import OperationalError

from turnout_desktop.errors import TurnoutError
from turnout_desktop.gui.qt_compat import emit

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")


def is_environment_error(error: BaseException) -> bool:
    """True for problems the user can fix (bad file, no permission, database unreachable)."""
    return isinstance(error, TurnoutError | OperationalError | OSError)


class CrashDialog(QDialog):
    """Shows an unexpected error with its traceback, selectable for a bug report."""

    def __init__(self, error: BaseException, trace: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle("Turnout Desktop - unexpected error")
        self.summary = QLabel(f"Something went wrong that should not have: {type(error).__name__}: {error}")
        self.summary.setWordWrap(True)
        self.trace_view = QPlainTextEdit(trace)
        self.trace_view.setReadOnly(True)
        self.trace_view.setMinimumSize(640, 240)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Please send this text to the state data team:"))
        layout.addWidget(self.trace_view)
        layout.addWidget(buttons)


_open_dialogs: list[QDialog] = []


def _keep_open(dialog: QDialog) -> None:
    """A dialog without a parent would be garbage-collected at once: hold it until it closes."""
    _open_dialogs.append(dialog)
    dialog.finished.connect(lambda _code: _open_dialogs.remove(dialog) if dialog in _open_dialogs else None)


def show_error(parent: QWidget | None, error: BaseException, trace: str = "") -> QDialog:
    """Open (never exec) the right dialog for ``error`` and return it."""
    if is_environment_error(error):
        box = QMessageBox(QMessageBox.Icon.Warning, "Turnout Desktop", str(error) or type(error).__name__,
                          QMessageBox.StandardButton.Ok, parent)
        box.setObjectName("errorMessageBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        _keep_open(box)
        box.open()
        return box
    log.error("unexpected error: %s", trace or error)
    dialog = CrashDialog(error, trace or "".join(traceback.format_exception(error)), parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _keep_open(dialog)
    dialog.open()
    return dialog


def _qt_message_handler(mode: QtMsgType, _context: object, message: str) -> None:
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }.get(mode, logging.WARNING)
    qt_log.log(level, "%s", message)


class _CrashRelay(QObject):
    """Carries an exception from any thread to the GUI thread."""

    crashed = Signal(object, str)


_keep_alive: list[QObject] = []


def install_handlers() -> None:
    """Route Qt messages to logging and uncaught exceptions (any thread) to the crash dialog."""
    qInstallMessageHandler(_qt_message_handler)

    def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        trace = "".join(traceback.format_exception(kind, error, tb))
        log.error("uncaught exception:\n%s", trace)
        app = QApplication.instance()
        if app is not None and threading.current_thread() is threading.main_thread():
            show_error(QApplication.activeWindow(), error, trace)

    relay = _CrashRelay()
    relay.crashed.connect(lambda error, trace: show_error(QApplication.activeWindow(), error, trace),
                          Qt.ConnectionType.QueuedConnection)
    _keep_alive.append(relay)

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        # Widgets may only be touched on the GUI thread: hand the error over through a queued signal.
        trace = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        log.error("uncaught exception in thread %s:\n%s", args.thread, trace)
        if args.exc_value is not None:
            emit(relay.crashed, args.exc_value, trace)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
