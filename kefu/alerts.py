"""预警: alerts opened and closed at every publish, and pushed once to a group-robot webhook.

dbt evaluates the conditions (``intermediate.int_alerts__conditions``: one row per shop or agent and rule of
alert_rules.csv of the configuration, at the shop's data clock, with value, threshold and is_breached). The state lives here, beside
the published file, in the run-log file ``kefu_runs.duckdb`` (kefu.publish), so it survives a `--full-refresh`, a
deleted build database and a Dagster backfill (DECISIONLOG "Alerts"):

* ``main.kefu_alerts`` — one row per alert: opened when a condition breaches and no alert of the same
  (platform, shop, agent, rule) is open; while it still breaches, value, threshold and checked_at follow the latest
  publish; closed (closed_at = the shop's data clock) at the first publish where it no longer breaches — or no longer
  applies (agent offline, rule removed). opened_at / closed_at are data clocks (the shop's latest landed message),
  never the wall clock. Published as ``marts.fct_alerts`` (kefu.publish.write_published).
* ``main.kefu_alert_pushes`` — the push ledger: one row per event (alert_id, event open / close), written with the
  event; status pending → sent once the webhook accepted it, so each event is pushed once. A failed push (connection
  refused, timeout, HTTP error, a robot's non-zero errcode) leaves it pending for the next run and never fails the run
  (one warning line). With no webhook configured, pending events are marked skipped (not queued for later).

Webhook: env KEFU_ALERT_WEBHOOK_URL (never in the repository) and KEFU_ALERT_WEBHOOK_FORMAT = wecom (企业微信群机器人,
the default), dingtalk (钉钉机器人) or feishu (飞书机器人). Messages carry shop, agent, rule, value vs threshold and
times — no buyer ids, no message content.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import duckdb

WEBHOOK_URL_ENV = "KEFU_ALERT_WEBHOOK_URL"
WEBHOOK_FORMAT_ENV = "KEFU_ALERT_WEBHOOK_FORMAT"
FORMATS = ("wecom", "dingtalk", "feishu")
TIMEOUT_SECONDS = 5.0
# 企业微信 caps a text message at 2048 bytes: events are batched into messages below this
MAX_CONTENT_BYTES = 1800
CONDITIONS = "intermediate.int_alerts__conditions"
ALERTS_TABLE = "kefu_alerts"
PUSHES_TABLE = "kefu_alert_pushes"
PUBLISHED_TABLE = "fct_alerts"

# rule -> (Chinese name, breach sign, unit)
RULES: dict[str, tuple[str, str, str]] = {
    "waiting_buyers_above": ("待回复买家数", ">", "人"),
    "longest_wait_above_seconds": ("最长等待", ">", "秒"),
    "three_minute_rate_below": ("三分钟响应率", "<", "%"),
    "shopee_reply_rate_below": ("聊聊回复率", "<", "%"),
    "agent_silent_minutes": ("客服无回复", "≥", "分钟"),
}

ALERTS_DDL = f"""
create table if not exists main.{ALERTS_TABLE} (
    alert_id varchar primary key,
    platform varchar,
    shop_id varchar,
    shop_name varchar,
    agent_id varchar,
    agent_name varchar,
    rule varchar,
    opened_at timestamp,
    closed_at timestamp,
    value double,
    threshold double,
    checked_at timestamp,
    opened_run_id varchar,
    closed_run_id varchar
)
"""
PUSHES_DDL = f"""
create table if not exists main.{PUSHES_TABLE} (
    alert_id varchar,
    event varchar,
    event_at timestamp,
    message varchar,
    status varchar,
    attempts integer,
    last_error varchar,
    created_at timestamp with time zone,
    pushed_at timestamp with time zone,
    primary key (alert_id, event)
)
"""
# the published mart: the state without the run ids
PUBLISHED_COLUMNS = ("alert_id", "platform", "shop_id", "shop_name", "agent_id", "agent_name", "rule", "opened_at",
                     "closed_at", "value", "threshold", "checked_at")
PUBLISHED_DESCRIPTION = (
    "预警: one row per alert (alert_id) of alert_rules.csv — opened_at when its condition first breached at a "
    "publish (the shop's data clock, its latest landed message), closed_at when it no longer did (null while open); "
    "value = the latest value while it held, threshold the one in force; agent_id null for shop-level rules. Kept "
    "by kefu/alerts.py beside the published file, evaluated at every daily run and intraday refresh.")


def _key(row: dict[str, Any]) -> tuple:
    return row["platform"], row["shop_id"], row.get("agent_id") or "", row["rule"]


def _fmt_value(rule: str, value: float | None) -> str:
    if value is None:
        return "—"
    unit = RULES[rule][2]
    if unit == "%":
        return f"{value * 100:.1f}%"
    if unit == "分钟":
        return f"{value:.1f} 分钟" if value != int(value) else f"{int(value)} 分钟"
    return f"{int(value)} {unit}" if value == int(value) else f"{value:.1f} {unit}"


def _fmt_time(ts: dt.datetime | None) -> str:
    return ts.strftime("%Y-%m-%d %H:%M") if ts else "—"


def event_message(alert: dict[str, Any], event: str, current: float | None = None) -> str:
    """One line of a push: shop, agent, rule in Chinese, value vs threshold, opened (and closed) time."""
    name, sign, _ = RULES[alert["rule"]]
    shop = f"{alert.get('shop_name') or alert['shop_id']}（{alert['platform']}/{alert['shop_id']}）"
    agent = f" · 客服 {alert.get('agent_name') or alert['agent_id']}" if alert.get("agent_id") else ""
    threshold = _fmt_value(alert["rule"], alert["threshold"])
    if event == "open":
        return (f"【预警】{shop}{agent} · {name} {_fmt_value(alert['rule'], alert['value'])} {sign} 阈值 {threshold}"
                f" · 开始 {_fmt_time(alert['opened_at'])}")
    now = f"，当前 {_fmt_value(alert['rule'], current)}" if current is not None else ""
    return (f"【恢复】{shop}{agent} · {name} 恢复正常（预警时 {_fmt_value(alert['rule'], alert['value'])}，阈值 "
            f"{sign} {threshold}{now}） · 开始 {_fmt_time(alert['opened_at'])} · 结束 {_fmt_time(alert['closed_at'])}")


def read_conditions(con: duckdb.DuckDBPyConnection, database: str = "build") -> list[dict[str, Any]] | None:
    """The rows of int_alerts__conditions in an attached build database; None when the model is not there (a build
    database of an older kefu)."""
    found = con.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = 'intermediate' "
        "and table_name = 'int_alerts__conditions'", [database]).fetchone()[0]
    if not found:
        return None
    cur = con.execute(f"select * from {database}.{CONDITIONS}")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _alert_id(key: tuple, opened_at: dt.datetime, taken: set[str]) -> str:
    base = "|".join([*key, opened_at.isoformat()])
    n = 0
    while True:
        alert_id = hashlib.md5((f"{base}|{n}" if n else base).encode()).hexdigest()[:16]
        if alert_id not in taken:
            return alert_id
        n += 1


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(ALERTS_DDL)
    con.execute(PUSHES_DDL)


def reconcile(run_log: Path, conditions: list[dict[str, Any]], run_id: str) -> dict[str, int]:
    """Open, update and close alerts in the run-log file from this publish's conditions; queue their events.
    Returns counts {'opened', 'closed', 'open'}."""
    run_log.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(run_log))
    try:
        ensure_tables(con)
        cur = con.execute(f"select * from main.{ALERTS_TABLE} where closed_at is null")
        names = [d[0] for d in cur.description]
        open_alerts = {_key(a): a for a in (dict(zip(names, r)) for r in cur.fetchall())}
        taken = {r[0] for r in con.execute(f"select alert_id from main.{ALERTS_TABLE}").fetchall()}
        now = {_key(c): c for c in conditions}
        shop_clock: dict[tuple, dt.datetime] = {}
        for c in conditions:
            shop = (c["platform"], c["shop_id"])
            if c["status_at"] is not None and (shop not in shop_clock or c["status_at"] > shop_clock[shop]):
                shop_clock[shop] = c["status_at"]
        created = dt.datetime.now(dt.timezone.utc)
        opened = closed = 0
        con.execute("begin")
        for key, c in sorted(now.items()):
            if not c["is_breached"]:
                continue
            alert = open_alerts.get(key)
            if alert is not None:
                con.execute(f"update main.{ALERTS_TABLE} set value = ?, threshold = ?, checked_at = ?, "
                            "shop_name = coalesce(?, shop_name), agent_name = coalesce(?, agent_name) "
                            "where alert_id = ?",
                            [c["value"], c["threshold"], c["status_at"], c.get("shop_name"), c.get("agent_name"),
                             alert["alert_id"]])
                continue
            alert = {"alert_id": _alert_id(key, c["status_at"], taken), "platform": c["platform"],
                     "shop_id": c["shop_id"], "shop_name": c.get("shop_name"), "agent_id": c.get("agent_id"),
                     "agent_name": c.get("agent_name"), "rule": c["rule"], "opened_at": c["status_at"],
                     "closed_at": None, "value": c["value"], "threshold": c["threshold"], "checked_at": c["status_at"],
                     "opened_run_id": run_id, "closed_run_id": None}
            taken.add(alert["alert_id"])
            cols = list(alert)
            con.execute(f"insert into main.{ALERTS_TABLE} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
                        [alert[col] for col in cols])
            con.execute(f"insert into main.{PUSHES_TABLE} values (?, 'open', ?, ?, 'pending', 0, null, ?, null)",
                        [alert["alert_id"], alert["opened_at"], event_message(alert, "open"), created])
            opened += 1
        for key, alert in sorted(open_alerts.items()):
            c = now.get(key)
            if c is not None and c["is_breached"]:
                continue
            clock = (c or {}).get("status_at") or shop_clock.get(key[:2]) or alert["checked_at"] or alert["opened_at"]
            closed_at = max(clock, alert["opened_at"])
            alert = {**alert, "closed_at": closed_at}
            con.execute(f"update main.{ALERTS_TABLE} set closed_at = ?, checked_at = ?, closed_run_id = ? "
                        "where alert_id = ?", [closed_at, closed_at, run_id, alert["alert_id"]])
            con.execute(f"insert into main.{PUSHES_TABLE} values (?, 'close', ?, ?, 'pending', 0, null, ?, null)",
                        [alert["alert_id"], closed_at, event_message(alert, "close", (c or {}).get("value")),
                         created])
            closed += 1
        con.execute("commit")
        still_open = con.execute(f"select count(*) from main.{ALERTS_TABLE} where closed_at is null").fetchone()[0]
    finally:
        con.close()
    return {"opened": opened, "closed": closed, "open": still_open}


def publish_table(con: duckdb.DuckDBPyConnection, run_log_alias: str | None, schema: str = "marts") -> None:
    """Create <schema>.fct_alerts in the file being published: the alerts of the attached run log (alias), or an
    empty table when there is none yet."""
    columns = ", ".join(PUBLISHED_COLUMNS)
    has_state = run_log_alias is not None and con.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = 'main' and table_name = ?",
        [run_log_alias, ALERTS_TABLE]).fetchone()[0]
    if has_state:
        con.execute(f"create table {schema}.{PUBLISHED_TABLE} as select {columns} "
                    f"from {run_log_alias}.main.{ALERTS_TABLE} order by opened_at, alert_id")
    else:
        con.execute(ALERTS_DDL.replace(f"main.{ALERTS_TABLE}", "_alerts_empty"))
        con.execute(f"create table {schema}.{PUBLISHED_TABLE} as select {columns} from _alerts_empty")
        con.execute("drop table _alerts_empty")
    comment = PUBLISHED_DESCRIPTION.replace("'", "''")
    con.execute(f"comment on table {schema}.{PUBLISHED_TABLE} is '{comment}'")


# ---------------------------------------------------------------- push

def payload(fmt: str, content: str) -> dict[str, Any]:
    """The robot's text message: 企业微信 / 钉钉 {"msgtype":"text","text":{"content":...}}, 飞书
    {"msg_type":"text","content":{"text":...}}."""
    if fmt in ("wecom", "dingtalk"):
        return {"msgtype": "text", "text": {"content": content}}
    if fmt == "feishu":
        return {"msg_type": "text", "content": {"text": content}}
    raise ValueError(f"{WEBHOOK_FORMAT_ENV} must be one of {', '.join(FORMATS)}, not {fmt!r}")


def post(url: str, body: dict[str, Any], timeout: float | None = None) -> str | None:
    """POST the JSON body; None when the robot accepted it, else the reason (HTTP status, connection error, timeout,
    a non-zero errcode / code in the robot's answer)."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout or TIMEOUT_SECONDS) as response:
            text = response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        return f"{type(exc.reason).__name__}: {exc.reason}"
    except (TimeoutError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    try:
        answer = json.loads(text) if text.strip() else {}
    except ValueError:
        return None
    if isinstance(answer, dict):
        for field in ("errcode", "code", "StatusCode"):
            if answer.get(field) not in (None, 0):
                return f"{field} {answer.get(field)}: {answer.get('errmsg') or answer.get('msg') or ''}".strip()
    return None


def batches(lines: list[tuple[Any, str]], limit: int = MAX_CONTENT_BYTES) -> list[list[tuple[Any, str]]]:
    """Events grouped into messages whose content stays under `limit` bytes (a long single line goes alone)."""
    out: list[list[tuple[Any, str]]] = []
    size = 0
    for item in lines:
        n = len(item[1].encode("utf-8")) + 1
        if not out or size + n > limit:
            out.append([])
            size = 0
        out[-1].append(item)
        size += n
    return out


def _content(group: list[tuple[Any, str]]) -> str:
    return f"kefu 预警 · {len(group)} 条\n" + "\n".join(line for _, line in group)


def push_pending(run_log: Path, url: str | None = None, fmt: str | None = None) -> dict[str, int]:
    """Push the ledger's pending events (oldest first), batched; mark them sent. Stops at the first failure, leaving
    the rest pending for the next run, and prints one warning line. Never raises for a webhook problem."""
    url = url if url is not None else os.environ.get(WEBHOOK_URL_ENV, "").strip()
    fmt = (fmt or os.environ.get(WEBHOOK_FORMAT_ENV, "") or "wecom").strip().lower()
    result = {"sent": 0, "pending": 0, "skipped": 0}
    if not run_log.exists():
        return result
    con = duckdb.connect(str(run_log))
    try:
        ensure_tables(con)
        pending = con.execute(
            f"select alert_id, event, message from main.{PUSHES_TABLE} where status = 'pending' "
            "order by event_at, created_at, case event when 'open' then 0 else 1 end, alert_id").fetchall()
        if not pending:
            return result
        if not url:
            con.execute(f"update main.{PUSHES_TABLE} set status = 'skipped' where status = 'pending'")
            result["skipped"] = len(pending)
            print(f"kefu alerts: {len(pending)} alert events not pushed ({WEBHOOK_URL_ENV} is not set)")
            return result
        if fmt not in FORMATS:
            result["pending"] = len(pending)
            print(f"WARNING: kefu alerts: {WEBHOOK_FORMAT_ENV} must be one of {', '.join(FORMATS)}, not {fmt!r}; "
                  f"{len(pending)} alert events wait for the next run", file=sys.stderr)
            return result
        groups = batches([((alert_id, event), message) for alert_id, event, message in pending])
        for i, group in enumerate(groups):
            error = post(url, payload(fmt, _content(group)))
            keys = [key for key, _ in group]
            if error is not None:
                for alert_id, event in keys:
                    con.execute(f"update main.{PUSHES_TABLE} set attempts = attempts + 1, last_error = ? "
                                "where alert_id = ? and event = ?", [error, alert_id, event])
                waiting = sum(len(g) for g in groups[i:])
                result["pending"] = waiting
                print(f"WARNING: kefu alerts: webhook push failed ({error}); {waiting} alert events wait for the "
                      "next run", file=sys.stderr)
                break
            sent_at = dt.datetime.now(dt.timezone.utc)
            for alert_id, event in keys:
                con.execute(f"update main.{PUSHES_TABLE} set status = 'sent', attempts = attempts + 1, "
                            "last_error = null, pushed_at = ? where alert_id = ? and event = ?",
                            [sent_at, alert_id, event])
            result["sent"] += len(group)
        if result["sent"]:
            print(f"kefu alerts: pushed {result['sent']} alert events ({fmt})")
    finally:
        con.close()
    return result
