"""The sample's marts (seed 42, built by `make test` / `make build` into KEFU_DB_PATH) equal the golden snapshot.

A refactor that moves a figure fails here with a readable diff; `kefu golden --update` rewrites the snapshot on
purpose and the git diff of tests_python/golden/*.csv shows what moved.
"""
from __future__ import annotations

import shutil

import duckdb

from kefu.golden import GOLDEN_DIR, compare



def test_sample_marts_equal_golden_snapshot(sample_db):
    assert len(list(GOLDEN_DIR.glob("*.csv"))) >= 20
    problems = compare(sample_db)
    assert not problems, "\n\n".join(problems)


def test_golden_comparison_catches_one_changed_value(sample_db, tmp_path):
    copy = tmp_path / "kefu.duckdb"
    shutil.copy(sample_db, copy)
    con = duckdb.connect(str(copy))
    con.execute("update marts.agg_shop_daily_receptions set consult_buyers = consult_buyers + 1 "
                "where (platform, shop_id, reception_date) in "
                "(select platform, shop_id, min(reception_date) from marts.agg_shop_daily_receptions "
                "group by all order by all limit 1)")
    con.close()
    problems = compare(copy)
    assert len(problems) == 1 and problems[0].startswith("agg_shop_daily_receptions: differs"), problems
    assert "-" in problems[0] and "+" in problems[0]
