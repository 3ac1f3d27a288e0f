"""Golden snapshot of the sample's marts (seed 42): a refactor that changes a figure fails loudly.

`kefu golden --update` writes one CSV per mart under `tests_python/golden/` from the build database (the sample
built by `make build` / `make test`); `kefu golden` (and the pytest `test_golden.py`) compares the build database
with those files and prints a readable diff. Rows are sorted by every column; doubles are rounded to 9 decimals
(sums of doubles may differ in the last bits between runs); the text form of each value is what is compared.
Update the snapshot only on purpose: the git diff of the CSV files is the review of what moved.
"""
from __future__ import annotations

import csv
import difflib
import io
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests_python" / "golden"
SCHEMA = "marts"
_ROUNDED_TYPES = ("DOUBLE", "FLOAT", "REAL")


def _mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? and table_type = 'BASE TABLE' "
        "order by table_name",
        [SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def mart_as_csv(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The mart as CSV text: header, then rows sorted by every column, doubles rounded to 9 decimals."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? order by ordinal_position",
        [SCHEMA, table],
    ).fetchall()
    select = ", ".join(
        f'round("{name}", 9) as "{name}"' if dtype in _ROUNDED_TYPES else f'"{name}"' for name, dtype in columns
    )
    rows = con.execute(f'select {select} from {SCHEMA}."{table}" order by all').fetchall()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in columns])
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return out.getvalue()


def snapshot(db_path: Path) -> dict[str, str]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {table: mart_as_csv(con, table) for table in _mart_tables(con)}
    finally:
        con.close()


def update(db_path: Path, golden_dir: Path = GOLDEN_DIR) -> list[Path]:
    golden_dir.mkdir(parents=True, exist_ok=True)
    for old in golden_dir.glob("*.csv"):
        old.unlink()
    written = []
    for table, text in snapshot(db_path).items():
        path = golden_dir / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def compare(db_path: Path, golden_dir: Path = GOLDEN_DIR, max_lines: int = 40) -> list[str]:
    """Readable differences between the build database and the golden files; empty when they agree."""
    problems: list[str] = []
    current = snapshot(db_path)
    expected = {p.stem: p.read_text(encoding="utf-8") for p in sorted(golden_dir.glob("*.csv"))}
    for table in sorted(set(expected) - set(current)):
        problems.append(f"{table}: in the golden snapshot but not built")
    for table in sorted(set(current) - set(expected)):
        problems.append(f"{table}: built but not in the golden snapshot (run `kefu golden --update` on purpose)")
    for table in sorted(set(current) & set(expected)):
        if current[table] == expected[table]:
            continue
        diff = list(difflib.unified_diff(
            expected[table].splitlines(), current[table].splitlines(),
            fromfile=f"golden/{table}.csv", tofile=f"built/{table}", lineterm="", n=0,
        ))
        shown = diff[:max_lines]
        more = f"\n... {len(diff) - max_lines} more diff lines" if len(diff) > max_lines else ""
        problems.append(f"{table}: differs from the golden snapshot\n" + "\n".join(shown) + more)
    return problems
