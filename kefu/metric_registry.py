"""The metric registry (metric_registry.yml) and the files written from it (`kefu metric-registry`).

A metric's formula (its MetricFlow measures), Chinese label, unit, direction, platforms and whether KPI plans and
peer benchmarks may name it are written once, in the registry; the MetricFlow metrics, the dbt macro that lists the
KPI and benchmark metrics, and the metrics table of docs/metrics.md are written from it. `--check` (run by
tests_python/test_metric_registry.py) fails when a written file is not what the registry gives.
"""
from __future__ import annotations

import functools
import textwrap
from pathlib import Path


from kefu.settings import ROOT
from kefu.yamlfile import read_yaml

REGISTRY = ROOT / "metric_registry.yml"
SEMANTIC_METRICS = ROOT / "models" / "marts" / "semantic" / "_semantic__metrics.yml"
MACRO = ROOT / "macros" / "metric_registry.sql"
DOCS = ROOT / "docs" / "metrics.md"
TABLE_START = "<!-- metric-registry:start (written by `kefu metric-registry` from metric_registry.yml) -->"
TABLE_END = "<!-- metric-registry:end -->"
UNITS = ("share", "seconds", "amount", "count", "ratio")
PLATFORMS = ("all", "taobao", "tmall", "douyin", "shopee")
GENERATED = "# Written by `kefu metric-registry` from metric_registry.yml: edit the registry, not this file.\n"


@functools.lru_cache(maxsize=4)
def registry(path: Path = REGISTRY) -> dict[str, dict]:
    """Metric name -> its entry, checked (a malformed entry raises ValueError naming it)."""
    metrics = read_yaml(path)["metrics"]
    for name, spec in metrics.items():
        problems = []
        if spec.get("unit") not in UNITS:
            problems.append(f"unit must be one of {', '.join(UNITS)}")
        if spec.get("higher_is_better") not in (True, False, None):
            problems.append("higher_is_better must be true, false or null")
        if not spec.get("label") or not spec.get("description"):
            problems.append("label and description are required")
        if not set(spec.get("platforms") or []) <= set(PLATFORMS) or not spec.get("platforms"):
            problems.append(f"platforms must be a list of {', '.join(PLATFORMS)}")
        kinds = [k for k in ("measure", "numerator", "expr") if k in spec]
        if spec.get("semantic", True) and len(kinds) != 1:
            problems.append("needs exactly one of measure, numerator + denominator, expr + metrics")
        if "numerator" in spec and "denominator" not in spec:
            problems.append("a ratio needs a denominator")
        for key in ("sql", "sql_period"):
            sql = spec.get(key)
            if sql is not None and (not isinstance(sql, dict) or set(sql) != {"numerator", "denominator"}
                                    or not all(isinstance(sql[k], list) and sql[k] for k in sql)):
                problems.append(f"{key} must be {{numerator: [columns], denominator: [columns]}}")
        if spec.get("cap") is not None and not isinstance(spec["cap"], (int, float)):
            problems.append("cap must be a number")
        if problems:
            raise ValueError(f"metric_registry.yml: {name}: {'; '.join(problems)}")
    return metrics


def ratio_sql(metric: str, agg: str | None = "sum", source: str | None = None, columns: dict[str, str] | None = None,
              where: str | dict[str, str] | None = None) -> str:
    """The Python twin of the dbt macro metric_ratio for queries on the published file (the dashboard): the
    registry's numerator columns ÷ its denominator columns, each side wrapped in `agg`, null when the denominator is 0.
    columns: {registry column: SQL expression} for a column read otherwise; where: a filter of the aggregate (one
    for both sides, or {"numerator": ..., "denominator": ...}).
    Example: ratio_sql('reply_rate') -> 'cast(sum(replied_reception_count) as double) / nullif(sum(replyable_...), 0)'."""
    spec = registry()[metric]
    if not spec.get("sql"):
        raise ValueError(f"metric_registry.yml: {metric} has no sql")
    columns = columns or {}
    sides = []
    for side in ("numerator", "denominator"):
        text = " + ".join(columns.get(c, f"{source}.{c}" if source else c) for c in spec["sql"][side])
        condition = where.get(side) if isinstance(where, dict) else where
        filtered = f" filter (where {condition})" if condition else ""
        sides.append(f"{agg}({text}){filtered}" if agg else text)
    ratio = f"cast({sides[0]} as double) / nullif({sides[1]}, 0)"
    return f"least({spec['cap']}, {ratio})" if spec.get("cap") is not None else ratio


def _sections(path: Path = REGISTRY) -> dict[str, str]:
    """Metric name -> the comment heading it in the registry (the section of the written files)."""
    sections, current = {}, ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("  # "):
            current = line[4:].strip()
        elif line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            sections[line.strip()[:-1]] = current
    return sections


def semantic_metrics_yaml(path: Path = REGISTRY) -> str:
    """The MetricFlow metrics file."""
    metrics, sections = registry(path), _sections(path)
    lines = ["version: 2", "", GENERATED.rstrip(),
             "# Rates are ratio metrics: sum of the numerator ÷ sum of the denominator over the queried period and",
             "# group (never a mean of daily rates); null when the denominator is 0. The count metrics the ratios are",
             "# built from come from `create_metric: true` on the measures (_semantic__semantic_models.yml).", "",
             "metrics:"]
    section = None
    for name, spec in metrics.items():
        if not spec.get("semantic", True):
            continue
        if sections.get(name) != section:
            section = sections.get(name)
            lines.append(f"  # {section}")
        lines += [f"  - name: {name}", f"    label: {spec['label']}", "    description: >"]
        words = " ".join(spec["description"].split())
        lines += ["      " + part for part in textwrap.wrap(words, 110, break_on_hyphens=False, break_long_words=False)]
        if "measure" in spec:
            lines += ["    type: simple", "    type_params:", f"      measure: {spec['measure']}"]
        elif "numerator" in spec:
            lines += ["    type: ratio", "    type_params:", f"      numerator: {spec['numerator']}",
                      f"      denominator: {spec['denominator']}"]
        else:
            lines += ["    type: derived", "    type_params:", f"      expr: {spec['expr']}", "      metrics:"]
            lines += [f"        - name: {metric}" for metric in spec["metrics"]]
    return "\n".join(lines) + "\n"


def _jinja(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "none"
    return "'" + str(value).replace("'", "\\'") + "'"


def _sql_jinja(sql: dict | None) -> str:
    if not sql:
        return "none"
    return ("{'numerator': [" + ", ".join(_jinja(c) for c in sql["numerator"]) + "], 'denominator': ["
            + ", ".join(_jinja(c) for c in sql["denominator"]) + "]}")


def macro_sql(path: Path = REGISTRY) -> str:
    """macros/metric_registry.sql: the registry's KPI and benchmark metrics for dbt."""
    metrics = registry(path)
    entries = []
    for name, spec in metrics.items():
        if not (spec.get("kpi") or spec.get("benchmark") or spec.get("sql") or spec.get("sql_period")):
            continue
        benchmark = spec.get("benchmark")
        benchmark_name = name if benchmark is True else benchmark
        entries.append(f"        '{name}': {{'label': {_jinja(spec['label'])}, 'unit': {_jinja(spec['unit'])}, "
                       f"'higher_is_better': {_jinja(spec['higher_is_better'])}, 'kpi': {_jinja(bool(spec.get('kpi')))}, "
                       f"'benchmark_name': {_jinja(benchmark_name)}, 'sql': {_sql_jinja(spec.get('sql'))}, "
                       f"'sql_period': {_sql_jinja(spec.get('sql_period'))}, 'cap': {_jinja(spec.get('cap'))}}},")
    return ("{#- " + GENERATED.lstrip("# ").rstrip() + " -#}\n\n"
            "{% macro metric_registry() -%}\n"
            "    {#- The registry's metrics that KPI plans or peer benchmarks may name or marts compute with\n"
            "        metric_ratio(): name -> label, unit, higher_is_better, kpi (a kpi_plan row may name it),\n"
            "        benchmark_name (the name a peer_benchmarks row uses, none when it may not), sql (the mart columns\n"
            "        of the ratio, none when no mart computes it with metric_ratio). -#}\n"
            "    {{- return({\n" + "\n".join(entries) + "\n    }) -}}\n"
            "{%- endmacro %}\n")


def docs_table(path: Path = REGISTRY) -> str:
    metrics = registry(path)
    direction = {True: "↑", False: "↓", None: "—"}
    lines = ["| metric | label | unit | better | formula | platforms | KPI | peer benchmark |",
             "|---|---|---|---|---|---|---|---|"]
    for name, spec in metrics.items():
        if spec.get("sql"):
            formula = (" + ".join(f"`{c}`" for c in spec["sql"]["numerator"]) + " ÷ "
                       + " + ".join(f"`{c}`" for c in spec["sql"]["denominator"]))
        elif "numerator" in spec:
            formula = f"Σ `{spec['numerator']}` ÷ Σ `{spec['denominator']}`"
        elif "measure" in spec:
            formula = f"Σ `{spec['measure']}`"
        elif "expr" in spec:
            formula = f"`{spec['expr']}`"
        else:
            formula = "per agent and month (KPI)"
        benchmark = spec.get("benchmark")
        lines.append(f"| `{name}` | {spec['label']} | {spec['unit']} | {direction[spec['higher_is_better']]} | "
                     f"{formula} | {', '.join(spec['platforms'])} | {'yes' if spec.get('kpi') else ''} | "
                     f"{'' if not benchmark else ('yes' if benchmark is True else f'as `{benchmark}`')} |")
    return "\n".join(lines)


def _with_docs_table(text: str, table: str) -> str:
    if TABLE_START not in text:
        raise ValueError(f"{DOCS}: no metric-registry markers")
    head, rest = text.split(TABLE_START, 1)
    return head + TABLE_START + "\n" + table + "\n" + TABLE_END + rest.split(TABLE_END, 1)[1]


def outputs() -> dict[Path, str]:
    """Every written file and what the registry makes of it."""
    return {SEMANTIC_METRICS: semantic_metrics_yaml(), MACRO: macro_sql(),
            DOCS: _with_docs_table(DOCS.read_text(encoding="utf-8"), docs_table())}


def stale_outputs() -> list[Path]:
    return [path for path, text in outputs().items()
            if not path.exists() or path.read_text(encoding="utf-8") != text]


def write_outputs() -> list[Path]:
    written = []
    for path, text in outputs().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
