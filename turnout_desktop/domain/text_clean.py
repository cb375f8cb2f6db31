"""Free text made safe for the audit trail: no control or invisible characters (docs/reliability.md T4, T14).

User names, reasons, file names and error messages are typed or chosen by people and reach the audit table
and every screen, log file and terminal that shows it. A terminal escape sequence (``ESC [ 31 m``), a
right-to-left override (U+202E), a zero-width space or a line separator there can recolour a terminal,
make one name display as another or forge a second log line. Such characters are removed before storing:

* ANSI escape sequences (CSI such as ``ESC [ 31 m`` and OSC such as ``ESC ] 0 ; title BEL``) as a whole;
* every remaining character of Unicode category Cc (C0 and C1 controls, DEL), Cf (format: zero-width
  space and joiners, bidi overrides and isolates, BOM, soft hyphen), Cs (lone surrogates, which cannot
  even be encoded as UTF-8), Zl and Zp (line and paragraph separators).

CR, LF and TAB in longer text (a message) are kept visible as ``\\r``, ``\\n``, ``\\t`` instead of being
dropped. Qt-free and database-free.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_WHITESPACE_ESCAPES = str.maketrans({"\r": "\\r", "\n": "\\n", "\t": "\\t"})
# CSI (ESC [ or the 8-bit U+009B, parameters, intermediates, one final byte) and OSC (ESC ] ... BEL or ESC \).
_ANSI_SEQUENCE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?")


def clean_text(text: str, *, escape_whitespace: bool = False) -> str:
    """``text`` without ANSI escape sequences and control, format, surrogate or separator characters.

    Args:
        text: Any string.
        escape_whitespace: Write CR, LF and TAB as the two characters ``\\r``, ``\\n``, ``\\t`` (a message)
            instead of removing them (a name).

    Returns:
        The cleaned string; printable ASCII comes back unchanged (the same object).
    """
    if text.isascii() and text.isprintable():
        return text
    if escape_whitespace:
        text = text.translate(_WHITESPACE_ESCAPES)
    text = _ANSI_SEQUENCE.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in REMOVED_CATEGORIES)


def clean_optional(text: str | None) -> str | None:
    """``clean_text`` for a name that may be missing (None stays None)."""
    return None if text is None else clean_text(text)


def clean_structure(value: Any) -> Any:
    """A copy of a JSON-like value with every string in it (mapping keys too) cleaned like a message.

    Mappings, lists and tuples are walked recursively; numbers, booleans, None and other objects are kept
    as they are. The argument is never changed.
    """
    if isinstance(value, str):
        return clean_text(value, escape_whitespace=True)
    if isinstance(value, Mapping):
        return {clean_structure(key) if isinstance(key, str) else key: clean_structure(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [clean_structure(item) for item in value]
    if isinstance(value, tuple):
        return tuple(clean_structure(item) for item in value)
    return value
