"""VUID normalisation: 10-digit text, repaired where Excel damaged it recoverably, refused otherwise."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

VUID_LENGTH = 10

# Problem codes (stable: they appear in pre-check JSON and in diagnosis evidence).
VUID_BLANK = "vuid_blank"
VUID_REDACTED = "vuid_redacted"
VUID_SCIENTIFIC = "vuid_scientific_notation"
VUID_TOO_SHORT = "vuid_too_short"
VUID_TOO_LONG = "vuid_too_long"
VUID_COMPOSITE = "vuid_composite"
VUID_NOT_NUMERIC = "vuid_not_numeric"
VUID_REPAIRED_FLOAT = "vuid_repaired_float"
VUID_REPAIRED_PADDING = "vuid_repaired_leading_zeros"

_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_FLOAT_ZERO = re.compile(r"^(\d+)\.0+$")
_REDACTED = re.compile(r"redact|^\*+$|^x+$|^#+$|protected|confidential", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class VuidResult:
    """Outcome of normalising one raw cell: ``vuid`` is None when it cannot be recovered."""

    vuid: str | None
    raw: str
    code: str | None = None  # None: clean; a repaired_* code: fixed; anything else: refused

    @property
    def ok(self) -> bool:
        return self.vuid is not None

    @property
    def repaired(self) -> bool:
        return self.vuid is not None and self.code is not None


def normalize_vuid(value: object, *, numeric_cell: bool = False) -> VuidResult:
    """Normalise one VUID cell.

    Args:
        value: the cell as read (str, int, float or None).
        numeric_cell: True when the spreadsheet stored the cell as a number. Leading zeros a
            number lost are restored then (Excel dropped them); for text cells a short value
            is refused, because nothing proves which digits went missing.
    """
    if value is None:
        return VuidResult(None, "", VUID_BLANK)
    if isinstance(value, bool):
        return VuidResult(None, str(value), VUID_NOT_NUMERIC)
    if isinstance(value, int):
        return _from_digits(str(value), str(value), numeric=True)
    if isinstance(value, float):
        raw = repr(value)
        if value != value or value in (float("inf"), float("-inf")):
            return VuidResult(None, raw, VUID_NOT_NUMERIC)
        if not value.is_integer():
            return VuidResult(None, raw, VUID_NOT_NUMERIC)
        result = _from_digits(str(int(value)), raw, numeric=True)
        if result.ok and result.code is None:
            return VuidResult(result.vuid, raw, VUID_REPAIRED_FLOAT)
        return result
    raw = str(value)
    text = raw.strip().replace("\u00a0", "")
    if not text:
        return VuidResult(None, raw, VUID_BLANK)
    if _REDACTED.search(text):
        return VuidResult(None, raw, VUID_REDACTED)
    if _SCIENTIFIC.match(text):
        return _from_scientific(text, raw)
    match = _FLOAT_ZERO.match(text)
    if match:
        result = _from_digits(match.group(1), raw, numeric=True)
        return VuidResult(result.vuid, raw, VUID_REPAIRED_FLOAT) if result.ok else result
    if text.isdigit():
        return _from_digits(text, raw, numeric=numeric_cell)
    if re.fullmatch(r"[\d\s_\-/]+", text) and re.search(r"\d[\s_\-/]+\d", text):
        return VuidResult(None, raw, VUID_COMPOSITE)
    return VuidResult(None, raw, VUID_NOT_NUMERIC)


def _from_digits(digits: str, raw: str, *, numeric: bool) -> VuidResult:
    if len(digits) == VUID_LENGTH:
        return VuidResult(digits, raw, None)
    if len(digits) > VUID_LENGTH:
        stripped = digits.lstrip("0")
        if numeric is False and len(stripped) <= VUID_LENGTH and len(stripped) >= VUID_LENGTH - 1:
            return VuidResult(stripped.zfill(VUID_LENGTH), raw, VUID_REPAIRED_PADDING)
        return VuidResult(None, raw, VUID_TOO_LONG)
    if numeric and len(digits) >= 1 and int(digits) > 0:
        # A number cell lost its leading zeros; a VUID is defined as 10 digits, so padding is exact.
        return VuidResult(digits.zfill(VUID_LENGTH), raw, VUID_REPAIRED_PADDING)
    return VuidResult(None, raw, VUID_TOO_SHORT)


def _from_scientific(text: str, raw: str) -> VuidResult:
    """``1.23457E+09`` lost digits (refused); ``1.234567890E+09`` kept all ten (repaired)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return VuidResult(None, raw, VUID_SCIENTIFIC)
    mantissa = text.lower().split("e")[0].lstrip("+-")
    significant = mantissa.replace(".", "").lstrip("0")
    if number != number.to_integral_value() or len(significant) < len(str(int(number))):
        return VuidResult(None, raw, VUID_SCIENTIFIC)
    result = _from_digits(str(int(number)), raw, numeric=True)
    return VuidResult(result.vuid, raw, VUID_REPAIRED_FLOAT) if result.ok else result


def is_blocking_vuid_code(code: str | None) -> bool:
    """Refused VUID codes block a submission; repaired ones are informational."""
    return code is not None and code not in (VUID_REPAIRED_FLOAT, VUID_REPAIRED_PADDING)
