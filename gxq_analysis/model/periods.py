"""One parser for reporting periods: 2019 / 2019Q3 / 2019-09 and the ways people write them.

Canonical forms (DESIGN §2): annual ``2019``, quarterly ``2019Q3``, monthly ``2019-09``.
Year-to-date submissions ("2019年1-9月", "本年累计") keep the period they run *through* and carry
``ytd=True``; they are never turned into flows here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

FREQ_ANNUAL = "A"
FREQ_QUARTER = "Q"
FREQ_MONTH = "M"
_FREQ_ORDER = {FREQ_ANNUAL: 0, FREQ_QUARTER: 1, FREQ_MONTH: 2}

MIN_YEAR = 1949
MAX_YEAR = 2100


class PeriodError(ValueError):
    """A period string that cannot be understood."""


@dataclass(frozen=True)
class Period:
    """A reporting period. ``number`` is the quarter (1-4) or month (1-12); 0 for a year."""

    year: int
    freq: str
    number: int = 0

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(f"year {self.year} outside {MIN_YEAR}-{MAX_YEAR}")
        if self.freq == FREQ_ANNUAL:
            if self.number != 0:
                raise PeriodError("an annual period has no sub-period number")
        elif self.freq == FREQ_QUARTER:
            if not 1 <= self.number <= 4:
                raise PeriodError(f"quarter {self.number} is not 1-4")
        elif self.freq == FREQ_MONTH:
            if not 1 <= self.number <= 12:
                raise PeriodError(f"month {self.number} is not 1-12")
        else:
            raise PeriodError(f"unknown frequency {self.freq!r}")

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def annual(cls, year: int) -> Period:
        return cls(year, FREQ_ANNUAL, 0)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(year, FREQ_QUARTER, quarter)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, FREQ_MONTH, month)

    # -- properties -------------------------------------------------------------------------
    @property
    def end_month(self) -> int:
        """Calendar month (1-12) in which the period ends."""
        if self.freq == FREQ_ANNUAL:
            return 12
        if self.freq == FREQ_QUARTER:
            return self.number * 3
        return self.number

    @property
    def start_month(self) -> int:
        if self.freq == FREQ_ANNUAL:
            return 1
        if self.freq == FREQ_QUARTER:
            return self.number * 3 - 2
        return self.number

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.start_month, 1)

    @property
    def end(self) -> dt.date:
        last_day = calendar.monthrange(self.year, self.end_month)[1]
        return dt.date(self.year, self.end_month, last_day)

    @property
    def year_elapsed(self) -> float:
        """Share of the calendar year elapsed at the period's end (时间进度), e.g. 0.75 for 2019Q3."""
        return self.end_month / 12.0

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Chronological by end date; on the same end date, coarser periods sort first."""
        return (self.year, self.end_month, _FREQ_ORDER[self.freq])

    def __lt__(self, other: Period) -> bool:
        return self.sort_key < other.sort_key

    def __le__(self, other: Period) -> bool:
        return self.sort_key <= other.sort_key

    def __gt__(self, other: Period) -> bool:
        return self.sort_key > other.sort_key

    def __ge__(self, other: Period) -> bool:
        return self.sort_key >= other.sort_key

    def ends_by(self, other: Period) -> bool:
        """True if this period has ended by the end of ``other`` (used for as-of cut-offs)."""
        return (self.year, self.end_month) <= (other.year, other.end_month)

    def to_quarter(self) -> Period:
        """The quarter this period ends in (annual → Q4)."""
        return Period.quarter(self.year, (self.end_month - 1) // 3 + 1)

    def previous(self) -> Period:
        if self.freq == FREQ_ANNUAL:
            return Period.annual(self.year - 1)
        size = 4 if self.freq == FREQ_QUARTER else 12
        if self.number == 1:
            return Period(self.year - 1, self.freq, size)
        return Period(self.year, self.freq, self.number - 1)

    def __str__(self) -> str:
        if self.freq == FREQ_ANNUAL:
            return f"{self.year}"
        if self.freq == FREQ_QUARTER:
            return f"{self.year}Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    def label(self, lang: str = "zh") -> str:
        """Human label: 2019年第三季度 / 2019 Q3."""
        if lang == "zh":
            if self.freq == FREQ_ANNUAL:
                return f"{self.year}年"
            if self.freq == FREQ_QUARTER:
                return f"{self.year}年第{'一二三四'[self.number - 1]}季度"
            return f"{self.year}年{self.number}月"
        if self.freq == FREQ_ANNUAL:
            return f"{self.year}"
        if self.freq == FREQ_QUARTER:
            return f"{self.year} Q{self.number}"
        return self.start.strftime("%B %Y")


_CANONICAL = re.compile(r"^(\d{4})(?:Q([1-4])|-(\d{1,2}))?$")


def parse_period(text: object) -> Period:
    """Parse a canonical period (``2019``, ``2019Q3``, ``2019-09``). Strict: raises PeriodError."""
    if isinstance(text, Period):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Period.annual(text)
    if isinstance(text, float) and text.is_integer():
        return Period.annual(int(text))
    s = unicodedata.normalize("NFKC", str(text)).strip().upper()
    m = _CANONICAL.match(s)
    if not m:
        raise PeriodError(f"not a period: {text!r} (expected 2019, 2019Q3 or 2019-09)")
    year = int(m.group(1))
    if m.group(2):
        return Period.quarter(year, int(m.group(2)))
    if m.group(3):
        return Period.month(year, int(m.group(3)))
    return Period.annual(year)


@dataclass(frozen=True)
class PeriodMatch:
    """A period found in free text, and whether the figure is cumulative year-to-date."""

    period: Period
    ytd: bool
    text: str


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CN_MONTHS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}

_YEAR = r"((?:19|20)\d{2})"
_MONTH = r"(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 2019年1-9月 / 2019年1～9月 / 2019年1月至9月 / 2019年1-9月份: YTD through month 9
    (
        re.compile(
            _YEAR + r"\s*年\s*(?:1|一)\s*(?:-|~|～|—|–|至|到)\s*(?:\d{4}\s*年\s*)?" + _MONTH + r"\s*月"
        ),
        "ytd_month",
    ),
    # 2019年上半年 / 前三季度 / 1-3季度
    (re.compile(_YEAR + r"\s*年\s*上半年"), "h1"),
    (re.compile(_YEAR + r"\s*年\s*前\s*([一二三四1-4])\s*(?:个)?季度"), "ytd_quarter"),
    (
        re.compile(_YEAR + r"\s*年\s*(?:第)?\s*(?:1|一)\s*(?:-|~|～|—|至)\s*([一二三四1-4])\s*季度"),
        "ytd_quarter",
    ),
    # 2019年第三季度 / 2019年三季度 / 2019年3季度
    (re.compile(_YEAR + r"\s*年\s*第?\s*([一二三四1-4])\s*季度?"), "quarter"),
    # 2019年9月
    (re.compile(_YEAR + r"\s*年\s*" + _MONTH + r"\s*月"), "month"),
    # 2019Q3 / 2019 Q3 / 2019-Q3 / 2019q3
    (re.compile(_YEAR + r"\s*[-_ ]?\s*[Qq]\s*([1-4])(?!\d)"), "quarter"),
    # 2019-09 / 2019.09 / 2019_09 / 2019/09
    (re.compile(_YEAR + r"\s*[-._/]\s*(1[0-2]|0?[1-9])(?!\d)"), "month"),
    # 201909 (exactly six digits, not part of a longer number)
    (re.compile(r"(?<!\d)" + _YEAR + r"(0[1-9]|1[0-2])(?!\d)"), "month"),
    # 2019年全年 / 2019年度 / 2019年
    (re.compile(_YEAR + r"\s*年\s*(?:全年|度)?"), "year"),
    (re.compile(r"(?<!\d)" + _YEAR + r"(?!\d)"), "year"),
]

_YTD_WORDS = re.compile(r"本年累计|累计|年初至|1\s*-\s*\d+\s*月|本年度累计|全年累计")


def _month_number(token: str) -> int:
    token = token.strip()
    if token.isdigit():
        return int(token)
    return _CN_MONTHS[token]


def extract_period(text: object) -> PeriodMatch | None:
    """Find the first reporting period in free text (a title line, a cell, a file name).

    Returns None when the text names no period. "1-9月", "前三季度" and "上半年" are year-to-date.
    """
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", str(text))
    for pattern, kind in _PATTERNS:
        m = pattern.search(s)
        if not m:
            continue
        year = int(m.group(1))
        try:
            if kind == "ytd_month":
                return PeriodMatch(Period.month(year, _month_number(m.group(2))), True, m.group(0))
            if kind == "h1":
                return PeriodMatch(Period.quarter(year, 2), True, m.group(0))
            if kind == "ytd_quarter":
                return PeriodMatch(Period.quarter(year, _CN_DIGITS[m.group(2)]), True, m.group(0))
            if kind == "quarter":
                return PeriodMatch(Period.quarter(year, _CN_DIGITS[m.group(2)]), False, m.group(0))
            if kind == "month":
                return PeriodMatch(Period.month(year, _month_number(m.group(2))), False, m.group(0))
            return PeriodMatch(Period.annual(year), False, m.group(0))
        except (PeriodError, KeyError):
            continue
    return None


def mentions_ytd(text: object) -> bool:
    """True when a header or title says the figure is cumulative (本年累计, 1-9月 …)."""
    if text is None:
        return False
    return bool(_YTD_WORDS.search(unicodedata.normalize("NFKC", str(text))))


def latest_quarter_covered(periods: list[Period]) -> Period | None:
    """The latest quarter whose end is covered by the given periods (for `gxq report` defaults).

    A month counts only when it closes its quarter (March, June, September, December).
    """
    best: Period | None = None
    for p in periods:
        if p.freq == FREQ_MONTH and p.end_month % 3 != 0:
            q = Period.quarter(p.year, (p.end_month - 1) // 3 + 1).previous()
        else:
            q = p.to_quarter()
        if best is None or q > best:
            best = q
    return best
