"""A user's own shops and configuration, apart from the sample's — the README's "Your own exports" journey.

Exports of shops whose ids are not the sample's (yun88, xh77, xm66) in a landing folder of table folders, and a
configuration folder of the user's (KEFU_CONFIG_PATH) listing those shops, a per-shop rule, a KPI plan and a
commission plan: `kefu check-landing` names the files it read, `kefu build` publishes, the marts hold those shops'
rows under their rules, and the KPI page's queries show their plans. The same exports with no configuration at all
build and publish with the defaults; a bad configuration stops in one line per problem naming the user's file.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, target_dir

pytestmark = pytest.mark.slow

KEFU = str(Path(sys.executable).with_name("kefu"))
SHOP_IDS = {"tb01": "yun88", "tm01": "xh77", "dy01": "xm66"}

SHOPS_CSV = """platform,shop_id,shop_name,category,tier,timezone
taobao,yun88,云朵女装,apparel,L3,Asia/Shanghai
tmall,xh77,星河数码,electronics,L4,
douyin,xm66,小满美妆,beauty,L3,Asia/Shanghai
"""
# the columns in another order than the project's: kefu reads them by name
SHOP_RULES_CSV = """shop_id,platform,effective_from,attribution_rule,response_deadline_seconds
yun88,taobao,2026-10-01,payment,240
"""
KPI_PLAN_CSV = """platform,shop_id,group_name,effective_from,metric,weight,band_from,band_to,score
taobao,yun88,,2026-11-01,three_minute_response_rate,0.5,,0.9,70
taobao,yun88,,2026-11-01,three_minute_response_rate,0.5,0.9,,100
taobao,yun88,,2026-11-01,sales_amount,0.5,,3000,60
taobao,yun88,,2026-11-01,sales_amount,0.5,3000,,100
"""
COMMISSION_PLAN_CSV = """platform,shop_id,group_name,effective_from,tier_from,tier_to,rate,mode
taobao,yun88,,2026-11-01,0,,0.03,flat
"""


def _rename_shops(source: Path, dest: Path) -> Path:
    """The generated sample's table folders with other shop ids (every file's shop_id column rewritten)."""
    mapping = " ".join(f"when '{old}' then '{new}'" for old, new in SHOP_IDS.items())
    with duckdb.connect() as con:
        for path in sorted(source.glob("raw_*/**/*.parquet")):
            target = dest / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            columns = [r[0] for r in con.execute(f"describe select * from read_parquet('{path}')").fetchall()]
            select = ", ".join(
                f"case shop_id {mapping} else shop_id end as shop_id" if c == "shop_id" else f'"{c}"' for c in columns)
            con.execute(f"copy (select {select} from read_parquet('{path}')) to '{target}' (format parquet)")
    assert not (dest / "config").exists() and not (dest / "_manifest.json").exists()
    return dest


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    from kefu.generate import generate

    root = tmp_path_factory.mktemp("own_config")
    generate(str(root / "sample"), seed=3, shops=3, buyers=60, days=5)
    return _rename_shops(root / "sample", root / "exports")


def _env(work: Path, landing: Path, config: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KEFU_CONFIG_PATH", "KEFU_SEED_PATH", "KEFU_CONFIG_LABEL")}
    env.update({"KEFU_LANDING_PATH": str(landing), "KEFU_DB_PATH": str(work / "build" / "kefu.duckdb"),
                "KEFU_PUBLISHED_PATH": str(work / "published" / "kefu.duckdb"),
                "KEFU_RUN_RESULTS": str(work / "build" / "run_results.json"),
                "KEFU_DBT_TARGET_PATH": str(target_dir(f"target_pytest_own_config_{work.name}")),
                "KEFU_GATE_VOLUME_LOW": "0.1", "KEFU_BUYER_SALT": "own-config-test-salt"})
    if config is not None:
        env["KEFU_CONFIG_PATH"] = str(config)
    return env


def _kefu(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([KEFU, *args], env=env, capture_output=True, text=True, cwd=ROOT)


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _write_config(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def own_build(exports, tmp_path_factory):
    work = tmp_path_factory.mktemp("own_build")
    config = _write_config(work / "my-config", {"shops.csv": SHOPS_CSV, "shop_rules.csv": SHOP_RULES_CSV,
                                                "kpi_plan.csv": KPI_PLAN_CSV,
                                                "commission_plan.csv": COMMISSION_PLAN_CSV})
    env = _env(work, exports, config)
    check = _kefu(["check-landing"], env)
    build = _kefu(["build"], env)
    return work, env, check, build


def test_check_landing_names_the_users_configuration(own_build):
    work, _, check, _ = own_build
    assert check.returncode == 0, check.stderr
    assert (f"kefu config: configuration {work / 'my-config'}: commission_plan.csv, kpi_plan.csv, shop_rules.csv, "
            "shops.csv; defaults for filter_accounts.csv, ad_patterns.csv, peer_benchmarks.csv, alert_rules.csv") in check.stdout


def test_own_shops_build_and_publish_with_their_rules_and_plans(own_build):
    work, env, _, build = own_build
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "published:" in build.stdout
    published = work / "published" / "kefu.duckdb"
    shops = {r[0] for r in _query(published, "select distinct shop_id from marts.agg_shop_daily_receptions")}
    assert shops == set(SHOP_IDS.values())
    # the shop's own rule from the user's shop_rules.csv: yun88 credits under payment, the others the default
    rules = dict(_query(published, "select shop_id, max(attribution_rule) from marts.fct_order_attribution "
                                   "where is_shop_rule group by shop_id"))
    assert rules == {"yun88": "payment", "xh77": "order_first", "xm66": "order_first"}
    # the KPI and commission plans name only the user's shop: its agents are scored, the others have no plan
    kpi_shops = {r[0] for r in _query(published, "select distinct shop_id from marts.agg_agent_monthly_kpi")}
    assert kpi_shops == {"yun88"}
    commission = _query(published, "select count(*), min(tier_rate), max(tier_rate) from marts.agg_agent_monthly_commission "
                                   "where shop_id = 'yun88'")
    assert commission[0][0] > 0 and float(commission[0][1]) == float(commission[0][2]) == pytest.approx(0.03)
    # nothing of the sample's configuration: no sample shop, no sample peer figures
    assert _query(published, "select count(*) from marts.agg_shop_benchmark_gap")[0][0] == 0


def test_kpi_page_shows_the_users_plan(own_build):
    from kefu.dashboard import queries as q

    work = own_build[0]
    published = work / "published" / "kefu.duckdb"
    periods = q.performance_periods("yun88", path=published)
    assert periods
    table = q.kpi_rows(periods[0], "yun88", path=published)
    assert set(table["metric_name"]) == {"three_minute_response_rate", "sales_amount"}
    assert q.performance_periods("xh77", path=published) == []


def test_no_configuration_at_all_builds_and_publishes(exports, tmp_path):
    env = _env(tmp_path, exports, None)
    build = _kefu(["build"], env)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "kefu config: configuration: none (every file at its default)" in build.stdout
    published = tmp_path / "published" / "kefu.duckdb"
    shops = {r[0] for r in _query(published, "select distinct shop_id from marts.agg_shop_daily_service")}
    assert shops == set(SHOP_IDS.values())
    assert _query(published, "select count(*) from marts.agg_agent_monthly_kpi")[0][0] == 0
    rules = {r[0] for r in _query(published, "select distinct attribution_rule from marts.fct_order_attribution "
                                             "where is_shop_rule")}
    assert rules == {"order_first"}


def test_bad_configuration_is_one_line_per_problem_naming_the_users_file(exports, tmp_path):
    config = _write_config(tmp_path / "cfg", {
        "shops.csv": "platform,shop_id,shop_name,time_zone\ntaobao,yun88,x,Asia/Shanghai\n",
        "kpi_plans.csv": "platform\n",
        "commission_plan.csv": COMMISSION_PLAN_CSV + "taobao,yun88,,2026-12-01,0\n",
    })
    check = _kefu(["check-landing"], _env(tmp_path, exports, config))
    assert check.returncode == 2 and "Traceback" not in check.stderr
    lines = check.stderr.strip().splitlines()
    assert lines[0] == "kefu: 3 configuration problem(s), nothing built:"
    assert lines[1:] == [
        f"  {config / 'commission_plan.csv'}: line 3: 5 fields, the header has 8",
        f"  {config / 'kpi_plans.csv'}: unknown configuration file (kefu reads: filter_accounts.csv, ad_patterns.csv, "
        "shops.csv, peer_benchmarks.csv, shop_rules.csv, kpi_plan.csv, commission_plan.csv, alert_rules.csv)",
        f"  {config / 'shops.csv'}: line 1 (header): unknown column time_zone (required: platform, shop_id; "
        "optional: shop_name, category, tier, timezone)",
    ]


def test_plan_for_a_shop_not_in_the_users_shops_stops_naming_the_users_file(exports, tmp_path):
    config = _write_config(tmp_path / "cfg", {"shops.csv": SHOPS_CSV,
                                              "kpi_plan.csv": KPI_PLAN_CSV.replace("yun88", "yun89")})
    build = _kefu(["build"], _env(tmp_path, exports, config))
    assert build.returncode != 0 and "Traceback" not in build.stderr
    out = build.stdout + build.stderr
    assert f"{config / 'kpi_plan.csv'}: line 2 (taobao, yun89" in out
    assert f"unknown shop taobao/yun89 (not in {config / 'shops.csv'})" in out
    assert not (tmp_path / "published" / "kefu.duckdb").exists()
