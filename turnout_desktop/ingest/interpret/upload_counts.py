"""Official counts of an upload: from summary sheets (latest snapshot wins) or distinct roster VUIDs."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from turnout_desktop.domain.codes import METHODS, TOTAL
from turnout_desktop.ingest.interpret.dates import date_from_name
from turnout_desktop.ingest.interpret.model import OfficialCount
from turnout_desktop.ingest.interpret.normalize import NO_VUID_KEY, Distinct, row_vuid_keys
from turnout_desktop.ingest.interpret.problems import ProblemLog
from turnout_desktop.ingest.interpret.summary import SummaryCounts

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
        order.sort(key=lambda i: keys[i] or (0, 0))  # never None here: all keys are set
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


def roster_counts(rows: pd.DataFrame, empty_keys: Iterable[tuple[str, str]] = (),
                  repeated: np.ndarray | None = None) -> CountTable:
    """Distinct valid VUIDs per county, party and method (an exactly repeated row counts once).

    Works on integer codes: county, party and method are factorised (few distinct values) and the
    VUIDs are the integer keys of ``normalize.row_vuid_keys``.

    Args:
        rows: the upload's rows with ``county``, ``party``, ``voting_method`` and ``vuid`` (and
            ``_vuid_key`` when read from roster sheets).
        empty_keys: (county, party) pairs of empty sheets, listed with no counts.
        repeated: optional, True for each row whose VUID occurs on another row too (as returned by
            ``upload_duplicates.flag_duplicates``); only those rows are then hashed.
    """
    table: CountTable = {key: {} for key in empty_keys}
    counties = _factorized(rows["county"])
    parties = _factorized(rows["party"])
    methods = _factorized(rows["voting_method"])
    keys = row_vuid_keys(rows)
    n_parties, n_methods = len(parties.uniques), len(methods.uniques)
    valid = (keys != NO_VUID_KEY) & (counties.codes >= 0) & (parties.codes >= 0) & (methods.codes >= 0)
    groups = (counties.codes[valid].astype(np.int64) * n_parties + parties.codes[valid]) * n_methods \
        + methods.codes[valid]
    if repeated is None:
        group_sizes = _distinct_pairs_per_group(groups, keys[valid])
    else:
        # A VUID seen once is its group's own distinct VUID; only repeated ones need the hash pass.
        again = np.asarray(repeated, dtype=bool)[valid]
        once = np.bincount(groups[~again], minlength=int(groups.max()) + 1 if len(groups) else 0)
        twice = _distinct_pairs_per_group(groups[again], keys[valid][again])
        group_sizes = once
        group_sizes[:len(twice)] += twice
    labelled: list[tuple[tuple[str, str, str], int]] = []  # county, party, method: canonical text
    for group in np.flatnonzero(group_sizes).tolist():
        rest, method_code = divmod(group, n_methods)
        county_code, party_code = divmod(rest, n_parties)
        labelled.append(((str(counties.uniques[county_code]), str(parties.uniques[party_code]),
                          str(methods.uniques[method_code])),
                         int(group_sizes[group])))
    for (county, party, method), number in sorted(labelled):
        table.setdefault((county, party), {})[method] = number
    # Every (county, party) with rows gets an entry, in order of first appearance, even without valid VUIDs.
    both = (counties.codes >= 0) & (parties.codes >= 0)
    pairs = pd.unique(counties.codes[both].astype(np.int64) * n_parties + parties.codes[both])
    for pair in pairs.tolist():
        county_code, party_code = divmod(pair, n_parties)
        table.setdefault((str(counties.uniques[county_code]), str(parties.uniques[party_code])), {})
    return table


def _factorized(column: pd.Series) -> Distinct:
    # These columns hold a few canonical values shared by many rows: pandas hashes them quickly.
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
    return Distinct(np.asarray(codes, dtype=np.intp), list(uniques), False)


def _distinct_pairs_per_group(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """How many distinct keys each group holds (index = group number)."""
    if not len(groups):
        return np.zeros(0, dtype=np.int64)
    low = int(keys.min())
    span = int(keys.max()) - low + 1
    if (int(groups.max()) + 1) * span < 2**62:
        # One integer per (group, key) pair: a single hash pass finds the distinct pairs.
        distinct = pd.unique(groups * span + (keys - low)) // span
    else:
        pairs = pd.DataFrame({"group": groups, "key": keys}).drop_duplicates()
        distinct = pairs["group"].to_numpy()
    return np.bincount(distinct, minlength=int(groups.max()) + 1)


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
