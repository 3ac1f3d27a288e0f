"""Scenario tests around dbt: bad fixtures make the identity tests fail, flipped vars change the marts as the
spec says, user mistakes end in one clear line, and the published file carries no PII."""
from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from conftest import DBT, ROOT, run_dbt

pytestmark = pytest.mark.slow


def _query(db, sql):
    con = duckdb.connect(str(db))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_double_counted_reception_fails_identity(db_copy, small_landing):
    _query(db_copy, "insert into marts.fct_receptions select * from marts.fct_receptions limit 1")
    _query(db_copy, "drop table marts.agg_agent_daily_receptions")
    run_dbt(["run", "--select", "agg_agent_daily_receptions"], db_copy, small_landing, "target_pytest_bad1", check=True)
    proc = run_dbt(["test", "--select", "assert_agent_consult_identity"], db_copy, small_landing, "target_pytest_bad1")
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert "assert_agent_consult_identity" in proc.stdout


def test_dropped_staged_row_fails_reconciliation(db_copy, small_landing):
    _query(
        db_copy,
        "create or replace view staging.stg_kefu__messages as "
        "select * from staging.base_kefu__messages where _outcome = 'staged' "
        "and message_id <> (select min(message_id) from staging.base_kefu__messages where _outcome = 'staged')",
    )
    proc = run_dbt(["test", "--select", "assert_raw_rows_reconcile"], db_copy, small_landing, "target_pytest_bad2")
    assert proc.returncode != 0, proc.stdout[-3000:]


def test_double_credited_order_fails_sales_identity(db_copy, small_landing):
    (order_id, rule, agent_id), = _query(
        db_copy,
        "select order_id, attribution_rule, credited_agent_id from marts.fct_order_attribution "
        "where not is_silent and paid_at is not null order by order_id, attribution_rule limit 1",
    )
    _query(
        db_copy,
        "insert into marts.fct_order_attribution select * replace ('zz_other_agent' as credited_agent_id) "
        f"from marts.fct_order_attribution where order_id = '{order_id}' and attribution_rule = '{rule}'",
    )
    run_dbt(["run", "--select", "agg_agent_daily_sales"], db_copy, small_landing, "target_pytest_bad3", check=True)
    proc = run_dbt(["test", "--select", "assert_sales_agent_plus_silent_equals_shop"], db_copy, small_landing,
                   "target_pytest_bad3")
    assert proc.returncode != 0, proc.stdout[-3000:]


def test_identity_tests_pass_on_clean_build(built_db):
    # the session build ran every data test with check=True; spot-check the marts are not empty
    (n,), = _query(built_db, "select count(*) from marts.fct_receptions")
    (m,), = _query(built_db, "select count(*) from marts.fct_order_attribution")
    assert n > 0 and m > 0


def test_flipped_vars_change_the_marts_as_specified(built_db, small_landing, tmp_path):
    flipped = tmp_path / "flipped.duckdb"
    run_dbt(["build", "--exclude", "test_type:unit", "--vars", "{attribution_rule: payment, inquiry_valid_days: 3}"],
            flipped, small_landing,
            "target_pytest_flipped", check=True)
    # the assists mart follows the chosen rule
    rules = _query(flipped, "select distinct attribution_rule from marts.fct_order_assists")
    assert rules in ([], [("payment",)])
    # a longer inquiry window never loses an order_agent credit, and here gains some
    credited = "select order_id from marts.fct_order_attribution where attribution_rule = 'order' and not is_silent"
    default_set = {r[0] for r in _query(built_db, credited)}
    flipped_set = {r[0] for r in _query(flipped, credited)}
    assert default_set <= flipped_set
    assert len(flipped_set) > len(default_set)
    # every inquiry window now ends 3 days after the inquiry date
    bad = _query(flipped, "select count(*) from marts.fct_inquiry_conversion "
                          "where inquiry_window_end_at <> cast(inquiry_date + 3 as timestamp)")
    assert bad == [(0,)]


def test_wrong_var_value_is_one_clear_line(small_landing, tmp_path):
    proc = run_dbt(["build", "--vars", "{attribution_rule: first_touch}"], tmp_path / "x.duckdb", small_landing,
                   "target_pytest_badvar")
    assert proc.returncode != 0
    assert "Invalid var attribution_rule=first_touch" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_missing_landing_folder_is_one_clear_line(tmp_path):
    proc = run_dbt(["build"], tmp_path / "x.duckdb", tmp_path / "nowhere", "target_pytest_nolanding")
    assert proc.returncode != 0
    assert "landing folder missing or empty" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    cli = subprocess.run([sys.executable, "-m", "kefu.cli", "check-landing", "--landing", str(tmp_path / "nowhere")],
                         cwd=ROOT, capture_output=True, text=True)
    assert cli.returncode == 2
    assert cli.stderr.strip().count("\n") == 0 and "landing folder missing or empty" in cli.stderr


def test_published_file_has_marts_only_and_no_pii(built_db, small_landing, tmp_path):
    from kefu.publish import write_published

    target = write_published(built_db, tmp_path / "published.duckdb")  # the copy step; gating: test_gate.py
    schemas = {r[0] for r in _query(target, "select distinct table_schema from information_schema.tables")}
    assert schemas == {"marts"}
    columns = {r[0] for r in _query(target, "select distinct column_name from information_schema.columns")}
    assert not columns & {"buyer_id", "content", "visitor_id"}
    raw_buyers = {r[0] for r in duckdb.sql(
        f"select distinct buyer_id from read_parquet('{small_landing}/raw_sessions/*.parquet')").fetchall()}
    keys = {r[0] for r in _query(target, "select distinct buyer_key from marts.fct_receptions")}
    assert keys and not keys & raw_buyers


def test_bad_peer_benchmark_row_stops_the_build_naming_the_row(small_landing, tmp_path):
    import shutil

    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "models", "macros", "seeds", "tests", "analyses", "profiles"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)
    seed = project / "seeds" / "peer_benchmarks.csv"
    lines = seed.read_text().splitlines()
    lines[1] = lines[1].replace("reply_rate", "reply_rat")
    seed.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "DBT_PROFILES_DIR": str(project / "profiles"), "KEFU_DB_PATH": str(tmp_path / "k.duckdb"),
           "KEFU_LANDING_PATH": str(small_landing), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    proc = subprocess.run([DBT, "build", "-s", "peer_benchmarks", "stg_config__peer_benchmarks", "--project-dir",
                           str(project)], cwd=project, env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "seeds/peer_benchmarks.csv: line 2 (taobao, apparel, L3, reply_rat, 2026-11): unknown metric" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
