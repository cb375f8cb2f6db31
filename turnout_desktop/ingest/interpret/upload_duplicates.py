"""Duplicate VUIDs within one upload: exact repeats, same-method repeats, and method conflicts."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from turnout_desktop.ingest.interpret.layout import SheetLike, row_cells
from turnout_desktop.ingest.interpret.normalize import NO_VUID_KEY, row_vuid_keys
from turnout_desktop.ingest.interpret.problems import ProblemLog


def _signature(sheet: SheetLike, index: int) -> tuple[object, ...]:
    cells = row_cells(sheet, index)
    while cells and cells[-1] in (None, ""):
        cells.pop()  # trailing empty cells do not make two rows different
    return tuple(cells)


def flag_duplicates(rows: pd.DataFrame, sheets: Mapping[int, SheetLike], log: ProblemLog) -> np.ndarray:
    """Flag every later occurrence of a VUID (in place on ``problem_code``, and in ``log``).

    ``duplicate_row`` (informational): the whole row repeats an earlier one exactly.
    ``duplicate_vuid_same_method`` (informational): same VUID and method, other cells differ.
    ``duplicate_vuid_methods`` (blocking): the VUID was seen under another method.
    Only the rows of repeated VUIDs are examined, so a clean million-row file costs one pass
    (over integer VUID keys, see ``normalize.row_vuid_keys``).

    Returns:
        True for each row whose VUID occurs more than once (rows without a VUID are False); the
        counts reuse it (``upload_counts.roster_counts``) instead of hashing every VUID again.
    """
    keys = row_vuid_keys(rows)
    repeated = (keys != NO_VUID_KEY) & pd.Series(keys).duplicated(keep=False).to_numpy()
    if not repeated.any():
        return repeated
    subset = rows.loc[repeated, ["vuid", "voting_method", "_sheet_key", "_index", "file", "sheet", "row_no",
                                 "vuid_raw"]]
    seen_methods: dict[str, set[object]] = {}
    seen_rows: dict[str, set[tuple[object, ...]]] = {}
    # Assigned back as a list, as always: pandas then infers the column's dtype (kept identical on purpose).
    codes = rows["problem_code"].tolist()
    for label, vuid, method, sheet_key, index, file, sheet, row_no, raw in subset.itertuples(name=None):
        signature = _signature(sheets[sheet_key], index)
        methods = seen_methods.setdefault(vuid, set())
        signatures = seen_rows.setdefault(vuid, set())
        if not methods:
            methods.add(method)
            signatures.add(signature)
            continue
        if method not in methods and method is not None:
            code = "duplicate_vuid_methods"
            message = (f"VUID {vuid} also appears as {', '.join(sorted(str(m) for m in methods))}; "
                       f"here it is {method}.")
        elif signature in signatures:
            code, message = "duplicate_row", None
        else:
            code, message = "duplicate_vuid_same_method", None
        methods.add(method)
        signatures.add(signature)
        log.add(code, file=file, sheet=sheet or None, row=int(row_no), column=None, value=raw, message=message)
        if codes[label] is None or code == "duplicate_vuid_methods":
            codes[label] = code
    rows["problem_code"] = codes
    return repeated
