"""Indicator names as departments write them → the plan catalogue's ids.

Matching is exact after normalisation, never fuzzy: a name is looked up by its catalogue name, its
aliases, its id and its English name, each normalised the same way (footnote markers, width, case,
whitespace, leading numbering such as "1." or "（一）", "其中：", and a bracketed unit or remark at the
end). An unknown name is not guessed: :meth:`Matcher.match` returns the closest catalogue names
(difflib) so the quarantine reason can suggest them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..model.plan import Catalogue, Plan, as_catalogue
from .values import canonical_unit_text, normalize_text, strip_markers, unit_family

_LEADING_NUMBERING = re.compile(
    r"^(?:[\(（]?[一二三四五六七八九十]+[\)）、.．]|[\(（]\d{1,2}[\)）]|\d{1,2}(?:\.\d{1,2})*[、.．)]\s*|"
    r"其中\s*[:：]?|[▲△●○■□◆◇·•\-]+)\s*"
)
_TRAILING_BRACKET = re.compile(r"\s*[\(（\[【]([^\(\)（）\[\]【】]*)[\)）\]】]\s*$")
_SECTION_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")


@dataclass
class MatchResult:
    indicator_id: str | None
    unit_in_name: str = ""  # a unit found in brackets after the name, e.g. 高新技术企业总数（家）
    suggestions: list[str] = field(default_factory=list)  # closest catalogue names (name_zh)
    normalized: str = ""
    markers: list[str] = field(default_factory=list)


def normalize_name(name: object) -> tuple[str, str, list[str]]:
    """Return (normalised key, unit found in a trailing bracket, footnote markers)."""
    text, markers = strip_markers(str(name or ""))
    s = normalize_text(text)
    unit = ""
    for _ in range(3):  # strip up to three trailing brackets: 名称（万元）（注）
        m = _TRAILING_BRACKET.search(s)
        if not m:
            break
        inner = canonical_unit_text(m.group(1))
        if inner and unit_family(inner) and not unit:
            unit = inner
        s = s[: m.start()]
    for _ in range(2):
        new = _LEADING_NUMBERING.sub("", s, count=1)
        if new == s:
            break
        s = new
    s = re.sub(r"[\s\u3000]+", "", s).lower()
    s = s.strip(":：,，;；")
    return s, unit, markers


def is_section_heading(name: object) -> bool:
    """一、创新投入 style lines that group indicators (no value of their own)."""
    return bool(_SECTION_HEADING.match(normalize_text(str(name or ""))))


class Matcher:
    """Look indicator names up in a plan's catalogue."""

    def __init__(self, plan: Plan | Catalogue) -> None:
        self.plan = cat = as_catalogue(plan)
        self._ids = cat.ids()
        self._index: dict[str, str] = {}
        self._display: dict[str, str] = {}
        for iid in self._ids:
            names = [cat.name(iid), iid, cat.name(iid, "en")] + cat.aliases(iid)
            for n in names:
                key, _, _ = normalize_name(n)
                if key and key not in self._index:
                    self._index[key] = iid
                    self._display[key] = cat.name(iid)
        self._keys = list(self._index)
        self._cache: dict[str, MatchResult] = {}

    def match(self, name: object) -> MatchResult:
        text = str(name or "")
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        key, unit, markers = normalize_name(text)
        iid = self._index.get(key)
        suggestions: list[str] = []
        if iid is None and key:
            close = difflib.get_close_matches(key, self._keys, n=6, cutoff=0.35)
            for k in close:
                disp = self._display[k]
                if disp not in suggestions:
                    suggestions.append(disp)
                if len(suggestions) == 3:
                    break
        result = MatchResult(iid, unit, suggestions, key, markers)
        self._cache[text] = result
        return result

    def match_id(self, indicator_id: object) -> MatchResult:
        """For tidy input: an indicator id (or, leniently, a catalogue name)."""
        s = str(indicator_id or "").strip()
        if s in self.plan.indicators:
            return MatchResult(s, normalized=s)
        res = self.match(s)
        if res.indicator_id is None:
            close = difflib.get_close_matches(s, self._ids, n=3, cutoff=0.5)
            res = MatchResult(
                None,
                suggestions=close + [x for x in res.suggestions if x not in close][:3],
                normalized=res.normalized,
            )
        return res
