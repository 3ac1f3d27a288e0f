"""Publish the marts: copy them from the build database into a fresh file, then swap it in atomically.

BI tools open the published file only; they never see a half-built or locked database, and the published
file holds the marts schema alone (no staging rows, no message content, no raw buyer ids) plus the run log
``main.kefu_runs``.

Publishing is gated. A daily run (`kefu build`, `make publish`, the Dagster job kefu_daily) is published only when its
dbt invocation was a `dbt build` and every node in its run_results.json is success / pass / warn / no-op, and the
quality gate (`kefu check`) passed for the current build database (gate_result.json beside it records the build
database's mtime, which must still match). An intraday refresh (`kefu refresh`, the Dagster job kefu_live) is
published under the same gate when its dbt invocation was a `dbt build --selector live` whose selected nodes all
passed, and a daily run has been published from the same build database before (the run log says so): a refresh
updates the live marts of a database whose other marts a full build made. Otherwise publish refuses with one line on
stderr, exit 2, and the published file stays byte-identical.

Run log: every attempt, published or refused, appends one row to ``main.kefu_runs`` of the run-log file
``kefu_runs.duckdb`` beside the published database. A published file carries a copy of that table as of its own
publish (its own row included); refused attempts are in the run-log file only, since writing them into the published
file would change it. A publish that stops half-way (out of disk space, a file another process holds open) removes its
half-written copy, leaves the published file as it was, and logs its attempt as not published when the run log can
still be written.

Readers: a process that has the published file open (read-only, as BI tools and the dashboard do) keeps reading the
file it opened — on Linux the swapped-out file lives on until its last reader closes it — and a connection opened after
the swap reads the new one. Publish never opens the published file, so its readers cannot block it. Writing the run
log and reading the build database need DuckDB's lock on those files; publish waits for a process holding them open
up to KEFU_PUBLISH_WAIT_SECONDS (kefu.runlock.wait_for_file).

Alerts (预警): a publish opens and closes alerts from the build's int_alerts__conditions, keeps them with the push
ledger in the run-log file, and writes them into the published file as ``marts.fct_alerts`` (kefu.alerts); a refused
attempt changes nothing.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from pathlib import Path
from typing import Any

import duckdb

from kefu import alerts
from kefu.errors import DiskFull, PublishRefused, UserError, disk_full
from kefu.runlock import FileBusy, wait_for_file
from kefu.settings import build_db_path, published_path, run_results_path

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED_SCHEMA = "marts"
CATALOG = ROOT / "docs" / "column_catalog.yml"
RUNS_TABLE = "kefu_runs"
OK_STATUSES = {"success", "pass", "warn", "no-op"}
RUN_KINDS = ("daily", "live")
RUNS_DDL = f"""
create table if not exists main.{RUNS_TABLE} (
    run_id varchar primary key,
    kind varchar,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    as_of date,
    landing_files_read integer,
    dbt_pass integer,
    dbt_warn integer,
    dbt_error integer,
    gate_passed boolean,
    gate_failures integer,
    rows_per_mart varchar,
    published boolean,
    refused_reason varchar,
    build_db varchar,
    published_db varchar
)
"""


build_path = build_db_path


def run_log_path(target: Path) -> Path:
    return target.with_name(f"{RUNS_TABLE}.duckdb")


def _user_error(message: str) -> Exception:
    return UserError(message)


def column_catalog() -> dict[str, dict[str, str]]:
    """docs/column_catalog.yml: every mart column name with its Chinese label and definition."""
    import yaml

    return yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["columns"]


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection) -> None:
    """Self-describing published file: each mart's description (dbt persist_docs) as the table comment, and per
    column its Chinese label and definition from the column catalog (the dbt YAML description when it has one)."""
    catalog = column_catalog()
    for table, comment in con.execute(
            "select table_name, comment from duckdb_tables() where database_name = 'build' and schema_name = ?",
            [PUBLISHED_SCHEMA]).fetchall():
        if comment:
            con.execute(f"comment on table {PUBLISHED_SCHEMA}.{table} is {_sql_text(comment)}")
    for table, column, comment in con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where database_name = 'build' and schema_name = ?", [PUBLISHED_SCHEMA]).fetchall():
        entry = catalog.get(column, {})
        text = " — ".join(part for part in (entry.get("label_zh"), comment or entry.get("description")) if part)
        if text:
            con.execute(f'comment on column {PUBLISHED_SCHEMA}.{table}."{column}" is {_sql_text(text)}')


def _comment_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Column comments of a mart the publish step writes itself (fct_alerts): label and definition from the catalog."""
    catalog = column_catalog()
    for (column,) in con.execute("select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                                 "and database_name = current_database()", [PUBLISHED_SCHEMA, table]).fetchall():
        entry = catalog.get(column, {})
        text = " — ".join(part for part in (entry.get("label_zh"), entry.get("description")) if part)
        if text:
            con.execute(f'comment on column {PUBLISHED_SCHEMA}.{table}."{column}" is {_sql_text(text)}')


def staging_path(target: Path) -> Path:
    """The new file publish writes beside the target before swapping it in."""
    return target.with_name(f".{target.name}.tmp")


def _remove_staging(staging_file: Path) -> None:
    for path in (staging_file, staging_file.with_name(staging_file.name + ".wal")):
        path.unlink(missing_ok=True)


def _write_staging(source: Path, staging_file: Path, run_log: Path | None, run_row: dict | None) -> None:
    con = duckdb.connect(str(staging_file))
    try:
        wait_for_file(lambda: con.execute(f"attach '{source}' as build (read_only)"), source)
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'build' and table_schema = ? order by table_name",
                [PUBLISHED_SCHEMA],
            ).fetchall()
        ]
        con.execute(f"create schema {PUBLISHED_SCHEMA}")
        for table in tables:
            con.execute(f"create table {PUBLISHED_SCHEMA}.{table} as select * from build.{PUBLISHED_SCHEMA}.{table}")
        _copy_comments(con)
        conditions = alerts.read_conditions(con, "build")
        con.execute("detach build")
        if run_log is not None and run_row is not None:
            _log_run(run_log, {**run_row, "finished_at": dt.datetime.now(dt.timezone.utc)})
            if conditions is not None:
                counts = alerts.reconcile(run_log, conditions, run_row["run_id"])
                print(f"kefu alerts: {counts['opened']} opened, {counts['closed']} closed, {counts['open']} open")
        if run_log is not None and run_log.exists():
            wait_for_file(lambda: con.execute(f"attach '{run_log}' as runlog (read_only)"), run_log)
            con.execute(f"create table main.{RUNS_TABLE} as select * from runlog.main.{RUNS_TABLE} order by started_at")
            alerts.publish_table(con, "runlog", PUBLISHED_SCHEMA)
            con.execute("detach runlog")
        else:
            alerts.publish_table(con, None, PUBLISHED_SCHEMA)
        _comment_columns(con, alerts.PUBLISHED_TABLE)
        con.execute("checkpoint")
    finally:
        con.close()


def write_published(source: Path, target: Path, run_log: Path | None = None, run_row: dict | None = None) -> Path:
    """Copy the marts into a new file beside the target and swap it in; with a run log, first append run_row to it
    (finished_at = now) and carry a copy of the log into the new file. On any failure the new file is removed and the
    target is untouched; a full disk raises DiskFull."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging_file = staging_path(target)
    _remove_staging(staging_file)
    try:
        _write_staging(source, staging_file, run_log, run_row)
    except BaseException as exc:
        _remove_staging(staging_file)
        full = disk_full(exc, staging_file)
        if full is not None:
            raise full from None
        raise
    os.replace(staging_file, target)
    return target


def _dbt_counts(run_results: Path, kind: str = "daily") -> tuple[dict[str, int], str | None]:
    """(pass/warn/error counts, refusal reason or None) from dbt's run_results.json of a run of this kind."""
    counts = {"dbt_pass": 0, "dbt_warn": 0, "dbt_error": 0}
    try:
        data = json.loads(run_results.read_text(encoding="utf-8"))
    except OSError:
        return counts, f"no dbt run results at {run_results} (run `dbt build` first)"
    except ValueError:
        return counts, f"unreadable dbt run results: {run_results}"
    results = data.get("results") or []
    bad = []
    for r in results:
        status = str(r.get("status", "")).lower()
        if status in ("success", "pass", "no-op"):
            counts["dbt_pass"] += 1
        elif status == "warn":
            counts["dbt_warn"] += 1
        else:
            counts["dbt_error"] += 1
            bad.append(f"{r.get('unique_id', '?')} {status}")
    args = data.get("args") or {}
    which = args.get("which")
    if which and which != "build":
        return counts, f"the last dbt invocation was `dbt {which}`, not `dbt build` ({run_results})"
    if kind == "live" and args.get("selector") != "live":
        return counts, f"the dbt results at {run_results} are not of an intraday refresh (`dbt build --selector live`)"
    if not results:
        return counts, f"dbt run results list no nodes: {run_results}"
    if bad:
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        return counts, f"the last dbt build did not pass: {bad[0]}{more}"
    return counts, None


def _gate_state(source: Path) -> tuple[dict[str, Any], str | None]:
    from kefu.gate import read_result, result_path

    gate = read_result(source)
    if gate is None:
        return {"gate_passed": None, "gate_failures": None}, f"no gate result for {source} (run `kefu check` first)"
    state = {"gate_passed": bool(gate.get("passed")), "gate_failures": int(gate.get("failures") or 0)}
    if gate.get("build_db_mtime_ns") != source.stat().st_mtime_ns:
        state["gate_passed"] = None
        return state, f"gate result {result_path(source)} is for an older build of {source} (run `kefu check`)"
    if not gate.get("passed"):
        failed = [c for c in gate.get("checks", []) if not c.get("success")]
        named = "; ".join(
            f"{c['suite']} {c['expectation'].removeprefix('expect_')} {c['column']}" for c in failed[:3])
        more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
        return state, f"quality gate failed ({len(failed)}): {named}{more} (see {gate.get('html_path')})"
    return state, None


def _build_facts(source: Path) -> dict[str, Any]:
    """as_of and rows per mart from the build database (best effort: a refusal still gets logged)."""
    facts: dict[str, Any] = {"as_of": None, "rows_per_mart": None}
    try:
        con = duckdb.connect(str(source), read_only=True)
    except duckdb.Error:
        return facts
    try:
        try:
            facts["as_of"] = con.execute("select max(as_of_date) from intermediate.int_as_of").fetchone()[0]
        except duckdb.Error:
            pass
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by table_name",
            [PUBLISHED_SCHEMA]).fetchall()]
        facts["rows_per_mart"] = json.dumps(
            {m: con.execute(f'select count(*) from {PUBLISHED_SCHEMA}."{m}"').fetchone()[0] for m in marts})
    finally:
        con.close()
    return facts


def _daily_published_before(run_log: Path, source: Path) -> str | None:
    """Refusal reason for a live publish when no daily run was published from this build database, else None."""
    reason = (f"no daily run has been published from {source} yet: an intraday refresh publishes only on a build "
              "database that a full `kefu build` published before (run `kefu build` first)")
    if not run_log.exists():
        return reason
    con = wait_for_file(lambda: duckdb.connect(str(run_log), read_only=True), run_log)
    try:
        found = con.execute(
            f"select count(*) from main.{RUNS_TABLE} where published and coalesce(kind, 'daily') = 'daily' "
            "and build_db = ?", [str(source.resolve())]).fetchone()[0]
    except duckdb.Error:
        found = 0
    finally:
        con.close()
    return None if found else reason


def _landing_files() -> int:
    from kefu.landing import landing_files
    from kefu.settings import landing_path

    return len(landing_files(landing_path()))


def _log_run(run_log: Path, row: dict[str, Any], wait_seconds: float | None = None) -> None:
    """Append the row to the run log (or replace the row of the same run_id)."""
    run_log.parent.mkdir(parents=True, exist_ok=True)
    con = wait_for_file(lambda: duckdb.connect(str(run_log)), run_log, wait_seconds)
    try:
        con.execute(RUNS_DDL)
        con.execute(f"alter table main.{RUNS_TABLE} add column if not exists kind varchar")
        cols = list(row)
        con.execute(
            f"insert or replace into main.{RUNS_TABLE} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )
    finally:
        con.close()


def _log_failed_attempt(run_log: Path, row: dict[str, Any], reason: str) -> None:
    """Best effort: the attempt as not published (the disk may still be full, the run log still held open)."""
    try:
        _log_run(run_log, {**row, "published": False, "refused_reason": reason,
                           "finished_at": dt.datetime.now(dt.timezone.utc)}, wait_seconds=0)
    except Exception:  # noqa: BLE001 - the one-line error the caller raises says what happened
        pass


def publish(
    source: str | Path | None = None,
    target: str | Path | None = None,
    run_results: str | Path | None = None,
    kind: str = "daily",
) -> Path:
    """Gated atomic publish of a daily run or an intraday refresh (kind 'live'); raises PublishRefused (after logging
    the attempt) when the run or the gate did not pass."""
    if kind not in RUN_KINDS:
        raise UserError(f"unknown run kind {kind!r} (expected one of {', '.join(RUN_KINDS)})")
    started = dt.datetime.now(dt.timezone.utc)
    source = Path(source) if source else build_path()
    target = Path(target) if target else published_path()
    run_results = Path(run_results) if run_results else run_results_path(kind)
    if not source.exists():
        raise _user_error(f"build database not found: {source} (run `make build` first)")
    run_log = run_log_path(target)
    counts, dbt_reason = _dbt_counts(run_results, kind)
    gate, gate_reason = _gate_state(source)
    order_reason = _daily_published_before(run_log, source) if kind == "live" else None
    reason = dbt_reason or order_reason or gate_reason
    row: dict[str, Any] = {
        "run_id": uuid.uuid4().hex,
        "kind": kind,
        "started_at": started,
        "finished_at": None,
        **_build_facts(source),
        "landing_files_read": _landing_files(),
        **counts,
        **gate,
        "published": reason is None,
        "refused_reason": reason,
        "build_db": str(source.resolve()),
        "published_db": str(target.resolve()),
    }
    if reason is not None:
        row["finished_at"] = dt.datetime.now(dt.timezone.utc)
        _log_run(run_log, row)

        raise PublishRefused(f"publish refused: {reason}; {target} left unchanged")
    try:
        return write_published(source, target, run_log, row)
    except (DiskFull, FileBusy) as exc:
        _log_failed_attempt(run_log, row, str(exc))
        raise
