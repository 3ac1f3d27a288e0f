"""The service manager's pages: 店铺绩效, 聊聊 funnel, 旺旺分流, 分组, 周报/月报, 商品, 飞鸽未达标会话 and the agent
drill-down (客服明细) with CSV / Excel export. Every figure comes from kefu/dashboard/manager_queries.py.

app.py adds them with `*manager_pages.pages(SHOP, DAY_CHOICE)` in its st.navigation list: each page gets the
sidebar's shop (None = every shop) and business date choice (None = latest).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import altair as alt
import pandas as pd
import streamlit as st

from kefu.dashboard import manager_queries as mq
from kefu.dashboard import queries as q

LABELS = {
    "platform": "平台", "shop_id": "店铺", "agent_id": "客服ID", "agent_name": "客服", "group_name": "分组",
    "scenario": "场景", "source": "来源", "buyer_days": "人数(按日累加)", "orders": "订单数", "amount": "金额",
    "amount_share": "金额占比", "order_share": "订单占比", "activity_date": "日期", "visitor_count": "访客数",
    "chat_buyer_count": "咨询买家数", "inquiry_rate": "询问率", "replied_chat_count": "12小时内回复数",
    "reply_rate": "回复率", "rolling_reply_rate": "近30日回复率", "avg_response_seconds": "平均响应(秒)",
    "median_response_seconds": "响应中位数(秒)", "ordering_buyer_count": "下单买家数",
    "paying_buyer_count": "付款买家数", "conversion_rate": "转化率", "sales_amount": "销售额",
    "routing_weight_in_force": "分流权重(当日)", "online_seconds": "在线时长(秒)",
    "buyer_initiated_reception_count": "买家发起接待", "expected_share_in_force": "应分占比",
    "actual_share": "实分占比", "share_gap_in_force": "偏差(实−应)", "recent_contact_share": "近期联系占比",
    "max_waiting_buyers": "最多排队买家", "busy_waiting_seconds": "繁忙等待(秒)", "routing_date": "日期",
    "shop_imbalance_index": "失衡指数", "max_agent_count": "最多客服数", "consult_buyer_days": "咨询人数(按日累加)",
    "reception_buyer_days": "接待人数(按日累加)", "inquiry_buyer_days": "询单人数(按日累加)",
    "three_minute_response_rate": "三分钟响应率", "avg_first_response_seconds": "平均首响(秒)",
    "satisfaction_rate": "满意率", "sales_quantity": "销售量(件)", "paid_orders": "付款订单数",
    "sales_buyer_days": "销售人数(按日累加)", "ordered_rate": "询单→下单", "paid_final_rate": "询单→最终付款",
    "period_start_date": "周期开始", "period_end_date": "周期结束", "active_day_count": "有数据天数",
    "consult_buyers": "咨询人数(去重)", "reception_buyers": "接待人数(去重)", "inquiry_buyers": "询单人数(去重)",
    "sales_buyers": "销售人数(去重)", "agent_sales_amount": "客服销售额", "silent_sales_amount": "静默销售额",
    "month_start_date": "月份", "after_sale_buyers": "售后人数(去重)", "product_id": "商品ID", "product_name": "商品",
    "session_date": "日期", "session_id": "会话ID",
    "feige_round_count": "考核轮次", "feige_rounds_within_deadline_count": "3分钟内回复轮次",
    "missed_round_count": "超时轮次", "first_missed_round_id": "首个超时轮次ID",
    "first_missed_round_number": "会话第几轮", "first_missed_round_start_at": "超时轮次开始",
    "first_missed_response_seconds": "该轮响应(秒, 空=未回复)",
    **mq.FOLLOW_UP_LABELS, **mq.AGENT_REPORT_COLUMNS,
    # columns that are registry figures: the registry's label
    **{name: q.METRIC_LABELS[name] for name in ("agent_amount_share", "inquiry_to_order_rate",
                                                "inquiry_to_paid_final_rate", "three_minute_response_rate",
                                                "satisfaction_rate")},
    "rolling_reply_rate": q.METRIC_LABELS["rolling_chat_reply_rate"],
}
RATES = {"amount_share", "order_share", "inquiry_rate", "reply_rate", "rolling_reply_rate", "conversion_rate",
         "expected_share_in_force", "actual_share", "share_gap_in_force", "recent_contact_share",
         "three_minute_response_rate", "satisfaction_rate", "ordered_rate",
         "paid_final_rate", "inquiry_to_order_rate", "inquiry_to_paid_final_rate", "agent_amount_share",
         *mq.AGENT_REPORT_RATES}
AMOUNTS = {"amount", "sales_amount", "agent_sales_amount", "silent_sales_amount", "recovered_amount"}
SECONDS = {"avg_response_seconds", "median_response_seconds", "avg_first_response_seconds",
           "first_missed_response_seconds", "response_seconds"}


def table(df: pd.DataFrame, labels: dict[str, str] | None = None, height: int | None = None) -> None:
    """st.dataframe with Chinese headers, rates as percentages, amounts with two decimals, seconds whole."""
    labels = {**LABELS, **(labels or {})}
    config: dict[str, Any] = {}
    for col in df.columns:
        label = labels.get(col, col)
        if col.endswith("_date"):
            config[col] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif col in RATES:
            config[col] = st.column_config.NumberColumn(label, format="percent")
        elif col in AMOUNTS:
            config[col] = st.column_config.NumberColumn(label, format="%.2f")
        elif col in SECONDS:
            config[col] = st.column_config.NumberColumn(label, format="%.0f")
        elif col in ("agent_to_buyer_message_ratio", "shop_imbalance_index"):
            config[col] = st.column_config.NumberColumn(label, format="%.2f")
        else:
            config[col] = st.column_config.Column(label)
    kwargs = {"height": height} if height else {}
    st.dataframe(df, column_config=config, hide_index=True, width="stretch", **kwargs)


def fmt_ratio(value: Any) -> str:
    """问答比 and similar plain ratios, two decimals."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{float(value):.2f}"


def shop_caption(shop: str | None) -> str:
    return "全部店铺 / all shops" if shop is None else shop


def date_range(key: str, mart: str | None = None) -> tuple[dt.date, dt.date] | None:
    """A date-range picker over the mart's dates, or the published business dates (default: all of them)."""
    lo, hi = mq.agent_date_range() if mart == "agent" else mq.mart_date_range(mart) if mart else mq.data_date_range()
    if lo is None:
        st.info("已发布文件中没有数据 / no data in the published file")
        return None
    value = st.date_input("日期范围 / date range", value=(lo, hi), min_value=lo, max_value=hi, key=key)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return value[0], value[1]
    return lo, hi


def rule_picker(key: str, container=st) -> str:
    return container.selectbox("归属规则 / attribution rule", mq.RULE_CHOICES, index=0, key=key,
                               format_func=mq.RULE_CHOICE_LABELS.get)


# ---------------------------------------------------------------- 店铺绩效

SCENARIO_AMOUNT = {"summary": "付款金额(按付款日)", "inquiry_to_order": "下单金额(按下单日)",
                   "order_to_payment": "付款金额(按下单日)", "inquiry_to_payment": "付款金额(按下单日)"}
SCENARIO_CREDIT = {"summary": "付款订单，按所选规则归属", "inquiry_to_order": "当日创建的订单，归落实下单客服",
                   "order_to_payment": "当日创建、期内付款的订单，归落实下单客服",
                   "inquiry_to_payment": "当日创建、期内付款的订单，按所选规则归属（含催付）"}


def page_shop_performance(shop: str | None, day: str | None) -> None:
    st.title("店铺绩效 / shop performance")
    c1, c2 = st.columns([1, 2])
    rule = rule_picker("shop_perf_rule", c1)
    with c2:
        rng = date_range("shop_perf_range", "agg_shop_daily_performance")
    if rng is None:
        return
    start, end = rng
    st.caption(f"{shop_caption(shop)} · {start} – {end} · {mq.RULE_CHOICE_LABELS[rule]} · 客服 + 静默 = 店铺; "
               "人数 = 每日去重买家按日累加 (buyer-days)")
    perf = mq.shop_performance(start, end, shop, rule)
    cols = st.columns(4)
    for col, (scenario, label) in zip(cols, mq.SCENARIOS.items()):
        rows = perf[perf["scenario"] == scenario].set_index("source")
        with col.container(border=True):
            st.markdown(f"**{label}** · {SCENARIO_AMOUNT[scenario]}")
            st.caption(SCENARIO_CREDIT[scenario])
            # labels repeat across the four cards: the card's heading names the scenario and the amount
            st.metric("店铺 shop", q.fmt_amount(rows.at["shop", "amount"]),
                      help=f"{label}: shop amount; {q.fmt_int(rows.at['shop', 'orders'])} orders")
            st.metric("客服 agent", q.fmt_amount(rows.at["agent", "amount"]),
                      help=f"{label}: agent amount; {q.fmt_int(rows.at['agent', 'orders'])} orders")
            st.metric("静默 silent", q.fmt_amount(rows.at["silent", "amount"]),
                      help=f"{label}: silent amount; {q.fmt_int(rows.at['silent', 'orders'])} orders")
            st.metric("客服金额占比", q.fmt_pct(rows.at["agent", "amount_share"]),
                      help=f"{label}: agent amount ÷ shop amount")
    shown = perf.assign(scenario=perf["scenario"].map(mq.SCENARIOS), source=perf["source"].map(mq.SOURCES))
    table(shown)
    trend = mq.shop_performance_trend(start, end, "summary", shop, rule)
    if not trend.empty:
        st.markdown("**汇总 · 客服 vs 静默 付款金额（按付款日）/ summary by paid day**")
        trend["source"] = trend["source"].map({"agent": "客服 agent", "silent": "静默 silent"})
        st.altair_chart(alt.Chart(trend).mark_bar().encode(
            x=alt.X("performance_date:T", title="付款日期"), y=alt.Y("amount:Q", stack=True, title="付款金额"),
            color=alt.Color("source:N", title="")), width="stretch")

    st.markdown("**下单→付款 / ordered buyers paying** (agg_shop_daily_order_payment, 按下单日)")
    pay = mq.order_payment(start, end, shop)
    p = st.columns(4)
    p[0].metric("下单人数(按日累加)", q.fmt_int(pay["ordered_buyers"]), help="Σ daily ordered buyers")
    p[1].metric("当日付款率", q.fmt_pct(pay["paid_same_day_rate"]), help="paid the order day ÷ ordered")
    p[2].metric("次日付款率", q.fmt_pct(pay["paid_next_day_rate"]), help="paid by the next day ÷ ordered")
    p[3].metric("最终付款率", q.fmt_pct(pay["paid_final_rate"]),
                help=f"paid within final_pay_days ÷ ordered; {pay['immature_final_days']} order days still immature")

    st.markdown("**服务评价与机器人 / ratings, 问答比 and robot hand-off** (agg_shop_daily_service)")
    svc = mq.shop_service_extras(start, end, shop)
    s = st.columns(4)
    s[0].metric("满意率", q.fmt_pct(svc["satisfaction_rate"]),
                help=f"satisfied {svc['satisfied_count']} ÷ rated {svc['rated_count']}")
    s[1].metric("评价率", q.fmt_pct(svc["rating_rate"]), help="rated ÷ unfiltered receptions")
    s[2].metric("问答比", fmt_ratio(svc["agent_to_buyer_message_ratio"]),
                help="manual agent messages ÷ buyer messages")
    s[3].metric("机器人独立解决占比", q.fmt_pct(svc["robot_resolved_share"]),
                help=f"robot-only sessions {svc['robot_only_session_count']} ÷ (robot-only + transferred to an "
                     f"agent {svc['transferred_session_count']})")


# ---------------------------------------------------------------- 聊聊 funnel

def page_chat(shop: str | None, day: str | None) -> None:
    st.title("Shopee 聊聊 / chat funnel")
    platforms = mq.chat_platforms()
    if not platforms:
        st.info("没有聊聊数据 / no chat funnel rows")
        return
    c1, c2 = st.columns([1, 2])
    platform = c1.selectbox("平台 / platform", platforms,
                            index=platforms.index("shopee") if "shopee" in platforms else 0, key="chat_platform")
    with c2:
        rng = date_range("chat_range", "agg_shop_daily_chat_funnel")
    if rng is None:
        return
    start, end = rng
    st.caption(f"{shop_caption(shop)} · {platform} · {start} – {end}; 访客与咨询买家为每日去重按日累加; 回复 = 12 小时内"
               "人工回复; 转化 = 咨询买家中付款的买家")
    f = mq.chat_funnel(start, end, shop, platform)
    m = st.columns(4)
    m[0].metric("询问率", q.fmt_pct(f["inquiry_rate"]), help="chat buyers ÷ visitors")
    target = mq.CHAT_REPLY_TARGET
    m[1].metric("回复率", q.fmt_pct(f["reply_rate"]),
                delta=None if f["reply_rate"] is None else f"{(f['reply_rate'] - target) * 100:+.1f} pt 对 70% 目标",
                help="chats replied by an agent within 12 h ÷ chat buyers, against the platform's 70 % target")
    m[2].metric("近30日回复率", q.fmt_pct(f["rolling_reply_rate"]),
                delta=None if f["rolling_reply_rate"] is None
                else f"{(f['rolling_reply_rate'] - target) * 100:+.1f} pt 对 70% 目标",
                help="rolling 30-day reply rate of the range's last day (what the platform shows)")
    m[3].metric(q.metric_label("chat_conversion_rate"), q.fmt_pct(f["conversion_rate"]),
                help="replied chats whose buyer ordered in the chat's inquiry window ÷ replied chats (已回复的聊聊中买家的订单量)")
    funnel = pd.DataFrame({
        "layer": ["1 访客 visitors", "2 咨询买家 chat buyers", "3 12h内已回复 replied", "4 下单买家 ordering",
                  "5 付款买家 paying"],
        "count": [f["visitor_count"], f["chat_buyer_count"], f["replied_chat_count"], f["ordering_buyer_count"],
                  f["paying_buyer_count"]]})
    left, right = st.columns(2)
    with left:
        st.markdown("**漏斗 / funnel (按日累加)**")
        st.altair_chart(alt.Chart(funnel).mark_bar().encode(
            y=alt.Y("layer:N", sort=None, title=""), x=alt.X("count:Q", title="人数"),
            tooltip=["layer", "count"]), width="stretch")
        st.metric("聊聊销售额", q.fmt_amount(f["sales_amount"]), help="paid amount of replied chats' orders")
        st.metric("平均响应", q.fmt_seconds(f["avg_response_seconds"]), help="mean response seconds of replied chats")
    daily = mq.chat_funnel_daily(start, end, shop, platform)
    with right:
        st.markdown("**回复率趋势 / reply-rate trend** (虚线 = 70% 目标)")
        if not daily.empty:
            long = daily.melt(["activity_date", "shop_id"], ["reply_rate", "rolling_reply_rate"],
                              var_name="measure", value_name="rate")
            long["measure"] = long["measure"].map({"reply_rate": "当日回复率", "rolling_reply_rate": "近30日回复率"})
            lines = alt.Chart(long).mark_line(point=True).encode(
                x=alt.X("activity_date:T", title="日期"), y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title=""),
                color=alt.Color("measure:N", title=""), detail="shop_id:N")
            rule = alt.Chart(pd.DataFrame({"y": [target]})).mark_rule(strokeDash=[4, 4], color="#e4572e").encode(
                y="y:Q")
            st.altair_chart(lines + rule, width="stretch")
    table(daily, height=300)


# ---------------------------------------------------------------- 旺旺分流

def page_routing(shop: str | None, day: str | None) -> None:
    st.title("旺旺分流 / routing")
    dates = q.business_dates()
    if not dates:
        st.info("没有数据 / no data")
        return
    default = dates.index(dt.date.fromisoformat(day)) if day and dt.date.fromisoformat(day) in dates else 0
    chosen = st.selectbox("业务日期 / business date", dates, index=default, key="routing_day")
    rows = mq.routing_day(chosen, shop)
    shops = mq.routing_shops(chosen, chosen, shop)
    st.caption("应分占比 = 当日分流权重 × 在线时长 ÷ 全店合计; 实分占比 = 客服的买家发起接待 ÷ 全店; 失衡指数 = Σ|实−应| ÷ 2 "
               "(0 = 完全均衡); 繁忙等待 = 排队买家超过 busy_waiting 的时长")
    m = st.columns(3)
    m[0].metric("最高失衡指数", "—" if shops.empty else fmt_ratio(shops["shop_imbalance_index"].max()),
                help="highest shop imbalance index of the day (weights in force)")
    m[1].metric("买家发起接待", q.fmt_int(shops["buyer_initiated_reception_count"].sum()),
                help="buyer-initiated receptions, Σ shops")
    m[2].metric("繁忙等待合计", q.fmt_seconds(rows["busy_waiting_seconds"].sum()),
                help="Σ agents' seconds with more buyers waiting than busy_waiting")
    if not rows.empty:
        long = rows.assign(agent=rows["shop_id"] + " · " + rows["agent_name"].fillna(rows["agent_id"])).melt(
            ["agent"], ["expected_share_in_force", "actual_share"], var_name="share", value_name="value")
        long["share"] = long["share"].map({"expected_share_in_force": "应分 expected", "actual_share": "实分 actual"})
        st.altair_chart(alt.Chart(long).mark_bar().encode(
            y=alt.Y("agent:N", title=""), x=alt.X("value:Q", axis=alt.Axis(format="%"), title="占比"),
            color=alt.Color("share:N", title=""), yOffset="share:N"), width="stretch")
    table(rows)
    lo, hi = mq.data_date_range()
    trend = mq.routing_shops(lo, hi, shop)
    if not trend.empty:
        st.markdown("**失衡指数趋势 / imbalance index by day**")
        st.altair_chart(alt.Chart(trend).mark_line(point=True).encode(
            x=alt.X("routing_date:T", title="日期"), y=alt.Y("shop_imbalance_index:Q", title="失衡指数"),
            color=alt.Color("shop_id:N", title="店铺")), width="stretch")


# ---------------------------------------------------------------- 分组

def page_groups(shop: str | None, day: str | None) -> None:
    st.title("分组绩效 / groups")
    c1, c2 = st.columns([1, 2])
    rule = rule_picker("groups_rule", c1)
    with c2:
        rng = date_range("groups_range", "agg_group_daily_sales")
    if rng is None:
        return
    start, end = rng
    perf = mq.group_performance(start, end, shop)
    sales = mq.group_sales(start, end, shop, rule)
    st.caption(f"{shop_caption(shop)} · {start} – {end}; 人数为每日组内去重买家按日累加; 比率 = Σ分子 ÷ Σ分母; "
               "每天按客服当天所在分组计")
    m = st.columns(3)
    m[0].metric("分组数", q.fmt_int(len(perf)), help="shop × group rows with activity in the range")
    m[1].metric("分组销售额合计", q.fmt_amount(sales["sales_amount"].sum()),
                help=f"Σ groups' credited sales under {mq.RULE_CHOICE_LABELS[rule]}")
    m[2].metric("分组接待人数(按日累加)", q.fmt_int(perf["reception_buyer_days"].sum()),
                help="Σ daily distinct received buyers per group")
    st.markdown("**服务 / service** (agg_group_daily_performance)")
    table(perf)
    st.markdown(f"**销售与询单转化 / sales and inquiry cohorts** (agg_group_daily_sales, {mq.RULE_CHOICE_LABELS[rule]})")
    table(sales)
    kind = st.radio("周报 / 月报", ["week", "month"], horizontal=True, key="groups_period",
                    format_func={"week": "周 / ISO week", "month": "月 / month"}.get)
    st.markdown("**分组周期 / group periods** (agg_group_period_performance: 人数为周期内去重, 销售按店铺规则)")
    table(mq.group_periods(kind, shop), height=300)


# ---------------------------------------------------------------- 周报 / 月报

def page_periods(shop: str | None, day: str | None) -> None:
    st.title("周报 / 月报 / periods")
    kind = st.radio("周期 / period", ["week", "month"], horizontal=True, key="periods_kind",
                    format_func={"week": "周 / ISO week", "month": "月 / month"}.get)
    shops = mq.shop_periods(kind, shop)
    if shops.empty:
        st.info("没有周期数据 / no period rows")
        return
    starts = sorted(shops["period_start_date"].unique(), reverse=True)
    period = st.selectbox("周期开始 / period start", starts, key="periods_start",
                          format_func=lambda d: pd.Timestamp(d).date().isoformat())
    current = shops[shops["period_start_date"] == period]
    m = st.columns(3)
    m[0].metric("咨询人数(周期去重)", q.fmt_int(current["consult_buyers"].sum()),
                help="distinct consult buyers of the period, Σ shops")
    m[1].metric("咨询人数(按日累加)", q.fmt_int(current["consult_buyer_days"].sum()),
                help="Σ daily consult buyers of the period")
    m[2].metric("店铺销售额", q.fmt_amount(current["sales_amount"].sum()), help="shop sales of the period")
    st.markdown("**店铺 / shops** (agg_shop_period_performance)")
    table(current)
    st.markdown("**客服 / agents** (agg_agent_period_performance)")
    table(mq.agent_periods(kind, pd.Timestamp(period).date(), shop))
    st.markdown("**月度接待 / monthly receptions** (agg_shop_monthly_receptions: 去重 vs 按日累加)")
    table(mq.shop_months(shop))


# ---------------------------------------------------------------- 商品

def page_products(shop: str | None, day: str | None) -> None:
    st.title("商品销售 / products")
    c1, c2 = st.columns([1, 2])
    rule = rule_picker("products_rule", c1)
    with c2:
        rng = date_range("products_range", "agg_product_daily_sales")
    if rng is None:
        return
    start, end = rng
    products = mq.product_sales(start, end, shop, rule)
    st.caption(f"{shop_caption(shop)} · 付款日 {start} – {end} · {mq.RULE_CHOICE_LABELS[rule]}; 客服 = 归属客服的订单行, "
               "静默 = 无客服归属")
    m = st.columns(3)
    m[0].metric("动销商品数", q.fmt_int(len(products)), help="products with paid order lines in the range")
    m[1].metric("商品销售额合计", q.fmt_amount(products["sales_amount"].sum()), help="Σ order-line amounts")
    m[2].metric("第一名商品", "—" if products.empty else f"{products.iloc[0]['product_name']}",
                help="product with the highest amount")
    if not products.empty:
        top = products.head(15).melt(["product_name"], ["agent_sales_amount", "silent_sales_amount"],
                                     var_name="source", value_name="amount")
        top["source"] = top["source"].map({"agent_sales_amount": "客服 agent", "silent_sales_amount": "静默 silent"})
        st.altair_chart(alt.Chart(top).mark_bar().encode(
            y=alt.Y("product_name:N", sort="-x", title=""), x=alt.X("amount:Q", stack=True, title="销售额"),
            color=alt.Color("source:N", title="")), width="stretch")
    table(products)
    st.markdown("**商品 × 客服 / product by agent**")
    table(mq.product_agents(start, end, shop, rule), height=300)


# ---------------------------------------------------------------- 飞鸽 missed sessions

def page_feige(shop: str | None, day: str | None) -> None:
    st.title("飞鸽未达标会话 / Feige sessions over 3 minutes")
    rng = date_range("feige_range", "fct_feige_sessions")
    if rng is None:
        return
    start, end = rng
    totals = mq.feige_totals(start, end, shop)
    missed = mq.feige_missed_sessions(start, end, shop)
    st.caption("飞鸽3分钟人工回复率: 买家发起会话中，窗口内 (assessment_start – douyin_assessment_end) 每一轮都在 3 分钟内"
               "人工回复才算达标; 下表为未达标会话及首个超时轮次 (仅 ID，无消息内容)")
    m = st.columns(3)
    m[0].metric("考核会话", q.fmt_int(totals["session_count"]), help="sessions with a round in the Feige window")
    m[1].metric("未达标会话", q.fmt_int(totals["missed_count"]), help="sessions with a round answered late or never")
    m[2].metric("飞鸽3分钟人工回复率(会话)", q.fmt_pct(totals["session_reply_rate"]),
                help="passed ÷ assessed sessions")
    if not missed.empty:
        by_agent = missed.groupby(["shop_id", "agent_id"], dropna=False).size().reset_index(name="sessions")
        by_agent["agent"] = by_agent["shop_id"] + " · " + by_agent["agent_id"].fillna("—")
        st.altair_chart(alt.Chart(by_agent).mark_bar().encode(
            y=alt.Y("agent:N", sort="-x", title=""), x=alt.X("sessions:Q", title="未达标会话")), width="stretch")
    table(missed, height=400)
    if not missed.empty:
        st.download_button("下载 CSV / download CSV", missed.rename(columns=LABELS).to_csv(index=False)
                           .encode("utf-8-sig"), file_name=f"feige_missed_{start}_{end}.csv", mime="text/csv")


# ---------------------------------------------------------------- 客服明细 (agent drill-down)

def _agent_choice(shop: str | None) -> dict[str, Any] | None:
    agents = mq.agent_options(shop)
    groups = mq.group_options(shop)
    if agents.empty:
        st.info("没有客服数据 / no agent rows")
        return None
    mode = st.radio("对象 / who", ["agent", "group"], horizontal=True, key="agent_mode",
                    format_func={"agent": "客服 / agent", "group": "分组 / group"}.get)
    if mode == "agent":
        keys = [f"{r.shop_id}:{r.agent_id}" for r in agents.itertuples()]
        wanted = st.query_params.get("agent")
        index = keys.index(wanted) if wanted in keys else 0
        labels = {f"{r.shop_id}:{r.agent_id}": f"{r.shop_id} · {r.agent_name or r.agent_id} ({r.agent_id}, "
                  f"{r.group_name or '—'})" for r in agents.itertuples()}
        key = st.selectbox("客服 / agent", keys, index=index, key="agent_pick", format_func=labels.get)
        row = agents.iloc[keys.index(key)]
        return {"platform": row["platform"], "shop_id": row["shop_id"], "agent_id": row["agent_id"], "group": None,
                "label": labels[key]}
    keys = [f"{r.shop_id}:{r.group_name}" for r in groups.itertuples()]
    key = st.selectbox("分组 / group", keys, key="group_pick", format_func=lambda k: k.replace(":", " · "))
    row = groups.iloc[keys.index(key)]
    return {"platform": row["platform"], "shop_id": row["shop_id"], "agent_id": None, "group": row["group_name"],
            "label": key.replace(":", " · ")}


def page_agent(shop: str | None, day: str | None) -> None:
    st.title("客服明细 / agent report")
    who = _agent_choice(shop)
    if who is None:
        return
    rule = rule_picker("agent_rule")
    rng = date_range("agent_range", "agent")
    if rng is None:
        return
    start, end = rng
    args = dict(platform=who["platform"], shop_id=who["shop_id"], agent_id=who["agent_id"], group=who["group"])
    total = mq.agent_report(start, end, rule=rule, by_day=False, **args).iloc[0]
    st.caption(f"{who['label']} · {start} – {end} · 销售: {mq.RULE_CHOICE_LABELS[rule]}"
               + ("; 分组 = 组内客服当天数据相加（人数按客服累加）" if who["group"] else ""))
    # two metrics per row: on a phone each row stays readable (Streamlit stacks columns below 640 px anyway)
    figures = [
        ("平均首响", q.fmt_seconds(total["avg_first_response_seconds"]), "mean first-response seconds"),
        ("平均响应", q.fmt_seconds(total["avg_response_seconds"]), "mean response seconds of answered rounds"),
        ("回复率", q.fmt_pct(total["reply_rate"]), "replied ÷ replyable receptions"),
        ("三分钟响应率", q.fmt_pct(total["three_minute_response_rate"]), "assessment rounds within 3 minutes"),
        ("满意率", q.fmt_pct(total["satisfaction_rate"]), "satisfied ÷ rated"),
        ("询单人数(按日累加)", q.fmt_int(total["inquiry_count"]), "inquiry buyers, Σ of the daily counts"),
        ("下单转化率", q.fmt_pct(total["inquiry_to_order_rate"]), "询单→下单 (落实下单 agent)"),
        ("询单转化率", q.fmt_pct(total["inquiry_to_paid_final_rate"]), "询单→最终付款 (shop's rule)"),
        ("销售额", q.fmt_amount(total["sales_amount"]), "credited sales under the chosen rule"),
        ("催付率", q.fmt_pct(total["chase_rate"]),
         f"chased ÷ reachable unpaid orders; 漏催 {q.fmt_int(total['missed_order_count'])}"),
    ]
    for i in range(0, len(figures), 2):
        row = st.columns(2)
        for col, (label, value, help_text) in zip(row, figures[i:i + 2]):
            col.metric(label, value, help=help_text)
    report = mq.agent_report(start, end, rule=rule, by_day=True, **args)
    missed = mq.missed_rounds(start, end, **args)
    not_satisfied = mq.not_satisfied_receptions(start, end, **args)
    st.markdown("**每日 / day by day**")
    table(report, height=360)
    stem = f"kefu_agent_{who['label'].split(' ')[0]}_{who['agent_id'] or who['group']}_{start}_{end}"
    d1, d2 = st.columns(2)
    d1.download_button("下载 CSV / download CSV", mq.report_csv_bytes(report), file_name=f"{stem}.csv",
                       mime="text/csv", key="agent_csv")
    d2.download_button("下载 Excel / download .xlsx", mq.report_xlsx_bytes(report, missed, not_satisfied),
                       file_name=f"{stem}.xlsx", key="agent_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.markdown(f"**待跟进：超时轮次 / rounds over 3 minutes ({len(missed)})** (fct_response_rounds, 仅 ID)")
    table(missed, height=260)
    st.markdown(f"**待跟进：不满意评价 / not-satisfied ratings ({len(not_satisfied)})** (fct_reception_service, 评分<4)")
    table(not_satisfied, height=220)


# ---------------------------------------------------------------- registration

PAGES: list[tuple[Callable[[str | None, str | None], None], str, str]] = [
    (page_agent, "客服明细 / agent report", "agent"),
    (page_shop_performance, "店铺绩效 / shop performance", "shop"),
    (page_chat, "聊聊 / chat funnel", "chat"),
    (page_routing, "旺旺分流 / routing", "routing"),
    (page_groups, "分组绩效 / groups", "groups"),
    (page_periods, "周报 / 月报 / periods", "periods"),
    (page_products, "商品销售 / products", "products"),
    (page_feige, "飞鸽未达标 / Feige missed", "feige"),
]


def pages(shop: str | None, day: str | None) -> list[Any]:
    """st.Page entries for app.py's navigation, each bound to the sidebar's shop and date choice."""
    entries = []
    for fn, title, url_path in PAGES:
        def bound(fn=fn) -> None:
            fn(shop, day)
        bound.__name__ = fn.__name__
        entries.append(st.Page(bound, title=title, url_path=url_path))
    return entries
