"""kefu command line: sample data, landing checks, CSV ingestion, dbt, publishing, benchmarks.

Every user mistake (missing folder, bad argument) ends in one line on stderr and exit code 2,
never in a stack trace.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANDING_TABLES = (
    "raw_sessions", "raw_messages", "raw_orders", "raw_order_items", "raw_agents",
    "raw_agent_status", "raw_ratings", "raw_faq_questions", "raw_faq_events", "raw_visits",
)


class UserError(Exception):
    """A mistake the user can fix; printed as one line."""


class PublishRefused(UserError):
    """The last dbt build or the quality gate did not pass: nothing was published (one line, exit 2)."""


def default_landing() -> Path:
    return Path(os.environ.get("KEFU_LANDING_PATH", ROOT / "data" / "landing"))


def check_landing(landing: Path) -> None:
    if not landing.is_dir():
        raise UserError(f"landing folder not found: {landing} (set KEFU_LANDING_PATH or run `make sample`)")
    for table in LANDING_TABLES:
        folder = landing / table
        if not folder.is_dir():
            raise UserError(f"landing folder missing: {folder}")
        if not any(folder.glob("*.parquet")):
            raise UserError(f"landing folder has no .parquet file: {folder} (CSV exports: `kefu ingest-csv`)")


def dbt(args: list[str], env: dict[str, str] | None = None) -> int:
    """Run dbt inside the project with the committed profile; returns dbt's exit code."""
    full_env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT / "profiles"), **(env or {})}
    exe = Path(sys.executable).with_name("dbt")
    cmd = [str(exe) if exe.exists() else "dbt", *args, "--project-dir", str(ROOT)]
    return subprocess.call(cmd, cwd=ROOT, env=full_env)


def _cmd_generate(ns: argparse.Namespace) -> int:
    from kefu.generate import generate

    generate(ns.out, seed=ns.seed, shops=ns.shops, buyers=ns.buyers, days=ns.days, start=ns.start, scale=ns.scale)
    return 0


def _cmd_check_landing(ns: argparse.Namespace) -> int:
    check_landing(Path(ns.landing))
    print(f"landing ok: {ns.landing}")
    return 0


def _cmd_build(ns: argparse.Namespace) -> int:
    from kefu.publish import publish

    check_landing(default_landing())
    from kefu.gate import run_gate, summary

    rc = dbt(["build", *ns.dbt_args])
    if rc != 0:
        print(f"dbt build failed (exit {rc}); nothing published", file=sys.stderr)
        return rc
    result = run_gate()
    print(summary(result))
    if not result.passed:
        print("quality gate failed; nothing published", file=sys.stderr)
        return 1
    published = publish()
    print(f"published: {published}")
    return 0


def _cmd_check(ns: argparse.Namespace) -> int:
    from kefu.gate import run_gate, summary

    result = run_gate(ns.db, ns.report)
    print(summary(result))
    return 0 if result.passed else 1


def _cmd_publish(ns: argparse.Namespace) -> int:
    from kefu.publish import publish

    print(f"published: {publish(ns.source, ns.target, ns.run_results)}")
    return 0


def _cmd_ingest_csv(ns: argparse.Namespace) -> int:
    from kefu.ingest import ingest_csv

    out = ingest_csv(Path(ns.csv), ns.table, Path(ns.landing), encoding=ns.encoding)
    print(f"wrote {out}")
    return 0


def _cmd_bench(ns: argparse.Namespace) -> int:
    from kefu.bench import run_benchmark

    run_benchmark(scale=ns.scale, out=Path(ns.out))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kefu", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("generate", help="write the deterministic sample landing files")
    p.add_argument("--out", default=str(default_landing()))
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--shops", type=int, default=4)
    p.add_argument("--buyers", type=int, default=300)
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--start", default="2026-11-01")
    p.add_argument("--scale", type=float, default=1.0)
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser("check-landing", help="check that every landing folder exists and holds Parquet files")
    p.add_argument("--landing", default=str(default_landing()))
    p.set_defaults(func=_cmd_check_landing)

    p = sub.add_parser("build", help="dbt build on the landing files, quality gate, then publish the marts atomically")
    p.add_argument("dbt_args", nargs=argparse.REMAINDER, help="extra dbt arguments, e.g. --vars '{...}'")
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
                   help="dbt run_results.json of the build (default KEFU_RUN_RESULTS or target/run_results.json)")
    p.set_defaults(func=_cmd_publish)

    p = sub.add_parser("ingest-csv", help="convert a CSV export (UTF-8 or GBK) into a landing Parquet file")
    p.add_argument("csv")
    p.add_argument("--table", required=True, choices=LANDING_TABLES)
    p.add_argument("--landing", default=str(default_landing()))
    p.add_argument("--encoding", default="utf-8", help="utf-8 (default) or gbk for 千牛/旺旺 exports")
    p.set_defaults(func=_cmd_ingest_csv)

    p = sub.add_parser("bench", help="build from scratch at a scale and write timings to JSON")
    p.add_argument("--scale", type=float, default=10.0)
    p.add_argument("--out", default=str(ROOT / "bench" / "bench.json"))
    p.set_defaults(func=_cmd_bench)

    ns = parser.parse_args(argv)
    try:
        return ns.func(ns)
    except UserError as exc:
        print(f"kefu: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
