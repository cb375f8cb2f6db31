"""Settings shared through the database (statewide source, gate thresholds, success threshold)."""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from turnout_desktop.db.models import AppSetting
from turnout_desktop.domain.gate import DEFAULT_VERIFIED_THRESHOLD, DEFAULT_WITHIN_THRESHOLD, GateThresholds
from turnout_desktop.domain.limits import DEFAULT_JSON_MAX_MB

log = logging.getLogger(__name__)

STATEWIDE_SOURCE = "statewide_source"
GATE_VERIFIED = "gate_verified_threshold"
GATE_WITHIN = "gate_within_threshold"
SUCCESS_THRESHOLD = "success_threshold"
AUTO_CHECK_MINUTES = "auto_check_minutes"
JSON_ENVELOPE_MAX_MB = "json_envelope_max_mb"
DEMO_DATA = "demo_data"  # "true" in a database seeded with made-up demo data (services/demo.py seed_demo)
DEFAULT_AUTO_CHECK_MINUTES = 60


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    value = session.execute(select(AppSetting.value).where(AppSetting.key == key)).scalar()
    return default if value is None else value


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(AppSetting, key)
    if row is None:
        session.add(AppSetting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def is_demo_database(session: Session) -> bool:
    """True when the database holds demo data: its reports say DEMO and nothing of it is published."""
    return get_setting(session, DEMO_DATA) == "true"


def _percent(session: Session, key: str, default: Decimal) -> Decimal:
    """A stored percentage; a value that is not a finite number in (0, 100] (written around the service)
    falls back to the strict default rather than crash the gate or let everything through."""
    raw = get_setting(session, key)
    try:
        value = Decimal(raw) if raw is not None else default
    except InvalidOperation:
        value = default
    if not value.is_finite() or not Decimal(0) < value <= Decimal(100):
        log.error("shared setting %s=%r is not a percentage; using %s", key, raw, default)
        return default
    return value


def gate_thresholds(session: Session) -> GateThresholds:
    verified = _percent(session, GATE_VERIFIED, DEFAULT_VERIFIED_THRESHOLD)
    within = _percent(session, GATE_WITHIN, DEFAULT_WITHIN_THRESHOLD)
    if within > verified:
        within = verified
    return GateThresholds(verified=verified, within=within)


def success_threshold(session: Session) -> Decimal:
    return _percent(session, SUCCESS_THRESHOLD, DEFAULT_VERIFIED_THRESHOLD)


def auto_check_minutes(session: Session) -> int:
    raw = get_setting(session, AUTO_CHECK_MINUTES)
    try:
        minutes = int(raw) if raw is not None else DEFAULT_AUTO_CHECK_MINUTES
    except ValueError:
        return DEFAULT_AUTO_CHECK_MINUTES
    return minutes if minutes > 0 else DEFAULT_AUTO_CHECK_MINUTES


def json_envelope_max_mb(session: Session) -> int:
    """The size limit of an uploaded JSON file in MB (``domain.limits.DEFAULT_JSON_MAX_MB`` unless set);
    a value that is not a positive whole number falls back to the default."""
    raw = get_setting(session, JSON_ENVELOPE_MAX_MB)
    try:
        value = int(raw) if raw is not None else DEFAULT_JSON_MAX_MB
    except ValueError:
        value = 0
    if value <= 0:
        log.error("shared setting %s=%r is not a positive number of MB; using %s", JSON_ENVELOPE_MAX_MB, raw,
                  DEFAULT_JSON_MAX_MB)
        return DEFAULT_JSON_MAX_MB
    return value
