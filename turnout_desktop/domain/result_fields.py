"""Field metadata shared by the frozen result records of services and the CLI edge that prints them.

A service result field declared ``field(default=None, metadata=OMIT_IF_NONE)`` is left out of the CLI
JSON while it is None (``json_ready``): such keys were optional in the CLI contract. It lives here, below
every layer, so that store and services can mark their fields without importing the CLI, and a record whose
stored form is its JSON (the check's statewide fetch) is turned into it by the same function.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from types import MappingProxyType
from typing import Any

OMIT_IF_NONE = MappingProxyType({"json": "omit_if_none"})


def json_ready(value: Any) -> Any:
    """``value`` with every result dataclass turned into a dict (``cli/common.print_json`` prints it).

    Keys are the fields in order; a field marked ``OMIT_IF_NONE`` is left out while it is None. Tuples
    become lists, sets sorted lists; dates, datetimes and Decimals are left to the JSON encoder.
    """
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for item in fields(value):
            member = getattr(value, item.name)
            if member is None and item.metadata.get("json") == OMIT_IF_NONE["json"]:
                continue
            out[item.name] = json_ready(member)
        return out
    if isinstance(value, dict):
        return {name: json_ready(member) for name, member in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(member) for member in value]
    if isinstance(value, set | frozenset):  # unordered: sorted, so the same set prints the same JSON
        return [json_ready(member) for member in sorted(value)]
    return value
