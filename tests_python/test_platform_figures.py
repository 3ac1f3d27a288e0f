"""The Shopee 聊聊 转化率 and the FAQ assistant figures (docs/metrics.md §6) on a hand-built shop, recomputed in Python.

A small generated landing gets one extra Shopee shop (pf01, not in the shops seed: default time zone and rules)
whose sessions, messages, orders, visits and FAQ events are written out below, edge cases included: a replied chat
without an order, a buyer with two orders, an unreplied chat with an order, a reply after the 12-hour deadline, an
order before the chat and one after its inquiry window, a trigger with two questions shown and one clicked, a
question shown twice in one trigger, a click without a `shown` event, FAQ events without a session, an exact
duplicate event and a repeated event_id. The expected figures are computed here from those rows by the spec's
wording, independently of the SQL, and compared with agg_shop_daily_chat_funnel and agg_faq_daily.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import run_dbt

PLATFORM, SHOP, AGENT = "shopee", "pf01", "pf01_a1"
DAY = "2026-11-02"
NEXT = "2026-11-03"
REPLY_DEADLINE = dt.timedelta(hours=12)  # chat_reply_deadline_hours
INQUIRY_VALID_DAYS = 2                   # inquiry_valid_days

# buyer -> (session_id, [(sent_at, sender_role, is_auto_reply)])
CHATS = {
    # replied in 5 min; orders twice in the window (one paid, one never paid)
    "pf_b1": ("pf_s1", [(f"{DAY} 10:00:00", "buyer", False), (f"{DAY} 10:05:00", "agent", False)]),
    # never replied, but orders: not in the numerator, not in the denominator of 转化率
    "pf_b2": ("pf_s2", [(f"{DAY} 11:00:00", "buyer", False)]),
    # replied, no order
    "pf_b3": ("pf_s3", [(f"{DAY} 12:00:00", "buyer", False), (f"{DAY} 12:01:00", "agent", False)]),
    # replied after 14 h: unreplied within the deadline, its order does not count
    "pf_b4": ("pf_s4", [(f"{DAY} 13:00:00", "buyer", False), (f"{NEXT} 03:00:00", "agent", False)]),
    # an auto reply first (no reply), the agent 30 min later; orders late on the next day, paid the day after
    "pf_b5": ("pf_s5", [(f"{DAY} 14:00:00", "buyer", False), (f"{DAY} 14:00:05", "agent", True),
                        (f"{DAY} 14:30:00", "agent", False)]),
    # replied; one order before the chat, one after the inquiry window: no ordering chat
    "pf_b7": ("pf_s7", [(f"{DAY} 16:00:00", "buyer", False), (f"{DAY} 16:02:00", "agent", False)]),
}
# (order_id, buyer, created_at, paid_at, amount, quantity)
ORDERS = [
    ("pf_o1", "pf_b1", f"{DAY} 10:30:00", f"{DAY} 10:40:00", "100.00", 2),
    ("pf_o2", "pf_b1", f"{NEXT} 09:00:00", None, "50.00", 1),
    ("pf_o3", "pf_b2", f"{DAY} 11:30:00", f"{DAY} 11:35:00", "30.00", 1),
    ("pf_o4", "pf_b4", f"{DAY} 13:30:00", f"{DAY} 13:40:00", "40.00", 1),
    ("pf_o5", "pf_b5", f"{NEXT} 22:00:00", "2026-11-04 08:00:00", "60.00", 3),
    ("pf_o6", "pf_b7", f"{DAY} 08:00:00", f"{DAY} 08:10:00", "20.00", 1),
    ("pf_o7", "pf_b7", "2026-11-04 00:30:00", None, "25.00", 1),
]
VISITS = [("pf_v1", f"{DAY} 09:00:00"), ("pf_v1", f"{DAY} 09:30:00"), ("pf_v2", f"{DAY} 09:40:00"),
          ("pf_b1", f"{DAY} 09:55:00"), ("pf_b2", f"{DAY} 10:50:00")]
QUESTIONS = {"pf01_q1": "shipping", "pf01_q2": "size"}
# (event_id, buyer, session_id, faq_id, event_type, occurred_at); copies of a row are duplicates
FAQ_EVENTS = [
    # a trigger with two questions shown and one clicked
    ("pf_e01", "pf_b1", "pf_s1", "pf01_q1", "shown", f"{DAY} 10:00:03"),
    ("pf_e02", "pf_b1", "pf_s1", "pf01_q2", "shown", f"{DAY} 10:00:03"),
    ("pf_e03", "pf_b1", "pf_s1", "pf01_q1", "clicked", f"{DAY} 10:00:20"),
    # shown, never clicked; the event delivered twice (an exact duplicate: counted once)
    ("pf_e04", "pf_b2", "pf_s2", "pf01_q1", "shown", f"{DAY} 11:00:03"),
    ("pf_e04", "pf_b2", "pf_s2", "pf01_q1", "shown", f"{DAY} 11:00:03"),
    # no session: buyer × day; the click later that day belongs to the same trigger, the next day's show is another
    ("pf_e05", "pf_b3", None, "pf01_q2", "shown", f"{DAY} 12:00:03"),
    ("pf_e06", "pf_b3", None, "pf01_q2", "clicked", f"{DAY} 18:00:00"),
    ("pf_e07", "pf_b3", None, "pf01_q2", "shown", f"{NEXT} 09:00:00"),
    # a click without any `shown` in its chat: a click, no trigger
    ("pf_e08", "pf_b4", "pf_s4", "pf01_q1", "clicked", f"{DAY} 13:00:20"),
    # one question shown twice in one trigger, clicked, resolved, helpful
    ("pf_e09", "pf_b5", "pf_s5", "pf01_q1", "shown", f"{DAY} 14:00:03"),
    ("pf_e10", "pf_b5", "pf_s5", "pf01_q1", "shown", f"{DAY} 14:01:00"),
    ("pf_e11", "pf_b5", "pf_s5", "pf01_q1", "clicked", f"{DAY} 14:01:10"),
    ("pf_e12", "pf_b5", "pf_s5", "pf01_q1", "resolved", f"{DAY} 14:02:00"),
    ("pf_e13", "pf_b5", "pf_s5", "pf01_q1", "helpful", f"{DAY} 14:02:05"),
    # shown, clicked (the click's event_id lands again a minute later: the earliest copy counts), transferred
    ("pf_e14", "pf_b7", "pf_s7", "pf01_q2", "shown", f"{DAY} 16:00:03"),
    ("pf_e15", "pf_b7", "pf_s7", "pf01_q2", "clicked", f"{DAY} 16:00:30"),
    ("pf_e15", "pf_b7", "pf_s7", "pf01_q2", "clicked", f"{DAY} 16:01:30"),
    ("pf_e16", "pf_b7", "pf_s7", "pf01_q2", "transferred", f"{DAY} 16:01:40"),
    ("pf_e17", "pf_b7", "pf_s7", "pf01_q2", "unhelpful", f"{DAY} 16:01:45"),
]


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)


def _add_shop(landing: Path) -> None:
    sessions, messages = [], []
    for buyer, (session_id, lines) in CHATS.items():
        sessions.append(dict(session_id=session_id, platform=PLATFORM, shop_id=SHOP, buyer_id=buyer, agent_id=AGENT,
                             started_at=lines[0][0], ended_at=lines[-1][0], human_joined_at=lines[0][0],
                             entry_point="product", transferred_from_session_id=None))
        for k, (sent_at, role, auto) in enumerate(lines):
            messages.append(dict(message_id=f"{session_id}_m{k}", session_id=session_id, sent_at=sent_at,
                                 sender_role=role, is_auto_reply=auto, content_type="text", content="你好"))
    _write(landing / "raw_sessions" / "pf01.parquet", sessions)
    _write(landing / "raw_messages" / "pf01.parquet", messages)
    _write(landing / "raw_orders" / "pf01.parquet", [
        dict(order_id=o, platform=PLATFORM, shop_id=SHOP, buyer_id=b, created_at=c, paid_at=p, order_amount=a,
             payment_amount=a if p else None, item_quantity=q, status="paid" if p else "created",
             refund_amount=None, updated_at=p or c) for o, b, c, p, a, q in ORDERS])
    _write(landing / "raw_visits" / "pf01.parquet", [
        dict(platform=PLATFORM, shop_id=SHOP, visitor_id=v, visited_at=t, product_id=None) for v, t in VISITS])
    _write(landing / "raw_faq_questions" / "pf01.parquet", [
        dict(faq_id=f, platform=PLATFORM, shop_id=SHOP, topic=t, question=f"问题 {f}") for f, t in QUESTIONS.items()])
    _write(landing / "raw_faq_events" / "pf01.parquet", [
        dict(event_id=e, platform=PLATFORM, shop_id=SHOP, buyer_id=b, session_id=s, faq_id=f, event_type=k,
             occurred_at=t) for e, b, s, f, k, t in FAQ_EVENTS])


# ---------------------------------------------------------------------------------------------------------------
# the figures by hand, from the rows above


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def expected_chat_funnel() -> dict[dt.date, dict]:
    """Per chat date: a chat = a buyer-day whose first buyer message comes before any manual agent message; replied
    = the first manual agent message after it within 12 h; 转化率 = replied chats whose buyer created an order at
    the shop in [first buyer message, end of D + inquiry_valid_days − 1] ÷ replied chats."""
    days: dict[dt.date, dict] = defaultdict(lambda: defaultdict(int))
    for buyer, (_, lines) in CHATS.items():
        buyer_lines = sorted((_ts(t), role) for t, role, auto in lines if role == "buyer" or not auto)
        by_day: dict[dt.date, list] = defaultdict(list)
        for at, role in buyer_lines:
            by_day[at.date()].append((at, role))
        for day, day_lines in by_day.items():
            if day_lines[0][1] != "buyer":
                continue
            first = day_lines[0][0]
            reply = next((at for at, role in buyer_lines if role == "agent" and at >= first), None)
            replied = reply is not None and reply - first <= REPLY_DEADLINE
            row = days[day]
            row["chat_buyer_count"] += 1
            row["replied_chat_count"] += replied
            if not replied:
                continue
            window_end = dt.datetime.combine(day + dt.timedelta(days=INQUIRY_VALID_DAYS), dt.time())
            orders = [o for o in ORDERS if o[1] == buyer and first <= _ts(o[2]) < window_end]
            row["ordering_buyer_count"] += bool(orders)
            row["order_count"] += len(orders)
            row["paying_buyer_count"] += any(o[3] for o in orders)
    for day, row in days.items():
        row["visitor_count"] = len({v for v, t in VISITS if _ts(t).date() == day})
        row["conversion_rate"] = _ratio(row["ordering_buyer_count"], row["replied_chat_count"])
        row["chat_buyer_paid_rate"] = _ratio(row["paying_buyer_count"], row["chat_buyer_count"])
    return days


def expected_faq() -> dict[tuple[str, dt.date], dict]:
    """(faq_id or 'all', date) -> figures: a trigger = a chat (buyer × session, or buyer × day without a session)
    with a `shown` event, dated by its first one; 点击率 = triggers with a click ÷ triggers; per question: triggers
    in which it was clicked ÷ triggers in which it was shown; event counts by event date, each event_id once (the
    earliest copy)."""
    events: dict[str, tuple] = {}
    for e, b, s, f, k, t in sorted(FAQ_EVENTS, key=lambda r: r[5]):
        events.setdefault(e, (b, s, f, k, _ts(t)))
    rows: dict[tuple[str, dt.date], dict] = defaultdict(lambda: defaultdict(int))
    chats: dict[tuple, list] = defaultdict(list)
    for b, s, f, k, at in events.values():
        chats[(b, s or at.date())].append((f, k, at))
        for key in (f, "all"):
            row = rows[(key, at.date())]
            row["shown_count" if k == "shown" else f"{k.replace('clicked', 'click')}_count"] += 1
    for chat in chats.values():
        shown = [at for f, k, at in chat if k == "shown"]
        if shown:
            row = rows[("all", min(shown).date())]
            row["trigger_count"] += 1
            row["clicked_trigger_count"] += any(k == "clicked" for _, k, _ in chat)
        for faq in {f for f, _, _ in chat}:
            shown_q = [at for f, k, at in chat if f == faq and k == "shown"]
            if shown_q:
                row = rows[(faq, min(shown_q).date())]
                row["trigger_count"] += 1
                row["clicked_trigger_count"] += any(f == faq and k == "clicked" for f, k, _ in chat)
    for row in rows.values():
        row["click_through_rate"] = _ratio(row["clicked_trigger_count"], row["trigger_count"])
        row["resolution_rate"] = _ratio(row["resolved_count"], row["resolved_count"] + row["transferred_count"])
        row["effectiveness_rate"] = _ratio(row["helpful_count"], row["helpful_count"] + row["unhelpful_count"])
    return rows


# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def figures_db(tmp_path_factory) -> Path:
    from kefu.generate import generate

    tmp = tmp_path_factory.mktemp("platform_figures")
    landing = tmp / "landing"
    generate(str(landing), seed=5, shops=2, buyers=25, days=4)
    _add_shop(landing)
    db = tmp / "kefu.duckdb"
    # the generated sample plants bad rows; a tiny one exceeds the default reject share
    run_dbt(["build", "--select", "+agg_shop_daily_chat_funnel", "+agg_faq_daily", "--exclude", "test_type:unit",
             "--vars", "{reject_error_share: 0.5}"], db, landing, "target_pytest_platform_figures", check=True)
    return db


def _rows(db: Path, sql: str) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def _same(actual, wanted) -> bool:
    if wanted is None or actual is None:
        return actual is None and wanted is None
    return math.isclose(float(actual), float(wanted), rel_tol=1e-12)


def test_the_hand_built_rows_hold_the_edge_cases():
    chat = expected_chat_funnel()[dt.date.fromisoformat(DAY)]
    # 2 of 4 replied chats ordered; the paid reading (paying ÷ all chat buyers) is 2 of 6
    assert (chat["chat_buyer_count"], chat["replied_chat_count"], chat["ordering_buyer_count"]) == (6, 4, 2)
    assert (chat["conversion_rate"], chat["chat_buyer_paid_rate"]) == (0.5, 2 / 6)
    faq = expected_faq()
    total = faq[("all", dt.date.fromisoformat(DAY))]
    # 5 triggers (b1, b2, b3's day, b5, b7), 4 clicked; 7 shown events and 5 clicks
    assert (total["trigger_count"], total["clicked_trigger_count"], total["shown_count"], total["click_count"]) \
        == (5, 4, 7, 5)


def test_chat_funnel_conversion_matches_the_hand_count(figures_db):
    wanted = expected_chat_funnel()
    got = {r["activity_date"]: r for r in _rows(
        figures_db, f"select * from marts.agg_shop_daily_chat_funnel where shop_id = '{SHOP}'")}
    assert set(wanted) <= set(got), (sorted(wanted), sorted(got))
    for day, row in wanted.items():
        for column, value in row.items():
            assert _same(got[day][column], value), (day, column, got[day][column], value)


def test_faq_triggers_and_click_rates_match_the_hand_count(figures_db):
    wanted = expected_faq()
    got = {(r["faq_id"], r["event_date"]): r for r in _rows(
        figures_db, f"select * from marts.agg_faq_daily where shop_id = '{SHOP}'")}
    assert {(k if k == "all" else k, d) for k, d in wanted} == set(got)
    columns = ["trigger_count", "clicked_trigger_count", "click_through_rate", "shown_count", "click_count",
               "resolved_count", "transferred_count", "resolution_rate", "helpful_count", "unhelpful_count",
               "effectiveness_rate"]
    for key, row in wanted.items():
        for column in columns:
            assert _same(got[key][column], row.get(column, 0)), (key, column, got[key][column], row.get(column))
    assert all(r["click_through_rate"] is None or r["click_through_rate"] <= 1 for r in got.values())
