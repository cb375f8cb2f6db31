"""The vectorised fast paths give exactly what cell-by-cell processing gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from turnout_desktop.domain.vuid import normalize_vuid
from turnout_desktop.ingest.interpret.layout import blank_mask, is_empty_cell
from turnout_desktop.ingest.interpret.normalize import (
    NO_VUID_KEY,
    cell_text,
    distinct_values,
    map_unique,
    normalize_vuid_array,
    normalize_vuids,
    row_vuid_keys,
)
from turnout_desktop.ingest.interpret.problems import ProblemLog
from turnout_desktop.ingest.interpret.upload_counts import roster_counts

ODD_CELLS = [None, "", "  ", "REDACTED", "1.23457E+09", "123456789", 123456789, "12345678901", "00123456789",
             "1234-5678", "abc", "1234567890.0", float("nan"), True, " 1234567890 ", "\u0661" * 10, 1.5,
             1234567890, "0000000001", dt.date(2020, 1, 1), 2_000_000_000.0, 99.0]


def _one_by_one(values: list[object]) -> tuple[list[object], list[object], list[object]]:
    results = [normalize_vuid(None if isinstance(v, float) and v != v else v,
                              numeric_cell=isinstance(v, int | float) and not isinstance(v, bool)) for v in values]
    return [r.vuid for r in results], [r.raw for r in results], [r.code for r in results]


def _column(runs: list[tuple[str, int]], odd: list[object]) -> list[object]:
    """Runs of clean text VUIDs, whole-number floats and odd cells, as a long column."""
    column: list[object] = []
    serial = 1_000_000_000
    for kind, length in runs:
        for _ in range(length):
            serial += 7
            if kind == "text":
                column.append(f"{serial:010d}")
            elif kind == "float":
                column.append(float(serial))
            else:
                column.append(odd[serial % len(odd)])
    return column


def _check_vuids(column: list[object]) -> None:
    arrays = normalize_vuid_array(column)
    vuids, raws, codes = _one_by_one(column)
    assert arrays.vuids.tolist() == vuids
    assert arrays.raws.tolist() == raws
    assert arrays.codes.tolist() == codes
    assert arrays.flagged.tolist() == [i for i, code in enumerate(codes) if code is not None]
    expected_keys = [NO_VUID_KEY if v is None else (int(v) if v.isascii() else -2) for v in vuids]
    assert arrays.keys.tolist() == expected_keys
    listed = normalize_vuids(column)
    assert (listed.vuids, listed.raws, listed.codes) == (vuids, raws, codes)


def test_vuid_runs_match_cell_by_cell() -> None:
    column = _column([("text", 5000), ("odd", 3), ("text", 700), ("float", 3000), ("odd", 40), ("text", 1),
                      ("float", 1), ("odd", 1), ("text", 2500)], ODD_CELLS)
    _check_vuids(column)
    assert normalize_vuid_array([]).vuids.tolist() == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["text", "float", "odd"]), st.integers(1, 300)), min_size=1, max_size=8))
def test_vuid_random_runs_match_cell_by_cell(runs: list[tuple[str, int]]) -> None:
    _check_vuids(_column(runs, ODD_CELLS))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["DEM", "REP", "", " x ", "0070", None]), st.none(),
                          st.floats(allow_nan=True), st.integers(-3, 3), st.booleans(), st.text(max_size=3)),
                max_size=200))
def test_map_unique_matches_pandas_factorize(values: list[object]) -> None:
    # The reference is the previous implementation: one call per value pandas.factorize tells apart.
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    mapped = [cell_text(u) for u in uniques]
    expected = [mapped[c] if c >= 0 else cell_text(None) for c in codes.tolist()]
    assert map_unique(values, cell_text) == expected
    distinct = distinct_values(values)
    assert len(distinct.codes) == len(values)
    for value, code in zip(values, distinct.codes.tolist(), strict=True):
        if code < 0:
            assert value is None or (isinstance(value, float) and value != value)
        else:
            assert distinct.uniques[code] == value  # equal, not necessarily the same type


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["1000000001", "", "  ", None, float("nan"), 5.0, "\u3000", "x"]),
                         min_size=3, max_size=3), max_size=400),
       st.integers(0, 200))
def test_blank_mask_matches_cell_by_cell(rows: list[list[object]], clean_prefix: int) -> None:
    rows = [["1000000001", "a", "b"]] * clean_prefix + rows
    columns = [[row[c] for row in rows] for c in range(3)]
    expected = [all(is_empty_cell(cell) for cell in row) for row in rows]
    assert blank_mask(columns, len(rows)).tolist() == expected


def test_add_row_codes_matches_add_one_by_one() -> None:
    codes = ["b", "a", "b", "c", "a", "a", "b", "a", "c", "a", "b"]
    rows = list(range(10, 10 + len(codes)))
    values = [f"v{row}" if row % 3 else None for row in rows]
    one_by_one, bulk = ProblemLog(limit=3), ProblemLog(limit=3)
    for log in (one_by_one, bulk):
        log.add("a", file="f.csv", message="not a row")  # counts towards the cap without a row
    for code, row, value in zip(codes, rows, values, strict=True):
        one_by_one.add(code, file="f.csv", sheet="S", row=row, column="VUID", value=value)
    bulk.add_row_codes(codes, np.asarray(rows), values, file="f.csv", sheet="S", column="VUID")
    assert bulk.finish() == one_by_one.finish()


def test_roster_counts_same_with_and_without_integer_keys() -> None:
    rows = pd.DataFrame({
        "county": ["LOVING", "LOVING", "LOVING", None, "LOVING", "ANDREWS", "LOVING"],
        "party": ["REP", "REP", "DEM", "REP", "REP", "REP", None],
        "voting_method": ["early-voting", "early-voting", "mail-in", "mail-in", "election-day", "mail-in", "mail-in"],
        "vuid": ["1000000001", "1000000001", "1000000001", "1000000002", None, "\u0661" * 10, "1000000003"],
    }, dtype=object)
    # Empty keys first, then the (county, party) pairs in sorted order (as pandas groupby gave them).
    expected = {("LOVING", "X"): {}, ("ANDREWS", "REP"): {"mail-in": 1}, ("LOVING", "DEM"): {"mail-in": 1},
                ("LOVING", "REP"): {"early-voting": 1}}
    assert roster_counts(rows, [("LOVING", "X")]) == expected
    keyed = rows.assign(_vuid_key=[1000000001, 1000000001, 1000000001, 1000000002, NO_VUID_KEY, -2, 1000000003])
    assert roster_counts(keyed, [("LOVING", "X")]) == expected
    assert list(roster_counts(keyed, [("LOVING", "X")])) == list(expected)
    keys = row_vuid_keys(keyed).tolist()
    assert keys[:5] == [1000000001, 1000000001, 1000000001, 1000000002, NO_VUID_KEY] and keys[5] == -2
