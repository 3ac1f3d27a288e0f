"""CSV exports into landing Parquet: every column kept as text, so staging types and rejects it like any file."""
from __future__ import annotations

import codecs
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def ingest_csv(csv_path: Path, table: str, landing: Path, encoding: str = "utf-8") -> Path:
    from kefu.errors import UserError

    if not csv_path.is_file():
        raise UserError(f"CSV file not found: {csv_path}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UserError(f"unknown encoding: {encoding} (use utf-8 or gbk)") from None
    raw = csv_path.read_bytes()
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        hint = " (a 千牛/旺旺 export is usually GBK: pass --encoding gbk)" if encoding.lower() != "gbk" else ""
        raise UserError(f"{csv_path} is not valid {encoding} at byte {exc.start}{hint}") from None
    header = text.splitlines()[0].lstrip("\ufeff").split(",") if text else []
    if not header or header == [""]:
        raise UserError(f"{csv_path} has no header row")
    read_options = pacsv.ReadOptions(encoding="utf-8")
    convert = pacsv.ConvertOptions(column_types={name.strip(): pa.string() for name in header},
                                   strings_can_be_null=True)
    data = pacsv.read_csv(pa.BufferReader(text.lstrip("\ufeff").encode("utf-8")),
                          read_options=read_options, convert_options=convert)
    folder = landing / table
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{csv_path.stem}.parquet"
    pq.write_table(data, out)
    return out
