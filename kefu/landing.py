"""The one landing validator and file catalog (`kefu check-landing`, and the dbt-duckdb plugin kefu/dbt_plugin.py
that runs it before any model of a dbt invocation compiles).

The contract (tables, columns, which are required) is read from the sources YAML. Every landing file is listed here
(hidden paths and 0-byte files skipped), its schema read, and a missing required column, a nested type, a corrupt
file or a CSV that is not valid in its declared encoding is reported in one line naming the table, the file and the
column. CSV files declared in another encoding (env KEFU_CSV_ENCODING, e.g. `gbk` or
`raw_agents=gbk,raw_messages/qianniu_*.csv=gbk`; a pattern's `*` matches across `/`) are converted to UTF-8 copies
beside the build database (`landing_utf8/`), which dbt reads.

What a run loads is decided here too: the files (with their version path|size|modified time and load-window end),
each file's columns, the per-table SQL over them (DuckDB: kefu/dbt_plugin.py writes it as views in the `landing`
schema; Spark: `kefu check-landing --catalog FILE` writes the catalog the Spark macros read).
"""
from __future__ import annotations

import codecs
import datetime as dt
import fnmatch
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from kefu.errors import UserError
from kefu.settings import build_db_path
from kefu.yamlfile import read_yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES_YAML = ROOT / "models" / "staging" / "kefu" / "_kefu__sources.yml"
_NESTED = re.compile(r"\[|^STRUCT|^MAP|^UNION")
_DATED = re.compile(r"(^|/)date=(\d{4}-\d{2}-\d{2})(/|$)")
ZONED = "TIMESTAMP WITH TIME ZONE"


@dataclass
class TableContract:
    name: str
    required: bool
    columns: list[str]
    required_columns: list[str]
    business_date: str | None = None  # the column that dates a row (meta.business_date): its day folder
    zoned: bool = False  # has timestamp columns (meta.timestamp): its base model converts zoned values


@dataclass
class LandingReport:
    notices: list[str] = field(default_factory=list)
    files_read: int = 0


@dataclass
class LandingFile:
    """One usable landing file of one contract table."""
    table: str
    path: Path
    relative: str  # path under the landing root, `/`-separated
    kind: str  # parquet | csv
    size: int
    mtime_ns: int
    encoding: str = "utf-8"
    read_path: Path | None = None  # what the readers open (a CSV's UTF-8 copy when declared in another encoding)
    columns: dict[str, str] = field(default_factory=dict)  # name -> DuckDB type (without `filename`)

    @property
    def modified_at(self) -> dt.datetime:
        """Local wall clock to the microsecond (what DuckDB's read_blob gives as last_modified)."""
        seconds, nanoseconds = divmod(self.mtime_ns, 10**9)
        return dt.datetime.fromtimestamp(seconds) + dt.timedelta(microseconds=nanoseconds // 1000)

    @property
    def version(self) -> str:
        """path|size|modified: a changed file is a new version (the format earlier builds stored)."""
        return f"{self.relative}|{self.size}|{self.modified_at}"

    def load_window_end(self, latest_plausible_date: str | None) -> str:
        """Exclusive upper bound of plausible timestamps in this file (DECISIONLOG "Implausible timestamps"):
        latest_plausible_date + 1 day when set; else the business date of its `date=YYYY-MM-DD` folder + 2 days;
        else its modification date + 2 days."""
        dated = _DATED.search(self.relative)
        if latest_plausible_date is not None:
            day, days = dt.date.fromisoformat(str(latest_plausible_date)), 1
        elif dated:
            day, days = dt.date.fromisoformat(dated.group(2)), 2
        else:
            day, days = self.modified_at.date(), 2
        return f"{day + dt.timedelta(days=days):%Y-%m-%d} 00:00:00"


@dataclass
class Catalog:
    """The result of one landing scan: usable files per contract table, and notices."""
    root: Path
    tables: list[TableContract]
    files: dict[str, list[LandingFile]]
    notices: list[str] = field(default_factory=list)
    generated: bool = False  # the landing folder is kefu's generated sample (_manifest.json)

    def all_files(self) -> list[LandingFile]:
        return [f for table in self.tables for f in self.files[table.name]]


def contract() -> list[TableContract]:
    """The landing tables of the raw contract, from the sources YAML."""
    source = read_yaml(SOURCES_YAML)["sources"][0]
    tables = []
    for table in source["tables"]:
        columns = table.get("columns", [])
        tables.append(TableContract(
            name=table["name"],
            required=bool((table.get("meta") or {}).get("required", False)),
            columns=[c["name"] for c in columns],
            required_columns=[c["name"] for c in columns if (c.get("meta") or {}).get("required", False)],
            business_date=(table.get("meta") or {}).get("business_date"),
            zoned=any((c.get("meta") or {}).get("timestamp", False) for c in columns),
        ))
    return sorted(tables, key=lambda t: t.name)


def empty_landing_message(root: Path | str) -> str:
    """The one line for a landing folder that is missing or holds no file at all."""
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
    """Declared encoding of a landing CSV (KEFU_CSV_ENCODING): `gbk` (every CSV) or a comma list of
    `<table or file pattern>=<encoding>`; a pattern matches the path under the landing root (fnmatch: `*` matches
    across `/`, so `raw_agents/*.csv` covers `raw_agents/date=2026-11-01/x.csv`) or a folder prefix of it."""
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


def utf8_cache_dir(db_path: Path | str | None = None) -> Path:
    return (Path(db_path) if db_path else build_db_path()).parent / "landing_utf8"


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


def _transcode(path: Path, relative: str, encoding: str, cache: Path) -> Path:
    """A UTF-8 copy of a CSV in another encoding, with the source's modification time (reused while it matches)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UserError(f"{relative}: unknown encoding {encoding!r} in KEFU_CSV_ENCODING (use e.g. gbk)") from None
    target = cache / relative
    stat = path.stat()
    if target.is_file() and target.stat().st_mtime_ns == stat.st_mtime_ns:
        return target
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise UserError(f"{relative}: not valid {encoding} at byte {exc.start}") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.lstrip("\ufeff"), encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return target


def reader_sql(files: list[LandingFile]) -> str:
    """One table function reading landing files of one kind (CSV: their UTF-8 read paths), by column name."""
    paths = ", ".join(_literal(str(f.read_path)) for f in files)
    if files[0].kind == "parquet":
        return f"read_parquet([{paths}], union_by_name = true, filename = true, hive_partitioning = false)"
    return (f"read_csv([{paths}], header = true, all_varchar = true, union_by_name = true, filename = true, "
            "hive_partitioning = false)")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _describe(con: duckdb.DuckDBPyConnection, f: LandingFile) -> dict[str, str]:
    try:
        rows = con.execute(f"describe select * from {reader_sql([f])}").fetchall()
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        what = "unreadable Parquet file" if f.kind == "parquet" else "unreadable CSV file"
        raise UserError(f"{f.relative}: {what} ({first_line})") from None
    return {name: dtype for name, dtype, *_ in rows if name != "filename"}


def scan(root: Path, encoding_setting: str | None = None) -> Catalog:
    """List the usable files of every contract table; raise UserError on a missing landing folder or an absent
    required table. Reads no file content."""
    root = Path(root)
    if not root.is_dir() or not any(path.is_file() for path in root.rglob("*")):
        raise UserError(empty_landing_message(root))
    tables = contract()
    catalog = Catalog(root=root, tables=tables, files={}, generated=(root / "_manifest.json").is_file())
    for table in tables:
        usable = []
        for path in _files(root, table.name):
            relative = path.relative_to(root).as_posix()
            stat = path.stat()
            if stat.st_size == 0:
                catalog.notices.append(f"{relative} is an empty file (0 bytes): skipped")
                continue
            kind = "parquet" if path.suffix.lower() == ".parquet" else "csv"
            usable.append(LandingFile(table=table.name, path=path, relative=relative, kind=kind, size=stat.st_size,
                                      mtime_ns=stat.st_mtime_ns,
                                      encoding=csv_encoding(relative, encoding_setting) if kind == "csv" else "utf-8"))
        if not usable:
            if table.required:
                raise UserError(f"{table.name} is required but {root / table.name}/ holds no non-empty "
                                "Parquet or CSV file")
            catalog.notices.append(f"optional table {table.name} is absent or empty: it counts as empty")
        catalog.files[table.name] = usable
    return catalog


def validate(catalog: Catalog, con: duckdb.DuckDBPyConnection, utf8_dir: Path,
             known_columns: dict[str, dict[str, str]] | None = None) -> None:
    """Read every file's columns (those of versions in `known_columns` are taken from there: checked before) and
    check them against the contract; sets read_path and columns on every file. Raises UserError (one line)."""
    known_columns = known_columns or {}
    for table in catalog.tables:
        for f in catalog.files[table.name]:
            f.read_path = f.path
            utf8 = f.kind == "parquet" or f.encoding in ("utf-8", "utf8")
            if not utf8:
                f.read_path = _transcode(f.path, f.relative, f.encoding, utf8_dir)
            if f.kind == "csv" and utf8:  # every run: the declared encoding may have changed since
                try:
                    f.path.read_bytes().decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise UserError(
                        f"{f.relative}: not valid UTF-8 at byte {exc.start} (a 千牛/旺旺 export is usually GBK: "
                        f"set KEFU_CSV_ENCODING={table.name}=gbk)") from None
            if f.version in known_columns:
                f.columns = known_columns[f.version]
                continue
            f.columns = _describe(con, f)
            for name, dtype in f.columns.items():
                if _NESTED.search(dtype):
                    raise UserError(f"{table.name}: file {f.relative}, column {name}: unreadable type {dtype} "
                                    "(expected text, number, boolean or timestamp)")
            for name in table.required_columns:
                if name not in f.columns:
                    raise UserError(f"{table.name}: file {f.relative} has no column {name} "
                                    "(required by the raw contract)")


def mixed_zone_files(files: list[LandingFile]) -> dict[str, list[str]]:
    """Columns that are TIMESTAMP WITH TIME ZONE in some of these files and a naive TIMESTAMP (or DATE, ...) in
    others -> the latter files (DECISIONLOG "Zoned timestamps"): DuckDB reads the union as TIMESTAMP WITH TIME ZONE,
    turning naive values into instants at the session zone, so their rows are rendered back as naive text."""
    mixed = {}
    names = sorted({name for f in files for name in f.columns})
    for name in names:
        types = [(f.relative, f.columns[name]) for f in files if name in f.columns]
        if any(t == ZONED for _, t in types) and any(t not in (ZONED, "VARCHAR") for _, t in types):
            mixed[name] = sorted({rel for rel, t in types if t not in (ZONED, "VARCHAR")})
    return mixed


def empty_select(table: TableContract, text_type: str = "varchar") -> str:
    columns = ", ".join(f"cast(null as {text_type}) as {c}" for c in table.columns)
    return (f"select {columns}, cast(null as {text_type}) as _source_file, cast(null as {text_type}) as "
            f"_source_version, cast(null as timestamp) as _load_window_end where false")


def landing_select(table: TableContract, files: list[LandingFile], latest_plausible_date: str | None,
                   mixed: dict[str, list[str]] | None = None) -> str:
    """DuckDB: a select over some landing files of one contract table: the contract's columns (absent optional ones
    as null; a column mixing zoned and naive timestamps across the table's files as text, see mixed_zone_files),
    plus _source_file (path under the landing root), _source_version and _load_window_end."""
    if not files:
        return empty_select(table)
    mixed = mixed or {}
    readers = [f"select * from {reader_sql(of_kind)}" for kind in ("parquet", "csv")
               if (of_kind := [f for f in files if f.kind == kind])]
    bounds = ", ".join(f"({_literal(str(f.read_path))}, {_literal(f.relative)}, {_literal(f.version)}, "
                       f"{_literal(f.load_window_end(latest_plausible_date))})" for f in files)
    present = {name for f in files for name in f.columns}
    columns = []
    for name in table.columns:
        if name not in present:
            columns.append(f"cast(null as varchar) as {name}")
        elif name in mixed:
            naive = ", ".join(_literal(rel) for rel in mixed[name])
            columns.append(f"case when files._source_file in ({naive}) then cast(cast(data.{name} as timestamp) "
                           f"as varchar) else cast(data.{name} as varchar) end as {name}")
        else:
            columns.append(f"data.{name}")
    return (f"with files (read_path, _source_file, _source_version, _load_window_end) as (values {bounds}),\n"
            f"data as ({' union all by name '.join(readers)})\n"
            f"select {', '.join(columns)}, files._source_file, files._source_version, "
            "cast(files._load_window_end as timestamp) as _load_window_end\n"
            "from data inner join files on data.filename = files.read_path")


def write_spark_catalog(catalog: Catalog, path: Path, latest_plausible_date: str | None) -> None:
    """The catalog the Spark build reads (macro spark__prepare_landing): one JSON line per usable file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for f in catalog.all_files():
            out.write(json.dumps({
                "table_name": f.table, "source_file": f.relative, "read_path": str(f.read_path), "kind": f.kind,
                "source_version": f.version, "load_window_end": f.load_window_end(latest_plausible_date),
                "columns": ",".join(sorted(f.columns)),
            }, ensure_ascii=False) + "\n")


def check_landing(root: Path, catalog_path: Path | None = None,
                  latest_plausible_date: str | None = None) -> LandingReport:
    """Check every landing file; raise UserError (one line) on the first problem, else return notices. With
    `catalog_path`, write the file catalog the Spark build reads."""
    catalog = scan(root)
    con = duckdb.connect()
    try:
        validate(catalog, con, utf8_cache_dir())
    finally:
        con.close()
    if catalog_path is not None:
        write_spark_catalog(catalog, catalog_path, latest_plausible_date)
    return LandingReport(notices=list(catalog.notices), files_read=len(catalog.all_files()))
