"""Deciding between submissions of the same fact (one value kept, the others duplicates, superseded
revisions or a conflict for a person), and flagging implausible jumps between periods."""

from __future__ import annotations

import itertools
from operator import attrgetter

from .quarantine import Q_DUPLICATE, Q_JUMP, Q_SUPERSEDED, Q_UNRESOLVED
from .records import Candidate, Observation, QuarantineEntry, bool_text, where
from .values import format_number

# Jump test: a value this many times larger or smaller than the previous period's is kept but flagged.
JUMP_FACTOR = 10.0

_FactKey = tuple[str, str, object, bool]


def fact_key(rec: Observation, stock_ids: set[str]) -> _FactKey:
    """What a value is a value *of*: a stock's reference point is the month its period ends, so
    2019Q3, 2019年1-9月 and 2019-09 are one fact; a flow's period is its own."""
    period = rec.parsed_period
    ref: object = (period.year, period.end_month) if rec.indicator_id in stock_ids else rec.period
    return (rec.geo, rec.indicator_id, ref, rec.ytd)


# Orders of candidates and records as attrgetter keys (C, not a Python call per record): a
# candidate's place (file, sheet, row, column; a record's row is an int), precedence first.
_place_of_candidate = attrgetter("rec.source_file", "rec.source_sheet", "rec.source_row", "rec.source_column")
_precedence_then_place = attrgetter(
    "precedence.order", "rec.source_file", "rec.source_sheet", "rec.source_row", "rec.source_column"
)
_period_order = attrgetter("parsed_period.sort_key")


def _place(r: Observation) -> str:
    return where(r.source_file, r.source_sheet, r.source_row, r.source_column)


def _entry(old: Observation, category: str, detail: str) -> QuarantineEntry:
    return QuarantineEntry(
        old.source_file,
        old.source_sheet,
        old.source_row,
        old.source_column,
        category,
        detail,
        old.raw_value,
        "",
        old.indicator_id,
        old.geo,
        old.period,
        bool_text(old.ytd),
        old.reported_at,
        bool_text(old.illustrative),
    )


def _revision(old: Observation, new: Observation, why: str) -> dict[str, object]:
    return {
        "indicator_id": old.indicator_id,
        "geo": old.geo,
        "period": old.period,
        "ytd": bool_text(old.ytd),
        "old_value": format_number(old.value),
        "new_value": format_number(new.value),
        "unit": old.unit,
        "old_source_file": old.source_file,
        "old_source_sheet": old.source_sheet,
        "old_source_row": old.source_row,
        "old_source_column": old.source_column,
        "old_reported_at": old.reported_at,
        "new_source_file": new.source_file,
        "new_source_sheet": new.source_sheet,
        "new_source_row": new.source_row,
        "new_source_column": new.source_column,
        "new_reported_at": new.reported_at,
        "reason": why,
    }


def resolve(
    candidates: list[Candidate], stock_ids: set[str] | None = None
) -> tuple[list[Observation], list[QuarantineEntry], list[dict[str, object]]]:
    """One value per fact (see :func:`fact_key`). Returns (kept, quarantine, revisions).

    The winner must beat every submission with another value by a rule (:meth:`Precedence.beats`);
    when none does, every competing value goes to quarantine as a ``conflict`` for a person to decide.
    The same value reported under two period labels (2019Q3 and 2019-09 of a stock) is kept under both.
    """
    stock_ids = stock_ids or set()
    groups: dict[_FactKey, list[Candidate]] = {}
    for c in candidates:
        key = fact_key(c.rec, stock_ids)
        group = groups.get(key)
        if group is None:
            groups[key] = [c]
        else:
            group.append(c)
    kept: list[Observation] = []
    quarantine: list[QuarantineEntry] = []
    revisions: list[dict[str, object]] = []
    for group in groups.values():
        if len(group) == 1:
            kept.append(group[0].rec)
            continue
        group.sort(key=_precedence_then_place, reverse=True)
        # Compare one representative per (precedence, value): a big sheet repeating one indicator
        # must not cost n² comparisons.
        reps: dict[tuple[object, float], Candidate] = {}
        for c in group:
            reps.setdefault((c.precedence, c.rec.value), c)
        winner = next(
            (
                w
                for w in reps.values()
                if all(
                    o is w or o.rec.value == w.rec.value or w.precedence.beats(o.precedence)
                    for o in reps.values()
                )
            ),
            None,
        )
        if winner is None:
            # One short, shared description per group (a sheet repeating a fact 200 000 times must not
            # hold 200 000 long strings); each quarantine line names its own cell.
            values = sorted({c.rec.value for c in group})
            shown = ", ".join(format_number(v) for v in values[:6]) + (" …" if len(values) > 6 else "")
            first = min(group, key=_place_of_candidate).rec
            about = (
                f"同一数据有 {len(values)} 个不同数值 ({shown}), 无法判定哪个正确, 请人工核实 "
                f"{len(group)} conflicting submissions of {first.indicator_id} {first.period} "
                f"({first.geo}) and no rule decides (same or missing 填报日期, none marked 更正/修订); "
                f"see the other lines of category conflict"
            )
            quarantine.extend(_entry(c.rec, Q_UNRESOLVED, about) for c in group)
            continue
        w = winner.rec
        kept.append(w)
        labels = {w.period}
        for c in group:
            if c is winner:
                continue
            old = c.rec
            if old.value == w.value:
                if old.period not in labels:  # the same fact under another period label: consistent
                    labels.add(old.period)
                    kept.append(old)
                    continue
                quarantine.append(
                    _entry(
                        old,
                        Q_DUPLICATE,
                        f"重复数据, 同值只保留一次 duplicate of {_place(w)} with the same "
                        f"value {format_number(old.value)} (kept once)",
                    )
                )
                continue
            why = winner.precedence.beats(c.precedence)
            revisions.append(_revision(old, w, why))
            quarantine.append(
                _entry(
                    old,
                    Q_SUPERSEDED,
                    f"已被更正 superseded: {format_number(old.value)} "
                    f"({old.period}) replaced by {format_number(w.value)} ({w.period}) "
                    f"from {_place(w)} ({why}; see revisions.csv)",
                )
            )
    return kept, quarantine, revisions


def jump_flags(kept: list[Observation]) -> list[QuarantineEntry]:
    """Values kept but flagged for checking: more than :data:`JUMP_FACTOR` times larger or smaller than
    the previous period of the same series (same geo, indicator, frequency and ytd). Each flag is a
    quarantine line of category ``implausible_jump``; the observation itself stays."""
    series: dict[tuple[str, str, str, bool], list[Observation]] = {}
    for r in kept:
        series.setdefault((r.geo, r.indicator_id, r.parsed_period.freq, r.ytd), []).append(r)
    flags = []
    for recs in series.values():
        recs.sort(key=_period_order)
        for prev, cur in itertools.pairwise(recs):
            a, b = prev.value, cur.value
            if cur.ytd and prev.parsed_period.year != cur.parsed_period.year:
                continue  # a year-to-date total starts again in January
            if a <= 0 or b <= 0 or (b / a < JUMP_FACTOR and a / b < JUMP_FACTOR):
                continue
            flags.append(
                _entry(
                    cur,
                    Q_JUMP,
                    f"与上期相比变化异常, 已保留, 请核实 kept but please check: {format_number(b)} for "
                    f"{cur.period} against {format_number(a)} for {prev.period} ({_place(prev)}), "
                    f"a change of more than {JUMP_FACTOR:g} times",
                )
            )
    return flags
