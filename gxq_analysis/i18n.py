"""Labels shown to readers, in Chinese (default) and English. Ids are stable (DESIGN §2)."""

from __future__ import annotations

STATUS_IDS = (
    "target_achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "deterioration",
    "insufficient_data",
)

STATUS_LABELS = {
    "zh": {
        "target_achieved": "已完成",
        "on_track": "按期可达",
        "needs_acceleration": "需加快",
        "limited_progress": "进展不足",
        "deterioration": "倒退",
        "insufficient_data": "数据不足",
        "target_missed": "未完成",
    },
    "en": {
        "target_achieved": "Target achieved",
        "on_track": "On track",
        "needs_acceleration": "Needs acceleration",
        "limited_progress": "Limited progress",
        "deterioration": "Deterioration",
        "insufficient_data": "Insufficient data",
        "target_missed": "Target missed",
    },
}

# Traffic-light colours used by charts and the brief (colour-blind-safe where possible).
STATUS_COLOURS = {
    "target_achieved": "#1a7f37",
    "on_track": "#2da44e",
    "needs_acceleration": "#d4a72c",
    "limited_progress": "#e16f24",
    "deterioration": "#cf222e",
    "insufficient_data": "#8c959f",
    "target_missed": "#cf222e",
}

LANGS = ("zh", "en")


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def status_label(status: str, lang: str = "zh") -> str:
    return STATUS_LABELS[check_lang(lang)].get(status, status)


def likelihood_label(p: float | None, lang: str = "zh") -> str:
    """Calibrated wording for a probability (IPCC likelihood scale)."""
    if p is None or p != p:  # None or NaN
        return "无法估计" if lang == "zh" else "cannot be estimated"
    bands = [
        (0.90, "很可能", "very likely"),
        (0.66, "可能", "likely"),
        (0.33, "可能性一半左右", "about as likely as not"),
        (0.10, "不太可能", "unlikely"),
        (-1.0, "很不可能", "very unlikely"),
    ]
    for lo, zh, en in bands:
        if p >= lo:
            return zh if lang == "zh" else en
    raise AssertionError("unreachable")
