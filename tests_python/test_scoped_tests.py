"""Scoped data tests: in a daily `dbt build` the data tests of an incremental model check the rows the run
recomputed (macros/test_scope.sql); whole tables on --full-refresh, with KEFU_FULL_CHECK=1 and periodically.

A duplicate reception planted inside the look-back window is caught by the scoped test; one planted outside it is
not (that is what the periodic whole-table check is for) and KEFU_FULL_CHECK=1 catches it.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from conftest import run_dbt

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
