"""Finding active QTimers below a widget (the GUI leak check and its own tests use it)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

# Timers (by objectName) that may stay active after their window closed; none so far.
ALLOWED_TIMERS: frozenset[str] = frozenset()


def active_timers(widget: QWidget) -> list[str]:
    """Active QTimers owned by ``widget`` or anything below it (helper objects too), by name or owner."""
    return [f"{type(widget).__name__}/{t.objectName() or type(t.parent()).__name__}"
            for t in widget.findChildren(QTimer) if t.isActive() and t.objectName() not in ALLOWED_TIMERS]
