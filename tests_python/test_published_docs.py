"""The published file describes itself: every mart has a table comment, every column a comment carrying its Chinese
label (docs/column_catalog.yml), and no mart column is missing from the catalog."""
from __future__ import annotations

import re

import duckdb

from kefu.publish import column_catalog

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_mart_column_is_in_the_catalog(published_sample):
    catalog = column_catalog()
    con = duckdb.connect(str(published_sample), read_only=True)
    names = {r[0] for r in con.execute("select distinct column_name from duckdb_columns() where schema_name = 'marts'"
                                       ).fetchall()}
    con.close()
    assert len(names) > 200
    missing = sorted(names - set(catalog))
    assert not missing, f"add these columns to docs/column_catalog.yml: {missing}"
    assert all(entry.get("label_zh") and entry.get("description") for entry in catalog.values())


def test_published_tables_and_columns_carry_comments(published_sample):
    con = duckdb.connect(str(published_sample), read_only=True)
    tables = con.execute("select table_name, comment from duckdb_tables() where schema_name = 'marts'").fetchall()
    columns = con.execute("select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'"
                          ).fetchall()
    con.close()
    assert len(tables) >= 24
    assert [t for t, c in tables if not c] == []
    assert [(t, c) for t, c, comment in columns if not comment or not CJK.search(comment)] == []
    by_name = {(t, c): comment for t, c, comment in columns}
    assert by_name[("agg_shop_daily_receptions", "consult_buyers")].startswith("咨询人数")
