"""Parity of the Spark build with the DuckDB build: every published mart, row for row.

The Spark build (`dbt build --target spark`, Spark local mode) writes each table as a Parquet folder in its warehouse
(KEFU_SPARK_DIR/warehouse/<schema>.db/<table>/); the DuckDB build writes KEFU_DB_PATH. This module reads both with
DuckDB (no Spark session needed), sorts each mart by its primary key (then by every other column) and compares:
decimal columns and double columns named like amounts to the cent, other doubles (rates, shares, seconds) to 1e-9
(relative for values above 1), everything else exactly. A difference names the mart and its first differing rows.

The published marts are what `kefu publish` copies: every table of the build's `marts` schema. They are the dbt models
of that schema, read from dbt's manifest.json (their primary_key constraints give the sort keys), plus any other
table the DuckDB build holds in the schema (compared sorted by all its columns), so a new mart is compared without
being listed anywhere.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "marts"
CENT = 0.005  # amounts: equal to the cent (half a cent either way)
RATE_TOLERANCE = 1e-9
_AMOUNT_WORDS = ("amount", "gmv", "sales_value", "revenue")


def spark_dir() -> Path:
    return Path(os.environ.get("KEFU_SPARK_DIR", ROOT / "data" / "spark"))


def duckdb_path() -> Path:
    return Path(os.environ.get("KEFU_DB_PATH", ROOT / "data" / "build" / "kefu.duckdb"))


@dataclass
class Mart:
    name: str
    keys: list[str] = field(default_factory=list)


def published_marts(manifest_path: Path | None = None) -> list[Mart]:
    """The models built into the published schema (`marts`) and their primary keys, from a dbt manifest."""
    candidates = [manifest_path] if manifest_path else [ROOT / "target" / "manifest.json",
                                                        ROOT / "target" / "spark" / "manifest.json"]
    for path in candidates:
        if path is not None and path.is_file():
            break
    else:
        raise FileNotFoundError("no dbt manifest.json found (run a dbt build first): " + ", ".join(map(str, candidates)))
    nodes = json.loads(path.read_text(encoding="utf-8"))["nodes"].values()
    marts = []
    for node in nodes:
        if node.get("resource_type") != "model" or node.get("package_name") != "kefu":
            continue
        if node.get("schema") != SCHEMA or node.get("config", {}).get("materialized") == "ephemeral":
            continue
        keys: list[str] = []
        for constraint in node.get("constraints") or []:
            if constraint.get("type") == "primary_key":
                keys = list(constraint.get("columns") or [])
        if not keys:
            for column in (node.get("columns") or {}).values():
                if any(c.get("type") == "primary_key" for c in column.get("constraints") or []):
                    keys.append(column["name"])
        marts.append(Mart(node.get("alias") or node["name"], keys))
    return sorted(marts, key=lambda m: m.name)


def spark_table_folder(warehouse: Path, table: str, schema: str = SCHEMA) -> Path:
    return warehouse / f"{schema}.db" / table


def _kind(name: str, duck_type: str) -> str:
    t = duck_type.upper()
    if t.startswith("DECIMAL"):
        return "cent"
    if t in ("DOUBLE", "FLOAT", "REAL"):
        return "cent" if any(w in name.lower() for w in _AMOUNT_WORDS) else "rate"
    return "exact"


def _equal(kind: str, a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if kind == "exact":
        if isinstance(a, datetime) and isinstance(b, datetime):
            return a.replace(tzinfo=None) == b.replace(tzinfo=None)
        numbers = (int, float, Decimal)
        if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
            return Decimal(str(a)) == Decimal(str(b))
        return a == b
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if kind == "cent":
        return abs(a - b) < CENT
    return abs(a - b) <= RATE_TOLERANCE * max(1.0, abs(a), abs(b))


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe select * from {relation}").fetchall()]


def _sorted_rows(con, relation: str, columns: list[str], types: dict[str, str], keys: list[str]):
    def expr(c: str) -> str:
        # Spark's Parquet timestamps are read as TIMESTAMP WITH TIME ZONE (UTC): compare their wall clock
        return f'cast("{c}" as timestamp)' if "WITH TIME ZONE" in types[c].upper() else f'"{c}"'

    order = keys + [c for c in columns if c not in keys]
    select = ", ".join(f'{expr(c)} as "{c}"' for c in columns)
    order_by = ", ".join(f'{expr(c)} asc nulls first' for c in order)
    return con.execute(f"select {select} from {relation} order by {order_by}").fetchall()


def compare_mart(con: duckdb.DuckDBPyConnection, mart: Mart, duck_relation: str, spark_relation: str,
                 max_rows: int = 3) -> str | None:
    """None when equal, else one message naming the mart and its first differing rows."""
    duck_cols = _columns(con, duck_relation)
    spark_cols = _columns(con, spark_relation)
    duck_names = [c for c, _ in duck_cols]
    spark_names = {c.lower(): c for c, _ in spark_cols}
    missing = [c for c in duck_names if c.lower() not in spark_names]
    extra = sorted(set(spark_names) - {c.lower() for c in duck_names})
    if missing or extra:
        return f"{mart.name}: columns differ (missing on Spark: {missing}, only on Spark: {extra})"
    duck_types = dict(duck_cols)
    spark_types = {c.lower(): t for c, t in spark_cols}
    spark_select = [spark_names[c.lower()] for c in duck_names]
    duck_rows = _sorted_rows(con, duck_relation, duck_names, duck_types, mart.keys)
    spark_rows = _sorted_rows(con, spark_relation, spark_select,
                              {spark_names[c.lower()]: spark_types[c.lower()] for c in duck_names},
                              [spark_names[k.lower()] for k in mart.keys if k.lower() in spark_names])
    kinds = [_kind(c, duck_types[c]) for c in duck_names]
    problems = []
    if len(duck_rows) != len(spark_rows):
        problems.append(f"row count: DuckDB {len(duck_rows)}, Spark {len(spark_rows)}")
    for number, (d, s) in enumerate(zip(duck_rows, spark_rows), start=1):
        differing = [(name, dv, sv) for name, kind, dv, sv in zip(duck_names, kinds, d, s) if not _equal(kind, dv, sv)]
        if differing:
            keys = {k: d[duck_names.index(k)] for k in mart.keys if k in duck_names}
            problems.append(f"row {number} {keys or ''}: "
                            + "; ".join(f"{name}: DuckDB {dv!r} vs Spark {sv!r}" for name, dv, sv in differing))
            if len(problems) >= max_rows:
                break
    if not problems:
        return None
    return f"{mart.name}: Spark differs from DuckDB\n  " + "\n  ".join(problems)


def _with_unlisted_tables(con: duckdb.DuckDBPyConnection, catalog: str, marts: list[Mart]) -> list[Mart]:
    """marts plus every other table of the published schema in the attached DuckDB build (no keys: sorted by all
    columns), so the comparison covers all that `kefu publish` copies."""
    listed = {m.name.lower() for m in marts}
    tables = con.execute("select table_name from information_schema.tables where table_catalog = ? "
                         "and table_schema = ? order by table_name", [catalog, SCHEMA]).fetchall()
    return marts + [Mart(name) for (name,) in tables if name.lower() not in listed]


def marts_to_compare(duck_db: Path, marts: list[Mart]) -> list[Mart]:
    """The marts compare() checks against this DuckDB build: the given ones and any unlisted published table."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{duck_db}' as duck (read_only)")
        return _with_unlisted_tables(con, "duck", marts)
    finally:
        con.close()


def compare(duck_db: Path | None = None, warehouse: Path | None = None, marts: list[Mart] | None = None) -> list[str]:
    """Every published mart of the Spark warehouse against the DuckDB build; empty when all agree."""
    duck_db = duck_db or duckdb_path()
    warehouse = warehouse or spark_dir() / "warehouse"
    marts = marts if marts is not None else published_marts()
    if not marts:
        return ["no published marts found in the manifest"]
    problems: list[str] = []
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{duck_db}' as duck (read_only)")
        marts = _with_unlisted_tables(con, "duck", marts)
        for mart in marts:
            folder = spark_table_folder(warehouse, mart.name)
            if not any(folder.glob("*.parquet")):
                problems.append(f"{mart.name}: no Spark table at {folder} (run `make spark-build`)")
                continue
            spark_relation = f"read_parquet('{folder}/*.parquet')"
            problem = compare_mart(con, mart, f'duck.{SCHEMA}."{mart.name}"', spark_relation)
            if problem:
                problems.append(problem)
    finally:
        con.close()
    return problems
