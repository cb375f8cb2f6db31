"""SIGTERM (a log-off, ``kill``, a service manager) closes the windows through the event loop, like Quit.

Python runs a signal handler only between bytecodes, and while Qt's event loop waits in C++ no bytecode
runs: a short QTimer tick hands control back to Python so the handler gets its turn. The handler itself only
raises a flag; the tick, on the GUI thread, closes the windows, so every ``closeEvent`` saves its state
(``MainWindow.closeEvent``: layout, timers, worker) before the application quits.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

SIGNAL_TICK_MS = 250  # how soon a SIGTERM is noticed; short enough to feel immediate, rare enough to cost nothing


def close_all_windows() -> None:
    """What Quit does for every window: each ``closeEvent`` saves its state; then the event loop ends."""
    QApplication.closeAllWindows()
    QApplication.quit()


class TerminationWatch(QObject):
    """Turns SIGTERM into ``close`` on the GUI thread (default: close every window and quit)."""

    def __init__(self, close: Callable[[], None] = close_all_windows, parent: QObject | None = None, *,
                 tick_ms: int = SIGNAL_TICK_MS) -> None:
        super().__init__(parent)
        self.close = close
        self.requested = False
        self._previous: Any = None
        self._installed = False
        self.timer = QTimer(self)
        self.timer.setObjectName("terminationTick")
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.tick)

    def install(self) -> None:
        """Handle SIGTERM from now on (main thread only: Python allows signal handlers nowhere else)."""
        self._previous = signal.signal(signal.SIGTERM, self.handle_signal)
        self._installed = True
        self.timer.start()

    def uninstall(self) -> None:
        """Give SIGTERM back to whoever had it before and stop the tick."""
        self.timer.stop()
        if self._installed:
            signal.signal(signal.SIGTERM, self._previous)
            self._installed = False

    def handle_signal(self, signum: int, _frame: FrameType | None) -> None:
        """The Python signal handler: only a flag, the tick does the closing."""
        log.info("signal %s received: closing the windows", signum)
        self.requested = True

    def tick(self) -> None:
        if not self.requested:
            return
        self.requested = False
        self.uninstall()  # a second SIGTERM while closing ends the process the default way
        self.close()
