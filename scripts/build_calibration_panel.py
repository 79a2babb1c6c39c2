"""Build data/raw/public/calibration/panel.csv from published statistics.

Inputs (nothing is fetched at run time; every input is a local file):

* World Bank WDI bulk-download CSVs ("API_<indicator>_DS2_en_csv_v2_*.csv", wide: one row per
  economy, one column per year), passed with ``--wdi INDICATOR_CODE=PATH`` (repeatable).
  The provenance of each file (mirror repository, commit, path) is passed with
  ``--wdi-provenance CODE=TEXT`` and written into every row's ``source`` column.
* Eurostat long CSVs (``geo,year,value`` per row), passed with ``--eurostat ID=PATH``.
* Hand-transcribed series in ``data/raw/public/calibration/sources/*.csv``, already in the
  panel's long format, one row per published value with its own source and URL.

Precedence, per (geo, indicator) *series* so that no series mixes vintages or publishers:
hand-transcribed official series > Eurostat > WDI. A lower-precedence series for the same
(geo, indicator) is dropped whole.

The script is deterministic (no randomness, sorted output). It uses the standard library only.

Example (the command that produced the committed panel.csv is in the folder's README.md):

    python3 scripts/build_calibration_panel.py \
        --wdi GB.XPD.RSDV.GD.ZS=/tmp/panel/wdi_rd.csv \
        --wdi-provenance "GB.XPD.RSDV.GD.ZS=..." \
        --out data/raw/public/calibration/panel.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

COLUMNS = [
    "geo",
    "geo_level",
    "indicator",
    "unit",
    "direction",
    "year",
    "value",
    "source",
    "source_url",
    "note",
]

# WDI indicator code -> (panel indicator id, unit, direction).
WDI_INDICATORS = {
    "GB.XPD.RSDV.GD.ZS": ("rd_intensity", "% of GDP", "higher"),
    "SP.POP.SCIE.RD.P6": ("researchers_per_million", "per million people", "higher"),
}

# WDI rows that are aggregates (regions, income groups, lending groups, world), not economies.
# Taken from the WDI country metadata (economies have a region; these codes have none).
WDI_AGGREGATES = frozenset(
    [
        "AFE",
        "AFW",
        "ARB",
        "CEB",
        "CSS",
        "EAP",
        "EAR",
        "EAS",
        "ECA",
        "ECS",
        "EMU",
        "EUU",
        "FCS",
        "HIC",
        "HPC",
        "IBD",
        "IBT",
        "IDA",
        "IDB",
        "IDX",
        "INX",
        "LAC",
        "LCN",
        "LDC",
        "LIC",
        "LMC",
        "LMY",
        "LTE",
        "MEA",
        "MIC",
        "MNA",
        "NAC",
        "OED",
        "OSS",
        "PRE",
        "PSS",
        "PST",
        "SAS",
        "SSA",
        "SSF",
        "SST",
        "TEA",
        "TEC",
        "TLA",
        "TMN",
        "TSA",
        "TSS",
        "UMC",
        "WLD",
    ]
)

WDI_URL = "https://data.worldbank.org/indicator/{code}"

PRECEDENCE = {"manual": 0, "eurostat": 1, "wdi": 2}


def read_wdi(code: str, path: Path, provenance: str) -> list[dict]:
    if code not in WDI_INDICATORS:
        sys.exit(f"{path}: unknown WDI indicator code {code!r}; add it to WDI_INDICATORS")
    indicator, unit, direction = WDI_INDICATORS[code]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    last_updated = next((r[1] for r in rows[:4] if r and r[0] == "Last Updated Date"), "")
    header_at = next(i for i, r in enumerate(rows) if r[:2] == ["Country Name", "Country Code"])
    header = rows[header_at]
    out = []
    for line_no, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not row:
            continue
        name, iso3, _, row_code = row[:4]
        if row_code != code:
            sys.exit(f"{path}:{line_no}: indicator code {row_code!r}, expected {code!r}")
        if iso3 in WDI_AGGREGATES:
            continue
        for column, cell in zip(header[4:], row[4:]):
            if not column.isdigit() or cell.strip() == "":
                continue
            out.append(
                {
                    "geo": name,
                    "geo_level": "country",
                    "indicator": indicator,
                    "unit": unit,
                    "direction": direction,
                    "year": column,
                    "value": cell.strip(),
                    "source": f"World Bank WDI {code} (last updated {last_updated}); {provenance}",
                    "source_url": WDI_URL.format(code=code),
                    "note": f"iso3={iso3}",
                    "_origin": "wdi",
                }
            )
    return out


def read_long(path: Path, origin: str) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            sys.exit(f"{path}: missing columns {missing}")
        out = []
        for line_no, row in enumerate(reader, start=2):
            for column in (
                "geo",
                "geo_level",
                "indicator",
                "unit",
                "direction",
                "year",
                "value",
                "source",
                "source_url",
            ):
                if not (row.get(column) or "").strip():
                    sys.exit(f"{path}:{line_no}: column {column!r} is empty")
            if row["direction"] not in ("higher", "lower"):
                sys.exit(f"{path}:{line_no}: direction {row['direction']!r}")
            if row["geo_level"] not in ("country", "province", "city"):
                sys.exit(f"{path}:{line_no}: geo_level {row['geo_level']!r}")
            float(row["value"])
            int(row["year"])
            out.append({**{c: (row.get(c) or "").strip() for c in COLUMNS}, "_origin": origin})
    return out


def merge(rows: list[dict]) -> list[dict]:
    """Keep, for every (geo, indicator), only the rows of its highest-precedence origin."""
    best: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["geo"], row["indicator"])
        best[key] = min(best.get(key, 99), PRECEDENCE[row["_origin"]])
    kept = [r for r in rows if PRECEDENCE[r["_origin"]] == best[(r["geo"], r["indicator"])]]
    seen: dict[tuple[str, str, str], dict] = {}
    for row in kept:
        key = (row["geo"], row["indicator"], row["year"])
        if key in seen:
            sys.exit(f"duplicate value for {key}: {seen[key]['source']!r} and {row['source']!r}")
        seen[key] = row
    return sorted(kept, key=lambda r: (r["indicator"], r["geo_level"], r["geo"], int(r["year"])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wdi", action="append", default=[], metavar="CODE=PATH")
    parser.add_argument("--wdi-provenance", action="append", default=[], metavar="CODE=TEXT")
    parser.add_argument("--eurostat", action="append", default=[], metavar="PATH")
    parser.add_argument("--manual-dir", type=Path, default=Path("data/raw/public/calibration/sources"))
    parser.add_argument("--out", type=Path, default=Path("data/raw/public/calibration/panel.csv"))
    args = parser.parse_args(argv)

    provenance = dict(item.split("=", 1) for item in args.wdi_provenance)
    rows: list[dict] = []
    for item in args.wdi:
        code, path = item.split("=", 1)
        rows += read_wdi(code, Path(path), provenance.get(code, "source file " + Path(path).name))
    for path in args.eurostat:
        rows += read_long(Path(path), "eurostat")
    for path in sorted(args.manual_dir.glob("*.csv")):
        rows += read_long(path, "manual")

    merged = merge(rows)
    tmp = args.out.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(merged)
    tmp.replace(args.out)
    print(f"wrote {len(merged)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
