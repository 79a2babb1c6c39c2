"""The one text catalogue: every reader-facing word, in Chinese (default) and English, as data.

Each domain is a JSON file beside this module (``status.json``, ``notes.json``, …). A domain file maps
a key to ``{"zh": …, "en": …}`` (keys starting with ``_`` are comments); ``status.json`` and
``notes.json`` have their own shapes (status labels, colours and likelihood words; the Chinese for the
analysis' English method notes). Stages use :func:`text` for keyed strings and the helpers below for
status words. Status ids are stable (DESIGN §2).

Values are NOT escaped here: escape the result before it goes into HTML or Markdown.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LANGS = ("zh", "en")

STATUS_IDS = (
    "target_achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "deterioration",
    "insufficient_data",
)


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


@cache
def _load(domain: str) -> dict[str, Any]:
    path = HERE / f"{domain}.json"
    if not path.is_file():
        raise KeyError(f"no text catalogue {domain!r} ({path.name} is missing)")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def catalogue(domain: str) -> dict[str, dict[str, str]]:
    """The keyed strings of one domain (comments left out)."""
    return {k: v for k, v in _load(domain).items() if not k.startswith("_")}


def text(domain: str, key: str, lang: str = "zh", **values: Any) -> str:
    """The string ``key`` of ``domain`` in ``lang``, formatted with ``values``."""
    return lookup_text(catalogue(domain), key, lang, **values)


def lookup_text(table: dict[str, dict[str, str]], key: str, lang: str = "zh", **values: Any) -> str:
    """The string ``key`` of a report-text table in ``lang``, formatted with ``values``.
    Values are NOT escaped here: escape the result before it goes into HTML or Markdown."""
    check_lang(lang)
    entry = table.get(key)
    if entry is None:
        raise KeyError(f"no report text for {key!r}")
    s = entry[lang]
    return s.format(**values) if values else s


# --- status words ---------------------------------------------------------------------------------

_STATUS = _load("status")
STATUS_LABELS: dict[str, dict[str, str]] = {
    lang: {sid: words[lang] for sid, words in _STATUS["labels"].items()} for lang in LANGS
}
STATUS_COLOURS: dict[str, str] = dict(_STATUS["colours"])


def status_label(status: str, lang: str = "zh") -> str:
    return STATUS_LABELS[check_lang(lang)].get(status, status)


def likelihood_label(p: float | None, lang: str = "zh") -> str:
    """Calibrated wording for a probability (IPCC likelihood scale)."""
    check_lang(lang)
    if p is None or p != p:
        return _STATUS["likelihood_none"][lang]
    for band in _STATUS["likelihood"]:
        if p >= band["min"]:
            return band[lang]
    raise AssertionError("unreachable")


# --- method notes -----------------------------------------------------------------------------------

_NOTE_PATTERNS_ZH: list[tuple[str, str]] = [(p["pattern"], p["zh"]) for p in _load("notes")["patterns"]]
"""Method notes from progress / forecast / status are written in English for analysts; reports in
Chinese show them through this table. Each note is a "; "-joined list of fragments."""


def translate_note(note: object, lang: str = "zh") -> str:
    """A method note in the report's language. English notes pass through unchanged for ``en``;
    for ``zh`` each fragment is translated, and an unknown fragment is kept as written (a test checks
    that the shipped data produce none)."""
    txt = "" if note is None or note != note else str(note)
    if lang != "zh" or not txt:
        return txt
    out = []
    for fragment in txt.split("; "):
        inner = fragment
        prefix = ""
        if inner.startswith("p_meet: "):
            prefix, inner = "达标概率：", inner[len("p_meet: ") :]
        for pattern, template in _NOTE_PATTERNS_ZH:
            m = re.fullmatch(pattern, inner)
            if m:
                inner = template.format(*m.groups())
                break
        out.append(prefix + inner)
    return "；".join(out)


def untranslated_fragments(note: object) -> list[str]:
    """Fragments of a note that :func:`translate_note` has no Chinese for."""
    txt = "" if note is None or note != note else str(note)
    missing = []
    for fragment in filter(None, txt.split("; ")):
        inner = fragment.removeprefix("p_meet: ")
        if not any(re.fullmatch(p, inner) for p, _ in _NOTE_PATTERNS_ZH):
            missing.append(fragment)
    return missing
