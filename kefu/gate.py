"""Quality gate: Great Expectations 1.x suites over the marts of the build database, run before publishing.

Every check reads small pandas frames: mart columns the expectations need, and per shop-day counts that DuckDB
aggregates first (raw messages and receptions are never pulled row by row). GX runs on an ephemeral context with a
pandas datasource only. Suites:

* one per published mart (``marts.<name>``): key columns not null and unique (compound keys with
  ExpectCompoundColumnsToBeUnique; keys and [0, 1] bounds are read from the marts' YAML — columns tested
  ``between_zero_and_one`` there, so inquiry rate and CTR, documented as able to exceed 1, are not bounded), platform
  and attribution_rule in their value sets, and consult = reception + filtered on the two reception rollups;
* ``freshness``: the latest business date over the daily marts is not older than as_of − 1 (intermediate.int_as_of);
* ``volume``: per shop-day counts of staged messages and of fct_receptions against the trailing 7-day median of the
  same shop (days with at least 3 prior days only); outside [KEFU_GATE_VOLUME_LOW, KEFU_GATE_VOLUME_HIGH] × median
  (defaults 0.5 and 3.0) fails, naming shop, day, count and median. Declared peak days (KEFU_GATE_PEAK_DAYS) are
  judged against the lower bound only.

Outputs: ``gate_result.json`` beside the build database (passed, every expectation's result, the build database's
path and mtime — `kefu publish` compares the mtime) and ``gate_report.html`` beside the published database (plain
static HTML, readable offline).
"""
from __future__ import annotations

import datetime as dt
import html
import json
import logging
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

os.environ["GX_ANALYTICS_ENABLED"] = "False"

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from kefu.errors import UserError  # noqa: E402
from kefu.settings import build_db_path as build_path  # noqa: E402
from kefu.settings import published_path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MART_YAML_GLOB = "models/marts/**/*.yml"
PLATFORMS = ["taobao", "tmall", "douyin", "shopee"]
ATTRIBUTION_RULES = ["order", "payment", "order_first"]
# Key columns null by design: silent product sales have no agent (agg_product_daily_sales, source = 'silent').
NULLABLE_KEY_COLUMNS = {"agg_product_daily_sales": {"agent_id"}}
# consult = reception + filtered on the reception rollups (mart: consult column, reception column, filtered column).
IDENTITIES = {
    "agg_agent_daily_receptions": ("consult_count", "reception_count", "filtered_count"),
    "agg_shop_daily_receptions": ("consult_buyers", "reception_buyers", "filtered_buyers"),
}
MAX_DETAILS = 20
# Marts with more rows than this are judged on per shop-day summaries DuckDB computes (row and distinct-key counts,
# null keys, min/max of bounded rates) instead of row by row in pandas: the gate's cost stays small at size M/L.
SUMMARY_ROW_LIMIT = int(os.environ.get("KEFU_GATE_ROW_LIMIT", "200000"))
# The latest message day enters the volume check once the data holds a message from this hour on that day.
COMPLETE_DAY_HOUR = 20


@dataclass
class MartSpec:
    name: str
    key: list[str] = field(default_factory=list)
    bounded: list[str] = field(default_factory=list)


@dataclass
class Check:
    suite: str
    expectation: str
    column: str
    success: bool
    observed: str
    expected: str
    unexpected_count: int = 0
    details: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class GateResult:
    passed: bool
    build_db: str
    build_db_mtime_ns: int
    checked_at: str
    seconds: float
    checks: list[Check]
    json_path: str = ""
    html_path: str = ""

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.success]


def result_path(db: Path) -> Path:
    """gate_result.json lives beside the build database it judged."""
    return db.parent / "gate_result.json"


def _peak_days() -> set[dt.date]:
    """Declared peak days (大促: 双11, 618, …), env KEFU_GATE_PEAK_DAYS=2026-11-11,2026-12-12: a spike there is expected,
    so only the lower bound applies on those days."""
    days = set()
    for text in filter(None, (p.strip() for p in os.environ.get("KEFU_GATE_PEAK_DAYS", "").split(","))):
        try:
            days.add(dt.date.fromisoformat(text))
        except ValueError:
            raise UserError(f"KEFU_GATE_PEAK_DAYS: {text!r} is not a date (YYYY-MM-DD)") from None
    return days


def _thresholds() -> tuple[float, float]:
    try:
        low = float(os.environ.get("KEFU_GATE_VOLUME_LOW", "0.5"))
        high = float(os.environ.get("KEFU_GATE_VOLUME_HIGH", "3.0"))
    except ValueError as exc:
        raise UserError(f"KEFU_GATE_VOLUME_LOW / KEFU_GATE_VOLUME_HIGH must be numbers: {exc}") from None
    if not 0 <= low <= high:
        raise UserError(f"volume thresholds need 0 <= KEFU_GATE_VOLUME_LOW <= KEFU_GATE_VOLUME_HIGH, got {low}, {high}")
    return low, high


def mart_specs() -> dict[str, MartSpec]:
    """Keys (unique / unique_combination) and [0, 1] columns (between_zero_and_one) from the marts' YAML."""
    specs: dict[str, MartSpec] = {}
    for path in sorted(ROOT.glob(MART_YAML_GLOB)):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in doc.get("models") or []:
            spec = specs.setdefault(model["name"], MartSpec(model["name"]))
            for test in model.get("data_tests") or []:
                if isinstance(test, dict) and "unique_combination" in test:
                    body = test["unique_combination"] or {}
                    cols = (body.get("arguments") or body).get("combination_of_columns") or []
                    spec.key = list(cols)
            for column in model.get("columns") or []:
                tests = [t if isinstance(t, str) else next(iter(t)) for t in column.get("data_tests") or []]
                if "unique" in tests and not spec.key:
                    spec.key = [column["name"]]
                if "between_zero_and_one" in tests:
                    spec.bounded.append(column["name"])
    return specs


# ---------------------------------------------------------------------------------------------------------------
# Frames (DuckDB does the aggregation; pandas gets small frames)


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
group by all
"""

RECEPTION_COUNTS = """
select platform, shop_id, reception_date as day, count(*) as n
from marts.fct_receptions
group by all
"""


def _summary_frame(con: duckdb.DuckDBPyConnection, mart: str, spec: MartSpec, date_col: str,
                   cols: list[str]) -> pd.DataFrame:
    """One row per platform, shop and day (and rule) of a large mart: what its row-level expectations need."""
    groups = ["platform", "shop_id", date_col] + (["attribution_rule"] if "attribution_rule" in cols else [])
    key = ", ".join(f'"{c}"' for c in spec.key)
    measures = ["count(*) as row_count", f"count(distinct ({key})) as distinct_key_count"]
    for col in spec.key:
        if col not in NULLABLE_KEY_COLUMNS.get(mart, set()):
            measures.append(f'count(*) - count("{col}") as "{col}__nulls"')
    for col in spec.bounded:
        if col in cols:
            measures += [f'min("{col}") as "{col}__min"', f'max("{col}") as "{col}__max"']
    group_list = ", ".join(f'"{g}"' for g in groups)
    frame = con.execute(f'select {group_list}, {", ".join(measures)} from marts."{mart}" group by all').df()
    frame.attrs["summary_of"] = spec.key
    return frame


def load_frames(db: Path) -> dict[str, Any]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        specs = mart_specs()
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
            ).fetchall()
        ]
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
            rows = con.execute(f'select count(*) from marts."{mart}"').fetchone()[0]
            if rows > SUMMARY_ROW_LIMIT and spec.key and date_col and {"platform", "shop_id"} <= set(cols):
                frames[mart] = _summary_frame(con, mart, spec, date_col, cols)
            elif wanted:
                select_list = ", ".join('"' + c + '"' for c in wanted)
                frames[mart] = con.execute(f'select {select_list} from marts."{mart}"').df()
            if date_col:
                latest[mart] = con.execute(f'select max("{date_col}") from marts."{mart}"').fetchone()[0]
        as_of = con.execute("select max(as_of_date) from intermediate.int_as_of").fetchone()[0]
        volume = {
            "messages": con.execute(VOLUME_SQL.format(counts=MESSAGE_COUNTS, complete_hour=COMPLETE_DAY_HOUR)).df(),
            "receptions": con.execute(VOLUME_SQL.format(counts=RECEPTION_COUNTS, complete_hour=COMPLETE_DAY_HOUR)).df(),
        }
        for df in volume.values():
            df["day"] = pd.to_datetime(df["day"]).dt.date
    finally:
        con.close()
    return {"specs": specs, "marts": frames, "latest": latest, "as_of": as_of, "volume": volume}


# ---------------------------------------------------------------------------------------------------------------
# Great Expectations


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


class _Runner:
    def __init__(self) -> None:
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.source = self.context.data_sources.add_pandas("kefu")

    def validate(self, suite_name: str, df: pd.DataFrame, expectations: list, index_columns: list[str]) -> list:
        asset = self.source.add_dataframe_asset(name=suite_name)
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": df})
        suite = self.context.suites.add(self.gx.ExpectationSuite(name=suite_name))
        for expectation in expectations:
            suite.add_expectation(expectation)
        fmt: dict[str, Any] = {"result_format": "COMPLETE"}
        index_columns = [c for c in index_columns if c in df.columns]
        if index_columns:
            fmt["unexpected_index_column_names"] = index_columns
        return list(batch.validate(suite, result_format=fmt).results)


def _describe(suite: str, r: Any) -> Check:
    cfg = r.expectation_config
    kw = cfg.kwargs
    kind = cfg.type
    res = r.result or {}
    column = kw.get("column") or ",".join(kw.get("column_list") or []) or f"{kw.get('column_A')}={kw.get('column_B')}"
    n_bad = int(res.get("unexpected_count") or 0)
    details = [_jsonable(d) for d in (res.get("unexpected_index_list") or [])[:MAX_DETAILS]]
    if not details and res.get("partial_unexpected_list"):
        details = [{"value": _jsonable(v)} for v in res["partial_unexpected_list"][:MAX_DETAILS]]
    if kind == "expect_column_values_to_not_be_null":
        expected, observed = "0 nulls", f"{n_bad} nulls"
    elif kind in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
        expected, observed = "0 duplicate rows", f"{n_bad} duplicate rows"
    elif kind == "expect_column_values_to_be_between":
        lo, hi = kw.get("min_value"), kw.get("max_value")
        expected = f"in [{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"
        values = res.get("partial_unexpected_list") or []
        observed = f"{n_bad} outside" + (f" (e.g. {_jsonable(values[0])})" if values else "")
    elif kind == "expect_column_values_to_be_in_set":
        expected = "in {" + ", ".join(map(str, kw.get("value_set") or [])) + "}"
        values = sorted({str(v) for v in res.get("partial_unexpected_list") or []})
        observed = f"{n_bad} other" + (f" ({', '.join(values[:5])})" if values else "")
    elif kind == "expect_column_pair_values_to_be_equal":
        expected, observed = f"{kw.get('column_A')} = {kw.get('column_B')}", f"{n_bad} rows differ"
    else:
        expected, observed = json.dumps(_jsonable({k: v for k, v in kw.items() if k != "batch_id"})), str(n_bad)
    if r.success and kind not in ("expect_column_values_to_be_between",):
        observed = "ok"
    elif r.success:
        observed = "ok (all in range)"
    return Check(suite, kind, column, bool(r.success), observed, expected, n_bad, details)


def _mart_checks(runner: _Runner, frames: dict[str, Any]) -> list[Check]:
    import great_expectations.expectations as gxe

    checks: list[Check] = []
    for mart, df in frames["marts"].items():
        spec: MartSpec = frames["specs"][mart]
        if "summary_of" in df.attrs:
            checks += _summary_checks(runner, mart, spec, df)
            continue
        exps: list = []
        nullable = NULLABLE_KEY_COLUMNS.get(mart, set())
        for col in spec.key:
            if col not in df.columns:
                continue
            if col not in nullable:
                exps.append(gxe.ExpectColumnValuesToNotBeNull(column=col))
        if len(spec.key) == 1 and spec.key[0] in df.columns:
            exps.append(gxe.ExpectColumnValuesToBeUnique(column=spec.key[0]))
        elif len(spec.key) > 1 and all(c in df.columns for c in spec.key):
            exps.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=spec.key, ignore_row_if="never"))
        for col in spec.bounded:
            if col in df.columns:
                exps.append(gxe.ExpectColumnValuesToBeBetween(column=col, min_value=0, max_value=1))
        if "platform" in df.columns:
            exps.append(gxe.ExpectColumnValuesToBeInSet(column="platform", value_set=PLATFORMS))
        if "attribution_rule" in df.columns:
            exps.append(gxe.ExpectColumnValuesToBeInSet(column="attribution_rule", value_set=ATTRIBUTION_RULES))
        if mart in IDENTITIES:
            consult, reception, filtered = IDENTITIES[mart]
            df = df.copy()
            df[f"{reception}_plus_{filtered}"] = df[reception] + df[filtered]
            exps.append(gxe.ExpectColumnPairValuesToBeEqual(column_A=consult, column_B=f"{reception}_plus_{filtered}"))
        if not exps:
            continue
        index = list(dict.fromkeys([*spec.key, "platform", "shop_id"]))
        for r in runner.validate(f"marts.{mart}", df, exps, index):
            checks.append(_describe(f"marts.{mart}", r))
    return checks


def _summary_checks(runner: _Runner, mart: str, spec: MartSpec, df: pd.DataFrame) -> list[Check]:
    """The mart's expectations on its per shop-day summary (_summary_frame): same rules, a shop-day in the details."""
    import great_expectations.expectations as gxe

    exps: list = [gxe.ExpectColumnPairValuesToBeEqual(column_A="row_count", column_B="distinct_key_count")]
    for col in spec.key:
        if f"{col}__nulls" in df.columns:
            exps.append(gxe.ExpectColumnValuesToBeBetween(column=f"{col}__nulls", min_value=0, max_value=0))
    for col in spec.bounded:
        for end in ("min", "max"):
            if f"{col}__{end}" in df.columns:
                exps.append(gxe.ExpectColumnValuesToBeBetween(column=f"{col}__{end}", min_value=0, max_value=1))
    exps.append(gxe.ExpectColumnValuesToBeInSet(column="platform", value_set=PLATFORMS))
    if "attribution_rule" in df.columns:
        exps.append(gxe.ExpectColumnValuesToBeInSet(column="attribution_rule", value_set=ATTRIBUTION_RULES))
    index = [c for c in df.columns if c in ("platform", "shop_id", "attribution_rule") or c.endswith("_date")]
    checks = []
    for r in runner.validate(f"marts.{mart}", df, exps, index):
        check = _describe(f"marts.{mart}", r)
        if check.expectation == "expect_column_pair_values_to_be_equal":
            check.expectation = "expect_compound_columns_to_be_unique" if len(spec.key) > 1 else \
                "expect_column_values_to_be_unique"
            check.column = ",".join(spec.key)
            check.expected = "0 duplicate keys (row_count = distinct_key_count per shop-day)"
            check.observed = "ok" if check.success else f"{check.unexpected_count} shop-days with duplicate keys"
        elif check.column.endswith("__nulls"):
            check.expectation = "expect_column_values_to_not_be_null"
            check.column = check.column.removesuffix("__nulls")
            check.expected = "0 nulls per shop-day"
        elif check.column.endswith(("__min", "__max")):
            check.column = check.column.rsplit("__", 1)[0]
        checks.append(check)
    return checks


def _freshness_checks(runner: _Runner, frames: dict[str, Any]) -> list[Check]:
    import great_expectations.expectations as gxe

    as_of = frames["as_of"]
    latest = {m: d for m, d in frames["latest"].items() if d is not None}
    if as_of is None or not latest:
        return [Check("freshness", "expect_column_values_to_be_between", "latest_business_date", False,
                      "no as_of or no dated mart rows", "as_of and dated marts present")]
    mart, newest = max(latest.items(), key=lambda kv: kv[1])
    df = pd.DataFrame([{"latest_business_date": newest, "newest_mart": mart, "as_of_date": as_of,
                        "days_behind_as_of": (as_of - newest).days}])
    [r] = runner.validate("freshness", df, [gxe.ExpectColumnValuesToBeBetween(column="days_behind_as_of",
                                                                                 max_value=1)], [])
    check = _describe("freshness", r)
    check.column = "latest_business_date"
    check.expected = f">= as_of - 1 = {as_of - dt.timedelta(days=1)}"
    check.observed = f"{newest} ({mart}), as_of {as_of}"
    check.details = [{"mart": m, "latest_business_date": _jsonable(d)} for m, d in sorted(latest.items())]
    if not check.success:
        check.details = check.details[:MAX_DETAILS]
    return [check]


def _volume_checks(runner: _Runner, frames: dict[str, Any]) -> list[Check]:
    import great_expectations.expectations as gxe

    low, high = _thresholds()
    checks = []
    for name, df in frames["volume"].items():
        suite = f"volume.{name}"
        if df.empty:
            checks.append(Check(suite, "expect_column_values_to_be_between", "ratio_to_median", True,
                                "no shop-day with 3 prior days", f"in [{low}, {high}]"))
            continue
        peaks = _peak_days()
        if peaks:
            df = df.copy()
            on_peak = df["day"].isin(peaks)
            df.loc[on_peak, "ratio_to_median"] = df.loc[on_peak, "ratio_to_median"].clip(upper=high)
        exp = gxe.ExpectColumnValuesToBeBetween(column="ratio_to_median", min_value=low, max_value=high)
        [r] = runner.validate(suite, df, [exp], ["platform", "shop_id", "day", "row_count", "trailing_median"])
        check = _describe(suite, r)
        check.expected = f"count in [{low}, {high}] x trailing 7-day median"
        check.observed = "ok" if r.success else f"{check.unexpected_count} shop-days outside"
        checks.append(check)
    return checks


# ---------------------------------------------------------------------------------------------------------------
# Reports


def _detail_text(d: dict[str, Any]) -> str:
    if "row_count" in d and "trailing_median" in d:
        return (f"{d.get('platform')}/{d.get('shop_id')} {d.get('day')}: {d.get('row_count')} rows vs "
                f"median {d.get('trailing_median')}")
    return ", ".join(f"{k}={v}" for k, v in d.items())


def write_html(result: GateResult, path: Path) -> None:
    rows = []
    for c in result.checks:
        details = "<br>".join(html.escape(_detail_text(d)) for d in c.details)
        rows.append(
            f"<tr class='{'ok' if c.success else 'bad'}'><td>{html.escape(c.suite)}</td>"
            f"<td>{html.escape(c.expectation)}</td><td>{html.escape(c.column)}</td>"
            f"<td>{'pass' if c.success else 'FAIL'}</td><td>{html.escape(c.observed)}</td>"
            f"<td>{html.escape(c.expected)}</td><td>{details}</td></tr>"
        )
    failed = len(result.failures)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kefu quality gate</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; }} table {{ border-collapse: collapse; font-size: 0.9em; }}
td, th {{ border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; text-align: left; }}
tr.bad {{ background: #fdd; }} tr.ok td:nth-child(4) {{ color: #070; }}
</style></head><body>
<h1>kefu quality gate: {'PASSED' if result.passed else 'FAILED'}</h1>
<p>Build database {html.escape(result.build_db)} (mtime {result.build_db_mtime_ns} ns), checked
{html.escape(result.checked_at)} in {result.seconds:.1f} s: {len(result.checks)} expectations, {failed} failed.</p>
<table><tr><th>suite</th><th>expectation</th><th>column</th><th>result</th><th>observed</th><th>expected</th>
<th>unexpected rows (first {MAX_DETAILS})</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)


def write_json(result: GateResult, path: Path) -> None:
    data = asdict(result)
    data["failures"] = len(result.failures)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(_jsonable(data), indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_result(db: Path) -> dict[str, Any] | None:
    path = result_path(db)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def run_gate(db: str | Path | None = None, report: str | Path | None = None) -> GateResult:
    """Validate the build database; write gate_result.json beside it and gate_report.html beside the published DB."""

    db = Path(db) if db else build_path()
    if not db.exists():
        raise UserError(f"build database not found: {db} (run `make build` first)")
    started = time.perf_counter()
    mtime_ns = db.stat().st_mtime_ns
    try:
        frames = load_frames(db)
    except duckdb.Error as exc:
        raise UserError(f"cannot read the build database {db}: {str(exc).splitlines()[0]}") from None
    runner = _Runner()
    checks = _mart_checks(runner, frames) + _freshness_checks(runner, frames) + _volume_checks(runner, frames)
    result = GateResult(
        passed=all(c.success for c in checks),
        build_db=str(db.resolve()),
        build_db_mtime_ns=mtime_ns,
        checked_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - started, 2),
        checks=checks,
    )
    json_path = result_path(db)
    html_path = Path(report) if report else published_path().parent / "gate_report.html"
    result.json_path, result.html_path = str(json_path), str(html_path)
    write_json(result, json_path)
    write_html(result, html_path)
    return result


def summary(result: GateResult, max_lines: int = 18) -> str:
    """One screen: passes per suite on one line, then each failed expectation with its shops/days."""
    lines = []
    suites: dict[str, list[Check]] = {}
    for c in result.checks:
        suites.setdefault(c.suite, []).append(c)
    ok_suites = [s for s, cs in suites.items() if all(c.success for c in cs)]
    n_ok = sum(len(suites[s]) for s in ok_suites)
    lines.append(f"{len(ok_suites)} suites passed ({n_ok} expectations)" + (
        ": " + ", ".join(s.removeprefix("marts.") for s in ok_suites) if len(ok_suites) <= 8 else ""))
    fails = result.failures
    if fails:
        header = ("suite", "expectation", "column", "shop/day or rows", "observed", "expected")
        table = []
        for c in fails:
            where = [_detail_text(d) for d in c.details[:3]] or ["-"]
            if c.unexpected_count > 3:
                where[-1] += f" (+{c.unexpected_count - 3} more)"
            for i, w in enumerate(where):
                first = i == 0
                table.append((c.suite if first else "", c.expectation.removeprefix("expect_") if first else "",
                              c.column if first else "", w, c.observed if first else "", c.expected if first else ""))
        widths = [min(max(len(str(r[i])) for r in [header, *table]), 60) for i in range(len(header))]
        fmt = lambda r: "  ".join(str(v)[:60].ljust(w) for v, w in zip(r, widths)).rstrip()  # noqa: E731
        lines.append(fmt(header))
        lines.append(fmt(tuple("-" * w for w in widths)))
        shown = table[:max_lines]
        lines.extend(fmt(r) for r in shown)
        if len(table) > len(shown):
            lines.append(f"... {len(table) - len(shown)} more lines in {result.html_path}")
    verdict = "PASSED" if result.passed else f"FAILED ({len(fails)} of {len(result.checks)} expectations)"
    lines.append(f"gate {verdict} in {result.seconds:.1f} s; report {result.html_path}; result {result.json_path}")
    return "\n".join(lines)
