"""Dagster orchestration (kefu/definitions.py): the kefu_daily job materialised in-process on the small sample
publishes the marts with a passed run-log row; a failing quality-gate check stops the publish and leaves the published
file unchanged; the schedule's cron and timezone (and their env overrides); the landing sensor's cursor; and
`dagster definitions validate` succeeds."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from conftest import ROOT

DAGSTER = str(Path(sys.executable).with_name("dagster"))
PARTITION = "2026-11-06"  # last business day of the small sample (6 days from 2026-11-01)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def dagster_env(small_landing, tmp_path_factory):
    """Environment of the in-process runs: the small sample, build/published files and dbt target in tmp."""
    base = tmp_path_factory.mktemp("dagster")
    env = {
        "KEFU_LANDING_PATH": str(small_landing),
        "KEFU_DB_PATH": str(base / "build" / "kefu.duckdb"),
        "KEFU_PUBLISHED_PATH": str(base / "published" / "kefu.duckdb"),
        "KEFU_DAGSTER_DBT_TARGET": str(base / "target"),
        # the small sample (60 buyers) swings to 0.24x a shop's trailing median on ordinary days (test_gate.py)
        "KEFU_GATE_VOLUME_LOW": "0.2",
        "KEFU_GATE_VOLUME_HIGH": "3.0",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    (base / "build").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        yield env


@pytest.fixture(scope="module")
def daily_run(dagster_env):
    """The whole kefu_daily job for one business day, in-process."""
    from dagster import DagsterInstance

    from kefu.definitions import defs

    job = defs.resolve_job_def("kefu_daily")
    result = job.execute_in_process(partition_key=PARTITION, instance=DagsterInstance.ephemeral(),
                                    raise_on_error=False)
    return result


def test_daily_job_publishes_marts(daily_run, dagster_env):
    assert daily_run.success
    materialized = {e.asset_key.to_user_string() for e in daily_run.get_asset_materialization_events()}
    assert {"kefu_gate", "kefu_published", "marts/fct_receptions", "marts/agg_shop_daily_service"} <= materialized
    checks = {e.event_specific_data.check_name: e.event_specific_data
              for e in daily_run.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert checks["quality_gate"].passed

    published = Path(dagster_env["KEFU_PUBLISHED_PATH"])
    con = duckdb.connect(str(published), read_only=True)
    try:
        marts = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
        assert {"fct_receptions", "agg_agent_daily_sales", "agg_shop_daily_service"} <= marts
        assert con.execute("select count(*) from marts.fct_receptions").fetchone()[0] > 0
        runs = con.execute("select published, gate_passed, dbt_error from main.kefu_runs").fetchall()
    finally:
        con.close()
    assert runs == [(True, True, 0)]


def test_failing_gate_check_stops_publish(daily_run, dagster_env, monkeypatch):
    from dagster import AssetKey, DagsterInstance

    from kefu.definitions import defs

    assert daily_run.success
    published = Path(dagster_env["KEFU_PUBLISHED_PATH"])
    run_log = published.with_name("kefu_runs.duckdb")
    before, log_before = _sha(published), _sha(run_log)
    # ordinary days of the small sample sit well below 0.99x their trailing median: the volume suites fail
    monkeypatch.setenv("KEFU_GATE_VOLUME_LOW", "0.99")
    job = defs.resolve_job_def("kefu_daily")
    result = job.execute_in_process(partition_key=PARTITION, instance=DagsterInstance.ephemeral(), raise_on_error=False,
                                    asset_selection=[AssetKey("kefu_gate"), AssetKey("kefu_published")])
    assert not result.success
    checks = [e.event_specific_data for e in result.all_events
              if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert [(c.check_name, c.passed) for c in checks] == [("quality_gate", False)]
    assert "FAILED" in checks[0].metadata["summary"].value
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "kefu_published" not in materialized
    assert not [e for e in result.all_events if e.step_key == "kefu_published" and e.event_type_value == "STEP_START"]
    assert _sha(published) == before and _sha(run_log) == log_before
    assert json.loads(Path(dagster_env["KEFU_DB_PATH"]).with_name("gate_result.json").read_text())["passed"] is False


def test_schedule_cron_timezone_and_partition():
    from dagster import build_schedule_context

    from kefu.definitions import defs

    sched = defs.resolve_schedule_def("kefu_daily_schedule")
    assert (sched.cron_schedule, sched.execution_timezone) == ("0 6 * * *", "Asia/Shanghai")
    assert sched.job_name == "kefu_daily"
    tick = dt.datetime(2026, 11, 15, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    requests = sched.evaluate_tick(build_schedule_context(scheduled_execution_time=tick, repository_def=defs.get_repository_def())).run_requests
    assert [r.partition_key for r in requests] == ["2026-11-14"]  # the business day that ended


def test_schedule_env_override():
    code = ("from kefu.definitions import defs; s = defs.resolve_schedule_def('kefu_daily_schedule'); "
            "print(s.cron_schedule, '|', s.execution_timezone)")
    env = {**os.environ, "KEFU_SCHEDULE_CRON": "30 7 * * 1-5", "KEFU_SCHEDULE_TZ": "Europe/Berlin"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "30 7 * * 1-5 | Europe/Berlin"


def test_landing_sensor_cursor(tmp_path, monkeypatch):
    from dagster import DagsterInstance, build_sensor_context

    from kefu.definitions import defs

    landing = tmp_path / "landing"
    (landing / "raw_messages").mkdir(parents=True)
    (landing / "raw_messages" / "part-0.parquet").write_bytes(b"x")
    monkeypatch.setenv("KEFU_LANDING_PATH", str(landing))
    monkeypatch.setenv("KEFU_LANDING_SETTLE_SECONDS", "0")
    sensor = defs.resolve_sensor_def("landing_sensor")
    repo = defs.get_repository_def()
    with DagsterInstance.ephemeral() as instance:
        first = sensor.evaluate_tick(build_sensor_context(instance=instance, repository_def=repo))
        # the intraday refresh job needs no partition: it refreshes whatever landed
        assert len(first.run_requests) == 1 and first.run_requests[0].partition_key is None
        assert sensor.job_name == "kefu_live"
        cursor = first.cursor
        again = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=cursor, repository_def=repo))
        assert not again.run_requests and "no new or changed" in again.skip_message
        (landing / "raw_messages" / "part-1.parquet").write_bytes(b"y")
        (landing / "raw_messages" / ".part-2.parquet.tmp").write_bytes(b"in progress")
        changed = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=cursor, repository_def=repo))
        assert len(changed.run_requests) == 1 and changed.cursor != cursor


def test_live_job_is_the_cli_refresh():
    """kefu_live runs kefu.pipeline.run('live') in one op (the same code as `kefu refresh`), without a partition."""
    from kefu.definitions import defs

    job = defs.resolve_job_def("kefu_live")
    assert [node.name for node in job.nodes] == ["kefu_refresh"]
    assert not job.partitions_def


def test_definitions_validate():
    env = {**os.environ, "DAGSTER_HOME": "", "GX_ANALYTICS_ENABLED": "False"}
    env.pop("DAGSTER_HOME")
    proc = subprocess.run([DAGSTER, "definitions", "validate", "-m", "kefu.definitions"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert "All code locations passed validation" in proc.stdout + proc.stderr
