"""Finding the table in a grid: the header row(s) (one or two levels, merged cells filled), the role of
each column (indicator name, value, unit, period, note …), the title lines above and the footnote lines
below, from which the period, unit and reporting date (填报日期) are read."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..model.periods import extract_period, mentions_ytd
from .readers import Grid
from .values import canonical_unit_text, normalize_text, strip_markers, unit_family

ROLE_NAME = "name"
ROLE_VALUE = "value"
ROLE_UNIT = "unit"
ROLE_PERIOD = "period"
ROLE_NOTE = "note"
ROLE_NO = "no"
ROLE_OTHER = "other"

_NAME_WORDS = ("指标名称", "指标", "项目名称", "项目", "名称", "indicator", "item", "name")
_UNIT_WORDS = ("计量单位", "单位", "unit")
_PERIOD_WORDS = ("报告期", "统计期", "时期", "期间", "所属期", "period")
_NOTE_WORDS = ("备注", "说明", "附注", "note", "remark", "comment")
_NO_WORDS = ("序号", "编号", "行次", "no.", "no", "#")
_VALUE_WORDS = (
    "本期值",
    "本期数",
    "本期",
    "本月数",
    "本月",
    "本季度",
    "本季",
    "当期",
    "当月",
    "当季",
    "本年累计",
    "累计数",
    "累计",
    "数值",
    "完成值",
    "完成数",
    "实际值",
    "实绩",
    "指标值",
    "value",
    "数据",
    "年末数",
    "期末数",
    "合计",
)
# Columns that carry numbers which are *not* the indicator's value: growth rates, targets, shares of plan.
_OTHER_WORDS = (
    "同比",
    "增长",
    "增幅",
    "增速",
    "比上年",
    "较上年",
    "上年同期",
    "目标",
    "计划",
    "完成率",
    "进度",
    "排名情况",
    "环比",
    "去年",
)

_FOOTNOTE_START = re.compile(
    r"^\s*(?:注|本表|说明|备注|附注|资料来源|数据来源|来源|填报|审核|制表|负责人|联系人|联系电话|单位负责人|统计负责人|"
    r"[\*＊※]|[①-⑳])"
)
_REPORTED_AT_LABEL = re.compile(r"(?:填报|报送|填表|上报)(?:日期|时间)\s*[:：]?\s*")
_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:月|[-./])\s*(\d{1,2})\s*日?")
_UNIT_LINE = re.compile(r"(?:^|\s)(?:计量)?单位\s*[:：]\s*([^\s,，;；]+)")


@dataclass
class Column:
    index: int  # 1-based
    label: str  # combined header text, e.g. "2019年第三季度/1-9月累计"
    role: str
    ytd: bool = False
    unit: str = ""
    period_text: str = ""  # a period named in the header itself


@dataclass
class Table:
    header_rows: list[int]  # 1-based rows of the header (1 or 2)
    columns: list[Column]
    first_data_row: int
    title_lines: list[tuple[int, str]]  # rows above the header, as text
    footnote_rows: set[int] | None = None  # rows below the header that are footnotes (found once)
    sheet_unit: str = ""

    def by_role(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]


def cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%Y-%m-%d")
    return str(v).strip()


def row_text(row: list[object]) -> str:
    return " ".join(t for t in (cell_text(v) for v in row) if t)


def has_text(row: list[object]) -> bool:
    """Whether :func:`row_text` of the row is non-empty, without building it (every cell but None and
    blank text shows as something)."""
    for v in row:  # noqa: SIM110 - a plain loop: this runs once per row of every file
        if v is not None and (not isinstance(v, str) or v.strip()):
            return True
    return False


def _norm_label(text: str) -> str:
    s, _ = strip_markers(text)
    return re.sub(r"\s+", "", normalize_text(s)).lower()


def _label_has(label: str, words: tuple[str, ...]) -> bool:
    return any(w in label for w in words)


def _is_name_label(label: str) -> bool:
    return (
        label in _NAME_WORDS
        or (label.startswith(("指标", "项目")) and len(label) <= 6)
        or label == "指标名称"
    )


def classify_label(label: str) -> str:
    lab = _norm_label(label)
    if not lab:
        return ROLE_OTHER
    parts = lab.split("/")
    leaf = parts[-1]
    if _is_name_label(leaf) or any(_is_name_label(p) for p in parts):
        return ROLE_NAME
    if leaf in _NO_WORDS or _label_has(leaf, ("序号", "编号", "行次")):
        return ROLE_NO
    if leaf in _UNIT_WORDS or leaf.startswith(("单位", "计量单位")):
        return ROLE_UNIT
    if _label_has(leaf, _PERIOD_WORDS):
        return ROLE_PERIOD
    if _label_has(leaf, _NOTE_WORDS):
        return ROLE_NOTE
    if _label_has(lab, _OTHER_WORDS):
        return ROLE_OTHER
    if _label_has(leaf, _VALUE_WORDS) or extract_period(lab) is not None:
        return ROLE_VALUE
    return ROLE_OTHER


def fill_merged(grid: Grid, rows: set[int]) -> dict[tuple[int, int], object]:
    """Values of merged ranges spread to every cell they cover, for the given rows."""
    filled: dict[tuple[int, int], object] = {}
    for r1, c1, r2, c2 in grid.merged:
        v = grid.cell(r1, c1)
        for r in range(r1, r2 + 1):
            if r not in rows:
                continue
            for c in range(c1, c2 + 1):
                filled[(r, c)] = v
    return filled


def _header_score(cells: list[str]) -> tuple[bool, bool]:
    labels = [_norm_label(c) for c in cells]
    has_name = any(_is_name_label(lab) for lab in labels if lab)
    has_value = any(classify_label(c) == ROLE_VALUE for c in cells if c)
    return has_name, has_value


def _looks_numeric(v: object) -> bool:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return True
    s = normalize_text(strip_markers(cell_text(v))[0]).replace(",", "").rstrip("%")
    return bool(re.fullmatch(r"[-+]?\d+(?:\.\d+)?", s))


def find_table(grid: Grid, max_scan: int = 30) -> Table | None:
    """Locate the header of the indicator table in a grid; None when there is no recognisable table."""
    n = min(len(grid.rows), max_scan)
    scan_rows = set(range(1, n + 2))
    filled = fill_merged(grid, scan_rows)

    def text_at(r: int, c: int) -> str:
        v = filled.get((r, c), grid.cell(r, c))
        return cell_text(v)

    for r in range(1, n + 1):
        width = max(
            len(grid.rows[r - 1]), max((c2 for (r1, c1, r2, c2) in grid.merged if r1 <= r <= r2), default=0)
        )
        cells = [text_at(r, c) for c in range(1, width + 1)]
        if not any(cells):
            continue
        has_name, _has_value = _header_score(cells)
        if not has_name:
            continue
        header_rows = [r]
        labels = list(cells)
        # A second header level: the next row has labels (no numbers) under the first row's cells,
        # typically under a horizontally merged group ("2019年第三季度" over 本季 | 1-9月累计).
        if r + 1 <= len(grid.rows):
            width2 = max(width, len(grid.rows[r]))
            nxt = [text_at(r + 1, c) for c in range(1, width2 + 1)]
            raw_next = grid.rows[r] if r < len(grid.rows) else []
            nonempty = [c for c in nxt if c]
            merged_top = any(r1 == r and c2 > c1 for (r1, c1, r2, c2) in grid.merged)
            # Under the first row's name column a second header level is blank or merged from
            # above; a text of its own there is a data row naming an indicator (one whose value
            # is not a number, "=HYPERLINK(…)" say), which must not be swallowed as a header.
            name_cols = [i for i, c in enumerate(cells) if c and _is_name_label(_norm_label(c))]
            if (
                nonempty
                and not any(_looks_numeric(v) for v in raw_next if v is not None)
                and (merged_top or any(classify_label(c) == ROLE_VALUE for c in nonempty))
                and not any(
                    _is_name_label(_norm_label(c)) and not filled.get((r + 1, i + 1))
                    for i, c in enumerate(nxt)
                    if c
                )
                and not any(i < len(nxt) and nxt[i] and not filled.get((r + 1, i + 1)) for i in name_cols)
            ):
                header_rows.append(r + 1)
                labels = labels + [""] * (width2 - len(labels))
                combined = []
                for c in range(width2):
                    top, bottom = labels[c], nxt[c]
                    if top and bottom and top != bottom:
                        combined.append(f"{top}/{bottom}")
                    else:
                        combined.append(top or bottom)
                labels = combined
        columns = []
        for i, lab in enumerate(labels, start=1):
            if not lab:
                continue
            role = classify_label(lab)
            col = Column(i, lab, role)
            if role == ROLE_VALUE:
                col.ytd = mentions_ytd(lab)
                pm = extract_period(lab)
                if pm is not None:
                    col.period_text = pm.text
                    col.ytd = col.ytd or pm.ytd
                m = re.search(r"[\(（]([^\(\)（）]+)[\)）]\s*$", normalize_text(lab))
                if m and unit_family(canonical_unit_text(m.group(1))):
                    col.unit = canonical_unit_text(m.group(1))
            elif role == ROLE_NAME:
                m = re.search(r"[\(（]([^\(\)（）]+)[\)）]\s*$", normalize_text(lab))
                if m and unit_family(canonical_unit_text(m.group(1))):
                    col.unit = canonical_unit_text(m.group(1))
            columns.append(col)
        names = [c for c in columns if c.role == ROLE_NAME]
        values = [c for c in columns if c.role == ROLE_VALUE]
        if not names or not values:
            continue
        # Keep only the first name column as the name; others become "other".
        for extra in names[1:]:
            extra.role = ROLE_OTHER
        title_lines = [(i, row_text(grid.rows[i - 1])) for i in range(1, r) if row_text(grid.rows[i - 1])]
        table = Table(header_rows, columns, header_rows[-1] + 1, title_lines)
        for _, line in title_lines:
            m = _UNIT_LINE.search(normalize_text(line))
            if m:
                u = canonical_unit_text(m.group(1))
                if unit_family(u):
                    table.sheet_unit = u
        return table
    return None


def is_footnote_line(row: list[object]) -> bool:
    """Whether the row's first filled cell starts a footnote (注：…, 填报日期 …, ①…)."""
    for v in row:
        if v is None:
            continue
        if not isinstance(v, str):
            return False  # a number or a date never starts with a footnote word
        text = v.strip()
        if text:
            return bool(_FOOTNOTE_START.match(text))
    return False


def find_reported_at(lines: list[str], cells: list[object] | None = None) -> dt.date | None:
    """A reporting date (填报日期：2019年10月15日 / 2019-10-15) in title or footnote lines."""
    for line in lines:
        s = normalize_text(line)
        m = _REPORTED_AT_LABEL.search(s)
        if not m:
            continue
        d = _DATE_RE.search(s, m.end())
        if d:
            try:
                return dt.date(int(d.group(1)), int(d.group(2)), int(d.group(3)))
            except ValueError:
                continue
    return None


def reported_at_in_row(row: list[object]) -> dt.date | None:
    """填报日期 label in one cell and an Excel date (or date text) in a following cell."""
    for i, v in enumerate(row):
        t = normalize_text(cell_text(v))
        label = _REPORTED_AT_LABEL.search(t)
        if label:
            rest = t[label.end() :]
            if not rest:
                for w in row[i + 1 :]:
                    if isinstance(w, dt.datetime):
                        return w.date()
                    if isinstance(w, dt.date):
                        return w
                    if cell_text(w):
                        return find_reported_at(["填报日期：" + cell_text(w)])
            else:
                return find_reported_at([t])
    return None
