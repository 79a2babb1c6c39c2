"""The words accepted for true and false in data files (observations, tidy submissions, the plan's
catalogue): one definition, so a file means the same wherever it is read."""

from __future__ import annotations

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t", "是"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f", "否", ""})


def is_true(text: object) -> bool:
    """Whether a cell says true (case and surrounding spaces ignored); anything else is not true."""
    return str(text).strip().lower() in TRUE_WORDS
