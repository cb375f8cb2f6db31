"""Settings shared through the database (statewide source, gate thresholds, success threshold)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from turnout_desktop.db.models import AppSetting
from turnout_desktop.engine.gate import DEFAULT_VERIFIED_THRESHOLD, DEFAULT_WITHIN_THRESHOLD, GateThresholds

STATEWIDE_SOURCE = "statewide_source"
GATE_VERIFIED = "gate_verified_threshold"
GATE_WITHIN = "gate_within_threshold"
SUCCESS_THRESHOLD = "success_threshold"


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


def gate_thresholds(session: Session) -> GateThresholds:
    return GateThresholds(
        verified=Decimal(get_setting(session, GATE_VERIFIED) or DEFAULT_VERIFIED_THRESHOLD),
        within=Decimal(get_setting(session, GATE_WITHIN) or DEFAULT_WITHIN_THRESHOLD),
    )


def success_threshold(session: Session) -> Decimal:
    return Decimal(get_setting(session, SUCCESS_THRESHOLD) or DEFAULT_VERIFIED_THRESHOLD)
