"""The audit-trail alarm of the main window: when to verify the chain, and the red banner on a break.

Walking the whole chain costs seconds on a large trail (README benchmark: 1M events under 5 s), so the
window does not verify after every action: on the first load, on an explicit Refresh, and when the
last verification is older than :data:`VERIFY_EVERY`. Only roles that may verify (admin, auditor,
service, local) do it; a clerk reads only its counties' events and could never see a whole chain.
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QWidget

from turnout_desktop.services.dashboard import AuditCheck

VERIFY_EVERY_SECONDS = 10 * 60
# Inline, not in style.qss: the alarm must look like one even when the stylesheet is not shipped.
ALARM_STYLE = ("QLabel#auditAlarmBanner { background: #a40e26; color: white; font-weight: 600; "
               "border-radius: 4px; padding: 8px; }")


class AuditAlarmBanner(QLabel):
    """Hidden while the chain is intact; red, naming the first broken seq, when it is not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditAlarmBanner")
        self.setStyleSheet(ALARM_STYLE)
        self.setWordWrap(True)
        self.hide()
        self.last: AuditCheck | None = None
        self._verified_at: float | None = None

    def wants_verification(self, *, may_verify: bool, explicit: bool) -> tuple[bool, bool]:
        """(verify, record) for the next dashboard load.

        The first verification of a window is recorded in the trail (somebody looked, and found it
        intact); later intact ones are not, so that refreshing does not flood the trail. A break is
        recorded every time (the job does that).
        """
        if not may_verify:
            return False, False
        due = self._verified_at is None or time.monotonic() - self._verified_at >= VERIFY_EVERY_SECONDS
        return explicit or due, self._verified_at is None

    def show_check(self, check: AuditCheck | None) -> None:
        """Apply a verification outcome (None: this load did not verify, keep what is shown)."""
        if check is None:
            return
        self.last = check
        self._verified_at = time.monotonic()
        if check.error:
            self.setText(f"The audit trail could not be verified: {check.error}")
            self.show()
        elif not check.intact:
            self.setText(f"AUDIT TRAIL BROKEN at seq {check.broken_seq}: {check.reason or 'the chain does not match'}"
                         ". Somebody changed the record of what happened. Tell the state data team; do not certify "
                         "or publish until it is explained.")
            self.show()
        else:
            self.clear()
            self.hide()

    def reset(self) -> None:
        """Forget the last verification (another identity or database: verify again at once)."""
        self.last = None
        self._verified_at = None
        self.clear()
        self.hide()
