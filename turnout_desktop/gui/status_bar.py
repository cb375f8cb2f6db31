"""The status bar's permanent labels: which database, whether the server answers, who acts."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from turnout_desktop.services.worker_context import ContextSpec


class StatusBarLabels:
    """Adds the three labels to ``status_bar``; the outbox monitor and the dashboard write the online one."""

    def __init__(self, status_bar: QStatusBar, spec: ContextSpec) -> None:
        self.db_label = QLabel("shared server" if spec.is_shared else "local database")
        self.db_label.setObjectName("dbLabel")
        self.online_label = QLabel("…")
        self.online_label.setObjectName("onlineLabel")
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.show_identity(spec)
        for label in (self.db_label, self.online_label, self.user_label):
            status_bar.addPermanentWidget(label)

    def show_identity(self, spec: ContextSpec) -> None:
        """Who acts as the database reports it (``clerk_loving - clerk (LOVING)``, ``local, not signed in``)."""
        self.user_label.setText(spec.label())
