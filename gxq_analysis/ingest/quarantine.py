"""The one registry of quarantine categories: what `gxq clean` writes in quarantine.csv's ``category``,
how reports name it, what a department is told to do about it, and whether a person must act on it.

Ids are stable (they are written to files and filtered on). The words live in
``gxq_analysis/i18n/quarantine.json`` (``label.<id>``, ``message.<id>``); the rules live here.
Reports use :func:`label` and :func:`needs_check`; the department loop uses :func:`message` and
:func:`needs_check`; the cleaner uses the ``Q_*`` ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import catalogue, text

DOMAIN = "quarantine"

Q_UNREADABLE = "unreadable_file"
Q_NO_TABLE = "no_table"
Q_UNKNOWN = "unknown_indicator"
Q_EMPTY_NAME = "empty_name"
Q_NO_VALUE = "no_value"
Q_BAD_VALUE = "invalid_value"
Q_UNIT = "incompatible_unit"
Q_FRACTION = "fraction_not_percent"
Q_RANGE = "out_of_range"
Q_NOT_INTEGER = "not_integer"
Q_NO_PERIOD = "no_period"
Q_FUTURE = "future_period"
Q_DUPLICATE = "duplicate"
Q_SUPERSEDED = "superseded"
Q_CONTEXT = "context_only"
Q_POPULATION = "different_population"
Q_CONFLICT = "inconsistent_columns"
Q_UNRESOLVED = "conflict"  # two submissions of the same fact, no rule says which is right: a person decides
Q_UNSUPPORTED = "unsupported_file"
Q_OUTSIDE = "outside_raw"  # a symbolic link leading out of the raw folder (not followed)
Q_HIDDEN = "hidden_folder"
Q_HORIZON = "beyond_plan_horizon"
Q_JUMP = "implausible_jump"

# Categories the cleaner settles by a rule (the value is kept elsewhere, or is context only): nobody
# has to act on them. Every other category, and any unknown one, needs a person.
HANDLED_BY_RULE = frozenset({Q_DUPLICATE, Q_SUPERSEDED, Q_CONTEXT, Q_POPULATION})

__all__ = [
    "Category",
    "CATEGORIES",
    "HANDLED_BY_RULE",
    "label",
    "message",
    "needs_check",
] + [name for name in list(globals()) if name.startswith("Q_")]


@dataclass(frozen=True)
class Category:
    id: str
    label_zh: str
    label_en: str
    needs_person: bool

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


def _registry() -> dict[str, Category]:
    ids = [v for k, v in globals().items() if k.startswith("Q_")]
    return {
        cid: Category(
            cid,
            text(DOMAIN, f"label.{cid}", "zh"),
            text(DOMAIN, f"label.{cid}", "en"),
            cid not in HANDLED_BY_RULE,
        )
        for cid in ids
    }


CATEGORIES: dict[str, Category] = _registry()


def needs_check(category: object) -> bool:
    """Whether someone must act on a quarantine line of this category. Unknown categories count as
    needing a check: better asked about than silently filed."""
    return str(category) not in HANDLED_BY_RULE


def label(category: object, lang: str = "zh") -> str:
    """The category's name in reports; an unknown id is shown as it is."""
    entry = CATEGORIES.get(str(category))
    return str(category) if entry is None else entry.label(lang)


def message(category: object, lang: str = "zh", **values: object) -> str:
    """What a department is told to do about a line of this category (correction workbooks).
    ``message(Q_RANGE, span=…, unit=…)`` names the plausible range."""
    key = f"message.{category}"
    if category == Q_RANGE and values:
        key = "message.out_of_range_span"
    if key not in catalogue(DOMAIN):
        key = "message.generic"
    return text(DOMAIN, key, lang, **values)
