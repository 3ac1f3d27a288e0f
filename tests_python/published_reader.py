"""Test helper, run as its own process: a reader of the published file, as a BI tool or the dashboard reads it.

    python published_reader.py MODE PUBLISHED LOG STOP

Every query's result (or error) goes to LOG as one JSON line; the reader ends when the file STOP exists (at most
READER_SECONDS). Each query reads, in one statement, the newest row of main.kefu_runs (run_id, rows_per_mart) and the
row count of every mart, so a line says which publish the reader saw and whether the file was whole: a published file
is consistent when its marts hold the counts its own run row recorded.

Modes:
* ``held``  — one read-only connection for the whole run (a BI tool that keeps its connection open);
* ``fresh`` — a new read-only connection for each query (the dashboard, a BI tool that reconnects);
* ``long``  — one query that spans a swap: it starts, then waits inside the scan (a Python function DuckDB calls per
  chunk of rows) until the file STOP + ".swapped" exists, and reads the rest of the table after it.
"""
from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

import duckdb

READER_SECONDS = 600
# fct_alerts is written by publish itself (kefu.alerts), not counted in the run row's rows_per_mart
MARTS_SQL = ("select table_name from information_schema.tables where table_schema = 'marts' "
             "and table_type = 'BASE TABLE' and table_name <> 'fct_alerts' order by table_name")


def snapshot(con: duckdb.DuckDBPyConnection) -> dict:
    """The newest run row and every mart's row count, read in one statement (one transaction)."""
    marts = [r[0] for r in con.execute(MARTS_SQL).fetchall()]
    counts = ", ".join(f'(select count(*) from marts."{m}") as "{m}"' for m in marts)
    cur = con.execute(f"select (select run_id from main.kefu_runs order by started_at desc limit 1) as run_id, "
                      f"(select rows_per_mart from main.kefu_runs order by started_at desc limit 1) as rows_per_mart, "
                      f"{counts}")
    names = [d[0] for d in cur.description]
    row = dict(zip(names, cur.fetchone()))
    expected = json.loads(row.pop("rows_per_mart") or "{}")
    run_id = row.pop("run_id")
    row.pop("fct_alerts", None)  # written by the publish step itself (kefu.alerts), not a mart of the build
    return {"run_id": run_id, "consistent": bool(expected) and expected == row, "marts": len(row),
            "receptions": row.get("fct_receptions")}


def main(mode: str, published: Path, log: Path, stop: Path) -> None:
    deadline = time.monotonic() + READER_SECONDS
    with log.open("a", encoding="utf-8") as out:
        def record(**entry) -> None:
            out.write(json.dumps({"t": time.time(), **entry}) + "\n")
            out.flush()

        held = duckdb.connect(str(published), read_only=True) if mode in ("held", "long") else None
        record(event="open")
        if mode == "long":
            swapped = Path(str(stop) + ".swapped")

            def wait_for_swap(x: int) -> bool:
                while not swapped.exists() and time.monotonic() < deadline:
                    time.sleep(0.05)
                return True

            held.create_function("wait_for_swap", wait_for_swap, [duckdb.sqltypes.BIGINT], duckdb.sqltypes.BOOLEAN,
                                 side_effects=True)
            before = snapshot(held)
            record(event="long query started", **before)
            try:
                total = held.execute("select count(*) from marts.fct_receptions "
                                     "where wait_for_swap(length(reception_id))").fetchone()[0]
                record(event="long query done", total=total, **snapshot(held))
            except Exception:  # noqa: BLE001 - the test reads the error from the log
                record(event="error", error=traceback.format_exc())
            held.close()
            return
        while not stop.exists() and time.monotonic() < deadline:
            try:
                if held is not None:
                    result = snapshot(held)
                else:
                    with duckdb.connect(str(published), read_only=True) as con:
                        result = snapshot(con)
                record(event="read", **result)
            except Exception:  # noqa: BLE001 - the test reads the error from the log
                record(event="error", error=traceback.format_exc())
            time.sleep(0.05)
        if held is not None:
            held.close()
        record(event="closed")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
