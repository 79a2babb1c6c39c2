"""Public benchmark figures: which rows become observations, and which are kept apart and why."""

from __future__ import annotations

import csv

from gxq_analysis.ingest.clean import clean
from gxq_analysis.model.plan import load_plan

HEADER = [
    "geo",
    "plan_indicator_no",
    "indicator_cn",
    "year",
    "qualifier",
    "value",
    "unit",
    "source_url",
    "quote",
    "note",
]
ROWS = [
    # row 2: the final 2016 figure, listed BEFORE the preliminary one: order must not decide.
    [
        "全国",
        "1",
        "研究与试验发展经费投入强度(与GDP之比)",
        "2016",
        "",
        "2.11",
        "%",
        "http://a",
        "为2.11%",
        "",
    ],
    # row 3: preliminary (初步数) for the same cell
    [
        "全国",
        "1",
        "R&D经费支出与国内生产总值之比(2016年统计公报初步数)",
        "2016",
        "",
        "2.08",
        "%",
        "http://b",
        "2.08%",
        "",
    ],
    # row 4: the official 2014 figure; row 5: the OECD basis, a different definition
    ["全国", "1", "研发经费投入强度", "2014", "", "2.02", "%", "http://c", "2.02%", ""],
    ["全国", "1", "科研投入占GDP比重(OECD口径)", "2014", "", "2.05", "%", "http://d", "2.05%", ""],
    # row 6: southern Jiangsu only, filed under 江苏省; row 7: the province
    ["江苏省", "7", "苏南高新技术产业产值占规上工业比重", "2022", "", "52.3", "%", "http://e", "52.3%", ""],
    ["江苏省", "7", "高新技术产业产值占规上工业比重", "2022", "", "48.5", "%", "http://f", "48.5%", ""],
    # row 8: 万家 converted to the catalogue's 家; row 9: context only
    ["全国", "4", "高新技术企业数量", "2022", "", "40", "万家", "http://g", "40万家", ""],
    ["全国", "", "研究与试验发展经费", "2016", "", "15676.7", "亿元", "http://h", "15676.7亿元", ""],
]


def test_public_figures_rules(tmp_path):
    raw = tmp_path / "raw"
    (raw / "public").mkdir(parents=True)
    with (raw / "public" / "public_figures.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    result = clean(raw, load_plan())
    got = {
        (o["geo"], o["indicator_id"], o["period"]): (o["value"], o["source_row"]) for o in result.observations
    }
    assert got == {
        ("全国", "rd_gdp_share", "2016"): (2.11, 2),
        ("全国", "rd_gdp_share", "2014"): (2.02, 4),
        ("江苏省", "hitech_output_share", "2022"): (48.5, 7),
        ("全国", "hitech_enterprises", "2022"): (400000.0, 8),
    }
    by_row = {q["source_row"]: q for q in result.quarantine}
    assert by_row[3]["category"] == "superseded" and "provisional" in by_row[3]["reason"]
    assert by_row[5]["category"] == "different_population" and "OECD" in by_row[5]["reason"]
    assert by_row[6]["category"] == "different_population" and "苏南" in by_row[6]["reason"]
    assert by_row[9]["category"] == "context_only"
    assert [(r["old_value"], r["new_value"]) for r in result.revisions] == [("2.08", "2.11")]
    # Every data row is accounted for.
    assert sorted(set(got_rows := [v[1] for v in got.values()]) | set(by_row)) == list(range(2, 10))
    assert len(got_rows) == 4
