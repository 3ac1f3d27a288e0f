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

A refresh publishes what it changed: when the newest published run of the target came from the same build database,
the new file starts as a plain copy of the published file (never written in place, so the copy is the file as
published), checked to be that run's file, and only the marts the refresh rebuilt (its dbt run results) are replaced
from the build database; its gate then checked those marts from the dates they recomputed (refresh_scope). A daily
run, or a refresh without such a file, copies every mart; a daily publish refuses a refresh's scoped gate result.

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
import shutil
import uuid
from dataclasses import dataclass, field
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
    published_db varchar,
    latest_dates varchar
)
"""
# columns added after the first release (a run log of an older kefu gets them on its next write)
RUNS_ADDED_COLUMNS = {"kind": "varchar", "latest_dates": "varchar"}


build_path = build_db_path


def run_log_path(target: Path) -> Path:
    return target.with_name(f"{RUNS_TABLE}.duckdb")


def _user_error(message: str) -> Exception:
    return UserError(message)


def column_catalog() -> dict[str, dict[str, str]]:
    """docs/column_catalog.yml: every mart column name with its Chinese label and definition."""
    from kefu.yamlfile import read_yaml

    return read_yaml(CATALOG)["columns"]


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection, only: list[str] | None = None) -> None:
    """Self-describing published file: each mart's description (dbt persist_docs) as the table comment, and per
    column its Chinese label and definition from the column catalog (the dbt YAML description when it has one).
    `only`: these marts (a refresh's partial publish), else every mart of the build."""
    catalog = column_catalog()
    for table, comment in con.execute(
            "select table_name, comment from duckdb_tables() where database_name = 'build' and schema_name = ?",
            [PUBLISHED_SCHEMA]).fetchall():
        if comment and (only is None or table in only):
            con.execute(f"comment on table {PUBLISHED_SCHEMA}.{table} is {_sql_text(comment)}")
    for table, column, comment in con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where database_name = 'build' and schema_name = ?", [PUBLISHED_SCHEMA]).fetchall():
        if only is not None and table not in only:
            continue
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


def _mart_rows(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, int]:
    """Rows per mart of an attached or open database (fct_alerts, which publish writes, left out)."""
    tables = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = ? order by table_name",
        [database, PUBLISHED_SCHEMA]).fetchall()]
    return {t: con.execute(f'select count(*) from "{database}".{PUBLISHED_SCHEMA}."{t}"').fetchone()[0]
            for t in tables if t != alerts.PUBLISHED_TABLE}


@dataclass
class PartialBase:
    """A refresh's partial publish: the published run whose file it starts from, and the marts it replaces. `windows`:
    per mart, the date column, the first date the refresh recomputed and the unique key (the scope its gate checked,
    kefu.gate.GateScope): only those rows are replaced; a mart without one is replaced whole."""
    run_id: str
    marts: list[str]
    windows: dict[str, tuple[str, str, tuple[str, ...]]] = field(default_factory=dict)


class _NotABase(Exception):
    """The copy of the published file is not the file the partial publish expected (the caller copies in full)."""


def _write_staging(source: Path, staging_file: Path, run_log: Path | None, run_row: dict | None,
                   base: PartialBase | None = None, target: Path | None = None) -> None:
    if base is not None and target is not None:
        try:
            return _write_staging_partial(source, target, staging_file, run_log, run_row, base)
        except _NotABase as exc:
            print(f"kefu publish: {exc}; copying every mart instead")
            _remove_staging(staging_file)
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
        _finish_staging(con, run_log, run_row)
    finally:
        con.close()


def _write_staging_partial(source: Path, target: Path, staging_file: Path, run_log: Path | None,
                           run_row: dict | None, base: PartialBase) -> None:
    """A refresh: a plain copy of the published file (never written in place, so a copy taken while readers read it
    is the file as published), checked to be the published run `base.run_id` (its newest run row, and its marts hold
    the rows that row recorded), then only the marts the refresh rebuilt replaced from the build database."""
    if Path(f"{target}.wal").exists():
        raise _NotABase(f"{target} has a write-ahead log (written in place by another program)")
    shutil.copyfile(target, staging_file)
    try:
        con = duckdb.connect(str(staging_file))
    except duckdb.Error as exc:
        raise _NotABase(f"the copy of {target} does not open ({str(exc).splitlines()[0]})") from None
    try:
        try:
            newest = con.execute(f"select run_id, rows_per_mart from main.{RUNS_TABLE} "
                                 "order by started_at desc limit 1").fetchone()
        except duckdb.Error:
            newest = None
        if newest is None or newest[0] != base.run_id:
            raise _NotABase(f"{target} is not the file of published run {base.run_id}")
        if json.loads(newest[1] or "{}") != _mart_rows(con, current_database(con)):
            raise _NotABase(f"the marts of {target} do not hold the rows its run row recorded")
        wait_for_file(lambda: con.execute(f"attach '{source}' as build (read_only)"), source)
        con.execute(f"drop table main.{RUNS_TABLE}")
        con.execute(f"drop table if exists {PUBLISHED_SCHEMA}.{alerts.PUBLISHED_TABLE}")
        for table in base.marts:
            window = base.windows.get(table)
            if window is not None and _replace_rows_since(con, table, *window):
                continue
            con.execute(f"drop table if exists {PUBLISHED_SCHEMA}.{table}")
            con.execute(f"create table {PUBLISHED_SCHEMA}.{table} as select * from build.{PUBLISHED_SCHEMA}.{table}")
        _copy_comments(con, only=base.marts)
        if run_row is not None:  # what this file holds: the replaced marts beside the copied ones
            run_row["rows_per_mart"] = json.dumps(_mart_rows(con, current_database(con)))
        _finish_staging(con, run_log, run_row)
    finally:
        con.close()


def _replace_rows_since(con: duckdb.DuckDBPyConnection, table: str, column: str, since: str,
                        unique_key: tuple[str, ...] = ()) -> bool:
    """In the copy of the published file: the mart's rows dated `since` or later replaced by the build's (the rows a
    refresh recomputed), so the publish follows the new data, not the history. With a unique key (the build's
    incremental strategy also deletes older rows whose key is in its batch), the older rows sharing a key with a
    build row of the window go too. False (the caller replaces the whole mart) when the columns differ or the result
    does not hold the build's row count."""
    mart = f"{PUBLISHED_SCHEMA}.{table}"
    columns = ("select column_name, data_type from duckdb_columns() where database_name = ? and schema_name = ? "
               "and table_name = ? order by column_index")
    if (con.execute(columns, [current_database(con), PUBLISHED_SCHEMA, table]).fetchall()
            != con.execute(columns, ["build", PUBLISHED_SCHEMA, table]).fetchall()):
        return False
    try:
        moved = ""
        if unique_key:
            same_key = " and ".join(f'recomputed."{k}" = "{table}"."{k}"' for k in unique_key)
            moved = (f' or exists (select 1 from build.{mart} as recomputed where recomputed."{column}" >= '
                     f"cast($since as date) and {same_key})")
        con.execute(f'delete from {mart} where "{column}" >= cast($since as date){moved}', {"since": since})
        con.execute(f'insert into {mart} by name select * from build.{mart} where "{column}" >= cast(? as date)',
                    [since])
        staged, built = (con.execute(f"select count(*) from {db}{mart}").fetchone()[0] for db in ("", "build."))
    except duckdb.Error:
        return False
    return staged == built


def current_database(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchone()[0]


def _finish_staging(con: duckdb.DuckDBPyConnection, run_log: Path | None, run_row: dict | None) -> None:
    """With the marts in place (build attached as `build`): log the run, reconcile the alerts, and write the run log
    table and fct_alerts into the new file."""
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


def write_published(source: Path, target: Path, run_log: Path | None = None, run_row: dict | None = None,
                    base: PartialBase | None = None) -> Path:
    """Copy the marts into a new file beside the target and swap it in; with a run log, first append run_row to it
    (finished_at = now) and carry a copy of the log into the new file. With `base` (a refresh), the new file is a copy
    of the published one with only base.marts replaced (every mart copied when the published file is not the run
    base names). On any failure the new file is removed and the target is untouched; a full disk raises DiskFull."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging_file = staging_path(target)
    _remove_staging(staging_file)
    try:
        _write_staging(source, staging_file, run_log, run_row, base, target)
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


def _gate_state(source: Path) -> tuple[dict[str, Any], str | None, dict[str, Any] | None]:
    """(gate columns of the run row, refusal reason or None, the refresh scope the gate checked or None)."""
    state, reason, gate = _gate_verdict(source)
    return state, reason, (gate or {}).get("scope")


def _gate_verdict(source: Path) -> tuple[dict[str, Any], str | None, dict[str, Any] | None]:
    from kefu.gate import read_result, result_path

    gate = read_result(source)
    if gate is None:
        return ({"gate_passed": None, "gate_failures": None},
                f"no gate result for {source} (run `kefu check` first)", None)
    state = {"gate_passed": bool(gate.get("passed")), "gate_failures": int(gate.get("failures") or 0)}
    if gate.get("build_db_mtime_ns") != source.stat().st_mtime_ns:
        state["gate_passed"] = None
        return state, f"gate result {result_path(source)} is for an older build of {source} (run `kefu check`)", gate
    if not gate.get("passed"):
        failed = [c for c in gate.get("checks", []) if not c.get("success")]
        named = "; ".join(
            f"{c['suite']} {c['expectation'].removeprefix('expect_')} {c['column']}" for c in failed[:3])
        more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
        return state, f"quality gate failed ({len(failed)}): {named}{more} (see {gate.get('html_path')})", gate
    return state, None, gate


def _build_facts(source: Path) -> dict[str, Any]:
    """as_of, rows per mart and the latest business date per dated mart (the date column the gate judges; a later
    refresh's gate starts there) from the build database (best effort: a refusal still gets logged)."""
    from kefu.gate.frames import _columns, _date_column
    from kefu.gate.specs import MartSpec, mart_specs

    facts: dict[str, Any] = {"as_of": None, "rows_per_mart": None, "latest_dates": None}
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
        specs, latest = mart_specs(), {}
        for m in marts:
            column = _date_column(specs.get(m, MartSpec(m)), _columns(con, PUBLISHED_SCHEMA, m))
            if column:
                day = con.execute(f'select cast(max("{column}") as date) from {PUBLISHED_SCHEMA}."{m}"').fetchone()[0]
                latest[m] = {"column": column, "latest": day.isoformat() if day else None}
        facts["latest_dates"] = json.dumps(latest)
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


def rebuilt_marts(run_results: Path, source: Path) -> list[str]:
    """The marts a dbt run rebuilt: its models that succeeded and are tables of the build database's marts schema."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8")).get("results") or []
    except (OSError, ValueError):
        return []
    models = {r["unique_id"].split(".")[-1] for r in results
              if str(r.get("unique_id", "")).startswith("model.") and str(r.get("status", "")).lower() == "success"}
    con = wait_for_file(lambda: duckdb.connect(str(source), read_only=True), source)
    try:
        marts = {r[0] for r in con.execute("select table_name from information_schema.tables where table_schema = ?",
                                           [PUBLISHED_SCHEMA]).fetchall()}
    finally:
        con.close()
    return sorted(models & marts)


def published_base(target: Path, source: Path, run_results: Path) -> PartialBase | None:
    """The partial publish a refresh makes: the newest published run of the target in its run log, when that run was
    published from this build database and the file is there; None (copy every mart) otherwise."""
    run_log = run_log_path(target)
    if not (target.exists() and run_log.exists()):
        return None
    con = wait_for_file(lambda: duckdb.connect(str(run_log), read_only=True), run_log)
    try:
        newest = con.execute(f"select run_id, build_db from main.{RUNS_TABLE} where published and published_db = ? "
                             "order by started_at desc limit 1", [str(target.resolve())]).fetchone()
    except duckdb.Error:
        newest = None
    finally:
        con.close()
    if newest is None or newest[1] != str(source.resolve()):
        return None
    marts = rebuilt_marts(run_results, source)
    return PartialBase(newest[0], marts) if marts else None


def refresh_scope(source: Path | None = None, target: Path | None = None, run_results: Path | None = None,
                  manifest: Path | None = None):
    """What the gate of an intraday refresh checks (kefu.gate.GateScope), or None (the whole database) when its
    publish will copy every mart (no published file from this build database) or the scope cannot be told.

    Each mart the refresh rebuilt is checked from the first business date it recomputed: the latest date of that
    mart in the published run (the refresh's look-back starts at the latest date it holds, macro lookback_start with
    KEFU_RUN_KIND=live; a refresh that was not published moved no earlier date), else the earliest `date=` folder this
    run loaded (landing.changed_days), else for an order rollup the created date of the orders its driver recomputed.
    A table model is checked whole. An incremental one with a unique_key may also replace older rows by key (an order
    whose activity date moved): it starts no later than the earliest date of the batch its build inserted
    (run_state.lookback_batches; checked whole when not recorded), and its scope names the key, so the gate also reads
    the older rows sharing a key with a recomputed one and the publish also replaces the rows whose key it holds."""
    from kefu.gate.frames import _columns, _date_column
    from kefu.gate.specs import GateScope, MartSpec, mart_specs
    from kefu.settings import dbt_target_path

    source = Path(source) if source else build_path()
    target = Path(target) if target else published_path()
    run_results = Path(run_results) if run_results else run_results_path("live")
    manifest = Path(manifest) if manifest else dbt_target_path() / "manifest.json"
    base = published_base(target, source, run_results)
    if base is None:
        return None
    run_log = run_log_path(target)
    con = wait_for_file(lambda: duckdb.connect(str(run_log), read_only=True), run_log)
    try:
        latest_text = con.execute(f"select latest_dates from main.{RUNS_TABLE} where run_id = ?",
                                  [base.run_id]).fetchone()[0]
    except duckdb.Error:
        latest_text = None
    finally:
        con.close()
    try:
        nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    except (OSError, ValueError, KeyError):
        return None
    if not latest_text:
        return None
    latest = json.loads(latest_text)
    try:
        invocation = json.loads(run_results.read_text(encoding="utf-8"))["metadata"]["invocation_id"]
    except (OSError, ValueError, KeyError):
        invocation = None
    configs = {n["name"]: n for n in nodes.values() if n.get("resource_type") == "model"}
    specs = mart_specs()
    marts: dict[str, tuple[str, dt.date, tuple[str, ...]] | None] = {}
    con = wait_for_file(lambda: duckdb.connect(str(source), read_only=True), source)
    try:
        try:
            changed = con.execute("select earliest_changed_date from landing.changed_days").fetchone()[0]
        except duckdb.Error:
            changed = None
        for mart in base.marts:
            config = (configs.get(mart) or {}).get("config") or {}
            column = _date_column(specs.get(mart, MartSpec(mart)), _columns(con, PUBLISHED_SCHEMA, mart))
            published = (latest.get(mart) or {})
            keys = config.get("unique_key") or ()
            keys = (keys,) if isinstance(keys, str) else tuple(keys)
            floor = _batch_floor(con, invocation, mart) if keys else None
            if (config.get("materialized") != "incremental" or config.get("lookback_column") != column
                    or published.get("column") != column or not published.get("latest")
                    or (keys and floor is False)):
                marts[mart] = None
                continue
            since = dt.date.fromisoformat(published["latest"])
            if floor:
                since = min(since, floor)
            if changed is not None:
                since = min(since, changed)
            driver = config.get("lookback_driver")
            if driver:
                node = configs.get(driver["model"]) or {}
                reach = con.execute(
                    f'select min({driver["date"]}) from "{node.get("schema")}"."{driver["model"]}" '
                    f'where {driver["activity"]} >= ?', [since]).fetchone()[0]
                if reach is not None:
                    since = min(since, reach)
            marts[mart] = (column, since, keys)
    finally:
        con.close()
    return GateScope(base.run_id, marts)


def _batch_floor(con: duckdb.DuckDBPyConnection, invocation: str | None, model: str) -> dt.date | None | bool:
    """The earliest date of a keyed model's look-back batch in this dbt invocation (run_state.lookback_batches): a
    date, None (an empty batch), or False when not recorded (the mart is then checked and published whole)."""
    try:
        row = con.execute("select min(batch_floor), count(*) from run_state.lookback_batches "
                          "where invocation_id = ? and model_name = ?", [invocation, model]).fetchone()
    except duckdb.Error:
        return False
    return row[0] if row[1] else False


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
        for column, kind in RUNS_ADDED_COLUMNS.items():
            con.execute(f"alter table main.{RUNS_TABLE} add column if not exists {column} {kind}")
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
    gate, gate_reason, scope = _gate_state(source)
    order_reason = _daily_published_before(run_log, source) if kind == "live" else None
    base = published_base(target, source, run_results) if kind == "live" and not order_reason else None
    scope_reason = None
    if scope is not None and (base is None or base.run_id != scope.get("base_run_id")):
        scope_reason = (f"the gate result for {source} checked only the days an intraday refresh recomputed, against "
                        "another published file (run `kefu check` for a whole check)")
    elif scope is not None:  # the publish replaces the rows the gate checked: the days the refresh recomputed
        base.windows = {mart: (window["column"], str(window["since"]), tuple(window.get("unique_key") or ()))
                        for mart, window in (scope.get("marts") or {}).items() if window}
    reason = dbt_reason or order_reason or gate_reason or scope_reason
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
        return write_published(source, target, run_log, row, base)
    except (DiskFull, FileBusy) as exc:
        _log_failed_attempt(run_log, row, str(exc))
        raise
