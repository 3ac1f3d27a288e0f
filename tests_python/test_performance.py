"""绩效考核 / 提成 on the seed-42 sample: tb01's scorecard and commission recomputed by hand from the agent-day marts and
the facts (not from the monthly models), compared with agg_agent_monthly_kpi / _scorecard / _commission; shops without a
plan have no rows; bad plan seeds stop the build naming their lines.
"""
from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, project_copy, run_dbt

SHOP = ("taobao", "tb01")
MONTH = dt.date(2026, 11, 1)
NEXT_MONTH = dt.date(2026, 12, 1)


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _plan(path: Path, amount_columns: tuple[str, ...]) -> list[dict]:
    """The shop-wide rows of a plan seed for SHOP in force in MONTH (latest effective_from <= the month start)."""
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if (r["platform"], r["shop_id"]) == SHOP and not r["group_name"]]
    starts = [dt.date.fromisoformat(r["effective_from"]) for r in rows]
    in_force = max(d for d in starts if d <= MONTH)
    return [{**r, **{c: (Decimal(r[c]) if r[c] else None) for c in amount_columns}}
            for r in rows if dt.date.fromisoformat(r["effective_from"]) == in_force]


def _hand_measures(db: Path) -> dict[str, dict[str, float | None]]:
    """Per agent of SHOP in MONTH: the plan's metrics, recomputed from the day marts and facts."""
    window = [*SHOP, MONTH, NEXT_MONTH]
    where = "platform = ? and shop_id = ? and {d} >= ? and {d} < ?"
    rule = _rows(db, "select distinct attribution_rule from marts.agg_agent_daily_sales where is_shop_rule "
                     f"and {where.format(d='activity_date')}", window)
    assert rule == [("order_first",)], "the sample's shop_rules.csv is empty: tb01 credits under order_first"
    out: dict[str, dict] = defaultdict(dict)
    for agent, within, rounds in _rows(
            db, "select agent_id, sum(assessment_rounds_within_deadline_count), sum(assessment_round_count) "
                f"from marts.agg_agent_daily_service where {where.format(d='service_date')} group by agent_id",
            window):
        out[agent]["three_minute_response_rate"] = within / rounds if rounds else None
    for agent, ordered, inquiring in _rows(
            db, "select agent_id, count(distinct buyer_key) filter (where order_first_agent_ordered), "
                "count(distinct buyer_key) from marts.fct_inquiry_conversion "
                f"where {where.format(d='inquiry_date')} group by agent_id", window):
        out[agent]["inquiry_to_order_rate"] = ordered / inquiring if inquiring else None
    for agent, amount in _rows(
            db, "select agent_id, sum(sales_amount) from marts.agg_agent_daily_sales where is_shop_rule "
                f"and {where.format(d='activity_date')} group by agent_id", window):
        out[agent]["sales_amount"] = float(amount)
    for values in out.values():
        values.setdefault("sales_amount", 0.0)
        values.setdefault("inquiry_to_order_rate", None)
        values.setdefault("three_minute_response_rate", None)
    return out


def _score(value: float | None, bands: list[dict]) -> tuple[float, float | None, float | None]:
    for band in bands:
        lo, hi = band["band_from"], band["band_to"]
        if value is not None and (lo is None or value >= lo) and (hi is None or value < hi):
            return float(band["score"]), (float(lo) if lo is not None else None), (float(hi) if hi is not None else None)
    return 0.0, None, None


def test_tb01_scorecard_equals_a_hand_recomputation(sample_db):
    plan = _plan(ROOT / "seeds" / "kpi_plan.csv", ("band_from", "band_to", "weight", "score"))
    by_metric: dict[str, list[dict]] = defaultdict(list)
    for row in plan:
        by_metric[row["metric"]].append(row)
    measures = _hand_measures(sample_db)
    assert set(by_metric) <= {"three_minute_response_rate", "inquiry_to_order_rate", "sales_amount"}

    expected_kpi, totals = {}, {}
    for agent, values in measures.items():
        total = 0.0
        for metric, bands in by_metric.items():
            score, lo, hi = _score(values[metric], bands)
            weight = float(bands[0]["weight"])
            expected_kpi[(agent, metric)] = (values[metric], lo, hi, score, weight, score * weight)
            total += score * weight
        totals[agent] = total
    mart_kpi = {(a, m): (v, lo, hi, s, w, ws) for a, m, v, lo, hi, s, w, ws in _rows(
        sample_db, "select agent_id, metric_name, value, band_from, band_to, score, weight, weighted_score "
                   "from marts.agg_agent_monthly_kpi where platform = ? and shop_id = ? and month_start = ?",
        [*SHOP, MONTH])}
    assert mart_kpi.keys() == expected_kpi.keys()
    for key, expected in expected_kpi.items():
        for got, want in zip(mart_kpi[key], expected):
            assert got == (None if want is None else pytest.approx(want, rel=1e-12, abs=1e-12)), key

    ordered = sorted(totals.values(), reverse=True)
    # cohorts mature at month end + inquiry_valid_days (2) / final_pay_days (4); other metrics the day after
    month_end = NEXT_MONTH - dt.timedelta(days=1)
    horizon = 4 if "inquiry_to_paid_final_rate" in by_metric else 2 if "inquiry_to_order_rate" in by_metric else 1
    as_of = _rows(sample_db, "select as_of_date from intermediate.int_as_of")[0][0]
    card = _rows(sample_db, "select agent_id, total_score, rank_in_shop, is_final, plan_version "
                            "from marts.agg_agent_monthly_scorecard where platform = ? and shop_id = ? "
                            "and month_start = ?", [*SHOP, MONTH])
    assert {a for a, *_ in card} == set(totals)
    for agent, total, rank, is_final, version in card:
        assert total == pytest.approx(totals[agent], abs=1e-9)
        assert rank == 1 + sum(t > totals[agent] + 1e-9 for t in ordered)
        assert is_final is (as_of >= month_end + dt.timedelta(days=horizon))
        assert version == f"{plan[0]['effective_from']}/*"


def test_tb01_commission_equals_a_hand_recomputation(sample_db):
    tiers = sorted(_plan(ROOT / "seeds" / "commission_plan.csv", ("tier_from", "tier_to", "rate")),
                   key=lambda t: t["tier_from"] or 0)
    mode = tiers[0]["mode"]
    sales = {a: Decimal(v) for a, v in _rows(
        sample_db, "select agent_id, sum(sales_amount) from marts.agg_agent_daily_sales where is_shop_rule "
                   "and platform = ? and shop_id = ? and activity_date >= ? and activity_date < ? group by agent_id",
        [*SHOP, MONTH, NEXT_MONTH])}
    # refunds dated in the month (the order's updated_at) of orders credited to the agent under order_first
    refunds = {a: Decimal(v) for a, v in _rows(
        sample_db, "select a.credited_agent_id, sum(o.refund_amount) from marts.fct_order_attribution a "
                   "join staging.stg_kefu__orders o using (order_id) where a.attribution_rule = 'order_first' "
                   "and a.paid_at is not null and not a.is_silent and o.refund_amount > 0 "
                   "and a.platform = ? and a.shop_id = ? and cast(o.updated_at as date) >= ? "
                   "and cast(o.updated_at as date) < ? group by 1", [*SHOP, MONTH, NEXT_MONTH])}
    assert refunds, "the sample has a refunded tb01 order (the refund side of the test is exercised)"
    rows = _rows(sample_db, "select agent_id, credited_sales_amount, refunded_amount, commission_base, tier_rate, "
                            "commission_amount, rule from marts.agg_agent_monthly_commission "
                            "where platform = ? and shop_id = ? and month_start = ?", [*SHOP, MONTH])
    assert {r[0] for r in rows} >= set(sales) | set(refunds)
    for agent, credited, refunded, base, tier_rate, amount, rule in rows:
        want_base = sales.get(agent, Decimal(0)) - refunds.get(agent, Decimal(0))
        if mode == "progressive":
            want = sum((t["rate"] * max(Decimal(0), min(want_base, t["tier_to"] or want_base) - t["tier_from"])
                        for t in tiers), Decimal(0)) if want_base > 0 else Decimal(0)
        else:
            want = next((t["rate"] * want_base for t in tiers if t["tier_from"] <= want_base
                         and (t["tier_to"] is None or want_base < t["tier_to"])), Decimal(0))
        want_rate = next((t["rate"] for t in tiers if t["tier_from"] <= want_base
                          and (t["tier_to"] is None or want_base < t["tier_to"])), None)
        assert (credited, refunded, base) == (sales.get(agent, Decimal(0)), refunds.get(agent, Decimal(0)), want_base)
        assert amount == want.quantize(Decimal("0.01")), agent
        assert tier_rate == want_rate and rule == "order_first"


def test_shops_without_a_plan_have_no_rows(sample_db):
    with (ROOT / "seeds" / "kpi_plan.csv").open(encoding="utf-8") as f:
        kpi_shops = {(r["platform"], r["shop_id"]) for r in csv.DictReader(f)}
    with (ROOT / "seeds" / "commission_plan.csv").open(encoding="utf-8") as f:
        commission_shops = {(r["platform"], r["shop_id"]) for r in csv.DictReader(f)}
    assert kpi_shops == commission_shops == {SHOP}
    for mart in ("agg_agent_monthly_kpi", "agg_agent_monthly_scorecard", "agg_agent_monthly_commission"):
        assert set(_rows(sample_db, f"select distinct platform, shop_id from marts.{mart}")) == {SHOP}, mart
    # the other shops have agents with sales: they simply have no plan
    assert _rows(sample_db, "select count(distinct shop_id) from marts.agg_agent_daily_sales")[0][0] > 1


@pytest.fixture(scope="module")
def plan_project(tmp_path_factory) -> Path:
    return project_copy(tmp_path_factory.mktemp("plan_project") / "kefu")


def test_bad_plans_stop_the_build_naming_the_line(db_copy, small_landing, plan_project):
    kpi = plan_project / "seeds" / "kpi_plan.csv"
    commission = plan_project / "seeds" / "commission_plan.csv"
    kpi.write_text(kpi.read_text(encoding="utf-8") + "\n".join([
        "taobao,tb01,售前,2026-11-01,reply_rate,0.5,,0.9,50",
        "taobao,tb01,售前,2026-11-01,reply_rate,0.5,0.85,,100",
        "taobao,zz99,,2026-11-01,reply_rate,1,,,100",
        "taobao,tb01,,2026-11-15,reply_rate,1,,,100",
        "taobao,tb01,VIP,2026-12-01,first_touch,1,,,100"]) + "\n", encoding="utf-8")
    commission.write_text(commission.read_text(encoding="utf-8") + "\n".join([
        "taobao,tb01,VIP,2026-11-01,0,1000,0.01,flat",
        "taobao,tb01,VIP,2026-11-01,2000,,0.02,flat",
        "taobao,tb01,售前,2026-11-01,0,,0.01,stepped"]) + "\n", encoding="utf-8")
    proc = run_dbt(["build", "--select", "kpi_plan", "commission_plan", "stg_config__kpi_plan",
                    "stg_config__commission_plan"], db_copy, small_landing, "target_pytest_bad_plans",
                   project=plan_project)
    assert proc.returncode != 0
    out = " ".join(proc.stdout.split())
    assert "seeds/kpi_plan.csv: line 8 (taobao, tb01, 售前, 2026-11-01, reply_rate): the weights of this plan sum to 0.5" \
        in out
    assert "line 9 (taobao, tb01, 售前, 2026-11-01, reply_rate): band overlaps an earlier band" in out
    assert "line 10" in out and "unknown shop taobao/zz99" in out
    assert "line 11" in out and "effective_from must be a month start" in out
    assert "line 12" in out and "unknown metric first_touch" in out
    assert "seeds/commission_plan.csv: line 5" in out and "tiers must be contiguous" in out
    assert "line 6" in out and "mode must be progressive or flat, not stepped" in out
