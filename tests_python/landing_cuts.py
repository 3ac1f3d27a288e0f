"""Test helper: cut a landing folder at a moment in time — what the landing folder looked like at `cutoff`.

Used by the tests that rehearse incremental builds (first load = the data known at the cutoff, second load =
everything) and lay a generated folder out as daily exports (partition_by_date). Every table keeps the rows whose
event time is before the cutoff; an order paid or updated after the cutoff lands in its earlier state (unpaid,
updated_at = created_at). Optionally a share of the messages of the last `late_days` before the cutoff is held back,
as if they landed late.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from kefu.landing import business_date_columns, landing_table_names

# table -> the column that says when a row became known (None: roster-like tables, always present; orders and their
# lines are handled apart: versions as of the cutoff, lines of the orders present at the cutoff)
EVENT_COLUMN = {name: business_date_columns().get(name) for name in landing_table_names()}
EVENT_COLUMN["raw_orders"] = None


def _ts(column: str) -> str:
    return f"try_cast({column} as timestamp)"


def split_landing(source: str | Path, out: str | Path, cutoff: str, late_days: int = 0,
                  late_every: int = 5, held_back_before: str | None = None) -> dict[str, int]:
    """Write to `out` the landing folder as it was at `cutoff` ('YYYY-MM-DD HH:MM:SS').

    late_days > 0 holds back every `late_every`-th message (by message_id hash) sent in the `late_days` days before
    the cutoff. held_back_before='YYYY-MM-DD' additionally holds back every `late_every`-th message sent before that
    date (a row landing later than any look-back allows: an incremental run is expected to miss it).
    Returns the row count written per table.
    """
    source, out = Path(source), Path(out)
    con = duckdb.connect()
    counts: dict[str, int] = {}
    cut = f"timestamp '{cutoff}'"
    for table, column in EVENT_COLUMN.items():
        files = f"read_parquet('{source / table}/*.parquet')"
        if table == "raw_orders":
            query = _orders_at(files, cut)
        elif table == "raw_order_items":
            orders = f"read_parquet('{source / 'raw_orders'}/*.parquet')"
            query = (f"select * from {files} where order_id in "
                     f"(select order_id from {orders} where {_ts('created_at')} < {cut})")
        elif column is None:
            query = f"select * from {files}"
        else:
            query = f"select * from {files} where {_ts(column)} < {cut}"
            if table == "raw_messages":
                held = []
                if late_days:
                    held.append(f"{_ts('sent_at')} >= {cut} - interval {int(late_days)} day")
                if held_back_before:
                    held.append(f"{_ts('sent_at')} < timestamp '{held_back_before}'")
                if held:
                    query += (f" and not (hash(message_id) % {int(late_every)} = 0 and ("
                              + " or ".join(held) + "))")
        folder = out / table
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        con.execute(f"copy ({query}) to '{folder / 'part-0.parquet'}' (format parquet)")
        counts[table] = con.execute(f"select count(*) from read_parquet('{folder}/*.parquet')").fetchone()[0]
    (out / "_split.json").write_text(json.dumps(dict(source=str(source), cutoff=cutoff, late_days=late_days,
                                                     held_back_before=held_back_before, counts=counts), indent=2))
    return counts


def _orders_at(files: str, cut: str) -> str:
    """Order versions known at the cutoff; an order whose only versions are later lands unpaid as created."""
    return f"""
        with versions as (select * from {files} where {_ts('created_at')} < {cut}),
        known as (select * from versions where {_ts('updated_at')} < {cut}),
        unseen as (
            select * exclude (paid_at, payment_amount, status, refund_amount, updated_at),
                null::varchar as paid_at, null::varchar as payment_amount, 'created' as status,
                null::varchar as refund_amount, created_at as updated_at
            from versions
            where order_id not in (select order_id from known)
            qualify row_number() over (partition by order_id order by updated_at) = 1
        )
        select * from known
        union all by name
        select * from unseen
    """


# table -> the business date of a row (text timestamps parsed as staging does; unparsable rows go to the first day)
# the expression dating a row of a table for its day folder: its business date column, an order by its latest version
DATE_OF_ROW = {**business_date_columns(),
               "raw_orders": "coalesce(try_cast(updated_at as timestamp), try_cast(created_at as timestamp))"}


def partition_by_date(source: str | Path, out: str | Path) -> dict[str, list[str]]:
    """Rewrite a flat landing folder as `<table>/date=YYYY-MM-DD/part-0.parquet` (the layout of a daily export).

    A row's date is its table's business timestamp (DATE_OF_ROW; an order by its latest update, its lines with the
    order's first version); tables without one (roster, FAQ questions) stay flat. Returns table -> dates written.
    """
    source, out = Path(source), Path(out)
    con = duckdb.connect()
    written: dict[str, list[str]] = {}
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        table = folder.name
        if not table.startswith("raw_"):  # the configuration folder (config/) goes along as it is
            shutil.rmtree(out / table, ignore_errors=True)
            shutil.copytree(folder, out / table)
            continue
        files = f"read_parquet('{folder}/*.parquet')"
        target = out / table
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        if table == "raw_order_items":
            day = ("(select min(cast(coalesce(try_cast(o.created_at as timestamp), timestamp '1900-01-01') as date)) "
                   f"from read_parquet('{source}/raw_orders/*.parquet') as o where o.order_id = rows.order_id)")
        elif table in DATE_OF_ROW:
            expression = DATE_OF_ROW[table]
            if "(" not in expression:
                expression = f"try_cast({expression} as timestamp)"
            day = f"cast({expression} as date)"
        elif not next(folder.glob("*.parquet"), None):  # the configuration folder (CSV), copied as it is
            shutil.rmtree(target)
            shutil.copytree(folder, target)
            continue
        else:
            shutil.copy2(next(folder.glob("*.parquet")), target / "part-0.parquet")
            for extra in sorted(folder.glob("*.parquet"))[1:]:
                shutil.copy2(extra, target / extra.name)
            written[table] = []
            continue
        con.execute(f"create or replace temp table rows as select * from {files}")
        first = con.execute(f"select min({day}) from rows as rows").fetchone()[0]
        con.execute(f"create or replace temp table dated as select rows.*, coalesce({day}, date '{first}') as _day "
                    f"from rows as rows")
        dates = [str(r[0]) for r in con.execute("select distinct _day from dated order by 1").fetchall()]
        for d in dates:
            (target / f"date={d}").mkdir()
            con.execute(f"copy (select * exclude (_day) from dated where _day = date '{d}') "
                        f"to '{target}/date={d}/part-0.parquet' (format parquet)")
        written[table] = dates
    con.close()
    if (source / "_manifest.json").exists():
        shutil.copy2(source / "_manifest.json", out / "_manifest.json")
    return written
