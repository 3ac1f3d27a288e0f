"""dbt-duckdb plugin (profiles/profiles.yml, `plugins:` of the DuckDB target): before any model of a dbt invocation
compiles, the landing scan of kefu/landing.py runs once on the build database and writes the run state the models
read as plain SQL (docs/architecture.md, "Layout and data flow"):

  landing.<table>          every usable file of one contract table (the sources read it)
  landing.<table>__new     the file versions the table's base model has not loaded yet (an incremental run reads these)
  landing.landing_files    the file catalog: table_name, source_file, read_path, kind, source_version, load_window_end
  landing.file_columns     each file version's columns (read once per version, kept across runs)
  landing.changed_days     earliest_changed_date: the earliest `date=` folder among the file versions this run loads or
                           drops (new, re-exported or removed files), or null
  run_state.test_scope_runs, run_state.test_scope   the data tests' scope of a `dbt build` (macros/test_scope.sql)
  run_state.lookback_batches   the earliest date of each keyed look-back batch of a run (a refresh's publish starts there)

Vars come from dbt_project.yml and --vars; env KEFU_LANDING_PATH wins over var landing_path. A landing problem stops
dbt with one line naming the file (`kefu landing: ...`).
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.events.functions import fire_event
from dbt_common.events.types import Note

from kefu import landing
from kefu.errors import UserError
from kefu.yamlfile import read_yaml


class _Log:
    """Lines in dbt's own output (as a macro's log(..., info=true) would print them)."""

    @staticmethod
    def info(message: str) -> None:
        fire_event(Note(msg=message))


LOG = _Log()
SCANNED_COMMANDS = ("build", "run", "test", "seed", "compile", "show")
_done: set[str] = set()  # invocation ids already scanned (the environment may reopen its connection)



def _flags() -> Any:
    from dbt.flags import get_flags

    return get_flags()


def _invocation_id() -> str:
    from dbt_common.invocation import get_invocation_id

    return get_invocation_id()


def run_started_at() -> dt.datetime:
    """The run's clock as the macros see it (`run_started_at`, UTC, naive)."""
    from dbt import tracking

    started = tracking.active_user.run_started_at if tracking.active_user else dt.datetime.now(dt.timezone.utc)
    return started.replace(tzinfo=None)


def project_vars(project_dir: Path | str | None = None, cli_vars: dict | None = None) -> dict[str, Any]:
    """The project's vars (dbt_project.yml `vars:`) updated with the --vars of this invocation."""
    path = Path(project_dir or Path.cwd()) / "dbt_project.yml"
    declared = (read_yaml(path) or {}).get("vars") or {}
    merged = {k: v for k, v in declared.items() if not isinstance(v, dict) or k == "rule_registry"}
    merged.update(cli_vars or {})
    return merged


def _q(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


class Plugin(BasePlugin):
    def configure_connection(self, conn) -> None:
        flags = _flags()
        command = getattr(flags, "WHICH", None)
        if command not in SCANNED_COMMANDS or os.environ.get("KEFU_LANDING_SCAN", "1") == "0":
            return
        invocation = _invocation_id()
        if invocation in _done:
            return
        cli_vars = getattr(flags, "VARS", None) or {}
        values = project_vars(getattr(flags, "PROJECT_DIR", None), cli_vars if isinstance(cli_vars, dict) else {})
        cursor = conn.cursor()
        try:
            prepare_run_state(cursor, values, Path(self.creds.path), command, flags, invocation)
        except UserError as exc:
            raise RuntimeError(f"kefu landing: {exc}") from None
        finally:
            cursor.close()
        _done.add(invocation)


def prepare_run_state(con, values: dict, db_path: Path, command: str, flags: Any, invocation: str) -> None:
    root = Path(os.environ.get("KEFU_LANDING_PATH") or values.get("landing_path") or "data/landing")
    root = Path(str(root).replace("\\", "/").rstrip("/") or "/")
    _check_default_timezone(con, values)
    catalog = landing.scan(root)
    if not os.environ.get("KEFU_BUYER_SALT") and not catalog.generated:
        from kefu.pipeline import DEV_SALT_WARNING

        LOG.info(DEV_SALT_WARNING)
    for notice in catalog.notices:
        LOG.info(f"kefu landing: {notice}")
    latest = values.get("latest_plausible_date")
    con.execute("create schema if not exists landing")
    con.execute("create table if not exists landing.file_columns (source_version varchar, f varchar, "
                "column_name varchar, column_type varchar)")
    known: dict[str, dict[str, str]] = {}
    for version, _, name, dtype in con.execute("select * from landing.file_columns order by all").fetchall():
        known.setdefault(version, {})[name] = dtype
    landing.validate(catalog, con, landing.utf8_cache_dir(db_path), known)
    new_columns = [(f.version, f.relative, name, dtype) for f in catalog.all_files() if f.version not in known
                   for name, dtype in f.columns.items()]
    if new_columns:
        con.executemany("insert into landing.file_columns values (?, ?, ?, ?)", new_columns)

    rows = [(f.table, f.relative, str(f.read_path), f.kind, f.version, f.load_window_end(latest))
            for f in catalog.all_files()]
    con.execute("create or replace table landing.landing_files (table_name varchar, source_file varchar, "
                "read_path varchar, kind varchar, source_version varchar, load_window_end timestamp)")
    if rows:
        con.executemany("insert into landing.landing_files values (?, ?, ?, ?, ?, cast(? as timestamp))", rows)
    con.execute("delete from landing.file_columns where source_version not in "
                "(select source_version from landing.landing_files)")

    changed: list[str] = []
    for table in catalog.tables:
        files = catalog.files[table.name]
        mixed = landing.mixed_zone_files(files) if table.zoned else {}
        con.execute(f"create or replace view landing.{table.name} as "
                    + landing.landing_select(table, files, latest, mixed))
        loaded = _loaded_versions(con, "base_kefu__" + table.name[4:])
        new = files if loaded is None else [f for f in files if f.version not in loaded]
        con.execute(f"create or replace view landing.{table.name}__new as "
                    + (landing.landing_select(table, new, latest, mixed) if new or not files
                       else f"select * from landing.{table.name} where false"))
        if loaded is not None:
            if command in ("build", "run") and not getattr(flags, "FULL_REFRESH", False):
                LOG.info(f"kefu incremental: {table.name}: {len(new)} new landing file(s)")
            current = {f.version for f in files}
            changed += [f.relative for f in new] + [source for version, source in loaded.items()
                                                    if version not in current]
    days = sorted(day.group(2) for source in changed if (day := landing._DATED.search(source)))
    con.execute("create or replace table landing.changed_days as select "
                + (f"cast({_q(days[0])} as date)" if days else "cast(null as date)") + " as earliest_changed_date")
    # the earliest date of each keyed look-back batch (macros/adapters/incremental.sql; read by kefu.publish)
    con.execute("create schema if not exists run_state")
    con.execute("create table if not exists run_state.lookback_batches (invocation_id varchar, model_name varchar, "
                "batch_floor date)")
    if command == "build":
        _prepare_test_scope(con, values, flags, invocation)


def _check_default_timezone(con, values: dict) -> None:
    zone = str(values.get("default_shop_timezone") or "Asia/Shanghai").strip()
    known = con.execute("select count(*) from pg_timezone_names() where name = ?", [zone]).fetchone()[0]
    if not known:
        raise UserError(f"Invalid var default_shop_timezone={zone}: expected an IANA time zone name such as "
                        "Asia/Shanghai.")


def _loaded_versions(con, base_table: str) -> dict[str, str] | None:
    """version -> source file of the file versions a base model holds; None when it is not built (or predates
    _source_version: the model itself then asks for a full refresh)."""
    exists = con.execute("select count(*) from duckdb_tables() where schema_name = 'staging' and table_name = ? "
                         "and database_name = current_database()", [base_table]).fetchone()[0]
    if not exists:
        return None
    try:
        rows = con.execute(f"select distinct _source_version, _source_file from staging.{base_table} "
                           "where _source_version is not null").fetchall()
    except Exception:  # noqa: BLE001 - an older table without the columns
        return None
    return dict(rows)


def _prepare_test_scope(con, values: dict, flags: Any, invocation: str) -> None:
    """The data tests' scope of this `dbt build` (macros/test_scope.sql): whole tables, or the rows this run
    recomputes for every incremental model whose table exists now (run_state.test_scope lists the tables)."""
    intraday = os.environ.get("KEFU_RUN_KIND", "daily") == "live"
    started = run_started_at()
    con.execute("create schema if not exists run_state")
    con.execute("create table if not exists run_state.test_scope_runs (invocation_id varchar, started_at timestamp, "
                "whole_tables boolean, full_project boolean, reason varchar, passed boolean)")
    con.execute("create table if not exists run_state.test_scope (invocation_id varchar, model_name varchar)")
    days = int(values.get("full_check_days", 7))
    reason = None
    if getattr(flags, "FULL_REFRESH", False):
        reason = "--full-refresh"
    elif os.environ.get("KEFU_FULL_CHECK", "").lower() in ("1", "true", "yes"):
        reason = "KEFU_FULL_CHECK is set"
    elif days == 0:
        reason = "full_check_days is 0"
    elif not intraday:
        last = con.execute("select max(started_at) from run_state.test_scope_runs where whole_tables and passed "
                           "and full_project").fetchone()[0]
        if last is None:
            reason = "no whole-table check has passed yet"
        elif started >= last + dt.timedelta(days=days):
            reason = f"the last whole-table check passed on {str(last)[:10]}"
    full_project = not getattr(flags, "SELECT", None) and not getattr(flags, "SELECTOR", None) and not intraday
    con.execute("insert into run_state.test_scope_runs values (?, ?, ?, ?, ?, false)",
                [invocation, started, reason is not None, bool(full_project), reason])
    if reason is None:
        con.execute("insert into run_state.test_scope select ?, table_name from duckdb_tables() "
                    "where database_name = current_database() and schema_name not in ('landing', 'run_state')",
                    [invocation])
        LOG.info("kefu: data tests of incremental models check the rows this run recomputes (whole tables: "
                 f"--full-refresh, KEFU_FULL_CHECK=1, or every {days} days)")
    else:
        LOG.info(f"kefu: data tests check whole tables ({reason})")
