"""The fast paths of a clean (issue #14) give what the careful paths give, on messy and on plain input.

- quarantine.csv lines joined directly vs csv.writer over the neutralised cells of each record;
- observations.csv lines joined directly vs the generic cell-by-cell formatting;
- Excel error cells found from their ``t="e"`` attributes vs the regex over the whole sheet XML.
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
from operator import attrgetter

from gxq_analysis.ingest import outputs, readers
from gxq_analysis.ingest.records import QUARANTINE_COLUMNS, Observation, QuarantineEntry
from gxq_analysis.model.observations import OBSERVATION_COLUMNS
from gxq_analysis.model.periods import parse_period

# Text people put in files, and text that must be quoted or neutralised in a CSV.
_MESSY = [
    "",
    "plain",
    "表1",
    "submissions/2019/科技局.xlsx",
    "a,b",
    'say "hi"',
    "two\nlines",
    "carriage\rreturn",
    "tab\there",
    "=SUM(A1)",
    "+1",
    "-5",
    "-x",
    "@cmd",
    "\tlead",
    "＝全角",
    "－5",
    "'quoted'",
    " space ",
    "1,200",
    '"',
    ",",
]


def _careful(rows: list[object], columns: list[str]) -> str:
    """csv.writer over :func:`outputs._csv_cells` of each record: the path every row once took."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    get = attrgetter(*columns)
    w.writerows(outputs._csv_cells(get(r)) for r in rows)
    return buf.getvalue()


def _quarantine_entries() -> list[QuarantineEntry]:
    entries = []
    rows: list[int | str] = [12, "", 1]
    for i, (text, other) in enumerate(itertools.product(_MESSY, _MESSY[:8])):
        entries.append(
            QuarantineEntry(
                source_file=text if i % 3 == 0 else f"submissions/{other or 'f'}.csv",
                source_sheet=other if i % 2 else "",
                source_row=rows[i % 3],
                source_column="E" if i % 4 else "E,F",
                category="invalid_value",
                detail=f"无法识别为数值 not a number: {text!r} {other}",
                raw_value=text,
                raw_name=other,
                indicator_id="rd_share" if i % 2 else "",
                geo=other,
                period="2019Q3" if i % 5 else text,
                ytd=("", "true", "false")[i % 3],
                reported_at="2019-10-15" if i % 2 else text,
                illustrative="true" if i % 2 else "false",
                label=other,
            )
        )
    # Each text field messy alone, the others plain (so no other cell sends the line the careful way).
    plain = QuarantineEntry(
        "submissions/a.csv", "表1", 3, "E", "invalid_value", "bad", "x", "name", "rd_share", "江阴", "2019Q3"
    )
    for field in ("source_file", "source_sheet", "raw_value", "raw_name", "geo", "period", "reported_at"):
        for text in _MESSY:
            entry = copy.copy(plain)
            setattr(entry, field, text)
            entries.append(entry)
    # A whole-file line (no sheet, row or column): the reason is quoted only when its detail needs it.
    for text in _MESSY:
        entries.append(QuarantineEntry("submissions/b.csv", "", "", "", "unreadable_file", text or "empty"))
    return entries


def test_quarantine_lines_are_what_csv_writer_writes(tmp_path):
    entries = _quarantine_entries()
    path = tmp_path / "quarantine.csv"
    outputs.write_csv(path, entries, QUARANTINE_COLUMNS, "utf-8")
    written = path.read_bytes().decode("utf-8")
    assert written == _careful(entries, QUARANTINE_COLUMNS)
    # Both paths were taken: plain lines joined directly and messy ones through csv.writer.
    assert any('"' in e.raw_value or "," in e.raw_value for e in entries)
    assert any(e.raw_value == "plain" and e.source_file.startswith("submissions/") for e in entries)


def test_observation_rows_are_the_generic_cells(tmp_path):
    period = parse_period("2019Q3")
    observations = [
        Observation(
            "rd_share",
            geo,
            "2019Q3",
            value,
            "%",
            f"submissions/{raw}.csv",
            7,
            i % 2 == 0,
            i % 3 == 0,
            raw,
            "D",
            raw,
            raw,
            "",
            "≈" if i % 2 else raw,
            "2019-10-15",
            raw,
            raw,
            period,
        )
        for i, (raw, geo, value) in enumerate(
            itertools.product(_MESSY, ["江阴高新区", "=x"], [5.5, 0.0, -0.0, 1e16, 0.1 + 0.2, 3.0, 120.0])
        )
    ]
    # Each text field messy alone, the others plain.
    plain = observations[0]
    for field in ("indicator_id", "geo", "source_file", "source_sheet", "raw_value", "note", "source"):
        for text in _MESSY:
            obs = copy.copy(plain)
            setattr(obs, field, text)
            observations.append(obs)
    path = tmp_path / "observations.csv"
    outputs.write_csv(path, observations, OBSERVATION_COLUMNS, "utf-8")
    assert path.read_bytes().decode("utf-8") == _careful(observations, OBSERVATION_COLUMNS)


def test_error_cells_are_what_the_regex_finds_everywhere():
    """readers.error_cells tries the error-cell regex only at tags holding t="e"; it must find exactly
    the matches finditer finds over the whole text, on plain and on odd sheet XML."""
    cells = [
        b'<c r="A1" t="n"><v>1</v></c>',
        b'<c r="B1" t="e"><v>#DIV/0!</v></c>',
        b'<c r="C1" s="2" t="e"><f>1/0</f><v>#REF!</v></c>',
        b'<c r="D1" t="e"></c>',  # no <v>: the match runs on to the next cell's value
        b'<c r="E1" xt="e" t="s"><v>3</v></c>',  # t="e" inside another attribute's name
        b'<c r="F1" t="e" t="e"><v>#N/A</v></c>',
        b'<is t="e"><t>text</t></is>',  # not a cell tag
        b'<c  r="AA12"\n t="e"><v>#NAME?</v></c>',
        b'<c r="G1" t="str"><v>t="e"</v></c>',  # the words in a value
        b'<c r="H1" t="e"/>',
        b'<c r="I1" t="n"><v>2</v></c>',
    ]
    for a, b, c in itertools.product(cells, repeat=3):
        xml = b'<sheetData><row r="1">' + a + b + c + b"</row></sheetData>"
        assert [m.span() for m in readers.error_cells(xml)] == [
            m.span() for m in readers._ERROR_CELL.finditer(xml)
        ], xml


def test_writers_fall_back_whole_when_csv_quotes_more(tmp_path, monkeypatch):
    """Were csv ever to quote characters the direct lines do not test for, every line goes through
    csv.writer: the same files."""
    monkeypatch.setattr(outputs, "_DIRECT_LINES", False)
    test_quarantine_lines_are_what_csv_writer_writes(tmp_path)
    test_observation_rows_are_the_generic_cells(tmp_path)
