"""Browser test of the manager pages (kefu/dashboard/manager_pages.py): each page opened in headless Chromium, one or
more figures read from its st.metric text and compared with kefu/dashboard/manager_queries.py on the same published
file; the 客服大屏 and the agent page at phone width (390×844) without horizontal scrolling, screenshots in
test-output/screenshots/. Fixtures and helpers come from test_dashboard_e2e.py (same published file rules:
KEFU_E2E_PUBLISHED, else the session's small build).
"""
from __future__ import annotations

import duckdb
import pytest

from kefu.dashboard import manager_queries as mq
from kefu.dashboard.manager_pages import fmt_ratio
from kefu.dashboard import queries as q
from test_dashboard_e2e import (  # noqa: F401  (fixtures are used by name)
    CHROMEDRIVER, CHROMIUM, SCREENSHOTS, browser, chromium_driver, dashboard, published, render,
)

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="chromium and chromium-driver are not installed (run `make chromium`, or `make e2e` which installs them)",
)]

# url paths this file opens (test_manager_pages.py checks every page of the app is opened by some browser test)
OPENED = {"agent", "shop", "chat", "routing", "groups", "periods", "products", "feige"}


def _busiest_agent(published) -> tuple[str, str, str]:
    """The agent with the most missed assessment rounds (so the follow-up lists have rows)."""
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(
            "select platform, shop_id, agent_id from marts.fct_response_rounds "
            "where is_in_assessment_window and not is_within_deadline group by all "
            "order by count(*) desc, shop_id, agent_id limit 1").fetchone()


def _assert_agent(shown: dict[str, str], published, agent: tuple[str, str, str]) -> None:
    lo, hi = mq.agent_date_range(published)
    platform, shop_id, agent_id = agent
    total = mq.agent_report(lo, hi, platform, shop_id, agent_id, by_day=False, path=published).iloc[0]
    expected = {
        "平均首响": q.fmt_seconds(total["avg_first_response_seconds"]),
        "平均响应": q.fmt_seconds(total["avg_response_seconds"]),
        "回复率": q.fmt_pct(total["reply_rate"]), "三分钟响应率": q.fmt_pct(total["three_minute_response_rate"]),
        "满意率": q.fmt_pct(total["satisfaction_rate"]),
        "询单人数(按日累加)": q.fmt_int(total["inquiry_count"]),
        "下单转化率": q.fmt_pct(total["inquiry_to_order_rate"]),
        "询单转化率": q.fmt_pct(total["inquiry_to_paid_final_rate"]),
        "销售额": q.fmt_amount(total["sales_amount"]), "催付率": q.fmt_pct(total["chase_rate"]),
    }
    assert {k: shown.get(k) for k in expected} == expected
    missed = mq.missed_rounds(lo, hi, platform, shop_id, agent_id, path=published)
    assert len(missed) == int(total["missed_round_count"]) > 0
    assert f"rounds over 3 minutes ({len(missed)})" in shown["__text__"]
    assert "下载 Excel" in shown["__text__"] and "下载 CSV" in shown["__text__"]


def test_agent_page(browser, dashboard, published):
    agent = _busiest_agent(published)
    shown = render(browser, f"{dashboard}/agent?agent={agent[1]}:{agent[2]}", "客服明细", "agent", expect_metrics=10)
    _assert_agent(shown, published, agent)


CARD_METRICS_JS = """
const metrics = Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')).map(m => [
  (m.querySelector('[data-testid="stMetricLabel"]') || {}).innerText.trim(),
  (m.querySelector('[data-testid="stMetricValue"]') || {}).innerText.trim()]);
// the page opens with the four scenario cards of four metrics each, left to right
return [0, 1, 2, 3].map(i => metrics.slice(4 * i, 4 * i + 4));
"""


def test_shop_performance(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/shop", "店铺绩效", "shop_performance", expect_metrics=24)
    lo, hi = mq.mart_date_range("agg_shop_daily_performance", published)
    perf = mq.shop_performance(lo, hi, None, mq.SHOP_RULE, published).set_index(["scenario", "source"])
    cards = browser.execute_script(CARD_METRICS_JS)  # the four scenario cards, left to right
    assert len(cards) == 4
    for card, scenario in zip(cards, mq.SCENARIOS):
        assert card == [["店铺 shop", q.fmt_amount(perf.at[(scenario, "shop"), "amount"])],
                        ["客服 agent", q.fmt_amount(perf.at[(scenario, "agent"), "amount"])],
                        ["静默 silent", q.fmt_amount(perf.at[(scenario, "silent"), "amount"])],
                        ["客服金额占比", q.fmt_pct(perf.at[(scenario, "agent"), "amount_share"])]], scenario
    # the shop's rule: the summary shop amount is the mart's own, rows with is_shop_rule
    with duckdb.connect(str(published), read_only=True) as con:
        amount = con.execute("select sum(amount) from marts.agg_shop_daily_performance where is_shop_rule "
                             "and scenario = 'summary' and source = 'shop'").fetchone()[0]
    assert cards[0][0][1] == q.fmt_amount(amount)
    pay = mq.order_payment(lo, hi, None, published)
    assert shown["最终付款率"] == q.fmt_pct(pay["paid_final_rate"])
    svc = mq.shop_service_extras(lo, hi, None, published)
    assert shown["满意率"] == q.fmt_pct(svc["satisfaction_rate"])
    assert shown["评价率"] == q.fmt_pct(svc["rating_rate"])
    assert shown["机器人独立解决占比"] == q.fmt_pct(svc["robot_resolved_share"])


def test_chat_funnel(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/chat", "聊聊", "chat_funnel", expect_metrics=6)
    lo, hi = mq.mart_date_range("agg_shop_daily_chat_funnel", published)
    platform = "shopee" if "shopee" in mq.chat_platforms(published) else mq.chat_platforms(published)[0]
    f = mq.chat_funnel(lo, hi, None, platform, published)
    assert shown["询问率"] == q.fmt_pct(f["inquiry_rate"])
    assert shown["回复率"] == q.fmt_pct(f["reply_rate"])
    assert shown["近30日回复率"] == q.fmt_pct(f["rolling_reply_rate"])
    assert shown[q.metric_label("chat_conversion_rate")] == q.fmt_pct(f["conversion_rate"])  # 已回复的聊聊中买家的订单量
    assert shown["聊聊销售额"] == q.fmt_amount(f["sales_amount"])
    assert "70% 目标" in shown["__text__"]


def test_routing(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/routing", "旺旺分流", "routing", expect_metrics=3)
    day = q.latest_business_date(published)
    shops = mq.routing_shops(day, day, None, published)
    assert shown["最高失衡指数"] == fmt_ratio(shops["shop_imbalance_index"].max())
    assert shown["买家发起接待"] == q.fmt_int(shops["buyer_initiated_reception_count"].sum())


def test_groups(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/groups", "分组绩效", "groups", expect_metrics=3)
    lo, hi = mq.mart_date_range("agg_group_daily_sales", published)
    perf = mq.group_performance(lo, hi, None, published)
    sales = mq.group_sales(lo, hi, None, mq.SHOP_RULE, published)
    assert shown["分组数"] == q.fmt_int(len(perf))
    assert shown["分组销售额合计"] == q.fmt_amount(sales["sales_amount"].sum())
    assert shown["分组接待人数(按日累加)"] == q.fmt_int(perf["reception_buyer_days"].sum())


def test_periods(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/periods", "周报", "periods", expect_metrics=3)
    weeks = mq.shop_periods("week", None, published)
    latest = weeks[weeks["period_start_date"] == weeks["period_start_date"].max()]
    assert shown["咨询人数(周期去重)"] == q.fmt_int(latest["consult_buyers"].sum())
    assert shown["咨询人数(按日累加)"] == q.fmt_int(latest["consult_buyer_days"].sum())
    assert shown["店铺销售额"] == q.fmt_amount(latest["sales_amount"].sum())


def test_products(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/products", "商品销售", "products", expect_metrics=3)
    lo, hi = mq.mart_date_range("agg_product_daily_sales", published)
    products = mq.product_sales(lo, hi, None, mq.SHOP_RULE, published)
    assert shown["动销商品数"] == q.fmt_int(len(products))
    assert shown["商品销售额合计"] == q.fmt_amount(products["sales_amount"].sum())


def test_feige_missed(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/feige", "飞鸽未达标会话", "feige_missed", expect_metrics=3)
    lo, hi = mq.mart_date_range("fct_feige_sessions", published)
    totals = mq.feige_totals(lo, hi, None, published)
    assert shown["考核会话"] == q.fmt_int(totals["session_count"])
    assert shown["未达标会话"] == q.fmt_int(totals["missed_count"])
    assert shown["飞鸽3分钟人工回复率(会话)"] == q.fmt_pct(totals["session_reply_rate"])
    assert len(mq.feige_missed_sessions(lo, hi, None, published)) == totals["missed_count"]


# ---------------------------------------------------------------- phone width

PHONE = (390, 844)
OVERFLOW_JS = """
const main = document.querySelector('[data-testid="stMain"]') || document.body;
const wide = Array.from(main.querySelectorAll('[data-testid="stMetric"]'))
  .filter(m => m.getBoundingClientRect().right > window.innerWidth + 2 || m.getBoundingClientRect().left < -2)
  .map(m => m.innerText);
// Streamlit scrolls inside its own containers: the widest of the document and those containers
const scrollers = [document.documentElement, document.body,
  ...document.querySelectorAll('[data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"], '
                               + '[data-testid="stMainBlockContainer"]')];
const scrollWidth = Math.max(...scrollers.map(e => e.scrollWidth));
const scroller = scrollers.reduce((a, e) => (e.scrollHeight > a.scrollHeight ? e : a), document.documentElement);
return {scrollWidth: scrollWidth, innerWidth: window.innerWidth, offscreen: wide, height: scroller.scrollHeight,
        metrics: main.querySelectorAll('[data-testid="stMetric"]').length};
"""


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    driver = chromium_driver(tmp_path_factory.mktemp("chromium-phone"))
    driver.set_window_size(*PHONE)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True})
    yield driver
    driver.quit()


def _assert_fits(phone, name: str) -> None:
    """No horizontal scrolling at 390 px and every metric inside the viewport's width; a full-length screenshot."""
    layout = phone.execute_script(OVERFLOW_JS)
    assert layout["innerWidth"] == PHONE[0]
    assert layout["scrollWidth"] <= PHONE[0] + 2, layout
    assert not layout["offscreen"], layout
    phone.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": PHONE[0], "height": min(int(layout["height"]), 12000), "deviceScaleFactor": 1,
                           "mobile": True})
    try:
        phone.save_screenshot(str(SCREENSHOTS / f"{name}_full.png"))
    finally:
        phone.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                              {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True})


def test_screen_at_phone_width(phone, dashboard, published):
    from test_dashboard_e2e import SCREEN_METRICS, _assert_screen

    shown = render(phone, f"{dashboard}/", "客服大屏", "screen_390", expect_metrics=SCREEN_METRICS)
    _assert_screen(shown, q.latest_business_date(published), None, published)
    _assert_fits(phone, "screen_390")


def test_agent_page_at_phone_width(phone, dashboard, published):
    agent = _busiest_agent(published)
    shown = render(phone, f"{dashboard}/agent?agent={agent[1]}:{agent[2]}", "客服明细", "agent_390",
                   expect_metrics=10)
    _assert_agent(shown, published, agent)
    _assert_fits(phone, "agent_390")
