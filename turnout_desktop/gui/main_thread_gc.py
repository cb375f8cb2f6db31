"""Cyclic garbage collection only in the GUI thread.

Python's collector runs in whichever thread happens to allocate past the threshold. When that is a
worker thread (a database query on the task runner, the snapshot writer) and the garbage holds a Qt
object from a closed window or dialog, the object is destroyed outside the thread that owns it and the
process can crash (seen: a segmentation fault inside a SQLAlchemy query on a worker, "Garbage-collecting").
So the automatic collector is switched off and the GUI thread collects on a timer instead, generation
by generation as the thresholds say, the way calibre and pyqtgraph do it.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500


def collect_due_generations(thresholds: tuple[int, int, int]) -> int:
    """Collect the generations whose allocation counts passed their thresholds; returns objects found.

    Call it from the GUI thread only: whatever it frees is destroyed in the calling thread.
    """
    young, middle, old = gc.get_count()
    found = 0
    if young > thresholds[0]:
        found += gc.collect(0)
        if middle > thresholds[1]:
            found += gc.collect(1)
            if old > thresholds[2]:
                found += gc.collect(2)
    return found


class MainThreadGarbageCollector(QObject):
    """Switches the automatic collector off and collects from a timer in the thread that created it."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds: tuple[int, int, int] = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)

    def install(self) -> None:
        gc.disable()
        self._timer.start()

    def uninstall(self) -> None:
        self._timer.stop()
        gc.collect()  # what is left goes now, still in this thread
        if self._was_enabled:
            gc.enable()

    def collect_due(self) -> int:
        return collect_due_generations(self._thresholds)
