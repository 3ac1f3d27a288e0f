"""Benchmark: build from scratch at a named scale and write the figures to a JSON file.

Measured, each as its own step (wall seconds and peak memory of the process that did the work):
* generate      - the sample-data generator at the scale;
* dbt_fixed     - dbt's fixed cost: start-up, a full parse and one no-op query (`dbt show --inline`);
* full_build    - `dbt build` from an empty DuckDB file (models, seeds and data tests; unit tests excluded);
* first_load_full_run / one_day_incremental - the landing folder cut at the start of its last day is built in full
  (seeds + models), then an incremental `dbt run` on everything: the daily scheduler's run;
* floor         - one DuckDB query that reads every landing file once (counts and sums over all columns) and sorts
  the messages by (shop, agent, buyer, time): nothing correct can be faster.
Per model: execution seconds (from dbt's run_results.json), rows and rows/s.
The headline ratio is (full_build - dbt_fixed) / floor.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
EXCLUDE_UNIT = ["--exclude", "test_type:unit"]


def _timed(cmd: list[str], env: dict[str, str]) -> dict:
    """Run a command; its wall seconds and peak resident memory (MiB, the process's own maximum RSS)."""
    with tempfile.TemporaryFile(mode="w+") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"{' '.join(cmd[:3])} failed (exit {proc.returncode}):\n{log.read()[-4000:]}")
    return {"wall_seconds": round(wall, 3), "peak_memory_mib": round(usage.ru_maxrss / 1024, 1)}


def _dbt_cmd(args: list[str], target: Path) -> list[str]:
    exe = Path(sys.executable).with_name("dbt")
    return [str(exe), *args, "--project-dir", str(ROOT), "--target-path", str(target),
            "--log-path", str(target / "logs")]


def _env(db: Path, landing: Path) -> dict[str, str]:
    return {**os.environ, "DBT_PROFILES_DIR": str(ROOT / "profiles"), "KEFU_DB_PATH": str(db),
            "KEFU_LANDING_PATH": str(landing), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}


def floor_query(landing: Path) -> dict:
    """Read every landing file once (count and sum over every column) and sort the messages; seconds."""
    con = duckdb.connect()
    start = time.perf_counter()
    scanned = 0
    for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
        files = f"read_parquet('{folder}/*.parquet')"
        columns = [r[0] for r in con.execute(f"describe select * from {files}").fetchall()]
        aggregates = ", ".join(f"count({c}), sum(hash({c}))" for c in columns)
        con.execute(f"select count(*), {aggregates} from {files}").fetchall()
        scanned += con.execute(f"select count(*) from {files}").fetchone()[0]
    con.execute(f"""
        create temp table sorted_messages as
        select sessions.shop_id, sessions.agent_id, sessions.buyer_id, messages.sent_at, messages.message_id
        from read_parquet('{landing}/raw_messages/*.parquet') as messages
        inner join read_parquet('{landing}/raw_sessions/*.parquet') as sessions using (session_id)
        order by sessions.shop_id, sessions.agent_id, sessions.buyer_id, messages.sent_at, messages.message_id
    """)
    seconds = time.perf_counter() - start
    return {"wall_seconds": round(seconds, 3), "rows_scanned": scanned}


def _per_model(target: Path, db: Path) -> list[dict]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    con = duckdb.connect(str(db), read_only=True)
    rows = []
    for r in results:
        uid = r["unique_id"]
        if not uid.startswith("model."):
            continue
        name = uid.split(".")[-1]
        found = con.execute(
            "select table_schema from information_schema.tables where table_name = ? limit 1", [name]).fetchone()
        count = con.execute(f'select count(*) from "{found[0]}"."{name}"').fetchone()[0] if found else None
        seconds = r["execution_time"]
        rows.append({"model": name, "seconds": round(seconds, 3), "rows": count,
                     "rows_per_second": round(count / seconds) if count and seconds else None})
    con.close()
    return sorted(rows, key=lambda m: -m["seconds"])


def run_benchmark(scale: float, out: Path, seed: int = 42, days: int = 14) -> dict:
    from kefu.generate import generate
    from kefu.split import split_landing

    work = Path(tempfile.mkdtemp(prefix="kefu_bench_"))
    landing, target = work / "landing", work / "target"
    report: dict = {"scale": scale, "seed": seed, "days": days, "started_at": datetime.now().isoformat(timespec="seconds"),
                    "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                "duckdb": duckdb.__version__}}
    try:
        start = time.perf_counter()
        counts = generate(str(landing), seed=seed, days=days, scale=scale)
        report["generate"] = {"wall_seconds": round(time.perf_counter() - start, 3), "rows": counts}

        fixed_db = work / "fixed.duckdb"
        # start-up + full parse + one no-op query, in its own target folder so the build below parses in full too
        report["dbt_fixed"] = _timed(_dbt_cmd(["show", "--inline", "select 1 as no_op"], work / "target_fixed"),
                                     _env(fixed_db, landing))

        full_db = work / "full.duckdb"
        report["full_build"] = _timed(_dbt_cmd(["build", *EXCLUDE_UNIT], target), _env(full_db, landing))
        report["models"] = _per_model(target, full_db)

        last_day = datetime.strptime("2026-11-01", "%Y-%m-%d") + timedelta(days=days - 1)
        first_load = work / "first_load"
        split_landing(landing, first_load, last_day.strftime("%Y-%m-%d 00:00:00"))
        inc_db = work / "incremental.duckdb"
        # the first load is a full run (seeds + models) of all days but the last: the comparator of the daily run
        report["first_load_full_run"] = _timed(
            _dbt_cmd(["build", "--resource-type", "seed", "--resource-type", "model"], target), _env(inc_db, first_load))
        report["one_day_incremental"] = _timed(_dbt_cmd(["run"], target), _env(inc_db, landing))

        report["floor"] = floor_query(landing)
        work_seconds = report["full_build"]["wall_seconds"] - report["dbt_fixed"]["wall_seconds"]
        report["build_less_fixed_seconds"] = round(work_seconds, 3)
        report["ratio_build_to_floor"] = round(work_seconds / report["floor"]["wall_seconds"], 1)
        report["messages"] = counts.get("raw_messages")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps({k: report[k] for k in ("scale", "messages", "full_build", "dbt_fixed", "first_load_full_run", "one_day_incremental",
                                             "floor", "ratio_build_to_floor")}, indent=2))
    print(f"wrote {out}")
    return report
