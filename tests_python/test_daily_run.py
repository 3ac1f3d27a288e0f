"""The daily run reads only new landing files and still equals a full refresh.

A date-partitioned landing folder (`<table>/date=YYYY-MM-DD/part-0.parquet`) is built in two steps, the way a daily
export grows: first the days before a cutoff; then the later days' folders are added, one late file of messages
lands in an old day's folder, one old ratings file is re-exported with a row less, and an order of the first day is
re-exported refunded (its created date is far before the look-back). The second build is
incremental. Base, intermediate and mart tables must equal a full refresh of the final folder, the base models must
have read only the new files, and the build's data tests (raw = staged + duplicates + rejected) must pass.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import run_dbt

from landing_cuts import partition_by_date
from test_incremental import table_differences

pytestmark = pytest.mark.slow

MODELS_AND_SEEDS = ["build", "--resource-type", "seed", "--resource-type", "model"]
CUTOFF = "2026-11-10"
# columns of base tables that name the file or the run, not the row (copies of a row may swap files)
RUN_COLUMNS = {"_source_file", "_source_version", "_classified_at", "_load_window_end"}


@pytest.fixture(scope="module")
def stages(tmp_path_factory) -> tuple[Path, Path]:
    from kefu.generate import generate

    root = tmp_path_factory.mktemp("daily")
    generate(str(root / "flat"), seed=11, shops=3, buyers=60, days=14)
    partition_by_date(root / "flat", root / "all")
    # first load: the days before the cutoff; a fifth of the day before's messages are held back
    first = root / "landing"
    shutil.copytree(root / "all", first, ignore=lambda folder, names: [
        n for n in names if n.startswith("date=") and n[5:] >= CUTOFF])
    held_back_day = first / "raw_messages" / "date=2026-11-09"
    con = duckdb.connect()
    con.execute(f"create table day as select * from read_parquet('{held_back_day}/part-0.parquet')")
    con.execute(f"copy (select * from day where hash(message_id) % 5 <> 0) to '{held_back_day}/part-0.parquet'")
    con.execute(f"copy (select * from day where hash(message_id) % 5 = 0) to '{root}/late.parquet'")
    con.close()
    return root, first


def _second_load(root: Path, landing: Path) -> dict[str, int]:
    """Grow the landing folder; returns how many files of each table are new."""
    new_files = {"raw_messages": 1, "raw_ratings": 1}
    for table in (t for t in (root / "all").iterdir() if t.is_dir()):
        for folder in table.iterdir():
            if folder.is_dir() and folder.name[5:] >= CUTOFF:
                shutil.copytree(folder, landing / table.name / folder.name)
                new_files[table.name] = new_files.get(table.name, 0) + 1
    shutil.copy2(root / "late.parquet", landing / "raw_messages" / "date=2026-11-09" / "late-0.parquet")
    ratings = sorted((landing / "raw_ratings").glob("date=*/part-0.parquet"))[2]
    con = duckdb.connect()
    con.execute(f"create table r as select * from read_parquet('{ratings}')")
    con.execute(f"copy (select * from r where session_id <> (select min(session_id) from r)) to '{ratings}'")
    # an order created and paid on the first days is re-exported on the last day, refunded: its created date lies far
    # before the look-back, yet the order fact (and every rollup of that order) must take the new version
    last = max(p.name for p in (landing / "raw_orders").glob("date=*"))
    con.execute(f"""copy (
        select * replace ('refunded' as status, payment_amount as refund_amount, '{last[5:]} 12:00:00' as updated_at)
        from read_parquet('{landing}/raw_orders/**/*.parquet')
        where created_at < '2026-11-02' and paid_at is not null and order_id in (
            select order_id from read_parquet('{landing}/raw_orders/**/*.parquet') group by order_id having count(*) = 1)
        order by created_at, order_id limit 1
    ) to '{landing}/raw_orders/{last}/relanded-0.parquet'""")
    con.close()
    new_files["raw_orders"] += 1
    return new_files


def _base_differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(str(left), read_only=True)
    con.execute(f"attach '{right}' as reference (read_only)")
    tables = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'staging' and table_name like 'base_kefu__%' order by 1").fetchall()]
    assert len(tables) == 10, tables
    diffs = {}
    for table in tables:
        columns = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = 'staging' and table_name = ? order by ordinal_position", [table]).fetchall()]
        select = ", ".join(f'"{c}"' for c in columns if c not in RUN_COLUMNS)
        mine, theirs = f"select {select} from staging.{table}", f"select {select} from reference.staging.{table}"
        only_left = con.execute(f"select count(*) from ({mine} except all {theirs})").fetchone()[0]
        only_right = con.execute(f"select count(*) from ({theirs} except all {mine})").fetchone()[0]
        if only_left or only_right:
            diffs[table] = (only_left, only_right)
    con.close()
    return diffs


def test_daily_run_reads_new_files_only_and_equals_full_refresh(stages, tmp_path):
    root, landing = stages
    db = tmp_path / "daily.duckdb"
    run_dbt(MODELS_AND_SEEDS, db, landing, "target_pytest_daily", check=True)
    new_files = _second_load(root, landing)
    proc = run_dbt(["build", "--exclude", "test_type:unit"], db, landing, "target_pytest_daily", check=True)
    read = dict(re.findall(r"kefu incremental: (raw_\w+): (\d+) new landing file", proc.stdout))
    # the new days, the late file and the re-exported ratings file; nothing of the flat roster tables
    assert {t: int(n) for t, n in read.items() if int(n)} == new_files, read
    assert read["raw_agents"] == "0" and read["raw_faq_questions"] == "0", read

    reference = tmp_path / "reference.duckdb"
    run_dbt(MODELS_AND_SEEDS, reference, landing, "target_pytest_daily_ref", check=True)
    assert _base_differences(db, reference) == {}
    assert table_differences(db, reference) == {}


LIVE_MARTS = ["agg_shop_hourly_load", "agg_agent_daily_receptions", "agg_agent_daily_service",
              "agg_shop_daily_receptions", "agg_shop_daily_service", "agg_shop_daily_sales", "agg_agent_daily_sales",
              "agg_agent_live_status"]


def _mart_rows(db: Path, mart: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(f"select * from marts.{mart} order by all").fetchall()
    con.close()
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]


def test_intraday_refresh_updates_live_marts_only(stages, tmp_path):
    import os
    import subprocess
    import sys

    from conftest import target_dir
    from kefu.bench import _land, stage_landing

    root, _ = stages
    # the "10-minute file" of the benchmark, widened to four hours for this small sample
    landing, daily, intraday = stage_landing(root / "all", tmp_path, ("18:00:00", "22:00:00"))
    _land(daily)
    db = tmp_path / "live.duckdb"
    run_dbt(MODELS_AND_SEEDS, db, landing, "target_pytest_live", check=True)
    before = {m: _mart_rows(db, m) for m in [*LIVE_MARTS, "fct_inquiry_conversion", "agg_shop_daily_performance"]}
    _land(intraday)
    env = {**os.environ, "KEFU_DB_PATH": str(db), "KEFU_LANDING_PATH": str(landing),
           "KEFU_DBT_TARGET_PATH": str(target_dir("target_pytest_live"))}
    proc = subprocess.run([sys.executable, "-m", "kefu.cli", "refresh", "--no-publish"], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "raw_messages: 1 new landing file" in proc.stdout and "raw_orders: 0 new landing file" in proc.stdout

    reference = tmp_path / "reference.duckdb"
    run_dbt(MODELS_AND_SEEDS, reference, landing, "target_pytest_live_ref", check=True)
    for mart in LIVE_MARTS:
        assert _mart_rows(db, mart) == _mart_rows(reference, mart), mart
    assert any(before[m] != _mart_rows(db, m) for m in LIVE_MARTS)
    # the other marts wait for the daily run
    for mart in ("fct_inquiry_conversion", "agg_shop_daily_performance"):
        assert _mart_rows(db, mart) == before[mart], mart
