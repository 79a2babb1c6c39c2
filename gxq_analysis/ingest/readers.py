"""Reading submission files into plain grids of cells (the table in a grid is found by
:mod:`gxq_analysis.ingest.layout`).

- CSV: the encoding is detected, never asked for: BOM (UTF-8 / UTF-16) → strict UTF-8 → GB18030
  (a superset of GBK and GB2312; reference §6.1). The chosen encoding is recorded.
- .xlsx: openpyxl (``data_only=True``: the cached results of formulas; error cells come back as
  ``#DIV/0!`` text), with the merged ranges (only openpyxl sees them; reference §6.2).
- .xls: xlrd 2.x, with dates and error codes decoded.

A :class:`Grid` is a sheet as the user sees it: ``rows[i]`` is the list of cells of spreadsheet row
``i + 1`` (1-based row numbers are what quarantine reasons and ``source_row`` show).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


class UnreadableFile(Exception):
    """A file that cannot be read at all; the message says why (Chinese first)."""


@dataclass
class Grid:
    name: str  # sheet name ("" for CSV)
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r1, c1, r2, c2), 1-based

    def cell(self, r: int, c: int) -> object:
        """Cell at 1-based (row, column), None when outside."""
        if 1 <= r <= len(self.rows):
            row = self.rows[r - 1]
            if 1 <= c <= len(row):
                return row[c - 1]
        return None


@dataclass
class Workbook:
    grids: list[Grid]
    encoding: str = ""  # CSV only
    kind: str = ""  # csv | xlsx | xls


# --- reading -------------------------------------------------------------------------------------
def detect_encoding(data: bytes) -> str:
    """BOM → strict UTF-8 → GB18030; raises UnreadableFile when none decodes."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"无法识别文本编码 cannot decode text as UTF-8 or GB18030 (byte {exc.start}: {exc.reason})"
        ) from None


def read_csv_bytes(data: bytes) -> Workbook:
    if not data.strip():
        raise UnreadableFile("空文件 empty file")
    if b"\x00" in data[:4096] and not (
        data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE)
    ):
        raise UnreadableFile("不是文本文件 not a text file (binary content)")
    enc = detect_encoding(data)
    text = data.decode(enc)
    sample = text[:4096]
    delimiter = ","
    first = sample.splitlines()[0] if sample.splitlines() else ""
    if first.count("\t") > first.count(",") and first.count("\t") > 0:
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[object]] = []
    try:
        last_line = 0
        for rec in reader:
            start_line = last_line + 1
            last_line = reader.line_num
            # Keep 1 grid row per CSV line: a record spanning lines keeps its first line number.
            while len(rows) < start_line - 1:
                rows.append([])
            # Blank cells read as None; most rows have none, which all() over the stripped cells tells in C.
            cells: list[object] = (
                list(rec) if all(map(str.strip, rec)) else [c if c.strip() else None for c in rec]
            )
            rows.append(cells)
    except csv.Error as exc:
        raise UnreadableFile(f"CSV 格式错误 malformed CSV: {exc}") from None
    return Workbook([Grid("", rows)], encoding=enc, kind="csv")


_MERGE_REF = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_CELL_COL = re.compile(rb'<c\s+r="([A-Z]{1,3})\d+"')
_ROW_NUM = re.compile(rb'<row\s+r="(\d+)"')
_ERROR_CELL = re.compile(rb'<c\s+r="([A-Z]{1,3})(\d+)"[^>]*?\bt="e"[^>]*>.*?<v>([^<]*)</v>', re.S)
_SHEET_REL = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(
    rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"|'
    rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"'
)

# A sheet whose used range (last row × last column) exceeds this many cells is read sparsely, row by
# row, instead of into a dense block: one stray cell in column XFD must not cost gigabytes.
DENSE_CELL_LIMIT = 4_000_000
_CHUNK = 1 << 20


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class SheetScan:
    """What one pass over a sheet's XML tells before any cell is loaded."""

    max_row: int = 0
    max_col: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # Excel error cells (#DIV/0! …)


def _unescape_xml(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _sheet_paths(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, XML member) in workbook order."""
    wb_xml = zf.read("xl/workbook.xml")
    rels_xml = zf.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for m in _REL.finditer(rels_xml):
        rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        t = target.decode("utf-8")
        targets[rid.decode("utf-8")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    out = []
    for m in _SHEET_REL.finditer(wb_xml):
        rid = m.group(2).decode("utf-8")
        if rid in targets and "/worksheets/" in targets[rid]:  # chart sheets hold no cells
            out.append((_unescape_xml(m.group(1).decode("utf-8")), targets[rid]))
    return out


def error_cells(part: bytes) -> Iterator[re.Match[bytes]]:
    """The matches of ``_ERROR_CELL.finditer(part)``, found from the ``t="e"`` attributes: a match starts
    at a cell tag holding one, so the regex is tried at those tags only, not at every cell of the sheet.
    Matches do not overlap, as finditer's."""
    end = 0
    pos = part.find(b't="e"')
    while pos >= 0:
        start = part.rfind(b"<", 0, pos)  # the tag holding the attribute
        if start >= end:
            m = _ERROR_CELL.match(part, start)
            if m:
                yield m
                end = m.end()
        pos = part.find(b't="e"', max(pos + 1, end))


def _last_row_number(part: bytes) -> int:
    """The number of the last ``<row r="…">`` tag in ``part`` (0 when none), found from the end: rows
    come in order, and matching every row tag of a big sheet only to keep the last one costs a pass."""
    end = len(part)
    while (pos := part.rfind(b"<row", 0, end)) >= 0:
        m = _ROW_NUM.match(part, pos)
        if m:
            return int(m.group(1))
        end = pos
    return 0


def scan_sheet(zf: zipfile.ZipFile, member: str) -> SheetScan:
    """Stream a sheet's XML once (1 MB at a time): used range, merged ranges and error cells."""
    scan = SheetScan()
    cols: set[bytes] = set()
    tail = b""
    with zf.open(member) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            buf = tail + chunk
            # Only whole tags are matched: keep the bytes after the last '<' for the next round.
            cut = buf.rfind(b"<")
            cut = len(buf) if cut < 0 else cut
            part, tail = buf[:cut], buf[cut:]
            cols.update(_CELL_COL.findall(part))
            last_row = _last_row_number(part)
            if last_row:
                scan.max_row = max(scan.max_row, last_row)
            if b't="e"' in part:
                for m in error_cells(part):
                    scan.errors[(int(m.group(2)), _col_number(m.group(1).decode()))] = m.group(3).decode(
                        "utf-8", errors="replace"
                    )
            for m in _MERGE_REF.finditer(part) if b"<mergeCell" in part else ():
                scan.merged.append(
                    (
                        int(m.group(2)),
                        _col_number(m.group(1).decode()),
                        int(m.group(4)),
                        _col_number(m.group(3).decode()),
                    )
                )
            if len(tail) > _CHUNK:  # a tag longer than a megabyte: not a worksheet we can trust
                raise UnreadableFile("工作表 XML 异常 malformed sheet XML (a tag longer than 1 MB)")
    scan.max_col = max((_col_number(c.decode()) for c in cols), default=0)
    return scan


def _trim(row: list[object]) -> list[object]:
    while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
        row.pop()
    return row


def _clip_merged(
    merged: list[tuple[int, int, int, int]], rows: list[list[object]]
) -> list[tuple[int, int, int, int]]:
    """Merged ranges cut to the cells that exist: a merge over A1:XFD1048576 must not be walked cell by cell."""
    n_rows = len(rows)
    n_cols = max((len(r) for r in rows), default=0)
    out = []
    for r1, c1, r2, c2 in merged:
        if r1 > n_rows or c1 > n_cols:
            continue
        out.append((r1, c1, min(r2, n_rows), min(c2, max(n_cols, c1))))
    return out


def read_xlsx(path: Path) -> Workbook:
    """Values through python-calamine (Rust, fast and light) when a sheet's used range is sane, else
    through openpyxl's read-only streaming reader (sparse, row by row). Merged ranges and Excel error
    cells (which calamine returns as blanks) come from one streaming pass over the sheet XML."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(
            f"工作簿已损坏或不是 xlsx corrupt or not an .xlsx workbook ({type(exc).__name__}: "
            f"{str(exc)[:120]})"
        ) from None
    try:
        with zf:
            sheets = _sheet_paths(zf)
            scans = [scan_sheet(zf, member) for _, member in sheets]
    except UnreadableFile:
        raise
    except Exception as exc:  # missing parts, broken zip members, broken XML
        raise UnreadableFile(
            f"工作簿已损坏或不是 xlsx corrupt or not an .xlsx workbook ({type(exc).__name__}: "
            f"{str(exc)[:120]})"
        ) from None
    if not sheets:
        raise UnreadableFile("工作簿中没有工作表 the workbook has no worksheet")
    dense = all(sc.max_row * sc.max_col <= DENSE_CELL_LIMIT for sc in scans)
    try:
        values = _values_calamine(path, [n for n, _ in sheets]) if dense else _values_openpyxl(path)
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(
            f"工作簿无法读取 cannot read workbook ({type(exc).__name__}: {str(exc)[:120]})"
        ) from None
    grids = []
    for (name, _), scan, rows in zip(sheets, scans, values):
        for (r, c), text in scan.errors.items():
            if r <= len(rows):
                row = rows[r - 1]
                if len(row) < c:
                    row.extend([None] * (c - len(row)))
                if row[c - 1] is None:
                    row[c - 1] = text
        grids.append(Grid(name, rows, _clip_merged(scan.merged, rows)))
    return Workbook(grids, kind="xlsx")


def _calamine_row(rec: list[Any], pad: list[None]) -> list[object]:
    """A calamine row as a grid row: blanks ("") as None, ``pad`` (the columns left of the used range)
    in front, nothing blank at the end. Trailing blanks go first and the row is copied only when a blank
    is left inside it."""
    while rec and rec[-1] == "":
        rec.pop()
    if "" in rec:
        rec = [None if v == "" else v for v in rec]
    if not rec:
        return rec
    if pad:
        rec = pad + rec
    last = rec[-1]
    return _trim(rec) if isinstance(last, str) and not last.strip() else rec


def _values_calamine(path: Path, names: list[str]) -> list[list[list[object]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    out = []
    try:
        for name in names:
            sheet = book.get_sheet_by_name(name)
            r0, c0 = (sheet.start if sheet.height else None) or (0, 0)
            pad = [None] * c0
            rows: list[list[object]] = [_calamine_row(rec, pad) for rec in sheet.iter_rows()]
            # The rows above the used range come out as blanks in some versions and not in others;
            # the columns left of it never do.
            if r0 and len(rows) == sheet.height:
                rows = [[] for _ in range(r0)] + rows
            while rows and not rows[-1]:
                rows.pop()
            out.append(rows)
    finally:
        book.close()
    return out


def _values_openpyxl(path: Path) -> list[list[list[object]]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    out = []
    try:
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # never trust the stored dimension
            rows = [_trim(list(r)) for r in ws.iter_rows(values_only=True)]
            while rows and not rows[-1]:
                rows.pop()
            out.append(rows)
    finally:
        wb.close()
    return out


def read_xls(path: Path) -> Workbook:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except NotImplementedError:
        try:
            book = xlrd.open_workbook(str(path))
        except Exception as exc:
            raise UnreadableFile(
                f"xls 无法读取 cannot read .xls ({type(exc).__name__}: {str(exc)[:120]})"
            ) from None
    except Exception as exc:
        raise UnreadableFile(
            f"xls 已损坏 corrupt or not an .xls workbook ({type(exc).__name__}: {str(exc)[:120]})"
        ) from None
    grids = []
    for sh in book.sheets():
        rows: list[list[object]] = []
        for r in range(sh.nrows):
            out: list[object] = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    v: object = None
                elif cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        v = xlrd.xldate_as_datetime(cell.value, book.datemode)
                    except Exception:
                        v = cell.value
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    v = xlrd.error_text_value.get(cell.value, "#N/A")
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    v = bool(cell.value)
                else:
                    v = cell.value
                out.append(v)
            while out and (out[-1] is None or (isinstance(out[-1], str) and not out[-1].strip())):
                out.pop()
            rows.append(out)
        merged = [(r1 + 1, c1 + 1, r2, c2) for (r1, r2, c1, c2) in getattr(sh, "merged_cells", [])]
        grids.append(Grid(sh.name, rows, merged))
    return Workbook(grids, kind="xls")


def read_file(path: Path, data: bytes | None = None) -> Workbook:
    """Read any supported file into grids. Raises UnreadableFile with a reason."""
    suffix = path.suffix.lower()
    if data is None:
        data = path.read_bytes()
    if not data:
        raise UnreadableFile("空文件 empty file (0 bytes)")
    if suffix == ".csv":
        return read_csv_bytes(data)
    if suffix in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            raise UnreadableFile(
                "工作簿已损坏或不是 xlsx corrupt or not an .xlsx workbook (not a zip archive)"
            )
        return read_xlsx(path)
    if suffix == ".xls":
        return read_xls(path)
    raise UnreadableFile(f"不支持的文件类型 unsupported file type {suffix}")


# --- finding the table ------------------------------------------------------------------------
