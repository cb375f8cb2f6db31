"""Refusing workbook XML parts that declare a DOCTYPE or an entity (XML bombs, XXE) by scanning only their prolog."""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
from typing import IO

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers.safety import MAX_XML_PROLOG_CHARS

_DANGEROUS_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_xml_parts(archive: zipfile.ZipFile, file_name: str) -> None:
    """Refuse a workbook any of whose XML parts declares a DOCTYPE or an entity (bombs, XXE).

    Only the prolog (everything before the root element) can hold such declarations, so each part
    is decompressed just far enough to reach its root element.

    Raises:
        ImportRejected: ``xml`` for a declaration or an endless prolog; ``unreadable`` for a damaged part.
    """
    for info in archive.infolist():
        if info.is_dir():
            continue
        try:
            with archive.open(info) as handle:
                _scan_prolog(handle, info.filename, file_name)
        except ImportRejected:
            raise
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error, NotImplementedError,
                RuntimeError) as error:
            raise ImportRejected(f"part {info.filename!r} is damaged ({error})"[:300], reason="unreadable",
                                 file=file_name) from None


def _scan_prolog(handle: IO[bytes], part_name: str, file_name: str) -> None:
    """Read one part until its root element starts; reject DOCTYPE/ENTITY declarations on the way."""
    head = handle.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
    elif head[:2] in (b"<\x00", b"\x00<"):
        decoder = codecs.getincrementaldecoder("utf-16-le" if head[:1] == b"<" else "utf-16-be")(errors="replace")
    else:
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped and not stripped.startswith(b"<"):
            return  # not XML (an image, a binary part): nothing an XML parser will expand
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = decoder.decode(head)
    while True:
        verdict = _prolog_verdict(text)
        if verdict == "dangerous":
            raise ImportRejected(f"part {part_name!r} declares a DOCTYPE or entity (possible XML bomb or "
                                 "external entity)", reason="xml", file=file_name)
        if verdict == "root":
            return
        if len(text) > MAX_XML_PROLOG_CHARS:
            raise ImportRejected(f"part {part_name!r} has an endless XML prolog", reason="xml", file=file_name)
        chunk = handle.read(64 * 1024)
        if not chunk:
            text += decoder.decode(b"", final=True)
            return
        text += decoder.decode(chunk)


def _prolog_verdict(text: str) -> str:
    """``dangerous`` when the prolog declares DOCTYPE/ENTITY, ``root`` when it is complete, else ``more``."""
    position = 0
    length = len(text)
    while position < length:
        character = text[position]
        if character in " \t\r\n\ufeff":
            position += 1
            continue
        if text.startswith("<?", position):
            end = text.find("?>", position + 2)
            if end < 0:
                return "more"
            position = end + 2
            continue
        if text.startswith("<!--", position):
            end = text.find("-->", position + 4)
            if end < 0:
                return "more"
            position = end + 3
            continue
        if text.startswith("<!", position):
            if length - position < 12:
                return "more"
            return "dangerous" if _DANGEROUS_DECLARATION.match(text, position) else "root"
        if character == "<" and length - position < 2:
            return "more"
        return "root"  # the root element (or garbage the XML parser will refuse on its own)
    return "more"
