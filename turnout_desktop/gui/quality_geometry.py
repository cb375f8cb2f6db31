"""Numbers of the upload wizard's quality bar: segment widths with a visible minimum, counts with percentages.

Kept apart from the painting (``gui/wizard_widgets.py``) so the arithmetic is tested without pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

from turnout_desktop.services.upload_preview import ColumnQuality

QUALITY_STATES = ("valid", "repaired", "error", "empty")
MIN_SEGMENT = 6.0  # px: one error in 40 rows is still a visible mark, never a hairline


def segment_widths(counts: Sequence[int], width: float, minimum: float = MIN_SEGMENT) -> list[float]:
    """Widths of the stacked segments of ``counts`` over ``width``: a non-zero count gets at least ``minimum``.

    The width the small segments gain is taken from the others in proportion to their size, so the bar
    keeps its length; zero counts get no segment.
    """
    total = sum(counts)
    if total <= 0 or width <= 0:
        return [0.0] * len(counts)
    widths = [width * c / total for c in counts]
    small = [i for i, (c, w) in enumerate(zip(counts, widths, strict=True)) if c > 0 and w < minimum]
    if not small or minimum * len(small) >= width:
        return widths
    large_total = sum(w for i, w in enumerate(widths) if i not in small)
    room = width - minimum * len(small)
    return [minimum if i in small else (w * room / large_total if large_total else 0.0)
            for i, w in enumerate(widths)]


def percent_text(count: int, total: int) -> str:
    """``73%``; one decimal under 10 % (``2.5%``), ``<0.1%`` for a tiny non-zero share."""
    if total <= 0 or count <= 0:
        return "0%"
    share = 100.0 * count / total
    if share < 0.1:
        return "<0.1%"
    return f"{share:.1f}%" if share < 10 else f"{share:.0f}%"


def state_counts(profile: ColumnQuality) -> list[int]:
    return [int(getattr(profile, state)) for state in QUALITY_STATES]


def counts_text(profile: ColumnQuality) -> str:
    """``11 valid (73%), 2 repaired (13%), 1 error (6.7%), 1 empty (6.7%)``."""
    total = profile.total
    return ", ".join(f"{count:,} {state} ({percent_text(count, total)})"
                     for state, count in zip(QUALITY_STATES, state_counts(profile), strict=True))
