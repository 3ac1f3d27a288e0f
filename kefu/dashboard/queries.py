"""Every figure the dashboard shows, as one SQL query on the published DuckDB file (read-only).

The dashboard and the tests call the same functions, so a number on screen is the number the marts hold.
Each call opens its own read-only connection: `kefu publish` swaps the file atomically, so the next query (the
next auto-refresh) sees the new build and never a half-written one. Figures are mart columns; where the
dashboard totals several shops it sums the additive columns (buyers of different shops are different buyers)
and forms rates as Σ numerator ÷ Σ denominator, the same ratio the marts use per shop.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from kefu.metric_registry import ratio_sql
from kefu.metric_registry import registry as metric_registry

ROOT = Path(__file__).resolve().parent.parent.parent
# rule None = each shop's own attribution rule in force on the row's date (the marts' is_shop_rule rows), the default
# of every page; a named rule shows every shop under that rule
SHOP_RULE = None
DEFAULT_RULE = SHOP_RULE
RULES = (SHOP_RULE, "order", "payment", "order_first")
RULE_LABELS = {SHOP_RULE: "店铺规则", "order": "下单判定", "payment": "付款判定", "order_first": "下单优先判定"}
RULE_CODES = {SHOP_RULE: "shop rule", "order": "order", "payment": "payment", "order_first": "order_first"}
DEFAULT_DEADLINE_SECONDS = 180  # var response_deadline_seconds: the 3 of 三分钟响应率
ALL_SHOPS = None  # shop argument meaning "every shop"

# Labels. A figure of the metric registry (metric_registry.yml) is shown under the registry's label (with its unit);
# the other columns under the dashboard's own names below.
_REGISTRY = metric_registry()
UNIT_SUFFIXES = {"seconds": "(秒)"}


def metric_label(name: str) -> str:
    """The registry's label of a metric, with its unit where the number needs one (seconds)."""
    spec = _REGISTRY[name]
    return spec["label"] + UNIT_SUFFIXES.get(spec["unit"], "")


METRIC_LABELS = {name: metric_label(name) for name in _REGISTRY}
_OWN_COLUMN_LABELS = {
    "platform": "平台", "shop_id": "店铺", "agent_id": "客服ID", "agent_name": "客服", "group_name": "分组",
    "rank": "排名", "consult_count": "咨询人数",
    "reception_count": "接待人数", "filtered_count": "过滤人数", "inquiry_count": "询单人数",
    "sales_amount": "销售额", "sales_buyers": "销售人数", "paid_orders": "付款订单数", "sales_quantity": "销售量",
    "sales_buyer_days": "销售人数(按日累加)", "ordered_amount": "下单金额", "unpaid_amount": "付款流失金额(含付款期未满)",
    "sales_order": "下单判定 销售额", "sales_payment": "付款判定 销售额", "sales_order_first": "下单优先判定 销售额",
    "reply_rate": "回复率", "replied_reception_count": "已回复接待", "replyable_reception_count": "应回复接待",
    "three_minute_response_rate": "三分钟响应率", "assessment_rounds_within_deadline_count": "3分钟内回复轮次",
    "assessment_round_count": "考核轮次", "avg_first_response_seconds": "平均首响(秒)",
    "avg_response_seconds": "平均响应(秒)", "inquiry_date": "询单日期", "inquiry_buyers": "询单人数",
    "ordered_same_day_buyers": "当日下单人数", "ordered_buyers": "下单人数", "paid_next_day_buyers": "次日付款人数",
    "paid_final_buyers": "最终付款人数", "lost_buyers": "询单流失人数", "ordered_same_day_rate": "当日下单率",
    "ordered_rate": "询单→下单", "paid_next_day_rate": "询单→次日付款", "paid_final_rate": "询单→最终付款",
    "as_of_date": "as_of", "service_date": "日期", "feige_session_count": "飞鸽考核会话",
    "feige_passed_session_count": "达标会话", "feige_session_reply_rate": "飞鸽3分钟人工回复率(会话)",
    "feige_round_count": "考核轮次", "feige_rounds_within_deadline_count": "达标轮次",
    "feige_round_reply_rate": "飞鸽3分钟人工回复率(轮次)", "event_date": "日期", "trigger_count": "触发次数",
    "click_count": "点击次数", "click_through_rate": "点击率 CTR", "resolved_count": "解决次数",
    "transferred_count": "转人工次数", "resolution_rate": "解决率", "effectiveness_rate": "有效率",
    "faq_id": "问题", "topic": "主题", "transfer_rank": "转人工排名", "category": "类目", "tier": "层级",
    "period": "月份", "metric_name": "指标代码", "metric_label": "指标", "is_higher_better": "越高越好", "shop_value": "本店",
    "excellent_value": "优秀", "median_value": "同行中位", "gap_to_excellent": "距优秀",
    "gap_to_median": "距中位", "is_at_excellent": "达到优秀", "is_at_or_above_median": "不低于中位",
    "latest_message_at": "数据时钟(最新消息)", "online_agents": "在线客服数", "open_sessions": "接待中会话",
    "waiting_buyers": "待回复买家", "longest_wait_seconds": "最长等待(秒)", "agent_name": "客服昵称",
    "current_status": "当前状态", "open_session_count": "接待中会话", "waiting_buyer_count": "待回复买家",
}
COLUMN_LABELS = {**_OWN_COLUMN_LABELS, **{name: label for name, label in METRIC_LABELS.items()
                                          if name in _OWN_COLUMN_LABELS}}


def published_path() -> Path:
    from kefu.settings import published_path as configured

    return configured()


class PublishedFileMissing(FileNotFoundError):
    pass


@contextmanager
def connect(path: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path) if path else published_path()
    if not path.exists():
        raise PublishedFileMissing(f"published database not found: {path} (run `make build` or `kefu publish`)")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _df(sql: str, params: list[Any] | None = None, path: str | Path | None = None) -> pd.DataFrame:
    with connect(path) as con:
        return con.execute(sql, params or []).df()


def _row(sql: str, params: list[Any] | None = None, path: str | Path | None = None) -> dict[str, Any]:
    with connect(path) as con:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
    return dict(zip(names, row)) if row else {name: None for name in names}


def _shop_filter(shop: str | None, column: str = "shop_id") -> tuple[str, list[Any]]:
    """SQL condition and parameters restricting to one shop, or nothing for every shop."""
    return (f"{column} = ?", [shop]) if shop else ("true", [])


def _rule_filter(rule: str | None, prefix: str = "") -> tuple[str, list[Any]]:
    """SQL condition and parameters picking one attribution rule's rows; rule None = each shop's own rule
    (is_shop_rule: the rule of the shop's rules in force on the row's date)."""
    if rule is None:
        return f"{prefix}is_shop_rule", []
    return f"{prefix}attribution_rule = ?", [rule]


# ---------------------------------------------------------------- formatting shared by the app and the tests

def fmt_int(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "—"
    return f"{int(value):,}"


def fmt_pct(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{float(value) * 100:.1f}%"


def fmt_amount(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{float(value):,.2f}"


def fmt_seconds(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{float(value):.0f} 秒"


# ---------------------------------------------------------------- dimensions and freshness

def shops(path: str | Path | None = None) -> list[str]:
    df = _df("select distinct shop_id from marts.agg_shop_daily_receptions order by shop_id", path=path)
    return df["shop_id"].tolist()


def business_dates(path: str | Path | None = None) -> list[dt.date]:
    """Business dates with receptions, latest first."""
    df = _df("select distinct reception_date from marts.agg_shop_daily_receptions order by reception_date desc",
             path=path)
    return [d.date() if hasattr(d, "date") else d for d in df["reception_date"]]


def latest_business_date(path: str | Path | None = None) -> dt.date | None:
    value = _row("select max(reception_date) as d from marts.agg_shop_daily_receptions", path=path)["d"]
    return value


def freshness(path: str | Path | None = None) -> dict[str, Any]:
    """The latest run from main.kefu_runs when the published file has it, else the latest business date.

    kind = 'run' (value = the latest timestamp column's maximum, column = its name, status when a status
    column exists) or 'business_date' (value = latest reception date).
    """
    with connect(path) as con:
        cols = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() and table_schema = 'main' and table_name = 'kefu_runs' "
            "order by ordinal_position").fetchall()
        if cols:
            ts_cols = [c for c, t in cols if t.startswith("TIMESTAMP") or t == "DATE"]
            preferred = [c for c in ("finished_at", "published_at", "ended_at", "completed_at", "run_at",
                                     "started_at") if c in ts_cols]
            ts = (preferred or ts_cols or [None])[0]
            if ts:
                status = next((c for c, _ in cols if c in ("status", "result", "state")), None)
                sel = f'"{ts}" as value' + (f', "{status}" as status' if status else "")
                row = con.execute(f'select {sel} from main.kefu_runs order by "{ts}" desc nulls last limit 1'
                                  ).fetchone()
                if row:
                    return {"kind": "run", "value": row[0], "column": ts,
                            "status": row[1] if status else None}
        value = con.execute("select max(reception_date) from marts.agg_shop_daily_receptions").fetchone()[0]
    return {"kind": "business_date", "value": value, "column": "reception_date", "status": None}


def provisional_from(path: str | Path | None = None) -> dt.date | None:
    """First business date whose figures are provisional: the as_of (day after the latest data) of the latest
    published daily run in main.kefu_runs. Days from it on were published by an intraday refresh only and stay
    provisional until the next daily run. None when the file carries no daily run (nothing is marked)."""
    with connect(path) as con:
        cols = {r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = 'main' and table_name = 'kefu_runs'").fetchall()}
        if not {"kind", "as_of", "published"} <= cols:
            return None
        return con.execute("select max_by(as_of, finished_at) from main.kefu_runs "
                           "where published and coalesce(kind, 'daily') = 'daily'").fetchone()[0]


def is_provisional(day: dt.date, path: str | Path | None = None) -> bool:
    start = provisional_from(path)
    return start is not None and day >= start


# ---------------------------------------------------------------- 客服大屏 · now (agg_agent_live_status)

def live_now(shop: str | None = None, path: str | Path | None = None) -> dict[str, Any]:
    """在线客服数, open sessions, buyers waiting and the longest current wait at each shop's data clock (summed over
    shops; the longest wait is the longest of any shop), and the data clock (the latest shop clock)."""
    cond, params = _shop_filter(shop)
    return _row(
        "select count(*) filter (where is_online)::bigint as online_agents, "
        "coalesce(sum(open_session_count), 0)::bigint as open_sessions, "
        "coalesce(sum(waiting_buyer_count), 0)::bigint as waiting_buyers, "
        "max(longest_wait_seconds) as longest_wait_seconds, max(status_at) as status_at "
        f"from marts.agg_agent_live_status where {cond}", params, path)


def live_by_shop(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """Each shop's data clock (its latest landed message) and its live figures."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, max(status_at) as latest_message_at, "
        "count(*) filter (where is_online)::bigint as online_agents, "
        "sum(open_session_count)::bigint as open_sessions, sum(waiting_buyer_count)::bigint as waiting_buyers, "
        "max(longest_wait_seconds) as longest_wait_seconds "
        f"from marts.agg_agent_live_status where {cond} group by all order by platform, shop_id", params, path)


def live_agents(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, agent_id, agent_name, current_status, open_session_count, waiting_buyer_count, "
        "longest_wait_seconds from marts.agg_agent_live_status "
        f"where {cond} order by waiting_buyer_count desc, open_session_count desc, shop_id, agent_id", params, path)


def open_alerts(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """预警 still open (marts.fct_alerts, closed_at null), newest first, with the rule's Chinese name and value and
    threshold formatted as the push does; empty for a published file without the mart."""
    from kefu.alerts import RULES, _fmt_value

    cond, params = _shop_filter(shop)
    columns = ["shop_id", "agent", "rule_name", "value", "threshold", "opened_at"]
    with connect(path) as con:
        if not con.execute("select count(*) from duckdb_tables() where schema_name = 'marts' "
                           "and table_name = 'fct_alerts'").fetchone()[0]:
            return pd.DataFrame(columns=columns)
        df = con.execute(
            "select shop_id, coalesce(agent_name, agent_id, '—') as agent, rule, value, threshold, opened_at "
            f"from marts.fct_alerts where closed_at is null and {cond} order by opened_at desc, shop_id, rule",
            params).df()
    df["rule_name"] = [RULES.get(r, (r,))[0] for r in df["rule"]]
    df["value"] = [_fmt_value(r, None if pd.isna(v) else v) for r, v in zip(df["rule"], df["value"])]
    df["threshold"] = [f"{RULES[r][1]} {_fmt_value(r, t)}" if r in RULES else t
                       for r, t in zip(df["rule"], df["threshold"])]
    return df[columns]


# ---------------------------------------------------------------- 客服大屏

def screen_receptions(day: dt.date, shop: str | None = None, path: str | Path | None = None) -> dict[str, Any]:
    """咨询 / 接待 / 过滤 / 询单 buyers of the day, agg_shop_daily_receptions summed over shops."""
    cond, params = _shop_filter(shop)
    return _row(
        "select coalesce(sum(consult_buyers), 0)::bigint as consult_buyers, "
        "coalesce(sum(reception_buyers), 0)::bigint as reception_buyers, "
        "coalesce(sum(filtered_buyers), 0)::bigint as filtered_buyers, "
        "coalesce(sum(inquiry_buyers), 0)::bigint as inquiry_buyers, "
        "coalesce(sum(after_sale_buyers), 0)::bigint as after_sale_buyers "
        f"from marts.agg_shop_daily_receptions where reception_date = ? and {cond}",
        [day, *params], path)


def screen_service(day: dt.date, shop: str | None = None, path: str | Path | None = None) -> dict[str, Any]:
    """回复率 = Σ replied_reception_count ÷ Σ replyable_reception_count; 三分钟响应率 = Σ within deadline ÷
    Σ assessment rounds (agg_shop_daily_service). With one shop these equal the mart's reply_rate and
    three_minute_response_rate columns; null when the denominator is 0, as in the mart."""
    cond, params = _shop_filter(shop)
    return _row(
        "select sum(replied_reception_count)::bigint as replied_reception_count, "
        "sum(replyable_reception_count)::bigint as replyable_reception_count, "
        f"{ratio_sql('reply_rate')} as reply_rate, "
        "sum(assessment_rounds_within_deadline_count)::bigint as assessment_rounds_within_deadline_count, "
        "sum(assessment_round_count)::bigint as assessment_round_count, "
        f"{ratio_sql('three_minute_response_rate')} "
        "as three_minute_response_rate "
        f"from marts.agg_shop_daily_service where service_date = ? and {cond}",
        [day, *params], path)


def screen_service_by_shop(day: dt.date, shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, reply_rate, replied_reception_count, replyable_reception_count, "
        "three_minute_response_rate, assessment_rounds_within_deadline_count, assessment_round_count, "
        "avg_first_response_seconds, avg_response_seconds "
        f"from marts.agg_shop_daily_service where service_date = ? and {cond} order by platform, shop_id",
        [day, *params], path)


def hourly_waiting(day: dt.date, shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """Buyers waiting at the end of each hour (agg_shop_hourly_load.waiting_buyer_count summed over shops)."""
    cond, params = _shop_filter(shop)
    return _df(
        "select hour(hour_start_at) as hour, sum(waiting_buyer_count)::bigint as waiting_buyer_count, "
        "sum(new_reception_count)::bigint as new_reception_count, "
        "sum(answered_round_count)::bigint as answered_round_count "
        f"from marts.agg_shop_hourly_load where load_date = ? and {cond} group by all order by hour",
        [day, *params], path)


def agent_day(day: dt.date, shop: str | None = None, rule: str = DEFAULT_RULE,
              path: str | Path | None = None) -> pd.DataFrame:
    """Each agent's receptions (agg_agent_daily_receptions) and sales under the rule (agg_agent_daily_sales)."""
    cond, params = _shop_filter(shop, "coalesce(r.shop_id, s.shop_id)")
    rule_cond, rule_params = _rule_filter(rule)
    return _df(
        "with r as (select * from marts.agg_agent_daily_receptions where reception_date = ?), "
        f"s as (select * from marts.agg_agent_daily_sales where activity_date = ? and {rule_cond}) "
        "select coalesce(r.platform, s.platform) as platform, coalesce(r.shop_id, s.shop_id) as shop_id, "
        "coalesce(r.agent_id, s.agent_id) as agent_id, "
        "coalesce(r.consult_count, 0) as consult_count, coalesce(r.reception_count, 0)::bigint as reception_count, "
        "coalesce(r.filtered_count, 0)::bigint as filtered_count, "
        "coalesce(r.inquiry_count, 0)::bigint as inquiry_count, "
        "coalesce(s.sales_amount, 0)::double as sales_amount, coalesce(s.sales_buyers, 0) as sales_buyers, "
        "coalesce(s.paid_orders, 0) as paid_orders "
        "from r full join s on r.platform = s.platform and r.shop_id = s.shop_id and r.agent_id = s.agent_id "
        f"where {cond} order by sales_amount desc, reception_count desc, shop_id, agent_id",
        [day, day, *rule_params, *params], path)


def sales_split(day: dt.date, shop: str | None = None, rule: str = DEFAULT_RULE,
                path: str | Path | None = None) -> dict[str, Any]:
    """客服 vs 静默 sales of the paid day (agg_shop_daily_sales summed over shops; rule None = each shop's own)."""
    cond, params = _shop_filter(shop)
    rule_cond, rule_params = _rule_filter(rule)
    return _row(
        "select coalesce(sum(shop_sales_amount), 0)::double as shop_sales_amount, "
        "coalesce(sum(agent_sales_amount), 0)::double as agent_sales_amount, "
        "coalesce(sum(silent_sales_amount), 0)::double as silent_sales_amount, "
        f"{ratio_sql('agent_amount_share')} as agent_amount_share, "
        "coalesce(sum(agent_sales_buyers), 0)::bigint as agent_sales_buyers, "
        "coalesce(sum(silent_sales_buyers), 0)::bigint as silent_sales_buyers "
        f"from marts.agg_shop_daily_sales where sales_date = ? and {rule_cond} and {cond}",
        [day, *rule_params, *params], path)


def sales_split_trend(shop: str | None = None, rule: str = DEFAULT_RULE,
                      path: str | Path | None = None) -> pd.DataFrame:
    cond, params = _shop_filter(shop)
    rule_cond, rule_params = _rule_filter(rule)
    return _df(
        "select sales_date, sum(agent_sales_amount)::double as agent_sales_amount, "
        "sum(silent_sales_amount)::double as silent_sales_amount "
        f"from marts.agg_shop_daily_sales where {rule_cond} and {cond} group by all order by sales_date",
        [*rule_params, *params], path)


# ---------------------------------------------------------------- 客服排行

def sales_date_range(path: str | Path | None = None) -> tuple[dt.date, dt.date]:
    row = _row("select min(activity_date) as lo, max(activity_date) as hi from marts.agg_agent_daily_sales",
               path=path)
    return row["lo"], row["hi"]


def leaderboard(start: dt.date, end: dt.date, rule: str = DEFAULT_RULE, shop: str | None = None,
                path: str | Path | None = None, group: str | None = None) -> pd.DataFrame:
    """Agents ranked by sales under one rule over [start, end] (rule None = each shop's own rule): the additive
    agg_agent_daily_sales columns summed over days (sales_buyer_days = Σ daily 销售人数, a buyer paying on two days
    counts twice). agent_name and group_name are the agent's on the latest day of the range; `group` keeps the days
    the agent was in that group (an agent who moved mid-period appears with the days of the chosen group only).
    ordered_amount (下单金额) and unpaid_amount (付款流失金额: orders not paid yet, their payment window still open
    or not) are the orders created in [start, end] credited to the agent under the same rule (fct_order_attribution),
    not the mart's order side, which is always credited under rule `order`."""
    cond, params = _shop_filter(shop)
    group_cond, group_params = _shop_filter(group, "group_name")
    rule_cond, rule_params = _rule_filter(rule)
    return _df(
        "with board as (select platform, shop_id, agent_id, arg_max(agent_name, activity_date) as agent_name, "
        "arg_max(group_name, activity_date) as group_name, sum(sales_amount)::double as sales_amount, "
        "sum(sales_quantity)::bigint as sales_quantity, sum(paid_orders)::bigint as paid_orders, "
        "sum(sales_buyers)::bigint as sales_buyer_days "
        "from marts.agg_agent_daily_sales "
        f"where {rule_cond} and activity_date between ? and ? and {cond} and {group_cond} "
        "group by platform, shop_id, agent_id), "
        "order_side as (select platform, shop_id, credited_agent_id as agent_id, "
        "sum(order_amount)::double as ordered_amount, "
        "sum(case when paid_at is null then order_amount else 0 end)::double as unpaid_amount "
        "from marts.fct_order_attribution "
        f"where not is_silent and {rule_cond} and cast(created_at as date) between ? and ? and {cond} "
        "group by all) "
        "select board.*, coalesce(order_side.ordered_amount, 0) as ordered_amount, "
        "coalesce(order_side.unpaid_amount, 0) as unpaid_amount "
        "from board left join order_side on board.platform = order_side.platform "
        "and board.shop_id = order_side.shop_id and board.agent_id = order_side.agent_id "
        "order by sales_amount desc, shop_id, agent_id",
        [*rule_params, start, end, *params, *group_params, *rule_params, start, end, *params], path)


def sales_total(start: dt.date, end: dt.date, rule: str = DEFAULT_RULE, shop: str | None = None,
                group: str | None = None, path: str | Path | None = None) -> float:
    """Σ agents' sales amount under one rule over [start, end] (for 环比: the same call on the previous period)."""
    cond, params = _shop_filter(shop)
    group_cond, group_params = _shop_filter(group, "group_name")
    rule_cond, rule_params = _rule_filter(rule)
    frame = _df(
        "select coalesce(sum(sales_amount), 0)::double as sales_amount from marts.agg_agent_daily_sales "
        f"where {rule_cond} and activity_date between ? and ? and {cond} and {group_cond}",
        [*rule_params, start, end, *params, *group_params], path)
    return float(frame.at[0, "sales_amount"])


def agent_groups(shop: str | None = None, path: str | Path | None = None) -> list[str]:
    """Groups (分流分组) found on the agent-day sales rows, for the leaderboard's group filter."""
    cond, params = _shop_filter(shop)
    frame = _df(f"select distinct group_name from marts.agg_agent_daily_sales where group_name is not null and {cond} "
                "order by group_name", params, path)
    return frame["group_name"].tolist()


def period_bounds(kind: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end] of the 自然日 / 自然周 (ISO, Monday start) / 自然月 holding anchor."""
    if kind == "day":
        return anchor, anchor
    if kind == "week":
        start = anchor - dt.timedelta(days=anchor.weekday())
        return start, start + dt.timedelta(days=6)
    start = anchor.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


def previous_period(kind: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period before [start, end] for 环比: the previous day / week / month, or a custom range of equal length."""
    if kind == "month":
        return period_bounds("month", start - dt.timedelta(days=1))
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


def leaderboard_rules(start: dt.date, end: dt.date, shop: str | None = None,
                      path: str | Path | None = None) -> pd.DataFrame:
    """Σ sales_amount per agent under each of the three rules, side by side."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, agent_id, "
        "coalesce(sum(sales_amount) filter (where attribution_rule = 'order'), 0)::double as sales_order, "
        "coalesce(sum(sales_amount) filter (where attribution_rule = 'payment'), 0)::double as sales_payment, "
        "coalesce(sum(sales_amount) filter (where attribution_rule = 'order_first'), 0)::double "
        "as sales_order_first "
        f"from marts.agg_agent_daily_sales where activity_date between ? and ? and {cond} "
        "group by all order by sales_order_first desc, shop_id, agent_id",
        [start, end, *params], path)


# ---------------------------------------------------------------- 询单转化

def conversion_cohorts(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, inquiry_date, inquiry_buyers, ordered_same_day_buyers::bigint "
        "as ordered_same_day_buyers, ordered_buyers::bigint as ordered_buyers, "
        "paid_next_day_buyers::bigint as paid_next_day_buyers, paid_final_buyers::bigint as paid_final_buyers, "
        "lost_buyers::bigint as lost_buyers, ordered_same_day_rate, ordered_rate, paid_next_day_rate, "
        "paid_final_rate, is_mature_ordered_same_day, is_mature_ordered, is_mature_paid_next_day, "
        "is_mature_paid_final, as_of_date "
        f"from marts.agg_shop_daily_conversion where {cond} order by inquiry_date desc, platform, shop_id",
        params, path)


# ---------------------------------------------------------------- 服务质量

RESPONSE_BIN_SECONDS = 30
RESPONSE_BIN_CAP = 600  # answered rounds slower than this land in one last bin


def response_histogram(shop: str | None = None, start: dt.date | None = None, end: dt.date | None = None,
                       path: str | Path | None = None) -> pd.DataFrame:
    """Answered rounds of fct_response_rounds by response_seconds, 30-second bins, ≥ 600 s in one bin."""
    cond, params = _shop_filter(shop)
    return _df(
        f"select least(floor(response_seconds / {RESPONSE_BIN_SECONDS}) * {RESPONSE_BIN_SECONDS}, "
        f"{RESPONSE_BIN_CAP})::integer as bin_start_seconds, count(*) as round_count "
        "from marts.fct_response_rounds where is_answered and response_seconds is not null "
        f"and round_date between coalesce(?, date '1900-01-01') and coalesce(?, date '2999-12-31') and {cond} "
        "group by all order by bin_start_seconds",
        [start, end, *params], path)


def hourly_load(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    cond, params = _shop_filter(shop)
    return _df(
        "select load_date, hour(hour_start_at) as hour, sum(new_reception_count)::bigint as new_reception_count, "
        "sum(buyer_message_count)::bigint as buyer_message_count, "
        "sum(answered_round_count)::bigint as answered_round_count, "
        "sum(waiting_buyer_count)::bigint as waiting_buyer_count "
        f"from marts.agg_shop_hourly_load where {cond} group by all order by load_date, hour",
        params, path)


def feige_rates(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """飞鸽 3分钟人工回复率 rows: a Douyin (抖店) rule, so Douyin shops only."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, service_date, feige_session_count, feige_passed_session_count, "
        "feige_session_reply_rate, feige_round_count, feige_rounds_within_deadline_count, feige_round_reply_rate "
        f"from marts.agg_shop_daily_service where platform = 'douyin' and {cond} "
        "order by service_date desc, platform, shop_id",
        params, path)


def response_deadlines(day: dt.date | None = None, shop: str | None = None,
                       path: str | Path | None = None) -> dict[str, int]:
    """shop_id -> its response_deadline_seconds (the 3 of 三分钟响应率, a per-shop rule) in force on `day` (the latest
    day when None), as the marts carry it (agg_shop_hourly_staffing.deadline_seconds)."""
    cond, params = _shop_filter(shop)
    frame = _df(
        "select shop_id, arg_max(deadline_seconds, load_date) as deadline_seconds "
        "from marts.agg_shop_hourly_staffing "
        f"where load_date <= coalesce(?, date '2999-12-31') and {cond} group by shop_id",
        [day, *params], path)
    return {r.shop_id: int(r.deadline_seconds) for r in frame.itertuples() if r.deadline_seconds is not None}


def deadline_text(deadlines: dict[str, int]) -> str:
    """'三分钟' when every shop shown keeps the 180-second deadline; else the deadline itself ('90秒'), or '时限内'
    when the shops shown have different deadlines."""
    values = set(deadlines.values()) or {DEFAULT_DEADLINE_SECONDS}
    if values == {DEFAULT_DEADLINE_SECONDS}:
        return "三分钟"
    if len(values) == 1:
        seconds = values.pop()
        return f"{seconds // 60}分钟" if seconds % 60 == 0 else f"{seconds}秒"
    return "时限内"


def deadline_labels(deadlines: dict[str, int]) -> dict[str, str]:
    """Labels of the deadline figures for the shops shown (three_minute_response_rate and its rounds)."""
    text = deadline_text(deadlines)
    rounds = "3分钟内" if text == "三分钟" else ("时限内" if text == "时限内" else f"{text}内")
    return {"three_minute_response_rate": f"{text}响应率",
            "assessment_rounds_within_deadline_count": f"{rounds}回复轮次"}


# ---------------------------------------------------------------- FAQ and 同行同层

def faq_shop_daily(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, event_date, trigger_count, click_count, click_through_rate, resolved_count, "
        "transferred_count, resolution_rate, effectiveness_rate "
        f"from marts.agg_faq_daily where is_shop_total and {cond} order by event_date desc, platform, shop_id",
        params, path)


def faq_transferred_questions(day: dt.date | None = None, shop: str | None = None,
                              path: str | Path | None = None) -> pd.DataFrame:
    """Questions of the day (latest FAQ day when none) ranked by transfer_rank (1 = most transfers)."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, faq_id, topic, event_date, transfer_rank, transferred_count, trigger_count, "
        "click_through_rate, resolution_rate "
        "from marts.agg_faq_daily where not is_shop_total "
        "and event_date = coalesce(?, (select max(event_date) from marts.agg_faq_daily)) "
        f"and {cond} order by transfer_rank, platform, shop_id, faq_id",
        [day, *params], path)


# the name a peer_benchmarks row uses -> the registry's label of that figure (e.g. reply_rate = 聊聊回复率)
BENCHMARK_METRIC_LABELS = {(name if spec["benchmark"] is True else spec["benchmark"]): metric_label(name)
                           for name, spec in _REGISTRY.items() if spec.get("benchmark")}


def benchmark_gaps(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """agg_shop_benchmark_gap rows with each metric's registry label (metric_label)."""
    cond, params = _shop_filter(shop)
    gaps = _df(
        "select platform, shop_id, category, tier, period, metric_name, is_higher_better, shop_value, "
        "excellent_value, median_value, gap_to_excellent, gap_to_median, is_at_excellent, is_at_or_above_median "
        f"from marts.agg_shop_benchmark_gap where {cond} order by period desc, platform, shop_id, metric_name",
        params, path)
    gaps.insert(gaps.columns.get_loc("metric_name") + 1, "metric_label", gaps["metric_name"].map(BENCHMARK_METRIC_LABELS))
    return gaps


# ---------------------------------------------------------------- 绩效 / 提成 (KPI scorecard and commission)

KPI_METRIC_LABELS = {name: METRIC_LABELS[name] for name, spec in _REGISTRY.items() if spec.get("kpi")}


def performance_periods(shop: str | None = None, path: str | Path | None = None) -> list[str]:
    """Months ('YYYY-MM') with a scorecard or a commission row, newest first."""
    cond, params = _shop_filter(shop)
    return [r for r in _df(
        f"select period from marts.agg_agent_monthly_scorecard where {cond} union "
        f"select period from marts.agg_agent_monthly_commission where {cond} order by period desc",
        params + params, path)["period"]]


def kpi_rows(period: str, shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """agg_agent_monthly_kpi of one month: each KPI's value, band and score per agent."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, agent_id, metric_name, value, band_from, band_to, is_in_band, score, weight, "
        "weighted_score, is_mature from marts.agg_agent_monthly_kpi "
        f"where period = ? and {cond} order by platform, shop_id, agent_id, metric_name", [period, *params], path)


def band_text(band_from: Any, band_to: Any, in_band: Any = True) -> str:
    """A band as '[from, to)' with ∞ for an open bound; '—' when the value fell in no band."""
    if not in_band or in_band is pd.NA:
        return "—"

    def bound(v: Any, open_text: str) -> str:
        return open_text if v is None or pd.isna(v) else f"{float(v):g}"
    return f"[{bound(band_from, '-∞')}, {bound(band_to, '∞')})"


def performance_table(period: str, shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """One row per agent of the month: scorecard (total, ranks), each KPI's value / band / score, commission.

    Agents with a scorecard and no commission plan (or the reverse) keep empty columns for the other side.
    """
    cond, params = _shop_filter(shop)
    cards = _df(
        "select coalesce(s.platform, c.platform) as platform, coalesce(s.shop_id, c.shop_id) as shop_id, "
        "coalesce(s.agent_id, c.agent_id) as agent_id, coalesce(s.group_name, c.group_name) as group_name, "
        "s.total_score, s.rank_in_shop, s.rank_in_group, s.plan_version as kpi_plan_version, "
        "c.rule, c.credited_sales_amount::double as credited_sales_amount, "
        "c.refunded_amount::double as refunded_amount, c.commission_base::double as commission_base, "
        "c.commission_mode, c.tier_rate::double as tier_rate, c.commission_amount::double as commission_amount, "
        "c.plan_version as commission_plan_version, "
        "coalesce(s.is_final, true) and coalesce(c.is_final, true) as is_final "
        "from (select * from marts.agg_agent_monthly_scorecard where period = ?) as s "
        "full join (select * from marts.agg_agent_monthly_commission where period = ?) as c "
        "on s.platform = c.platform and s.shop_id = c.shop_id and s.agent_id = c.agent_id "
        f"where {cond.replace('shop_id', 'coalesce(s.shop_id, c.shop_id)')} "
        "order by platform, shop_id, rank_in_shop nulls last, agent_id", [period, period, *params], path)
    kpi = kpi_rows(period, shop, path)
    if kpi.empty:
        return cards
    kpi["band"] = [band_text(f, t, b) for f, t, b in zip(kpi["band_from"], kpi["band_to"], kpi["is_in_band"])]
    wide = kpi.pivot_table(index=["platform", "shop_id", "agent_id"], columns="metric_name",
                           values=["value", "band", "score"], aggfunc="first")
    metrics = [m for m in KPI_METRIC_LABELS if m in set(kpi["metric_name"])]
    wide = wide.reindex(columns=[(part, m) for m in metrics for part in ("value", "band", "score")])
    wide.columns = [f"{m}__{part}" for part, m in wide.columns]
    return cards.merge(wide.reset_index(), on=["platform", "shop_id", "agent_id"], how="left")


# ---------------------------------------------------------------- 排班 (staffing)

WEEKDAY_LABELS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


def staffing_plan(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """agg_shop_staffing_plan rows (shop × weekday × hour) with the Erlang C inputs and the required agents."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, weekday, hour_of_day, window_start_date, window_end_date, observed_day_count, "
        "forecast_arrival_count, aht_seconds, concurrency, offered_load_erlangs, deadline_seconds, "
        "target_service_level, required_agent_count, service_level_at_required, avg_online_agents, "
        "online_service_level, staffing_gap_agents "
        f"from marts.agg_shop_staffing_plan where {cond} order by platform, shop_id, weekday, hour_of_day",
        params, path)


def staffing_gap_grid(shop: str | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """Weekday × hour: Σ over the chosen shops of average online agents, required agents and the gap (online −
    required; negative = understaffed) from agg_shop_staffing_plan."""
    cond, params = _shop_filter(shop)
    df = _df(
        "select weekday, hour_of_day, sum(avg_online_agents) as avg_online_agents, "
        "sum(required_agent_count)::bigint as required_agent_count, "
        "sum(avg_online_agents) - sum(required_agent_count) as staffing_gap_agents, "
        "sum(forecast_arrival_count) as forecast_arrival_count "
        f"from marts.agg_shop_staffing_plan where {cond} group by all order by weekday, hour_of_day",
        params, path)
    df["weekday_label"] = df["weekday"].map(WEEKDAY_LABELS)
    return df


def staffing_day_summary(day: dt.date, shop: str | None = None, path: str | Path | None = None) -> dict[str, Any]:
    """One business date of agg_shop_hourly_staffing: understaffed and overstaffed shop-hours and the worst gap."""
    cond, params = _shop_filter(shop)
    return _row(
        "select count(*) filter (where staffing_gap_agents < 0) as understaffed_hours, "
        "count(*) filter (where staffing_gap_agents >= 1) as overstaffed_hours, "
        "min(staffing_gap_agents) as worst_gap, sum(arrival_count)::bigint as arrival_count, "
        f"{ratio_sql('achieved_service_level')} as achieved_service_level "
        f"from marts.agg_shop_hourly_staffing where load_date = ? and {cond}",
        [day, *params], path)


# ---------------------------------------------------------------- 催付 (payment chasing)

def payment_chase_board(start: dt.date, end: dt.date, shop: str | None = None,
                        path: str | Path | None = None) -> pd.DataFrame:
    """agg_agent_daily_payment_chase summed over order dates in [start, end] per agent (silent rows excluded)."""
    cond, params = _shop_filter(shop)
    return _df(
        "select platform, shop_id, agent_id, sum(reachable_order_count)::bigint as reachable_order_count, "
        "sum(owned_chased_order_count)::bigint as owned_chased_order_count, "
        "sum(missed_order_count)::bigint as missed_order_count, "
        f"{ratio_sql('chase_rate')} as chase_rate, "
        "sum(chased_order_count)::bigint as chased_order_count, "
        "sum(recovered_order_count)::bigint as recovered_order_count, "
        f"{ratio_sql('recovery_rate')} as recovery_rate, "
        "sum(recovered_amount)::double as recovered_amount "
        "from marts.agg_agent_daily_payment_chase "
        f"where not is_silent and order_date between ? and ? and {cond} "
        "group by all order by recovered_amount desc, chased_order_count desc, shop_id, agent_id",
        [start, end, *params], path)


def payment_chase_totals(start: dt.date, end: dt.date, shop: str | None = None,
                         path: str | Path | None = None) -> dict[str, Any]:
    """Shop totals over [start, end] (agent and silent rows): reachable, chased, missed (漏催), recovered."""
    cond, params = _shop_filter(shop)
    return _row(
        "select coalesce(sum(reachable_order_count), 0)::bigint as reachable_order_count, "
        "coalesce(sum(chased_order_count), 0)::bigint as chased_order_count, "
        "coalesce(sum(missed_order_count), 0)::bigint as missed_order_count, "
        "coalesce(sum(missed_order_count) filter (where is_silent), 0)::bigint as silent_missed_order_count, "
        "coalesce(sum(recovered_order_count), 0)::bigint as recovered_order_count, "
        "coalesce(sum(recovered_amount), 0)::double as recovered_amount "
        f"from marts.agg_agent_daily_payment_chase where order_date between ? and ? and {cond}",
        [start, end, *params], path)
