"""Settings kept with the data, and the offline helpers: the statewide count cache and the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from turnout_desktop.db.models.base import Base, utcnow


class AppSetting(Base):
    """Shared settings stored with the data (statewide source, gate thresholds)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class StatewideCountCache(Base):
    """Statewide counts by county/party/method, cached locally for offline pre-checks."""

    __tablename__ = "statewide_count_cache"
    __table_args__ = (
        UniqueConstraint("county", "election_date", "party", "voting_method", name="uq_statewide_count_cache"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county: Mapped[str] = mapped_column(String(100))
    election_date: Mapped[dt.date] = mapped_column(Date)
    party: Mapped[str] = mapped_column(String(50))
    voting_method: Mapped[str] = mapped_column(String(50))
    count: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.datetime | None] = mapped_column(DateTime)


class OutboxItem(Base):
    """A submission made while the shared server was unreachable, pushed exactly once later."""

    __tablename__ = "outbox_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    pushed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
