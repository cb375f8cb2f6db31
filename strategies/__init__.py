"""Fix strategy plugins A-F (one module each; see ``turnout_desktop.engine.types.Strategy``).

Adding a strategy means adding one module and one line in ``_FACTORIES``. The engine never imports
this package: the composition root (CLI or GUI) passes ``default_strategies()`` to it.
"""

from __future__ import annotations

from collections.abc import Callable

from strategies.data_format import DataFormat
from strategies.fill_gaps import FillGaps
from strategies.fix_districts import FixDistricts
from strategies.manual_review import ManualReview
from strategies.refetch_statewide import RefetchStatewide
from strategies.remove_duplicates import RemoveDuplicates
from turnout_desktop.engine.types import Strategy

# In A-F order: the order the engine falls back to after the strategies the diagnosis points to.
_FACTORIES: tuple[Callable[[], Strategy], ...] = (
    RefetchStatewide, FillGaps, FixDistricts, RemoveDuplicates, DataFormat, ManualReview,
)


def default_strategies() -> list[Strategy]:
    """Fresh instances of strategies A-F, in that order."""
    return [factory() for factory in _FACTORIES]


def strategy_registry() -> dict[str, Strategy]:
    """Strategies by stable name (``refetch_statewide`` ... ``manual_review``)."""
    return {strategy.name: strategy for strategy in default_strategies()}


def get_strategy(name: str) -> Strategy:
    """One strategy by its stable name or letter (``fill_gaps`` or ``B``); KeyError when unknown."""
    for strategy in default_strategies():
        if name in (strategy.name, strategy.letter):
            return strategy
    raise KeyError(f"Unknown strategy {name!r}")


__all__ = ["default_strategies", "get_strategy", "strategy_registry"]
