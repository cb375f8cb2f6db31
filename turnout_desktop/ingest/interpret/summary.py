"""Summary sheets: official counts per party x method, wide or long, one county or many.

Wide: rows = party (or county), columns = Early Voting / Election Day / Mail / Total, like the
SOS county turnout table (``County | Registered Voters | ... | Cumulative In-Person Voters |
Cumulative By Mail Voters | Cumulative In-Person And Mail Voters``). Long: party, method, count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from turnout_desktop.domain.codes import NO_PARTY, TOTAL, parse_method, parse_party
from turnout_desktop.domain.counties import canonical_county_name, is_pseudo_county
from turnout_desktop.ingest.interpret.layout import DetectedLayout, SheetLike, is_empty_cell
from turnout_desktop.ingest.interpret.mapping import COUNT_FIELDS, IN_PERSON_ON_DATE
from turnout_desktop.ingest.interpret.normalize import has_hidden_characters
from turnout_desktop.ingest.interpret.problems import ProblemLog
from turnout_desktop.ingest.interpret.roster import Hints, take

METHOD_FIELDS = ("early-voting", "election-day", "mail-in")
_INT_TEXT = re.compile(r"^\s*[+-]?\d{1,3}(,\d{3})*\s*$|^\s*[+-]?\d+\s*$")


@dataclass(slots=True)
class SummaryCounts:
    """Counts read from one summary sheet: (county, party) -> method -> count (TOTAL included)."""

    file: str
    sheet: str
    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)


def parse_count(value: object) -> int | None:
    """A whole-number count from a cell (``1,265,359``, ``1265359.0``); None when it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and value.is_integer() else None
    if isinstance(value, str) and _INT_TEXT.match(value):
        return int(value.replace(",", "").strip())
    return None


def _label_column(sheet: SheetLike, layout: DetectedLayout) -> tuple[str | None, int | None]:
    """Find an unlabelled county or party column (first text column of the data)."""
    for name in ("county", "party"):
        if name in layout.mapping:
            return name, layout.mapping[name]
    used = set(layout.mapping.values())
    sample = layout.data_indexes[:50]
    for index, column in enumerate(sheet.columns):
        if index in used:
            continue
        values = [v for v in take(column, sample) if isinstance(v, str) and v.strip()]
        if not values:
            continue
        if sum(canonical_county_name(v) is not None for v in values) * 2 >= len(values):
            return "county", index
        if sum(parse_party(v) is not None for v in values) * 2 >= len(values):
            return "party", index
    return None, None


def read_summary_sheet(sheet: SheetLike, layout: DetectedLayout, hints: Hints, log: ProblemLog) -> SummaryCounts:
    """Official counts of one summary sheet; arithmetic and footer totals checked."""
    result = SummaryCounts(file=hints.file, sheet=hints.sheet)
    where: dict[str, Any] = {"file": hints.file, "sheet": hints.sheet}
    label_kind, label_index = _label_column(sheet, layout)
    long_form = "count" in layout.mapping and "voting_method" in layout.mapping
    count_columns = {f: layout.mapping[f] for f in COUNT_FIELDS if f in layout.mapping}
    on_date_column = _election_day_column(layout, count_columns, hints)
    if on_date_column is not None:
        log.add("summary_in_person_split", column=layout.titles[on_date_column], value=layout.titles[
            count_columns["early-voting"]], **where)
    column_sums: dict[int, int] = {}
    for index in layout.data_indexes.tolist():
        cells = sheet.row(index) if hasattr(sheet, "row") else [c[index] for c in sheet.columns]
        row_no = layout.row_number(index)
        label = cells[label_index] if label_index is not None else None
        if label_kind == "county" and is_pseudo_county(label):
            continue  # a TOTAL / STATEWIDE line in the middle: not a county
        if _hidden_label(cells, label_index, layout, log, row_no, where):
            continue
        county, party = _row_key(cells, layout, label_kind, label, hints, log, row_no)
        if county is None or party is None:
            continue
        methods = result.counts.setdefault((county, party), {})
        if long_form:
            _read_long_row(cells, layout, methods, log, row_no, where)
            continue
        row_counts: dict[str, int] = {}
        for name, column_index in count_columns.items():
            number = _cell_count(cells, column_index, layout, log, row_no, where)
            if number is not None:
                row_counts[name] = number
                column_sums[column_index] = column_sums.get(column_index, 0) + number
        if on_date_column is not None and "early-voting" in row_counts:
            _split_in_person(row_counts, _cell_count(cells, on_date_column, layout, log, row_no, where), layout,
                             log, row_no, where, on_date_column)
        for name, number in row_counts.items():
            methods[name] = methods.get(name, 0) + number
        _check_arithmetic(methods, layout, log, row_no, where, count_columns)
    for counts in result.counts.values():
        for method in METHOD_FIELDS:
            counts.setdefault(method, 0)
        if TOTAL not in counts:
            counts[TOTAL] = sum(counts[m] for m in METHOD_FIELDS)
    if long_form:
        for (county, party), counts in result.counts.items():
            if counts[TOTAL] != sum(counts[m] for m in METHOD_FIELDS):
                log.add("summary_arithmetic", value=counts[TOTAL], column=TOTAL,
                        message=f"{county} {party}: the methods add up to {sum(counts[m] for m in METHOD_FIELDS)}"
                                f", the total says {counts[TOTAL]}.", **where)
    _check_footers(layout, column_sums, log, where)
    return result


def _election_day_column(layout: DetectedLayout, count_columns: dict[str, int], hints: Hints) -> int | None:
    """The "in person on the report date" column when it holds this report's election-day votes.

    In an election-day report (Civix ``EVR_ELECTIONDAYTURNOUT``: ``in_person_votes_on_date`` beside the
    cumulative ``total_in_person_votes``) the cumulative in-person column counts early voting plus election
    day; the on-date column is election day alone. In an early-voting report the same column is one early
    voting day, already inside the cumulative count. Which report it is comes from --method, the sheet or
    the file name (``turnout_ed_...``); without an election-day hint nothing is split.
    """
    if IN_PERSON_ON_DATE not in layout.mapping or "early-voting" not in count_columns:
        return None
    if "election-day" in count_columns:
        return None  # the report has its own election-day column
    report_method = hints.method_option or hints.method_sheet or hints.method_file
    return layout.mapping[IN_PERSON_ON_DATE] if report_method == "election-day" else None


def _cell_count(cells: list[object], column_index: int, layout: DetectedLayout, log: ProblemLog, row_no: int,
                where: dict[str, Any]) -> int | None:
    """The whole-number count of one cell (empty = 0); a bad number is logged and gives None."""
    value = cells[column_index]
    number = 0 if is_empty_cell(value) else parse_count(value)
    if number is None:
        log.add("summary_bad_number", row=row_no, column=layout.titles[column_index], value=value, **where)
    return number


def _split_in_person(row_counts: dict[str, int], on_date: int | None, layout: DetectedLayout, log: ProblemLog,
                     row_no: int, where: dict[str, Any], on_date_column: int) -> None:
    """Election day = the on-date count; early voting = the cumulative in-person count minus it."""
    if on_date is None:
        return
    cumulative = row_counts["early-voting"]
    if on_date > cumulative:
        log.add("summary_arithmetic", row=row_no, column=layout.titles[on_date_column], value=on_date,
                message=f"{on_date:,} in person on the report date is more than the {cumulative:,} in person in "
                        "all.", **where)
        return
    row_counts["early-voting"] = cumulative - on_date
    row_counts["election-day"] = on_date


def _hidden_label(cells: list[object], label_index: int | None, layout: DetectedLayout, log: ProblemLog,
                  row_no: int, where: dict[str, Any]) -> bool:
    """True (and logged, blocking) when a county, party or method label holds invisible or control characters."""
    labels = {label_index, *(layout.mapping.get(f) for f in ("county", "party", "voting_method"))}
    for index in sorted(index for index in labels if index is not None):
        if has_hidden_characters(cells[index]):
            log.add("hidden_characters", row=row_no, column=layout.titles[index], value=cells[index], **where)
            return True
    return False


def _row_key(cells: list[object], layout: DetectedLayout, label_kind: str | None, label: object, hints: Hints,
             log: ProblemLog, row_no: int) -> tuple[str | None, str | None]:
    where: dict[str, Any] = {"file": hints.file, "sheet": hints.sheet, "row": row_no}
    county: str | None = hints.county
    party: str | None = hints.party or NO_PARTY
    if label_kind == "county":
        county = canonical_county_name(label)
        if county is None:
            log.add("unknown_county", column=layout.titles[layout.mapping.get("county", 0)]
                    if "county" in layout.mapping else None, value=label, **where)
            return None, None
    elif label_kind == "party":
        party = parse_party(label)
        if party is None:
            log.add("unknown_party", value=label, **where)
            return None, None
    if "party" in layout.mapping and label_kind != "party":
        cell = cells[layout.mapping["party"]]
        party = parse_party(cell) or party
    if county is None:
        log.add("unknown_county", message="No county column, no --county and no county in the file name.", **where)
        return None, None
    if hints.county_option and county != hints.county_option:
        log.add("other_county", value=label, **where)
        return None, None
    return county, party


def _read_long_row(cells: list[object], layout: DetectedLayout, methods: dict[str, int], log: ProblemLog,
                   row_no: int, where: dict[str, Any]) -> None:
    label = cells[layout.mapping["voting_method"]]
    method = TOTAL if str(label or "").strip().upper() in {"TOTAL", "TOTALS", "ALL"} else parse_method(label)
    if method is None:
        log.add("unknown_method", row=row_no, column=layout.titles[layout.mapping["voting_method"]], value=label,
                **where)
        return
    number = parse_count(cells[layout.mapping["count"]])
    if number is None:
        log.add("summary_bad_number", row=row_no, column=layout.titles[layout.mapping["count"]],
                value=cells[layout.mapping["count"]], **where)
        return
    methods[str(method)] = methods.get(str(method), 0) + number


def _check_arithmetic(methods: dict[str, int], layout: DetectedLayout, log: ProblemLog, row_no: int,
                      where: dict[str, Any], count_columns: dict[str, int]) -> None:
    if TOTAL not in count_columns:
        return
    parts = sum(methods.get(m, 0) for m in METHOD_FIELDS)
    if parts != methods.get(TOTAL, 0):
        log.add("summary_arithmetic", row=row_no, column=layout.titles[count_columns[TOTAL]],
                value=methods.get(TOTAL), message=f"The voting methods add up to {parts:,}, the total says "
                                                  f"{methods.get(TOTAL, 0):,}.", **where)


def _check_footers(layout: DetectedLayout, column_sums: dict[int, int], log: ProblemLog,
                   where: dict[str, Any]) -> None:
    for footer in layout.footers:
        compared = {i: n for i, n in footer.numbers.items() if i in column_sums}
        wrong = {i: n for i, n in compared.items() if column_sums[i] != n}
        row = layout.row_number(footer.index)
        for column_index, number in wrong.items():
            log.add("footer_total_mismatch", row=row, column=layout.titles[column_index], value=number,
                    message=f"The footer says {number:,}, the rows add up to {column_sums[column_index]:,}.", **where)
        if compared and not wrong:
            log.add("footer_total", row=row, column=None, value=footer.label, **where)
        elif not compared:
            log.add("footer_skipped", row=row, value=footer.label, **where)
