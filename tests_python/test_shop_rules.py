"""Per-shop rules: seeds/shop_rules.csv gives two shops their own rules, the others keep the global vars.

The seed is read from seeds/, so these tests build a private copy of the project (conftest.project_copy) and write
their shop_rules.csv there: the real seed, read by the other pytest workers, never changes. An empty seed equals the golden snapshot (tests_python/test_golden.py on the make-build database).
"""
from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, project_copy, run_dbt

SEED = ROOT / "seeds" / "shop_rules.csv"
HEADER = SEED.read_text(encoding="utf-8").splitlines()[0]
COLUMNS = HEADER.split(",")

# tb01: payment rule, 5-day inquiry window, 6-day final horizon, monologue filter off, 60 s deadline, staffing target
# 90 %, from the start.
# tm01: 1-day inquiry window and assessment from 10:00, from 2026-11-04 (the middle of the 11-01..11-06 sample).
TWO_SHOPS = [
    {"platform": "taobao", "shop_id": "tb01", "effective_from": "2026-10-01", "attribution_rule": "payment",
     "inquiry_valid_days": "5", "final_pay_days": "6", "filter_monologue_enabled": "false",
     "response_deadline_seconds": "60", "staffing_service_level": "0.9"},
    {"platform": "tmall", "shop_id": "tm01", "effective_from": "2026-11-04", "inquiry_valid_days": "1",
     "assessment_start": "10:00"},
]


def _csv(rows: list[dict]) -> str:
    return "\n".join([HEADER] + [",".join(r.get(c, "") for c in COLUMNS) for r in rows]) + "\n"


@pytest.fixture(scope="module")
def rules_project(tmp_path_factory) -> Path:
    return project_copy(tmp_path_factory.mktemp("rules_project") / "kefu")


@contextlib.contextmanager
def shop_rules(project: Path, text: str):
    seed = project / "seeds" / "shop_rules.csv"
    original = seed.read_text(encoding="utf-8")
    try:
        seed.write_text(text, encoding="utf-8")
        yield
    finally:
        seed.write_text(original, encoding="utf-8")


def _rows(db: Path, sql: str) -> list[tuple]:
    """Rows of a query; doubles rounded to 9 decimals (window sums of doubles differ in the last bits)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in con.execute(sql).fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def two_shop_db(small_landing, built_db, rules_project, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("shop_rules") / "kefu.duckdb"
    with shop_rules(rules_project, _csv(TWO_SHOPS)):
        run_dbt(["build"], db, small_landing, "target_pytest_shop_rules", check=True, project=rules_project)
    return db


def _mart_tables(db: Path) -> list[str]:
    return [r[0] for r in _rows(db, "select table_name from information_schema.columns where table_schema = 'marts' "
                                    "and column_name = 'shop_id' order by 1")]


def test_shops_without_rules_keep_every_figure(two_shop_db, built_db):
    for table in _mart_tables(built_db):
        sql = f"select * from marts.{table} where shop_id in ('dy01', 'sp01') order by all"
        assert _rows(two_shop_db, sql) == _rows(built_db, sql), table


def test_payment_rule_shop_credits_and_flags_its_rule(two_shop_db):
    assert _rows(two_shop_db, "select distinct attribution_rule from marts.fct_order_assists "
                              "where shop_id = 'tb01'") in ([("payment",)], [])
    assert _rows(two_shop_db, "select distinct attribution_rule from marts.fct_order_assists "
                              "where shop_id <> 'tb01'") in ([("order_first",)], [])
    wrong = _rows(two_shop_db, "select count(*) from marts.fct_order_attribution where is_shop_rule <> "
                               "(attribution_rule = case when shop_id = 'tb01' then 'payment' else 'order_first' end)")
    assert wrong == [(0,)]


def test_each_shop_uses_its_own_windows_and_thresholds(two_shop_db):
    # inquiry window end = first day + inquiry_valid_days: tb01 5 days; tm01 2 days before 11-04, 1 day from 11-04 on
    spans = dict(_rows(two_shop_db, """
        select shop_id || case when shop_id = 'tm01' and inquiry_date >= date '2026-11-04' then '_new' else '' end,
               max(date_diff('day', inquiry_date, cast(inquiry_window_end_at as date)))
        from marts.fct_inquiry_conversion group by 1"""))
    assert spans["tb01"] == 5 and spans.get("tm01_new") == 1 and spans["tm01"] == 2 and spans["dy01"] == 2
    assert _rows(two_shop_db, "select count(*) from marts.fct_receptions where shop_id = 'tb01' "
                              "and filter_reason = 'monologue'") == [(0,)]
    assert _rows(two_shop_db, "select count(*) from marts.fct_response_rounds where shop_id = 'tb01' "
                              "and is_within_deadline <> coalesce(response_seconds <= 60, false)") == [(0,)]
    assert _rows(two_shop_db, "select count(*) from marts.fct_response_rounds where shop_id = 'tm01' "
                              "and round_date >= date '2026-11-04' and is_in_assessment_window "
                              "and hour(round_start_at) < 10") == [(0,)]
    versions = dict(_rows(two_shop_db, "select shop_id || '_' || cast(reception_date >= date '2026-11-04' as varchar), "
                                       "max(rule_version) from marts.agg_shop_daily_receptions "
                                       "where shop_id = 'tm01' group by 1"))
    assert "inquiry_valid_days=2" in versions["tm01_false"] and "inquiry_valid_days=1" in versions["tm01_true"]


def test_shop_staffing_target_and_deadline(two_shop_db):
    # tb01 staffs for 90 % within 60 s, the others for the global 80 % within 180 s; the target stays out of rule_version
    targets = dict(_rows(two_shop_db, "select shop_id, max(target_service_level) || '/' || max(deadline_seconds) "
                                      "from marts.agg_shop_hourly_staffing group by 1"))
    assert targets["tb01"] == "0.9/60" and targets["dy01"] == "0.8/180"
    assert _rows(two_shop_db, "select count(*) from marts.agg_shop_staffing_plan where service_level_at_required "
                              "< target_service_level") == [(0,)]
    assert _rows(two_shop_db, "select count(*) from marts.agg_shop_daily_receptions "
                              "where rule_version like '%staffing%'") == [(0,)]


def test_rule_in_force_governs_only_its_dates(two_shop_db, built_db):
    # tm01 before the change: receptions and rounds equal the default build
    for sql in ("select * exclude (rule_version) from marts.agg_shop_daily_receptions "
                "where shop_id = 'tm01' and reception_date < date '2026-11-03' order by all",
                "select * from marts.fct_response_rounds where shop_id = 'tm01' "
                "and round_date < date '2026-11-04' order by all"):
        assert _rows(two_shop_db, sql) == _rows(built_db, sql)


def test_bad_shop_rules_stop_the_build_naming_the_line(db_copy, small_landing, rules_project):
    bad = [
        {"platform": "taobao", "shop_id": "zz99", "effective_from": "2026-11-01"},
        {"platform": "taobao", "shop_id": "tb01", "effective_from": "2026-11-01", "attribution_rule": "first_touch"},
        {"platform": "tmall", "shop_id": "tm01", "effective_from": "2026-11-01", "inquiry_valid_days": "3",
         "final_pay_days": "2"},
        {"platform": "douyin", "shop_id": "dy01", "effective_from": "2026-11-01", "assessment_end": "25:00"},
        {"platform": "douyin", "shop_id": "dy01", "effective_from": "2026-11-01"},
    ]
    with shop_rules(rules_project, _csv(bad)):
        proc = run_dbt(["build", "--select", "shop_rules", "stg_config__shop_rules"], db_copy, small_landing,
                       "target_pytest_bad_rules", project=rules_project)
    assert proc.returncode != 0
    out = proc.stdout
    assert "seeds/shop_rules.csv: line 2" in out and "unknown shop taobao/zz99" in out
    assert "line 3" in out and "unknown attribution_rule first_touch" in out
    assert "line 4" in out and "final_pay_days must be >= inquiry_valid_days" in out
    assert "line 5" in out and "duplicate effective_from" in out


def test_changed_rules_stop_an_incremental_run(db_copy, small_landing, rules_project):
    with shop_rules(rules_project, _csv(TWO_SHOPS)):
        proc = run_dbt(["build", "--exclude", "test_type:unit"], db_copy, small_landing, "target_pytest_rules_incr",
                       project=rules_project)
    assert proc.returncode != 0
    assert "--full-refresh" in proc.stdout
