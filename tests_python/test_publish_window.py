"""A refresh's publish replaces, in the copy of the published file, only the rows dated from the first day the
refresh recomputed (kefu.publish._replace_rows_since); when the copy's other rows do not match the build database's
(its row count differs) or the columns differ, it says so and the caller replaces the whole mart. A mart with a
unique key also loses the older rows whose key the recomputed rows hold (its build deleted them by key)."""
from __future__ import annotations

import duckdb
import pytest

from kefu.publish import PUBLISHED_SCHEMA, _replace_rows_since

MART = f"{PUBLISHED_SCHEMA}.agg_day"


def _staging(tmp_path, build_rows, published_rows, published_columns="day date, shop varchar, buyers integer"):
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute(f"create schema {PUBLISHED_SCHEMA}")
        con.execute(f"create table {MART} (day date, shop varchar, buyers integer)")
        con.executemany(f"insert into {MART} values (?, ?, ?)", build_rows)
    con = duckdb.connect(str(tmp_path / "staging.duckdb"))
    con.execute(f"create schema {PUBLISHED_SCHEMA}")
    con.execute(f"create table {MART} ({published_columns})")
    if published_rows:
        con.executemany(f"insert into {MART} values ({', '.join('?' for _ in published_rows[0])})", published_rows)
    con.execute(f"attach '{build}' as build (read_only)")
    return con


def _rows(con, database=""):
    return sorted(con.execute(f"select day, shop, buyers from {database}{MART}").fetchall())


OLD = [("2026-11-01", "s1", 5), ("2026-11-01", "s2", 7)]


def test_rows_from_the_first_recomputed_day_are_replaced(tmp_path):
    # the published file: the old day, and the last day as the morning refresh left it (one shop, fewer buyers)
    con = _staging(tmp_path, OLD + [("2026-11-02", "s1", 9), ("2026-11-02", "s2", 3)],
                   OLD + [("2026-11-02", "s1", 4)])
    try:
        assert _replace_rows_since(con, "agg_day", "day", "2026-11-02") is True
        assert _rows(con) == _rows(con, "build.")
    finally:
        con.close()


def test_a_copy_whose_older_rows_differ_in_number_is_left_to_the_whole_replace(tmp_path):
    con = _staging(tmp_path, OLD + [("2026-11-02", "s1", 9)], OLD[:1] + [("2026-11-02", "s1", 4)])
    try:
        assert _replace_rows_since(con, "agg_day", "day", "2026-11-02") is False
    finally:
        con.close()


@pytest.mark.parametrize("columns", ["day date, shop varchar", "day date, shop varchar, buyers integer, extra int"])
def test_a_copy_with_other_columns_is_left_to_the_whole_replace(tmp_path, columns):
    width = columns.count(",") + 1
    con = _staging(tmp_path, OLD, [OLD[0][:width] + (1,) * (width - 3)], published_columns=columns)
    try:
        assert _replace_rows_since(con, "agg_day", "day", "2026-11-01") is False
    finally:
        con.close()


def test_a_row_whose_key_moved_into_the_window_leaves_its_older_row(tmp_path):
    # a keyed mart (unique key `shop` here): the build moved s2 from 11-01 to 11-02 (its incremental strategy deleted
    # the older row by key); without the key the copy would keep both the old s2 row and the new one
    build_rows = [("2026-11-01", "s1", 5), ("2026-11-02", "s2", 8), ("2026-11-02", "s3", 1)]
    for key, replaced in ((("shop",), True), ((), False)):
        folder = tmp_path / ("keyed" if key else "unkeyed")
        folder.mkdir()
        con = _staging(folder, build_rows, OLD)
        try:
            assert _replace_rows_since(con, "agg_day", "day", "2026-11-02", key) is replaced
            if replaced:
                assert _rows(con) == _rows(con, "build.")
                assert [(str(day), shop) for day, shop, _ in _rows(con)] == [r[:2] for r in build_rows]
        finally:
            con.close()
