"""Browser test of the Streamlit dashboard `kefu dashboard` on a published file, every page
rendered in headless Chromium, the figures on screen equal to kefu/dashboard/queries.py on the same file.

The published file is built here (the session's small dbt build, published to a temporary file) unless
KEFU_E2E_PUBLISHED names an existing one (e.g. data/published/kefu.duckdb after `make build`).

Chromium's one-shot `--dump-dom --virtual-time-budget` returns only Streamlit's HTML shell: virtual time does not
wait for the websocket that carries the script's output, so the rendered page is read through Selenium driving
Debian's chromium + chromium-driver (installed by `make chromium`). st.dataframe draws on a canvas, so the
assertions read the st.metric / badge / heading text, which is plain DOM. Screenshots (1400×2000) go to
test-output/screenshots/<page>.png.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from kefu.dashboard import queries as q

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="chromium and chromium-driver are not installed (run `make chromium`, or `make e2e` which installs them)",
)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def published(request, tmp_path_factory) -> Path:
    existing = os.environ.get("KEFU_E2E_PUBLISHED")
    if existing:
        path = Path(existing)
        assert path.exists(), f"KEFU_E2E_PUBLISHED={existing} does not exist"
        return path
    from kefu.publish import write_published

    built_db = request.getfixturevalue("built_db")
    return write_published(built_db, tmp_path_factory.mktemp("published") / "kefu.duckdb")


@contextlib.contextmanager
def running_dashboard(published: Path, log_dir: Path) -> Iterator[str]:
    """`kefu dashboard` on the published file, the README's command, until the block ends; yields its URL."""
    port = _free_port()
    log = log_dir / "streamlit.log"
    env = {**os.environ, "KEFU_PUBLISHED_PATH": str(published)}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kefu.cli", "dashboard", "--port", str(port),
                                 "--published", str(published)], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise AssertionError(f"dashboard did not become healthy:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        # `kefu dashboard` execs streamlit; stop its whole process group (the server and anything it started)
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def dashboard(published, tmp_path_factory) -> Iterator[str]:
    with running_dashboard(published, tmp_path_factory.mktemp("dashboard")) as url:
        yield url


def chromium_driver(profile_dir: Path):
    """Selenium driving Debian's headless chromium with a 1400×2000 viewport and an empty profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,2000", "--lang=zh-CN", f"--user-data-dir={profile_dir}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(1400, 2000)
    # the viewport itself 1400×2000 (the window size includes no browser UI in headless mode, but be exact)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1400, "height": 2000, "deviceScaleFactor": 1, "mobile": False})
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium_driver(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


PAGE_STATE_JS = """
const q = (sel) => Array.from(document.querySelectorAll(sel));
return {
  headings: q('h1').map(e => e.innerText),
  metrics: q('[data-testid="stMetric"]').map(m => [
    (m.querySelector('[data-testid="stMetricLabel"]') || {}).innerText || '',
    (m.querySelector('[data-testid="stMetricValue"]') || {}).innerText || '']),
  busy: q('[data-testid="stSkeleton"], [data-testid="stSpinner"]').length,
  running: q('[data-testid="stStatusWidget"]').some(e => /running/i.test(e.innerText)),
  errors: q('[data-testid="stException"]').map(e => e.innerText),
  text: (document.querySelector('[data-testid="stMain"]') || {}).innerText || '',
};
"""


def render(browser, url: str, title: str, screenshot: str, expect_metrics: int = 1) -> dict[str, str]:
    """Open the page, wait until the script has run (title shown, metrics drawn, nothing running or loading,
    unchanged for 2 s), save a screenshot, and return {metric label: value as displayed, "__text__": page text}."""
    browser.get(url)
    deadline = time.time() + 60
    settled_since, last = None, None
    while True:
        state = browser.execute_script(PAGE_STATE_JS)  # one atomic read: no stale elements while React redraws
        assert not state["errors"], f"{title}: the page raised\n" + "\n".join(state["errors"])
        ready = (any(title in h for h in state["headings"]) and len(state["metrics"]) >= expect_metrics
                 and not state["busy"] and not state["running"])
        if ready and state == last:
            settled_since = settled_since or time.time()
            if time.time() - settled_since > 2.0:  # let charts draw
                break
        else:
            settled_since = None
        last = state
        if time.time() > deadline:
            raise AssertionError(f"{title} did not render within 60 s; last state: {str(state)[:2000]}")
        time.sleep(0.3)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"{screenshot}.png"))
    shown = {label.strip(): value.strip() for label, value in state["metrics"]}
    shown["__text__"] = state["text"]
    return shown


SCREEN_METRICS = 13  # now (4), the day's headline (6), agent vs silent sales (3)


def _busiest_day(published: Path) -> dt.date:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("select reception_date from marts.agg_shop_daily_receptions group by all "
                           "order by sum(consult_buyers) desc, reception_date limit 1").fetchone()[0]


def _assert_screen(shown: dict[str, str], day: dt.date, shop: str | None, published: Path) -> None:
    """Every figure of the 客服大屏 headline equals the query on the published file (the marts' own numbers)."""
    now = q.live_now(shop, published)
    rec = q.screen_receptions(day, shop, published)
    svc = q.screen_service(day, shop, published)
    split = q.sales_split(day, shop, q.DEFAULT_RULE, published)
    expected = {
        "咨询人数": q.fmt_int(rec["consult_buyers"]), "接待人数": q.fmt_int(rec["reception_buyers"]),
        "过滤人数": q.fmt_int(rec["filtered_buyers"]), "询单人数": q.fmt_int(rec["inquiry_buyers"]),
        "回复率": q.fmt_pct(svc["reply_rate"]), "三分钟响应率": q.fmt_pct(svc["three_minute_response_rate"]),
        "客服销售额": q.fmt_amount(split["agent_sales_amount"]),
        "静默销售额": q.fmt_amount(split["silent_sales_amount"]),
        "在线客服数": q.fmt_int(now["online_agents"]), "接待中会话": q.fmt_int(now["open_sessions"]),
        "待回复买家": q.fmt_int(now["waiting_buyers"]), "最长等待": q.fmt_seconds(now["longest_wait_seconds"]),
    }
    assert {k: shown.get(k) for k in expected} == expected
    assert f"business date {day.isoformat()}" in shown["__text__"]


def test_screen_latest_day(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/", "客服大屏", "screen_latest", expect_metrics=SCREEN_METRICS)
    latest = q.latest_business_date(published)
    _assert_screen(shown, latest, None, published)
    # freshness badge: main.kefu_runs when present, else the latest business date
    info = q.freshness(published)
    assert str(info["value"]) in shown["__text__"]
    # the consult figure is the marts' own: Σ consult_buyers of agg_shop_daily_receptions on the latest date
    with duckdb.connect(str(published), read_only=True) as con:
        consult = con.execute("select sum(consult_buyers) from marts.agg_shop_daily_receptions "
                              "where reception_date = (select max(reception_date) from "
                              "marts.agg_shop_daily_receptions)").fetchone()[0]
    assert shown["咨询人数"] == f"{consult:,}"


def test_screen_busiest_day_and_one_shop(browser, dashboard, published):
    day = _busiest_day(published)
    shown = render(browser, f"{dashboard}/?date={day.isoformat()}", "客服大屏", "screen_busiest_day",
                   expect_metrics=SCREEN_METRICS)
    _assert_screen(shown, day, None, published)
    assert int(shown["咨询人数"].replace(",", "")) > 0

    # one shop: the reply rate shown is the mart's own reply_rate column for that shop-day
    with duckdb.connect(str(published), read_only=True) as con:
        shop, reply_rate, three_min = con.execute(
            "select shop_id, reply_rate, three_minute_response_rate from marts.agg_shop_daily_service "
            "where service_date = ? and reply_rate is not null order by shop_id limit 1", [day]).fetchone()
    shown = render(browser, f"{dashboard}/?date={day.isoformat()}&shop={shop}", "客服大屏", "screen_one_shop",
                   expect_metrics=SCREEN_METRICS)
    _assert_screen(shown, day, shop, published)
    assert shown["回复率"] == q.fmt_pct(reply_rate)
    assert shown["三分钟响应率"] == q.fmt_pct(three_min)


def test_leaderboard(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/leaderboard", "客服排行", "leaderboard", expect_metrics=3)
    lo, hi = q.sales_date_range(published)
    board = q.leaderboard(lo, hi, q.DEFAULT_RULE, None, published)
    top_agent = board.at[0, "agent_name"] or board.at[0, "agent_id"]
    assert shown["第一名客服"] == f"{board.at[0, 'shop_id']} · {top_agent}"
    assert shown["第一名销售额"] == q.fmt_amount(board.at[0, "sales_amount"])
    assert shown["上榜客服数"] == q.fmt_int(len(board))
    assert shown["客服销售额合计"] == q.fmt_amount(q.sales_total(lo, hi, q.DEFAULT_RULE, None, None, published))
    assert "三种规则对比" in shown["__text__"]
    chases = q.payment_chase_totals(lo, hi, None, published)
    assert shown["催付订单"] == q.fmt_int(chases["chased_order_count"])
    assert shown["催付成功金额"] == q.fmt_amount(chases["recovered_amount"])
    assert shown["漏催订单"] == q.fmt_int(chases["missed_order_count"])


def test_conversion(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/conversion", "询单转化", "conversion", expect_metrics=3)
    cohorts = q.conversion_cohorts(None, published)
    assert shown["as_of"] == cohorts["as_of_date"].max().date().isoformat()
    assert shown["询单队列数"] == q.fmt_int(len(cohorts))
    assert shown["最终付款未成熟队列"] == q.fmt_int(int((~cohorts["is_mature_paid_final"].astype(bool)).sum()))


def test_quality(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/quality", "服务质量", "quality", expect_metrics=1)
    with duckdb.connect(str(published), read_only=True) as con:
        answered = con.execute("select count(*) from marts.fct_response_rounds "
                               "where is_answered and response_seconds is not null").fetchone()[0]
    assert shown["已回复轮次"] == q.fmt_int(answered)
    assert "小时负载热力图" in shown["__text__"] and "飞鸽" in shown["__text__"]


def test_faq_and_benchmark(browser, dashboard, published):
    gaps = q.benchmark_gaps(None, published)
    shown = render(browser, f"{dashboard}/faq", "FAQ", "faq_benchmark", expect_metrics=2 if len(gaps) else 0)
    assert "转人工最多的问题" in shown["__text__"]
    if len(gaps):
        assert shown["不低于中位的指标"] == f"{int(gaps['is_at_or_above_median'].sum())}/{len(gaps)}"
        assert shown["达到优秀的指标"] == f"{int(gaps['is_at_excellent'].sum())}/{len(gaps)}"


def test_performance(browser, dashboard, published):
    periods = q.performance_periods(None, published)
    shown = render(browser, f"{dashboard}/performance", "绩效", "performance", expect_metrics=3 if periods else 0)
    if periods:
        table = q.performance_table(periods[0], None, published)
        assert shown["考核客服 / agents"] == q.fmt_int(len(table))
        assert shown["提成合计 / commission"] == q.fmt_amount(table["commission_amount"].sum(min_count=1))
        assert shown["未最终 / not final"] == q.fmt_int(int((~table["is_final"].astype(bool)).sum()))
        assert "下载 CSV" in shown["__text__"]


def test_staffing(browser, dashboard, published):
    shown = render(browser, f"{dashboard}/staffing", "排班", "staffing", expect_metrics=4)
    summary = q.staffing_day_summary(q.latest_business_date(published), None, published)
    assert shown["人手不足小时"] == q.fmt_int(summary["understaffed_hours"])
    assert shown["实际服务水平"] == q.fmt_pct(summary["achieved_service_level"])
    assert "人力缺口热力图" in shown["__text__"] and "排班计划" in shown["__text__"]
