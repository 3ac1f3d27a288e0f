"""Deterministic, realistic sample landing data for kefu (all three chat platforms, four platform codes).

    python -m kefu.generate --out data/landing --seed 42 --shops 4 --buyers 300 --days 14

Same arguments → byte-identical Parquet files. Timestamps and amounts are written as text, the way exports arrive,
so the few deliberately bad rows (see BAD_ROWS / _manifest.json) can land and be rejected by staging.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kefu.config import write_sample_config
from kefu.landing import contract

PLATFORMS = [("taobao", "tb"), ("tmall", "tm"), ("douyin", "dy"), ("shopee", "sp")]
CATEGORIES = ["apparel", "electronics", "beauty", "home"]
# the landing contract's columns per table, in contract order (the sources YAML, via kefu.landing)
TABLE_COLUMNS = {t.name: t.columns for t in contract()}
INT_COLUMNS = {"item_quantity", "quantity", "rating", "routing_weight", "max_concurrent"}
BOOL_COLUMNS = {"is_auto_reply", "is_active"}
BUYER_TEXT = ["在吗", "这款有货吗", "什么时候发货", "能便宜点吗", "尺码怎么选", "有优惠券吗", "包邮吗", "颜色有色差吗",
              "可以开发票吗", "几天能到", "质量怎么样", "有赠品吗"]
AFTER_SALE_TEXT = ["我的快递到哪了", "想退货", "收到的有破损", "怎么申请售后", "能换个尺码吗"]
AGENT_TEXT = ["亲,在的", "有货的亲", "今天下单明天发", "可以领店铺券哦", "建议拍大一码", "亲,包邮的", "好的亲",
              "已为您备注", "亲,这边帮您查一下"]
AD_TEXT = ["加微信 kx8899 领福利", "刷单兼职加微信", "https://spam.example/deal"]
TOPICS = ["shipping", "size", "payment", "returns", "promotion"]


def _ts(dt: datetime) -> str:
    return dt.isoformat(" ", "seconds")  # = strftime("%Y-%m-%d %H:%M:%S") (microseconds truncated), 3x faster


def _money(x: float) -> str:
    return f"{x:.2f}"


class _World:
    """Accumulates rows; every id comes from a counter so output order is fixed."""

    def __init__(self, seed: int, start: datetime, days: int):
        self.rng = random.Random(seed)
        self.start = start
        self.days = days
        self.rows: dict[str, list[dict]] = {t: [] for t in TABLE_COLUMNS}
        self.n = {"s": 0, "m": 0, "o": 0, "e": 0}
        self.planted: dict[str, dict] = {}
        self.bad: dict[str, list[str]] = {}

    def next_id(self, kind: str, width: int) -> str:
        self.n[kind] += 1
        return f"{kind}{self.n[kind]:0{width}d}"

    # --- primitives -------------------------------------------------------------------------------------------
    def session(self, shop, buyer, agent, started, human_joined=None, entry="product", transferred_from=None):
        sid = self.next_id("s", 7)
        row = dict(session_id=sid, platform=shop["platform"], shop_id=shop["shop_id"], buyer_id=buyer,
                   agent_id=agent, started_at=_ts(started), ended_at=None,
                   human_joined_at=_ts(human_joined) if human_joined else None, entry_point=entry,
                   transferred_from_session_id=transferred_from)
        self.rows["raw_sessions"].append(row)
        return row

    def message(self, session, at, role, text=None, auto=False, ctype="text"):
        mid = self.next_id("m", 8)
        sent = _ts(at)
        self.rows["raw_messages"].append(dict(message_id=mid, session_id=session["session_id"], sent_at=sent,
                                              sender_role=role, is_auto_reply=auto, content_type=ctype,
                                              content=text if ctype != "image" else None))
        end = session["ended_at"]
        if end is None or sent > end:
            session["ended_at"] = sent
        return mid

    def order(self, shop, buyer, created, pay_delay_s=None, amount=None, lines=None, status=None, refund=False):
        oid = self.next_id("o", 7)
        rng = self.rng
        lines = lines or rng.choice([1, 1, 1, 2, 2, 3])
        items, total, qty = [], 0.0, 0
        for line in range(1, lines + 1):
            product = rng.randrange(1, 13)
            q = rng.choice([1, 1, 1, 2, 3])
            price = [39.0, 59.0, 89.0, 129.0, 199.0, 299.0][product % 6]
            items.append(dict(order_id=oid, line_id=str(line), product_id=f"{shop['shop_id']}_p{product:03d}",
                              product_name=f"商品{product:03d}", quantity=q, amount=_money(price * q)))
            total += price * q
            qty += q
        if amount is not None:
            total = amount
        paid = created + timedelta(seconds=pay_delay_s) if pay_delay_s is not None else None
        st = status or ("paid" if paid else rng.choice(["created", "created", "closed"]))
        refund_amount = None
        if refund and paid:
            st, refund_amount = "refunded", _money(total)
        row = dict(order_id=oid, platform=shop["platform"], shop_id=shop["shop_id"], buyer_id=buyer,
                   created_at=_ts(created), paid_at=_ts(paid) if paid else None, order_amount=_money(total),
                   payment_amount=_money(total) if paid else None, item_quantity=qty, status=st,
                   refund_amount=refund_amount, updated_at=_ts(paid or created))
        self.rows["raw_orders"].append(row)
        self.rows["raw_order_items"].extend(items)
        return row

    def reply_delay(self) -> float:
        """Long-tailed agent response time in seconds (median ~40 s, some > 3 min, a few > 20 min)."""
        d = math.exp(self.rng.gauss(math.log(40), 1.1))
        if self.rng.random() < 0.03:
            d += self.rng.uniform(1200, 3600)
        return max(2.0, d)

    # --- a conversation -----------------------------------------------------------------------------------------
    def chat(self, shop, buyer, agent, t, rounds, entry="product", robot_first=False, after_sale=False,
             unanswered_tail=False, ad=False, welcome=False):
        rng = self.rng
        human_joined = None
        session = self.session(shop, buyer, agent, t, entry=entry)
        if robot_first:
            self.message(session, t, "buyer", rng.choice(BUYER_TEXT))
            t += timedelta(seconds=rng.randint(1, 5))
            self.message(session, t, "robot", "您好,我是智能助手")
            t += timedelta(seconds=rng.randint(10, 90))
            self.message(session, t, "buyer", "转人工")
            t += timedelta(seconds=rng.randint(5, 60))
            human_joined = t
            session["human_joined_at"] = _ts(t)
            self.message(session, t, "system", "已为您转接人工客服")
            t += timedelta(seconds=1)
        if welcome:
            self.message(session, t, "agent", "欢迎光临,有什么可以帮您", auto=True)
        for r in range(rounds):
            burst = rng.choice([1, 1, 1, 2, 2, 3, 4])
            for _ in range(burst):
                text = rng.choice(AD_TEXT) if ad else rng.choice(AFTER_SALE_TEXT if after_sale else BUYER_TEXT)
                ctype = "order_card" if after_sale and rng.random() < 0.3 else rng.choice(
                    ["text"] * 8 + ["image", "product_card"])
                self.message(session, t, "buyer", text, ctype=ctype)
                t += timedelta(seconds=rng.randint(3, 40))
            if ad or (unanswered_tail and r == rounds - 1):
                break
            t += timedelta(seconds=self.reply_delay())
            self.message(session, t, "agent", rng.choice(AGENT_TEXT))
            t += timedelta(seconds=rng.randint(20, 300))
        return session, t, human_joined


def _shops(n: int):
    shops = []
    for i in range(n):
        platform, code = PLATFORMS[i % 4]
        sid = f"{code}{i // 4 + 1:02d}"
        agents = [f"{sid}_a{k:02d}" for k in range(1, 5 + (i % 2))]
        shops.append(dict(platform=platform, shop_id=sid, agents=agents, index=i))
    return shops


def _day_time(rng: random.Random, day: datetime) -> datetime:
    """A time of day following a shop-traffic curve: quiet at night, peaks 10–12 and 20–22."""
    hour = rng.choices(range(24), weights=[2, 1, 1, 1, 1, 1, 2, 4, 6, 8, 12, 12, 9, 8, 8, 8, 8, 8, 8, 9, 12, 12, 9, 5])[0]
    return day + timedelta(hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))


def _plant(w: _World, shops):
    """Fixed edge cases, independent of the random draws (on the first shop and the first douyin shop)."""
    tb = shops[0]
    dy = next((s for s in shops if s["platform"] == "douyin"), shops[0])
    a1, a2 = tb["agents"][0], tb["agents"][1]
    d = w.start + timedelta(days=1)
    p = w.planted

    def buyer(shop, name):
        return f"{shop['shop_id']}_b_{name}"

    # robot → human transfer carrying the buyer's question
    s, _, _ = w.chat(tb, buyer(tb, "transfer"), a1, d + timedelta(hours=10), 2, robot_first=True)
    p["robot_transfer_carried_question"] = {"session_id": s["session_id"]}
    # session crossing midnight
    s = w.session(tb, buyer(tb, "midnight"), a2, d + timedelta(hours=23, minutes=58))
    w.message(s, d + timedelta(hours=23, minutes=58), "buyer", "还在吗")
    w.message(s, d + timedelta(days=1, minutes=3), "agent", "在的亲")
    p["midnight_crossing"] = {"session_id": s["session_id"]}
    # agent-to-agent transfer
    s1 = w.session(tb, buyer(tb, "handover"), a1, d + timedelta(hours=14))
    w.message(s1, d + timedelta(hours=14), "buyer", "想问下售后")
    w.message(s1, d + timedelta(hours=14, seconds=30), "agent", "帮您转售后同事")
    s2 = w.session(tb, buyer(tb, "handover"), tb["agents"][-1], d + timedelta(hours=14, minutes=1),
                   transferred_from=s1["session_id"])
    w.message(s2, d + timedelta(hours=14, minutes=1), "agent", "您好,售后这边为您处理")
    w.message(s2, d + timedelta(hours=14, minutes=2), "buyer", "好的")
    p["agent_transfer"] = {"session_id": s2["session_id"], "from_session_id": s1["session_id"]}
    # burst of 3 buyer messages answered once, with an auto reply before the manual reply
    s = w.session(tb, buyer(tb, "burst"), a1, d + timedelta(hours=11))
    for k in range(3):
        w.message(s, d + timedelta(hours=11, seconds=10 * k), "buyer", BUYER_TEXT[k])
    w.message(s, d + timedelta(hours=11, seconds=25), "agent", "自动回复:客服马上来", auto=True)
    w.message(s, d + timedelta(hours=11, seconds=95), "agent", "亲,在的")
    p["burst_of_three"] = p["auto_reply_before_manual"] = {"session_id": s["session_id"]}
    # douyin rounds at 22:59 (answered 23:02) and at 23:00
    s = w.session(dy, buyer(dy, "late1"), dy["agents"][0], d + timedelta(hours=22, minutes=59))
    w.message(s, d + timedelta(hours=22, minutes=59), "buyer", "还发货吗")
    w.message(s, d + timedelta(hours=23, minutes=1, seconds=30), "agent", "明天发")
    p["douyin_round_2259"] = {"session_id": s["session_id"]}
    s = w.session(dy, buyer(dy, "late2"), dy["agents"][1], d + timedelta(hours=23))
    w.message(s, d + timedelta(hours=23), "buyer", "在吗")
    w.message(s, d + timedelta(hours=23, minutes=2), "agent", "在的")
    p["douyin_round_2300"] = {"session_id": s["session_id"]}
    # filters: account (test account, listed in seeds/filter_accounts.csv), ad, single line, monologue, buyer-only
    s, _, _ = w.chat(tb, f"{tb['shop_id']}_b_test01", a1, d + timedelta(hours=9), 2)
    p["filter_account"] = {"session_id": s["session_id"], "buyer_id": f"{tb['shop_id']}_b_test01"}
    s, _, _ = w.chat(tb, buyer(tb, "spam"), a2, d + timedelta(hours=9, minutes=30), 1, ad=True)
    p["filter_ad"] = {"session_id": s["session_id"]}
    s = w.session(tb, buyer(tb, "single"), a1, d + timedelta(hours=15))
    w.message(s, d + timedelta(hours=15), "agent", "亲,您的订单还没付款哦")
    p["filter_single_line"] = {"session_id": s["session_id"]}
    s = w.session(tb, buyer(tb, "mono"), a2, d + timedelta(hours=16))
    w.message(s, d + timedelta(hours=16), "agent", "亲,活动最后一天")
    w.message(s, d + timedelta(hours=16, minutes=1), "agent", "领券立减20")
    p["filter_monologue"] = {"session_id": s["session_id"]}
    s = w.session(tb, buyer(tb, "ignored"), a2, d + timedelta(hours=17))
    w.message(s, d + timedelta(hours=17), "buyer", "有人吗")
    w.message(s, d + timedelta(hours=17, minutes=1), "buyer", "???")
    p["buyer_only_unanswered"] = {"session_id": s["session_id"]}
    # after-sale buyers: one re-orders inside the window, one does not
    for name, reorder in (("aftersale_reorder", True), ("aftersale_only", False)):
        b = buyer(tb, name)
        w.order(tb, b, w.start - timedelta(days=6, hours=-10), pay_delay_s=60, lines=1)
        s, t, _ = w.chat(tb, b, a1, d + timedelta(hours=13), 1, entry="order", after_sale=True)
        entry = {"session_id": s["session_id"]}
        if reorder:
            entry["order_id"] = w.order(tb, b, d + timedelta(days=1, hours=9), pay_delay_s=120)["order_id"]
        p[f"after_sale_{'reorders' if reorder else 'no_reorder'}"] = entry
    # agent follow-ups (buyer silent > 24 h before): one converts, one does not
    for name, converts in (("follow_yes", True), ("follow_no", False)):
        b = buyer(tb, name)
        s0, _, _ = w.chat(tb, b, a2, d - timedelta(hours=14), 1)
        s = w.session(tb, b, a2, d + timedelta(hours=12))
        w.message(s, d + timedelta(hours=12), "agent", "亲,上次看的款今天有券")
        w.message(s, d + timedelta(hours=12, minutes=5), "buyer", "好的我看看")
        entry = {"session_id": s["session_id"]}
        if converts:
            entry["order_id"] = w.order(tb, b, d + timedelta(hours=20), pay_delay_s=300)["order_id"]
        p[f"agent_followup_{'converts' if converts else 'no_order'}"] = entry
    # payment on D+3 and on D+4 after an inquiry
    for name, days in (("pay_d3", 3), ("pay_d4", 4)):
        b = buyer(tb, name)
        s, t, _ = w.chat(tb, b, a1, d + timedelta(hours=10), 1)
        created = d + timedelta(hours=18)
        o = w.order(tb, b, created, pay_delay_s=int((d + timedelta(days=days, hours=9) - created).total_seconds()))
        p[f"paid_on_d_plus_{days}"] = {"session_id": s["session_id"], "order_id": o["order_id"]}
    # one buyer consulting two agents the same day, both last messages at the same second before the order (tie)
    b = buyer(tb, "twoagents")
    t0 = d + timedelta(hours=19)
    s1 = w.session(tb, b, a1, t0)
    s2 = w.session(tb, b, a2, t0 + timedelta(minutes=1))
    w.message(s1, t0, "buyer", "这个有货吗")
    w.message(s2, t0 + timedelta(minutes=1), "buyer", "这个颜色呢")
    w.message(s1, t0 + timedelta(minutes=5), "agent", "有的")
    w.message(s2, t0 + timedelta(minutes=5), "agent", "有的亲")
    o = w.order(tb, b, t0 + timedelta(minutes=20), pay_delay_s=60, lines=2)
    p["two_agents_same_day_tie"] = {"order_id": o["order_id"], "session_ids": [s1["session_id"], s2["session_id"]]}
    p["order_with_two_lines"] = {"order_id": o["order_id"]}
    # payment chaser only (催付): no chat before the order, the agent chases it and the buyer pays
    b = buyer(tb, "chased")
    created = d + timedelta(hours=8)
    o = w.order(tb, b, created, pay_delay_s=int(timedelta(days=1, hours=2, minutes=30).total_seconds()))
    s = w.session(tb, b, a2, d + timedelta(days=1, hours=10))
    w.message(s, d + timedelta(days=1, hours=10), "agent", "亲,订单还没付款哦")
    w.message(s, d + timedelta(days=1, hours=10, minutes=5), "buyer", "马上付")
    p["payment_chaser_only"] = {"order_id": o["order_id"], "session_id": s["session_id"]}
    # a paid order whose only chat came after the payment
    b = buyer(tb, "chatafter")
    o = w.order(tb, b, d + timedelta(hours=9), pay_delay_s=60)
    s, _, _ = w.chat(tb, b, a1, d + timedelta(hours=11), 1)
    p["chat_only_after_payment"] = {"order_id": o["order_id"], "session_id": s["session_id"]}
    # an inquiry two days before the order: outside the default 2-day window, inside a 3-day one
    b = buyer(tb, "slowdecider")
    s, _, _ = w.chat(tb, b, a1, d + timedelta(hours=10), 1)
    o = w.order(tb, b, d + timedelta(days=2, hours=12), pay_delay_s=60)
    p["order_two_days_after_inquiry"] = {"order_id": o["order_id"], "session_id": s["session_id"]}
    # a silent paid order (no chat at all)
    o = w.order(tb, buyer(tb, "silent"), d + timedelta(hours=21), pay_delay_s=30)
    p["silent_paid_order"] = {"order_id": o["order_id"]}


def _bad_rows(w: _World, shops):
    """A few rows every export eventually contains; each must end in the rejects model (or the duplicate count)."""
    tb = shops[0]
    d = w.start + timedelta(days=2)
    msgs, sess, orders = w.rows["raw_messages"], w.rows["raw_sessions"], w.rows["raw_orders"]
    good_session = sess[0]["session_id"]
    bad = w.bad
    mid = w.next_id("m", 8)
    msgs.append(dict(message_id=mid, session_id="s_missing_0001", sent_at=_ts(d), sender_role="buyer",
                     is_auto_reply=False, content_type="text", content="孤儿消息"))
    bad["message_of_unknown_session"] = [mid]
    mid = w.next_id("m", 8)
    msgs.append(dict(message_id=mid, session_id=good_session, sent_at="2026-13-45 99:00", sender_role="buyer",
                     is_auto_reply=False, content_type="text", content="坏时间"))
    bad["unparsable_timestamp"] = [mid]
    mid = w.next_id("m", 8)
    msgs.append(dict(message_id=mid, session_id=good_session, sent_at=_ts(d), sender_role="bot",
                     is_auto_reply=False, content_type="text", content="?"))
    bad["unknown_sender_role"] = [mid]
    msgs.append(dict(msgs[5]))
    bad["exact_duplicate_message"] = [msgs[5]["message_id"]]
    s = w.session(tb, f"{tb['shop_id']}_b_bad1", tb["agents"][0], d)
    s["ended_at"] = _ts(d - timedelta(hours=1))
    bad["ended_before_started"] = [s["session_id"]]
    s = w.session(tb, f"{tb['shop_id']}_b_bad2", tb["agents"][0], d)
    s["platform"] = None
    bad["missing_platform"] = [s["session_id"]]
    s = w.session(tb, f"{tb['shop_id']}_b_bad3", tb["agents"][0], d)
    clash = dict(s)
    clash["buyer_id"] = f"{tb['shop_id']}_b_bad4"
    sess.append(clash)
    bad["conflicting_duplicate_session"] = [s["session_id"]]
    o = w.order(tb, f"{tb['shop_id']}_b_bad5", d, pay_delay_s=60)
    o["paid_at"] = _ts(d - timedelta(hours=2))
    bad["paid_before_created"] = [o["order_id"]]
    o = w.order(tb, f"{tb['shop_id']}_b_bad6", d)
    o["order_amount"] = "-5.00"
    bad["negative_amount"] = [o["order_id"]]
    w.rows["raw_ratings"].append(dict(session_id=good_session, rated_at=_ts(d), rating=7))
    bad["rating_out_of_range"] = [good_session]
    eid = w.next_id("e", 7)
    w.rows["raw_faq_events"].append(dict(event_id=eid, platform=tb["platform"], shop_id=tb["shop_id"],
                                         buyer_id=f"{tb['shop_id']}_b_bad7", session_id=None,
                                         faq_id=f"{tb['shop_id']}_f01", event_type="liked", occurred_at=_ts(d)))
    bad["unknown_event_type"] = [eid]
    eid = w.next_id("e", 7)
    w.rows["raw_faq_events"].append(dict(event_id=eid, platform=tb["platform"], shop_id=tb["shop_id"],
                                         buyer_id=f"{tb['shop_id']}_b_bad7", session_id=None,
                                         faq_id=f"{tb['shop_id']}_f99", event_type="shown", occurred_at=_ts(d)))
    bad["unknown_faq_id"] = [eid]
    del orders  # (kept for readability above)


def _simulate_shop(w: _World, shop, buyers: int):
    rng = w.rng
    sid = shop["shop_id"]
    agents = shop["agents"]
    weights = [1, 1, 2, 1, 1][: len(agents)]
    presale_agents = agents[:-1]
    presale_weights = weights[:-1]
    # roster: the last agent is after-sale; agent 2 changes weight mid-period (two versions)
    for k, a in enumerate(agents):
        row = dict(agent_id=a, platform=shop["platform"], shop_id=sid, agent_name=f"客服{k + 1}",
                   group_name="售后" if a == agents[-1] else "售前", routing_weight=weights[k],
                   max_concurrent=rng.choice([5, 8, 10]), is_active=True, updated_at=_ts(w.start - timedelta(days=30)))
        w.rows["raw_agents"].append(row)
        if k == 1:
            w.rows["raw_agents"].append({**row, "routing_weight": 3, "updated_at": _ts(w.start + timedelta(days=2))})
    # online log: day shifts with a busy spell; agent 1 also covers an evening shift into the night; the
    # after-sale agent is offline on the second day
    for day in range(w.days):
        base = w.start + timedelta(days=day)
        for k, a in enumerate(agents):
            if a == agents[-1] and day == 1:
                continue
            on = base + timedelta(hours=8, minutes=rng.randrange(0, 60))
            busy = base + timedelta(hours=12, minutes=rng.randrange(0, 30))
            w.rows["raw_agent_status"] += [
                dict(agent_id=a, status="online", started_at=_ts(on), ended_at=_ts(busy)),
                dict(agent_id=a, status="busy", started_at=_ts(busy), ended_at=_ts(busy + timedelta(minutes=45))),
                dict(agent_id=a, status="away", started_at=_ts(busy + timedelta(minutes=45)),
                     ended_at=_ts(busy + timedelta(minutes=90))),
                dict(agent_id=a, status="online", started_at=_ts(busy + timedelta(minutes=90)),
                     ended_at=_ts(base + timedelta(hours=18))),
            ]
            if k == 0:
                w.rows["raw_agent_status"].append(dict(agent_id=a, status="online",
                                                       started_at=_ts(base + timedelta(hours=19)),
                                                       ended_at=_ts(base + timedelta(hours=24, minutes=30))))
    # FAQ questions
    faqs = [f"{sid}_f{k:02d}" for k in range(1, 7)]
    for k, f in enumerate(faqs):
        w.rows["raw_faq_questions"].append(dict(faq_id=f, platform=shop["platform"], shop_id=sid,
                                                topic=TOPICS[k % len(TOPICS)], question=f"常见问题{k + 1}"))
    # history: paid orders before the period (after-sale context for some buyers)
    ids = [f"{sid}_b{n:06d}" for n in range(1, buyers + 1)]
    for b in ids:
        if rng.random() < 0.12:
            w.order(shop, b, w.start - timedelta(days=rng.randint(2, 30), hours=-rng.randint(9, 20)), pay_delay_s=90)
    for b in ids:
        # visits (many more visitors than chatters)
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            day = w.start + timedelta(days=rng.randrange(w.days))
            _browse(w, shop, b, _day_time(rng, day))
        r = rng.random()
        if r < 0.45:
            continue  # visitor only
        if r < 0.52:
            # silent buyer: orders without chatting
            day = w.start + timedelta(days=rng.randrange(w.days))
            w.order(shop, b, _day_time(rng, day), pay_delay_s=rng.choice([20, 60, 600, None]))
            continue
        for _visit in range(rng.choice([1, 1, 1, 2])):
            day = w.start + timedelta(days=rng.randrange(w.days))
            t = _day_time(rng, day)
            _chat_visit(w, shop, b, t, agents, presale_agents, presale_weights, [agents[-1]], faqs)


def _chat_visit(w: _World, shop, b, t, agents, presale_agents, presale_weights, after_agents, faqs):
    """One buyer's chat visit starting at t: robot-only, or a chat with a pre-sale (or after-sale) agent, maybe a
    transfer, a rating, FAQ events, an order and a payment chase. Shared by every size (S draws unchanged)."""
    rng = w.rng
    kind = rng.random()
    agent = rng.choices(presale_agents, weights=presale_weights)[0]
    after_sale = rng.random() < 0.12
    if after_sale:
        agent = after_agents[0] if len(after_agents) == 1 else rng.choice(after_agents)
    if kind < 0.08:
        s = w.session(shop, b, None, t, entry="shop")
        w.message(s, t, "buyer", rng.choice(BUYER_TEXT))
        w.message(s, t + timedelta(seconds=2), "robot", "您好,请问有什么可以帮您")
        w.message(s, t + timedelta(seconds=40), "buyer", "好的谢谢")
        _faq(w, shop, b, s, t, faqs)
        return
    robot_first = kind < 0.33
    s, t_end, _ = w.chat(shop, b, agent, t, rng.choice([1, 1, 2, 2, 3, 4]),
                         entry="order" if after_sale else rng.choice(["product", "product", "shop",
                                                                      "campaign", "other"]),
                         robot_first=robot_first, after_sale=after_sale,
                         unanswered_tail=rng.random() < 0.08, welcome=rng.random() < 0.3)
    if rng.random() < 0.04:
        # agent-to-agent transfer to a colleague
        other = rng.choice([a for a in agents if a != agent])
        s2 = w.session(shop, b, other, t_end + timedelta(seconds=30), transferred_from=s["session_id"])
        w.message(s2, t_end + timedelta(seconds=30), "agent", "您好,我来为您处理")
        w.message(s2, t_end + timedelta(seconds=90), "buyer", "好的")
    if rng.random() < 0.3:
        w.rows["raw_ratings"].append(dict(session_id=s["session_id"],
                                          rated_at=_ts(t_end + timedelta(minutes=2)),
                                          rating=rng.choices([1, 2, 3, 4, 5], weights=[2, 2, 6, 25, 65])[0]))
    if rng.random() < 0.2:
        _faq(w, shop, b, s, t, faqs)
    if after_sale:
        return
    if rng.random() < 0.38:
        created = t_end + timedelta(minutes=rng.choice([2, 5, 15, 60, 300, 900, 1500]))
        delay = rng.choices([30, 300, 3600 * 20, 3600 * 50, 3600 * 75, 3600 * 100, None],
                            weights=[45, 20, 10, 5, 4, 3, 13])[0]
        o = w.order(shop, b, created, pay_delay_s=delay, refund=rng.random() < 0.04)
        if o["paid_at"] is None and rng.random() < 0.5:
            # 催付: the agent chases the unpaid order the next day
            chase = created + timedelta(hours=rng.randint(20, 30))
            s3 = w.session(shop, b, agent, chase)
            w.message(s3, chase, "agent", "亲,订单还没付款哦,今天有优惠")
            if rng.random() < 0.6:
                w.message(s3, chase + timedelta(minutes=3), "buyer", "好的马上付")
                paid = chase + timedelta(minutes=10)
                o.update(paid_at=_ts(paid), payment_amount=o["order_amount"], status="paid")
                # the order lands twice: first as created, then again when paid
                w.rows["raw_orders"].append({**o, "paid_at": None, "payment_amount": None,
                                             "status": "created", "updated_at": o["created_at"]})
                o["updated_at"] = _ts(paid)


def _browse(w: _World, shop, b, t):
    """A shop visit (raw_visits) at t, on a product page 70% of the time."""
    rng, sid = w.rng, shop["shop_id"]
    w.rows["raw_visits"].append(dict(platform=shop["platform"], shop_id=sid, visitor_id=b, visited_at=_ts(t),
                                     product_id=f"{sid}_p{rng.randrange(1, 13):03d}" if rng.random() < 0.7 else None))


def _faq(w: _World, shop, buyer, session, t, faqs):
    rng = w.rng

    def event(kind, at, faq):
        eid = w.next_id("e", 7)
        row = dict(event_id=eid, platform=shop["platform"], shop_id=shop["shop_id"], buyer_id=buyer,
                   session_id=session["session_id"], faq_id=faq, event_type=kind, occurred_at=_ts(at))
        w.rows["raw_faq_events"].append(row)
        return row

    faq = rng.choice(faqs)
    shown = event("shown", t + timedelta(seconds=3), faq)
    if rng.random() < 0.02:
        w.rows["raw_faq_events"].append(dict(shown))  # the same event delivered twice
    if rng.random() < 0.55:
        event("clicked", t + timedelta(seconds=20), faq)
        if rng.random() < 0.6:
            event("resolved", t + timedelta(seconds=60), faq)
            if rng.random() < 0.7:
                event("helpful", t + timedelta(seconds=65), faq)
        else:
            event("transferred", t + timedelta(seconds=60), faq)
            if rng.random() < 0.5:
                event("unhelpful", t + timedelta(seconds=62), faq)


def _write_text(rows: list[dict], columns: list[str], path: Path):
    """_write for rows whose text columns already hold str or None (M/L): no conversion pass."""
    arrays = []
    for c in columns:
        kind = pa.int64() if c in INT_COLUMNS else pa.bool_() if c in BOOL_COLUMNS else pa.string()
        arrays.append(pa.array([r[c] for r in rows], type=kind))
    pq.write_table(pa.Table.from_arrays(arrays, names=columns), path, compression="zstd")


def _write(rows: list[dict], columns: list[str], path: Path):
    arrays = []
    for c in columns:
        values = [r.get(c) for r in rows]
        if c in INT_COLUMNS:
            arrays.append(pa.array(values, type=pa.int64()))
        elif c in BOOL_COLUMNS:
            arrays.append(pa.array(values, type=pa.bool_()))
        else:
            arrays.append(pa.array([None if v is None else str(v) for v in values], type=pa.string()))
    pq.write_table(pa.Table.from_arrays(arrays, names=columns), path, compression="zstd")


def generate(out_dir, seed: int = 42, shops: int | None = None, buyers: int = 300, days: int | None = None,
             start: str = "2026-11-01", scale: float = 1.0, size: str = "S", workers: int = 2,
             report: dict | None = None) -> dict[str, int]:
    """Write the landing folder; returns rows per table. size S (default): the flat sample (4 shops, 14 days);
    M / L: SIZES, streamed into date folders by `workers` processes (shops / days override the size's defaults)."""
    out = Path(out_dir)
    if size != "S":
        from kefu.generate_sized import SIZES, _generate_sized

        if size not in SIZES:
            raise ValueError(f"unknown size {size!r} (S, M or L)")
        counts, info = _generate_sized(out, size, seed, shops, days, start, scale, workers)
        write_sample_config(out)
        if report is not None:
            report.update(info)  # e.g. the workers' peak memory (not in the manifest: it varies between runs)
        return counts
    shops = 4 if shops is None else shops
    days = 14 if days is None else days
    w = _World(seed, datetime.strptime(start, "%Y-%m-%d"), days)
    shop_list = _shops(shops)
    for shop in shop_list:
        _simulate_shop(w, shop, max(10, int(buyers * scale)))
    _plant(w, shop_list)
    _bad_rows(w, shop_list)
    counts = {}
    out.mkdir(parents=True, exist_ok=True)
    for table, columns in TABLE_COLUMNS.items():
        folder = out / table
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        rows = w.rows[table]
        if table == "raw_messages":
            half = len(rows) // 2
            _write(rows[:half], columns, folder / "part-0.parquet")
            _write(rows[half:], columns, folder / "part-1.parquet")
        else:
            _write(rows, columns, folder / "part-0.parquet")
        counts[table] = len(rows)
    manifest = dict(seed=seed, shops=shops, buyers=buyers, days=days, start=start, scale=scale, counts=counts,
                    planted=w.planted, bad_rows=w.bad,
                    shop_list=[dict(platform=s["platform"], shop_id=s["shop_id"], agents=s["agents"])
                               for s in shop_list])
    (out / "_manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True))
    write_sample_config(out)
    return counts


def _add_arguments(p: argparse.ArgumentParser, out_default: str):
    p.add_argument("--out", default=out_default)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--size", choices=["S", "M", "L"], default="S",
                   help="S: the flat sample (default); M: ~5M messages, 100 shops, 30 days; L: ~30M messages, "
                        "250 shops, 60 days (M/L: date folders, one promotion day)")
    p.add_argument("--shops", type=int, default=None, help="shops (default: 4 for S, the size's count for M/L)")
    p.add_argument("--buyers", type=int, default=300, help="buyers per shop (S only)")
    p.add_argument("--days", type=int, default=None, help="days (default: 14 for S, 30 for M, 60 for L)")
    p.add_argument("--start", default="2026-11-01")
    p.add_argument("--scale", type=float, default=1.0, help="S: buyers x scale; M/L: volume x scale")
    p.add_argument("--workers", type=int, default=2, help="M/L: processes (the output does not depend on it)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    _add_arguments(p, "data/landing")
    a = p.parse_args(argv)
    counts = generate(a.out, a.seed, a.shops, a.buyers, a.days, a.start, a.scale, a.size, a.workers)
    for table, n in counts.items():
        print(f"{table}: {n} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
