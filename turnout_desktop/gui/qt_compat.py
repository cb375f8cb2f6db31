"""Work-arounds for Qt binding bugs, each detected at import time, not assumed from a version.

PySide6 6.12.0 on Python 3.11 returns ``SignalInstance.emit()``'s bool result without taking a
reference: every ``emit`` from Python then drops one reference of ``True``/``False`` and, after a
few hundred emits, the interpreter aborts with "bool_dealloc: deallocating True or False". On
Python 3.12+ bools are immortal and nothing happens. :func:`emit` compensates when (and only when)
the probe below sees the reference count fall.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance


class _Probe(QObject):
    fired = Signal(int)


def _emit_drops_bool_reference() -> bool:
    probe = _Probe()
    before_true, before_false = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(4):
        probe.fired.emit(0)
    dropped = sys.getrefcount(True) < before_true or sys.getrefcount(False) < before_false
    if dropped:  # give back what the probe itself took
        for value in (True, False):
            for _ in range(max(0, (before_true if value else before_false) - sys.getrefcount(value))):
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(value))
    return dropped


EMIT_DROPS_REFERENCE = _emit_drops_bool_reference()


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, safe on bindings whose ``emit`` mis-counts its bool result."""
    result = signal.emit(*args)
    if EMIT_DROPS_REFERENCE and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
