"""kefu command line: sample data, landing checks, CSV ingestion, dbt, publishing, benchmarks.

Every user mistake (missing folder, bad argument) ends in one line on stderr and exit code 2,
never in a stack trace; so does a command that runs out of disk space (kefu.errors.disk_full).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kefu.errors import UserError, disk_full
from kefu.landing import landing_table_names
from kefu.settings import landing_path as default_landing

ROOT = Path(__file__).resolve().parent.parent
def _generate_arguments(p: argparse.ArgumentParser, out_default: str):
    from kefu.generate import _add_arguments

    _add_arguments(p, out_default)


def _cmd_generate(ns: argparse.Namespace) -> int:
    from kefu.generate import generate

    if ns.shops is not None and ns.shops < 1 or ns.days is not None and ns.days < 1 or ns.workers < 1:
        raise UserError("--shops, --days and --workers must be at least 1")
    info: dict = {}
    counts = generate(ns.out, seed=ns.seed, shops=ns.shops, buyers=ns.buyers, days=ns.days, start=ns.start,
                      scale=ns.scale, size=ns.size, workers=ns.workers, report=info)
    if ns.size != "S":
        print(", ".join(f"{table}: {n}" for table, n in counts.items()))
        print(f"peak memory per shard process (MiB): {info['worker_peak_rss_mib']}")
    return 0


def _cmd_check_landing(ns: argparse.Namespace) -> int:
    from kefu.pipeline import check_landing_step

    report = check_landing_step(Path(ns.landing), ns.config, Path(ns.catalog) if ns.catalog else None)
    print(f"landing ok: {ns.landing} ({report.files_read} files read)")
    return 0


def _cmd_build(ns: argparse.Namespace) -> int:
    """check-landing, dbt build, quality gate, publish (kefu.pipeline, kind daily)."""
    from kefu.pipeline import run

    return run("daily", ns.dbt_args)


def _cmd_check(ns: argparse.Namespace) -> int:
    from kefu.gate import run_gate, summary

    result = run_gate(ns.db, ns.report)
    print(summary(result))
    return 0 if result.passed else 1


def _cmd_publish(ns: argparse.Namespace) -> int:
    """The gated publish, under the build database's run lock (a build or refresh running on it goes first)."""
    from kefu.pipeline import push_alerts_step
    from kefu.publish import publish
    from kefu.runlock import run_lock
    from kefu.settings import build_db_path

    with run_lock(Path(ns.source) if ns.source else build_db_path(), "publish"):
        path = publish(ns.source, ns.target, ns.run_results, kind=ns.kind)
        print(f"published: {path}")
        push_alerts_step(path)
    return 0


def _cmd_ingest_csv(ns: argparse.Namespace) -> int:
    from kefu.ingest import ingest_csv

    out = ingest_csv(Path(ns.csv), ns.table, Path(ns.landing), encoding=ns.encoding)
    print(f"wrote {out}")
    return 0


def _cmd_golden(ns: argparse.Namespace) -> int:
    from kefu.golden import GOLDEN_DIR, compare, update
    from kefu.publish import build_path

    db = Path(ns.db) if ns.db else build_path()
    if not db.exists():
        raise UserError(f"build database not found: {db} (run `make build` on the sample first)")
    if ns.update:
        written = update(db)
        print(f"golden snapshot updated: {len(written)} marts in {GOLDEN_DIR} (review the git diff)")
        return 0
    problems = compare(db)
    for problem in problems:
        print(problem)
    print("golden snapshot: " + (f"{len(problems)} marts differ" if problems else "all marts equal"))
    return 1 if problems else 0


def _cmd_spark_parity(ns: argparse.Namespace) -> int:
    from kefu.publish import build_path
    from kefu.spark_parity import compare, marts_to_compare, published_marts, spark_dir

    db = Path(ns.db) if ns.db else build_path()
    warehouse = Path(ns.warehouse) if ns.warehouse else spark_dir() / "warehouse"
    if not db.exists():
        raise UserError(f"DuckDB build database not found: {db} (run `make dbt-build` first)")
    if not warehouse.is_dir():
        raise UserError(f"Spark warehouse not found: {warehouse} (run `make spark-build` first)")
    try:
        marts = marts_to_compare(db, published_marts(Path(ns.manifest) if ns.manifest else None))
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from exc
    problems = compare(db, warehouse, marts)
    for problem in problems:
        print(problem)
    print(f"spark parity: {len(problems)} of {len(marts)} marts differ" if problems
          else f"spark parity: all {len(marts)} marts equal")
    return 1 if problems else 0


def _cmd_bench(ns: argparse.Namespace) -> int:
    from kefu.bench import run_benchmark

    if ns.days is not None and ns.days < 2:
        raise UserError("--days must be at least 2 (the benchmark builds every day but the last, then the last)")
    name = f"{ns.size}{ns.days or ''}.json"
    run_benchmark(size=ns.size, out=Path(ns.out or ROOT / "benchmarks" / name), work_dir=ns.work_dir,
                  daily=not ns.full_build_only, days=ns.days)
    return 0


def _cmd_bench_table(ns: argparse.Namespace) -> int:
    from kefu.bench import bench_table, write_readme_table

    if ns.print:
        print(bench_table())
    else:
        write_readme_table()
        print("docs/performance.md table rewritten from benchmarks/*.json")
    return 0


def _cmd_vars_table(ns: argparse.Namespace) -> int:
    from kefu.rules import vars_table, write_readme_vars_table

    if ns.print:
        print(vars_table())
    else:
        write_readme_vars_table()
        print("README.md vars table rewritten from the rule registry (dbt_project.yml)")
    return 0


def _cmd_metric_registry(ns: argparse.Namespace) -> int:
    """Write (or --check) the files the metric registry gives: MetricFlow metrics, the dbt macro, the docs table."""
    from kefu.metric_registry import stale_outputs, write_outputs

    if ns.check:
        stale = stale_outputs()
        for path in stale:
            print(f"{path.relative_to(ROOT)} is not what metric_registry.yml gives: run `kefu metric-registry`",
                  file=sys.stderr)
        return 1 if stale else 0
    for path in write_outputs():
        print(f"written: {path.relative_to(ROOT)}")
    return 0


def _cmd_refresh(ns: argparse.Namespace) -> int:
    """Intraday: load the new landing files into the live marts (selector `live`), gate and publish (kefu.pipeline,
    kind live)."""
    from kefu.pipeline import run

    return run("live", publish=not ns.no_publish)


def _cmd_dashboard(ns: argparse.Namespace) -> int:
    """Serve the Streamlit dashboard on the published file (read-only) until interrupted."""
    from kefu.publish import published_path

    published = Path(ns.published) if ns.published else published_path()
    if not published.exists():
        raise UserError(f"published database not found: {published} (run `make build` or `kefu publish`)")
    exe = Path(sys.executable).with_name("streamlit")
    if not exe.exists():
        raise UserError(f"streamlit not found next to {sys.executable} (reinstall: `pip install -e .`)")
    cmd = [str(exe), "run", str(ROOT / "kefu" / "dashboard" / "app.py"), "--server.headless", "true",
           "--server.port", str(ns.port), "--server.address", ns.address, "--browser.gatherUsageStats", "false",
           "--client.toolbarMode", "viewer"]
    env = {**os.environ, "KEFU_PUBLISHED_PATH": str(published.resolve()), "PYTHONPATH": str(ROOT)}
    # exec: the streamlit server takes this process's place, so a signal to `kefu dashboard` (Ctrl-C, a test's
    # terminate()) reaches the server itself and leaves no orphan behind
    sys.stdout.flush()
    os.chdir(ROOT)
    os.execve(str(exe), cmd, env)
    return 0  # not reached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kefu", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("generate", help="write the deterministic sample landing files")
    _generate_arguments(p, str(default_landing()))
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser("check-landing", help="check every landing file against the raw contract (and convert declared GBK CSVs) and the configuration folder, before dbt runs")
    p.add_argument("--landing", default=str(default_landing()))
    p.add_argument("--config", default=None,
                   help="configuration folder (default KEFU_CONFIG_PATH, else config/ inside the landing folder)")
    p.add_argument("--catalog", default=None,
                   help="also write the landing file catalog the Spark build reads (env KEFU_LANDING_CATALOG) here")
    p.set_defaults(func=_cmd_check_landing)

    p = sub.add_parser("build", help="check-landing, dbt build, quality gate, then publish the marts atomically")
    p.epilog = "Any further arguments go to dbt, e.g. kefu build --vars '{attribution_rule: payment}'"
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("check", help="quality gate (Great Expectations) on the build database; exit 1 on failure")
    p.add_argument("--db", default=None, help="build database (default KEFU_DB_PATH)")
    p.add_argument("--report", default=None, help="HTML report (default gate_report.html beside KEFU_PUBLISHED_PATH)")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("publish", help="copy the marts into the published DuckDB file (atomic swap), only when the "
                                       "last dbt build and `kefu check` passed; every attempt is logged in kefu_runs")
    p.add_argument("--source", default=None, help="build database (default KEFU_DB_PATH)")
    p.add_argument("--target", default=None, help="published database (default KEFU_PUBLISHED_PATH)")
    p.add_argument("--run-results", default=None,
                   help="dbt run_results.json of the run (default KEFU_RUN_RESULTS, else run_results.json beside the "
                        "build database; run_results_live.json beside it for --kind live)")
    p.add_argument("--kind", default="daily", choices=["daily", "live"],
                   help="daily (a full dbt build, the default) or live (an intraday refresh)")
    p.set_defaults(func=_cmd_publish)

    p = sub.add_parser("ingest-csv", help="convert a CSV export (UTF-8 or GBK) into a landing Parquet file")
    p.add_argument("csv")
    p.add_argument("--table", required=True, choices=landing_table_names())
    p.add_argument("--landing", default=str(default_landing()))
    p.add_argument("--encoding", default="utf-8", help="utf-8 (default) or gbk for 千牛/旺旺 exports")
    p.set_defaults(func=_cmd_ingest_csv)

    p = sub.add_parser("golden", help="compare the sample's marts with the golden snapshot (or --update it)")
    p.add_argument("--db", default=None, help="build database (default KEFU_DB_PATH)")
    p.add_argument("--update", action="store_true", help="rewrite tests_python/golden/*.csv from the database")
    p.set_defaults(func=_cmd_golden)

    p = sub.add_parser("bench", help="full build, daily run and intraday refresh at a size; figures to JSON")
    p.add_argument("--size", default="S", choices=["S", "M", "L"])
    p.add_argument("--days", type=int, default=None,
                   help="days of history (default: the size's own); the same shops, e.g. --size M --days 60")
    p.add_argument("--out", default=None, help="JSON file (default benchmarks/<size>.json, <size><days>.json with --days)")
    p.add_argument("--work-dir", default=None, help="folder for the temporary landing and databases")
    p.add_argument("--full-build-only", action="store_true",
                   help="skip the daily run and intraday refresh (the L size's full build alone takes long)")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("spark-parity", help="compare every published mart of the Spark build with the DuckDB build")
    p.add_argument("--db", default=None, help="DuckDB build database (default KEFU_DB_PATH)")
    p.add_argument("--warehouse", default=None, help="Spark warehouse folder (default KEFU_SPARK_DIR/warehouse)")
    p.add_argument("--manifest", default=None, help="dbt manifest.json listing the marts (default target/manifest.json)")
    p.set_defaults(func=_cmd_spark_parity)

    p = sub.add_parser("bench-table", help="rewrite the performance table of docs/performance.md from benchmarks/*.json")
    p.add_argument("--print", action="store_true", help="print the table instead of writing docs/performance.md")
    p.set_defaults(func=_cmd_bench_table)

    p = sub.add_parser("vars-table", help="rewrite the README vars table from the rule registry in dbt_project.yml")
    p.add_argument("--print", action="store_true", help="print the table instead of writing README.md")
    p.set_defaults(func=_cmd_vars_table)

    p = sub.add_parser("metric-registry", help="write the MetricFlow metrics, the dbt KPI/benchmark lists and the "
                                               "docs/metrics.md table from metric_registry.yml")
    p.add_argument("--check", action="store_true", help="exit 1 when a written file differs from the registry's")
    p.set_defaults(func=_cmd_metric_registry)

    p = sub.add_parser("refresh", help="intraday: load new landing files into the live marts, gate and publish")
    p.add_argument("--no-publish", action="store_true", help="update the build database only")
    p.set_defaults(func=_cmd_refresh)

    p = sub.add_parser("dashboard", help="serve the Streamlit dashboard on the published file (read-only)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="localhost", help="interface to listen on (0.0.0.0 for every interface)")
    p.add_argument("--published", default=None, help="published database (default KEFU_PUBLISHED_PATH)")
    p.set_defaults(func=_cmd_dashboard)

    ns, extra = parser.parse_known_args(argv)
    if ns.command == "build":
        ns.dbt_args = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return ns.func(ns)
    except UserError as exc:
        print(f"kefu: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        full = disk_full(exc)
        if full is None:
            raise
        print(f"kefu: {full}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
