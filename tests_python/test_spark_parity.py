"""Spark build parity: the Spark build's published marts equal the DuckDB build's, and the check catches
one changed value.

Needs pyspark (the `spark` extra) and Java, and a Spark build of the seed-42 sample in KEFU_SPARK_DIR
(`make test` and `make test-spark` run `make spark-build`, then this file with .venv-spark/bin/python); skipped
otherwise (in .venv, which has no pyspark).
"""
from __future__ import annotations

import importlib.util
import shutil

import duckdb
import pytest

from kefu.spark_parity import compare, marts_to_compare, published_marts, spark_dir, spark_table_folder

pytestmark = [pytest.mark.spark, pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
    reason="Spark parity needs pyspark and Java: make spark-install, then run it with .venv-spark/bin/python",
)]


@pytest.fixture(scope="module")
def spark_warehouse():
    warehouse = spark_dir() / "warehouse"
    if not (warehouse / "marts.db").is_dir():
        pytest.skip(f"no Spark build in {warehouse}: run `make spark-build` (or `make test-spark`)")
    return warehouse


def test_spark_marts_equal_duckdb_marts(sample_db, spark_warehouse):
    marts = published_marts()
    assert len(marts) >= 20
    problems = compare(sample_db, spark_warehouse, marts)
    assert not problems, "\n\n".join(problems)


def test_every_published_table_is_compared(sample_db):
    """The parity list is every table `kefu publish` copies (the marts schema), not a hand-kept list."""
    con = duckdb.connect(str(sample_db), read_only=True)
    tables = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
    con.close()
    assert {m.name for m in published_marts()} == tables
    assert {m.name for m in marts_to_compare(sample_db, published_marts())} == tables


def test_parity_check_catches_one_changed_value(sample_db, spark_warehouse, tmp_path):
    marts = published_marts()
    changed = "agg_shop_daily_receptions"
    assert changed in {m.name for m in marts}
    warehouse = tmp_path / "warehouse"
    for mart in marts:
        shutil.copytree(spark_table_folder(spark_warehouse, mart.name), spark_table_folder(warehouse, mart.name))
    # one value of one row changes in the copy: consult_buyers + 1 on the first shop-day
    folder = spark_table_folder(warehouse, changed)
    con = duckdb.connect()
    con.execute(f"create table t as select * from read_parquet('{folder}/*.parquet')")
    con.execute("update t set consult_buyers = consult_buyers + 1 where (platform, shop_id, reception_date) in "
                "(select platform, shop_id, min(reception_date) from t group by all order by all limit 1)")
    for old in folder.glob("*"):
        old.unlink()
    con.execute(f"copy t to '{folder}/part-0.parquet' (format parquet)")
    con.close()

    problems = compare(sample_db, warehouse, marts)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{changed}: Spark differs"), problems
    assert "consult_buyers" in problems[0]
