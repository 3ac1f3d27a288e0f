"""Cut a landing folder at a moment in time: what the landing folder looked like at `cutoff`.

Used to rehearse incremental builds (first load = the data known at the cutoff, second load = everything) and by
the benchmark to time a one-day incremental run. Every table keeps the rows whose event time is before the cutoff;
an order paid or updated after the cutoff lands in its earlier state (unpaid, updated_at = created_at). Optionally
a share of the messages of the last `late_days` before the cutoff is held back, as if they landed late.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

# table -> the column that says when a row became known (None: roster-like tables, always present)
EVENT_COLUMN = {
    "raw_sessions": "started_at",
    "raw_messages": "sent_at",
    "raw_orders": None,  # handled apart: versions as of the cutoff
    "raw_order_items": None,  # lines of the orders present at the cutoff
    "raw_agents": None,
    "raw_agent_status": "started_at",
    "raw_ratings": "rated_at",
    "raw_faq_questions": None,
    "raw_faq_events": "occurred_at",
    "raw_visits": "visited_at",
}


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
