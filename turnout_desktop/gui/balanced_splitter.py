"""A splitter that shares its width by weights and keeps the panes' shares when the window is resized.

``QSplitter.setSizes`` before the window is shown is scaled against a provisional size, and the space
a window gains goes by the panes' size hints: the county pane stayed about 470 px wide even on a
1920 px screen. Here the panes are split by weights once the real width is known, and every later
resize keeps the shares the user last chose (by dragging the handle, or in a restored saved layout).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QSplitter, QWidget


class BalancedSplitter(QSplitter):
    """Panes share the width by ``weights`` on the first layout and keep their shares afterwards."""

    def __init__(self, orientation: Qt.Orientation, weights: Sequence[int],
                 parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        if not weights or any(weight <= 0 for weight in weights):
            raise ValueError(f"splitter weights must be positive, got {list(weights)}")
        self.weights = tuple(weights)
        self._shares: tuple[float, ...] | None = None  # None until split by weights or restored
        self.splitterMoved.connect(self._remember_shares)

    def restoreState(self, state: QByteArray | bytes) -> bool:  # noqa: N802 - Qt override
        """The user's own saved split wins over the weights."""
        restored = super().restoreState(state)
        if restored:
            self._remember_shares()
        return restored

    def balance(self) -> None:
        """Split the current width by the weights."""
        count = min(self.count(), len(self.weights))
        if count == 0:
            return
        weights = self.weights[:count]
        self._shares = tuple(weight / sum(weights) for weight in weights)
        self._apply_shares()

    def _remember_shares(self, *_moved: int) -> None:
        sizes = self.sizes()
        total = sum(sizes)
        if total > 0:
            self._shares = tuple(size / total for size in sizes)

    def _apply_shares(self) -> None:
        total = sum(self.sizes())
        if self._shares is None or total <= 0 or len(self._shares) != self.count():
            return
        self.setSizes([round(total * share) for share in self._shares])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._shares is None:
            self.balance()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._shares is None:
            if self.isVisible():
                self.balance()
        else:
            self._apply_shares()
