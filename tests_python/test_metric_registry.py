"""The metric registry (metric_registry.yml) is the one place a metric's formula, label, unit and direction live.

The files written from it (MetricFlow metrics, the dbt macro of KPI and benchmark metrics, the docs table) are what
the registry gives; every MetricFlow metric and every metric a KPI plan or peer benchmark row may name is a registry
entry; the KPI and benchmark metrics the dbt checks accept are the registry's.
"""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import yaml

from kefu import metric_registry as mr

ROOT = Path(__file__).resolve().parent.parent
KEFU = str(Path(sys.executable).with_name("kefu"))


def test_written_files_are_what_the_registry_gives():
    proc = subprocess.run([KEFU, "metric-registry", "--check"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_check_names_a_drifted_file(tmp_path, monkeypatch):
    drifted = tmp_path / "_semantic__metrics.yml"
    drifted.write_text(mr.SEMANTIC_METRICS.read_text(encoding="utf-8").replace("label: 回复率\n", "label: 回复比例\n"),
                       encoding="utf-8")
    monkeypatch.setattr(mr, "SEMANTIC_METRICS", drifted)
    assert mr.stale_outputs() == [drifted]


def test_every_metricflow_metric_is_a_registry_entry_with_its_formula():
    registry = mr.registry()
    metrics = yaml.safe_load(mr.SEMANTIC_METRICS.read_text(encoding="utf-8"))["metrics"]
    assert metrics
    for metric in metrics:
        spec = registry[metric["name"]]
        assert metric["label"] == spec["label"]
        if metric["type"] == "ratio":
            assert (metric["type_params"]["numerator"], metric["type_params"]["denominator"]) == (
                spec["numerator"], spec["denominator"])


def test_kpi_and_benchmark_names_of_the_sample_configuration_are_registry_entries():
    registry = mr.registry()
    kpi = {name for name, spec in registry.items() if spec.get("kpi")}
    benchmark = {name if spec["benchmark"] is True else spec["benchmark"]
                 for name, spec in registry.items() if spec.get("benchmark")}
    with (ROOT / "seeds" / "kpi_plan.csv").open(encoding="utf-8") as f:
        assert {row["metric"] for row in csv.DictReader(f)} <= kpi
    with (ROOT / "seeds" / "peer_benchmarks.csv").open(encoding="utf-8") as f:
        assert {row["metric"] for row in csv.DictReader(f)} == benchmark
    assert kpi == {"inquiry_to_order_rate", "inquiry_to_paid_final_rate", "three_minute_response_rate", "reply_rate",
                   "avg_first_response_seconds", "satisfaction_rate", "sales_amount", "avg_order_value"}


def test_a_malformed_entry_is_named(tmp_path):
    bad = tmp_path / "metric_registry.yml"
    bad.write_text("metrics:\n  odd_rate:\n    label: 奇\n    unit: percent\n    higher_is_better: true\n"
                   "    platforms: [all]\n    numerator: a\n    description: x\n", encoding="utf-8")
    try:
        mr.registry(bad)
    except ValueError as exc:
        assert str(exc) == ("metric_registry.yml: odd_rate: unit must be one of share, seconds, amount, count, ratio; "
                            "a ratio needs a denominator")
    else:
        raise AssertionError("a malformed registry entry was accepted")


def _ratio_calls(text: str) -> list[str]:
    """The argument text of every safe_ratio(...) call in a SQL/Jinja file (nested parentheses included)."""
    calls, start = [], 0
    while (at := text.find("safe_ratio(", start)) >= 0:
        depth, i = 0, at + len("safe_ratio")
        while True:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
            if depth == 0:
                break
        calls.append(text[at:i])
        start = i
    return calls


def test_a_registry_ratio_is_divided_only_by_metric_ratio():
    """No model or macro divides a registry metric's numerator by its denominator itself: git grep of the pair finds
    the registry (and the files written from it) only."""
    pairs = {name: (spec["sql"]["numerator"][0], spec["sql"]["denominator"][0])
             for name, spec in mr.registry().items() if spec.get("sql")}
    assert len(pairs) >= 15
    offenders = []
    for path in [*ROOT.glob("models/**/*.sql"), *ROOT.glob("macros/*.sql")]:
        if path.name == "metric_ratio.sql":
            continue
        for call in _ratio_calls(path.read_text(encoding="utf-8")):
            numerator_text, _, denominator_text = call.partition(",")
            for name, (numerator, denominator) in pairs.items():
                if f".{numerator}'" in numerator_text or f"'{numerator}'" in numerator_text or f"({numerator})" in numerator_text:
                    if denominator in denominator_text:
                        offenders.append(f"{path.relative_to(ROOT)}: {name}: {' '.join(call.split())}")
    assert offenders == []


def test_the_dashboards_metric_labels_are_the_registrys():
    """Every column the dashboard labels that is a registry metric, every KPI metric and every benchmark metric is shown
    under the registry's label (the unit added where the number needs one)."""
    from kefu.dashboard import queries as q

    registry = mr.registry()
    shown = {name: label for name, label in q.COLUMN_LABELS.items() if name in registry}
    assert {"reply_rate", "three_minute_response_rate", "avg_response_seconds", "feige_session_reply_rate"} <= set(shown)
    for name, label in {**shown, **q.KPI_METRIC_LABELS}.items():
        assert label == registry[name]["label"] + ("(秒)" if registry[name]["unit"] == "seconds" else ""), name
    assert set(q.KPI_METRIC_LABELS) == {name for name, spec in registry.items() if spec.get("kpi")}
    assert q.BENCHMARK_METRIC_LABELS["reply_rate"] == "聊聊回复率"
    assert q.BENCHMARK_METRIC_LABELS["inquiry_paid_final_rate"] == registry["inquiry_to_paid_final_rate"]["label"]


def test_the_dashboard_divides_a_registry_ratio_only_through_ratio_sql():
    """The dashboard's queries take a registry ratio from ratio_sql (the registry's columns), never write it out."""
    import re

    pairs = {(spec["sql"]["numerator"][0], spec["sql"]["denominator"][0]): name
             for name, spec in mr.registry().items() if spec.get("sql")}
    division = re.compile(r"(\w+)\)?(?:::double)?\s*/\s*nullif\((?:sum\()?(\w+)")
    offenders = []
    for path in sorted((ROOT / "kefu" / "dashboard").glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for numerator, denominator in division.findall(line):
                if (numerator, denominator) in pairs:
                    offenders.append(f"{path.name}:{number}: {pairs[(numerator, denominator)]}")
    assert offenders == []
    assert mr.ratio_sql("chat_conversion_rate") == (
        "cast(sum(ordering_buyer_count) as double) / nullif(sum(replied_chat_count), 0)")
