"""Quality gate: Great Expectations 1.x suites over the marts of the build database, run before publishing.

Every check reads small pandas frames: mart columns the expectations need, and per shop-day counts that DuckDB
aggregates first (raw messages and receptions are never pulled row by row). GX runs on an ephemeral context with a
pandas datasource only. Suites:

* one per published mart (``marts.<name>``): key columns not null and unique (compound keys with
  ExpectCompoundColumnsToBeUnique; keys and [0, 1] bounds are read from the marts' YAML — columns tested
  ``between_zero_and_one`` there, so the inquiry rate, documented as able to exceed 1, is not bounded), platform
  and attribution_rule in their value sets, and consult = reception + filtered on the two reception rollups;
* ``freshness``: the latest business date over the daily marts is not older than as_of − 1 (intermediate.int_as_of);
* ``volume``: per shop-day counts of staged messages and of fct_receptions against the trailing 7-day median of the
  same shop (days with at least 3 prior days only); outside [KEFU_GATE_VOLUME_LOW, KEFU_GATE_VOLUME_HIGH] × median
  (defaults 0.5 and 3.0) fails, naming shop, day, count and median. Declared peak days (KEFU_GATE_PEAK_DAYS) are
  judged against the lower bound only.

An intraday refresh passes a scope (kefu.publish.refresh_scope, docs/operations.md): only the marts it rebuilt, each
from the first business date it recomputed (table models and key-replacing incremental ones whole), and the volume
check on those days; the daily run's gate is unchanged and checks everything.

Outputs: ``gate_result.json`` beside the build database (passed, every expectation's result, the build database's
path and mtime — `kefu publish` compares the mtime) and ``gate_report.html`` beside the published database (plain
static HTML, readable offline).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

os.environ["GX_ANALYTICS_ENABLED"] = "False"

import duckdb  # noqa: E402

from kefu.errors import UserError  # noqa: E402
from kefu.gate.expectations import _freshness_checks, _mart_checks, _Runner, _volume_checks  # noqa: E402
from kefu.gate.frames import load_frames  # noqa: E402
from kefu.gate.report import summary, write_html, write_json  # noqa: E402
from kefu.gate.specs import Check, GateResult, GateScope, MartSpec, mart_specs  # noqa: E402,F401
from kefu.settings import build_db_path as build_path  # noqa: E402
from kefu.settings import published_path  # noqa: E402

__all__ = ["Check", "GateResult", "GateScope", "MartSpec", "mart_specs", "read_result", "result_path", "run_gate", "summary"]


def result_path(db: Path) -> Path:
    """gate_result.json lives beside the build database it judged."""
    return db.parent / "gate_result.json"


def read_result(db: Path) -> dict[str, Any] | None:
    path = result_path(db)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def run_gate(db: str | Path | None = None, report: str | Path | None = None,
             scope: GateScope | None = None) -> GateResult:
    """Validate the build database; write gate_result.json beside it and gate_report.html beside the published DB.
    With a scope (an intraday refresh, kefu.publish.refresh_scope) only the marts the refresh rebuilt are checked,
    each from the first date it recomputed on, and the volume check judges those days only (the record says so)."""

    db = Path(db) if db else build_path()
    if not db.exists():
        raise UserError(f"build database not found: {db} (run `make build` first)")
    started = time.perf_counter()
    mtime_ns = db.stat().st_mtime_ns
    try:
        frames = load_frames(db, scope)
    except duckdb.Error as exc:
        raise UserError(f"cannot read the build database {db}: {str(exc).splitlines()[0]}") from None
    runner = _Runner()
    checks = _mart_checks(runner, frames) + _freshness_checks(runner, frames) + _volume_checks(runner, frames)
    result = GateResult(
        passed=all(c.success for c in checks),
        build_db=str(db.resolve()),
        build_db_mtime_ns=mtime_ns,
        checked_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - started, 2),
        checks=checks,
        scope=scope.as_dict() if scope is not None else None,
    )
    json_path = result_path(db)
    html_path = Path(report) if report else published_path().parent / "gate_report.html"
    result.json_path, result.html_path = str(json_path), str(html_path)
    write_json(result, json_path)
    write_html(result, html_path)
    return result
