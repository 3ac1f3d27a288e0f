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
