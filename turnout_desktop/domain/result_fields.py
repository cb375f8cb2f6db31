"""Field metadata shared by the frozen result records of services and the CLI edge that prints them.

A service result field declared ``field(default=None, metadata=OMIT_IF_NONE)`` is left out of the CLI
JSON while it is None (``cli/common.json_ready``): such keys were optional in the CLI contract. It lives
here, below every layer, so that store and services can mark their fields without importing the CLI.
"""

from __future__ import annotations

from types import MappingProxyType

OMIT_IF_NONE = MappingProxyType({"json": "omit_if_none"})
