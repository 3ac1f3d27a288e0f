"""Hostile landing folders: every case either builds with the bad rows in rejects (reason, counted, the
reconciliation test holding) or stops with one line naming the table, file and column; never a silent drop, never a
Python stack trace.

Row-level cases share one landing folder and one `dbt build`; folder-level cases each run the pre-flight check
(`kefu check-landing`) and dbt's landing scan (the same kefu/landing.py, run by the plugin kefu/dbt_plugin.py), which stop
before any model runs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, run_dbt

pytestmark = pytest.mark.slow

KEFU = str(Path(sys.executable).with_name("kefu"))
# a tiny generated sample has few rows per table: its planted bad rows alone exceed the default 5 % share
LENIENT = ["--vars", "{reject_error_share: 0.5}"]
BIG_CONTENT = ("😀 请问这个还有货吗? " * 40000)[:1_000_000]


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)


def _query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-3000:]


def _check_landing(landing: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "KEFU_LANDING_PATH": str(landing), **(env_extra or {})}
    proc = subprocess.run([KEFU, "check-landing", "--landing", str(landing)], capture_output=True, text=True, env=env)
    _no_traceback(proc)
    return proc


def _one_error_line(proc: subprocess.CompletedProcess) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.startswith("kefu:")]
    assert proc.returncode == 2 and len(lines) == 1, (proc.returncode, proc.stdout, proc.stderr)
    return lines[0]


@pytest.fixture(scope="module")
def base_landing(tmp_path_factory) -> Path:
    from kefu.generate import generate

    landing = tmp_path_factory.mktemp("hostile_base")
    generate(str(landing), seed=5, shops=2, buyers=25, days=4)
    return landing


def _copy(base: Path, tmp: Path, name: str) -> Path:
    target = tmp / name
    shutil.copytree(base, target)
    return target


def _some_session(landing: Path) -> tuple[str, str, str]:
    con = duckdb.connect()
    row = con.execute(
        f"select session_id, platform, shop_id from read_parquet('{landing}/raw_sessions/*.parquet') "
        "where agent_id is not null and started_at like '2026-11-02%' order by session_id limit 1").fetchone()
    con.close()
    return row


# ---------------------------------------------------------------------------------------------------------------
# Row-level cases: one landing folder, one build


@pytest.fixture(scope="module")
def hostile_build(base_landing, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile_rows")
    landing = _copy(base_landing, tmp, "landing")
    session_id, platform, shop_id = _some_session(landing)
    msg = dict(session_id=session_id, sender_role="buyer", is_auto_reply="false", content_type="text", content="hi")
    _write(landing / "raw_messages" / "hostile.parquet", [
        {**msg, "message_id": "h_future", "sent_at": "2099-01-01 10:00:00"},
        {**msg, "message_id": "h_ancient", "sent_at": "1970-01-01 10:00:00"},
        {**msg, "message_id": "h_zone", "sent_at": "2026-11-02 10:00:00+08:00"},
        {**msg, "message_id": "h_utc", "sent_at": "2026-11-02T02:00:00Z"},
        {**msg, "message_id": "h_slash", "sent_at": "2026/11/02 10:00:05"},
        {**msg, "message_id": "h_cn", "sent_at": "2026年11月02日 10:00:06"},
        {**msg, "message_id": "h_garbage", "sent_at": "yesterday"},
        {**msg, "message_id": "h_big", "sent_at": "2026-11-02 10:00:07", "content": BIG_CONTENT},
        {**msg, "message_id": "h_orphan", "session_id": "no_such_session", "sent_at": "2026-11-02 10:00:08"},
        {**msg, "message_id": None, "sent_at": "2026-11-02 10:00:09"},
        {**msg, "message_id": "h_dup", "sent_at": "2026-11-02 10:00:10"},
        {**msg, "message_id": "h_dup", "sent_at": "2026-11-02 10:00:10"},
        {**msg, "message_id": "h_conflict", "sent_at": "2026-11-02 10:00:11"},
        {**msg, "message_id": "h_conflict", "sent_at": "2026-11-02 10:00:12"},
    ])
    # another day's export with amounts as double and quantities as text: types that disagree between files
    _write(landing / "raw_orders" / "typed_differently.parquet", [dict(
        order_id="h_order", platform=platform, shop_id=shop_id, buyer_id="h_buyer", created_at="2026-11-02 11:00:00",
        paid_at=None, order_amount=12.5, payment_amount=None, item_quantity="2", status="created",
        refund_amount=None, updated_at="2026-11-02 11:00:00")])
    db = tmp / "kefu.duckdb"
    proc = run_dbt(["build", "--exclude", "test_type:unit", *LENIENT], db, landing, "target_pytest_hostile")
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return db, landing, proc


def _reason(db: Path, key: str) -> list[tuple]:
    return _query(db, "select reject_reason, source_file from staging.stg_kefu__rejects "
                      f"where source_table = 'raw_messages' and row_key = '{key}' order by all")


def test_future_and_ancient_timestamps_are_rejected(hostile_build):
    db, _, _ = hostile_build
    assert _reason(db, "h_future") == [("timestamp after the load window: sent_at", "raw_messages/hostile.parquet")]
    assert _reason(db, "h_ancient") == [("timestamp before the earliest plausible date: sent_at",
                                         "raw_messages/hostile.parquet")]


def test_one_bad_row_does_not_move_as_of_or_make_mart_rows(hostile_build, base_landing):
    db, _, _ = hostile_build
    (as_of,), = _query(db, "select as_of_date from intermediate.int_as_of")
    con = duckdb.connect()
    latest = con.execute(  # the day after the latest message or order event of the clean generated data
        f"select max(t)::date + 1 from (select try_cast(sent_at as timestamp) as t from "
        f"read_parquet('{base_landing}/raw_messages/*.parquet') union all select try_cast(greatest(created_at, "
        f"coalesce(paid_at, created_at)) as timestamp) from read_parquet('{base_landing}/raw_orders/*.parquet'))"
    ).fetchone()[0]
    con.close()
    assert as_of == latest and str(as_of) < "2026-12-01"
    assert _query(db, "select count(*) from marts.fct_receptions where reception_date >= '2026-12-01'") == [(0,)]


def test_timestamps_with_a_zone_become_the_shop_wall_clock(hostile_build):
    db, _, _ = hostile_build
    # the session's shop is in Asia/Shanghai: +08:00 and Z name the same moment, 10:00 shop-local
    rows = _query(db, "select message_id, cast(sent_at as varchar) from staging.stg_kefu__messages "
                      "where message_id in ('h_zone', 'h_utc') order by 1")
    assert rows == [("h_utc", "2026-11-02 10:00:00"), ("h_zone", "2026-11-02 10:00:00")]
    assert _reason(db, "h_zone") == [] and _reason(db, "h_utc") == []


def test_timestamps_as_text_in_other_formats_are_parsed(hostile_build):
    db, _, _ = hostile_build
    rows = _query(db, "select message_id, cast(sent_at as varchar) from staging.stg_kefu__messages "
                      "where message_id in ('h_slash', 'h_cn') order by 1")
    assert rows == [("h_cn", "2026-11-02 10:00:06"), ("h_slash", "2026-11-02 10:00:05")]
    assert _reason(db, "h_garbage")[0][0] == "unparsable timestamp: sent_at"


def test_big_emoji_message_is_staged_and_content_stays_out_of_marts(hostile_build):
    db, _, _ = hostile_build
    (length,), = _query(db, "select length(content) from staging.stg_kefu__messages where message_id = 'h_big'")
    assert length == len(BIG_CONTENT)
    con = duckdb.connect(str(db), read_only=True)
    for (table,) in con.execute("select table_name from information_schema.tables where table_schema = 'marts'"
                                ).fetchall():
        columns = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [table]).fetchall()]
        assert "content" not in columns, table
    con.close()


def test_keys_duplicates_orphans_and_nulls_are_counted(hostile_build):
    db, _, _ = hostile_build
    assert _reason(db, "h_orphan")[0][0] == "message of an unknown session"
    assert _reason(db, "h_conflict") == [("conflicting duplicate key", "raw_messages/hostile.parquet")] * 2
    null_key = _query(db, "select reject_reason from staging.stg_kefu__rejects "
                          "where source_table = 'raw_messages' and row_key is null")
    assert ("missing required field: message_id",) in null_key
    (dups,), = _query(db, "select duplicate_rows from staging.stg_kefu__load_audit where source_table = 'raw_messages'")
    assert dups >= 1
    assert _query(db, "select count(*) from staging.stg_kefu__messages where message_id = 'h_dup'") == [(1,)]


def test_reconciliation_holds_for_every_table(hostile_build):
    db, _, proc = hostile_build
    assert "assert_raw_rows_reconcile" in proc.stdout
    bad = _query(db, "select source_table from staging.stg_kefu__load_audit "
                     "where raw_rows <> staged_rows + duplicate_rows + rejected_rows")
    assert bad == []


def test_types_that_disagree_between_files_keep_working(hostile_build):
    db, _, _ = hostile_build
    row = _query(db, "select order_amount, item_quantity from staging.stg_kefu__orders where order_id = 'h_order'")
    assert [(float(a), q) for a, q in row] == [(12.5, 2)]


# ---------------------------------------------------------------------------------------------------------------
# Folder-level cases


def test_taobao_only_shop_builds_without_optional_tables(base_landing, tmp_path):
    landing = _copy(base_landing, tmp_path, "taobao_only")
    shutil.rmtree(landing / "raw_faq_events")
    shutil.rmtree(landing / "raw_faq_questions")
    (landing / "raw_visits").mkdir(exist_ok=True)
    for f in (landing / "raw_visits").glob("*"):
        f.unlink()
    (landing / "raw_visits" / "part-0.parquet").write_bytes(b"")  # a 0-byte file counts as absent
    (landing / "raw_ratings").mkdir(exist_ok=True)
    shutil.rmtree(landing / "raw_ratings")
    (landing / "raw_ratings").mkdir()  # an empty folder counts as absent

    check = _check_landing(landing)
    assert check.returncode == 0, check.stderr
    for table in ("raw_faq_events", "raw_faq_questions", "raw_visits", "raw_ratings"):
        assert f"optional table {table} is absent or empty" in check.stdout
    assert "raw_visits/part-0.parquet is an empty file (0 bytes)" in check.stdout

    db = tmp_path / "kefu.duckdb"
    proc = run_dbt(["build", "--exclude", "test_type:unit", *LENIENT], db, landing, "target_pytest_taobao_only")
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stdout[-4000:]
    for table in ("raw_faq_events", "raw_faq_questions", "raw_visits", "raw_ratings"):
        assert proc.stdout.count(f"optional table {table} is absent or empty") == 1
    assert _query(db, "select count(*) from marts.agg_faq_daily") == [(0,)]
    assert _query(db, "select count(*) from marts.fct_receptions")[0][0] > 0
    assert _query(db, "select count(*), count(satisfaction_rate) from marts.agg_shop_daily_service")[0][1] == 0


def test_csv_only_and_mixed_folders_are_read(base_landing, tmp_path):
    landing = _copy(base_landing, tmp_path, "csv_landing")
    con = duckdb.connect()
    # raw_agents as a CSV only, with a Chinese group name
    con.execute(f"copy (select * replace ('售前组' as group_name) from read_parquet('{landing}/raw_agents/*.parquet')) "
                f"to '{landing}/raw_agents/agents.csv' (header)")
    for f in (landing / "raw_agents").glob("*.parquet"):
        f.unlink()
    # raw_ratings: one Parquet part and one CSV part in the same folder
    parts = sorted((landing / "raw_ratings").glob("*.parquet"))
    con.execute(f"copy (select * from read_parquet('{parts[0]}') where rated_at < '2026-11-03') "
                f"to '{landing}/raw_ratings/late.csv' (header)")
    con.execute(f"copy (select * from read_parquet('{parts[0]}') where not rated_at < '2026-11-03') "
                f"to '{landing}/raw_ratings/new.parquet'")
    total_ratings = con.execute(f"select count(*) from read_parquet('{parts[0]}')").fetchone()[0]
    for p in parts:
        p.unlink()
    con.close()
    assert _check_landing(landing).returncode == 0
    db = tmp_path / "kefu.duckdb"
    proc = run_dbt(["build", "--select", "+stg_kefu__load_audit",
                    "assert_raw_rows_reconcile", *LENIENT], db, landing, "target_pytest_csv")
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert _query(db, "select distinct group_name from staging.stg_kefu__agents") == [("售前组",)]
    (raw,), = _query(db, "select raw_rows from staging.stg_kefu__load_audit where source_table = 'raw_ratings'")
    assert raw == total_ratings


def _agents_as_csv_text(landing: Path) -> str:
    """The landing's raw_agents as CSV text with group_name 售后组 (its Parquet files removed)."""
    con = duckdb.connect()
    rows = con.execute(f"select * replace ('售后组' as group_name) from read_parquet('{landing}/raw_agents/*.parquet')"
                       ).fetchall()
    header = [d[0] for d in con.description]
    con.close()
    for f in (landing / "raw_agents").glob("*.parquet"):
        f.unlink()
    return ",".join(header) + "\n" + "\n".join(",".join("" if v is None else str(v) for v in r) for r in rows) + "\n"


def test_gbk_csv_is_read_through_the_documented_option_never_garbled(base_landing, tmp_path):
    landing = _copy(base_landing, tmp_path, "gbk_landing")
    text = _agents_as_csv_text(landing)
    (landing / "raw_agents" / "qianniu_export.csv").write_bytes(text.encode("gbk"))
    db = tmp_path / "kefu.duckdb"

    # undeclared: the pre-flight check names the file and the option, dbt stops (never reads garbled text)
    line = _one_error_line(_check_landing(landing, {"KEFU_DB_PATH": str(db)}))
    assert "raw_agents/qianniu_export.csv: not valid UTF-8" in line and "KEFU_CSV_ENCODING=raw_agents=gbk" in line
    proc = run_dbt(["build", "--select", "+stg_kefu__agents"], db, landing, "target_pytest_gbk")
    _no_traceback(proc)
    assert proc.returncode != 0

    # declared: converted by the pre-flight check, read by dbt, Chinese intact
    env = {"KEFU_DB_PATH": str(db), "KEFU_CSV_ENCODING": "raw_agents=gbk"}
    assert _check_landing(landing, env).returncode == 0
    os.environ["KEFU_CSV_ENCODING"] = "raw_agents=gbk"
    try:
        proc = run_dbt(["build", "--select", "+stg_kefu__agents"], db, landing, "target_pytest_gbk")
    finally:
        del os.environ["KEFU_CSV_ENCODING"]
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert _query(db, "select distinct group_name from staging.stg_kefu__agents") == [("售后组",)]


def test_gbk_csv_in_a_date_folder_is_loaded_with_its_chinese_text(base_landing, tmp_path):
    """One encoding rule (kefu/landing.py csv_encoding, `*` matches across `/`): a GBK CSV inside a `date=` folder,
    declared by a file pattern, is converted and loaded by dbt without any pre-flight step (the dbt plugin scans)."""
    landing = _copy(base_landing, tmp_path, "gbk_dated_landing")
    text = _agents_as_csv_text(landing)
    folder = landing / "raw_agents" / "date=2026-11-01"
    folder.mkdir(parents=True)
    (folder / "qianniu_export.csv").write_bytes(text.encode("gbk"))
    db = tmp_path / "kefu.duckdb"
    os.environ["KEFU_CSV_ENCODING"] = "raw_agents/*.csv=gbk"  # `*` crosses `/`: the date= folder too
    try:
        proc = run_dbt(["build", "--select", "+stg_kefu__agents"], db, landing, "target_pytest_gbk_dated")
    finally:
        del os.environ["KEFU_CSV_ENCODING"]
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert _query(db, "select distinct group_name from staging.stg_kefu__agents") == [("售后组",)]
    assert _query(db, "select distinct source_file from landing.landing_files where table_name = 'raw_agents'") == [
        ("raw_agents/date=2026-11-01/qianniu_export.csv",)]


def _dbt_stops_with_one_line(landing: Path, tmp: Path, expected: str) -> str:
    proc = run_dbt(["build", "--select", "int_as_of"], tmp / "kefu.duckdb", landing, "target_pytest_stop")
    _no_traceback(proc)
    assert proc.returncode != 0
    lines = [line for line in proc.stdout.splitlines() if "kefu landing:" in line]
    assert len(lines) == 1 and expected in lines[0], proc.stdout[-3000:]
    return lines[0].split("kefu landing:", 1)[1].strip()


def test_missing_required_column_names_table_file_and_column(base_landing, tmp_path):
    landing = _copy(base_landing, tmp_path, "missing_column")
    con = duckdb.connect()
    part = sorted((landing / "raw_ratings").glob("*.parquet"))[0]
    con.execute(f"copy (select session_id, rating from read_parquet('{part}')) to '{landing}/raw_ratings/no_rated_at.parquet'")
    con.close()
    line = _one_error_line(_check_landing(landing))
    assert line == ("kefu: raw_ratings: file raw_ratings/no_rated_at.parquet has no column rated_at "
                    "(required by the raw contract)")
    _dbt_stops_with_one_line(landing, tmp_path, "raw_ratings: file raw_ratings/no_rated_at.parquet has no column rated_at")


def test_corrupt_file_is_named(base_landing, tmp_path):
    landing = _copy(base_landing, tmp_path, "corrupt")
    (landing / "raw_messages" / "broken.parquet").write_bytes(b"PAR1 this is not a parquet file")
    line = _one_error_line(_check_landing(landing))
    assert line.startswith("kefu: raw_messages/broken.parquet: unreadable Parquet file")
    proc = run_dbt(["build", "--select", "int_as_of"], tmp_path / "kefu.duckdb", landing, "target_pytest_corrupt")
    _no_traceback(proc)
    assert proc.returncode != 0 and "broken.parquet" in proc.stdout


def test_nested_type_is_named(base_landing, tmp_path):
    landing = _copy(base_landing, tmp_path, "nested")
    _write(landing / "raw_ratings" / "nested.parquet",
           [{"session_id": "s1", "rated_at": ["2026-11-02 10:00:00"], "rating": 5}])
    line = _one_error_line(_check_landing(landing))
    assert line.startswith("kefu: raw_ratings: file raw_ratings/nested.parquet, column rated_at: unreadable type")
    # dbt runs the same per-file check (kefu/landing.py through kefu/dbt_plugin.py), shown by the missing column


def test_required_table_absent_stops(base_landing, tmp_path):
    landing = _copy(base_landing, tmp_path, "no_orders")
    shutil.rmtree(landing / "raw_orders")
    line = _one_error_line(_check_landing(landing))
    assert "raw_orders is required" in line
    # the dbt hook's twin of this check (prepare_landing) is shown on a missing landing root below


def test_missing_landing_root_is_one_line(tmp_path):
    missing = tmp_path / "nowhere"
    line = _one_error_line(_check_landing(missing))
    assert "landing folder missing or empty" in line
    _dbt_stops_with_one_line(missing, tmp_path, "landing folder missing or empty")


def test_dev_salt_warning_on_real_exports(base_landing, tmp_path):
    landing = _copy(base_landing, tmp_path, "real_export")
    (landing / "_manifest.json").unlink()
    env = {k: v for k, v in os.environ.items() if k != "KEFU_BUYER_SALT"}
    proc = subprocess.run([KEFU, "check-landing", "--landing", str(landing)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and "KEFU_BUYER_SALT is not set" in proc.stderr
    proc = subprocess.run([KEFU, "check-landing", "--landing", str(base_landing)], capture_output=True, text=True,
                          env=env)
    assert "KEFU_BUYER_SALT" not in proc.stderr
