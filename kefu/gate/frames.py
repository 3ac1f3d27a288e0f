"""The small pandas frames the gate validates: DuckDB aggregates the marts and the per shop-day volumes first."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from kefu.gate.specs import (COMPLETE_DAY_HOUR, IDENTITIES, NULLABLE_KEY_COLUMNS, GateScope, MartSpec, mart_specs,
                             summary_row_limit)

# the volume check's trailing window: a scoped day needs the 7 days before it
VOLUME_WINDOW_DAYS = 7



def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def _date_column(spec: MartSpec, columns: list[str]) -> str | None:
    """The mart's business date column: the one its YAML names (a timestamp is read as its date), else the first
    `*_date` column of its key or columns (as_of_date and month_start_date are not business dates)."""
    if spec.date_column in columns:
        return spec.date_column
    for col in spec.key + columns:
        if col in columns and col.endswith("_date") and col not in ("as_of_date", "month_start_date"):
            return col
    return None


VOLUME_SQL = """
with counts as ({counts}),
shop_days as (
    select platform, shop_id, min(day) as first_day from counts group by all
),
-- the latest message day is judged only when complete: the data holds a message from {complete_hour}:00 on or from
-- a later day (an export taken in the morning, or last night's sessions running past midnight, is not a drop)
last_day as (
    select case
        when hour(max(sent_at)) >= {complete_hour} then cast(max(sent_at) as date)
        else cast(max(sent_at) as date) - 1
    end as last_day
    from staging.stg_kefu__messages
),
spine as (
    select s.platform, s.shop_id, cast(g.day as date) as day
    from shop_days as s
    cross join last_day as l
    cross join lateral (select unnest(generate_series(s.first_day, l.last_day, interval 1 day)) as day) as g
),
filled as (
    select spine.platform, spine.shop_id, spine.day, coalesce(counts.n, 0) as n
    from spine left join counts using (platform, shop_id, day)
    where spine.day <= (select last_day from last_day)
),
windowed as (
    select
        *,
        median(n) over prior as trailing_median,
        count(*) over prior as prior_days
    from filled
    window prior as (
        partition by platform, shop_id order by day
        range between interval 7 days preceding and interval 1 day preceding
    )
)
select
    platform, shop_id, day, n as row_count, trailing_median, prior_days,
    case
        when trailing_median > 0 then n / trailing_median
        when n = 0 then 1.0
        else 'inf'::double
    end as ratio_to_median
from windowed
where prior_days >= 3
order by platform, shop_id, day
"""

MESSAGE_COUNTS = """
select s.platform, s.shop_id, cast(m.sent_at as date) as day, count(*) as n
from staging.stg_kefu__messages as m
inner join staging.stg_kefu__sessions as s on m.session_id = s.session_id
{where}
group by all
"""

RECEPTION_COUNTS = """
select platform, shop_id, reception_date as day, count(*) as n
from marts.fct_receptions
{where}
group by all
"""


def _volume_sql(counts: str, day_expression: str, since: dt.date | None) -> str:
    """VOLUME_SQL over these counts; with `since` (a refresh), only days from `since` on are judged and only the
    7 days before it are read (a shop's spine then starts at its first day inside that window)."""
    if since is None:
        return VOLUME_SQL.format(counts=counts.format(where=""), complete_hour=COMPLETE_DAY_HOUR)
    first = since - dt.timedelta(days=VOLUME_WINDOW_DAYS)
    sql = VOLUME_SQL.format(counts=counts.format(where=f"where {day_expression} >= date '{first}'"),
                            complete_hour=COMPLETE_DAY_HOUR)
    return sql.replace("where prior_days >= 3", f"where prior_days >= 3 and day >= date '{since}'")


def _summary_frame(con: duckdb.DuckDBPyConnection, mart: str, spec: MartSpec, date_col: str,
                   cols: list[str], where: str = "") -> pd.DataFrame:
    """One row per platform, shop and day (and rule) of a large mart: what its row-level expectations need."""
    groups = ['"platform"', '"shop_id"', f'cast("{date_col}" as date) as "{date_col}"']
    groups += ['"attribution_rule"'] if "attribution_rule" in cols else []
    key = ", ".join(f'"{c}"' for c in spec.key)
    measures = ["count(*) as row_count", f"count(distinct ({key})) as distinct_key_count"]
    for col in spec.key:
        if col not in NULLABLE_KEY_COLUMNS.get(mart, set()):
            measures.append(f'count(*) - count("{col}") as "{col}__nulls"')
    for col in spec.bounded:
        if col in cols:
            measures += [f'min("{col}") as "{col}__min"', f'max("{col}") as "{col}__max"']
    group_list = ", ".join(groups)
    frame = con.execute(f'select {group_list}, {", ".join(measures)} from marts."{mart}" {where} group by all').df()
    frame.attrs["summary_of"] = spec.key
    return frame


def load_frames(db: Path, scope: GateScope | None = None) -> dict[str, Any]:
    """The frames of every mart; with a refresh's scope, of the marts it rebuilt only, each from the first date it
    recomputed on (the whole mart when its scope says None)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        specs = mart_specs()
        row_limit = summary_row_limit()
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
            ).fetchall()
        ]
        if scope is not None:
            marts = [m for m in marts if m in scope.marts]
        frames: dict[str, pd.DataFrame] = {}
        latest: dict[str, Any] = {}
        for mart in marts:
            spec = specs.setdefault(mart, MartSpec(mart))
            cols = _columns(con, "marts", mart)
            date_col = _date_column(spec, cols)
            wanted = [*spec.key, *spec.bounded, "platform", "shop_id", "attribution_rule", date_col]
            for identity in IDENTITIES.get(mart, ()):
                wanted.append(identity)
            wanted = [c for c in dict.fromkeys(w for w in wanted if w) if c in cols]
            where = ""
            window = scope.marts.get(mart) if scope is not None else None
            if window is not None and window[0] in cols:
                column, since = window[:2]
                where = f"where \"{column}\" >= date '{since}'"
                if len(spec.key) and column not in spec.key and all(c in cols for c in spec.key):
                    # a key without the date: older rows sharing a key with a recomputed row are read too, so a
                    # duplicate across the window's edge still fails
                    key = ", ".join(f'"{c}"' for c in spec.key)
                    where += f' or ({key}) in (select {key} from marts."{mart}" {where})'
            rows = con.execute(f'select count(*) from marts."{mart}" {where}').fetchone()[0]
            if rows > row_limit and spec.key and date_col and {"platform", "shop_id"} <= set(cols):
                frames[mart] = _summary_frame(con, mart, spec, date_col, cols, where)
            elif wanted:
                select_list = ", ".join('"' + c + '"' for c in wanted)
                frames[mart] = con.execute(f'select {select_list} from marts."{mart}" {where}').df()
            if date_col:
                latest[mart] = con.execute(f'select cast(max("{date_col}") as date) from marts."{mart}"').fetchone()[0]
        as_of = con.execute("select max(as_of_date) from intermediate.int_as_of").fetchone()[0]
        since = scope.since if scope is not None else None
        volume = {
            "messages": con.execute(_volume_sql(MESSAGE_COUNTS, "cast(m.sent_at as date)", since)).df(),
            "receptions": con.execute(_volume_sql(RECEPTION_COUNTS, "reception_date", since)).df(),
        }
        for df in volume.values():
            df["day"] = pd.to_datetime(df["day"]).dt.date
    finally:
        con.close()
    return {"specs": specs, "marts": frames, "latest": latest, "as_of": as_of, "volume": volume}
