"""Erlang C of the staffing marts against an independent Python computation (docs/metrics.md §10).

The SQL (macros/staffing.sql) uses Erlang B in its Poisson form with ln k! as a window sum; this test uses the
classic recursion B(0) = 1, B(k) = A·B(k−1) ÷ (k + A·B(k−1)) on every sample row with load, and the published
textbook example: A = 10 Erlang, AHT 180 s, answer within 20 s, target 80 % → 14 agents (SL 79.56 % with 13).
"""
from __future__ import annotations

import math

import duckdb
import pytest


def erlang_c(servers: int, load: float) -> float:
    if servers <= load:
        return 1.0
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return servers * b / (servers - load * (1 - b))


def service_level(servers: int, load: float, deadline: float, aht: float) -> float:
    if servers <= load:
        return 0.0
    return max(0.0, 1 - erlang_c(servers, load) * math.exp(-(servers - load) * deadline / aht))


def required_servers(load: float, deadline: float, aht: float, target: float, cap: int = 500) -> int | None:
    return next((n for n in range(1, cap + 1) if n > load and service_level(n, load, deadline, aht) >= target), None)


def test_textbook_example():
    assert required_servers(10.0, 20, 180, 0.8) == 14
    assert service_level(13, 10.0, 20, 180) == pytest.approx(0.795595, abs=1e-6)
    assert service_level(14, 10.0, 20, 180) == pytest.approx(0.888350, abs=1e-6)


@pytest.mark.parametrize("mart", ["agg_shop_hourly_staffing", "agg_shop_staffing_plan"])
def test_marts_match_python_erlang_c(sample_db, mart):
    con = duckdb.connect(str(sample_db), read_only=True)
    rows = con.execute(
        "select offered_load_erlangs, deadline_seconds, aht_seconds, target_service_level, concurrency, "
        "required_server_count, required_agent_count, service_level_at_required, online_server_count, "
        f"online_service_level from marts.{mart} where offered_load_erlangs > 0").fetchall()
    con.close()
    assert len(rows) > 50
    for load, deadline, aht, target, conc, req_servers, req_agents, sl_req, online_servers, sl_online in rows:
        expected = required_servers(load, deadline, aht, target)
        assert req_servers == expected
        assert req_agents == math.ceil(expected / conc - 1e-9)
        assert sl_req == pytest.approx(service_level(math.floor(req_agents * conc + 1e-9), load, deadline, aht),
                                       abs=1e-9)
        assert sl_online == pytest.approx(service_level(online_servers, load, deadline, aht), abs=1e-9)
