"""The one public gate: every public number passes through ``can_show_data_publicly``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DEFAULT_VERIFIED_THRESHOLD = Decimal("99.9")
DEFAULT_WITHIN_THRESHOLD = Decimal("99.0")


@dataclass(frozen=True, slots=True)
class GateThresholds:
    verified: Decimal = DEFAULT_VERIFIED_THRESHOLD
    within: Decimal = DEFAULT_WITHIN_THRESHOLD


@dataclass(frozen=True, slots=True)
class GateDecision:
    allowed: bool
    accuracy_pct: Decimal | None
    message: str
    level: str  # verified | within | blocked | no_data


def can_show_data_publicly(accuracy: Decimal | None, thresholds: GateThresholds = GateThresholds(),
                           *, override_reason: str | None = None) -> GateDecision:
    """Decide whether a county/party figure may be shown publicly.

    >= verified threshold: "Data verified"; >= within threshold: "Data verified (within 1%)";
    otherwise blocked, with the accuracy in the message. A manual override (admin, with a written
    reason) lets the figure through and says so.
    """
    if override_reason is not None:
        return GateDecision(True, accuracy, f"Manual override: {override_reason}", "override")
    if accuracy is None:
        return GateDecision(False, None, "Blocked: no official county count to verify against", "no_data")
    shown = f"{accuracy.quantize(Decimal('0.01'))}%"
    if accuracy >= thresholds.verified:
        return GateDecision(True, accuracy, "Data verified", "verified")
    if accuracy >= thresholds.within:
        within_pct = (Decimal(100) - thresholds.within).normalize()
        return GateDecision(True, accuracy, f"Data verified (within {within_pct:f}%)", "within")
    return GateDecision(False, accuracy, f"Blocked: accuracy {shown} is below {thresholds.within}%", "blocked")
