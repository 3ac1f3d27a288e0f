"""What the quality gate checks: its settings (volume thresholds, peak days, row limit), the result types, and each
mart's key and [0, 1] columns read from the marts' YAML."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any


from kefu.errors import UserError
from kefu.settings import ROOT
from kefu.yamlfile import read_yaml
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
DEFAULT_SUMMARY_ROW_LIMIT = 200_000
# The latest message day enters the volume check once the data holds a message from this hour on that day.
COMPLETE_DAY_HOUR = 20


@dataclass
class MartSpec:
    name: str
    key: list[str] = field(default_factory=list)
    bounded: list[str] = field(default_factory=list)
    # the column whose date is a row's business date, when it is not a `*_date` column (model meta `date_column`,
    # e.g. an order's created_at): the gate's summaries, a refresh's scope and the published latest dates use its date
    date_column: str | None = None


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
class GateScope:
    """What the gate of an intraday refresh checks (kefu.publish.refresh_scope): the marts the refresh rebuilt and, per
    mart, the date column, the first business date it recomputed and the unique key by which its build may also
    replace older rows (empty: none), or None (the whole mart: a table model); `base_run_id` is the published run the
    scope was taken against."""
    base_run_id: str
    marts: dict[str, tuple[str, dt.date, tuple[str, ...]] | None]

    @property
    def since(self) -> dt.date | None:
        """The earliest recomputed date: the volume check judges the days from here on."""
        days = [window[1] for window in filter(None, self.marts.values())]
        return min(days) if days else None

    def as_dict(self) -> dict[str, Any]:
        return {"base_run_id": self.base_run_id, "since": self.since,
                "marts": {m: None if v is None else {"column": v[0], "since": v[1], "unique_key": list(v[2])}
                          for m, v in self.marts.items()}}


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
    # an intraday refresh's scope (GateScope.as_dict); None: the whole build database was checked
    scope: dict[str, Any] | None = None

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.success]


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
    """Keys (unique / unique_combination), [0, 1] columns (between_zero_and_one) and the date column (config meta
    date_column) from the marts' YAML."""
    specs: dict[str, MartSpec] = {}
    for path in sorted(ROOT.glob(MART_YAML_GLOB)):
        doc = read_yaml(path) or {}
        for model in doc.get("models") or []:
            spec = specs.setdefault(model["name"], MartSpec(model["name"]))
            spec.date_column = ((model.get("config") or {}).get("meta") or {}).get("date_column") or spec.date_column
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


def summary_row_limit() -> int:
    """KEFU_GATE_ROW_LIMIT (default 200,000), read at each run."""
    text = os.environ.get("KEFU_GATE_ROW_LIMIT", "").strip()
    try:
        return int(text) if text else DEFAULT_SUMMARY_ROW_LIMIT
    except ValueError:
        raise UserError(f"KEFU_GATE_ROW_LIMIT must be a whole number of rows, not {text!r}") from None
