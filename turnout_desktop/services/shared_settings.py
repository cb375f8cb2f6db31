"""Settings shared by every office through the database: gate thresholds, statewide source, check interval.

Admin-only (on PostgreSQL the clerk's connection has no INSERT or UPDATE on ``app_setting`` either),
validated (finite numbers, 0 < within <= verified <= 100; a positive whole number of minutes), and every
change is one audit event carrying the old and the new value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from turnout_desktop.db import settings_store
from turnout_desktop.db.audit import record_event
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.permissions import Action
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services.context import AppContext

MAX_CHECK_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class SharedSettings:
    gate_verified: Decimal
    gate_within: Decimal
    statewide_source: str | None
    auto_check_minutes: int


@dataclass(frozen=True, slots=True)
class SettingChange:
    """One shared setting changed: its stored key, the value before ("" when unset) and the new value."""

    key: str
    old: str
    new: str


def read(ctx: AppContext) -> SharedSettings:
    with transaction(ctx.engine) as session:
        thresholds = settings_store.gate_thresholds(session)
        return SharedSettings(
            gate_verified=thresholds.verified, gate_within=thresholds.within,
            statewide_source=settings_store.get_setting(session, settings_store.STATEWIDE_SOURCE),
            auto_check_minutes=settings_store.auto_check_minutes(session),
        )


def parse_percent(text: str | Decimal, label: str) -> Decimal:
    """A finite percentage in (0, 100]; NaN, infinities and words are refused with the field's name."""
    try:
        value = Decimal(str(text).strip().rstrip("%"))
    except InvalidOperation as exc:
        raise InvalidRequest(f"The {label} must be a number between 0 and 100, got {text!r}.") from exc
    if not value.is_finite() or not Decimal(0) < value <= Decimal(100):
        raise InvalidRequest(f"The {label} must be a number above 0 and at most 100, got {text!r}.")
    return value


def update(ctx: AppContext, *, gate_verified: str | Decimal | None = None, gate_within: str | Decimal | None = None,
           statewide_source: str | None = None, auto_check_minutes: int | None = None,
           probe_source: bool = True) -> tuple[SettingChange, ...]:
    """Change the named shared settings in one transaction; returns the changes made (key, old, new).

    A statewide source is checked by ``statewide_source.validate_source`` (a URL is probed unless
    ``probe_source`` is False).

    Raises:
        PermissionDenied: the role may not change shared settings (exit 4).
        InvalidRequest: a value is out of range, not finite, or the source is missing, unreadable or refused.
    """
    ctx.require(Action.SET_SHARED_SETTINGS)
    current = read(ctx)
    verified = parse_percent(gate_verified, "verified threshold") if gate_verified is not None else None
    within = parse_percent(gate_within, "within threshold") if gate_within is not None else None
    if (within or current.gate_within) > (verified or current.gate_verified):
        raise InvalidRequest(f"The within threshold ({within or current.gate_within}) may not exceed the verified "
                             f"threshold ({verified or current.gate_verified}).")
    wanted: dict[str, str] = {}
    if verified is not None:
        wanted[settings_store.GATE_VERIFIED] = str(verified)
    if within is not None:
        wanted[settings_store.GATE_WITHIN] = str(within)
    if statewide_source is not None:
        wanted[settings_store.STATEWIDE_SOURCE] = validated_source(statewide_source, probe=probe_source)
    if auto_check_minutes is not None:
        if isinstance(auto_check_minutes, bool) or not 0 < int(auto_check_minutes) <= MAX_CHECK_MINUTES:
            raise InvalidRequest(f"The check interval must be 1 to {MAX_CHECK_MINUTES} minutes, got "
                                 f"{auto_check_minutes!r}.")
        wanted[settings_store.AUTO_CHECK_MINUTES] = str(int(auto_check_minutes))
    changes: list[SettingChange] = []
    with transaction(ctx.engine) as session:
        for key, value in wanted.items():
            old = settings_store.get_setting(session, key)
            if old == value:
                continue
            settings_store.set_setting(session, key, value)
            changes.append(SettingChange(key=key, old=old or "", new=value))
        if changes:
            record_event(session, "settings_change", "Shared settings changed: " + ", ".join(
                f"{c.key} {c.old or '(unset)'} -> {c.new}" for c in changes), user=ctx.user, role=ctx.role,
                details={"changes": [asdict(change) for change in changes]})
    return tuple(changes)


def validated_source(source: str, *, probe: bool = True) -> str:
    """A readable folder or file (stored as an absolute path) or an https URL that answers (stored as typed)."""
    from turnout_desktop.store.statewide_source import validate_source

    return validate_source(source, probe=probe)
