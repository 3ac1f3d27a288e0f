"""MetricFlow semantic layer every metric, queried with `mf query` by metric_time__week, equals
hand-written DuckDB SQL over the marts — weekly sum of the numerator ÷ weekly sum of the denominator.

mf start-up costs several seconds, so the metrics are fetched in a few multi-metric queries run side by side, each
on its own copy of the built database (DuckDB lets one process write a file at a time). mf reads
<project>/target/semantic_manifest.json: the queries run from a scratch project folder holding dbt_project.yml and
the semantic manifest written by the built_db fixture's dbt build.
"""
from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, target_dir

MF = str(Path(sys.executable).with_name("mf"))
BUILD_TARGET = target_dir("target_pytest_default")  # target path of the built_db fixture (conftest.py)

# metric -> (mart, date column, numerator, denominator or None for a plain sum, row filter)
METRICS: dict[str, tuple[str, str, str, str | None, str]] = {
    "consult_buyers": ("agg_shop_daily_receptions", "reception_date", "consult_buyers", None, "true"),
    "reception_buyers": ("agg_shop_daily_receptions", "reception_date", "reception_buyers", None, "true"),
    "filtered_buyers": ("agg_shop_daily_receptions", "reception_date", "filtered_buyers", None, "true"),
    "inquiry_buyers": ("agg_shop_daily_receptions", "reception_date", "inquiry_buyers", None, "true"),
    "reply_rate": (
        "agg_shop_daily_service", "service_date", "replied_reception_count", "replyable_reception_count", "true"),
    "three_minute_response_rate": (
        "agg_shop_daily_service", "service_date", "assessment_rounds_within_deadline_count",
        "assessment_round_count", "true"),
    "feige_session_reply_rate": (
        "agg_shop_daily_service", "service_date", "feige_passed_session_count", "feige_session_count", "true"),
    "avg_response_seconds": (
        "agg_shop_daily_service", "service_date", "total_response_seconds", "answered_round_count", "true"),
    "satisfaction_rate": ("agg_shop_daily_service", "service_date", "satisfied_count", "rated_count", "true"),
    "shop_sales_amount": ("agg_shop_daily_sales", "sales_date", "shop_sales_amount", None, "true"),
    "silent_sales_amount": ("agg_shop_daily_sales", "sales_date", "silent_sales_amount", None, "true"),
    "agent_sales_amount": ("agg_agent_daily_sales", "activity_date", "sales_amount", None, "true"),
    "avg_order_value": ("agg_agent_daily_sales", "activity_date", "sales_amount", "sales_buyers", "true"),
    "inquiry_to_order_rate": (
        "agg_shop_daily_conversion", "inquiry_date", "ordered_buyers", "inquiry_buyers", "true"),
    "inquiry_to_paid_final_rate": (
        "agg_shop_daily_conversion", "inquiry_date", "paid_final_buyers", "inquiry_buyers", "true"),
    "faq_click_through_rate": (
        "agg_faq_daily", "event_date", "clicked_trigger_count", "trigger_count", "is_shop_total"),
    "faq_resolution_rate": (
        "agg_faq_daily", "event_date", "resolved_count", "resolved_count + transferred_count", "is_shop_total"),
    "chat_reply_rate": (
        "agg_shop_daily_chat_funnel", "activity_date", "replied_chat_count", "chat_buyer_count", "true"),
    "chat_conversion_rate": (
        "agg_shop_daily_chat_funnel", "activity_date", "ordering_buyer_count", "replied_chat_count", "true"),
    "chat_buyer_paid_rate": (
        "agg_shop_daily_chat_funnel", "activity_date", "paying_buyer_count", "chat_buyer_count", "true"),
    "chat_avg_response_seconds": (
        "agg_shop_daily_chat_funnel", "activity_date", "response_seconds_sum", "replied_chat_count", "true"),
    "avg_first_response_seconds": (
        "agg_shop_daily_service", "service_date", "first_response_seconds_sum", "first_response_count", "true"),
    "agent_three_minute_response_rate": (
        "agg_agent_daily_service", "service_date", "assessment_rounds_within_deadline_count",
        "assessment_round_count", "true"),
    "agent_avg_first_response_seconds": (
        "agg_agent_daily_service", "service_date", "first_response_seconds_sum", "first_response_count", "true"),
    "agent_inquiry_to_order_rate": (
        "agg_agent_daily_conversion", "inquiry_date", "case when attribution_rule = 'order' then ordered_buyers end",
        "case when attribution_rule = 'order' then inquiry_buyers end", "true"),
    "agent_inquiry_to_paid_final_rate": (
        "agg_agent_daily_conversion", "inquiry_date", "case when is_shop_rule then paid_final_buyers end",
        "case when attribution_rule = 'order' then inquiry_buyers end", "true"),
}
SALES = ["shop_sales_amount", "silent_sales_amount", "agent_sales_amount", "avg_order_value"]
# one mf query per group: (metrics, group-by); sales figures exist once per attribution rule
QUERIES = {
    "weekly": ([m for m in METRICS if m not in SALES], ["metric_time__week"]),
    "sales": (SALES, ["metric_time__week", "attribution_rule"]),
}


@pytest.fixture(scope="module")
def mf_project(built_db, tmp_path_factory) -> Path:
    """A scratch dbt project folder for mf: dbt_project.yml plus the built_db build's semantic manifest."""
    project = tmp_path_factory.mktemp("mf_project")
    shutil.copy(ROOT / "dbt_project.yml", project / "dbt_project.yml")
    (project / "target").mkdir()
    shutil.copy(BUILD_TARGET / "semantic_manifest.json", project / "target" / "semantic_manifest.json")
    return project


def _mf_env(project: Path, db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT / "profiles"),
        "DBT_PROJECT_DIR": str(project),
        "KEFU_DB_PATH": str(db),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }


def _start_mf(args: list[str], project: Path, built_db: Path, name: str) -> subprocess.Popen:
    # same file name as the build: the semantic manifest names the DuckDB catalog after it
    db = project / name / built_db.name
    db.parent.mkdir()
    shutil.copy(built_db, db)
    return subprocess.Popen([MF, *args], cwd=project, env=_mf_env(project, db), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _finish(proc: subprocess.Popen, what: str) -> str:
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, f"mf {what} failed:\n{out[-4000:]}"
    return out


def _number(text: str) -> float | None:
    return None if text in ("", "None", "nan") else float(text)


@pytest.fixture(scope="module")
def mf_answers(mf_project, built_db) -> dict:
    """All queries run side by side; plus the literal CLI call of the issue (reply_rate by week, table output)."""
    procs = {}
    for name, (metrics, group_by) in QUERIES.items():
        args = ["query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by),
                "--csv", str(mf_project / f"{name}.csv")]
        procs[name] = _start_mf(args, mf_project, built_db, name)
    procs["cli"] = _start_mf(["query", "--metrics", "reply_rate", "--group-by", "metric_time__week"],
                             mf_project, built_db, "cli")
    answers: dict = {"cli": _finish(procs.pop("cli"), "query reply_rate")}
    for name, proc in procs.items():
        _finish(proc, f"query {name}")
        with open(mf_project / f"{name}.csv", newline="", encoding="utf-8") as f:
            answers[name] = list(csv.DictReader(f))
    return answers


def _week(text: str) -> str:
    return text[:10]


def _mf_values(answers: dict, metric: str) -> dict[tuple, float]:
    """metric's non-null values keyed by (week[, attribution_rule])."""
    name = "sales" if metric in SALES else "weekly"
    values = {}
    for row in answers[name]:
        value = _number(row[metric])
        if value is not None:
            key = (_week(row["metric_time__week"]),) + ((row["attribution_rule"],) if metric in SALES else ())
            values[key] = value
    return values


def _sql_values(con: duckdb.DuckDBPyConnection, metric: str) -> dict[tuple, float]:
    mart, date_column, numerator, denominator, where = METRICS[metric]
    keys = ["date_trunc('week', {})".format(date_column)] + (["attribution_rule"] if metric in SALES else [])
    value = (f"sum({numerator})" if denominator is None
             else f"cast(sum({numerator}) as double) / nullif(sum({denominator}), 0)")
    rows = con.execute(
        f"select strftime({keys[0]}, '%Y-%m-%d'), {', '.join(keys[1:] + [value])} "
        f"from marts.{mart} where {where} group by all"
    ).fetchall()
    return {tuple(row[:-1]): float(row[-1]) for row in rows if row[-1] is not None}


@pytest.fixture(scope="module")
def con(built_db):
    connection = duckdb.connect(str(built_db), read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize("metric", list(METRICS))
def test_metric_equals_weekly_sql(metric, mf_answers, con):
    expected = _sql_values(con, metric)
    actual = _mf_values(mf_answers, metric)
    assert expected, f"{metric}: the sample gives no value to compare"
    assert actual.keys() == expected.keys(), metric
    for key, value in expected.items():
        assert math.isclose(actual[key], value, rel_tol=1e-9, abs_tol=1e-9), (metric, key, actual[key], value)


def test_cli_query_answers(mf_answers, con):
    """`mf query --metrics reply_rate --group-by metric_time__week` prints one line per week of the service mart."""
    out = mf_answers["cli"]
    assert "metric_time__week" in out and "reply_rate" in out
    weeks = con.execute(
        "select distinct strftime(date_trunc('week', service_date), '%Y-%m-%d') from marts.agg_shop_daily_service"
    ).fetchall()
    for (week,) in weeks:
        assert week in out


def test_weekly_ratio_is_not_mean_of_daily_rates(mf_answers, con):
    """reply_rate by week is Σ replied ÷ Σ replyable, which differs from the mean of the mart's shop-day rates."""
    mean_of_daily = {
        (week,): mean for week, mean in con.execute(
            "select strftime(date_trunc('week', service_date), '%Y-%m-%d'), avg(reply_rate) "
            "from marts.agg_shop_daily_service group by all"
        ).fetchall() if mean is not None
    }
    ratio = _mf_values(mf_answers, "reply_rate")
    assert ratio.keys() == mean_of_daily.keys()
    assert any(not math.isclose(ratio[k], mean_of_daily[k], rel_tol=1e-6) for k in ratio), (ratio, mean_of_daily)


def test_every_required_metric_is_defined(mf_project):
    import json

    manifest = json.loads((mf_project / "target" / "semantic_manifest.json").read_text(encoding="utf-8"))
    metrics = {m["name"]: m for m in manifest["metrics"]}
    assert set(METRICS) <= metrics.keys()
    for name in METRICS:
        if METRICS[name][3] is not None:
            assert metrics[name]["type"] == "ratio", name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in metrics[name]["description"]), f"{name}: no Chinese term"
    for name in ("consult_buyers", "reception_buyers", "filtered_buyers", "inquiry_buyers"):
        assert "sum of daily distinct buyers" in metrics[name]["description"], name
