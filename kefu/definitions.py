"""Dagster orchestration of the kefu pipeline: dbt models → quality gate → gated publish, daily by business date.

``defs`` holds:

* ``kefu_dbt_assets``: every dbt model, seed and snapshot of the project (dagster-dbt, from target/manifest.json,
  generated with ``dbt parse`` at import when missing or older than the project files). A run first checks the
  landing folder (``kefu check-landing``), then runs ``dbt build`` — incremental for one business day (the incremental
  models recompute their own look-back window), ``--full-refresh`` for a range of several days (a backfill: the
  look-back window may not reach the older days). as_of is not passed: the project's default (the day after the
  latest message or order) equals partition day + 1 when that day's data has landed, and stays honest when it has
  not or when later days are already in the landing folder (DECISIONLOG "Dagster orchestration").
* ``kefu_gate``: runs the quality gate (kefu.gate.run_gate) on the build database and reports it as the blocking
  asset check ``quality_gate`` (metadata: the gate's summary); a failed gate fails the step, so nothing downstream
  runs.
* ``kefu_published``: kefu.pipeline.publish_step — the atomic swap of the published file (kefu.publish.publish),
  itself refusing unless the dbt build and the gate passed, then the push of the alert events it opened or closed
  (kefu.alerts; a failed push waits for the next run).
* job ``kefu_daily`` (all of it), schedule ``kefu_daily_schedule`` (KEFU_SCHEDULE_CRON, default "0 6 * * *", in
  KEFU_SCHEDULE_TZ, default Asia/Shanghai: the business day that ended);
* job ``kefu_live``: the intraday refresh, one op running kefu.pipeline.run("live") — exactly what `kefu refresh`
  runs (lock, landing check, `dbt build --selector live`, gate, publish); it needs no partition. Sensor
  ``landing_sensor`` starts it when files under KEFU_LANDING_PATH are new or changed (the live screen's intraday
  refresh; the schedule's daily run makes the day final).

Every step takes the build database's run lock (kefu.runlock), so a Dagster step and a CLI run never write the
database at the same time; the steps of the daily job are kefu.pipeline's step functions.

All assets share one daily partitioning (business date from 2026-11-01, Asia/Shanghai) with a single-run backfill
policy, so a date range is one run: ``dagster asset materialize -m kefu.definitions --select '*'
--partition-range 2026-11-01...2026-11-14``.
"""

import contextlib
import datetime as dt
import hashlib
import os
import subprocess
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetSelection,
    BackfillPolicy,
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    Failure,
    MaterializeResult,
    OpExecutionContext,
    MetadataValue,
    RunRequest,
    RunsFilter,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    asset,
    define_asset_job,
    job,
    op,
    schedule,
    sensor,
)
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from kefu import settings
from kefu.pipeline import dbt_command, dbt_executable
from kefu.runlock import run_lock

ROOT = settings.ROOT
PROFILES_DIR = settings.PROFILES_DIR
PARTITION_START = "2026-11-01"
PARTITION_TZ = "Asia/Shanghai"
DEFAULT_CRON = "0 6 * * *"
SCHEDULE_CRON = os.environ.get("KEFU_SCHEDULE_CRON") or DEFAULT_CRON
SCHEDULE_TZ = os.environ.get("KEFU_SCHEDULE_TZ") or PARTITION_TZ
# Project files whose change makes target/manifest.json stale.
PROJECT_SOURCES = ("dbt_project.yml", "models", "macros", "seeds", "tests", "analyses", "snapshots")


def dbt_target_path() -> Path:
    """Where the Dagster-run dbt build writes its artifacts (run_results.json is what kefu_published checks)."""
    return Path(os.environ.get("KEFU_DAGSTER_DBT_TARGET") or ROOT / "target" / "dagster")


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in PROJECT_SOURCES:
        path = ROOT / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for file in path.rglob("*"):
                if file.is_file():
                    newest = max(newest, file.stat().st_mtime)
    return newest


def ensure_manifest(project: DbtProject) -> Path:
    """target/manifest.json, written by `dbt parse` when missing or older than a project file (a fresh clone: about
    20 s on 2 cores; `make build` leaves a current one, and then this costs a directory walk)."""
    manifest = project.manifest_path
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime():
        return manifest
    proc = subprocess.run(dbt_command(["parse", "--quiet"], manifest.parent), cwd=ROOT, env=settings.dbt_env(),
                          capture_output=True, text=True)
    if proc.returncode != 0 or not manifest.exists():
        raise RuntimeError(f"kefu: `dbt parse` failed (exit {proc.returncode}); cannot list the dbt assets:\n"
                           f"{proc.stdout[-3000:]}{proc.stderr[-2000:]}")
    return manifest


kefu_project = DbtProject(project_dir=ROOT, profiles_dir=PROFILES_DIR)
MANIFEST = ensure_manifest(kefu_project)

@contextlib.contextmanager
def _environ(values: dict[str, str]):
    """These variables in this process's environment (dbt's subprocess inherits it) for the block only."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


daily = DailyPartitionsDefinition(start_date=PARTITION_START, timezone=PARTITION_TZ)
single_run = BackfillPolicy.single_run()


@dbt_assets(manifest=MANIFEST, project=kefu_project, partitions_def=daily, backfill_policy=single_run)
def kefu_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    """check-landing, then `dbt build` of the selected models (incremental for one day, full refresh for a range)."""
    from kefu.errors import UserError
    from kefu.pipeline import RUN_KIND_ENV, check_landing_step, dbt_args

    keys = context.partition_keys
    args = dbt_args("daily", ["--full-refresh"] if len(keys) > 1 else [])
    target = dbt_target_path()
    target.mkdir(parents=True, exist_ok=True)
    os.environ[RUN_KIND_ENV] = "daily"  # dbt inherits this process's environment
    try:
        with run_lock(settings.build_db_path(), "dagster kefu_daily (dbt build)"):
            report = check_landing_step()
            context.log.info(f"business days {keys[0]}..{keys[-1]}: dbt {' '.join(args)} "
                             f"(landing {settings.landing_path()}, {report.files_read} files read)")
            # the configuration check_landing_step prepared; the build database and `kefu` on PYTHONPATH (the
            # profile's plugin kefu.dbt_plugin) as every kefu dbt run has them (settings.dbt_env)
            with _environ(settings.dbt_env(**settings.config_env())):
                yield from dbt.cli(args, context=context, target_path=target).stream()
    except UserError as exc:
        raise Failure(description=str(exc)) from None


@asset(
    deps=[kefu_dbt_assets],
    partitions_def=daily,
    backfill_policy=single_run,
    check_specs=[AssetCheckSpec("quality_gate", asset="kefu_gate", blocking=True,
                                description="kefu check (Great Expectations): marts, freshness, volume")],
    description="Quality gate (kefu check) on the build database; its check blocks kefu_published.",
)
def kefu_gate(context: AssetExecutionContext):
    from kefu.errors import UserError
    from kefu.gate import summary
    from kefu.pipeline import gate_step

    try:
        with run_lock(settings.build_db_path(), "dagster kefu_daily (quality gate)"):
            result = gate_step()
    except UserError as exc:
        raise Failure(description=str(exc)) from None
    text = summary(result)
    (context.log.info if result.passed else context.log.error)(text)
    failures = result.failures
    metadata = {
        "summary": MetadataValue.md(f"```\n{text}\n```"),
        "expectations": len(result.checks),
        "failures": len(failures),
        "report": MetadataValue.path(result.html_path),
        "result": MetadataValue.path(result.json_path),
    }
    yield MaterializeResult(
        metadata={"passed": result.passed, "expectations": len(result.checks), "failures": len(failures)},
        check_results=[AssetCheckResult(check_name="quality_gate", passed=result.passed,
                                        severity=AssetCheckSeverity.ERROR, metadata=metadata)],
    )


@asset(
    deps=[kefu_gate],
    partitions_def=daily,
    backfill_policy=single_run,
    description="The marts swapped atomically into KEFU_PUBLISHED_PATH (kefu publish), with the run log kefu_runs and "
                "the alerts fct_alerts (new and closed alerts pushed to KEFU_ALERT_WEBHOOK_URL).",
)
def kefu_published(context: AssetExecutionContext) -> MaterializeResult:
    from kefu.errors import UserError
    from kefu.pipeline import publish_step

    try:
        with run_lock(settings.build_db_path(), "dagster kefu_daily (publish)"):
            path = publish_step("daily", dbt_target_path() / "run_results.json")
    except UserError as exc:  # PublishRefused included: the attempt is logged in kefu_runs, the file unchanged
        raise Failure(description=str(exc)) from None
    keys = context.partition_keys
    return MaterializeResult(metadata={"published": MetadataValue.path(str(path)),
                                       "business_days": f"{keys[0]}..{keys[-1]}"})


@op(description="kefu refresh: lock, landing check, `dbt build --selector live`, quality gate, publish "
                "(kefu.pipeline.run('live'))")
def kefu_refresh(context: OpExecutionContext) -> None:
    from kefu.errors import UserError
    from kefu.pipeline import run

    try:
        rc = run("live", what=f"dagster kefu_live (run {context.run_id[:8]})")
    except UserError as exc:  # landing problem, lock held by another run, refused publish: one line
        raise Failure(description=str(exc)) from None
    if rc != 0:
        raise Failure(description=f"intraday refresh failed (exit {rc}); nothing published (see the step's log)")


@job(description="intraday refresh of the live marts (what `kefu refresh` runs); no partition needed")
def kefu_live():
    kefu_refresh()


kefu_daily = define_asset_job(
    "kefu_daily",
    selection=AssetSelection.assets(kefu_dbt_assets, kefu_gate, kefu_published),
    description="check-landing + dbt build → quality gate → publish, for one business day (or a range)",
)


@schedule(job=kefu_daily, cron_schedule=SCHEDULE_CRON, execution_timezone=SCHEDULE_TZ,
          default_status=DefaultScheduleStatus.STOPPED)
def kefu_daily_schedule(context: ScheduleEvaluationContext):
    """The business day that ended before the tick (06:00 Shanghai → yesterday)."""
    key = last_business_day(context.scheduled_execution_time or dt.datetime.now(dt.timezone.utc))
    if key is None:
        return SkipReason(f"no complete business day since {PARTITION_START} yet")
    return RunRequest(run_key=f"schedule-{key}", partition_key=key, tags={"kefu/trigger": "schedule"})


def last_business_day(now: dt.datetime) -> str | None:
    """Partition key of the last business day (PARTITION_TZ) that ended before `now`; None before the first."""
    day = now.astimezone(ZoneInfo(PARTITION_TZ)).date() - dt.timedelta(days=1)
    return day.isoformat() if day >= dt.date.fromisoformat(PARTITION_START) else None


def landing_signature(landing: Path) -> tuple[str, float]:
    """(sha256 of every file's (path, size, mtime_ns), newest mtime) under the landing folder; hidden files (writes
    in progress) are skipped."""
    digest = hashlib.sha256()
    newest = 0.0
    for file in sorted(p for p in landing.rglob("*") if p.is_file()):
        rel = file.relative_to(landing)
        if any(part.startswith(".") for part in rel.parts):
            continue
        st = file.stat()
        digest.update(f"{rel.as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        newest = max(newest, st.st_mtime)
    return digest.hexdigest(), newest


@sensor(job=kefu_live, minimum_interval_seconds=60, default_status=DefaultSensorStatus.STOPPED)
def landing_sensor(context: SensorEvaluationContext):
    """A run of kefu_live (the intraday refresh) when files under KEFU_LANDING_PATH are new or changed (cursor: hash of the listing),
    once they have been quiet for KEFU_LANDING_SETTLE_SECONDS (default 60) and no kefu run is in progress."""
    landing = settings.landing_path()
    if not landing.is_dir():
        return SkipReason(f"landing folder not found: {landing}")
    signature, newest = landing_signature(landing)
    if signature == context.cursor:
        return SkipReason("no new or changed landing files")
    settle = float(os.environ.get("KEFU_LANDING_SETTLE_SECONDS", "60"))
    if time.time() - newest < settle:
        return SkipReason(f"landing files changed less than {settle:g} s ago; waiting for them to settle")
    for kefu_job in (kefu_daily, kefu_live):
        active = context.instance.get_runs(
            filters=RunsFilter(job_name=kefu_job.name, statuses=list(IN_PROGRESS_RUN_STATUSES)), limit=1)
        if active:
            return SkipReason(f"a {kefu_job.name} run is in progress ({active[0].run_id}); will look again")
    context.update_cursor(signature)
    return RunRequest(run_key=f"landing-{signature[:16]}", tags={"kefu/trigger": "landing"})


defs = Definitions(
    assets=[kefu_dbt_assets, kefu_gate, kefu_published],
    jobs=[kefu_daily, kefu_live],
    schedules=[kefu_daily_schedule],
    sensors=[landing_sensor],
    resources={"dbt": DbtCliResource(project_dir=kefu_project, profiles_dir=str(PROFILES_DIR),
                                     dbt_executable=dbt_executable())},
)
