"""An intraday refresh costs what it changed: its gate checks the refreshed days, its publish replaces the marts it
rebuilt in a copy of the published file.

* Every day but the last built and published by `kefu build`; a reader opens the published file; the morning files
  of the last day land and `kefu refresh` publishes. The refreshed marts of the new file equal the build database's,
  every other mart is row-identical to the previous published file's (nothing re-copied from the build database),
  the file opens and carries the run log with the refresh's row; the reader that held the old file still reads the
  old file whole (its marts hold the rows its own run row recorded).
* The refresh's gate judged the rebuilt marts only, from the first date they recomputed (gate_result.json says so).
* A bad value in a refreshed mart on the refreshed day fails the refresh's gate and the publish refuses, the
  published file byte-identical; the same bad value on an older day does not block the refresh, but the next daily
  run's whole gate fails and its publish refuses.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from test_journeys import _env, _kefu, _last_day, sample  # noqa: F401 - `sample` is a fixture

pytestmark = pytest.mark.slow

# A BI tool in its own process (in one process DuckDB would hand a later connection to the same path the instance
# this one holds): opens the published file read-only, says "open", and after a line on stdin reads it whole.
READER = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("open", flush=True)
sys.stdin.readline()
marts = [r[0] for r in con.execute("select table_name from information_schema.tables where table_schema = 'marts'")
         .fetchall() if r[0] != "fct_alerts"]
print(json.dumps({
    "runs": con.execute("select kind, rows_per_mart from main.kefu_runs order by started_at").fetchall(),
    "held": {m: con.execute(f'select count(*) from marts."{m}"').fetchone()[0] for m in marts},
    "last_day": con.execute("select count(*) from marts.agg_shop_daily_receptions where reception_date = ?",
                            [sys.argv[2]]).fetchone()[0]}), flush=True)
"""

# a refreshed mart with a [0, 1] rate and its date column, where a bad value is planted
PLANTED = ("agg_shop_daily_service", "three_minute_response_rate", "service_date")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select table_name from information_schema.tables where table_schema = 'marts' "
                                      "order by table_name").fetchall()]


def _rows(con: duckdb.DuckDBPyConnection, mart: str) -> list[tuple]:
    # sorted in Python: `order by all` over these columns is not the same order in every file
    return sorted(con.execute(f'select * from marts."{mart}"').fetchall(), key=repr)


@pytest.fixture(scope="module")
def refreshed(sample, tmp_path_factory):  # noqa: F811
    from landing_cuts import partition_by_date, split_landing

    root = tmp_path_factory.mktemp("refresh_publish")
    last = _last_day(sample)
    split_landing(sample, root / "midnight", f"{last} 00:00:00")
    partition_by_date(root / "midnight", root / "landing")
    work = root / "work_refresh"  # its own dbt target folder (test_journeys.py uses "work")
    env = _env(work, root / "landing")
    built = _kefu(["build"], env)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    published = work / "published" / "kefu.duckdb"
    before = root / "before.duckdb"
    shutil.copyfile(published, before)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), last], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)  # a BI tool holding the daily file
    assert reader.stdout.readline().strip() == "open"

    split_landing(sample, root / "noon", f"{last} 12:00:00")
    partition_by_date(root / "noon", root / "noon_by_day")
    for folder in sorted((root / "noon_by_day").glob(f"*/date={last}")):
        shutil.copytree(folder, root / "landing" / folder.parent.name / folder.name)
    refreshed = _kefu(["refresh"], env)
    assert refreshed.returncode == 0, refreshed.stdout[-4000:] + refreshed.stderr[-2000:]
    yield {"env": env, "work": work, "published": published, "before": before, "reader": reader, "last": last,
           "out": refreshed.stdout, "build": work / "build" / "kefu.duckdb",
           "live_results": work / "build" / "run_results_live.json"}
    reader.kill()
    reader.wait()


def test_refresh_replaces_only_the_rebuilt_marts(refreshed):
    from kefu.publish import rebuilt_marts

    state = refreshed
    rebuilt = rebuilt_marts(state["live_results"], state["build"])
    assert {"agg_shop_daily_receptions", "agg_agent_daily_service", "agg_shop_hourly_load"} <= set(rebuilt)
    with duckdb.connect(str(state["published"]), read_only=True) as new, \
            duckdb.connect(str(state["before"]), read_only=True) as old, \
            duckdb.connect(str(state["build"]), read_only=True) as build:
        assert _marts(new) == _marts(old)
        others = [m for m in _marts(new) if m not in rebuilt and m != "fct_alerts"]
        assert len(others) > 15
        for mart in rebuilt:
            assert _rows(new, mart) == _rows(build, mart), mart
        for mart in others:
            assert _rows(new, mart) == _rows(old, mart), mart
        day = dt.date.fromisoformat(state["last"])
        assert new.execute("select count(*) from marts.agg_shop_daily_receptions where reception_date = ?",
                           [day]).fetchone()[0] > 0
        assert old.execute("select count(*) from marts.agg_shop_daily_receptions where reception_date = ?",
                           [day]).fetchone()[0] == 0
        runs = new.execute("select kind, published, rows_per_mart from main.kefu_runs order by started_at").fetchall()
        assert [(k, p) for k, p, _ in runs] == [("daily", True), ("live", True)]
        counts = json.loads(runs[-1][2])
        assert counts == {m: new.execute(f'select count(*) from marts."{m}"').fetchone()[0]
                          for m in _marts(new) if m != "fct_alerts"}
        comment = new.execute("select comment from duckdb_columns() where schema_name = 'marts' and table_name = "
                              "'agg_shop_daily_receptions' and column_name = 'reception_date'").fetchone()[0]
        assert comment
    assert not Path(f"{state['published']}.wal").exists()
    assert "copying every mart instead" not in state["out"]


def test_reader_of_the_old_file_reads_it_whole(refreshed):
    reader = refreshed["reader"]
    out, _ = reader.communicate("read\n", timeout=120)
    seen = json.loads(out.strip().splitlines()[-1])
    [(kind, counts)] = seen["runs"]
    assert kind == "daily"
    assert seen["held"] == json.loads(counts)
    assert seen["last_day"] == 0


def test_refresh_gate_judges_the_refreshed_days(refreshed):
    from kefu.gate import read_result

    gate = read_result(refreshed["build"])
    assert gate["passed"] and gate["scope"], gate.get("scope")
    scope = gate["scope"]
    assert scope["since"] <= refreshed["last"]
    assert scope["marts"]["agg_shop_daily_receptions"]["since"] < refreshed["last"]  # the previous latest day
    assert scope["marts"]["agg_agent_daily_receptions"] is None  # a table model: checked whole
    # keyed incrementals: from the earliest date of the batch their build inserted, with the key (the publish of the
    # same scope then equals the build: test_refresh_replaces_only_the_rebuilt_marts)
    with duckdb.connect(str(refreshed["build"]), read_only=True) as con:
        floors = dict(con.execute("select model_name, min(batch_floor) from run_state.lookback_batches "
                                  "where invocation_id = ? group by all",
                                  [json.loads(Path(refreshed["live_results"]).read_text())["metadata"]["invocation_id"]]
                                  ).fetchall())
    for mart, key in (("fct_response_rounds", ["round_id"]), ("fct_order_attribution", ["order_id", "attribution_rule"])):
        assert scope["marts"][mart]["unique_key"] == key
        assert str(scope["marts"][mart]["since"]) <= str(floors[mart])
    suites = {c["suite"] for c in gate["checks"]}
    assert "marts.agg_shop_daily_receptions" in suites and "marts.fct_order_assists" not in suites
    assert "refresh scope:" in refreshed["out"]


def _plant(db: Path, day: str) -> None:
    mart, column, date_column = PLANTED
    with duckdb.connect(str(db)) as con:
        changed = con.execute(f"update marts.{mart} set {column} = 1.5 where rowid = (select min(rowid) from "
                              f"marts.{mart} where {date_column} = ?)", [day]).fetchone()[0]
    assert changed == 1


def test_bad_value_blocks_the_refresh_only_on_a_refreshed_day(refreshed, monkeypatch, tmp_path):
    from kefu.errors import PublishRefused
    from kefu.gate import run_gate
    from kefu.publish import publish, refresh_scope

    state = refreshed
    for key in ("KEFU_LANDING_PATH", "KEFU_DB_PATH", "KEFU_PUBLISHED_PATH", "KEFU_RUN_RESULTS",
                "KEFU_DBT_TARGET_PATH", "KEFU_GATE_VOLUME_LOW", "KEFU_BUYER_SALT"):
        monkeypatch.setenv(key, state["env"][key])
    db, published, live = state["build"], state["published"], state["live_results"]
    kept = tmp_path / "build.duckdb"
    shutil.copyfile(db, kept)

    # the refreshed day: the refresh's gate fails, its publish refuses, the published file stays as it was
    _plant(db, state["last"])
    scope = refresh_scope()
    assert scope is not None and scope.marts[PLANTED[0]] is not None
    result = run_gate(scope=scope)
    assert not result.passed
    assert {(c.suite, c.column) for c in result.failures} == {(f"marts.{PLANTED[0]}", PLANTED[1])}
    before = _sha(published)
    with pytest.raises(PublishRefused, match="quality gate failed"):
        publish(kind="live", run_results=live)
    assert _sha(published) == before

    # an older day: the refresh passes and publishes; the daily run's whole gate fails and its publish refuses
    shutil.copyfile(kept, db)
    with duckdb.connect(str(db), read_only=True) as con:
        first = str(con.execute(f"select min({PLANTED[2]}) from marts.{PLANTED[0]}").fetchone()[0])
    assert first < str(refresh_scope().marts[PLANTED[0]][1])
    _plant(db, first)
    assert run_gate(scope=refresh_scope()).passed
    publish(kind="live", run_results=live)
    assert _sha(published) != before
    whole = run_gate()
    assert not whole.passed and whole.scope is None
    assert {(c.suite, c.column) for c in whole.failures} == {(f"marts.{PLANTED[0]}", PLANTED[1])}
    after = _sha(published)
    with pytest.raises(PublishRefused, match="quality gate failed"):
        publish(kind="daily", run_results=state["work"] / "build" / "run_results.json")
    assert _sha(published) == after
    shutil.copyfile(kept, db)  # the build database as the refresh left it, for the next test


def test_refresh_copies_every_mart_when_another_build_published_last(refreshed, monkeypatch, tmp_path):
    """The published file came from another build database: the refresh is gated whole and its publish copies every
    mart of its own build database."""
    from kefu.gate import read_result, result_path, run_gate
    from kefu.publish import publish, refresh_scope

    state = refreshed
    for key in ("KEFU_LANDING_PATH", "KEFU_DB_PATH", "KEFU_PUBLISHED_PATH", "KEFU_RUN_RESULTS",
                "KEFU_DBT_TARGET_PATH", "KEFU_GATE_VOLUME_LOW", "KEFU_BUYER_SALT"):
        monkeypatch.setenv(key, state["env"][key])
    db, published = state["build"], state["published"]
    other = tmp_path / "other" / "kefu.duckdb"
    other.parent.mkdir()
    shutil.copyfile(db, other)
    with duckdb.connect(str(other)) as con:  # another build: one mart the refresh does not rebuild differs
        con.execute("delete from marts.fct_order_assists where rowid = (select min(rowid) from marts.fct_order_assists)")
    result_path(other).write_text(json.dumps({"passed": True, "failures": 0,
                                              "build_db_mtime_ns": other.stat().st_mtime_ns}))
    publish(other, published, state["work"] / "build" / "run_results.json")

    assert refresh_scope() is None
    result = run_gate(scope=None)
    assert result.passed and read_result(db)["scope"] is None
    publish(kind="live", run_results=state["live_results"])
    with duckdb.connect(str(published), read_only=True) as new, duckdb.connect(str(db), read_only=True) as build:
        for mart in _marts(build):
            assert _rows(new, mart) == _rows(build, mart), mart
        newest = new.execute("select kind, build_db from main.kefu_runs order by started_at desc limit 1").fetchone()
    assert newest == ("live", str(db.resolve()))
