"""The one tidy table between cleaning and analysis (DESIGN §3), and its loader.

Every downstream module reads observations through :func:`load_observations`, which accepts both
the full table written by ``gxq clean`` and a minimal hand-made tidy CSV
(``indicator_id, period, value``), filling the optional columns with their defaults.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from .flags import FALSE_WORDS, TRUE_WORDS
from .periods import Period, PeriodError, parse_period

if TYPE_CHECKING:
    import pandas as pd

REQUIRED_COLUMNS = ("indicator_id", "period", "value")

# Column order of observations.csv as written by `gxq clean`. The first eight are the contract.
OBSERVATION_COLUMNS = [
    "indicator_id",
    "geo",
    "period",
    "value",
    "unit",
    "source_file",
    "source_row",
    "illustrative",
    "ytd",
    "source_sheet",
    "source_column",
    "raw_value",
    "raw_unit",
    "conversion",
    "qualifier",
    "reported_at",
    "source",
    "note",
]


class ObservationsError(ValueError):
    """A tidy observations file that cannot be used. The message names file, row and column."""


def _to_bool(value: object, path: Path, row: int, column: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    s = str(value).strip().lower()
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    raise ObservationsError(f"{path}, row {row}, column '{column}': not true/false: {value!r}")


def load_observations(
    path: Path | str,
    default_geo: str | None = None,
    as_of: Period | str | None = None,
) -> pd.DataFrame:
    """Read a tidy observations CSV and return it typed and sorted.

    Adds derived columns ``year``, ``freq``, ``end_month`` and ``period_obj`` (a :class:`Period`).
    With ``as_of``, keeps only values whose period has ended by the end of ``as_of``.
    """
    import pandas as pd  # here: `gxq clean` imports this module for its columns and needs no pandas

    path = Path(path)
    if not path.exists():
        raise ObservationsError(f"{path}: file not found (run `gxq clean` first?)")
    verify_against_manifest(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ObservationsError(f"{path}: file is empty") from None
    except UnicodeDecodeError as exc:
        raise ObservationsError(f"{path}: not UTF-8 text ({exc.reason})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise ObservationsError(f"{path}, row 1: missing required column(s): {', '.join(missing)}")

    n = len(raw)
    out = pd.DataFrame(index=range(n))
    out["indicator_id"] = raw["indicator_id"].str.strip()
    out["geo"] = raw["geo"].str.strip() if "geo" in raw else ""
    if default_geo is not None:
        out.loc[out["geo"] == "", "geo"] = default_geo
    periods: list[Period] = []
    values: list[float] = []
    for i, (ptext, vtext) in enumerate(zip(raw["period"], raw["value"]), start=2):
        try:
            periods.append(parse_period(ptext))
        except PeriodError as exc:
            raise ObservationsError(f"{path}, row {i}, column 'period': {exc}") from None
        try:
            v = float(str(vtext).replace(",", ""))
        except ValueError:
            raise ObservationsError(f"{path}, row {i}, column 'value': not a number: {vtext!r}") from None
        if not math.isfinite(v):
            raise ObservationsError(f"{path}, row {i}, column 'value': not a finite number: {vtext!r}")
        values.append(v)
        if not out.at[i - 2, "indicator_id"]:
            raise ObservationsError(f"{path}, row {i}, column 'indicator_id': empty")
    out["period"] = [str(p) for p in periods]
    out["value"] = pd.Series(values, dtype="float64")
    for col in OBSERVATION_COLUMNS:
        if col in ("indicator_id", "geo", "period", "value"):
            continue
        if col in ("illustrative", "ytd"):
            src = raw[col] if col in raw else pd.Series([""] * n)
            out[col] = [_to_bool(v, path, i, col) for i, v in enumerate(src, start=2)]
        elif col == "source_row":
            if col in raw:
                out[col] = pd.to_numeric(raw[col], errors="coerce").astype("Int64")
            else:
                out[col] = pd.array(range(2, n + 2), dtype="Int64")
        elif col == "source_file":
            out[col] = raw.get(col, path.name)
        else:
            out[col] = raw.get(col, "")
    # Keep any extra provenance columns the file carries.
    for col in raw.columns:
        if col not in out.columns:
            out[col] = raw[col]
    out["period_obj"] = periods
    out["year"] = [p.year for p in periods]
    out["freq"] = [p.freq for p in periods]
    out["end_month"] = [p.end_month for p in periods]
    if as_of is not None:
        out = filter_as_of(out, as_of)
    return sort_observations(out)


MANIFEST_FILE = "manifest.json"


def verify_against_manifest(path: Path | str, sha256: str | None = None) -> None:
    """Refuse an output of `gxq clean` that is not the one its manifest describes (truncated, edited,
    or left from another run by a crash between two renames). Files with no manifest beside them, or
    a manifest from before row counts and hashes were recorded, are hand-made tables and pass.
    ``sha256``: the file's digest when the caller has just computed it (not read and hashed again)."""
    import hashlib
    import json

    path = Path(path)
    manifest_path = path.parent / MANIFEST_FILE
    if not manifest_path.is_file():
        return
    try:
        outputs = json.loads(manifest_path.read_text(encoding="utf-8")).get("outputs")
    except (OSError, ValueError, AttributeError):
        raise ObservationsError(f"{manifest_path}: unreadable manifest; run `gxq clean` again") from None
    if not isinstance(outputs, dict) or path.name not in outputs:
        return
    expected = outputs[path.name]
    if sha256 is None:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        sha256 = h.hexdigest()
    if sha256 != expected.get("sha256"):
        raise ObservationsError(
            f"{path}: does not match {manifest_path.name} (expected {expected.get('rows')} rows, sha256 "
            f"{str(expected.get('sha256'))[:12]}…): the file was truncated, edited or left by an interrupted "
            "run; run `gxq clean` again (never edit processed files)"
        )


def filter_as_of(obs: pd.DataFrame, as_of: Period | str) -> pd.DataFrame:
    """Only the values whose period had ended by the end of ``as_of``."""
    cut = parse_period(as_of)
    keep = [p.ends_by(cut) for p in obs["period_obj"]]
    return obs.loc[keep].reset_index(drop=True)


def sort_observations(obs: pd.DataFrame) -> pd.DataFrame:
    if obs.empty:
        return obs.reset_index(drop=True)
    keys = [p.sort_key for p in obs["period_obj"]]
    order = sorted(range(len(obs)), key=lambda i: (obs["indicator_id"].iat[i], obs["geo"].iat[i], keys[i]))
    return obs.iloc[order].reset_index(drop=True)
