"""The gate's three outputs: one screen of text (summary), the static HTML report and gate_result.json."""
from __future__ import annotations

import html
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kefu.gate.expectations import _jsonable
from kefu.gate.specs import MAX_DETAILS, Check, GateResult



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
{html.escape(result.checked_at)} in {result.seconds:.1f} s: {len(result.checks)} expectations, {failed} failed.{
    html.escape(f" Intraday refresh: the marts it rebuilt, from {result.scope['since']} on.") if result.scope else ""}</p>
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
    if result.scope:
        lines.append(f"refresh scope: the {len(result.scope['marts'])} marts it rebuilt, from {result.scope['since']} on "
                     "(whole checks stay in the daily run)")
    verdict = "PASSED" if result.passed else f"FAILED ({len(fails)} of {len(result.checks)} expectations)"
    lines.append(f"gate {verdict} in {result.seconds:.1f} s; report {result.html_path}; result {result.json_path}")
    return "\n".join(lines)
