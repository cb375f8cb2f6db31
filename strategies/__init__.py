"""Fix strategy plugins (installed as ``turnout_desktop.strategies``; the contract is
``turnout_desktop.engine.types.Strategy``) and the one registry that finds them.

Every strategy is found the same way, through the entry-point group ``turnout_desktop.strategies``: this
project's six (A-F, one module each here) are declared there in pyproject.toml, and an office adds its own by
installing a package that declares its class in that group. The modules of this package are scanned as well,
so a source checkout whose installed metadata predates a built-in strategy still finds all six
(tests/strategies/test_entry_points_match_package.py keeps the two lists equal). The engine never
imports this package: the services pass ``default_strategies()`` to it, and the engine orders them from what
each declares.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import entry_points
from types import MappingProxyType, ModuleType

from turnout_desktop.engine.types import DIAGNOSIS_CODES, Strategy
from turnout_desktop.errors import StrategyPluginError

ENTRY_POINT_GROUP = "turnout_desktop.strategies"
DECLARATIONS = ("name", "letter", "label", "handles", "priority", "escalates")
METHODS = ("applies", "execute")

StrategyFactory = Callable[[], Strategy]


def default_strategies() -> list[Strategy]:
    """Fresh instances of every strategy found, by declared priority (then name): A-F for the built-in six.

    Raises:
        StrategyPluginError: a declared strategy cannot be loaded, breaks the contract, or reuses a name.
    """
    strategies: dict[str, Strategy] = {}
    origins: dict[str, str] = {}
    for origin, factory in _factories():
        strategy = _checked(origin, factory)
        if strategy.name in strategies:
            raise StrategyPluginError(f"Two strategies are named {strategy.name!r}: {origins[strategy.name]} and "
                                      f"{origin}; strategy names must be unique (they are kept in the log)")
        strategies[strategy.name] = strategy
        origins[strategy.name] = origin
    return sorted(strategies.values(), key=lambda s: (s.priority, s.name))


@functools.cache
def declared_labels() -> Mapping[str, str]:
    """Each strategy's declared user-facing label by its stable name: the one source of strategy labels for the
    GUI, the CLI and the reports (``turnout_desktop/domain/labels.py`` ``strategy_label``).

    Read once per process: the installed strategies do not change while it runs, and tables ask per cell.
    """
    return MappingProxyType({strategy.name: strategy.label for strategy in default_strategies()})


def get_strategy(name: str) -> Strategy:
    """One strategy by its stable name or letter (``fill_gaps`` or ``B``); KeyError when unknown."""
    for strategy in default_strategies():
        if name in (strategy.name, strategy.letter):
            return strategy
    raise KeyError(f"Unknown strategy {name!r}")


def strategy_modules() -> list[str]:
    """The modules the strategies come from (the built-in ones and every plugin's), for a frozen build."""
    return sorted({type(strategy).__module__ for strategy in default_strategies()})


def _factories() -> Iterator[tuple[str, StrategyFactory]]:
    """Each strategy class once: those of the entry points first, then built-in ones the metadata lacks."""
    seen: set[object] = set()
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        origin = f"{entry_point.name!r} ({entry_point.value})"
        try:
            factory = entry_point.load()
        except Exception as exc:  # a broken third-party package: name it instead of a bare traceback
            raise StrategyPluginError(f"Strategy plugin {origin} cannot be loaded: {type(exc).__name__}: {exc}") \
                from exc
        if factory not in seen:
            seen.add(factory)
            yield origin, factory
    for module in _built_in_modules():
        for factory in _strategy_classes(module):
            if factory not in seen:
                seen.add(factory)
                yield f"{module.__name__}.{factory.__name__}", factory


def _built_in_modules() -> Iterator[ModuleType]:
    for found in pkgutil.iter_modules(__path__):
        if not found.name.startswith("_"):
            yield importlib.import_module(f"{__name__}.{found.name}")


def _strategy_classes(module: ModuleType) -> list[StrategyFactory]:
    """The classes a module defines that declare the whole contract (not its helper classes)."""
    return [value for value in vars(module).values()
            if isinstance(value, type) and value.__module__ == module.__name__
            and all(hasattr(value, attribute) for attribute in (*DECLARATIONS, *METHODS))]


def _checked(origin: str, factory: StrategyFactory) -> Strategy:
    """An instance of ``factory`` that declares the whole contract with values of the right types."""
    try:
        strategy = factory()
    except Exception as exc:
        raise StrategyPluginError(f"Strategy plugin {origin} cannot be created: {type(exc).__name__}: {exc}") \
            from exc
    missing = [attribute for attribute in (*DECLARATIONS, *METHODS) if not hasattr(strategy, attribute)]
    if missing:
        raise StrategyPluginError(f"Strategy plugin {origin} does not declare {', '.join(missing)} "
                                  "(see turnout_desktop/engine/types.py, Strategy)")
    if not (isinstance(strategy.name, str) and strategy.name and isinstance(strategy.label, str)
            and isinstance(strategy.priority, int) and isinstance(strategy.escalates, bool)
            and isinstance(strategy.handles, tuple) and all(isinstance(code, str) for code in strategy.handles)):
        raise StrategyPluginError(f"Strategy plugin {origin} declares a value of the wrong type: name and label "
                                  "are text, handles a tuple of diagnosis codes, priority a whole number, "
                                  "escalates true or false")
    unknown = [code for code in strategy.handles if code not in DIAGNOSIS_CODES]
    if unknown:
        raise StrategyPluginError(f"Strategy plugin {origin} handles unknown diagnosis code(s) "
                                  f"{', '.join(map(repr, unknown))}; the codes are {', '.join(DIAGNOSIS_CODES)}")
    return strategy


__all__ = ["ENTRY_POINT_GROUP", "declared_labels", "default_strategies", "get_strategy", "strategy_modules"]
