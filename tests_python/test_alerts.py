"""预警 alerts: opened and closed at each publish, pushed once to a group-robot webhook (kefu/alerts.py).

* Formats: the 企业微信 / 钉钉 / 飞书 text payloads as a local HTTP server receives them.
* Ledger: events pushed once; a refused connection, an HTTP 500 or a timeout leaves them pending for the next push.
* Journey: a small generated sample plus a hand-made morning file in which six buyers of tb01 wait half an hour with
  no reply → `kefu build` opens the alert and the server receives it once; `kefu refresh` without a new file posts
  nothing; a file with the replies lands → `kefu refresh` closes it while the webhook answers 500 (exit 0, one warning
  line), and the next refresh (webhook OK) delivers the close once.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, project_copy, run_dbt, target_dir
from kefu import alerts

KEFU = str(Path(sys.executable).with_name("kefu"))


class Robot:
    """A group robot on localhost: records every POST (path, JSON body); answers 200 {"errcode":0} or, while
    `status` says so, that HTTP status; `delay` seconds before answering."""

    def __init__(self):
        self.posts: list[tuple[str, dict]] = []
        self.attempts = 0
        self.status = 200
        self.delay = 0.0
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                robot.attempts += 1
                if robot.delay:
                    time.sleep(robot.delay)
                if robot.status != 200:
                    self.send_response(robot.status)
                    self.end_headers()
                    return
                robot.posts.append((self.path, json.loads(body.decode("utf-8"))))
                answer = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def contents(self) -> list[str]:
        out = []
        for _, body in self.posts:
            out.append(body["text"]["content"] if "text" in body else body["content"]["text"])
        return out


@pytest.fixture()
def robot():
    server = Robot()
    yield server
    server.close()


def _condition(rule="waiting_buyers_above", value=8.0, threshold=5.0, breached=True, agent=None,
               at="2026-11-15 09:30:00"):
    return {"platform": "taobao", "shop_id": "tb01", "shop_name": "云朵服饰", "agent_id": agent,
            "agent_name": "客服1" if agent else None, "rule": rule, "status_at": dt.datetime.fromisoformat(at),
            "value": value, "threshold": threshold, "is_breached": breached}


def _ledger(run_log: Path) -> list[tuple]:
    with duckdb.connect(str(run_log), read_only=True) as con:
        return con.execute("select event, status, attempts from main.kefu_alert_pushes order by event_at, event"
                           ).fetchall()


# ---------------------------------------------------------------- formats

@pytest.mark.parametrize("fmt", alerts.FORMATS)
def test_payload_formats_as_the_robot_receives_them(fmt, robot):
    text = "kefu 预警 · 1 条\n【预警】云朵服饰（taobao/tb01） · 待回复买家数 8 人 > 阈值 5 人 · 开始 2026-11-15 09:30"
    assert alerts.post(robot.url, alerts.payload(fmt, text)) is None
    (path, body), = robot.posts
    assert path == "/cgi-bin/webhook/send?key=test"
    if fmt == "feishu":
        assert body == {"msg_type": "text", "content": {"text": text}}
    else:  # 企业微信 and 钉钉 share the text message shape
        assert body == {"msgtype": "text", "text": {"content": text}}


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="wecom, dingtalk, feishu"):
        alerts.payload("slack", "x")


def test_message_lines_name_shop_agent_rule_values_and_times():
    shop = {**_condition(), "opened_at": dt.datetime(2026, 11, 15, 9, 30), "closed_at": None}
    assert alerts.event_message(shop, "open") == (
        "【预警】云朵服饰（taobao/tb01） · 待回复买家数 8 人 > 阈值 5 人 · 开始 2026-11-15 09:30")
    agent = {**_condition("agent_silent_minutes", 42.5, 30.0, agent="tb01_a01"),
             "opened_at": dt.datetime(2026, 11, 15, 9, 30), "closed_at": dt.datetime(2026, 11, 15, 9, 45)}
    assert alerts.event_message(agent, "close", 3.0) == (
        "【恢复】云朵服饰（taobao/tb01） · 客服 客服1 · 客服无回复 恢复正常（预警时 42.5 分钟，阈值 ≥ 30 分钟，当前 3 分钟）"
        " · 开始 2026-11-15 09:30 · 结束 2026-11-15 09:45")
    rate = {**_condition("three_minute_rate_below", 0.5, 0.6), "opened_at": dt.datetime(2026, 11, 15, 9, 30)}
    assert "三分钟响应率 50.0% < 阈值 60.0%" in alerts.event_message(rate, "open")


# ---------------------------------------------------------------- state and ledger (no dbt)

def test_open_update_close_and_push_once(tmp_path, robot):
    run_log = tmp_path / "kefu_runs.duckdb"
    assert alerts.reconcile(run_log, [_condition(), _condition("longest_wait_above_seconds", 100, 600, False)],
                            "r1") == {"opened": 1, "closed": 0, "open": 1}
    assert alerts.push_pending(run_log, robot.url, "wecom") == {"sent": 1, "pending": 0, "skipped": 0}
    # still breached at a later clock: stays open (value and checked_at follow), nothing new to push
    assert alerts.reconcile(run_log, [_condition(value=9.0, at="2026-11-15 09:40:00")], "r2")["opened"] == 0
    assert alerts.push_pending(run_log, robot.url, "wecom")["sent"] == 0
    with duckdb.connect(str(run_log), read_only=True) as con:
        assert con.execute("select value, opened_at, checked_at, closed_at from main.kefu_alerts").fetchall() == [
            (9.0, dt.datetime(2026, 11, 15, 9, 30), dt.datetime(2026, 11, 15, 9, 40), None)]
    # no longer breached: closed at the shop's clock, the close pushed once
    assert alerts.reconcile(run_log, [_condition(value=1.0, breached=False, at="2026-11-15 09:50:00")], "r3") == {
        "opened": 0, "closed": 1, "open": 0}
    alerts.push_pending(run_log, robot.url, "wecom")
    alerts.push_pending(run_log, robot.url, "wecom")
    assert len(robot.posts) == 2
    assert "【恢复】" in robot.contents()[1] and "结束 2026-11-15 09:50" in robot.contents()[1]
    # breached again later: a new alert with a new id
    alerts.reconcile(run_log, [_condition(at="2026-11-15 10:30:00")], "r4")
    with duckdb.connect(str(run_log), read_only=True) as con:
        assert con.execute("select count(distinct alert_id), count(*) filter (where closed_at is null) "
                           "from main.kefu_alerts").fetchone() == (2, 1)


def test_an_alert_whose_rule_no_longer_applies_closes_at_the_shop_clock(tmp_path):
    run_log = tmp_path / "kefu_runs.duckdb"
    alerts.reconcile(run_log, [_condition("agent_silent_minutes", 40, 30, agent="tb01_a01")], "r1")
    # the agent went offline: its row is not breached (value null); the shop's clock moved on
    alerts.reconcile(run_log, [_condition(value=0, breached=False, at="2026-11-15 10:05:00")], "r2")
    with duckdb.connect(str(run_log), read_only=True) as con:
        assert con.execute("select closed_at from main.kefu_alerts").fetchall() == [(dt.datetime(2026, 11, 15, 10, 5),)]


@pytest.mark.parametrize("failure", ["refused", "http_500", "timeout"])
def test_a_failed_push_waits_for_the_next_run(failure, tmp_path, robot, capsys, monkeypatch):
    run_log = tmp_path / "kefu_runs.duckdb"
    alerts.reconcile(run_log, [_condition()], "r1")
    if failure == "refused":
        url = "http://127.0.0.1:9/nothing-listens-here"
    elif failure == "http_500":
        robot.status, url = 500, robot.url
    else:
        robot.delay, url = 1.0, robot.url
        monkeypatch.setattr(alerts, "TIMEOUT_SECONDS", 0.3)
    assert alerts.push_pending(run_log, url, "dingtalk")["pending"] == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("WARNING: kefu alerts: webhook push failed"), err
    assert _ledger(run_log) == [("open", "pending", 1)]
    robot.status, robot.delay = 200, 0.0
    assert alerts.push_pending(run_log, robot.url, "dingtalk")["sent"] == 1
    assert alerts.push_pending(run_log, robot.url, "dingtalk")["sent"] == 0
    assert _ledger(run_log) == [("open", "sent", 2)]
    assert len(robot.posts) == 1


def test_no_webhook_configured_skips_events(tmp_path, monkeypatch):
    monkeypatch.delenv(alerts.WEBHOOK_URL_ENV, raising=False)
    run_log = tmp_path / "kefu_runs.duckdb"
    alerts.reconcile(run_log, [_condition()], "r1")
    assert alerts.push_pending(run_log) == {"sent": 0, "pending": 0, "skipped": 1}
    assert _ledger(run_log) == [("open", "skipped", 0)]


def test_many_events_are_batched_under_the_robot_limit():
    lines = [((i, "open"), "【预警】" + "店" * 100) for i in range(20)]
    groups = alerts.batches(lines)
    assert sum(len(g) for g in groups) == 20 and len(groups) > 1
    assert all(len(alerts._content(g).encode("utf-8")) < 2048 for g in groups)


# ---------------------------------------------------------------- the seed's contract

def test_bad_alert_rules_stop_the_build_naming_the_line(tmp_path, small_landing):
    project = project_copy(tmp_path / "kefu")
    (project / "seeds" / "alert_rules.csv").write_text(
        "platform,shop_id,rule,threshold\n"
        ",,waiting_buyers_above,5\n"
        ",,queue_too_long,3\n"
        "taobao,zz99,waiting_buyers_above,5\n"
        ",,three_minute_rate_below,1.5\n"
        "taobao,,shopee_reply_rate_below,0.7\n"
        ",tb01,agent_silent_minutes,10\n"
        "douyin,,agent_silent_minutes,20\n"
        "tmall,,agent_silent_minutes,0\n"
        "taobao,tb01,longest_wait_above_seconds,\n", encoding="utf-8")
    db = tmp_path / "kefu.duckdb"
    run_dbt(["seed", "--select", "shops", "alert_rules"], db, small_landing, "target_pytest_alert_rules", check=True,
            project=project)
    proc = run_dbt(["run", "--select", "stg_config__alert_rules"], db, small_landing, "target_pytest_alert_rules",
                   project=project)
    assert proc.returncode != 0
    out = " ".join(proc.stdout.split())
    assert "seeds/alert_rules.csv: line 3" in out and "unknown rule queue_too_long" in out
    assert "line 4" in out and "unknown shop taobao/zz99" in out
    assert "line 5" in out and "three_minute_rate_below threshold must be a share in (0, 1], not 1.5" in out
    assert "line 6" in out and "shopee_reply_rate_below applies to platform shopee only" in out
    assert "line 7" in out and "a row naming a shop_id must name its platform" in out
    # five lines at most per message: line 9's problem waits for the next run
    assert "line 2" not in out and "line 8" not in out and "line 9" not in out


def test_duplicate_and_range_problems_of_alert_rules(tmp_path, small_landing):
    project = project_copy(tmp_path / "kefu")
    (project / "seeds" / "alert_rules.csv").write_text(
        "platform,shop_id,rule,threshold\n"
        "tmall,,agent_silent_minutes,0\n"
        "shopee,,waiting_buyers_above,2.5\n"
        ",,longest_wait_above_seconds,600\n"
        ",,longest_wait_above_seconds,300\n"
        "taobao,tb01,longest_wait_above_seconds,\n", encoding="utf-8")
    db = tmp_path / "kefu.duckdb"
    run_dbt(["seed", "--select", "shops", "alert_rules"], db, small_landing, "target_pytest_alert_rules", check=True,
            project=project)
    proc = run_dbt(["run", "--select", "stg_config__alert_rules"], db, small_landing, "target_pytest_alert_rules",
                   project=project)
    out = " ".join(proc.stdout.split())
    assert proc.returncode != 0
    assert "line 2" in out and "agent_silent_minutes threshold must be a whole number >= 1, not 0" in out
    assert "line 3" in out and "waiting_buyers_above threshold must be a whole number >= 0, not 2.5" in out
    assert "line 4" in out and "line 5" in out and "duplicate row for rule longest_wait_above_seconds" in out
    assert "line 6" not in out  # an empty threshold switches the rule off for tb01


# ---------------------------------------------------------------- journey: kefu build, kefu refresh

MORNING_BUYERS = 6


def _write(con: duckdb.DuckDBPyConnection, template: str, rows_sql: str, out: Path) -> None:
    """rows_sql (columns by name) written as a Parquet file with the template file's column types."""
    con.execute(f"create or replace temp table shape as select * from read_parquet('{template}') limit 0")
    con.execute(f"insert into shape by name {rows_sql}")
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy shape to '{out}' (format parquet)")


def _morning(landing: Path, day: dt.date) -> None:
    """Six buyers of tb01 ask twice between 09:00 and 09:06 in sessions of agent tb01_a01; nobody answers; one
    buyer asks again at 09:30 (the shop's clock)."""
    sessions = " union all ".join(
        f"select 'alert-s{i}' as session_id, 'taobao' as platform, 'tb01' as shop_id, 'alert-buyer-{i}' as buyer_id, "
        f"'tb01_a01' as agent_id, '{day} 09:0{i}:00' as started_at, null as ended_at, null as human_joined_at, "
        "'product' as entry_point, null as transferred_from_session_id" for i in range(MORNING_BUYERS))
    messages = " union all ".join(
        f"select 'alert-m{i}-{n}' as message_id, 'alert-s{i}' as session_id, '{day} 09:0{i}:{n}0' as sent_at, "
        "'buyer' as sender_role, false as is_auto_reply, 'text' as content_type, '在吗？这件有货吗' as content"
        for i in range(MORNING_BUYERS) for n in range(2))
    messages += (f" union all select 'alert-m0-9', 'alert-s0', '{day} 09:30:00', 'buyer', false, 'text', "
                 "'还在吗' ")
    with duckdb.connect() as con:
        _write(con, f"{landing}/raw_sessions/*.parquet", sessions, landing / "raw_sessions" / "alert-morning.parquet")
        _write(con, f"{landing}/raw_messages/*.parquet", messages, landing / "raw_messages" / "alert-morning.parquet")


def _replies(landing: Path, day: dt.date) -> None:
    """tb01_a01 answers every buyer at 09:31."""
    messages = " union all ".join(
        f"select 'alert-r{i}' as message_id, 'alert-s{i}' as session_id, '{day} 09:31:0{i}' as sent_at, "
        "'agent' as sender_role, false as is_auto_reply, 'text' as content_type, '亲，有货的' as content"
        for i in range(MORNING_BUYERS))
    with duckdb.connect() as con:
        _write(con, f"{landing}/raw_messages/part-0.parquet", messages,
               landing / "raw_messages" / "alert-replies.parquet")


def _kefu(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([KEFU, *args], env=env, capture_output=True, text=True, cwd=ROOT)


def _published_alerts(published: Path) -> list[tuple]:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("select rule, value, threshold, opened_at, closed_at from marts.fct_alerts "
                           "where shop_id = 'tb01' and rule in ('waiting_buyers_above', 'longest_wait_above_seconds') "
                           "order by rule").fetchall()


def _lines(robot: Robot, marker: str) -> list[str]:
    return [line for content in robot.contents() for line in content.splitlines()
            if "（taobao/tb01）" in line and "待回复买家数" in line and marker in line]


@pytest.mark.slow
def test_slow_morning_opens_an_alert_pushed_once_and_replies_close_it(tmp_path, robot):
    from kefu.generate import generate

    landing = tmp_path / "landing"
    generate(str(landing), seed=3, shops=3, buyers=60, days=5)
    with duckdb.connect() as con:
        last = con.execute(f"select max(try_cast(sent_at as timestamp)) from read_parquet('{landing}/raw_messages/*.parquet')"
                           ).fetchone()[0]
    day = last.date() + dt.timedelta(days=1)
    _morning(landing, day)
    work = tmp_path / "work"
    published = work / "published" / "kefu.duckdb"
    env = {**os.environ, "KEFU_LANDING_PATH": str(landing), "KEFU_DB_PATH": str(work / "build" / "kefu.duckdb"),
           "KEFU_PUBLISHED_PATH": str(published), "KEFU_RUN_RESULTS": str(work / "build" / "run_results.json"),
           "KEFU_DBT_TARGET_PATH": str(target_dir("target_pytest_alerts")), "KEFU_GATE_VOLUME_LOW": "0.1",
           "KEFU_BUYER_SALT": "alerts-test-salt", alerts.WEBHOOK_URL_ENV: robot.url,
           alerts.WEBHOOK_FORMAT_ENV: "wecom"}

    built = _kefu(["build"], env)
    assert built.returncode == 0, built.stdout[-5000:] + built.stderr[-2000:]
    opened_at = dt.datetime.combine(day, dt.time(9, 30))
    assert _published_alerts(published) == [
        ("longest_wait_above_seconds", 1800.0, 600.0, opened_at, None),
        ("waiting_buyers_above", float(MORNING_BUYERS), 5.0, opened_at, None)]
    assert _lines(robot, "【预警】") == [
        f"【预警】云朵服饰（taobao/tb01） · 待回复买家数 {MORNING_BUYERS} 人 > 阈值 5 人 · 开始 {day} 09:30"]
    (path, body), *_ = robot.posts
    assert path.endswith("?key=test") and body["msgtype"] == "text"
    assert "alert-buyer" not in json.dumps(robot.posts, ensure_ascii=False)  # no buyer ids, no message content
    assert "有货" not in json.dumps(robot.posts, ensure_ascii=False)
    (tmp_path / "first_payload.json").write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")

    # run again without a change: nothing new, nothing posted
    posts = len(robot.posts)
    again = _kefu(["refresh"], env)
    assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-2000:]
    assert len(robot.posts) == posts and robot.attempts == posts

    # the replies land while the webhook fails: the alert closes, the run still exits 0 with one warning line
    _replies(landing, day)
    robot.status = 500
    failed = _kefu(["refresh"], env)
    assert failed.returncode == 0, failed.stdout[-4000:] + failed.stderr[-2000:]
    warnings = [line for line in failed.stderr.splitlines() if "kefu alerts" in line]
    assert len(warnings) == 1 and "HTTP 500" in warnings[0], failed.stderr
    closed_at = dt.datetime.combine(day, dt.time(9, 31, MORNING_BUYERS - 1))
    assert [(rule, closed) for rule, _, _, _, closed in _published_alerts(published)] == [
        ("longest_wait_above_seconds", closed_at), ("waiting_buyers_above", closed_at)]
    assert len(robot.posts) == posts and robot.attempts == posts + 1

    # the next run (webhook back) delivers the close once
    robot.status = 200
    retried = _kefu(["refresh"], env)
    assert retried.returncode == 0, retried.stdout[-4000:] + retried.stderr[-2000:]
    assert "kefu alerts: pushed" in retried.stdout
    closes = _lines(robot, "【恢复】")
    assert closes == [f"【恢复】云朵服饰（taobao/tb01） · 待回复买家数 恢复正常（预警时 {MORNING_BUYERS} 人，阈值 > 5 人，当前 0 人）"
                      f" · 开始 {day} 09:30 · 结束 {closed_at:%Y-%m-%d %H:%M}"]
    (tmp_path / "close_payload.json").write_text(json.dumps(robot.posts[-1][1], ensure_ascii=False, indent=1),
                                                 encoding="utf-8")
    assert len(_lines(robot, "【预警】")) == 1
    print(json.dumps(robot.posts, ensure_ascii=False, indent=1))


def test_screen_lists_open_alerts(tmp_path):
    """The 客服大屏's table (queries.open_alerts): open alerts only, rule in Chinese, value vs threshold formatted."""
    from kefu.dashboard import queries as q

    run_log = tmp_path / "kefu_runs.duckdb"
    alerts.reconcile(run_log, [_condition(), _condition("three_minute_rate_below", 0.5, 0.6),
                               _condition("agent_silent_minutes", 31.5, 30, agent="tb01_a01")], "r1")
    alerts.reconcile(run_log, [_condition(), _condition("three_minute_rate_below", 0.7, 0.6, False),
                               _condition("agent_silent_minutes", 31.5, 30, agent="tb01_a01")], "r2")
    published = tmp_path / "published.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create schema marts")
        con.execute(f"attach '{run_log}' as runlog (read_only)")
        alerts.publish_table(con, "runlog")
    shown = q.open_alerts(path=published)
    assert shown.drop(columns="opened_at").to_dict("records") == [
        {"shop_id": "tb01", "agent": "客服1", "rule_name": "客服无回复", "value": "31.5 分钟", "threshold": "≥ 30 分钟"},
        {"shop_id": "tb01", "agent": "—", "rule_name": "待回复买家数", "value": "8 人", "threshold": "> 5 人"}]
    with duckdb.connect(str(published)) as con:  # a published file of an older kefu has no fct_alerts
        con.execute("drop table marts.fct_alerts")
    assert q.open_alerts(path=published).empty
