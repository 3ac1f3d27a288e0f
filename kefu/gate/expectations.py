"""The gate's checks as Great Expectations suites over the frames, translated back into Check rows."""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
from typing import Any

import pandas as pd

from kefu.gate.specs import (ATTRIBUTION_RULES, IDENTITIES, MAX_DETAILS, NULLABLE_KEY_COLUMNS, PLATFORMS, Check, MartSpec,
                             _peak_days, _thresholds)



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
