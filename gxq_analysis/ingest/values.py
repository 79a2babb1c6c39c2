"""Cell values as people type them, turned into numbers with their unit, qualifier and footnotes.

The order of operations follows the notes on messy Chinese spreadsheets (reference §6.3):

1. strip footnote markers (①…⑳, ⑴, trailing ``*``, ``注1``, ``[1]``, leading ``#``) into ``markers``
   **before** NFKC, which would otherwise turn ``12.5①`` into ``12.51``;
2. NFKC (full-width digits and punctuation, ideographic space);
3. map minus/dash variants explicitly (U+2212 and friends are not touched by NFKC);
4. recognise Excel errors and placeholders (—, …, blank, 无, /);
5. peel off qualifiers (约, 超过, >, 以上, 左右 …) and a trailing unit (%, 家, 亿元 …);
6. parse the number (thousands separators only where they are real separators).

Units: :func:`convert_unit` converts between compatible units (万元→亿元 ×0.0001, 万家→家 ×10000) and
refuses incompatible ones (件 for a % indicator).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field

# --- footnote markers ----------------------------------------------------------------------------
_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①..⑳
_PAREN_NUM = "".join(chr(c) for c in range(0x2474, 0x2488))  # ⑴..⒇
_DOTTED = "".join(chr(c) for c in range(0x2488, 0x249C))  # ⒈..⒛
_NEG_CIRCLED = "".join(chr(c) for c in range(0x2776, 0x2780))  # ❶..❿
_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
_MARKER_CHARS = _CIRCLED + _PAREN_NUM + _DOTTED + _NEG_CIRCLED + _SUPERSCRIPTS + "※†‡"
_MARKER_CHAR_RE = re.compile(f"[{re.escape(_MARKER_CHARS)}]")
# 注1 / 注① / (注1) / [1] / 【注2】 at the end of a cell, trailing asterisks, a leading #.
_TRAILING_NOTE_RE = re.compile(r"(?:[\(\[（【]\s*注?\s*\d{1,2}\s*[\)\]）】]|注\s*\d{1,2}|[\*＊]+)\s*$")
_LEADING_HASH_RE = re.compile(r"^\s*[#＃]\s*")

EXCEL_ERRORS = (
    "#DIV/0!",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#REF!",
    "#VALUE!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
)

# Placeholders (reference §6.4). Kept apart from blank so the reason can say which one it was.
_PLACEHOLDERS = {
    "-",
    "--",
    "---",
    "—",
    "——",
    "–",
    "―",
    "－",
    "一",
    "...",
    "…",
    "……",
    "/",
    "\\",
    "x",
    "X",
    "×",
    "无",
    "空",
    "暂无",
    "未统计",
    "不详",
    "n/a",
    "N/A",
    "NA",
    "na",
    "null",
    "NULL",
    "None",
    "nan",
    "NaN",
}

_DASHES = {
    "\u2212": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\ufe63": "-",
    "\uff0d": "-",
}
_DASH_TABLE = str.maketrans(_DASHES)

# Qualifiers people put around a figure. The value stays the number; the qualifier is kept.
_PREFIX_QUALIFIERS = [
    (re.compile(r"^(?:约|大约|近|接近|将近|预计|估计|约为)\s*"), "≈"),
    (re.compile(r"^(?:超过|逾|突破|大于|多于|高于)\s*"), ">"),
    (re.compile(r"^(?:不少于|不低于|至少)\s*"), ">="),
    (re.compile(r"^(?:不足|少于|低于|小于)\s*"), "<"),
    (re.compile(r"^(?:不超过|不高于|至多)\s*"), "<="),
    (re.compile(r"^(>=|<=|≥|≤|>|<|≈|~)\s*"), None),
]
_SUFFIX_QUALIFIERS = [
    (re.compile(r"\s*(?:左右|上下)$"), "≈"),
    (re.compile(r"\s*(?:以上|多)$"), ">="),
    (re.compile(r"\s*(?:以下|以内)$"), "<="),
]
_ORDINAL_RE = re.compile(r"第\s*(\d+)\s*(位|名)?")
_SYMBOL_QUALIFIER = {">=": ">=", "<=": "<=", "≥": ">=", "≤": "<=", ">": ">", "<": "<", "≈": "≈", "~": "≈"}

_NUMBER_RE = re.compile(
    r"^(?P<sign>[+-])?\s*(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)\s*(?P<unit>[^\d\s].*)?$"
)


@dataclass
class ParsedValue:
    """The result of parsing one cell.

    ``status`` is ``ok`` (``value`` set), ``blank``, ``placeholder``, ``excel_error``, ``date`` or
    ``unparseable``; ``reason`` says why in words (Chinese first) when not ok.
    """

    status: str
    value: float | None = None
    unit: str = ""  # a unit typed in the cell itself ("120家", "5.3%")
    qualifier: str = ""
    markers: list[str] = field(default_factory=list)
    reason: str = ""
    raw: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def raw_text(value: object) -> str:
    """How a raw cell is shown in outputs (raw_value column)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return format_number(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def format_number(v: float) -> str:
    """A stable text form of a float: no float noise, no trailing .0."""
    if v == 0:
        return "0"
    s = f"{v:.15g}"
    if "e" in s:
        s = f"{v:.15f}".rstrip("0").rstrip(".")
    return s


def strip_markers(text: str) -> tuple[str, list[str]]:
    """Remove footnote markers, returning the clean text and the markers found (before NFKC!)."""
    markers: list[str] = []

    def _take(m: re.Match[str]) -> str:
        markers.append(m.group(0).strip())
        return ""

    s = _MARKER_CHAR_RE.sub(_take, text)
    while True:
        new = _TRAILING_NOTE_RE.sub(_take, s)
        if new == s:
            break
        s = new
    if _LEADING_HASH_RE.match(s) and not s.strip().startswith(
        ("#DIV", "#N/A", "#NAME", "#NULL", "#NUM", "#REF", "#VALUE", "#SPILL", "#CALC", "#GETTING")
    ):
        markers.append("#")
        s = _LEADING_HASH_RE.sub("", s, count=1)
    return s, markers


def normalize_text(text: str) -> str:
    """NFKC plus explicit dash mapping and whitespace squeeze. Call after :func:`strip_markers`."""
    s = unicodedata.normalize("NFKC", text).translate(_DASH_TABLE)
    return re.sub(r"\s+", " ", s).strip()


def parse_value(cell: object) -> ParsedValue:
    """Parse one cell as people type it. Never raises."""
    raw = raw_text(cell)
    if cell is None:
        return ParsedValue("blank", reason="空白 blank", raw=raw)
    if isinstance(cell, bool):
        return ParsedValue("unparseable", reason=f"不是数值 not a number: {cell!r}", raw=raw)
    if isinstance(cell, (int, float)):
        v = float(cell)
        if math.isnan(v):
            return ParsedValue("blank", reason="空白 blank", raw=raw)
        if math.isinf(v):
            return ParsedValue("unparseable", reason="不是有限数值 not a finite number", raw=raw)
        return ParsedValue("ok", value=v, raw=raw)
    if isinstance(cell, (dt.datetime, dt.date, dt.time)):
        return ParsedValue("date", reason=f"单元格是日期而非数值 an Excel date, not a number: {raw}", raw=raw)
    text = str(cell)
    if not text.strip():
        return ParsedValue("blank", reason="空白 blank", raw=raw)
    stripped, markers = strip_markers(text.strip())
    s = normalize_text(stripped)
    upper = s.upper()
    if upper in EXCEL_ERRORS or (upper.startswith("#") and upper.rstrip("!?") + "!" in EXCEL_ERRORS):
        return ParsedValue("excel_error", markers=markers, raw=raw, reason=f"Excel 错误值 Excel error {s}")
    if not s:
        return ParsedValue("blank", markers=markers, raw=raw, reason="只有脚注标记 only a footnote marker")
    if s in _PLACEHOLDERS or stripped.strip() in _PLACEHOLDERS or re.fullmatch(r"[-—–.…]+", s):
        return ParsedValue(
            "placeholder",
            markers=markers,
            raw=raw,
            reason=f"占位符, 无数据 placeholder, no data: {stripped.strip()!r}",
        )
    ordinal = _ORDINAL_RE.fullmatch(s)
    if ordinal:  # "第55位" is how a ranking is written: the position, in 位
        s = ordinal.group(1) + (ordinal.group(2) or "位")
    qualifier = ""
    for pattern, q in _PREFIX_QUALIFIERS:
        m = pattern.match(s)
        if m:
            qualifier = q or _SYMBOL_QUALIFIER[m.group(1)]
            s = s[m.end() :]
            break
    for pattern, q in _SUFFIX_QUALIFIERS:
        m = pattern.search(s)
        if m:
            qualifier = qualifier or q
            s = s[: m.start()]
            break
    s = s.strip()
    m = _NUMBER_RE.match(s)
    if not m:
        return ParsedValue(
            "unparseable", markers=markers, raw=raw, reason=f"无法识别为数值 not a number: {text.strip()!r}"
        )
    num = m.group("num").replace(",", "")
    v = float(num)
    if not math.isfinite(v):  # 400 digits overflow to inf
        return ParsedValue(
            "unparseable",
            markers=markers,
            raw=raw,
            reason=f"数值过大, 不是有限数值 too large, not a finite number ({len(num)} digits)",
        )
    if m.group("sign") == "-":
        v = -v
    unit = (m.group("unit") or "").strip()
    # A qualifier after the unit ("120家以上") has already been taken; one between ("120以上家") is rare.
    if unit:
        unit = canonical_unit_text(unit)
        if not unit_family(unit):
            return ParsedValue(
                "unparseable",
                markers=markers,
                raw=raw,
                reason=f"数值后有无法识别的文字 unrecognised text after the number: {text.strip()!r}",
            )
    return ParsedValue("ok", value=v, unit=unit, qualifier=qualifier, markers=markers, raw=raw)


# --- units -------------------------------------------------------------------------------------
# Each family maps a unit to its factor relative to the family's base. A unit may sit in several
# families (名 is a person count and a rank); conversion uses the family that holds both units.
UNIT_FAMILIES: dict[str, dict[str, float]] = {
    "money": {
        "元": 1,
        "千元": 1e3,
        "万元": 1e4,
        "十万元": 1e5,
        "百万元": 1e6,
        "千万元": 1e7,
        "亿元": 1e8,
        "十亿元": 1e9,
        "万亿元": 1e12,
    },
    "percent": {"%": 1, "百分比": 1, "百分点": 1},
    "entity": {
        "家": 1,
        "个": 1,
        "户": 1,
        "所": 1,
        "座": 1,
        "万家": 1e4,
        "万个": 1e4,
        "万户": 1e4,
        "千家": 1e3,
    },
    "item": {"件": 1, "项": 1, "个": 1, "万件": 1e4, "万项": 1e4, "件/万人": 1},
    "person": {"人": 1, "名": 1, "位": 1, "人次": 1, "万人": 1e4},
    "rank": {"位": 1, "名": 1, "名次": 1, "位次": 1, "第": 1},
    "area": {"平方米": 1, "m2": 1, "万平方米": 1e4, "万m2": 1e4, "平方公里": 1e6, "km2": 1e6},
    "index": {"指数": 1, "点": 1},
}
_UNIT_ALIASES = {
    "％": "%",
    "个百分点": "百分点",
    "亿": "亿元",
    "万": "万元",
    "平米": "平方米",
    "万平米": "万平方米",
    "m²": "m2",
    "㎡": "m2",
    "万㎡": "万m2",
    "万m²": "万m2",
    "元人民币": "元",
}


class UnitError(ValueError):
    """Two units that cannot be converted into each other."""


def canonical_unit_text(unit: object) -> str:
    """Normalise a unit as written (（亿元）, 单位：万元, ％) to its canonical spelling."""
    if unit is None:
        return ""
    return _canonical_unit(str(unit))


@functools.lru_cache(maxsize=4096)
def _canonical_unit(unit: str) -> str:  # the same few units on every row of a big sheet
    s = normalize_text(unit)
    s = re.sub(r"^(?:单位|计量单位)\s*[:：]?\s*", "", s)
    s = s.strip("()（）[]【】 ")
    s = s.replace(" ", "")
    return _UNIT_ALIASES.get(s, s)


def unit_family(unit: str) -> list[str]:
    return [name for name, members in UNIT_FAMILIES.items() if unit in members]


def _factor_text(factor: float) -> str:
    if factor >= 1:
        return format_number(factor)
    return f"{factor:.12f}".rstrip("0")


def convert_unit(value: float, from_unit: str, to_unit: str) -> tuple[float, str]:
    """Convert ``value`` from ``from_unit`` to ``to_unit``; returns (value, conversion note).

    The note is empty when no conversion was needed, else e.g. ``"万元→亿元 ×0.0001"``. Raises
    :class:`UnitError` for incompatible units.
    """
    f = canonical_unit_text(from_unit)
    t = canonical_unit_text(to_unit)
    if not f or f == t:
        return value, ""
    for fam in UNIT_FAMILIES.values():
        if f in fam and t in fam:
            factor = fam[f] / fam[t]
            if factor == 1:
                return value, ""
            converted = float(f"{value * factor:.12g}")
            return converted, f"{f}→{t} ×{_factor_text(factor)}"
    raise UnitError(f"单位不兼容 incompatible unit: {f} (expected {t})")


_PARSED: dict[tuple[type, object], ParsedValue] = {}
_PARSED_LIMIT = 200_000  # distinct cell values remembered (a hostile file must not grow it without end)


def parse_value_cached(cell: object) -> ParsedValue:
    """:func:`parse_value`, once per distinct cell value (a big sheet repeats the same few). The result
    is shared: callers must not change it."""
    if type(cell) is float and cell == 0:  # 0.0 and -0.0 are equal keys but read differently
        return parse_value(cell)
    key = (type(cell), cell)
    try:
        return _PARSED[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable cell value
        return parse_value(cell)
    if len(_PARSED) >= _PARSED_LIMIT:
        _PARSED.clear()
    found = _PARSED[key] = parse_value(cell)
    return found
