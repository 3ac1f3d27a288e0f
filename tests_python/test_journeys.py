"""The README's journeys, run end to end the way a user runs them: the `kefu` commands on folders laid out by hand.

* Own exports: the sample's table folders copied into an empty folder (no file at its root), `kefu check-landing`,
  `kefu build`; the published file holds the marts. While that build holds the build database, a `kefu refresh`
  that may not wait refuses in one line naming the build, and one that may wait runs after it and publishes.
* Landing folders: `kefu check-landing` and the dbt hook accept and refuse the same folders.
* Daily then live: every day but the last built and published, then the morning files of the last day land and
  `kefu refresh` publishes; the last day's shop-day and agent-day figures in the published file equal a full build of
  the same files, the day is in the dashboard's day list, and the 客服大屏 in headless Chromium shows those numbers.
  The Dagster job kefu_live on the same data publishes the same figures.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, run_dbt, target_dir

pytestmark = pytest.mark.slow

KEFU = str(Path(sys.executable).with_name("kefu"))
TABLES = ("raw_sessions", "raw_messages", "raw_orders", "raw_order_items", "raw_agents", "raw_agent_status",
          "raw_ratings", "raw_faq_questions", "raw_faq_events", "raw_visits")
# (mart, date column) of the shop-day and agent-day figures the live screen shows
DAY_MARTS = [("agg_shop_daily_receptions", "reception_date"), ("agg_shop_daily_service", "service_date"),
             ("agg_shop_daily_sales", "sales_date"), ("agg_agent_daily_receptions", "reception_date"),
             ("agg_agent_daily_service", "service_date"), ("agg_agent_daily_sales", "activity_date"),
             ("agg_shop_hourly_load", "load_date")]


def _env(work: Path, landing: Path, **extra: str) -> dict[str, str]:
    """A user's environment: where the exports are and where kefu writes (as the README's export lines set)."""
    return {**os.environ, "KEFU_LANDING_PATH": str(landing), "KEFU_DB_PATH": str(work / "build" / "kefu.duckdb"),
            "KEFU_PUBLISHED_PATH": str(work / "published" / "kefu.duckdb"),
            "KEFU_RUN_RESULTS": str(work / "build" / "run_results.json"),
            "KEFU_DBT_TARGET_PATH": str(target_dir(f"target_pytest_journey_{work.name}")),
            # the small sample swings to 0.2x a shop's trailing median on ordinary days (test_gate.py)
            "KEFU_GATE_VOLUME_LOW": "0.1", "KEFU_BUYER_SALT": "journey-test-salt", **extra}


def _kefu(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([KEFU, *args], env=env, capture_output=True, text=True, cwd=ROOT)


def _marts(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}


def _runs(published: Path) -> list[tuple]:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("select kind, published from main.kefu_runs order by started_at").fetchall()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A small generated sample (the generator writes _manifest.json at its root)."""
    from kefu.generate import generate

    root = tmp_path_factory.mktemp("journey_sample")
    generate(str(root), seed=3, shops=3, buyers=60, days=5)
    assert (root / "_manifest.json").exists()
    return root


def _own_exports(sample: Path, dest: Path) -> Path:
    """The sample's table folders copied into an empty folder: nothing at the root but table folders."""
    dest.mkdir(parents=True)
    for table in TABLES:
        shutil.copytree(sample / table, dest / table)
    assert all(p.is_dir() for p in dest.iterdir())
    return dest


def _lock_holder(db: Path, timeout: float = 120) -> str:
    """Wait until a run holds the build database's lock; returns what the lock file says."""
    from kefu.runlock import lock_path

    deadline = time.time() + timeout
    while time.time() < deadline:
        path = lock_path(db)
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.2)
    raise AssertionError(f"no run took the lock on {db}")


def test_own_exports_build_and_overlapping_runs(sample, tmp_path):
    landing = _own_exports(sample, tmp_path / "exports")
    work = tmp_path / "work"
    env = _env(work, landing)
    checked = _kefu(["check-landing"], env)
    assert checked.returncode == 0 and "landing ok" in checked.stdout, checked.stdout + checked.stderr

    db = work / "build" / "kefu.duckdb"
    log = tmp_path / "build.log"
    # the build's output goes to a file: a pipe nobody reads while the refresh waits would fill up and stall it
    build = subprocess.Popen([KEFU, "build"], env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
                             text=True)
    try:
        holder = json.loads(_lock_holder(db))
        assert holder["what"] == "build" and holder["pid"] == build.pid
        # a refresh that may not wait refuses in one line naming the run that holds the database
        refused = _kefu(["refresh"], {**env, "KEFU_LOCK_WAIT_SECONDS": "0"})
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert refused.stderr.strip().count("\n") == 0 and "Traceback" not in refused.stderr, refused.stderr
        assert f"in use by `kefu build` (pid {build.pid}" in refused.stderr
        # a refresh that may wait runs once the build is done, and publishes
        waited = _kefu(["refresh"], {**env, "KEFU_LOCK_WAIT_SECONDS": "600"})
        build.wait(timeout=900)
    finally:
        if build.poll() is None:
            build.kill()
    out = log.read_text()
    assert build.returncode == 0, out[-6000:]
    assert "published:" in out
    assert waited.returncode == 0, waited.stdout[-4000:] + waited.stderr[-2000:]
    assert "waiting up to 600 s" in waited.stdout and "published:" in waited.stdout

    published = work / "published" / "kefu.duckdb"
    assert {"fct_receptions", "agg_shop_daily_receptions", "agg_agent_live_status"} <= _marts(published)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_receptions").fetchone()[0] > 0
    assert _runs(published) == [("daily", True), ("live", True)]
    # the daily build's dbt results are kept where KEFU_RUN_RESULTS says, the refresh's beside them
    assert json.loads((work / "build" / "run_results.json").read_text())["args"]["which"] == "build"
    assert json.loads((work / "build" / "run_results_live.json").read_text())["args"]["selector"] == "live"


def _landing_cases(sample: Path, root: Path) -> dict[str, tuple[Path, bool]]:
    """Folders a user may point KEFU_LANDING_PATH at, and whether each is a valid landing."""
    from landing_cuts import partition_by_date

    cases: dict[str, tuple[Path, bool]] = {}
    cases["table folders only"] = (_own_exports(sample, root / "tables_only"), True)
    partition_by_date(root / "tables_only", root / "dated")
    cases["date folders inside table folders"] = (root / "dated", True)
    cases["generator output (file at the root)"] = (sample, True)
    no_visits = _own_exports(sample, root / "no_visits")
    shutil.rmtree(no_visits / "raw_visits")
    (no_visits / "raw_visits").mkdir()
    cases["an optional table folder empty"] = (no_visits, True)
    (root / "empty").mkdir()
    cases["empty folder"] = (root / "empty", False)
    cases["missing folder"] = (root / "missing", False)
    (root / "stray").mkdir()
    shutil.copy(next((sample / "raw_sessions").glob("*.parquet")), root / "stray" / "sessions.parquet")
    cases["a file at the root, no table folder"] = (root / "stray", False)
    no_orders = _own_exports(sample, root / "no_orders")
    shutil.rmtree(no_orders / "raw_orders")
    cases["a required table missing"] = (no_orders, False)
    return cases


def test_check_landing_and_dbt_hook_agree(sample, tmp_path):
    for name, (landing, valid) in _landing_cases(sample, tmp_path / "cases").items():
        work = tmp_path / "work" / name.replace(" ", "_").replace("(", "").replace(")", "")
        work.mkdir(parents=True)
        checked = _kefu(["check-landing", "--landing", str(landing)], _env(work, landing))
        # the hook runs at the start of any dbt run; seeding one small seed is the cheapest run that triggers it
        hook = run_dbt(["seed", "--select", "shops"], work / "kefu.duckdb", landing, "target_pytest_hook")
        assert (checked.returncode == 0) == valid, (name, checked.stdout + checked.stderr)
        assert (hook.returncode == 0) == valid, (name, hook.stdout[-3000:])
        if not valid:
            line = checked.stderr.strip()
            assert line.count("\n") == 0 and "Traceback" not in line, (name, line)
            # both name the same problem
            problem = line.removeprefix("kefu: ").split(":")[0].split(" (")[0]
            assert problem in hook.stdout, (name, problem, hook.stdout[-2000:])


# ---------------------------------------------------------------- daily, then live


@pytest.fixture(scope="module")
def daily_then_live(sample, tmp_path_factory):
    """Every day but the last built and published by `kefu build`; then the last day's morning files land.

    The files are what a shop's daily export gives: each day's folder holds the rows of that day as of its end (an
    order created on day D lands in D's folder, unpaid if it was then); the morning file of the last day holds that
    morning's sessions and messages and the orders created or changed that morning (a payment of yesterday's order
    lands as the order's new version)."""
    from landing_cuts import partition_by_date, split_landing

    root = tmp_path_factory.mktemp("daily_then_live")
    last = _last_day(sample)
    split_landing(sample, root / "midnight", f"{last} 00:00:00")
    partition_by_date(root / "midnight", root / "landing")
    landing = root / "landing"
    work = root / "work"
    env = _env(work, landing)
    built = _kefu(["build"], env)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    split_landing(sample, root / "noon", f"{last} 12:00:00")
    partition_by_date(root / "noon", root / "noon_by_day")
    morning = sorted((root / "noon_by_day").glob(f"*/date={last}"))
    assert {p.parent.name for p in morning} >= {"raw_sessions", "raw_messages", "raw_orders"}
    assert not list(landing.glob(f"*/date={last}")), "the daily landing holds nothing of the last day"
    for folder in morning:
        shutil.copytree(folder, landing / folder.parent.name / folder.name)
    reference = root / "reference" / "kefu.duckdb"
    reference.parent.mkdir()
    run_dbt(["build", "--exclude", "test_type:unit"], reference, landing, "target_pytest_journey_ref", check=True)
    return {"env": env, "work": work, "landing": landing, "last": last, "reference": reference}


def _last_day(sample: Path) -> str:
    """The sample's last business date (its latest session start)."""
    with duckdb.connect() as con:
        return str(con.execute(f"select max(cast(try_cast(started_at as timestamp) as date)) from "
                               f"read_parquet('{sample}/raw_sessions/*.parquet')").fetchone()[0])


def _day_rows(db: Path, day: str) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = {mart: con.execute(f"select * from marts.{mart} where {column} = ? order by all", [day]).fetchall()
                for mart, column in DAY_MARTS}
        rows["agg_agent_live_status"] = con.execute("select * from marts.agg_agent_live_status order by all").fetchall()
    return {m: [tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rs] for m, rs in rows.items()}


def test_dagster_live_job_then_cli_refresh_publish_the_full_build_figures(daily_then_live, monkeypatch):
    from dagster import DagsterInstance

    state = daily_then_live
    published = state["work"] / "published" / "kefu.duckdb"
    before = _day_rows(published, state["last"])
    expected = _day_rows(state["reference"], state["last"])
    assert expected["agg_shop_daily_receptions"] and expected["agg_agent_daily_service"], "the morning has chats"
    assert before["agg_shop_daily_receptions"] == [], "the daily build had no data of the last day"

    for key in ("KEFU_LANDING_PATH", "KEFU_DB_PATH", "KEFU_PUBLISHED_PATH", "KEFU_RUN_RESULTS", "KEFU_DBT_TARGET_PATH",
                "KEFU_GATE_VOLUME_LOW", "KEFU_BUYER_SALT"):
        monkeypatch.setenv(key, state["env"][key])
    from kefu.definitions import defs

    result = defs.resolve_job_def("kefu_live").execute_in_process(instance=DagsterInstance.ephemeral(),
                                                                    raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    assert _day_rows(published, state["last"]) == expected

    refreshed = _kefu(["refresh"], state["env"])
    assert refreshed.returncode == 0, refreshed.stdout[-4000:] + refreshed.stderr[-2000:]
    assert "published:" in refreshed.stdout
    assert _day_rows(published, state["last"]) == expected
    assert [kind for kind, ok in _runs(published) if ok] == ["daily", "live", "live"]


def test_live_day_on_the_dashboard(daily_then_live, tmp_path):
    import datetime as dt

    from kefu.dashboard import queries as q
    from test_dashboard_e2e import (CHROMEDRIVER, CHROMIUM, SCREEN_METRICS, _assert_screen, chromium_driver, render,
                                    running_dashboard)

    state = daily_then_live
    published = state["work"] / "published" / "kefu.duckdb"
    if not (published.exists() and q.business_dates(published)[0] == dt.date.fromisoformat(state["last"])):
        refreshed = _kefu(["refresh"], state["env"])
        assert refreshed.returncode == 0, refreshed.stdout[-4000:] + refreshed.stderr[-2000:]
    last = dt.date.fromisoformat(state["last"])
    assert q.business_dates(published)[0] == last and q.latest_business_date(published) == last
    assert q.is_provisional(last, published) and not q.is_provisional(last - dt.timedelta(days=1), published)
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("chromium and chromium-driver are not installed (run `make chromium`)")
    browser = chromium_driver(tmp_path / "profile")
    try:
        with running_dashboard(published, tmp_path) as url:
            shown = render(browser, f"{url}/", "客服大屏", "journey_live_screen", expect_metrics=SCREEN_METRICS)
    finally:
        browser.quit()
    _assert_screen(shown, last, None, published)
    assert "provisional" in shown["__text__"]
    assert f"{q.live_now(None, published)['status_at']:%Y-%m-%d %H:%M:%S}" in shown["__text__"]
