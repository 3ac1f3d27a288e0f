"""Dashboard figures say what they are (kefu/dashboard/queries.py, no browser): the 3-minute labels follow each shop's
response_deadline_seconds, pages default to each shop's own attribution rule, the leaderboard's 下单金额 follows the
selected rule, and the 飞鸽 figures are Douyin's only. Runs on the seed-42 sample's published marts."""
from __future__ import annotations

import duckdb
import pytest

from kefu.dashboard import queries as q


@pytest.mark.parametrize(("deadlines", "text"), [
    ({}, "三分钟"), ({"tb01": 180}, "三分钟"), ({"tb01": 180, "tm01": 180}, "三分钟"), ({"tb01": 90}, "90秒"),
    ({"tb01": 120}, "2分钟"), ({"tb01": 180, "tm01": 90}, "时限内"),
])
def test_deadline_text_names_the_shops_deadline(deadlines, text):
    assert q.deadline_text(deadlines) == text
    labels = q.deadline_labels(deadlines)
    assert labels["three_minute_response_rate"] == f"{text}响应率"
    assert ("3分钟" in labels["assessment_rounds_within_deadline_count"]) == (text == "三分钟")


def test_every_shop_has_its_deadline(published_sample):
    deadlines = q.response_deadlines(None, None, published_sample)
    assert deadlines and set(deadlines.values()) == {180}  # the sample keeps the default rule


def test_pages_default_to_each_shops_own_rule(published_sample):
    assert q.DEFAULT_RULE is q.SHOP_RULE and q.RULES[0] is q.SHOP_RULE
    lo, hi = q.sales_date_range(published_sample)
    with duckdb.connect(str(published_sample), read_only=True) as con:
        wanted = con.execute(
            "select coalesce(sum(sales_amount), 0)::double from marts.agg_agent_daily_sales "
            "where is_shop_rule and activity_date between ? and ?", [lo, hi]).fetchone()[0]
    assert q.sales_total(lo, hi, None, None, None, published_sample) == pytest.approx(wanted)
    board = q.leaderboard(lo, hi, None, None, published_sample)
    assert board["sales_amount"].sum() == pytest.approx(wanted)


def test_leaderboard_order_amount_follows_the_rule(published_sample):
    lo, hi = q.sales_date_range(published_sample)
    with duckdb.connect(str(published_sample), read_only=True) as con:
        for rule in ("order", "payment", "order_first"):
            wanted = con.execute(
                "select coalesce(sum(order_amount), 0)::double, "
                "coalesce(sum(order_amount) filter (where paid_at is null), 0)::double "
                "from marts.fct_order_attribution where not is_silent and attribution_rule = ? "
                "and cast(created_at as date) between ? and ? and (shop_id, credited_agent_id) in "
                "(select shop_id, agent_id from marts.agg_agent_daily_sales where attribution_rule = ? "
                "and activity_date between ? and ?)", [rule, lo, hi, rule, lo, hi]).fetchone()
            board = q.leaderboard(lo, hi, rule, None, published_sample)
            assert board["ordered_amount"].sum() == pytest.approx(wanted[0]), rule
            assert board["unpaid_amount"].sum() == pytest.approx(wanted[1]), rule
        # under rule `order` it is the mart's own order side (下单判定)
        mart = con.execute(
            "select coalesce(sum(ordered_amount), 0)::double from marts.agg_agent_daily_sales "
            "where attribution_rule = 'order' and activity_date between ? and ?", [lo, hi]).fetchone()[0]
    assert q.leaderboard(lo, hi, "order", None, published_sample)["ordered_amount"].sum() == pytest.approx(mart)


def test_feige_rates_are_douyin_only(published_sample):
    feige = q.feige_rates(None, published_sample)
    assert not feige.empty and set(feige["platform"]) == {"douyin"}
    assert q.feige_rates("tb01", published_sample).empty
