"""Publish the marts: copy them from the build database into a fresh file, then swap it in atomically.

BI tools open the published file only; they never see a half-built or locked database, and the published
file holds the marts schema alone (no staging rows, no message content, no raw buyer ids).
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED_SCHEMA = "marts"


def build_path() -> Path:
    return Path(os.environ.get("KEFU_DB_PATH", ROOT / "data" / "build" / "kefu.duckdb"))


def published_path() -> Path:
    return Path(os.environ.get("KEFU_PUBLISHED_PATH", ROOT / "data" / "published" / "kefu.duckdb"))


def publish(source: str | Path | None = None, target: str | Path | None = None) -> Path:
    source = Path(source) if source else build_path()
    target = Path(target) if target else published_path()
    if not source.exists():
        from kefu.errors import UserError

        raise UserError(f"build database not found: {source} (run `make build` first)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging_file = target.with_name(f".{target.name}.tmp")
    staging_file.unlink(missing_ok=True)
    con = duckdb.connect(str(staging_file))
    try:
        con.execute(f"attach '{source}' as build (read_only)")
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'build' and table_schema = ? order by table_name",
                [PUBLISHED_SCHEMA],
            ).fetchall()
        ]
        con.execute(f"create schema {PUBLISHED_SCHEMA}")
        for table in tables:
            con.execute(f"create table {PUBLISHED_SCHEMA}.{table} as select * from build.{PUBLISHED_SCHEMA}.{table}")
        con.execute("detach build")
    finally:
        con.close()
    os.replace(staging_file, target)
    return target
