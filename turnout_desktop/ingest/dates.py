"""Dates as real county files write them: cells (text, Excel serials, datetimes) and file names.

Formats (DATA_FORMATS.md 4, "Dates"): ``MM/DD/YYYY``, ISO ``YYYY-MM-DD``, ``DD-MON-YY``,
``M/D/YYYY H:MM``, Excel serial numbers, ``YYYYMMDD``; file names add ``MM.DD.YYYY``,
``M-D-YYYY``, ``July-20-2026``, ``March 3, 2026`` and ``yyyymmddhhmmss`` stamps.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

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
                    return dt.datetime(*(int(g) for g in groups[:6]))
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
