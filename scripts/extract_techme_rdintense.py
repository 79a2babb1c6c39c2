"""Provincial R&D intensity and expenditure from the `RDIntense` table of the R package huhuaping/techme.

`RDIntense` (file data/RDIntense.rda of https://github.com/huhuaping/techme) is documented as compiled
from the NBS/MOST/MOF 《全国科技经费投入统计公报》 (table 各地区研究与试验发展(R&D)经费情况), 2011-2023,
32 rows per year (全国 + 31 provinces), variables RD经费 (亿元) and RD强度 (%). Its 2018-2023 values were
checked against the saved communiqué pages (scripts/extract_nbs_rd_communiques.py): 384 of 384 equal.

This script writes the provincial rows of the years not covered by those pages (default 2011-2017) in
the calibration panel's long format. National rows are left out: the national series is transcribed
with quotes in sources/china_national_manual.csv.

Reading .rda needs `pyreadr` (one-off data preparation, not a dependency of the package):
    pip install pyreadr pandas
    python3 scripts/extract_techme_rdintense.py --rda PATH/RDIntense.rda \
        --provenance "huhuaping/techme@9ad60a190dec data/RDIntense.rda" \
        --out data/raw/public/calibration/sources/china_provinces_rd_2011_2017.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from extract_nbs_rd_communiques import COLUMNS, PROVINCES

VARIABLES = {
    "v4_ztr_qd_RD": ("rd_intensity", "% of GDP", "%"),
    "v4_ztr_jf_RD": ("rd_expenditure", "亿元", "亿元"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rda", type=Path, required=True)
    parser.add_argument("--provenance", required=True)
    parser.add_argument("--first-year", type=int, default=2011)
    parser.add_argument("--last-year", type=int, default=2017)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        import pyreadr
    except ImportError:
        sys.exit("reading .rda needs pyreadr: pip install pyreadr pandas")
    table = pyreadr.read_r(str(args.rda))["RDIntense"]
    rows = []
    for record in table.itertuples(index=False):
        year = int(record.year)
        if not args.first_year <= year <= args.last_year or record.province == "全国":
            continue
        if record.province not in PROVINCES:
            sys.exit(f"{args.rda}: unknown province {record.province!r}")
        if record.variables not in VARIABLES:
            sys.exit(f"{args.rda}: unknown variable {record.variables!r}")
        indicator, unit, expected_unit = VARIABLES[record.variables]
        if record.units != expected_unit:
            sys.exit(f"{args.rda}: {record.variables} in {record.units!r}, expected {expected_unit!r}")
        rows.append(
            {
                "geo": PROVINCES[record.province],
                "geo_level": "province",
                "indicator": indicator,
                "unit": unit,
                "direction": "higher",
                "year": year,
                # The .rda stores doubles; the communiqués print 2 decimals (intensity) / 1 (亿元).
                "value": f"{record.value:.2f}" if indicator == "rd_intensity" else f"{record.value:.1f}",
                "source": (
                    f"NBS/MOST/MOF {year}年全国科技经费投入统计公报, table 各地区研究与试验发展(R&D)"
                    f"经费情况, as transcribed in {args.provenance} (its 2018-2023 values equal the "
                    f"communiqué pages, 384/384)"
                ),
                "source_url": "https://www.stats.gov.cn/",
                "note": f"zh={record.province}; as first published",
            }
        )
    rows.sort(key=lambda r: (r["indicator"], r["geo"], r["year"]))
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
