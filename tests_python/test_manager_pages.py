"""The dashboard covers the published marts, every page is opened by a browser test, and the agent report exports
(CSV and .xlsx) hold the report's rows. No browser: runs on the sample's published copy (published_sample)."""
from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd

from kefu.dashboard import manager_pages as mp
from kefu.dashboard import manager_queries as mq

ROOT = Path(__file__).resolve().parent.parent
QUERY_MODULES = [ROOT / "kefu" / "dashboard" / "queries.py", ROOT / "kefu" / "dashboard" / "manager_queries.py"]


def marts_read_by_queries() -> set[str]:
    return {name for path in QUERY_MODULES for name in re.findall(r"(?<![\w/])marts\.(\w+)", path.read_text())}


def test_every_published_mart_has_a_page_or_is_bi_only(published_sample):
    with duckdb.connect(str(published_sample), read_only=True) as con:
        published = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
    read = marts_read_by_queries()
    bi_only = set(mq.BI_ONLY_MARTS)
    assert not read & bi_only, f"marts on a page and also listed BI-only: {sorted(read & bi_only)}"
    assert read <= published, f"queries read marts that are not published: {sorted(read - published)}"
    assert published == read | bi_only, (
        f"published marts without a page and not in BI_ONLY_MARTS: {sorted(published - read - bi_only)}; "
        f"BI-only marts not published: {sorted(bi_only - published)}")


def test_bi_only_list_is_documented():
    doc = (ROOT / "docs" / "dashboard.md").read_text()
    section = doc[doc.index("BI-only"):]
    for mart in mq.BI_ONLY_MARTS:
        assert f"`{mart}`" in section, f"{mart} missing from the BI-only list in docs/dashboard.md"


def test_every_page_is_opened_by_a_browser_test():
    app = (ROOT / "kefu" / "dashboard" / "app.py").read_text()
    url_paths = set(re.findall(r'url_path="([\w-]+)"', app)) | {url for _, _, url in mp.PAGES}
    opened = set()
    for test in ("test_dashboard_e2e.py", "test_dashboard_manager_e2e.py"):
        text = (ROOT / "tests_python" / test).read_text()
        opened |= set(re.findall(r'\{dashboard\}/([\w-]+)', text))
        if '{dashboard}/"' in text or "{dashboard}/?" in text:
            opened.add("screen")  # the default page, at the root URL
    assert url_paths <= opened, f"pages no browser test opens: {sorted(url_paths - opened)}"


def _busiest_agent(path: Path) -> tuple[str, str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select platform, shop_id, agent_id from marts.fct_response_rounds "
            "where is_in_assessment_window and not is_within_deadline group by all "
            "order by count(*) desc, shop_id, agent_id limit 1").fetchone()


def test_agent_report_exports(published_sample):
    platform, shop_id, agent_id = _busiest_agent(published_sample)
    lo, hi = mq.agent_date_range(published_sample)
    who = dict(platform=platform, shop_id=shop_id, agent_id=agent_id, path=published_sample)
    report = mq.agent_report(lo, hi, **who)
    missed = mq.missed_rounds(lo, hi, **who)
    not_satisfied = mq.not_satisfied_receptions(lo, hi, **who)
    total = mq.agent_report(lo, hi, by_day=False, **who).iloc[0]
    assert len(report) > 0 and len(missed) == int(total["missed_round_count"]) > 0
    assert len(not_satisfied) <= int(total["not_satisfied_count"])
    # ids and times only: never a buyer key or message text
    for frame in (report, missed, not_satisfied):
        assert not any("buyer_key" in c or "content" in c for c in frame.columns)

    workbook = openpyxl.load_workbook(io.BytesIO(mq.report_xlsx_bytes(report, missed, not_satisfied)))
    assert workbook.sheetnames == list(mq.SHEETS)
    for name, frame in zip(mq.SHEETS, (report, missed, not_satisfied)):
        sheet = workbook[name]
        assert sheet.max_row == len(frame) + 1, name
    daily = workbook[mq.SHEETS[0]]
    headers = [c.value for c in daily[1]]
    assert headers[:2] == ["日期", "咨询人数"]
    sales_col = headers.index("销售额") + 1
    assert sum(daily.cell(row=r, column=sales_col).value or 0 for r in range(2, daily.max_row + 1)) == \
        float(report["sales_amount"].sum()) == float(total["sales_amount"])
    rate_col = headers.index("回复率") + 1
    assert daily.cell(row=2, column=rate_col).number_format == "0.0%"
    rounds = workbook[mq.SHEETS[1]]
    round_ids = [c.value for c in rounds[headers_index(rounds, "轮次ID")][1:]]
    assert round_ids == missed["round_id"].tolist()

    csv = pd.read_csv(io.BytesIO(mq.report_csv_bytes(report)), encoding="utf-8-sig")
    assert len(csv) == len(report) and csv["三分钟响应率"].notna().any()


def headers_index(sheet, header: str) -> str:
    """The column letter of a header in row 1."""
    for cell in sheet[1]:
        if cell.value == header:
            return cell.column_letter
    raise AssertionError(f"{header} not in {[c.value for c in sheet[1]]}")


def test_agent_report_sums_the_agent_day_marts(published_sample):
    """The drill-down's totals are Σ ÷ Σ of the agent-day marts (checked against one direct query per mart)."""
    platform, shop_id, agent_id = _busiest_agent(published_sample)
    lo, hi = mq.agent_date_range(published_sample)
    total = mq.agent_report(lo, hi, platform, shop_id, agent_id, by_day=False, path=published_sample).iloc[0]
    with duckdb.connect(str(published_sample), read_only=True) as con:
        three_min, reply = con.execute(
            "select sum(assessment_rounds_within_deadline_count) / sum(assessment_round_count), "
            "sum(replied_reception_count) / sum(replyable_reception_count) from marts.agg_agent_daily_service "
            "where shop_id = ? and agent_id = ?", [shop_id, agent_id]).fetchone()
        sales = con.execute("select sum(sales_amount) from marts.agg_agent_daily_sales where is_shop_rule "
                            "and shop_id = ? and agent_id = ?", [shop_id, agent_id]).fetchone()[0]
    assert abs(total["three_minute_response_rate"] - three_min) < 1e-12
    assert abs(total["reply_rate"] - reply) < 1e-12
    assert float(total["sales_amount"]) == float(sales)
