"""xlsx / xlsm / xls / ods reading with exact per-cell types.

The primary reader is python-calamine (Rust, the engine under fastexcel): its ``to_python`` keeps
each cell's own type, which fastexcel's column-typed Arrow output cannot (it coerces a whole
column to one type, turning text ``"0123"`` into ``123.0`` or the number ``5`` into ``"5"``).
openpyxl (read-only, defusedxml), xlrd and odfpy are fallbacks when calamine fails, or are used when
``parser=`` forces them (strategy E). Zip bombs and XML declarations are refused before any parser
sees the bytes (``safety``, ``xml_prolog``); cell conversion is ``workbook_cells``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import warnings
from collections.abc import Iterable
from typing import Any

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import safety, sheet_extent, xml_prolog
from turnout_desktop.ingest.readers.excel_fast import looks_all_text, plan_heads, read_fastexcel_strict
from turnout_desktop.ingest.readers.raw import RawSheet, RawWorkbook, gc_paused
from turnout_desktop.ingest.readers.workbook_cells import (
    calamine_cell,
    check_shape,
    columns_from_rows,
    nfc_text,
    plain_cell,
    unchanged_cell,
)

FALLBACK_PARSER = {"xlsx": "openpyxl", "xls": "xlrd", "ods": "odf"}
ALLOWED_PARSERS = {"xlsx": {"calamine", "openpyxl"}, "xls": {"calamine", "xlrd"}, "ods": {"calamine", "odf"}}


def read_workbook(data: bytes, file_name: str, kind: str, *, parser: str | None = None) -> RawWorkbook:
    """Read every sheet of a workbook.

    Args:
        data: workbook bytes.
        file_name: display name.
        kind: ``xlsx`` (also xlsm/xlsb), ``xls`` or ``ods`` (from ``safety.sniff_kind``).
        parser: force ``calamine`` or the kind's fallback parser.

    Raises:
        ImportRejected: ``zip_bomb``, ``xml``, ``encrypted``, ``too_many_rows``, ``too_many_columns``,
            ``unsupported_format`` (parser cannot read this kind) or ``unreadable``.
    """
    if parser is not None and parser not in ALLOWED_PARSERS[kind]:
        raise ImportRejected(f"{parser} cannot read a {kind} workbook", reason="unsupported_format", file=file_name)
    fast_plan = None
    if kind in ("xlsx", "ods"):
        _require_defusedxml(file_name)
        fast_plan = _check_container(data, file_name, kind)
    # calamine's xls reader can abort the whole process on a damaged file (an uncatchable 8 GB allocation,
    # tests/corpus/calamine_xls_8gb_alloc.xls), so xls goes through xlrd first; calamine only reads an
    # xls that xlrd has already parsed cleanly.
    chosen = parser or ("xlrd" if kind == "xls" else "calamine")
    notes: list[str] = []
    if chosen == "calamine" and kind == "xls":
        read_xlrd(data, file_name)
    if chosen == "calamine":
        try:
            sheets = read_calamine(data, file_name, fast_plan=fast_plan)
        except ImportRejected as error:
            if parser is not None or error.reason != "unreadable":
                raise
            chosen = FALLBACK_PARSER[kind]
            notes.append(f"calamine failed ({error}); read with {chosen}")
    if chosen == "openpyxl":
        sheets = read_openpyxl(data, file_name)
    elif chosen == "xlrd":
        sheets = read_xlrd(data, file_name)
    elif chosen == "odf":
        sheets = read_odfpy(data, file_name)
    return RawWorkbook(file_name=file_name, parser=chosen, encoding=None, sheets=sheets, notes=notes, content=data)


def read_calamine(data: bytes, file_name: str, *, fast_plan: dict[str, bytes] | None = None) -> list[RawSheet]:
    """All sheets through python-calamine, typed cells, blank rows kept from row 1.

    Args:
        data: workbook bytes (already through the safety checks).
        file_name: display name.
        fast_plan: xlsx only, from ``_check_container``: first try fastexcel's strict Arrow path
            (``excel_fast``; ``{}`` = no head rows), which gives the same cells faster when every column
            below the head rows holds one type; otherwise python-calamine reads the workbook.
    """
    import python_calamine as calamine

    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = list(workbook.sheets_metadata)
        if fast_plan is not None:
            fast = read_fastexcel_strict(data, [sheet_info.name for sheet_info in metadata], fast_plan)
            if fast is not None:
                for sheet, sheet_info in zip(fast, metadata, strict=True):
                    check_shape(sheet.n_rows, sheet.n_columns, file_name, sheet_info.name)
                    sheet.name = nfc_text(sheet_info.name)
                    sheet.hidden = sheet_info.visible != calamine.SheetVisibleEnum.Visible
                return fast
        sheets: list[RawSheet] = []
        for sheet_info in metadata:
            calamine_sheet = workbook.get_sheet_by_name(sheet_info.name)
            end = calamine_sheet.end  # (last row, last column), 0-based from A1; None for an empty sheet
            if end:
                check_shape(end[0] + 1, end[1] + 1, file_name, sheet_info.name)
            with gc_paused():
                rows = calamine_sheet.to_python(skip_empty_area=False)
            hidden = sheet_info.visible != calamine.SheetVisibleEnum.Visible
            sheets.append(RawSheet(nfc_text(sheet_info.name), columns_from_rows(rows, calamine_cell), hidden))
        return sheets
    except ImportRejected:
        raise
    except calamine.PasswordError:
        raise ImportRejected("the workbook is password-protected", reason="encrypted", file=file_name) from None
    except (calamine.CalamineError, ValueError, TypeError, OverflowError, KeyError, IndexError, OSError) as error:
        raise ImportRejected(f"calamine cannot read the workbook: {type(error).__name__}: {error}"[:300],
                             reason="unreadable", file=file_name) from None
    except BaseException as error:  # pyo3 PanicException derives from BaseException
        if isinstance(error, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise ImportRejected(f"calamine failed on the workbook: {type(error).__name__}"[:300],
                             reason="unreadable", file=file_name) from None


def read_openpyxl(data: bytes, file_name: str) -> list[RawSheet]:
    """All sheets through openpyxl in read-only mode (XML parsed by defusedxml)."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not openpyxl.DEFUSEDXML:
        raise ImportRejected("openpyxl is not protected by defusedxml; xlsx import is disabled", reason="xml",
                             file=file_name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "no stylesheet", unknown extensions: noise for us
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except InvalidFileException as error:
        raise ImportRejected(f"openpyxl cannot open the workbook ({error})"[:300], reason="unsupported_format",
                             file=file_name) from None
    except Exception as error:  # noqa: BLE001 - defusedxml, zip, KeyError... all mean "unreadable" here
        raise _openpyxl_rejection(error, file_name) from None
    try:
        sheets: list[RawSheet] = []
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "iter_rows"):
                continue  # chartsheets hold no cells
            rows: list[tuple] = []
            cells = 0
            for row in worksheet.iter_rows(values_only=True):
                rows.append(row)
                cells += len(row)
                if len(row) > safety.MAX_COLUMNS or len(rows) > safety.MAX_SHEET_ROWS:
                    check_shape(len(rows), len(row), file_name, worksheet.title)
                if cells > safety.MAX_SHEET_CELLS:
                    raise ImportRejected(f"the sheet holds more than {safety.MAX_SHEET_CELLS:,} cells",
                                         reason="too_many_cells", file=file_name, sheet=worksheet.title)
            hidden = getattr(worksheet, "sheet_state", "visible") != "visible"
            sheets.append(RawSheet(nfc_text(worksheet.title), columns_from_rows(rows, plain_cell), hidden))
        return sheets
    except ImportRejected:
        raise
    except Exception as error:  # noqa: BLE001
        raise _openpyxl_rejection(error, file_name) from None
    finally:
        workbook.close()


def read_xlrd(data: bytes, file_name: str) -> list[RawSheet]:
    """All sheets of a legacy .xls through xlrd; dates become date/datetime."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except xlrd.XLRDError as error:
        message = str(error)
        reason = "encrypted" if "encrypt" in message.lower() else (
            "unsupported_format" if "not supported" in message or "Can't find workbook" in message else "unreadable")
        raise ImportRejected(f"xlrd cannot open the workbook ({message})"[:300], reason=reason,
                             file=file_name) from None
    except Exception as error:  # noqa: BLE001 - xlrd raises many plain exceptions on damaged files
        raise ImportRejected(f"xlrd cannot open the workbook: {type(error).__name__}: {error}"[:300],
                             reason="unreadable", file=file_name) from None
    try:
        sheets: list[RawSheet] = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            check_shape(sheet.nrows, sheet.ncols, file_name, sheet.name)
            rows = [[_xlrd_cell(cell, book.datemode) for cell in sheet.row(r)] for r in range(sheet.nrows)]
            sheets.append(RawSheet(nfc_text(sheet.name), columns_from_rows(rows, unchanged_cell),
                                   bool(sheet.visibility)))
            book.unload_sheet(index)
        return sheets
    except ImportRejected:
        raise
    except Exception as error:  # noqa: BLE001
        raise ImportRejected(f"xlrd cannot read the workbook: {type(error).__name__}: {error}"[:300],
                             reason="unreadable", file=file_name) from None
    finally:
        book.release_resources()


def read_odfpy(data: bytes, file_name: str) -> list[RawSheet]:
    """All tables of an ods through odfpy (stdlib XML defused first); slow, a fallback only."""
    import defusedxml

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # defuse_stdlib touches the old cElementTree alias
        defusedxml.defuse_stdlib()
    from odf import opendocument, teletype
    from odf.namespaces import OFFICENS, TABLENS

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # odfpy prints and skips parts it cannot parse
            document = opendocument.load(io.BytesIO(data))
        tables = document.spreadsheet.getElementsByType(_odf_table_class()) if document.spreadsheet else []
    except Exception as error:  # noqa: BLE001 - odfpy raises anything from KeyError to SAX errors
        raise ImportRejected(f"odfpy cannot read the spreadsheet: {type(error).__name__}: {error}"[:300],
                             reason="xml" if "Forbidden" in type(error).__name__ else "unreadable",
                             file=file_name) from None
    if not tables:
        # odfpy prints and skips a part it cannot parse: no table at all means a damaged content.xml.
        raise ImportRejected("the spreadsheet has no readable table (damaged or truncated content.xml)",
                             reason="unreadable", file=file_name)
    sheets: list[RawSheet] = []
    for table in tables:
        name = table.getAttrNS(TABLENS, "name") or ""
        rows: list[list[object]] = []
        pending_blank = 0
        for row in _odf_children(table, "table-row", TABLENS):
            repeat = _odf_int(row.getAttrNS(TABLENS, "number-rows-repeated"))
            cells = _odf_row(row, TABLENS, OFFICENS, teletype, file_name, name)
            if not any(cell is not None for cell in cells):
                pending_blank += repeat  # trailing blank rows are often "repeated 1,048,000 times": add lazily
                continue
            if len(rows) + pending_blank + repeat > safety.MAX_SHEET_ROWS:
                check_shape(len(rows) + pending_blank + repeat, 0, file_name, name)
            rows.extend([] for _ in range(pending_blank))
            pending_blank = 0
            rows.extend(list(cells) for _ in range(repeat))
        sheets.append(RawSheet(nfc_text(name), columns_from_rows(rows, unchanged_cell)))
    return sheets


def _odf_table_class() -> type:
    from odf.table import Table

    return Table


def _odf_children(element: Any, local_name: str, namespace: str) -> Iterable[Any]:  # odfpy elements
    """Direct and row-group children named ``local_name`` (rows may sit inside header/row groups)."""
    for child in element.childNodes:
        if getattr(child, "qname", None) == (namespace, local_name):
            yield child
        elif getattr(child, "qname", (None, ""))[1] in ("table-header-rows", "table-row-group", "table-rows"):
            yield from _odf_children(child, local_name, namespace)


def _odf_row(row: Any, tablens: str, officens: str, teletype: Any, file_name: str, sheet: str) -> list[object]:
    """Typed cells of one ods row; trailing empty repeated cells are dropped."""
    cells: list[object] = []
    pending_empty = 0
    for cell in row.childNodes:
        if getattr(cell, "qname", (None, ""))[1] not in ("table-cell", "covered-table-cell"):
            continue
        repeat = _odf_int(cell.getAttrNS(tablens, "number-columns-repeated"))
        value = _odf_value(cell, officens, teletype)
        if value is None:
            pending_empty += repeat
            continue
        if len(cells) + pending_empty + repeat > safety.MAX_COLUMNS:
            check_shape(0, len(cells) + pending_empty + repeat, file_name, sheet)
        cells.extend([None] * pending_empty)
        pending_empty = 0
        cells.extend([value] * repeat)
    return cells


def _odf_value(cell: Any, officens: str, teletype: Any) -> object:
    """One ods cell by its office:value-type."""
    value_type = cell.getAttrNS(officens, "value-type")
    if value_type in ("float", "percentage", "currency"):
        return float(cell.getAttrNS(officens, "value"))
    if value_type == "boolean":
        return cell.getAttrNS(officens, "boolean-value") == "true"
    if value_type == "date":
        text = cell.getAttrNS(officens, "date-value") or ""
        try:
            return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
        except ValueError:
            return text or None
    text = teletype.extractText(cell)
    return plain_cell(text) if text else None


def _odf_int(value: str | None) -> int:
    """A repeat count attribute (absent -> 1)."""
    try:
        return max(int(value), 1) if value else 1
    except ValueError:
        return 1


def _require_defusedxml(file_name: str) -> None:
    """docs/reliability.md T1: without defusedxml behind openpyxl, xlsx/ods import is disabled altogether."""
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        raise ImportRejected("xlsx/ods import is disabled: the defusedxml package is missing", reason="xml",
                             file=file_name)


def _check_container(data: bytes, file_name: str, kind: str) -> dict[str, bytes] | None:
    """Zip-bomb limits and XML DOCTYPE/ENTITY scan for xlsx/ods containers.

    Returns:
        For an xlsx, the ``excel_fast`` plan: ``{}`` when the worksheets look like text only, else the
        worksheet parts cut after their head rows; ``None`` (ods, or no plan): python-calamine only.
    """
    archive = safety.open_zip(data, file_name)
    with archive:
        xml_prolog.check_xml_parts(archive, file_name)
        safety.check_sheet_extent(archive, file_name, kind)
        if kind != "xlsx":
            return None
        parts = sheet_extent.xlsx_worksheet_parts(archive)
        return {} if looks_all_text(archive, parts) else plan_heads(archive, parts)


def _xlrd_cell(cell: Any, datemode: int) -> object:  # an xlrd Cell
    """Convert one xlrd cell by its ctype."""
    import xlrd

    ctype, value = cell.ctype, cell.value
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if ctype == xlrd.XL_CELL_TEXT:
        return plain_cell(value)
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if ctype == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate.xldate_as_datetime(value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return float(value)
        return moment.date() if moment.time() == dt.time(0) else moment
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    return value


def _openpyxl_rejection(error: Exception, file_name: str) -> ImportRejected:
    """Map an openpyxl/defusedxml failure to a rejection reason."""
    name = type(error).__name__
    reason = "xml" if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden") else "unreadable"
    return ImportRejected(f"openpyxl cannot read the workbook: {name}: {error}"[:300], reason=reason, file=file_name)
