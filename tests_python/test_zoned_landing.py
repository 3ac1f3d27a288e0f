"""Zoned landing timestamps (DECISIONLOG "Zoned timestamps"): Pandas and Spark write tz-aware datetimes as Parquet
TIMESTAMP WITH TIME ZONE (UTC instants). Such a file must build like the shop-local (naive) export of the same data:
every instant becomes the wall clock of its shop's zone (seeds/shops.csv `timezone`), so receptions are the same.

The project copy sets the Shopee shop to Asia/Ho_Chi_Minh (+07:00, not the +08:00 default), so a wrong zone shows.
"""
from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import project_copy, run_dbt
from test_hostile_landing import _check_landing, _no_traceback, _query

KEFU = str(Path(sys.executable).with_name("kefu"))
SESSION_TIMES = ["started_at", "ended_at", "human_joined_at"]


def _shop_zones(project: Path) -> dict[tuple[str, str], str]:
    with open(project / "seeds" / "shops.csv", encoding="utf-8") as f:
        return {(r["platform"], r["shop_id"]): r["timezone"] or "Asia/Shanghai" for r in csv.DictReader(f)}


def _set_zone(project: Path, shop_id: str, zone: str) -> None:
    path = project / "seeds" / "shops.csv"
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if r["shop_id"] == shop_id:
            r["timezone"] = zone
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _to_utc(local_text: pd.Series, zones: pd.Series) -> pd.Series:
    """Shop-local wall-clock text -> tz-aware UTC datetimes, each row in its own zone (unparsable text -> NaT)."""
    local = pd.to_datetime(local_text, errors="coerce", format="%Y-%m-%d %H:%M:%S")
    out = pd.Series(pd.NaT, index=local_text.index, dtype="datetime64[us, UTC]")
    for zone in zones.dropna().unique():
        rows = zones == zone
        out[rows] = local[rows].dt.tz_localize(zone).dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    return out


@pytest.fixture(scope="module")
def zoned(tmp_path_factory):
    """Three landings of the same data: shop-local text (as generated), all instants (sessions and messages as
    tz-aware UTC datetimes) and mixed (messages: one file of instants, one of naive typed datetimes)."""
    from kefu.generate import generate

    tmp = tmp_path_factory.mktemp("zoned")
    project = project_copy(tmp / "project")
    _set_zone(project, "sp01", "Asia/Ho_Chi_Minh")
    zones = _shop_zones(project)
    naive = tmp / "naive"
    generate(str(naive), seed=11, shops=4, buyers=40, days=4)

    sessions = pd.read_parquet(naive / "raw_sessions" / "part-0.parquet")
    session_zone = pd.Series([zones.get((p, s), "Asia/Shanghai") for p, s in zip(sessions.platform, sessions.shop_id)],
                             index=sessions.index)
    assert "Asia/Ho_Chi_Minh" in set(session_zone)
    zone_of_session = dict(zip(sessions.session_id, session_zone))

    landings = {}
    for name in ("instants", "mixed"):
        landing = tmp / name
        shutil.copytree(naive, landing)
        zoned_sessions = sessions.copy()
        for column in SESSION_TIMES:
            zoned_sessions[column] = _to_utc(sessions[column], session_zone)
        zoned_sessions.to_parquet(landing / "raw_sessions" / "part-0.parquet", index=False)
        parts = sorted((naive / "raw_messages").glob("*.parquet"))
        first_ids = set(pd.read_parquet(parts[0]).message_id)
        for i, part in enumerate(parts):
            messages = pd.read_parquet(part)
            if name == "mixed" and i == 1:  # a naive typed export beside a file of instants
                messages["sent_at"] = pd.to_datetime(messages.sent_at, errors="coerce", format="%Y-%m-%d %H:%M:%S")
                # the sample's planted cross-file exact copies: an instant and its local text are different raw
                # values (a conflicting duplicate key, DECISIONLOG "Zoned timestamps"), so the copies are left out
                messages = messages[~messages.message_id.isin(first_ids)]
            else:
                messages["sent_at"] = _to_utc(messages.sent_at,
                                              messages.session_id.map(zone_of_session).fillna("Asia/Shanghai"))
            messages.to_parquet(landing / "raw_messages" / part.name, index=False)
        landings[name] = landing

    con = duckdb.connect()
    (kind,), = con.execute(f"select distinct typeof(started_at) from "
                           f"read_parquet('{landings['instants']}/raw_sessions/*.parquet')").fetchall()
    con.close()
    assert kind == "TIMESTAMP WITH TIME ZONE"

    dbs = {}
    for name, landing in {"naive": naive, **landings}.items():
        check = _check_landing(landing)
        assert check.returncode == 0, check.stderr
        db = tmp / f"{name}.duckdb"
        proc = run_dbt(["build", "--exclude", "test_type:unit"], db, landing, f"target_pytest_zoned_{name}",
                       project=project)
        _no_traceback(proc)
        assert proc.returncode == 0, (name, proc.stdout[-4000:])
        dbs[name] = db
    return dbs


def _rows(db: Path, sql: str) -> list[tuple]:
    return sorted(_query(db, sql), key=repr)


@pytest.mark.parametrize("name", ["instants", "mixed"])
def test_instants_build_the_receptions_of_the_shop_local_export(zoned, name):
    sql = "select * from marts.fct_receptions"
    naive = _rows(zoned["naive"], sql)
    assert len(naive) > 0
    assert _rows(zoned[name], sql) == naive


@pytest.mark.parametrize("name", ["instants", "mixed"])
def test_staged_times_are_the_shop_wall_clock(zoned, name):
    for sql in ("select session_id, started_at, ended_at, human_joined_at from staging.stg_kefu__sessions",
                "select message_id, sent_at from staging.stg_kefu__messages"):
        assert _rows(zoned[name], sql) == _rows(zoned["naive"], sql)
    # the Ho Chi Minh shop's instants became +07:00 wall clock, not the +08:00 default
    assert _query(zoned[name], "select count(*) from staging.stg_kefu__sessions where shop_id = 'sp01'")[0][0] > 0
    assert _query(zoned[name], "select count(*) from staging.stg_kefu__rejects where reject_reason like '%zone%'") \
        == [(0,)]


def test_unknown_time_zone_in_the_shops_seed_stops_the_build_naming_the_line(tmp_path, small_landing):
    project = project_copy(tmp_path / "project")
    _set_zone(project, "sp01", "Asia/Atlantis")
    proc = run_dbt(["build", "--select", "shops", "stg_config__shops", "--exclude", "test_type:unit"],
                   tmp_path / "kefu.duckdb", small_landing, "target_pytest_zone_typo", project=project)
    _no_traceback(proc)
    assert proc.returncode != 0
    assert "seeds/shops.csv: line 5 (shopee, sp01, Asia/Atlantis): unknown time zone Asia/Atlantis" in proc.stdout, \
        proc.stdout[-3000:]
