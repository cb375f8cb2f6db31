"""The pre-check's report: an upload read without a database, compared with cached statewide counts.

Reading the files is ``services/precheck.py`` ``precheck_upload`` (the one pre-check of the wizard, the
CLI and submit); this module only interprets what was read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from turnout_desktop.domain.codes import TOTAL
from turnout_desktop.ingest.interpret.model import ParsedUpload, SheetLayout

StatewideCounts = Mapping[tuple[str, str, str], int]


@dataclass(frozen=True, slots=True)
class PrecheckLayout:
    """How an upload was read (``turnout precheck --json`` key ``layout``; the wizard's review page).

    ``parser`` to ``mapping`` are the first sheet's (None and empty when nothing was read); ``sheets``
    holds every sheet's layout in reading order.
    """

    parser: str | None
    encoding: str | None
    sheet: str | None
    header_row: int | None
    mapping: dict[str, str]
    kind: str  # roster | summary
    sheets: tuple[SheetLayout, ...]


@dataclass(frozen=True, slots=True)
class StatewideComparison:
    """One (county, party, method): the county's official count beside the cached statewide count."""

    county: str
    party: str
    voting_method: str  # a method or TOTAL
    official: int
    statewide: int | None  # None: the cache has no count for it
    difference: int | None  # official - statewide; None without a statewide count


@dataclass(frozen=True, slots=True)
class PrecheckReport:
    """The parsed upload plus an optional comparison with cached statewide counts."""

    upload: ParsedUpload
    statewide_counts: StatewideCounts | None = None

    @property
    def ready(self) -> bool:
        return self.upload.ready

    @property
    def rows(self) -> int:
        """Data rows read: roster rows, or summary rows for a summary upload."""
        if self.upload.kind == "roster":
            return len(self.upload.rows)
        return sum(layout.rows_read for f in self.upload.files for layout in f.layouts)

    @property
    def layout(self) -> PrecheckLayout:
        """How the upload was read: the first sheet's layout in front, then every sheet's."""
        layouts = tuple(layout for f in self.upload.files for layout in f.layouts)
        first = layouts[0] if layouts else None
        return PrecheckLayout(
            parser=first.parser if first else None, encoding=first.encoding if first else None,
            sheet=first.sheet if first else None, header_row=first.header_row if first else None,
            mapping=dict(first.mapping) if first else {}, kind=self.upload.kind, sheets=layouts)

    @property
    def statewide_comparison(self) -> tuple[StatewideComparison, ...]:
        """County official count beside the statewide count for each (county, party, method).

        A TOTAL the cache lacks is the sum of the cached methods of its party (None when none is cached).
        """
        cached = self.statewide_counts or {}
        result = []
        for count in self.upload.counts:
            statewide = cached.get((count.county, count.party, count.voting_method))
            if statewide is None and count.voting_method == TOTAL:
                parts = [cached.get((count.county, count.party, m.voting_method))
                         for m in self.upload.counts if (m.county, m.party) == (count.county, count.party)
                         and m.voting_method != TOTAL]
                statewide = sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None
            result.append(StatewideComparison(
                county=count.county, party=count.party, voting_method=count.voting_method, official=count.count,
                statewide=statewide, difference=None if statewide is None else count.count - statewide))
        return tuple(result)
