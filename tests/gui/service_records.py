"""Service result records for the GUI model tests: the fields a test names, every other one empty.

The table models and dialogs read the frozen records ``services.reconciliation`` returns; a test that is
about three fields should not have to spell out the other twenty.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

Record = TypeVar("Record")


def _empty(annotation: str) -> Any:
    """The neutral value of a field type (annotations are text: the results module uses postponed ones)."""
    if annotation.startswith("tuple"):
        return ()
    if annotation.startswith(("Mapping", "dict")):
        return {}
    return {"int": 0, "bool": False, "str": "", "float": 0.0}.get(annotation)


def record(kind: type[Record], **given: Any) -> Record:
    """A ``kind`` record with ``given`` fields; the rest empty (None, 0, "", () or {} by their type)."""
    names = {item.name for item in dataclasses.fields(kind)}
    unknown = set(given) - names
    if unknown:
        raise TypeError(f"{kind.__name__} has no field(s) {sorted(unknown)}")
    values = {item.name: given[item.name] if item.name in given else _empty(str(item.type))
              for item in dataclasses.fields(kind)
              if item.name in given or item.default is dataclasses.MISSING}
    return kind(**values)
