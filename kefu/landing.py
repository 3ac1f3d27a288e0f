"""Pre-flight check of a landing folder against the raw contract, before dbt runs (`kefu check-landing`).

The contract (tables, columns, which are required) is read from the sources YAML, the same file the dbt hook
`prepare_landing` reads. Every file's schema is read, so a missing required column, a nested type, a corrupt file or
a CSV that is not valid UTF-8 is reported in one line naming the table, the file and the column. CSV files declared
in another encoding (env KEFU_CSV_ENCODING, e.g. `gbk` or `raw_agents=gbk,raw_messages/qianniu_*.csv=gbk`) are
converted to UTF-8 copies beside the build database (`landing_utf8/`), which the dbt hook reads.
"""
from __future__ import annotations

import codecs
import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from kefu.errors import UserError
from kefu.settings import build_db_path

ROOT = Path(__file__).resolve().parent.parent
SOURCES_YAML = ROOT / "models" / "staging" / "kefu" / "_kefu__sources.yml"
_NESTED = re.compile(r"\[|^STRUCT|^MAP|^UNION")


@dataclass
class TableContract:
    name: str
    required: bool
    columns: list[str]
    required_columns: list[str]
    business_date: str | None = None  # the column that dates a row (meta.business_date): its day folder


@dataclass
class LandingReport:
    notices: list[str] = field(default_factory=list)
    files_read: int = 0


def contract() -> list[TableContract]:
    """The landing tables of the raw contract, from the sources YAML."""
    source = yaml.safe_load(SOURCES_YAML.read_text(encoding="utf-8"))["sources"][0]
    tables = []
    for table in source["tables"]:
        columns = table.get("columns", [])
        tables.append(TableContract(
            name=table["name"],
            required=bool((table.get("meta") or {}).get("required", False)),
            columns=[c["name"] for c in columns],
            required_columns=[c["name"] for c in columns if (c.get("meta") or {}).get("required", False)],
            business_date=(table.get("meta") or {}).get("business_date"),
        ))
    return sorted(tables, key=lambda t: t.name)


def empty_landing_message(root: Path | str) -> str:
    """The one line for a landing folder that is missing or holds no file at all (the dbt hook says the same)."""
    return (f"landing folder missing or empty: {root} (set KEFU_LANDING_PATH or --vars 'landing_path: ...' to the "
            "folder holding raw_sessions/, raw_messages/, ..., or run `make sample`)")


def landing_files(root: Path) -> list[Path]:
    """Every Parquet or CSV landing file of every contract table (what a build reads)."""
    return [path for table in contract() for path in _files(root, table.name)]


def business_date_columns() -> dict[str, str]:
    """table -> the column that dates its rows (the sources YAML's meta.business_date); tables without one (the
    roster, FAQ questions, order lines, which follow their order) are absent."""
    return {t.name: t.business_date for t in contract() if t.business_date}


def landing_table_names() -> list[str]:
    return [t.name for t in contract()]


def csv_encoding(relative_path: str, setting: str | None = None) -> str:
    """Declared encoding of a landing CSV (KEFU_CSV_ENCODING); the same rule as the dbt macro `_csv_encoding`."""
    setting = (os.environ.get("KEFU_CSV_ENCODING", "") if setting is None else setting).strip()
    if setting and "=" not in setting:
        return setting.lower()
    for item in setting.split(","):
        if "=" not in item:
            continue
        pattern, encoding = (part.strip() for part in item.split("=", 1))
        if fnmatch.fnmatchcase(relative_path, pattern) or relative_path.startswith(pattern.rstrip("/") + "/"):
            return encoding.lower()
    return "utf-8"


def utf8_cache_dir() -> Path:
    return build_db_path().parent / "landing_utf8"


def _files(root: Path, table: str) -> list[Path]:
    folder = root / table
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        if path.is_file() and path.suffix.lower() in (".parquet", ".csv"):
            found.append(path)
    return found


def _transcode(path: Path, relative: str, encoding: str) -> Path:
    """A UTF-8 copy of a CSV in another encoding, with the source's modification time (the hook compares them)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UserError(f"{relative}: unknown encoding {encoding!r} in KEFU_CSV_ENCODING (use e.g. gbk)") from None
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise UserError(f"{relative}: not valid {encoding} at byte {exc.start}") from None
    target = utf8_cache_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.lstrip("\ufeff"), encoding="utf-8")
    stat = path.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return target


def _describe(con: duckdb.DuckDBPyConnection, path: Path, kind: str, relative: str) -> dict[str, str]:
    reader = (f"read_parquet('{path}')" if kind == "parquet"
              else f"read_csv('{path}', header = true, all_varchar = true)")
    try:
        rows = con.execute(f"describe select * from {reader}").fetchall()
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        what = "unreadable Parquet file" if kind == "parquet" else "unreadable CSV file"
        raise UserError(f"{relative}: {what} ({first_line})") from None
    return {name: dtype for name, dtype, *_ in rows}


def check_landing(root: Path) -> LandingReport:
    """Check every landing file; raise UserError (one line) on the first problem, else return notices."""
    report = LandingReport()
    if not root.is_dir() or not any(path.is_file() for path in root.rglob("*")):
        raise UserError(empty_landing_message(root))
    con = duckdb.connect()
    try:
        for table in contract():
            usable = []
            for path in _files(root, table.name):
                relative = path.relative_to(root).as_posix()
                if path.stat().st_size == 0:
                    report.notices.append(f"{relative} is an empty file (0 bytes): skipped")
                    continue
                usable.append((path, relative))
            if not usable:
                if table.required:
                    raise UserError(f"{table.name} is required but {root / table.name}/ holds no non-empty "
                                    "Parquet or CSV file")
                report.notices.append(f"optional table {table.name} is absent or empty: it counts as empty")
                continue
            for path, relative in usable:
                kind = "parquet" if path.suffix.lower() == ".parquet" else "csv"
                read_path = path
                if kind == "csv":
                    encoding = csv_encoding(relative)
                    if encoding in ("utf-8", "utf8"):
                        try:
                            path.read_bytes().decode("utf-8")
                        except UnicodeDecodeError as exc:
                            raise UserError(
                                f"{relative}: not valid UTF-8 at byte {exc.start} (a 千牛/旺旺 export is usually GBK: "
                                f"set KEFU_CSV_ENCODING={table.name}=gbk)") from None
                    else:
                        read_path = _transcode(path, relative, encoding)
                columns = _describe(con, read_path, kind, relative)
                for name, dtype in columns.items():
                    if _NESTED.search(dtype):
                        raise UserError(f"{table.name}: file {relative}, column {name}: unreadable type {dtype} "
                                        "(expected text, number, boolean or timestamp)")
                for name in table.required_columns:
                    if name not in columns:
                        raise UserError(f"{table.name}: file {relative} has no column {name} "
                                        "(required by the raw contract)")
                report.files_read += 1
    finally:
        con.close()
    return report
