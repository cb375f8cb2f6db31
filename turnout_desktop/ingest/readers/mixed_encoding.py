"""Text files that are UTF-8 except for some lines (a cp1252 export pasted into a UTF-8 one).

Decoding such a file as a whole with cp1252 turns every correct ``PEÑA`` into ``PEÃ‘A`` without a word;
decoding it as UTF-8 fails. ``split_mixed_utf8`` keeps the UTF-8 lines as they are, reads the other
lines with cp1252 (latin-1 where cp1252 has no character) and names them, so the pre-check can block
the upload on a ``mixed_encoding`` problem with their row numbers. No Qt, no database.
"""

from __future__ import annotations

import re

_UNDECODABLE = re.compile("[\udc80-\udcff]")
_UTF8_MULTIBYTE = re.compile("[^\x00-\x7f\udc80-\udcff]")


def split_mixed_utf8(data: bytes) -> tuple[str, list[int]] | None:
    """``(text, 1-based line numbers not in UTF-8)`` when other lines hold UTF-8 beyond ASCII, else None.

    A file whose only non-ASCII bytes are invalid UTF-8 is an 8-bit file (None: the caller's cp1252
    fallback reads it whole).
    """
    text = data.decode("utf-8", "surrogateescape")
    if not _UTF8_MULTIBYTE.search(text):
        return None
    separator = "\n" if "\n" in text else "\r"
    lines = text.split(separator)
    bad: list[int] = []
    line, scanned = 0, 0
    for match in _UNDECODABLE.finditer(text):
        line += text.count(separator, scanned, match.start())
        scanned = match.start()
        if not bad or bad[-1] != line + 1:
            bad.append(line + 1)
    if not bad:
        return None
    for number in bad:
        raw = lines[number - 1].encode("utf-8", "surrogateescape")
        try:
            lines[number - 1] = raw.decode("cp1252")
        except UnicodeDecodeError:
            lines[number - 1] = raw.decode("latin-1")
    return separator.join(lines), bad
