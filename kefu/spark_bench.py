"""Wall time of one full `dbt build` (models, seeds, data and unit tests) of the same landing folder on DuckDB and on
Spark local mode, each from an empty database / warehouse; printed and written to benchmarks/spark_<scale>.json.

    .venv/bin/python -m kefu.spark_bench            # the sample in KEFU_LANDING_PATH, scale label S

It builds into its own folders (data/bench_spark/), never into the build database or the Spark build of `make`.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _dbt(args: list[str], env: dict[str, str], log: Path) -> float:
    exe = str(Path(sys.executable).with_name("dbt"))
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        rc = subprocess.call([exe, *args, "--project-dir", str(ROOT)], cwd=ROOT, env=env, stdout=out,
                             stderr=subprocess.STDOUT)
    seconds = round(time.monotonic() - started, 1)
    if rc != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed (exit {rc}); see {log}")
    return seconds


def run(landing: Path, scale: str, out: Path, work: Path) -> list[dict]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    from kefu.landing import check_landing
    from kefu.settings import dbt_env

    catalog = work / "spark" / "landing_catalog.jsonl"
    env = dbt_env(KEFU_LANDING_PATH=str(landing), KEFU_DB_PATH=str(work / "duckdb" / "kefu.duckdb"),
                  KEFU_SPARK_DIR=str(work / "spark"), KEFU_LANDING_CATALOG=str(catalog))
    (work / "duckdb").mkdir()
    (work / "spark").mkdir()
    # the Spark build reads the landing catalog kefu/landing.py writes (the DuckDB build scans through its plugin)
    check_landing(landing, catalog_path=catalog)
    results = []
    for engine, target in (("duckdb", "dev"), ("spark", "spark")):
        seconds = _dbt(["build", "--target", target, "--target-path", str(work / f"target_{engine}"),
                        "--log-path", str(work / f"logs_{engine}")], env, work / f"{engine}.log")
        print(f"{engine}: full dbt build of {landing} in {seconds} s")
        results.append({"engine": engine, "scale": scale, "full_build": {"wall_seconds": seconds}})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", default=os.environ.get("KEFU_LANDING_PATH", str(ROOT / "data" / "landing")))
    parser.add_argument("--scale", default="S")
    parser.add_argument("--out", default=None, help="default benchmarks/spark_<scale>.json")
    parser.add_argument("--work", default=str(ROOT / "data" / "bench_spark"))
    ns = parser.parse_args(argv)
    out = Path(ns.out) if ns.out else ROOT / "benchmarks" / f"spark_{ns.scale}.json"
    run(Path(ns.landing), ns.scale, out, Path(ns.work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
