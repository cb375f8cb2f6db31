"""Official counts of an upload: from summary sheets (latest snapshot wins) or distinct roster VUIDs."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from turnout_desktop.domain.codes import METHODS, TOTAL
from turnout_desktop.ingest.dates import date_from_name
from turnout_desktop.ingest.model import OfficialCount
from turnout_desktop.ingest.problems import ProblemLog
from turnout_desktop.ingest.summary import SummaryCounts

CountTable = dict[tuple[str, str], dict[str, int]]
_MONTH_DAY = re.compile(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[\s._-]*(\d{1,2})\b")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _snapshot_key(summary: SummaryCounts) -> tuple[int, int] | None:
    """Month and day a sheet name (``Oct-30``) or file name dates its snapshot with."""
    if match := _MONTH_DAY.search(summary.sheet or ""):
        return _MONTHS.index(match.group(1).lower()[:3]) + 1, int(match.group(2))
    found = date_from_name(summary.sheet or "") or date_from_name(summary.file)
    return (found.month, found.day) if found else None


def summary_counts(summaries: list[SummaryCounts], log: ProblemLog) -> CountTable:
    """Merge summary sheets. Several cumulative snapshots of the same counts are not added up:
    the latest (by the date in the sheet/file name, else the last in order) is used."""
    keys = [_snapshot_key(s) for s in summaries]
    order = list(range(len(summaries)))
    if all(k is not None for k in keys):
        order.sort(key=lambda i: keys[i])
    merged: CountTable = {}
    source: dict[tuple[str, str], int] = {}
    for position in order:
        for key, counts in summaries[position].counts.items():
            merged[key] = dict(counts)
            source[key] = position
    used = set(source.values())
    for position in order:
        summary = summaries[position]
        if position not in used and summary.counts:
            log.add("summary_sheet_superseded", file=summary.file, sheet=summary.sheet or None)
    return merged


def roster_counts(rows: pd.DataFrame, empty_keys: Iterable[tuple[str, str]] = ()) -> CountTable:
    """Distinct valid VUIDs per county, party and method (an exactly repeated row counts once)."""
    table: CountTable = {key: {} for key in empty_keys}
    valid = rows.dropna(subset=["vuid", "county", "party", "voting_method"])
    distinct = valid.drop_duplicates(subset=["county", "party", "voting_method", "vuid"])
    grouped = distinct.groupby(["county", "party", "voting_method"], sort=True).size()
    for (county, party, method), number in grouped.items():
        table.setdefault((county, party), {})[method] = int(number)
    keys = rows[["county", "party"]].dropna().drop_duplicates()
    for key in keys.itertuples(index=False, name=None):
        table.setdefault(key, {})
    return table


def official_counts(table: CountTable) -> list[OfficialCount]:
    """One count per county x party x method (zeros included) plus the TOTAL per party."""
    result: list[OfficialCount] = []
    for (county, party), counts in sorted(table.items()):
        for method in METHODS:
            result.append(OfficialCount(county, party, str(method), int(counts.get(str(method), 0))))
        total = counts.get(TOTAL)
        if total is None:
            total = sum(counts.get(str(m), 0) for m in METHODS)
        result.append(OfficialCount(county, party, TOTAL, int(total)))
    return result
