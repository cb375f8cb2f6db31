"""Which counties an auto-check escalated or healed: a plain decision, no Qt, so it is tested on its own.

The tray notifier (``gui/tray_notifier.py``) tells the user about these changes; the check itself runs silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from turnout_desktop.domain.status import PROBLEM_STATUSES
from turnout_desktop.services.check import ALL


class CountyStatus(Protocol):
    """A run result or an overview row: both name a county and a status."""

    @property
    def county(self) -> str: ...

    @property
    def status(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CheckChanges:
    """Counties that are in trouble now but were not before (escalated), and the other way round (healed)."""

    escalated: tuple[str, ...] = ()
    healed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.escalated or self.healed)


def counties_in_trouble(rows: Iterable[CountyStatus]) -> tuple[set[str], set[str]]:
    """The counties seen in ``rows`` and those of them with any party in trouble."""
    seen: set[str] = set()
    trouble: set[str] = set()
    for row in rows:
        if row.county == ALL:  # the one summary row a scheduled check writes is about no county
            continue
        seen.add(row.county)
        if row.status in PROBLEM_STATUSES:  # a county in trouble needs a person
            trouble.add(row.county)
    return seen, trouble


def check_changes(before: Iterable[CountyStatus], after: Iterable[CountyStatus]) -> CheckChanges:
    """Compare two check results county by county.

    A county absent from ``after`` is not judged (the check did not look at it); a county absent from
    ``before`` that is in trouble now counts as escalated (it is news to the user either way).
    """
    _, trouble_before = counties_in_trouble(before)
    seen_after, trouble_after = counties_in_trouble(after)
    healed = (trouble_before & seen_after) - trouble_after
    return CheckChanges(escalated=tuple(sorted(trouble_after - trouble_before)), healed=tuple(sorted(healed)))
