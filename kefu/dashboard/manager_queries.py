"""The manager pages' figures (kefu/dashboard/manager_pages.py), one SQL query each on the published file.

Same habits as queries.py: a read-only connection per call, figures are mart columns, totals over days, shops,
agents or groups are sums of additive columns and every rate is Σ numerator ÷ Σ denominator (never a mean of daily
rates). Buyers summed over days are labelled 按日累加 (a buyer on two days counts twice); a distinct count over a
range is only shown where a mart carries it (the period marts). No query selects buyer_key or message content.

`rule` arguments: SHOP_RULE (default) keeps each shop's own attribution rule (`is_shop_rule`, which may change by
date through shop_rules.csv); 'order' / 'payment' / 'order_first' pick one rule for every shop.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pandas as pd

from kefu.dashboard.queries import _df, _row, _shop_filter
from kefu.metric_registry import ratio_sql, registry

SHOP_RULE = "shop"
RULE_CHOICES = (SHOP_RULE, "order", "payment", "order_first")
RULE_CHOICE_LABELS = {SHOP_RULE: "店铺规则 / the shop's own rule", "order": "下单判定 (order)",
                      "payment": "付款判定 (payment)", "order_first": "下单优先判定 (order_first)"}
SCENARIOS = {"summary": "汇总", "inquiry_to_order": "询单→下单", "order_to_payment": "下单→付款",
             "inquiry_to_payment": "询单→付款"}
SOURCES = {"agent": "客服", "silent": "静默", "shop": "店铺"}
CHAT_REPLY_TARGET = 0.70  # Shopee's chat response-rate target (聊聊回复率 ≥ 70 %)

# Marts no dashboard page reads, on purpose: one row per order, reception, inquiry or event, carrying buyer_key.
# A page shows their aggregates (named in the reason); the rows themselves are for a BI tool or SQL on the published
# file. tests_python/test_manager_pages.py checks: published marts = marts read by a query ∪ this list.
BI_ONLY_MARTS = {
    "fct_receptions": "one row per reception with buyer_key; pages read its day aggregates "
                      "(agg_agent_daily_receptions, agg_shop_daily_receptions, agg_group_daily_performance)",
    "fct_order_assists": "one row per order × assisting agent; an order-level audit for a BI tool",
    "fct_inquiry_conversion": "one row per inquiry with buyer_key; pages read agg_shop_daily_conversion and "
                              "agg_agent_daily_conversion",
    "fct_payment_chases": "one row per chased order with buyer_key; pages read agg_agent_daily_payment_chase",
    "fct_faq_events": "one row per FAQ event with buyer_key; pages read agg_faq_daily",
}


def _rule_filter(rule: str | None, column: str = "attribution_rule") -> tuple[str, list[Any]]:
    if rule in (None, SHOP_RULE):
        return "is_shop_rule", []
    return f"{column} = ?", [rule]


def data_date_range(path: str | Path | None = None) -> tuple[dt.date | None, dt.date | None]:
    """First and last business date with receptions (the default range of the manager pages)."""
    row = _row("select min(reception_date) as lo, max(reception_date) as hi from marts.agg_shop_daily_receptions",
               path=path)
    return row["lo"], row["hi"]


DATE_COLUMNS = {
    "agg_shop_daily_performance": "performance_date", "agg_shop_daily_chat_funnel": "activity_date",
    "agg_group_daily_performance": "business_date", "agg_group_daily_sales": "activity_date",
    "agg_product_daily_sales": "sales_date", "fct_feige_sessions": "session_date",
    "agg_agent_daily_service": "service_date",
}


def mart_date_range(mart: str, path: str | Path | None = None) -> tuple[dt.date | None, dt.date | None]:
    """First and last date of a day mart (a page's date picker spans its own mart: orders and payments reach
    before the first and after the last chat day)."""
    column = DATE_COLUMNS[mart]
    row = _row(f"select min({column}) as lo, max({column}) as hi from marts.{mart}", path=path)
    return row["lo"], row["hi"]


def agent_date_range(path: str | Path | None = None) -> tuple[dt.date | None, dt.date | None]:
    """The agent page's dates: service days through the last credited payment (agent-day marts)."""
    row = _row("select min(d) as lo, max(d) as hi from (select service_date as d from marts.agg_agent_daily_service "
               "union all select activity_date from marts.agg_agent_daily_sales)", path=path)
    return row["lo"], row["hi"]


# ---------------------------------------------------------------- 店铺绩效 (agg_shop_daily_performance)

def shop_performance(start: dt.date, end: dt.date, shop: str | None = None, rule: str | None = SHOP_RULE,
                     path: str | Path | None = None) -> pd.DataFrame:
    """One row per scenario × source over [start, end]: Σ buyers (按日累加), Σ orders, Σ amount, and the amount and
    order shares of the scenario's shop total (agent + silent = shop)."""
    cond, params = _shop_filter(shop)
    rcond, rparams = _rule_filter(rule)
    df = _df(
        "select scenario, source, sum(buyers)::bigint as buyer_days, sum(orders)::bigint as orders, "
        "sum(amount)::double as amount from marts.agg_shop_daily_performance "
        f"where performance_date between ? and ? and {cond} and {rcond} group by all",
        [start, end, *params, *rparams], path)
    grid = pd.MultiIndex.from_product([list(SCENARIOS), list(SOURCES)], names=["scenario", "source"])
    df = df.set_index(["scenario", "source"]).reindex(grid).fillna(0).reset_index()
    shop_totals = df[df["source"] == "shop"].set_index("scenario")
    df["amount_share"] = [a / shop_totals.at[s, "amount"] if shop_totals.at[s, "amount"] else None
                          for s, a in zip(df["scenario"], df["amount"])]
    df["order_share"] = [o / shop_totals.at[s, "orders"] if shop_totals.at[s, "orders"] else None
                         for s, o in zip(df["scenario"], df["orders"])]
    df[["buyer_days", "orders"]] = df[["buyer_days", "orders"]].astype("int64")
    return df


def shop_performance_trend(start: dt.date, end: dt.date, scenario: str = "summary", shop: str | None = None,
                           rule: str | None = SHOP_RULE, path: str | Path | None = None) -> pd.DataFrame:
    """Per performance date: Σ amount of the scenario for 客服 and 静默."""
    cond, params = _shop_filter(shop)
    rcond, rparams = _rule_filter(rule)
    return _df(
        "select performance_date, source, sum(amount)::double as amount from marts.agg_shop_daily_performance "
        f"where performance_date between ? and ? and scenario = ? and source in ('agent', 'silent') and {cond} "
        f"and {rcond} group by all order by performance_date, source",
        [start, end, scenario, *params, *rparams], path)


def order_payment(start: dt.date, end: dt.date, shop: str | None = None,
                  path: str | Path | None = None) -> dict[str, Any]:
    """下单→付款 cohorts of order days in [start, end] (agg_shop_daily_order_payment): Σ ordered buyers and the ones
    paying the same day / by the next day / finally; rates Σ ÷ Σ; immature order days counted."""
    cond, params = _shop_filter(shop)
    return _row(
        "select coalesce(sum(ordered_buyers), 0)::bigint as ordered_buyers, "
        "coalesce(sum(paid_same_day_buyers), 0)::bigint as paid_same_day_buyers, "
        "coalesce(sum(paid_next_day_buyers), 0)::bigint as paid_next_day_buyers, "
        "coalesce(sum(paid_final_buyers), 0)::bigint as paid_final_buyers, "
        f"{ratio_sql('order_paid_same_day_rate')} as paid_same_day_rate, "
        f"{ratio_sql('order_paid_next_day_rate')} as paid_next_day_rate, "
        f"{ratio_sql('order_paid_final_rate')} as paid_final_rate, "
        "count(*) filter (where not is_mature_paid_final)::bigint as immature_final_days "
        f"from marts.agg_shop_daily_order_payment where order_date between ? and ? and {cond}",
        [start, end, *params], path)


def shop_service_extras(start: dt.date, end: dt.date, shop: str | None = None,
                        path: str | Path | None = None) -> dict[str, Any]:
    """满意率 (satisfied ÷ rated), 评价率 (rated ÷ receptions, at most 1), 问答比 (manual agent messages ÷ buyer
    messages) and robot hand-off (robot-only sessions ÷ robot-only + transferred) over [start, end]
    (agg_shop_daily_service)."""
    cond, params = _shop_filter(shop)
    return _row(
        "select coalesce(sum(rated_count), 0)::bigint as rated_count, "
        "coalesce(sum(satisfied_count), 0)::bigint as satisfied_count, "
        f"{ratio_sql('satisfaction_rate')} as satisfaction_rate, "
        f"{ratio_sql('rating_rate')} as rating_rate, "
        f"{ratio_sql('message_ratio')} "
        "as agent_to_buyer_message_ratio, "
        "coalesce(sum(robot_only_session_count), 0)::bigint as robot_only_session_count, "
        "coalesce(sum(transferred_session_count), 0)::bigint as transferred_session_count, "
        f"{ratio_sql('robot_resolved_share')} as robot_resolved_share "
        f"from marts.agg_shop_daily_service where service_date between ? and ? and {cond}",
        [start, end, *params], path)


# ---------------------------------------------------------------- 聊聊 funnel (agg_shop_daily_chat_funnel)

def chat_platforms(path: str | Path | None = None) -> list[str]:
    return _df("select distinct platform from marts.agg_shop_daily_chat_funnel order by platform",
               path=path)["platform"].tolist()


def chat_funnel(start: dt.date, end: dt.date, shop: str | None = None, platform: str | None = "shopee",
                path: str | Path | None = None) -> dict[str, Any]:
    """Funnel layers over [start, end] (Σ of the day rows: visitors and chat buyers 按日累加), 询问率 = chat buyers ÷
    visitors, 回复率 = replied within the deadline ÷ chat buyers, 转化率 = paying chat buyers ÷ chat buyers, mean
    response seconds of replied chats; and the latest day's rolling reply rate (the platform's 30-day figure)."""
    cond, params = _shop_filter(shop)
    pcond, pparams = _shop_filter(platform, "platform")
    where = f"activity_date between ? and ? and {cond} and {pcond}"
    args = [start, end, *params, *pparams]
    return _row(
        "select coalesce(sum(visitor_count), 0)::bigint as visitor_count, "
        "coalesce(sum(chat_buyer_count), 0)::bigint as chat_buyer_count, "
        "coalesce(sum(replied_chat_count), 0)::bigint as replied_chat_count, "
        "coalesce(sum(ordering_buyer_count), 0)::bigint as ordering_buyer_count, "
        "coalesce(sum(paying_buyer_count), 0)::bigint as paying_buyer_count, "
        "coalesce(sum(sales_amount), 0)::double as sales_amount, "
        f"{ratio_sql('chat_inquiry_rate')} as inquiry_rate, "
        f"{ratio_sql('chat_reply_rate')} as reply_rate, "
        f"{ratio_sql('chat_conversion_rate')} as conversion_rate, "
        f"{ratio_sql('chat_avg_response_seconds')} as avg_response_seconds, "
        f"(select {ratio_sql('rolling_chat_reply_rate')} "
        f" from marts.agg_shop_daily_chat_funnel where activity_date = (select max(activity_date) from "
        f" marts.agg_shop_daily_chat_funnel where {where}) and {cond} and {pcond}) as rolling_reply_rate "
        f"from marts.agg_shop_daily_chat_funnel where {where}",
        [*args, *params, *pparams, *args], path)


def chat_funnel_daily(start: dt.date, end: dt.date, shop: str | None = None, platform: str | None = "shopee",
                      path: str | Path | None = None) -> pd.DataFrame:
    cond, params = _shop_filter(shop)
    pcond, pparams = _shop_filter(platform, "platform")
    return _df(
        "select platform, shop_id, activity_date, visitor_count, chat_buyer_count, inquiry_rate, replied_chat_count, "
        "reply_rate, rolling_reply_rate, avg_response_seconds, median_response_seconds, ordering_buyer_count, "
        "paying_buyer_count, conversion_rate, sales_amount::double as sales_amount "
        f"from marts.agg_shop_daily_chat_funnel where activity_date between ? and ? and {cond} and {pcond} "
        "order by activity_date desc, platform, shop_id", [start, end, *params, *pparams], path)


# ---------------------------------------------------------------- 旺旺分流 (agg_agent_daily_routing)

def routing_day(day: dt.date, shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """Each roster agent's day: weight in force, online time, buyer-initiated receptions, expected share (weight in
    force × online time ÷ the shop's), actual share, gap, recent-contact share and busy waiting."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, agent_id, agent_name, group_name, routing_weight_in_force, online_seconds, "
        "buyer_initiated_reception_count, expected_share_in_force, actual_share, share_gap_in_force, "
        "recent_contact_share, max_waiting_buyers, busy_waiting_seconds "
        f"from marts.agg_agent_daily_routing where routing_date = ? and {cond} "
        "order by platform, shop_id, abs(share_gap_in_force) desc nulls last, agent_id", [day, *params], path)


def routing_shops(start: dt.date, end: dt.date, shop: str | None = None,
                  path: str | Path | None = None) -> pd.DataFrame:
    """Per shop-day: the imbalance index (weights in force), buyer-initiated receptions and Σ busy waiting."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, routing_date, max(shop_imbalance_index_in_force) as shop_imbalance_index, "
        "max(shop_buyer_initiated_reception_count)::bigint as buyer_initiated_reception_count, "
        "sum(busy_waiting_seconds)::bigint as busy_waiting_seconds "
        f"from marts.agg_agent_daily_routing where routing_date between ? and ? and {cond} "
        "group by all order by routing_date, platform, shop_id", [start, end, *params], path)


# ---------------------------------------------------------------- 分组 (group marts)

def group_performance(start: dt.date, end: dt.date, shop: str | None = None,
                      path: str | Path | None = None) -> pd.DataFrame:
    """agg_group_daily_performance over [start, end] per shop and group: buyers 按日累加, rates Σ ÷ Σ."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, group_name, max(agent_count)::bigint as max_agent_count, "
        "sum(consult_buyers)::bigint as consult_buyer_days, sum(reception_buyers)::bigint as reception_buyer_days, "
        "sum(inquiry_buyers)::bigint as inquiry_buyer_days, "
        f"{ratio_sql('reply_rate')} as reply_rate, "
        f"{ratio_sql('three_minute_response_rate')} "
        "as three_minute_response_rate, "
        f"{ratio_sql('avg_first_response_seconds')} "
        "as avg_first_response_seconds, "
        f"{ratio_sql('avg_response_seconds')} as avg_response_seconds, "
        f"{ratio_sql('satisfaction_rate')} as satisfaction_rate "
        f"from marts.agg_group_daily_performance where business_date between ? and ? and {cond} "
        "group by all order by platform, shop_id, group_name", [start, end, *params], path)


def group_sales(start: dt.date, end: dt.date, shop: str | None = None, rule: str | None = SHOP_RULE,
                path: str | Path | None = None) -> pd.DataFrame:
    """agg_group_daily_sales over [start, end] per shop and group under the rule: sales, paying buyers 按日累加,
    inquiry cohorts and 询单→下单 / 询单→最终付款 Σ ÷ Σ."""
    cond, params = _shop_filter(shop)
    rcond, rparams = _rule_filter(rule)
    return _df(
        "select platform, shop_id, group_name, sum(sales_amount)::double as sales_amount, "
        "sum(sales_quantity)::bigint as sales_quantity, sum(paid_orders)::bigint as paid_orders, "
        "sum(sales_buyers)::bigint as sales_buyer_days, sum(inquiry_buyers)::bigint as inquiry_buyer_days, "
        f"{ratio_sql('inquiry_to_order_rate')} as ordered_rate, "
        f"{ratio_sql('inquiry_to_paid_final_rate')} as paid_final_rate "
        f"from marts.agg_group_daily_sales where activity_date between ? and ? and {cond} and {rcond} "
        "group by all order by sales_amount desc, platform, shop_id, group_name",
        [start, end, *params, *rparams], path)


def group_periods(period_type: str, shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """agg_group_period_performance rows of one period type ('week' / 'month'): distinct buyers of the period."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, group_name, period_start_date, period_end_date, active_day_count, "
        "consult_buyers, consult_buyer_days, reception_buyers, inquiry_buyers, reply_rate, "
        "three_minute_response_rate, avg_first_response_seconds, satisfaction_rate, inquiry_to_order_rate, "
        "inquiry_to_paid_final_rate, sales_amount::double as sales_amount, sales_buyers "
        f"from marts.agg_group_period_performance where period_type = ? and {cond} "
        "order by period_start_date desc, platform, shop_id, group_name", [period_type, *params], path)


# ---------------------------------------------------------------- 周报 / 月报 (period marts)

def shop_periods(period_type: str, shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, period_start_date, period_end_date, active_day_count, consult_buyers, "
        "consult_buyer_days, reception_buyers, inquiry_buyers, reply_rate, three_minute_response_rate, "
        "avg_first_response_seconds, satisfaction_rate, inquiry_to_order_rate, inquiry_to_paid_final_rate, "
        "sales_amount::double as sales_amount, agent_sales_amount::double as agent_sales_amount, "
        "silent_sales_amount::double as silent_sales_amount, sales_buyers "
        f"from marts.agg_shop_period_performance where period_type = ? and {cond} "
        "order by period_start_date desc, platform, shop_id", [period_type, *params], path)


def agent_periods(period_type: str, period_start: dt.date, shop: str | None = None,
                  path: str | Path | None = None) -> pd.DataFrame:
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, agent_id, agent_name, group_name, active_day_count, consult_buyers, "
        "reception_buyers, inquiry_buyers, reply_rate, three_minute_response_rate, avg_first_response_seconds, "
        "avg_response_seconds, satisfaction_rate, inquiry_to_order_rate, inquiry_to_paid_final_rate, "
        "sales_amount::double as sales_amount, sales_buyers "
        f"from marts.agg_agent_period_performance where period_type = ? and period_start_date = ? and {cond} "
        "order by sales_amount desc nulls last, platform, shop_id, agent_id", [period_type, period_start, *params],
        path)


def shop_months(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """agg_shop_monthly_receptions: distinct buyers of the month beside the sum of daily buyers."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, month_start_date, active_day_count, consult_buyers, consult_buyer_days, "
        "reception_buyers, reception_buyer_days, inquiry_buyers, inquiry_buyer_days, after_sale_buyers "
        f"from marts.agg_shop_monthly_receptions where {cond} order by month_start_date desc, platform, shop_id",
        params, path)


# ---------------------------------------------------------------- 商品销售 (agg_product_daily_sales)

def product_sales(start: dt.date, end: dt.date, shop: str | None = None, rule: str | None = SHOP_RULE,
                  path: str | Path | None = None) -> pd.DataFrame:
    """Per product over paid dates [start, end]: Σ amount, units and paid orders, split 客服 / 静默."""
    cond, params = _shop_filter(shop)
    rcond, rparams = _rule_filter(rule)
    return _df(
        "select platform, shop_id, product_id, arg_max(product_name, sales_date) as product_name, "
        "sum(sales_amount)::double as sales_amount, sum(sales_quantity)::bigint as sales_quantity, "
        "sum(paid_orders)::bigint as paid_orders, "
        "coalesce(sum(sales_amount) filter (where source = 'agent'), 0)::double as agent_sales_amount, "
        "coalesce(sum(sales_amount) filter (where source = 'silent'), 0)::double as silent_sales_amount, "
        f"""{ratio_sql('agent_amount_share', where={'numerator': "source = 'agent'"},
                       columns={'agent_sales_amount': 'sales_amount', 'shop_sales_amount': 'sales_amount'})} """
        "as agent_amount_share "
        f"from marts.agg_product_daily_sales where sales_date between ? and ? and {cond} and {rcond} "
        "group by platform, shop_id, product_id order by sales_amount desc, platform, shop_id, product_id",
        [start, end, *params, *rparams], path)


def product_agents(start: dt.date, end: dt.date, shop: str | None = None, rule: str | None = SHOP_RULE,
                   path: str | Path | None = None) -> pd.DataFrame:
    """Per product and agent (silent rows as 静默): Σ amount and units over [start, end]."""
    cond, params = _shop_filter(shop)
    rcond, rparams = _rule_filter(rule)
    return _df(
        "select platform, shop_id, product_id, arg_max(product_name, sales_date) as product_name, "
        "coalesce(agent_id, '静默 silent') as agent_id, sum(sales_amount)::double as sales_amount, "
        "sum(sales_quantity)::bigint as sales_quantity, sum(paid_orders)::bigint as paid_orders "
        f"from marts.agg_product_daily_sales where sales_date between ? and ? and {cond} and {rcond} "
        "group by platform, shop_id, product_id, coalesce(agent_id, '静默 silent') "
        "order by sales_amount desc, platform, shop_id, product_id, agent_id", [start, end, *params, *rparams], path)


# ---------------------------------------------------------------- 飞鸽 sessions that missed 3 minutes

def feige_missed_sessions(start: dt.date, end: dt.date, shop: str | None = None,
                          path: str | Path | None = None) -> pd.DataFrame:
    """fct_feige_sessions not passed in [start, end], with the agent (name of that day) and the first missed round
    (its number in the session, start, response seconds; null response = never answered)."""
    cond, params = _shop_filter(shop, "f.shop_id")
    return _df(
        "select f.session_date, f.platform, f.shop_id, f.agent_id, s.agent_name, f.session_id, "
        "f.feige_round_count, f.feige_rounds_within_deadline_count, f.missed_round_count, f.first_missed_round_id, "
        "r.round_number as first_missed_round_number, f.first_missed_round_start_at, "
        "r.response_seconds as first_missed_response_seconds "
        "from marts.fct_feige_sessions as f "
        "left join marts.fct_response_rounds as r on r.round_id = f.first_missed_round_id "
        "left join marts.agg_agent_daily_service as s on s.platform = f.platform and s.shop_id = f.shop_id "
        "and s.agent_id = f.agent_id and s.service_date = f.session_date "
        f"where not f.is_passed and f.session_date between ? and ? and {cond} "
        "order by f.session_date desc, f.platform, f.shop_id, f.first_missed_round_start_at, f.session_id",
        [start, end, *params], path)


# 飞鸽 sessions are rows of fct_feige_sessions: the registry's counts are count(*) there
SESSION_REPLY_RATE = ratio_sql("feige_session_reply_rate", agg="count", where={"numerator": "is_passed"},
                               columns={"feige_passed_session_count": "*", "feige_session_count": "*"})


def feige_totals(start: dt.date, end: dt.date, shop: str | None = None,
                 path: str | Path | None = None) -> dict[str, Any]:
    cond, params = _shop_filter(shop)
    return _row(
        "select count(*)::bigint as session_count, count(*) filter (where is_passed)::bigint as passed_count, "
        "count(*) filter (where not is_passed)::bigint as missed_count, "
        f"{SESSION_REPLY_RATE} as session_reply_rate "
        f"from marts.fct_feige_sessions where session_date between ? and ? and {cond}", [start, end, *params], path)


# ---------------------------------------------------------------- agent drill-down (客服明细)

def agent_options(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """Agents with service rows: platform, shop, agent_id and their latest name and group."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, agent_id, arg_max(agent_name, service_date) as agent_name, "
        "arg_max(group_name, service_date) as group_name from marts.agg_agent_daily_service "
        f"where {cond} group by all order by platform, shop_id, agent_id", params, path)


def group_options(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    cond, params = _shop_filter(shop)
    return _df(
        "select distinct platform, shop_id, group_name from marts.agg_agent_daily_service "
        f"where group_name is not null and {cond} order by platform, shop_id, group_name", params, path)


def _member(alias: str, date_col: str, platform: str, shop_id: str, agent_id: str | None,
            group: str | None) -> tuple[str, list[Any]]:
    """Rows of one agent, or of the agents in `group` on that row's date (the agent's group of that day as
    agg_agent_daily_routing records it: every roster agent of every active shop-day)."""
    if agent_id is not None:
        return (f"{alias}.platform = ? and {alias}.shop_id = ? and {alias}.agent_id = ?",
                [platform, shop_id, agent_id])
    return (f"{alias}.platform = ? and {alias}.shop_id = ? and exists (select 1 from marts.agg_agent_daily_routing g "
            f"where g.platform = {alias}.platform and g.shop_id = {alias}.shop_id and g.agent_id = {alias}.agent_id "
            f"and g.routing_date = {alias}.{date_col} and g.group_name = ?)", [platform, shop_id, group])


AGENT_REPORT_COLUMNS = {
    "report_date": "日期", "consult_count": "咨询人数", "reception_count": "接待人数", "inquiry_count": "询单人数",
    "avg_first_response_seconds": "平均首响(秒)", "avg_response_seconds": "平均响应(秒)", "reply_rate": "回复率",
    "three_minute_response_rate": "三分钟响应率", "missed_round_count": "超时轮次(3分钟)",
    "satisfaction_rate": "满意率", "rating_rate": "评价率", "not_satisfied_count": "不满意评价数",
    "agent_to_buyer_message_ratio": "问答比", "inquiry_to_order_rate": registry()["inquiry_to_order_rate"]["label"],
    "inquiry_to_paid_final_rate": registry()["inquiry_to_paid_final_rate"]["label"], "sales_amount": "销售额",
    "paid_orders": "付款订单数",
    "reachable_order_count": "待催付订单", "owned_chased_order_count": "已催付订单", "chase_rate": "催付率",
    "missed_order_count": "漏催订单", "recovered_order_count": "催付成功订单", "recovered_amount": "催付成功金额",
}
AGENT_REPORT_RATES = {"reply_rate", "three_minute_response_rate", "satisfaction_rate", "rating_rate",
                      "inquiry_to_order_rate", "inquiry_to_paid_final_rate", "chase_rate"}


def agent_report(start: dt.date, end: dt.date, platform: str, shop_id: str, agent_id: str | None = None,
                 group: str | None = None, rule: str | None = SHOP_RULE, by_day: bool = True,
                 path: str | Path | None = None) -> pd.DataFrame:
    """The agent's (or the group's agents', summed) report over [start, end], one row per day (by_day) or one total
    row. Receptions: agg_agent_daily_receptions (buyers per agent-day, summed); service: agg_agent_daily_service
    (rates Σ ÷ Σ); conversion: agg_agent_daily_conversion by inquiry date (下单转化率 = ordered ÷ inquiry buyers under
    rule order, the 落实下单 agent; 询单转化率 = paid finally under the shop's rule ÷ the same inquiry buyers); sales:
    agg_agent_daily_sales under `rule`; 催付: agg_agent_daily_payment_chase by order date."""
    key = "d" if by_day else "null::date"
    sales_rule, sales_params = _rule_filter(rule, "x.attribution_rule")
    if rule in (None, SHOP_RULE):
        sales_rule = "x.is_shop_rule"
    parts = []
    args: list[Any] = []
    for alias, table, date_col in (("rec", "marts.agg_agent_daily_receptions", "reception_date"),
                                   ("svc", "marts.agg_agent_daily_service", "service_date"),
                                   ("cnv", "marts.agg_agent_daily_conversion", "inquiry_date"),
                                   ("sal", "marts.agg_agent_daily_sales", "activity_date"),
                                   ("chs", "marts.agg_agent_daily_payment_chase", "order_date")):
        member, member_params = _member("x", date_col, platform, shop_id, agent_id, group)
        extra, extra_params = ("true", [])
        if alias == "sal":
            extra, extra_params = sales_rule, sales_params
        elif alias == "chs":
            extra = "not x.is_silent"
        parts.append((alias, f"select x.*, x.{date_col} as d from {table} as x where x.{date_col} between ? "
                             f"and ? and {member} and {extra}"))
        args += [start, end, *member_params, *extra_params]
    ctes = ", ".join(f"{alias} as ({sql})" for alias, sql in parts)
    sql = f"""
    with {ctes},
    rec_d as (select {key} as k, sum(consult_count) as consult_count, sum(reception_count) as reception_count,
              sum(inquiry_count) as inquiry_count from rec group by 1),
    svc_d as (select {key} as k,
              {ratio_sql('avg_first_response_seconds')}
                  as avg_first_response_seconds,
              {ratio_sql('avg_response_seconds')} as avg_response_seconds,
              {ratio_sql('reply_rate')} as reply_rate,
              {ratio_sql('three_minute_response_rate')}
                  as three_minute_response_rate,
              sum(assessment_round_count - assessment_rounds_within_deadline_count) as missed_round_count,
              {ratio_sql('satisfaction_rate')} as satisfaction_rate,
              case when sum(reception_count) > 0 then least(sum(rated_count)::double / sum(reception_count), 1) end
                  as rating_rate,
              sum(rated_count - satisfied_count) as not_satisfied_count,
              {ratio_sql('message_ratio')}
                  as agent_to_buyer_message_ratio
              from svc group by 1),
    cnv_d as (select {key} as k,
              {ratio_sql('inquiry_to_order_rate', where="attribution_rule = 'order'")} as inquiry_to_order_rate,
              {ratio_sql('inquiry_to_paid_final_rate',
                         where={'numerator': 'is_shop_rule', 'denominator': "attribution_rule = 'order'"})}
                  as inquiry_to_paid_final_rate
              from cnv group by 1),
    sal_d as (select {key} as k, sum(sales_amount)::double as sales_amount, sum(paid_orders) as paid_orders
              from sal group by 1),
    chs_d as (select {key} as k, sum(reachable_order_count) as reachable_order_count,
              sum(owned_chased_order_count) as owned_chased_order_count,
              {ratio_sql('chase_rate')} as chase_rate,
              sum(missed_order_count) as missed_order_count, sum(recovered_order_count) as recovered_order_count,
              sum(recovered_amount)::double as recovered_amount from chs group by 1),
    keys as (select k from rec_d union select k from svc_d union select k from cnv_d union select k from sal_d
             union select k from chs_d)
    select keys.k as report_date,
           coalesce(consult_count, 0)::bigint as consult_count, coalesce(reception_count, 0)::bigint
               as reception_count, coalesce(inquiry_count, 0)::bigint as inquiry_count,
           avg_first_response_seconds, avg_response_seconds, reply_rate, three_minute_response_rate,
           coalesce(missed_round_count, 0)::bigint as missed_round_count, satisfaction_rate, rating_rate,
           coalesce(not_satisfied_count, 0)::bigint as not_satisfied_count, agent_to_buyer_message_ratio,
           inquiry_to_order_rate, inquiry_to_paid_final_rate,
           coalesce(sales_amount, 0)::double as sales_amount, coalesce(paid_orders, 0)::bigint as paid_orders,
           coalesce(reachable_order_count, 0)::bigint as reachable_order_count,
           coalesce(owned_chased_order_count, 0)::bigint as owned_chased_order_count, chase_rate,
           coalesce(missed_order_count, 0)::bigint as missed_order_count,
           coalesce(recovered_order_count, 0)::bigint as recovered_order_count,
           coalesce(recovered_amount, 0)::double as recovered_amount
    from keys
    left join rec_d on rec_d.k is not distinct from keys.k left join svc_d on svc_d.k is not distinct from keys.k
    left join cnv_d on cnv_d.k is not distinct from keys.k left join sal_d on sal_d.k is not distinct from keys.k
    left join chs_d on chs_d.k is not distinct from keys.k
    order by report_date
    """
    df = _df(sql, args, path)
    if not by_day and df.empty:  # nothing in the range: one empty total row
        df = pd.DataFrame([{c: None for c in AGENT_REPORT_COLUMNS}])
    return df


def missed_rounds(start: dt.date, end: dt.date, platform: str, shop_id: str, agent_id: str | None = None,
                  group: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """Assessment rounds (三分钟响应率 denominator) not answered within the deadline: ids and times only."""
    member, params = _member("r", "round_date", platform, shop_id, agent_id, group)
    return _df(
        "select r.round_date, r.shop_id, r.agent_id, r.session_id, r.reception_id, r.round_id, r.round_number, "
        "r.round_start_at, r.replied_at, r.response_seconds from marts.fct_response_rounds as r "
        f"where r.is_in_assessment_window and not r.is_within_deadline and r.round_date between ? and ? and {member} "
        "order by r.round_start_at, r.round_id", [start, end, *params], path)


def not_satisfied_receptions(start: dt.date, end: dt.date, platform: str, shop_id: str,
                             agent_id: str | None = None, group: str | None = None,
                             path: str | Path | None = None) -> pd.DataFrame:
    """Receptions carrying a rating that is not satisfied (rating below 4): ids and counts only."""
    member, params = _member("s", "reception_date", platform, shop_id, agent_id, group)
    return _df(
        "select s.reception_date, s.shop_id, s.agent_id, s.reception_id, s.first_message_at, s.rated_count, "
        "s.satisfied_count, (s.rated_count - s.satisfied_count)::bigint as not_satisfied_count "
        "from marts.fct_reception_service as s "
        f"where s.rated_count > s.satisfied_count and s.reception_date between ? and ? and {member} "
        "order by s.first_message_at, s.reception_id", [start, end, *params], path)


FOLLOW_UP_LABELS = {
    "round_date": "日期", "shop_id": "店铺", "agent_id": "客服ID", "session_id": "会话ID", "reception_id": "接待ID",
    "round_id": "轮次ID", "round_number": "会话第几轮", "round_start_at": "买家发起时间", "replied_at": "人工回复时间",
    "response_seconds": "响应(秒, 空=未回复)", "reception_date": "日期", "first_message_at": "首条消息时间",
    "rated_count": "评价数", "satisfied_count": "满意评价数", "not_satisfied_count": "不满意评价数",
}
SHEETS = ("日报 daily", "超时轮次 missed rounds", "不满意评价 not satisfied")


def _labelled(df: pd.DataFrame) -> pd.DataFrame:
    return df.rename(columns={**FOLLOW_UP_LABELS, **AGENT_REPORT_COLUMNS})


def report_csv_bytes(report: pd.DataFrame) -> bytes:
    """The day-by-day report as CSV with Chinese headers (UTF-8 with BOM, so Excel opens it)."""
    return _labelled(report).to_csv(index=False).encode("utf-8-sig")


def report_xlsx_bytes(report: pd.DataFrame, missed: pd.DataFrame, not_satisfied: pd.DataFrame) -> bytes:
    """An .xlsx workbook (openpyxl): the day-by-day report, the missed rounds and the not-satisfied receptions, one
    sheet each, Chinese headers, rates as fractions formatted as percentages."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in zip(SHEETS, (report, missed, not_satisfied)):
            frame = frame.copy()
            for col in frame.columns:  # Excel has no time zones; the marts' timestamps are shop wall clock
                if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                    frame[col] = frame[col].dt.tz_localize(None)
            _labelled(frame).to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for idx, col in enumerate(frame.columns, start=1):
                sheet.column_dimensions[sheet.cell(row=1, column=idx).column_letter].width = 16
                if col in AGENT_REPORT_RATES:
                    for cell in sheet.iter_cols(min_col=idx, max_col=idx, min_row=2):
                        for c in cell:
                            c.number_format = "0.0%"
    return buffer.getvalue()
