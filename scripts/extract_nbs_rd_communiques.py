"""Extract the provincial R&D table from saved copies of the NBS R&D communiqués.

Input: HTML copies of stats.gov.cn pages "<year>年全国科技经费投入统计公报" (National Bureau of
Statistics, Ministry of Science and Technology, Ministry of Finance). Each page ends with a table
"<year>年各地区研究与试验发展(R&D)经费情况": one row for the nation (全国) and one per province with
R&D expenditure (亿元) and R&D intensity (% of regional GDP). The copies used are named in
data/raw/public/calibration/README.md; nothing is fetched at run time.

Output: rows in the calibration panel's long format (see build_calibration_panel.py), written to
--out, for indicators rd_intensity (% of GDP) and rd_expenditure (亿元).

Usage:
    python3 scripts/extract_nbs_rd_communiques.py --page 2018=PATH[,URL] ... --out FILE
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import sys
from pathlib import Path

PROVINCES = {
    "全国": "China",
    "北京": "Beijing",
    "天津": "Tianjin",
    "河北": "Hebei",
    "山西": "Shanxi",
    "内蒙古": "Inner Mongolia",
    "辽宁": "Liaoning",
    "吉林": "Jilin",
    "黑龙江": "Heilongjiang",
    "上海": "Shanghai",
    "江苏": "Jiangsu",
    "浙江": "Zhejiang",
    "安徽": "Anhui",
    "福建": "Fujian",
    "江西": "Jiangxi",
    "山东": "Shandong",
    "河南": "Henan",
    "湖北": "Hubei",
    "湖南": "Hunan",
    "广东": "Guangdong",
    "广西": "Guangxi",
    "海南": "Hainan",
    "重庆": "Chongqing",
    "四川": "Sichuan",
    "贵州": "Guizhou",
    "云南": "Yunnan",
    "西藏": "Tibet",
    "陕西": "Shaanxi",
    "甘肃": "Gansu",
    "青海": "Qinghai",
    "宁夏": "Ningxia",
    "新疆": "Xinjiang",
}

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

ROW = re.compile(
    r"(全国|北京|天津|河北|山西|内蒙古|辽宁|吉林|黑龙江|上海|江苏|浙江|安徽|福建|江西|山东|"
    r"河南|湖北|湖南|广东|广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆)"
    r"\s*([0-9]+(?:\.[0-9]+)?)\s+([0-9]+(?:\.[0-9]+)?)"
)


def page_text(path: Path) -> str:
    raw = path.read_bytes().decode("utf-8", errors="replace")
    text = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    return re.sub(r"[\s\u3000\xa0]+", " ", text)


def provincial_table(text: str, year: int, path: Path) -> list[tuple[str, str, str]]:
    title = re.search(rf"{year}\s*年各地区研究与试验发展\s*（\s*R&D\s*）经费情况", text)
    if not title:
        sys.exit(f"{path}: table '{year}年各地区研究与试验发展(R&D)经费情况' not found")
    # Province names are written with a full-width space between characters (江　苏).
    body = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text[title.end() : title.end() + 3000])
    rows = ROW.findall(body)[:32]
    names = [r[0] for r in rows]
    if len(rows) != 32 or len(set(names)) != 32:
        sys.exit(f"{path}: expected 32 rows (全国 + 31 provinces), found {names}")
    return rows


REVISION = re.compile(
    r"根据\s*(\d{4})\s*年国内生产总值[^。]{0,40}?(\d{4})\s*年研究与试验发展\s*（\s*R&D\s*）"
    r"经费投入强度已修订为\s*([0-9.]+)\s*%"
)


def national_revisions(text: str) -> list[tuple[int, str]]:
    """(year, revised national intensity) stated in a communiqué's notes ("已修订为")."""
    return [(int(m.group(2)), m.group(3)) for m in REVISION.finditer(text)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", required=True, metavar="YEAR=PATH,URL,RELEASED,MIRROR")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    out_rows = []
    revisions: dict[int, tuple[str, int, str]] = {}
    for item in args.page:
        year_text, rest = item.split("=", 1)
        path_text, url, released, mirror = rest.split(",", 3)
        year = int(year_text)
        path = Path(path_text)
        text = page_text(path)
        table = provincial_table(text, year, path)
        communique = f"NBS/MOST/MOF {year}年全国科技经费投入统计公报 (released {released})"
        source = f"{communique}, table {year}年各地区研究与试验发展(R&D)经费情况; page copy in {mirror}"
        for revised_year, value in national_revisions(text):
            revisions[revised_year] = (value, f"{communique}, notes; page copy in {mirror}", url)
        for name_zh, expenditure, intensity in table:
            geo = PROVINCES[name_zh]
            level = "country" if name_zh == "全国" else "province"
            note = f"zh={name_zh}; as first published"
            out_rows.append(
                {
                    "geo": geo,
                    "geo_level": level,
                    "indicator": "rd_intensity",
                    "unit": "% of GDP",
                    "direction": "higher",
                    "year": year,
                    "value": intensity,
                    "source": source,
                    "source_url": url,
                    "note": note,
                }
            )
            out_rows.append(
                {
                    "geo": geo,
                    "geo_level": level,
                    "indicator": "rd_expenditure",
                    "unit": "亿元",
                    "direction": "higher",
                    "year": year,
                    "value": expenditure,
                    "source": source,
                    "source_url": url,
                    "note": note,
                }
            )
    # The national value of year t is restated in the year t+1 communiqué after the final GDP
    # figures; the panel keeps the latest published value and records the first one in `note`.
    for row in out_rows:
        if row["geo"] == "China" and row["indicator"] == "rd_intensity" and row["year"] in revisions:
            value, source, url = revisions[row["year"]]
            row["note"] = (
                f"zh=全国; revised after final GDP figures; first published "
                f"{row['value']} in the {row['year']}年 communiqué"
            )
            row.update(value=value, source=source, source_url=url)
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out_rows)
    print(f"wrote {len(out_rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
