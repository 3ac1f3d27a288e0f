"""Scoped data tests: in a daily `dbt build` the data tests of an incremental model check the rows the run
recomputed (macros/test_scope.sql); whole tables on --full-refresh, with KEFU_FULL_CHECK=1 and periodically.

A duplicate reception planted inside the look-back window is caught by the scoped test; one planted outside it is
not (that is what the periodic whole-table check is for) and KEFU_FULL_CHECK=1 catches it. A `unique` test of a
staging view checks the keys its base model (re)classified in the run.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from conftest import run_dbt, target_dir

pytestmark = pytest.mark.slow

# the generic tests of fct_receptions (the singular identity tests read whole tables by design)
TESTS_OF_RECEPTIONS = ["build", "--resource-type", "test", "--select", "fct_receptions,test_type:generic"]
SCOPED = "check the rows this run recomputes"


def _plant_duplicate(db: Path, days_before_window: int | None) -> str:
    """Copy one reception of the latest date; dated that many days before the table's earliest date if given."""
    con = duckdb.connect(str(db))
    latest = con.execute("select max(reception_date) from marts.fct_receptions").fetchone()[0]
    reception_id = con.execute("select min(reception_id) from marts.fct_receptions where reception_date = ?",
                               [latest]).fetchone()[0]
    con.execute("create temp table planted as select * from marts.fct_receptions where reception_id = ?",
                [reception_id])
    if days_before_window is not None:
        con.execute(f"update planted set reception_date = (select min(reception_date) from marts.fct_receptions)"
                    f" - interval {days_before_window} day")
    con.execute("insert into marts.fct_receptions select * from planted")
    con.close()
    return reception_id


def _failed_tests(proc) -> str:
    return "\n".join(line for line in proc.stdout.splitlines() if "FAIL" in line)


def test_scoped_test_catches_a_duplicate_inside_the_window(db_copy, small_landing):
    _plant_duplicate(db_copy, None)
    proc = run_dbt(TESTS_OF_RECEPTIONS, db_copy, small_landing, "target_pytest_scope")
    assert SCOPED in proc.stdout
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "unique_fct_receptions_reception_id" in _failed_tests(proc)


def test_duplicate_outside_the_window_needs_the_whole_table_check(db_copy, small_landing, monkeypatch):
    _plant_duplicate(db_copy, 30)
    scoped = run_dbt(TESTS_OF_RECEPTIONS, db_copy, small_landing, "target_pytest_scope")
    assert SCOPED in scoped.stdout
    assert scoped.returncode == 0, scoped.stdout[-3000:]

    monkeypatch.setenv("KEFU_FULL_CHECK", "1")
    whole = run_dbt(TESTS_OF_RECEPTIONS, db_copy, small_landing, "target_pytest_scope")
    assert "data tests check whole tables (KEFU_FULL_CHECK is set)" in whole.stdout
    assert whole.returncode == 1, whole.stdout[-3000:]
    assert "unique_fct_receptions_reception_id" in _failed_tests(whole)


def test_first_build_checks_whole_tables_and_is_recorded(built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    runs = con.execute("select whole_tables, full_project, reason, passed from run_state.test_scope_runs").fetchall()
    assert runs == [(True, True, "no whole-table check has passed yet", True)]


TESTS_OF_STAGED_MESSAGES = ["build", "--resource-type", "test", "--select", "stg_kefu__messages,test_type:generic"]


def test_unique_test_of_a_staging_view_checks_the_keys_the_run_classified(db_copy, small_landing, monkeypatch):
    # an older staged message repeated under another landing row: not among this run's keys, so the scoped test
    # passes; the same rows fail once the copy counts as (re)classified by the run, and in the whole-table check
    con = duckdb.connect(str(db_copy))
    con.execute("create temp table planted as select * from staging.base_kefu__messages where _outcome = 'staged' "
                "order by message_id limit 1")
    con.execute("update planted set landing_row_id = landing_row_id || '-copy'")
    con.execute("insert into staging.base_kefu__messages select * from planted")
    con.close()
    scoped = run_dbt(TESTS_OF_STAGED_MESSAGES, db_copy, small_landing, "target_pytest_scope")
    assert SCOPED in scoped.stdout
    assert scoped.returncode == 0, scoped.stdout[-3000:]

    compiled = next(target_dir("target_pytest_scope").glob("run/**/unique_stg_kefu__messages_message_id*.sql"))
    sql = compiled.read_text()
    run_clock = sql.split("_classified_at = cast('")[1].split("'")[0]
    with duckdb.connect(str(db_copy)) as con:
        con.execute("update staging.base_kefu__messages set _classified_at = cast(? as timestamp) "
                    "where landing_row_id like '%-copy'", [run_clock])
        assert con.execute(sql).fetchone()[0] == 1

    monkeypatch.setenv("KEFU_FULL_CHECK", "1")
    whole = run_dbt(TESTS_OF_STAGED_MESSAGES, db_copy, small_landing, "target_pytest_scope")
    assert whole.returncode == 1, whole.stdout[-3000:]
    assert "unique_stg_kefu__messages_message_id" in _failed_tests(whole)
