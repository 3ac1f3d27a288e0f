"""Privacy scan (docs/metrics.md §8): no value of any column of any published mart equals a raw buyer id or a message
content of the sample. Runs on the seed-42 sample that `make test` builds (KEFU_DB_PATH, KEFU_LANDING_PATH)."""
from __future__ import annotations

import duckdb

from kefu.settings import landing_path as default_landing

RAW_SECRETS = {
    "raw_sessions": ["buyer_id"],
    "raw_orders": ["buyer_id"],
    "raw_faq_events": ["buyer_id"],
    "raw_visits": ["visitor_id"],
    "raw_messages": ["content"],
}


def _secrets(con: duckdb.DuckDBPyConnection) -> int:
    landing = default_landing()
    parts = [f"select distinct cast({col} as varchar) as secret from read_parquet('{landing}/{table}/**/*.parquet', "
             f"union_by_name = true) where {col} is not null"
             for table, cols in RAW_SECRETS.items() for col in cols]
    con.execute("create temp table secrets as " + " union ".join(parts))
    return con.execute("select count(*) from secrets").fetchone()[0]


def _leaks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every column of every table in the database whose values equal a secret."""
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema <> 'temp' order by all").fetchall()
    assert len({(s, t) for s, t, _ in columns}) >= 20
    leaks = []
    for schema, table, column in columns:
        (hits,), = con.execute(
            f'select count(*) from "{schema}"."{table}" join secrets on cast("{column}" as varchar) = secrets.secret'
        ).fetchall()
        if hits:
            leaks.append(f"{schema}.{table}.{column}: {hits} values equal a raw buyer id or message content")
    return leaks


def test_no_published_value_equals_a_raw_buyer_id_or_message_content(published_sample):
    con = duckdb.connect(str(published_sample), read_only=True)
    assert _secrets(con) > 1000
    leaks = _leaks(con)
    con.close()
    assert not leaks, "\n".join(leaks)


def test_scan_catches_a_planted_buyer_id_and_content(published_sample, tmp_path):
    copy = tmp_path / "leaky.duckdb"
    copy.write_bytes(published_sample.read_bytes())
    con = duckdb.connect(str(copy))
    landing = default_landing()
    con.execute("update marts.fct_receptions set agent_id = (select min(buyer_id) from read_parquet("
                f"'{landing}/raw_sessions/**/*.parquet', union_by_name = true)) where reception_id = "
                "(select min(reception_id) from marts.fct_receptions)")
    con.execute("create table marts.leak as select content as note from read_parquet("
                f"'{landing}/raw_messages/**/*.parquet', union_by_name = true) where content is not null limit 1")
    _secrets(con)
    leaks = _leaks(con)
    con.close()
    assert [leak.split(":")[0] for leak in leaks] == ["marts.fct_receptions.agent_id", "marts.leak.note"], leaks
