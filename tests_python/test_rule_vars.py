"""Rules can be changed without breaking the build.

Every documented rule var is set away from its default — all of them in one build (A) and the other alternative
values in a second build (B) — and `dbt build` of the models and their data tests must stay green. The unit tests run
once, in the default build, with the default vars (a unit test sets under `overrides: vars:` only the vars its case is
about), so they are left out here: their fixtures are written for the defaults.
"""
from __future__ import annotations

import json

import duckdb
import pytest

from conftest import run_dbt

BUILD_A = {
    "attribution_rule": "payment",
    "inquiry_valid_days": 3,
    "final_pay_days": 5,
    "after_sale_days": 14,
    "followup_not_lost": False,
    "followup_gap_hours": 12,
    "filter_account_enabled": False,
    "filter_ad_enabled": False,
    "filter_single_line_enabled": False,
    "filter_monologue_enabled": False,
    "monologue_max_buyer_msgs": 1,
    "assessment_start": "09:00",
    "assessment_end": "22:00",
    "response_deadline_seconds": 120,
    "slow_reply_seconds": 60,
    "chat_reply_deadline_hours": 24,
    "douyin_assessment_end": "22:00",
    "recent_contact_hours": 48,
    "busy_waiting": 2,
    "rolling_reply_days": 7,
    "staffing_service_level": 0.9,
    "staffing_weeks": 2,
    "staffing_max_servers": 100,
    "chase_window_hours": 48,
}

BUILD_B = {
    "attribution_rule": "order",
    "inquiry_valid_days": 1,
    "filter_account_enabled": True,
    "filter_ad_enabled": True,
    "filter_single_line_enabled": True,
    "filter_monologue_enabled": True,
    "monologue_max_buyer_msgs": 2,
}


@pytest.mark.parametrize("name, rule_vars", [("a", BUILD_A), ("b", BUILD_B)])
def test_build_is_green_with_changed_rule_vars(name, rule_vars, small_landing, tmp_path):
    db = tmp_path / "kefu.duckdb"
    proc = run_dbt(["build", "--exclude", "test_type:unit", "--vars", json.dumps(rule_vars)], db, small_landing,
                   f"target_pytest_rules_{name}")
    assert proc.returncode == 0, proc.stdout[-6000:]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from marts.fct_receptions").fetchone()[0] > 0
        rules = {r[0] for r in con.execute("select distinct attribution_rule from marts.fct_order_assists").fetchall()}
        assert rules <= {rule_vars["attribution_rule"]}
    finally:
        con.close()


def test_kefu_build_with_own_vars_runs_without_the_unit_tests(small_landing, tmp_path):
    """The user's command, `kefu build --vars ...`: green, published, the marts built under the user's rule, and the
    unit tests (written for the defaults) left out of that run."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from conftest import ROOT, target_dir

    results = tmp_path / "build" / "run_results.json"
    published = tmp_path / "published" / "kefu.duckdb"
    env = {**os.environ, "KEFU_LANDING_PATH": str(small_landing), "KEFU_DB_PATH": str(tmp_path / "build" / "kefu.duckdb"),
           "KEFU_PUBLISHED_PATH": str(published), "KEFU_RUN_RESULTS": str(results),
           "KEFU_DBT_TARGET_PATH": str(target_dir("target_pytest_rules_kefu_build")),
           "KEFU_GATE_VOLUME_LOW": "0.1"}
    kefu = str(Path(sys.executable).with_name("kefu"))
    proc = subprocess.run([kefu, "build", "--vars", json.dumps({"attribution_rule": "order"})], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    nodes = [r["unique_id"] for r in json.loads(results.read_text())["results"]]
    assert not [n for n in nodes if n.startswith("unit_test.")]
    assert len([n for n in nodes if n.startswith("test.")]) > 100
    with duckdb.connect(str(published), read_only=True) as con:
        versions = con.execute("select distinct rule_version from marts.agg_agent_daily_sales "
                               "where not is_shop_rule").fetchall()
    assert versions and all(v.startswith("attribution_rule=order,") for (v,) in versions), versions
