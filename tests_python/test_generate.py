"""The sample-data generator: deterministic, complete, and it really contains every planted and bad case."""
from __future__ import annotations

import hashlib
import json

import duckdb
import pyarrow.parquet as pq
import pytest

from kefu.generate import TABLE_COLUMNS, generate

SMALL = dict(shops=4, buyers=40, days=5)


def _digest(folder):
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    generate(str(out), seed=11, **SMALL)
    return out


def _sql(landing, table, where="true", select="count(*)"):
    return duckdb.sql(f"select {select} from read_parquet('{landing}/{table}/*.parquet') where {where}").fetchall()


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(str(a), seed=5, **SMALL)
    generate(str(b), seed=5, **SMALL)
    generate(str(c), seed=6, **SMALL)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_every_table_has_rows_and_exact_columns(landing):
    for table, columns in TABLE_COLUMNS.items():
        files = sorted((landing / table).glob("*.parquet"))
        assert files, table
        assert pq.read_schema(files[0]).names == columns
        assert _sql(landing, table)[0][0] > 0, table
    assert len(list((landing / "raw_messages").glob("*.parquet"))) == 2


def test_planted_cases_present(landing):
    manifest = json.loads((landing / "_manifest.json").read_text())
    expected = {
        "robot_transfer_carried_question", "midnight_crossing", "agent_transfer", "burst_of_three",
        "auto_reply_before_manual", "douyin_round_2259", "douyin_round_2300", "filter_account", "filter_ad",
        "filter_single_line", "filter_monologue", "buyer_only_unanswered", "after_sale_reorders",
        "after_sale_no_reorder", "agent_followup_converts", "agent_followup_no_order", "paid_on_d_plus_3",
        "paid_on_d_plus_4", "two_agents_same_day_tie", "silent_paid_order", "order_with_two_lines",
        "payment_chaser_only", "chat_only_after_payment", "order_two_days_after_inquiry",
    }
    assert expected <= set(manifest["planted"])
    p = manifest["planted"]
    # the douyin round at 22:59 is answered at 23:01:30
    sid = p["douyin_round_2259"]["session_id"]
    times = _sql(landing, "raw_messages", f"session_id = '{sid}'", "strftime(cast(sent_at as timestamp), '%H:%M')")
    assert sorted(t for (t,) in times) == ["22:59", "23:01"]
    # the transfer session has a human_joined_at and buyer messages before it
    sid = p["robot_transfer_carried_question"]["session_id"]
    assert _sql(landing, "raw_sessions", f"session_id = '{sid}' and human_joined_at is not null")[0][0] == 1
    # midnight crossing: messages on two calendar days
    sid = p["midnight_crossing"]["session_id"]
    assert _sql(landing, "raw_messages", f"session_id = '{sid}'", "count(distinct left(sent_at, 10))")[0][0] == 2
    # the agent transfer points at its predecessor
    t = p["agent_transfer"]
    assert _sql(landing, "raw_sessions", f"session_id = '{t['session_id']}' and "
                                         f"transferred_from_session_id = '{t['from_session_id']}'")[0][0] == 1
    # the two-line order has two lines
    oid = p["order_with_two_lines"]["order_id"]
    assert _sql(landing, "raw_order_items", f"order_id = '{oid}'")[0][0] == 2


def test_bad_rows_present(landing):
    manifest = json.loads((landing / "_manifest.json").read_text())
    bad = manifest["bad_rows"]
    for kind in ["message_of_unknown_session", "unparsable_timestamp", "unknown_sender_role", "exact_duplicate_message",
                 "ended_before_started", "missing_platform", "conflicting_duplicate_session", "paid_before_created",
                 "negative_amount", "rating_out_of_range", "unknown_event_type", "unknown_faq_id"]:
        assert bad.get(kind), kind
    dup = bad["exact_duplicate_message"][0]
    assert _sql(landing, "raw_messages", f"message_id = '{dup}'")[0][0] == 2
    assert _sql(landing, "raw_messages", "sent_at = '2026-13-45 99:00'")[0][0] == 1


def test_good_rows_are_referentially_sane(landing):
    manifest = json.loads((landing / "_manifest.json").read_text())
    orphans = _sql(landing, "raw_messages",
                   f"session_id not in (select session_id from read_parquet('{landing}/raw_sessions/*.parquet'))",
                   "list(message_id)")[0][0]
    assert orphans == manifest["bad_rows"]["message_of_unknown_session"]
    early = _sql(landing, "raw_orders", "paid_at < created_at", "list(order_id)")[0][0]
    assert early == manifest["bad_rows"]["paid_before_created"]


TINY_M = dict(size="M", shops=6, days=3)


def test_sized_run_is_deterministic_whatever_the_workers(tmp_path):
    """A tiny M-shaped run: same arguments, same bytes, with one process or two (shards are fixed)."""
    a, b = tmp_path / "a", tmp_path / "b"
    generate(str(a), seed=7, workers=1, **TINY_M)
    generate(str(b), seed=7, workers=2, **TINY_M)
    assert _digest(a) == _digest(b)


def test_sized_run_layout_and_shape(tmp_path):
    out = tmp_path / "m"
    counts = generate(str(out), seed=7, **TINY_M)
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["size"] == "M" and manifest["layout"] == "date-partitioned"
    assert manifest["shops"] == 6 and manifest["days"] == 3 and manifest["counts"] == counts
    promo = manifest["promo_date"]
    assert promo == "2026-11-02"  # day index days // 2 when the period is shorter than 11 days
    # every dated table sits in date= folders whose date is each row's business date; roster and FAQs are flat
    for table, column in [("raw_messages", "sent_at"), ("raw_sessions", "started_at"), ("raw_orders", "updated_at"),
                          ("raw_visits", "visited_at"), ("raw_agent_status", "started_at")]:
        assert not list((out / table).glob("*.parquet")), table
        off = duckdb.sql(f"select count(*) from read_parquet('{out}/{table}/*/*.parquet', filename = true) "
                         f"where try_cast({column} as timestamp) is not null "
                         f"and filename not like '%date=' || left({column}, 10) || '/%'").fetchall()[0][0]
        assert off == 0, table
    assert list((out / "raw_agents").glob("*.parquet")) and list((out / "raw_faq_questions").glob("*.parquet"))
    for table in TABLE_COLUMNS:
        assert duckdb.sql(f"select count(*) from read_parquet('{out}/{table}/**/*.parquet')").fetchall()[0][0] \
            == counts[table], table
    # ids unique across shops (only the planted duplicates repeat)
    bad = manifest["bad_rows"]
    dup_messages = duckdb.sql(f"select list(message_id) from (select message_id from read_parquet("
                              f"'{out}/raw_messages/*/*.parquet') group by 1 having count(*) > 1)").fetchall()[0][0]
    assert dup_messages == bad["exact_duplicate_message"]
    dup_sessions = duckdb.sql(f"select list(session_id) from (select session_id from read_parquet("
                              f"'{out}/raw_sessions/*/*.parquet') group by 1 having count(*) > 1)").fetchall()[0][0]
    assert dup_sessions == bad["conflicting_duplicate_session"]
    # four platforms, shops of mixed size, 3..40 agents each
    assert {s["shop_id"][:2] for s in manifest["shop_list"]} == {"tb", "tm", "dy", "sp"}
    agents = [len(s["agents"]) for s in manifest["shop_list"]]
    assert min(agents) >= 3 and max(agents) <= 40
    arrivals = sorted(s["arrivals_per_day"] for s in manifest["shop_list"])
    assert arrivals[-1] > 3 * arrivals[0]
    # the promotion day carries several times an ordinary day's chats
    per_day = dict(duckdb.sql(f"select left(started_at, 10), count(*) from read_parquet("
                              f"'{out}/raw_sessions/*/*.parquet') group by 1").fetchall())
    assert per_day[promo] > 2.5 * per_day["2026-11-01"]
    assert set(manifest["planted"]) >= {"midnight_crossing", "agent_transfer", "silent_paid_order"}
