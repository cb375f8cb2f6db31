"""Collecting pre-check problems: stable codes, plain messages, a cap on per-row repeats.

A million-row file with one systematic issue must not produce a million problems: each code
lists its first ``PER_CODE_LIMIT`` rows individually and then one line with the remainder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from turnout_desktop.domain.codes import PRIMARY_PARTIES
from turnout_desktop.domain.vuid import is_blocking_vuid_code
from turnout_desktop.ingest.interpret.model import Problem

PER_CODE_LIMIT = 200

# Codes that block a submission; every other code is informational.
BLOCKING_CODES = {
    "unknown_county", "unknown_party", "unknown_method", "other_county", "duplicate_vuid_methods",
    "summary_arithmetic", "summary_bad_number", "hidden_characters", "value_too_long", "mixed_encoding",
}

MESSAGES = {
    "vuid_blank": "The VUID is blank; the row cannot be matched to a voter.",
    "vuid_redacted": "The VUID is redacted; the row cannot be matched to a voter.",
    "vuid_scientific_notation": "The VUID was saved in scientific notation and lost digits; re-export it as text.",
    "vuid_too_short": "The VUID has fewer than 10 digits and cannot be repaired.",
    "vuid_too_long": "The VUID has more than 10 digits.",
    "vuid_composite": "The VUID cell holds several numbers joined together.",
    "vuid_not_numeric": "The VUID is not a number.",
    "vuid_repaired_float": "The VUID was stored as a number; it was read back as 10-digit text.",
    "vuid_repaired_leading_zeros": "The VUID lost its leading zeros; they were restored.",
    "duplicate_row": "This row repeats an earlier row exactly; it is counted once.",
    "duplicate_vuid_same_method": "This VUID appears again with the same voting method; it is counted once.",
    "duplicate_vuid_methods": "This VUID appears under two different voting methods.",
    "unknown_county": "The county is not one of the 254 Texas counties.",
    "unknown_party": "The party cannot be determined (column, sheet name, file name or --party).",
    "unknown_method": "The voting method cannot be determined from a column, the file name or the sheet name: "
                      "choose it (the upload wizard's Voting method box, or --method).",
    "other_county": "The row belongs to another county than the one being submitted.",
    "blank_row": "Blank row skipped.",
    "banner_skipped": "Title rows above the header were skipped.",
    "footer_skipped": "A footer row (totals or a note) below the data was skipped.",
    "footer_total": "The footer total agrees with the data.",
    "footer_total_mismatch": "The footer total disagrees with the rows read.",
    "encoding_fallback": "The file is not UTF-8; it was read with a fallback encoding.",
    "mixed_encoding": "This line is not UTF-8 although the rest of the file is (two exports pasted together?): "
                      "its accented letters cannot be trusted. Save the whole file as UTF-8 and upload again.",
    "summary_arithmetic": "The voting methods do not add up to the total.",
    "summary_bad_number": "A count cell does not hold a whole number.",
    "hidden_characters": "The cell holds invisible or control characters (a zero-width space, a right-to-left "
                         "override, a control code): it may not be what it looks like. Retype it.",
    "header_vuid_inferred": "The header has no VUID title; an untitled column of 10-digit VUIDs was used.",
    "value_too_long": "The value is longer than the database keeps for this column (a precinct code is at most "
                      "40 characters): it is probably in the wrong column.",
    "in_person_method_inferred": "In-person rows without a method were given the method of the sheet's other "
                                 "in-person rows.",
    "precinct_is_date": "The precinct cell holds a date: Excel turns codes such as 1-4 into dates (1-Apr). It "
                        "was kept as read; check the precinct in the county's system.",
    "mail_status_counted": "The mail rows carry a ballot status; every row was counted whatever its status.",
    "header_borrowed": "A sheet without a header row was read with the header of a sibling sheet.",
    "summary_in_person_split": "An election-day report: its cumulative in-person count includes election day, "
                               "so early voting = in person in all - in person on the report date.",
    "summary_sheet_superseded": "An older snapshot of the same counts; a later sheet or file is used instead.",
    "file_superseded": "An _Updated correction of this file was given; the original is ignored.",
    "sheet_skipped": "The sheet has no recognisable header and was skipped.",
    "hidden_sheet_skipped": "The sheet is hidden and was skipped.",
    "party_assumed_all": "No party in the file; counted as a non-partisan (ALL) election.",
    # Not blocking: the row is counted under the party it names, which no primary count holds, so the
    # reconciliation shows it; a clerk cannot correct the county's own system mid-count, and blocking would
    # hold back every valid DEM/REP row of the upload (the design blocks only rows that cannot be placed).
    "party_holds_no_primary": "The row names a party that holds no primary in Texas (only "
                              f"{' and '.join(PRIMARY_PARTIES)} do): a primary roster has no voters of that party. "
                              "Check the row in the county's system.",
    "reader_note": "Note from the file reader.",
}


def is_blocking(code: str) -> bool:
    return code in BLOCKING_CODES or (code.startswith("vuid_") and is_blocking_vuid_code(code))


class ProblemLog:
    """Problems in the order found, with per-code caps on row-level repeats."""

    def __init__(self, limit: int = PER_CODE_LIMIT) -> None:
        self.limit = limit
        self.problems: list[Problem] = []
        self._seen: Counter[str] = Counter()
        self._overflow: Counter[tuple[str, str]] = Counter()

    def add(self, code: str, *, file: str, sheet: str | None = None, row: int | None = None,
            column: str | None = None, value: object = None, message: str | None = None) -> None:
        """Record one problem (row-level repeats beyond the cap are only counted)."""
        self._seen[code] += 1
        if row is not None and self._seen[code] > self.limit:
            self._overflow[(code, file)] += 1
            return
        text = None if value is None else str(value)
        self.problems.append(Problem(file=file, sheet=sheet or None, row=row, column=column, value=text, code=code,
                                     message=message or MESSAGES.get(code, code.replace("_", " ")),
                                     blocking=is_blocking(code)))

    def add_rows(self, code: str, rows: Sequence[int], values: Sequence[object], *, file: str,
                 sheet: str | None, column: str | None, message: str | None = None) -> None:
        """Same as ``add`` for each row in turn (one code for all)."""
        for row, value in zip(rows, values, strict=True):
            self.add(code, file=file, sheet=sheet, row=row, column=column, value=value, message=message)

    def add_row_codes(self, codes: Sequence[str] | np.ndarray, rows: Sequence[int] | np.ndarray,
                      values: Sequence[object] | np.ndarray, *, file: str,
                      sheet: str | None, column: str | None, message: str | None = None) -> None:
        """Same as ``add(codes[i], row=rows[i], value=values[i], ...)`` for each i in order.

        Rows beyond a code's cap are only counted, in bulk, so a million flagged rows cost no
        Python call each. Every row must be a number; ``values`` only needs indexing by position.
        """
        if len(codes) != len(rows) or len(rows) != len(values):
            raise ValueError("codes, rows and values must have the same length")
        if not len(rows):
            return
        labels, distinct = pd.factorize(np.asarray(codes, dtype=object))
        listed: list[tuple[int, str]] = []
        first_overflow: list[tuple[int, str, int]] = []
        for label, code in enumerate(distinct.tolist()):
            positions = np.flatnonzero(labels == label)
            room = max(0, self.limit - self._seen[code])
            self._seen[code] += len(positions)
            listed.extend((position, code) for position in positions[:room].tolist())
            if len(positions) > room:
                first_overflow.append((int(positions[room]), code, len(positions) - room))
        for position, code in sorted(listed):
            value = values[position]
            self.problems.append(Problem(file=file, sheet=sheet or None, row=int(rows[position]), column=column,
                                         value=None if value is None else str(value), code=code,
                                         message=message or MESSAGES.get(code, code.replace("_", " ")),
                                         blocking=is_blocking(code)))
        # The overflow lines keep the order in which each code first went over its cap.
        for _, code, extra in sorted(first_overflow):
            self._overflow[(code, file)] += extra

    def add_unlisted_rows(self, code: str, count: int, *, file: str) -> None:
        """Count ``count`` more rows of ``code`` without listing them (their numbers were never built:
        millions of dropped empty lines). They join the code's "more rows not listed" line."""
        if count <= 0:
            return
        self._seen[code] += count
        self._overflow[(code, file)] += count

    def finish(self) -> list[Problem]:
        """All problems, plus one line per code that went over the cap."""
        for (code, file), extra in self._overflow.items():
            self.problems.append(Problem(file=file, sheet=None, row=None, column=None, value=str(extra), code=code,
                                         message=f"{MESSAGES.get(code, code)} ({extra} more rows not listed)",
                                         blocking=is_blocking(code)))
        self._overflow.clear()
        return self.problems
