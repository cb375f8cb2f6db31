"""Mail rosters that carry a ballot status: say what the statuses are before they are all counted.

Tarrant's mail export (``a_reqexp_tc.txt``, "ABSENTEE REQUEST FILE EXPORT") lists ballot *requests*
with a ``Return_Status Code`` (OK, NT, NC, BB, AI, NB, IF, IS, V6-V8; undocumented), and Bexar's BBM
list has a ``Ballot Status``: such files include ballots never returned or not accepted. The codes are
not documented, so no row is dropped on a guess; the clerk is told how many rows carry which status
(and how many carry none) in one informational problem. No Qt, no database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from turnout_desktop.ingest.interpret.layout import is_empty_cell
from turnout_desktop.ingest.interpret.normalize import distinct_values
from turnout_desktop.ingest.interpret.problems import ProblemLog

_STATUS_TITLE = re.compile(r"(return|ballot)[\s_]*status", re.IGNORECASE)
_SHOWN = 8  # statuses named in the message; the rest are summed up


def status_column(titles: Sequence[str]) -> int | None:
    """Index of a ``Return_Status Code`` / ``Ballot Status`` column, else None."""
    return next((i for i, title in enumerate(titles) if _STATUS_TITLE.search(title or "")), None)


def report_statuses(cells: Sequence[object], title: str, log: ProblemLog, *, file: str, sheet: str | None) -> None:
    """One ``mail_status_counted`` problem: every status with its row count, blank statuses included."""
    if not len(cells):
        return
    distinct = distinct_values(cells)
    counts = [0] * (len(distinct.uniques) + 1)  # the last slot: empty cells
    for code in distinct.codes.tolist():
        counts[code] += 1
    tally: dict[str, int] = {}
    for value, count in zip([*distinct.uniques, None], counts, strict=True):
        if count:
            label = "(blank)" if is_empty_cell(value) else str(value).strip()
            tally[label] = tally.get(label, 0) + count
    ordered = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    shown = ", ".join(f"{label} {count:,}" for label, count in ordered[:_SHOWN])
    rest = sum(count for _label, count in ordered[_SHOWN:])
    summary = shown + (f", other {rest:,}" if rest else "")
    log.add("mail_status_counted", file=file, sheet=sheet, column=title, value=summary,
            message=f"The rows carry a ballot status ({summary}); every row was counted. A request or "
                    "status list can include ballots never returned or not accepted: check the file holds "
                    "counted ballots only.")
