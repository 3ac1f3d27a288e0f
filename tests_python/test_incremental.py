"""Incremental builds equal a full refresh.

The sample is built in two halves: first the landing folder as it was at a cutoff (orders paid later land unpaid,
a fifth of the last day's messages are held back), then an incremental run on everything (late rows included).
Every intermediate and mart table must then equal, row for row, a full refresh on everything.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import run_dbt

from landing_cuts import split_landing

pytestmark = pytest.mark.slow

MODELS_AND_SEEDS = ["build", "--resource-type", "seed", "--resource-type", "model"]
CUTOFF = "2026-11-10 00:00:00"  # day 10 of 14: the first load's latest date is 2026-11-09, look-back 6 days


@pytest.fixture(scope="module")
def long_landing(tmp_path_factory) -> Path:
    from kefu.generate import generate

    landing = tmp_path_factory.mktemp("long_landing")
    generate(str(landing), seed=11, shops=3, buyers=60, days=14)
    return landing


@pytest.fixture(scope="module")
def full_refresh_db(long_landing, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("full_refresh") / "kefu.duckdb"
    run_dbt(MODELS_AND_SEEDS, db, long_landing, "target_pytest_full", check=True)
    return db


def _two_halves(long_landing: Path, tmp: Path, name: str, **held_back) -> Path:
    first = tmp / f"{name}_first_load"
    split_landing(long_landing, first, CUTOFF, **held_back)
    db = tmp / f"{name}.duckdb"
    run_dbt(MODELS_AND_SEEDS, db, first, f"target_pytest_{name}", check=True)
    # second load: everything, incremental models not rebuilt from scratch; data tests must hold afterwards
    run_dbt(["build", "--exclude", "test_type:unit"], db, long_landing, f"target_pytest_{name}", check=True)
    return db


def _message_count(landing: Path) -> int:
    query = f"select count(*) from read_parquet('{landing}/raw_messages/*.parquet')"
    return duckdb.connect().execute(query).fetchone()[0]


def table_differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Per intermediate/mart table: (rows only in left, rows only in right), multiset semantics; only non-zero."""
    con = duckdb.connect(str(left), read_only=True)
    con.execute(f"attach '{right}' as reference (read_only)")
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema in ('intermediate', 'marts') "
        "and table_type = 'BASE TABLE' order by all"
    ).fetchall()
    assert len(tables) > 10, tables
    diffs = {}
    for schema, table in tables:
        # doubles summed in a different order differ in the last bits: compare them to 9 decimals
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() and table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table]).fetchall()
        select = ", ".join(f'round("{c}", 9)' if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t in columns)
        mine = f"select {select} from {schema}.{table}"
        theirs = f"select {select} from reference.{schema}.{table}"
        only_left = con.execute(f"select count(*) from ({mine} except all {theirs})").fetchone()[0]
        only_right = con.execute(f"select count(*) from ({theirs} except all {mine})").fetchone()[0]
        if only_left or only_right:
            diffs[f"{schema}.{table}"] = (only_left, only_right)
    con.close()
    return diffs


def test_two_half_incremental_build_equals_full_refresh(long_landing, full_refresh_db, tmp_path):
    db = _two_halves(long_landing, tmp_path, "halves", late_days=1)
    first = tmp_path / "halves_first_load"
    first_messages, all_messages = (_message_count(folder) for folder in (first, long_landing))
    assert 0 < first_messages < all_messages
    assert table_differences(db, full_refresh_db) == {}


def test_comparison_catches_a_row_that_landed_too_late(long_landing, full_refresh_db, tmp_path):
    # messages of the first two days held back: they land after the look-back has moved past them, so the
    # incremental run must miss them and the comparison must say so (the check can fail)
    db = _two_halves(long_landing, tmp_path, "too_late", held_back_before="2026-11-03")
    diffs = table_differences(db, full_refresh_db)
    assert "intermediate.int_messages__human_phase" in diffs
    assert diffs["intermediate.int_messages__human_phase"][1] > 0


def test_incremental_run_on_an_old_human_phase_asks_for_a_full_refresh(long_landing, full_refresh_db, tmp_path):
    # a human-phase table built before replies_before existed: the incremental run stops with the command to run,
    # instead of appending the column (null outside the look-back) or failing in fct_response_rounds
    db = tmp_path / "old_human_phase.duckdb"
    db.write_bytes(full_refresh_db.read_bytes())
    con = duckdb.connect(str(db))
    con.execute("alter table intermediate.int_messages__human_phase drop column replies_before")
    con.close()
    proc = run_dbt(["run", "-s", "int_messages__human_phase"], db, long_landing, "target_pytest_old_human_phase")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "has no column replies_before" in output
    assert "`dbt build --full-refresh -s int_messages__human_phase+`" in output
    assert "Traceback" not in output
