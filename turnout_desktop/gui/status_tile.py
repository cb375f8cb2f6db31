"""One clickable figure of the status panel: a caption over a value; clicking it filters the tables."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from turnout_desktop.gui.qt_compat import emit

_ACTIVATING_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)


class StatusTile(QFrame):
    """Caption and value labels; a click (or Enter/Space with focus) emits ``clicked``.

    The chosen tile is drawn sunken in a panel frame, so it is told apart without a colour of its own.
    """

    clicked = Signal()

    def __init__(self, caption: str, value: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusTile")
        self.caption_label = QLabel(caption)
        self.caption_label.setObjectName("statusCaption")
        self.value_label = value
        value.setObjectName("statusValue")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(caption)
        self.setToolTip(f"Show only: {caption}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.caption_label)
        layout.addWidget(value)
        self.set_active(False)

    def set_caption(self, caption: str) -> None:
        self.caption_label.setText(caption)
        self.setAccessibleName(caption)
        self.setToolTip(f"Show only: {caption}")

    def set_active(self, active: bool) -> None:
        """Mark the tile whose status the tables are filtered to."""
        self.setProperty("active", active)
        self.setFrameShape(QFrame.Shape.Panel if active else QFrame.Shape.NoFrame)
        self.setFrameShadow(QFrame.Shadow.Sunken if active else QFrame.Shadow.Plain)

    def is_active(self) -> bool:
        return bool(self.property("active"))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            emit(self.clicked)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in _ACTIVATING_KEYS:
            emit(self.clicked)
            return
        super().keyPressEvent(event)
