"""The one public gate: every public figure passes through ``can_show_data_publicly``.

The public figure of a county/party/method is the county's official count; the gate decides whether
it may be shown, and with which label. First match wins (the README's table):

| case | public | label |
|---|---|---|
| no finished reconciliation since the latest input change | no | reconciliation in progress |
| ESCALATED, not overridden | no | blocked: escalated to an administrator |
| admin override in force | yes | published by override (reason) |
| accuracy on statewide-confirmed records >= verified threshold | yes | Data verified |
| that accuracy >= within threshold | yes | Data verified (within 1%), with the gap |
| otherwise (a county with no statewide data included) | no | not independently verified |

"Statewide-confirmed" records are the active records of a statewide import; a county record with the
same VUID and method is the same voter and adds nothing (``engine/repository.py`` ``confirmed_counts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from turnout_desktop.domain.status import Status

DEFAULT_VERIFIED_THRESHOLD = Decimal("99.9")
DEFAULT_WITHIN_THRESHOLD = Decimal("99.0")

LEVEL_IN_PROGRESS = "in_progress"
LEVEL_ESCALATED = "escalated"
LEVEL_OVERRIDE = "override"
LEVEL_VERIFIED = "verified"
LEVEL_WITHIN = "within"
LEVEL_UNCONFIRMED = "unconfirmed"
LEVEL_BLOCKED = "blocked"  # an override that sets a status other than RESOLVED


@dataclass(frozen=True, slots=True)
class GateThresholds:
    verified: Decimal = DEFAULT_VERIFIED_THRESHOLD
    within: Decimal = DEFAULT_WITHIN_THRESHOLD


@dataclass(frozen=True, slots=True)
class GateFacts:
    """What the gate needs to know about one (county, party)."""

    reconciled: bool  # a finished run (RESOLVED or ESCALATED) since the county's inputs last changed
    status: str | None  # that run's status
    confirmed_accuracy: Decimal | None  # accuracy counting statewide-confirmed records only
    override_reason: str | None = None  # an admin override in force
    override_status: str = Status.RESOLVED  # the status that override sets


@dataclass(frozen=True, slots=True)
class GateDecision:
    allowed: bool
    accuracy_pct: Decimal | None
    message: str
    level: str  # one of the LEVEL_* values


def can_show_data_publicly(facts: GateFacts, thresholds: GateThresholds = GateThresholds()) -> GateDecision:
    """Decide whether a county/party figure may be shown publicly (the table in the module docstring)."""
    accuracy = facts.confirmed_accuracy
    if not facts.reconciled:
        return GateDecision(False, accuracy, "Reconciliation in progress", LEVEL_IN_PROGRESS)
    if facts.override_reason is not None and facts.override_status != Status.RESOLVED:
        return GateDecision(False, accuracy, f"Blocked by manual override ({facts.override_status}): "
                            f"{facts.override_reason}", LEVEL_BLOCKED)
    if facts.status == Status.ESCALATED and facts.override_reason is None:
        return GateDecision(False, accuracy, "Blocked: escalated to an administrator", LEVEL_ESCALATED)
    if facts.override_reason is not None:
        return GateDecision(True, accuracy, f"Published by override ({facts.override_reason})", LEVEL_OVERRIDE)
    if accuracy is not None and accuracy >= thresholds.verified:
        return GateDecision(True, accuracy, "Data verified", LEVEL_VERIFIED)
    if accuracy is not None and accuracy >= thresholds.within:
        within_pct = (Decimal(100) - thresholds.within).normalize()
        gap = (Decimal(100) - accuracy).quantize(Decimal("0.01"))
        return GateDecision(True, accuracy, f"Data verified (within {within_pct:f}%), gap {gap}%", LEVEL_WITHIN)
    shown = f" ({accuracy.quantize(Decimal('0.01'))}% confirmed by statewide data)" if accuracy is not None else ""
    return GateDecision(False, accuracy, f"Not independently verified{shown}", LEVEL_UNCONFIRMED)
