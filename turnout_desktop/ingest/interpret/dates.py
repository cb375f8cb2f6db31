"""Dates as real county files write them: cells (text, Excel serials, datetimes) and file names.

Formats (docs/data-formats.md 4, "Dates"): ``MM/DD/YYYY``, ISO ``YYYY-MM-DD``, ``DD-MON-YY``,
``M/D/YYYY H:MM``, Excel serial numbers, ``YYYYMMDD``; file names add ``MM.DD.YYYY``,
``M-D-YYYY``, ``July-20-2026``, ``March 3, 2026`` and ``yyyymmddhhmmss`` stamps.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 once its 1900 leap-year bug is accounted for
_SERIAL_RANGE = (20_000, 80_000)  # 1954 .. 2119: anything else is not a plausible vote date serial
_MONTHS = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}

_US = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$",
                 re.IGNORECASE)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$")
_DMONY = re.compile(r"^(\d{1,2})[- ]([A-Za-z]{3})[A-Za-z]*[- ](\d{2}|\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date_value(value: object) -> dt.date | None:
    """The calendar date a cell holds, or None when it holds none (free text, blank)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        if value != value or not (_SERIAL_RANGE[0] <= value < _SERIAL_RANGE[1]):
            return None
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    if not text:
        return None
    if match := _US.match(text):
        return _safe_date(_year(match.group(3)), int(match.group(1)), int(match.group(2)))
    if match := _ISO.match(text):
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _DMONY.match(text):
        month = _MONTHS.get(match.group(2).upper())
        return _safe_date(_year(match.group(3)), month, int(match.group(1))) if month else None
    if match := _COMPACT.match(text):
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return parse_date_value(float(text))
    return None


def parse_date_column(values: Sequence[object]) -> list[dt.date | None]:
    """Parse a whole column, each distinct cell value once (vote dates repeat a lot)."""
    if not len(values):
        return []
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    parsed = [parse_date_value(u) for u in uniques]
    return [parsed[c] if c >= 0 else None for c in codes.tolist()]


_NAME_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\d{0,4}(?!\d)"), "stamp"),
    (re.compile(r"(?<!\d)(20\d{2})-(\d{1,2})-(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{1,2})[.\-_](\d{1,2})[.\-_](\d{4}|\d{2})(?!\d)"), "mdy"),
    (re.compile(r"(?i)(?<![A-Za-z])(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[\s.\-_]*(\d{1,2})"
                r"(?:st|nd|rd|th)?[\s,.\-_]*(\d{4})(?!\d)"), "month_name"),
    (re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)"), "compact"),
]


def datetime_from_name(name: str) -> dt.datetime | None:
    """The date (and time, for ``yyyymmddhhmmss`` stamps) a file name carries, else None."""
    for pattern, kind in _NAME_PATTERNS:
        for match in pattern.finditer(name):
            groups = match.groups()
            try:
                if kind == "stamp":
                    return _stamp(groups)
                if kind == "ymd" or kind == "compact":
                    return dt.datetime(int(groups[0]), int(groups[1]), int(groups[2]))
                if kind == "mdy":
                    return dt.datetime(_year(groups[2]), int(groups[0]), int(groups[1]))
                return dt.datetime(int(groups[2]), _MONTHS[groups[0][:3].upper()], int(groups[1]))
            except ValueError:
                continue  # 13.45.2026 is no date; try the next candidate
    return None


def date_from_name(name: str) -> dt.date | None:
    """The date a file name carries (``10.30.2020 Early Vote.xlsx`` -> 2020-10-30), else None."""
    found = datetime_from_name(name)
    return found.date() if found else None


# After an "as of" marker the date comes first, so month-first compact dates (``03012026``) are read too.
_MDY_COMPACT = re.compile(r"(\d{2})(\d{2})(20\d{2})(?!\d)")
# A time only after a ``T`` (``2026-03-01T0930``, ``T09-30``): a bare number there may be an election id.
_TIME_AFTER = re.compile(r"T(\d{2})[-.:h]?(\d{2})(?!\d)", re.IGNORECASE)


def datetime_at_start(text: str) -> dt.datetime | None:
    """The date (and time) ``text`` begins with, in any file-name format, else None.

    ``2026-03-01``, ``20260301``, ``03-01-2026``, ``03012026``, ``March 1, 2026``, a ``yyyymmddhhmmss``
    stamp; a date may be followed by ``T09:30`` / ``T0930``.
    """
    patterns = [*_NAME_PATTERNS, (_MDY_COMPACT, "mdy_compact")]
    for pattern, kind in patterns:
        match = pattern.match(text)
        if match is None:
            continue
        groups = match.groups()
        try:
            if kind == "stamp":
                return _stamp(groups)
            if kind == "ymd" or kind == "compact":
                day = dt.datetime(int(groups[0]), int(groups[1]), int(groups[2]))
            elif kind == "mdy" or kind == "mdy_compact":
                day = dt.datetime(_year(groups[2]), int(groups[0]), int(groups[1]))
            else:
                day = dt.datetime(int(groups[2]), _MONTHS[groups[0][:3].upper()], int(groups[1]))
        except ValueError:
            continue  # 20263001 is no year-first date; it may still be a month-first one
        time = _TIME_AFTER.match(text, match.end())
        if time is None:
            return day
        try:
            return day.replace(hour=int(time.group(1)), minute=int(time.group(2)))
        except ValueError:
            return day  # T99 is no time of day: the date alone
    return None


# Month and day without a year (Galveston ``…-BALLOTS-RECEIVED-10.7``, Denton ``1126_10-08_…``).
_MONTH_DAY = re.compile(r"(?<![\d.])(\d{1,2})[.\-](\d{1,2})(?![\d.])")
_SUFFIX = re.compile(r"\.(xlsx|xlsm|xlsb|xls|ods|csv|tsv|txt|zip)$", re.IGNORECASE)
_CUMULATIVE = re.compile(r"cumulative", re.IGNORECASE)
# How far from election day a file-name date may sit and still be a vote day: early voting and mail
# start weeks before (mail up to 45 days before, plus slack); late mail arrives days after.
_BEFORE_ELECTION = dt.timedelta(days=100)
_AFTER_ELECTION = dt.timedelta(days=30)


def _name_dates(name: str) -> list[tuple[int, int, dt.date]]:
    """Every full date a file name carries, with its span in the name, in order."""
    found: list[tuple[int, int, dt.date]] = []
    for pattern, kind in _NAME_PATTERNS:
        for match in pattern.finditer(name):
            if any(a < match.end() and match.start() < b for a, b, _ in found):
                continue  # already read as part of a longer pattern (a stamp holds a compact date)
            groups = match.groups()
            if kind == "stamp" or kind == "ymd" or kind == "compact":
                day = _safe_date(int(groups[0]), int(groups[1]), int(groups[2]))
            elif kind == "mdy":
                day = _safe_date(_year(groups[2]), int(groups[0]), int(groups[1]))
            else:
                day = _safe_date(int(groups[2]), _MONTHS[groups[0][:3].upper()], int(groups[1]))
            if day is not None:
                found.append((match.start(), match.end(), day))
    return sorted(found, key=lambda item: item[0])


def _near(day: dt.date, election: dt.date) -> bool:
    return election - _BEFORE_ELECTION <= day <= election + _AFTER_ELECTION


def vote_date_from_name(name: str, *, election: dt.date | None = None, election_day: bool = False) -> dt.date | None:
    """The vote day a daily roster's file name gives its rows (docs/data-formats.md 1.1, 1.4, 4 "Dates"), else None.

    The date in a name is the vote day only of a per-day file. It is not one when:
    the file is a cumulative snapshot (``Cumulative_EV_1121_10-29-21.csv``, Hidalgo ``(Cumulative)``), where
    it is the posting date; or it is the election date in the name of a non-election-day file
    (Galveston ``NOV-3-2026-BALLOTS-RECEIVED-10.7``, Hidalgo ``EV DEM Roster March 3, 2026``), where the
    other date (``10.7``, year from the election) is the vote day. A date far from the election is a typo:
    its year is replaced by the election's when that lands near it (``02.26.2027``), else it is dropped.
    """
    if _CUMULATIVE.search(name):
        return None
    stem = _SUFFIX.sub("", name)
    full = _name_dates(stem)
    year = election.year if election else (full[0][2].year if full else None)
    short = [] if year is None else [
        (m.start(), m.end(), day) for m in _MONTH_DAY.finditer(stem)
        if not any(a < m.end() and m.start() < b for a, b, _ in full)
        and (day := _safe_date(year, int(m.group(1)), int(m.group(2))))]
    # The vote day is written after the election's name (``nov-3rd-2025-…-10.8.26``): try the last date first.
    for _, _, day in sorted(full + short, key=lambda item: item[0], reverse=True):
        if election is None:
            return day
        if not _near(day, election):
            repaired = _safe_date(election.year, day.month, day.day)
            if repaired is None or not _near(repaired, election):
                continue
            day = repaired
        if day == election and not election_day:
            continue
        return day
    return None


def _stamp(groups: Sequence[str | Any]) -> dt.datetime:
    """The datetime of a ``stamp`` match: its six groups are year, month, day, hour, minute, second."""
    year, month, day, hour, minute, second = (int(g) for g in groups[:6])
    return dt.datetime(year, month, day, hour, minute, second)
