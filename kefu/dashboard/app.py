"""kefu 客服看板: Streamlit pages on the published marts (read-only). Start with `kefu dashboard --port 8501`.

Every figure comes from kefu/dashboard/queries.py; this file only lays them out. Query parameters
`?shop=tb01&date=2026-11-14&refresh=30` preset the sidebar (handy for links and the browser test).
"""
from __future__ import annotations

import datetime as dt
import os

import altair as alt
import pandas as pd
import streamlit as st

from kefu.dashboard import manager_pages
from kefu.dashboard import queries as q

st.set_page_config(page_title="kefu 客服看板", page_icon="📊", layout="wide")

ALL_LABEL = "全部店铺 / all shops"
LATEST_LABEL = "最新 / latest"

LABELS = q.COLUMN_LABELS
RATE_COLUMNS = {
    "reply_rate", "three_minute_response_rate", "ordered_same_day_rate", "ordered_rate", "paid_next_day_rate",
    "paid_final_rate", "feige_session_reply_rate", "feige_round_reply_rate", "click_through_rate",
    "resolution_rate", "effectiveness_rate",
}
AMOUNT_COLUMNS = {"sales_amount", "ordered_amount", "unpaid_amount", "sales_order", "sales_payment",
                  "sales_order_first"}


def show_table(df: pd.DataFrame, styler=None, height: int | None = None, labels: dict[str, str] | None = None) -> None:
    """st.dataframe with Chinese headers, rates as percentages and amounts with two decimals; `labels` overrides
    LABELS for this table (e.g. the shops' own response deadline)."""
    config = {}
    for col in df.columns:
        label = (labels or {}).get(col, LABELS.get(col, col))
        if col.endswith("_date"):
            config[col] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif col in RATE_COLUMNS:
            config[col] = st.column_config.NumberColumn(label, format="percent")
        elif col in AMOUNT_COLUMNS:
            config[col] = st.column_config.NumberColumn(label, format="%.2f")
        else:
            config[col] = st.column_config.Column(label)
    kwargs = {"height": height} if height else {}
    st.dataframe(styler if styler is not None else df, column_config=config, hide_index=True,
                 width="stretch", **kwargs)


# ---------------------------------------------------------------- sidebar: shop, date, refresh

def _query_param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value if value else None


def sidebar() -> tuple[str | None, str | None, int]:
    try:
        shop_ids = q.shops()
        dates = q.business_dates()
    except q.PublishedFileMissing as exc:
        st.error(str(exc))
        st.stop()
    shop_options = [ALL_LABEL, *shop_ids]
    wanted_shop = _query_param("shop")
    shop_index = shop_options.index(wanted_shop) if wanted_shop in shop_options else 0
    shop_label = st.sidebar.selectbox("店铺 / shop", shop_options, index=shop_index)
    date_options = [LATEST_LABEL, *[d.isoformat() for d in dates]]
    wanted_date = _query_param("date")
    date_index = date_options.index(wanted_date) if wanted_date in date_options else 0
    date_label = st.sidebar.selectbox("业务日期 / business date", date_options, index=date_index)
    default_refresh = int(_query_param("refresh") or os.environ.get("KEFU_DASHBOARD_REFRESH", "60"))
    refresh = st.sidebar.number_input("大屏刷新间隔(秒) / refresh seconds", min_value=5, max_value=3600,
                                      value=default_refresh, step=5)
    st.sidebar.caption(f"数据文件 / published file: `{q.published_path()}` (read-only)")
    shop = None if shop_label == ALL_LABEL else shop_label
    day = None if date_label == LATEST_LABEL else date_label
    return shop, day, int(refresh)


SHOP, DAY_CHOICE, REFRESH = sidebar()


def chosen_day() -> dt.date | None:
    """The selected business date, or the latest one in the published file right now."""
    if DAY_CHOICE:
        return dt.date.fromisoformat(DAY_CHOICE)
    return q.latest_business_date()


def freshness_badge() -> None:
    info = q.freshness()
    if info["kind"] == "run":
        text = f"最近一次运行 / last run: {info['value']}" + (f" ({info['status']})" if info["status"] else "")
        st.badge(text, icon=":material/schedule:", color="green")
    else:
        st.badge(f"最新业务日期 / latest business date: {info['value']}", icon=":material/event:", color="blue")


# ---------------------------------------------------------------- pages

def page_screen() -> None:
    st.title("客服大屏 / 实时监控")
    st.caption(f"{'全部店铺' if SHOP is None else SHOP} · 归属规则 {q.RULE_LABELS[q.DEFAULT_RULE]} "
               f"(各店自己的业绩判定规则 / each shop's own attribution rule) · 每 {REFRESH} 秒刷新 / "
               f"auto-refresh every {REFRESH}s")

    @st.fragment(run_every=REFRESH)
    def live() -> None:
        day = chosen_day()
        if day is None:
            st.warning("已发布文件中没有接待数据 / no receptions in the published file")
            return
        freshness_badge()
        now = q.live_now(SHOP)
        if now["status_at"] is not None:
            st.badge(f"数据时钟 / data clock (latest landed message): {now['status_at']:%Y-%m-%d %H:%M:%S}",
                     icon=":material/timer:", color="violet")
        provisional = q.is_provisional(day)
        st.subheader(f"业务日期 / business date {day.isoformat()}" + (" · 临时数据 / provisional" if provisional else ""))
        if provisional:
            st.info("当日数据为日内刷新结果，日终运行后才为最终值 / today's figures come from the intraday refresh and "
                    "are provisional until the daily run (late rows, payments and ratings still to land)")
        st.markdown("**此刻 / right now** (at each shop's data clock)")
        now_cols = st.columns(4)
        now_cols[0].metric("在线客服数", q.fmt_int(now["online_agents"]), help="agents online or busy at the data clock")
        now_cols[1].metric("接待中会话", q.fmt_int(now["open_sessions"]), help="open sessions the agents have joined")
        now_cols[2].metric("待回复买家", q.fmt_int(now["waiting_buyers"]),
                           help="buyers assigned to an agent whose latest round has no manual reply yet")
        now_cols[3].metric("最长等待", q.fmt_seconds(now["longest_wait_seconds"]), help="longest current wait")
        open_alerts = q.open_alerts(SHOP)
        st.markdown(f"**预警 / open alerts ({len(open_alerts)})** (seeds/alert_rules.csv)")
        if open_alerts.empty:
            st.caption("无未关闭预警 / no open alerts")
        else:
            show_table(open_alerts)
        rec = q.screen_receptions(day, SHOP)
        svc = q.screen_service(day, SHOP)
        deadlines = q.response_deadlines(day, SHOP)
        deadline_labels = q.deadline_labels(deadlines)
        cols = st.columns(6)
        cols[0].metric("咨询人数", q.fmt_int(rec["consult_buyers"]), help="consult buyers = received + filtered")
        cols[1].metric("接待人数", q.fmt_int(rec["reception_buyers"]), help="received buyers")
        cols[2].metric("过滤人数", q.fmt_int(rec["filtered_buyers"]), help="filtered buyers")
        cols[3].metric("询单人数", q.fmt_int(rec["inquiry_buyers"]), help="inquiry buyers")
        cols[4].metric("回复率", q.fmt_pct(svc["reply_rate"]),
                       help=f"reply rate: {q.fmt_int(svc['replied_reception_count'])} replied / "
                            f"{q.fmt_int(svc['replyable_reception_count'])} replyable receptions")
        deadline_seconds = sorted(set(deadlines.values())) or [q.DEFAULT_DEADLINE_SECONDS]
        cols[5].metric(deadline_labels["three_minute_response_rate"], q.fmt_pct(svc["three_minute_response_rate"]),
                       help=f"rounds answered within the shop's response_deadline_seconds "
                            f"({'/'.join(str(s) for s in deadline_seconds)} s): "
                            f"{q.fmt_int(svc['assessment_rounds_within_deadline_count'])} within "
                            f"deadline / {q.fmt_int(svc['assessment_round_count'])} assessment rounds")

        left, right = st.columns(2)
        with left:
            st.markdown("**等待买家数（按小时）/ buyers waiting by hour**")
            load = q.hourly_waiting(day, SHOP)
            if load.empty:
                st.info("当日无小时负载 / no hourly load for the day")
            else:
                st.altair_chart(alt.Chart(load).mark_bar().encode(
                    x=alt.X("hour:O", title="小时 / hour", axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("waiting_buyer_count:Q", title="等待买家数", axis=alt.Axis(format="d", tickMinStep=1)),
                    tooltip=["hour", "waiting_buyer_count", "new_reception_count", "answered_round_count"]),
                    width="stretch")
        with right:
            st.markdown("**客服 vs 静默销售额 / agent vs silent sales (各店业绩判定规则 / each shop's rule)**")
            split = q.sales_split(day, SHOP)
            c1, c2, c3 = st.columns(3)
            c1.metric("客服销售额", q.fmt_amount(split["agent_sales_amount"]), help="agent sales amount")
            c2.metric("静默销售额", q.fmt_amount(split["silent_sales_amount"]), help="silent sales amount")
            c3.metric(q.METRIC_LABELS["agent_amount_share"], q.fmt_pct(split["agent_amount_share"]), help="agent share of shop sales")
            trend = q.sales_split_trend(SHOP)
            if not trend.empty:
                long = trend.melt("sales_date", var_name="source", value_name="amount")
                long["source"] = long["source"].map({"agent_sales_amount": "客服 agent",
                                                     "silent_sales_amount": "静默 silent"})
                chart = alt.Chart(long).mark_area().encode(
                    x=alt.X("sales_date:T", title="付款日期 / paid day"),
                    y=alt.Y("amount:Q", stack=True, title="销售额"),
                    color=alt.Color("source:N", title=""))
                st.altair_chart(chart, width="stretch")

        st.markdown("**各客服接待与销售 / agents today (接待: agg_agent_daily_receptions, 销售: 各店业绩判定规则)**")
        show_table(q.agent_day(day, SHOP))
        st.markdown("**各店服务 / service by shop**")
        show_table(q.screen_service_by_shop(day, SHOP), labels=deadline_labels)
        st.markdown("**各店此刻 / shops right now (数据时钟 = latest landed message)**")
        show_table(q.live_by_shop(SHOP))
        st.markdown("**客服此刻 / agents right now**")
        show_table(q.live_agents(SHOP))

    live()


PERIOD_KINDS = {"custom": "自定义 / custom", "day": "日 / day", "week": "周 / ISO week", "month": "月 / month"}
ALL_GROUPS = "全部分组 / all groups"


def _agent_label(row: pd.Series) -> str:
    name = row.get("agent_name")
    return f"{row['shop_id']} · {name if isinstance(name, str) and name else row['agent_id']}"


def page_leaderboard() -> None:
    st.title("客服排行 / agent leaderboard")
    lo, hi = q.sales_date_range()
    if lo is None:
        st.info("没有销售数据 / no sales")
        return
    c1, c2, c3 = st.columns([1, 1, 1])
    rule = c1.selectbox("归属规则 / attribution rule", q.RULES, index=q.RULES.index(q.DEFAULT_RULE),
                        format_func=lambda r: f"{q.RULE_LABELS[r]} ({q.RULE_CODES[r]})")
    kind = c2.radio("周期 / period", list(PERIOD_KINDS), format_func=PERIOD_KINDS.get, horizontal=True)
    groups = [ALL_GROUPS, *q.agent_groups(SHOP)]
    group_label = c3.selectbox("分组 / group", groups)
    group = None if group_label == ALL_GROUPS else group_label
    if kind == "custom":
        period = st.date_input("日期范围 / activity dates", value=(lo, hi), min_value=lo, max_value=hi)
        start, end = (period if isinstance(period, tuple) and len(period) == 2 else (lo, hi))
    else:
        anchor = st.date_input("包含日期 / a date in the period", value=hi, min_value=lo, max_value=hi)
        start, end = q.period_bounds(kind, anchor)
    prev_start, prev_end = q.previous_period(kind, start, end)
    board = q.leaderboard(start, end, rule, SHOP, group=group)
    st.markdown(f"**{q.RULE_LABELS[rule]} 排行 / ranked by sales amount, {start} – {end}**"
                + (f" · {group}" if group else ""))
    board.insert(0, "rank", range(1, len(board) + 1))
    if not board.empty:
        total = q.sales_total(start, end, rule, SHOP, group)
        previous = q.sales_total(prev_start, prev_end, rule, SHOP, group)
        change = f"{(total - previous) / previous * 100:+.1f}% 环比" if previous else None
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("第一名客服", _agent_label(board.iloc[0]), help="top agent")
        m2.metric("第一名销售额", q.fmt_amount(board.at[0, "sales_amount"]), help="top agent's sales amount")
        m3.metric("上榜客服数", q.fmt_int(len(board)), help="agents with sales rows under the rule")
        m4.metric("客服销售额合计", q.fmt_amount(total), delta=change,
                  help=f"Σ agents' sales; 环比 = against {prev_start} – {prev_end} ({q.fmt_amount(previous)})")
    st.caption(f"下单金额 / 付款流失金额: {start} – {end} 创建、按 {q.RULE_LABELS[rule]} 归属该客服的订单；"
               "付款流失金额含付款期未满、仍可能付款的订单 / orders created in the period credited to the agent under "
               "the selected rule; unpaid includes orders whose payment window is still open")
    show_table(board)
    if not board.empty:
        st.download_button("下载 CSV / download CSV", board.to_csv(index=False).encode("utf-8-sig"),
                           file_name=f"leaderboard_{q.RULE_CODES[rule].replace(' ', '_')}_{start}_{end}.csv",
                           mime="text/csv")
        top = board.head(15).assign(agent=lambda d: d.apply(_agent_label, axis=1))
        st.altair_chart(alt.Chart(top).mark_bar().encode(
            x=alt.X("sales_amount:Q", title="销售额"), y=alt.Y("agent:N", sort="-x", title="客服")),
            width="stretch")
    st.markdown("**三种规则对比 / the three rules side by side**")
    rules = q.leaderboard_rules(start, end, SHOP)
    show_table(rules)
    if not rules.empty:
        long = rules.head(15).assign(agent=lambda d: d["shop_id"] + " · " + d["agent_id"]).melt(
            ["agent"], ["sales_order", "sales_payment", "sales_order_first"], var_name="rule", value_name="amount")
        long["rule"] = long["rule"].map({"sales_order": "下单判定", "sales_payment": "付款判定",
                                         "sales_order_first": "下单优先判定"})
        st.altair_chart(alt.Chart(long).mark_bar().encode(
            y=alt.Y("agent:N", title="客服"), x=alt.X("amount:Q", title="销售额"),
            color=alt.Color("rule:N", title="规则"), yOffset="rule:N"), width="stretch")
    payment_chase_section(start, end)


MATURITY = {
    "ordered_same_day_buyers": "is_mature_ordered_same_day", "ordered_same_day_rate": "is_mature_ordered_same_day",
    "ordered_buyers": "is_mature_ordered", "ordered_rate": "is_mature_ordered", "lost_buyers": "is_mature_ordered",
    "paid_next_day_buyers": "is_mature_paid_next_day", "paid_next_day_rate": "is_mature_paid_next_day",
    "paid_final_buyers": "is_mature_paid_final", "paid_final_rate": "is_mature_paid_final",
}


def page_conversion() -> None:
    st.title("询单转化 / inquiry conversion cohorts")
    cohorts = q.conversion_cohorts(SHOP)
    if cohorts.empty:
        st.info("没有询单 / no inquiries")
        return
    as_of = cohorts["as_of_date"].max()
    st.badge(f"as_of {pd.Timestamp(as_of).date().isoformat()}", icon=":material/event:", color="blue")
    st.caption("灰色 = 未成熟（付款期未满，数值还会变化） / grey = immature cohort measure, still changing. "
               "次日付款成熟于 as_of ≥ D+2，最终付款成熟于 as_of ≥ D+final_pay_days。")
    m1, m2, m3 = st.columns(3)
    m1.metric("as_of", pd.Timestamp(as_of).date().isoformat(), help="maturity measured against this date")
    m2.metric("询单队列数", q.fmt_int(len(cohorts)), help="shop × inquiry-day cohorts")
    m3.metric("最终付款未成熟队列", q.fmt_int(int((~cohorts["is_mature_paid_final"].astype(bool)).sum())),
              help="cohorts whose 最终付款 figure is still immature")
    shown = cohorts.drop(columns=[c for c in cohorts.columns if c.startswith("is_mature_")])

    def grey(frame: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for col, flag in MATURITY.items():
            if col in frame.columns:
                css.loc[~cohorts[flag].astype(bool), col] = "color: #9e9e9e; background-color: #f2f2f2"
        return css

    styler = shown.style.apply(grey, axis=None)
    show_table(shown, styler=styler)
    chart_data = cohorts.melt(["inquiry_date", "shop_id"], ["ordered_rate", "paid_next_day_rate", "paid_final_rate"],
                              var_name="measure", value_name="rate")
    flags = cohorts.melt(["inquiry_date", "shop_id"], ["is_mature_ordered", "is_mature_paid_next_day",
                                                       "is_mature_paid_final"], value_name="mature")
    chart_data["mature"] = flags["mature"].map({True: "成熟 mature", False: "未成熟 immature"}).values
    chart_data["measure"] = chart_data["measure"].map({"ordered_rate": "询单→下单",
                                                       "paid_next_day_rate": "询单→次日付款",
                                                       "paid_final_rate": "询单→最终付款"})
    st.altair_chart(alt.Chart(chart_data).mark_point(filled=True, size=60).encode(
        x=alt.X("inquiry_date:T", title="询单日期"), y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title="转化率"),
        color=alt.Color("measure:N", title=""),
        opacity=alt.Opacity("mature:N", scale=alt.Scale(domain=["成熟 mature", "未成熟 immature"],
                                                       range=[1.0, 0.25]), title=""),
        tooltip=["shop_id", "inquiry_date:T", "measure", alt.Tooltip("rate:Q", format=".1%"), "mature"]),
        width="stretch")


def page_quality() -> None:
    st.title("服务质量 / service quality")
    st.markdown("**响应时长分布 / response-time distribution** (fct_response_rounds.response_seconds, "
                f"已回复轮次, {q.RESPONSE_BIN_SECONDS} 秒一档, ≥ {q.RESPONSE_BIN_CAP} 秒合并)")
    hist = q.response_histogram(SHOP)
    st.metric("已回复轮次", q.fmt_int(int(hist["round_count"].sum()) if not hist.empty else 0),
              help="answered rounds with a response time")
    if not hist.empty:
        hist["档 / bin"] = hist["bin_start_seconds"].map(
            lambda s: f"≥{s}s" if s >= q.RESPONSE_BIN_CAP else f"{s}–{s + q.RESPONSE_BIN_SECONDS}s")
        st.altair_chart(alt.Chart(hist).mark_bar().encode(
            x=alt.X("档 / bin:N", sort=hist["档 / bin"].tolist(), title="响应时长 / response seconds"),
            y=alt.Y("round_count:Q", title="轮次 / rounds"),
            color=alt.condition(alt.datum.bin_start_seconds >= 180, alt.value("#e4572e"), alt.value("#4c78a8"))),
            width="stretch")
    st.markdown("**小时负载热力图 / hourly load heatmap** (agg_shop_hourly_load)")
    measure = st.radio("指标 / measure", ["waiting_buyer_count", "new_reception_count", "buyer_message_count",
                                          "answered_round_count"], horizontal=True,
                       format_func=lambda m: {"waiting_buyer_count": "等待买家", "new_reception_count": "新接待",
                                              "buyer_message_count": "买家消息",
                                              "answered_round_count": "已回复轮次"}[m])
    load = q.hourly_load(SHOP)
    if not load.empty:
        st.altair_chart(alt.Chart(load).mark_rect().encode(
            x=alt.X("hour:O", title="小时 / hour"), y=alt.Y("load_date:O", timeUnit="yearmonthdate",
                                                             title="日期 / date"),
            color=alt.Color(f"{measure}:Q", scale=alt.Scale(scheme="orangered"), title=""),
            tooltip=["load_date:T", "hour:O", f"{measure}:Q"]), width="stretch")
    feige = q.feige_rates(SHOP)
    if not feige.empty:  # a Douyin (抖店 飞鸽) rule: only Douyin shops have it
        st.markdown("**飞鸽 3分钟人工回复率 / Feige 3-minute manual reply rate** (agg_shop_daily_service, 抖店)")
        st.line_chart(feige.pivot_table(index="service_date", columns="shop_id",
                                        values="feige_session_reply_rate"), y_label="会话达标率")
        show_table(feige, height=300)


def page_faq() -> None:
    st.title("FAQ 与同行同层 / FAQ and peer benchmark")
    faq = q.faq_shop_daily(SHOP)
    st.markdown("**FAQ 每日（店铺合计）/ FAQ per shop-day** (agg_faq_daily, is_shop_total)")
    if not faq.empty:
        long = faq.melt(["event_date", "shop_id"], ["click_through_rate", "resolution_rate"], var_name="measure",
                        value_name="rate")
        long["measure"] = long["measure"].map({"click_through_rate": "点击率 CTR", "resolution_rate": "解决率"})
        st.altair_chart(alt.Chart(long).mark_line(point=True).encode(
            x=alt.X("event_date:T", title="日期", axis=alt.Axis(format="%m-%d")), y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title=""),
            color="shop_id:N", strokeDash=alt.StrokeDash("measure:N", title="")), width="stretch")
    show_table(faq, height=250)
    st.markdown("**转人工最多的问题 / questions ending in a transfer (latest FAQ day)**")
    show_table(q.faq_transferred_questions(None, SHOP), height=250)
    st.markdown("**同行同层差距 / gap to peers of the same category and tier** (agg_shop_benchmark_gap)")
    gaps = q.benchmark_gaps(SHOP)
    if not gaps.empty:
        m1, m2 = st.columns(2)
        m1.metric("不低于中位的指标", f"{int(gaps['is_at_or_above_median'].sum())}/{len(gaps)}",
                  help="shop × metric rows at or above the peer median (同行同层平均 = the peers' median)")
        m2.metric("达到优秀的指标", f"{int(gaps['is_at_excellent'].sum())}/{len(gaps)}",
                  help="shop × metric rows at the peer excellent value")
        st.caption("距中位 = 本店 − 同行中位（越高越好的指标 > 0 为优于中位；响应秒数越低越好）")
        chart = alt.Chart(gaps).mark_bar().encode(
            x=alt.X("gap_to_median:Q", title="距中位 gap to median"), y=alt.Y("shop_id:N", title=""),
            color=alt.Color("is_at_or_above_median:N", title="不低于中位",
                            scale=alt.Scale(domain=[True, False], range=["#2e7d32", "#e4572e"])),
            tooltip=["shop_id", "metric_label", "shop_value", "median_value", "excellent_value", "gap_to_median"],
        ).properties(width=260, height=110).facet(facet=alt.Facet("metric_label:N", title=""), columns=3
                                                 ).resolve_scale(x="independent")
        st.altair_chart(chart)
    show_table(gaps)


def page_performance() -> None:
    """绩效 / 提成: the monthly KPI scorecard and commission per agent; months not final are greyed."""
    st.title("绩效 / 提成 / KPI scorecard & commission")
    periods = q.performance_periods(SHOP)
    if not periods:
        st.info("没有考核方案 / no KPI or commission plan for this shop (kpi_plan.csv, commission_plan.csv of the configuration folder)")
        return
    period = st.selectbox("考核月份 / month", periods, index=0, key="performance_period")
    table = q.performance_table(period, SHOP)
    pending = int((~table["is_final"].astype(bool)).sum())
    m1, m2, m3 = st.columns(3)
    m1.metric("考核客服 / agents", q.fmt_int(len(table)))
    m2.metric("提成合计 / commission", q.fmt_amount(table["commission_amount"].sum(min_count=1)))
    m3.metric("未最终 / not final", q.fmt_int(pending), help="month not over or cohorts still maturing (as_of)")
    st.caption("灰色 = 未最终（月份未结束或询单队列未成熟，数值还会变化） / grey = not final yet. 档位 [下限, 上限)；"
               "提成基数 = 业绩销售额 − 当月退款。")
    labels = {"group_name": "分组", "total_score": "绩效总分", "rank_in_shop": "店内排名", "rank_in_group": "组内排名",
              "kpi_plan_version": "考核方案", "rule": "业绩判定", "credited_sales_amount": "业绩销售额",
              "refunded_amount": "当月退款", "commission_base": "提成基数", "commission_mode": "提成方式",
              "tier_rate": "提成档比例", "commission_amount": "提成金额", "commission_plan_version": "提成方案",
              "is_final": "最终"}
    kpi_labels = {**q.KPI_METRIC_LABELS,
                  "three_minute_response_rate": q.deadline_labels(q.response_deadlines(None, SHOP))[
                      "three_minute_response_rate"]}
    for metric, label in kpi_labels.items():
        labels.update({f"{metric}__value": label, f"{metric}__band": f"{label} 档位",
                       f"{metric}__score": f"{label} 得分"})

    def grey(frame: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        css.loc[~table["is_final"].astype(bool), :] = "color: #9e9e9e; background-color: #f2f2f2"
        return css

    config = {col: st.column_config.Column(labels.get(col, LABELS.get(col, col))) for col in table.columns}
    for col in table.columns:
        if col.endswith("_rate__value") or col == "tier_rate":
            config[col] = st.column_config.NumberColumn(labels[col], format="percent")
        elif col.endswith("__value") or col.endswith("_amount") or col == "commission_base":
            config[col] = st.column_config.NumberColumn(labels.get(col, col), format="%.2f")
        elif col.endswith("__score") or col == "total_score":
            config[col] = st.column_config.NumberColumn(labels[col], format="%.1f")
    st.dataframe(table.style.apply(grey, axis=None), column_config=config, hide_index=True, width="stretch")
    st.download_button("下载 CSV / download CSV", table.rename(columns=labels).to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"kefu_performance_{period}{'_' + SHOP if SHOP else ''}.csv", mime="text/csv")


# ---------------------------------------------------------------- 排班 and 催付 (staffing and payment chasing)

LABELS.update({
    "agent": "客服", "rule_name": "预警规则", "value": "当前值", "threshold": "阈值", "opened_at": "开始(数据时钟)",
    "weekday": "星期", "weekday_label": "星期", "hour_of_day": "小时", "window_start_date": "统计起始日",
    "window_end_date": "统计截止日", "observed_day_count": "样本天数", "forecast_arrival_count": "预测进线人数",
    "aht_seconds": "平均处理时长(秒)", "concurrency": "并发接待数", "offered_load_erlangs": "话务量(Erlang)",
    "deadline_seconds": "首响时限(秒)", "target_service_level": "目标服务水平", "required_agent_count": "建议客服数",
    "service_level_at_required": "建议人数服务水平", "avg_online_agents": "在线客服数",
    "online_service_level": "在线人数服务水平", "staffing_gap_agents": "人力缺口(在线−建议)",
    "reachable_order_count": "待催付订单", "owned_chased_order_count": "已催付(归属)", "missed_order_count": "漏催订单",
    "chase_rate": "催付率", "chased_order_count": "催付订单", "recovered_order_count": "催付成功订单",
    "recovery_rate": "催付成功率", "recovered_amount": "催付成功金额",
})
RATE_COLUMNS.update({"target_service_level", "service_level_at_required", "online_service_level", "chase_rate",
                     "recovery_rate"})
AMOUNT_COLUMNS.update({"recovered_amount"})


def payment_chase_section(start: dt.date, end: dt.date) -> None:
    """催付 figures under the leaderboard: orders created in [start, end] (agg_agent_daily_payment_chase)."""
    st.markdown(f"**催付 / payment chasing, orders created {start} – {end}** (agg_agent_daily_payment_chase)")
    totals = q.payment_chase_totals(start, end, SHOP)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("催付订单", q.fmt_int(totals["chased_order_count"]), help="orders chased (first chase) in the period")
    m2.metric("催付成功订单", q.fmt_int(totals["recovered_order_count"]),
              help="chased orders paid within final_pay_days of the chase")
    m3.metric("催付成功金额", q.fmt_amount(totals["recovered_amount"]), help="payment amount of recovered orders")
    m4.metric("漏催订单", q.fmt_int(totals["missed_order_count"]),
              help=f"unpaid orders never chased in their window; {totals['silent_missed_order_count']} of them "
                   "have no 落实下单 agent (silent rows)")
    show_table(q.payment_chase_board(start, end, SHOP))


def page_staffing() -> None:
    st.title("排班 / staffing (Erlang C)")
    plan = q.staffing_plan(SHOP)
    if plan.empty:
        st.info("没有排班数据 / no staffing rows")
        return
    first = plan.iloc[0]
    st.caption(f"预测窗口 / window {first['window_start_date']} – {first['window_end_date']}; 目标 "
               f"{q.fmt_pct(first['target_service_level'])} 首响 ≤ {first['deadline_seconds']} 秒; "
               "人力缺口 = 在线客服 − 建议客服 (负数 = 人手不足)")
    day = chosen_day()
    if day is not None:
        summary = q.staffing_day_summary(day, SHOP)
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("人手不足小时", q.fmt_int(summary["understaffed_hours"]), help=f"shop-hours of {day} with gap < 0")
        m2.metric("人手富余小时", q.fmt_int(summary["overstaffed_hours"]), help=f"shop-hours of {day} with gap ≥ 1")
        m3.metric("最大缺口", "–" if summary["worst_gap"] is None else f"{summary['worst_gap']:.1f}",
                  help="most negative online − required of the day")
        m4.metric("实际服务水平", q.fmt_pct(summary["achieved_service_level"]),
                  help="first replies within the deadline ÷ arrivals that day")
    grid = q.staffing_gap_grid(SHOP)
    st.markdown("**人力缺口热力图 / gap by weekday × hour** (agg_shop_staffing_plan)")
    st.altair_chart(alt.Chart(grid).mark_rect().encode(
        x=alt.X("hour_of_day:O", title="小时 / hour"),
        y=alt.Y("weekday_label:N", sort=list(q.WEEKDAY_LABELS.values()), title="星期 / weekday"),
        color=alt.Color("staffing_gap_agents:Q", scale=alt.Scale(scheme="redblue", domainMid=0), title="缺口"),
        tooltip=["weekday_label:N", "hour_of_day:O", "forecast_arrival_count:Q", "required_agent_count:Q",
                 "avg_online_agents:Q", "staffing_gap_agents:Q"]), width="stretch")
    st.markdown("**排班计划 / plan** (per shop, weekday and hour)")
    show_table(plan.assign(weekday=plan["weekday"].map(q.WEEKDAY_LABELS)), height=400)


pages = [
    st.Page(page_screen, title="客服大屏 / 实时监控", url_path="screen", default=True),
    st.Page(page_leaderboard, title="客服排行 / leaderboard", url_path="leaderboard"),
    st.Page(page_conversion, title="询单转化 / conversion", url_path="conversion"),
    st.Page(page_quality, title="服务质量 / quality", url_path="quality"),
    st.Page(page_faq, title="FAQ · 同行同层 / benchmark", url_path="faq"),
    st.Page(page_performance, title="绩效 / 提成 / KPI & commission", url_path="performance"),


    st.Page(page_staffing, title="排班 / staffing", url_path="staffing"),
    *manager_pages.pages(SHOP, DAY_CHOICE),
]
st.navigation(pages).run()
