"""The strategies' declared labels for the GUI and the CLI, which reach the strategy registry only through a
service (the import-linter contract "gui-through-services" in pyproject.toml).

The other user-facing words (statuses, display states, diagnoses) are the pure table in ``domain/labels.py``;
its docstring says why the strategy labels come from the registry instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from turnout_desktop.strategies import declared_labels


def strategy_labels() -> Mapping[str, str]:
    """Each installed strategy's declared label by its stable name (read once per process)."""
    return declared_labels()
