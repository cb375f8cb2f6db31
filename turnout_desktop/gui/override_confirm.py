"""Confirming a manual override with the figure and label it publishes; the box that revokes one in force.

The label shown is the gate's own (``services/admin_decisions.py`` ``OverridePreview.published``), recomputed
as the reason is typed, so what the admin confirms is what the public export will say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from turnout_desktop.domain.labels import accuracy_text, method_label
from turnout_desktop.gui.qt_compat import emit
from turnout_desktop.gui.record_model import format_value
from turnout_desktop.services.reconciliation_results import LogOverride

if TYPE_CHECKING:  # the service module loads the engine; the window starts without it
    from turnout_desktop.services.admin_decisions import OverridePreview

REASON_PLACEHOLDER = "(your reason)"


def figures_text(preview: OverridePreview) -> str:
    """The figure an override publishes (the official count, per method) and what the database holds."""
    methods = ", ".join(f"{method_label(method)} {count:,}" for method, count in preview.official_by_method.items())
    return (f"Figure to publish: <b>{preview.official_total:,}</b> votes, {preview.county}'s official "
            f"{preview.party} count ({methods}).<br>The database holds {preview.database_total:,} votes for it, "
            f"{preview.confirmed_total:,} of them confirmed by statewide data "
            f"({accuracy_text(preview.confirmed_accuracy_pct)}).<br>"
            f"Public now: {'shown' if preview.allowed_now else 'held back'} - {preview.message_now}")


def published_text(preview: OverridePreview, reason: str) -> str:
    """What the gate will say once the override is in force, with the reason as typed."""
    decision = preview.published(reason or REASON_PLACEHOLDER)
    if decision.allowed:
        return f"After the override: shown publicly as {preview.official_total:,} votes, labelled " \
               f"\u201c{decision.message}\u201d."
    return f"After the override the figure is still held back: \u201c{decision.message}\u201d."


def override_in_force_text(active: LogOverride) -> str:
    when = f" on {format_value(active.created_at)}" if active.created_at else ""
    return f"Override in force ({active.status}), given by {active.created_by}{when}: {active.reason}"


class OverrideConfirmDialog(QDialog):
    """Shows the figure and label an override publishes; accepted only with a reason, by a button that says so."""

    def __init__(self, preview: OverridePreview, reason: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overrideConfirmDialog")
        self.setWindowTitle(f"Confirm manual override - {preview.county} {preview.party}")
        self.preview = preview
        self.figures_label = QLabel(figures_text(preview))
        self.figures_label.setObjectName("overrideFigures")
        self.figures_label.setWordWrap(True)
        self.reason_edit = QPlainTextEdit(reason)
        self.reason_edit.setObjectName("overrideConfirmReason")
        self.reason_edit.setPlaceholderText("Why the figure may be published as it is (recorded in the audit "
                                            "log and shown with the figure)")
        self.reason_edit.setMaximumHeight(80)
        self.published_label = QLabel()
        self.published_label.setObjectName("overridePublished")
        self.published_label.setWordWrap(True)
        self.in_force_label = QLabel()
        self.in_force_label.setObjectName("overrideInForce")
        self.in_force_label.setWordWrap(True)
        active = preview.override_in_force
        self.in_force_label.setText("" if active is None else override_in_force_text(active)
                                    + ". Revoke it in the escalation before giving another.")
        self.in_force_label.setVisible(active is not None)
        self.buttons = QDialogButtonBox()
        self.publish_button = self.buttons.addButton(f"Publish {preview.county} {preview.party} by override",
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.publish_button.setObjectName("publishOverrideButton")
        self.publish_button.setAutoDefault(False)  # Enter never publishes: only a click on the named button
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)  # else the button box makes the accept button default when shown
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(self.figures_label)
        layout.addWidget(self.in_force_label)
        layout.addWidget(QLabel("Reason:"))
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.published_label)
        layout.addWidget(self.buttons)
        self.reason_edit.setFocus()
        self._update()

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def _update(self) -> None:
        self.published_label.setText(published_text(self.preview, self.reason()))
        self.publish_button.setEnabled(bool(self.reason()) and self.preview.override_in_force is None)


class OverrideInForceBox(QGroupBox):
    """An override in force: who gave it and why, and Revoke (admin only, with a written reason)."""

    revoke_requested = Signal(int, str)  # override id, reason

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Override in force", parent)
        self.setObjectName("overrideInForceBox")
        self.override: LogOverride | None = None
        self.info_label = QLabel()
        self.info_label.setObjectName("overrideInForceText")
        self.info_label.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("revokeReason")
        self.reason_edit.setPlaceholderText("Why revoke it? (required; kept in the audit trail)")
        self.revoke_button = QPushButton("Revoke override")
        self.revoke_button.setObjectName("revokeOverrideButton")
        self.revoke_button.setAutoDefault(False)
        self.revoke_button.clicked.connect(self._emit_revoke)
        self.reason_edit.returnPressed.connect(self._emit_revoke)  # Enter in the reason: what its button does
        self.reason_edit.textChanged.connect(self._update)
        row = QHBoxLayout()
        row.addWidget(self.reason_edit, 1)
        row.addWidget(self.revoke_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info_label)
        layout.addLayout(row)
        self.show_override(None)

    def show_override(self, active: LogOverride | None) -> None:
        self.override = active
        self.info_label.setText(override_in_force_text(active) if active is not None else "")
        self.reason_edit.clear()
        self._update()

    def _update(self) -> None:
        self.revoke_button.setEnabled(self.override is not None and bool(self.reason_edit.text().strip()))

    def _emit_revoke(self) -> None:
        if self.override is not None and self.revoke_button.isEnabled():
            emit(self.revoke_requested, self.override.id, self.reason_edit.text().strip())
