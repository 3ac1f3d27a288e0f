"""Benchmark: the full build, the daily run and the intraday refresh at one data size, written to a JSON file.

    kefu bench --size M --out benchmarks/M.json        # then: kefu bench-table (docs/performance.md table)

Each step is its own process: wall seconds and the peak resident memory of that process tree (sampled from /proc
every 0.1 s, so the generator's memory is never counted as dbt's). The builds are the user's commands, `kefu build`
and `kefu refresh` (kefu.pipeline.run: landing check, dbt, gate, publish), whose printed step seconds split them:
* generate          - `kefu generate` at the size, date-partitioned landing folder;
* dbt_fixed         - dbt start-up, a full parse and one no-op query (`dbt show --inline`);
* full_build        - the dbt step of `kefu build --exclude test_type:unit` (models, seeds, data tests) from an empty
                      database (run_wall_seconds: the whole run);
* gate              - that run's quality gate step (Great Expectations);
* floor             - one DuckDB query reading every landing file once (count and hash-sum of every column) and
                      sorting the messages by (shop, agent, buyer, time): nothing correct can be faster;
* daily_run         - the landing folder without its last day is built and published in full (first_load), then the
                      last day's files land (minus one 10-minute slice) and `kefu build` runs incrementally: its dbt
                      step (run_wall_seconds and step_seconds: the whole run);
* intraday_refresh  - then the 10-minute slice of the last day (its sessions and their messages) lands as new files
                      and `kefu refresh` runs: live marts, gate, publish, timed whole (intraday_refresh_dbt: the dbt
                      part alone, from its run results; step_seconds: its dbt, gate and publish steps).
A history-length pair: `kefu bench --size M` and `kefu bench --size M --days 60` (benchmarks/M60.json) keep the same
shops and volume per day; `kefu bench-table` then adds daily(60) ÷ daily(30) and refresh(60) ÷ refresh(30).
Per model: seconds (dbt run_results.json) and rows of the full build. Headline: (full_build - dbt_fixed) / floor.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import duckdb

from kefu.pipeline import UNIT_TESTS, dbt_command
from kefu.settings import ROOT, dbt_env

EXCLUDE_UNIT = ["--exclude", UNIT_TESTS]
SLICE = ("20:00:00", "20:10:00")  # the intraday file: sessions of the last day started in these ten minutes


def _tree_rss_kib(root_pid: int) -> int:
    """Resident memory (KiB) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/status") as f:
                kib = next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = kib
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def _timed(cmd: list[str], env: dict[str, str], allowed_exit: tuple[int, ...] = (0,), steps: bool = False) -> dict:
    """Run a command; its wall seconds and the peak RSS (MiB) of its process tree (plus its exit code and last
    output line when a non-zero exit is allowed, e.g. a gate that reports a failed expectation)."""
    with tempfile.TemporaryFile(mode="w+") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
        peak = [0]

        def sample() -> None:
            while proc.poll() is None:
                peak[0] = max(peak[0], _tree_rss_kib(proc.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        proc.wait()
        wall = time.perf_counter() - start
        sampler.join()
        log.seek(0)
        output = log.read()
        if proc.returncode not in allowed_exit:
            raise RuntimeError(f"{' '.join(cmd[:3])} failed (exit {proc.returncode}):\n{output[-4000:]}")
    result = {"wall_seconds": round(wall, 3), "peak_memory_mib": round(peak[0] / 1024, 1)}
    if allowed_exit != (0,):
        lines = output.strip().splitlines()
        result.update(exit_code=proc.returncode, last_line=lines[-1] if lines else "")
    if steps:  # the dbt / gate / publish split a gated run prints (kefu.pipeline.STEP_SECONDS_PREFIX)
        from kefu.pipeline import STEP_SECONDS_PREFIX

        found = [line for line in output.splitlines() if line.startswith(STEP_SECONDS_PREFIX)]
        if found:
            result["step_seconds"] = json.loads(found[-1].removeprefix(STEP_SECONDS_PREFIX))
    return result


def _exe(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _dbt_cmd(args: list[str], target: Path) -> list[str]:
    return dbt_command(args, target, log_path=target / "logs")


def _env(db: Path, landing: Path) -> dict[str, str]:
    return dbt_env(KEFU_DB_PATH=str(db), KEFU_LANDING_PATH=str(landing))


def _run_env(db: Path, landing: Path, target: Path, manifest: dict) -> dict[str, str]:
    """The environment of a user's gated run on this build database (published file and run results beside it)."""
    return {**_env(db, landing), "KEFU_DBT_TARGET_PATH": str(target),
            "KEFU_PUBLISHED_PATH": str(db.parent / f"published_{db.stem}" / "kefu.duckdb"),
            "KEFU_RUN_RESULTS": str(db.with_name("run_results.json")),
            "KEFU_GATE_PEAK_DAYS": manifest.get("promo_date") or "",
            # the generated period ends abruptly (its last days' volume falls below half the median), which the gate
            # rejects by design; the benchmark times a publish, so it lifts the lower volume bound
            "KEFU_GATE_VOLUME_LOW": "0"}


def _gated_run(args: list[str], env: dict[str, str], allowed_exit: tuple[int, ...] = (0,)) -> dict:
    """`kefu build` / `kefu refresh` (kefu.pipeline.run), timed whole and split into its dbt, gate, publish steps."""
    result = _timed([_exe("kefu"), *args], env, allowed_exit, steps=True)
    if "dbt" not in result.get("step_seconds", {}):
        raise RuntimeError(f"kefu {' '.join(args)} printed no step seconds: {result}")
    return result


def _step(run: dict, step: str) -> dict:
    """One step of a gated run as a timing of its own (the peak memory is the whole run's)."""
    return {"wall_seconds": run["step_seconds"].get(step), "peak_memory_mib": run["peak_memory_mib"],
            "run_wall_seconds": run["wall_seconds"], "step_seconds": run["step_seconds"]}


def floor_query(landing: Path) -> dict:
    """Read every landing file once (count and sum over every column) and sort the messages; seconds."""
    con = duckdb.connect()
    start = time.perf_counter()
    scanned = 0
    for folder in sorted(p for p in landing.iterdir() if p.is_dir() and p.name.startswith("raw_")):
        files = f"read_parquet('{folder}/**/*.parquet', union_by_name = true)"
        columns = [r[0] for r in con.execute(f"describe select * from {files}").fetchall()]
        aggregates = ", ".join(f"count({c}), sum(hash({c}))" for c in columns)
        row = con.execute(f"select count(*), {aggregates} from {files}").fetchone()
        scanned += row[0]
    con.execute(f"""
        create temp table sorted_messages as
        select sessions.shop_id, sessions.agent_id, sessions.buyer_id, messages.sent_at, messages.message_id
        from read_parquet('{landing}/raw_messages/**/*.parquet', union_by_name = true) as messages
        inner join read_parquet('{landing}/raw_sessions/**/*.parquet', union_by_name = true) as sessions
            using (session_id)
        order by sessions.shop_id, sessions.agent_id, sessions.buyer_id, messages.sent_at, messages.message_id
    """)
    seconds = time.perf_counter() - start
    con.close()
    return {"wall_seconds": round(seconds, 3), "rows_scanned": scanned}


def _per_model(target: Path, db: Path) -> list[dict]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    con = duckdb.connect(str(db), read_only=True)
    rows = []
    for r in results:
        uid = r["unique_id"]
        if not uid.startswith("model."):
            continue
        name = uid.split(".")[-1]
        found = con.execute(
            "select table_schema from information_schema.tables where table_name = ? limit 1", [name]).fetchone()
        count = con.execute(f'select count(*) from "{found[0]}"."{name}"').fetchone()[0] if found else None
        seconds = r["execution_time"]
        rows.append({"model": name, "seconds": round(seconds, 3), "rows": count,
                     "rows_per_second": round(count / seconds) if count and seconds else None})
    con.close()
    return sorted(rows, key=lambda m: -m["seconds"])


def _node_seconds(target: Path) -> dict:
    """Where a run's thread time went (dbt run_results.json): seconds summed over models and over data tests, and
    every model's seconds (the whole list, so two histories can be compared model by model)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    kinds = {"model": [], "test": []}
    for r in results:
        kind = r["unique_id"].split(".")[0]
        if kind in kinds:
            kinds[kind].append((r["unique_id"].split(".")[-1] if kind == "model" else r["unique_id"], r["execution_time"]))
    return {"models": len(kinds["model"]), "model_seconds": round(sum(t for _, t in kinds["model"]), 1),
            "tests": len(kinds["test"]), "test_seconds": round(sum(t for _, t in kinds["test"]), 1),
            "per_model_seconds": {name: round(t, 2) for name, t in sorted(kinds["model"], key=lambda m: -m[1])}}


def _dated_folders(landing: Path) -> list[str]:
    return sorted({p.name[5:] for p in landing.glob("raw_messages/date=*")})


def stage_landing(landing: Path, work: Path, window: tuple[str, str] = SLICE
                  ) -> tuple[Path, list[tuple[Path, Path]], list[tuple[Path, Path]]]:
    """The first load (every day but the last) and the files that land later: the last day minus a 10-minute slice
    (daily), then the slice (intraday). Returns (first-load folder, daily [(src, dst)], intraday [(src, dst)])."""
    last = _dated_folders(landing)[-1]
    first = work / "first_load"
    shutil.copytree(landing, first, ignore=lambda folder, names: [n for n in names if n == f"date={last}"])
    daily, intraday = [], []
    staged = work / "later"
    con = duckdb.connect()
    slice_from, slice_to = (f"timestamp '{last} {t}'" for t in window)
    con.execute(f"""create temp table slice_sessions as select session_id
        from read_parquet('{landing}/raw_sessions/date={last}/*.parquet')
        where try_cast(started_at as timestamp) >= {slice_from} and try_cast(started_at as timestamp) < {slice_to}""")
    for folder in sorted(landing.glob(f"*/date={last}")):
        table = folder.parent.name
        for part in sorted(folder.glob("*.parquet")):
            dst = first / table / f"date={last}" / part.name
            if table in ("raw_sessions", "raw_messages"):
                out = staged / table / part.name
                out.parent.mkdir(parents=True, exist_ok=True)
                rest, cut = out.with_suffix(".rest.parquet"), out.with_suffix(".slice.parquet")
                con.execute(f"copy (select * from read_parquet('{part}') where session_id not in "
                            f"(select session_id from slice_sessions)) to '{rest}' (format parquet)")
                con.execute(f"copy (select * from read_parquet('{part}') where session_id in "
                            f"(select session_id from slice_sessions)) to '{cut}' (format parquet)")
                daily.append((rest, dst))
                intraday.append((cut, dst.with_name(f"live-{window[0][:2]}{window[0][3:5]}-{part.name}")))
            else:
                daily.append((part, dst))
    con.close()
    return first, daily, intraday


def _land(files: list[tuple[Path, Path]]) -> None:
    for src, dst in files:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def run_benchmark(size: str, out: Path, seed: int = 42, work_dir: str | None = None, daily: bool = True,
                  days: int | None = None) -> dict:
    work = Path(tempfile.mkdtemp(prefix="kefu_bench_", dir=work_dir))
    landing = work / "landing"
    report: dict = {"size": size, "seed": seed, "started_at": datetime.now().isoformat(timespec="seconds"),
                    "commit": _commit(),
                    "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                                "platform": platform.platform(), "duckdb": duckdb.__version__}}
    try:
        report["generate"] = _timed([_exe("kefu"), "generate", "--size", size, "--seed", str(seed),
                                     "--out", str(landing), *(["--days", str(days)] if days else [])],
                                    dict(os.environ))
        manifest = json.loads((landing / "_manifest.json").read_text())
        if not _dated_folders(landing):
            raise RuntimeError("the benchmark needs a date-partitioned landing folder (kefu generate --size M/L)")
        report["messages"] = manifest["counts"]["raw_messages"]
        report["counts"] = manifest["counts"]
        report["days"] = manifest.get("days")

        report["dbt_fixed"] = _timed(_dbt_cmd(["show", "--inline", "select 1 as no_op"], work / "target_fixed"),
                                     _env(work / "fixed.duckdb", landing))
        full_db = work / "full.duckdb"
        # the gate's verdict is data here (a promotion day is a volume spike by design); its cost is what is measured
        full = _gated_run(["build", *EXCLUDE_UNIT], _run_env(full_db, landing, work / "target", manifest),
                          allowed_exit=(0, 1))
        report["full_build"] = _step(full, "dbt")
        report["gate"] = {**_step(full, "gate"), "exit_code": full["exit_code"], "last_line": full["last_line"]}
        report["models"] = _per_model(work / "target", full_db)
        report["floor"] = floor_query(landing)
        full_db.unlink()
        fixed = report["dbt_fixed"]["wall_seconds"]
        full_seconds = report["full_build"]["wall_seconds"]
        report["build_less_fixed_seconds"] = round(full_seconds - fixed, 3)
        report["ratio_build_to_floor"] = round((full_seconds - fixed) / report["floor"]["wall_seconds"], 1)
        if not daily:
            return _finish(report, out, work)

        first, daily_files, intraday_files = stage_landing(landing, work)
        inc_db, inc_target = work / "incremental.duckdb", work / "target_incremental"
        inc_env = _run_env(inc_db, first, inc_target, manifest)
        # every run below is the user's command (kefu build / kefu refresh: check, dbt, gate, publish); the shares
        # compare dbt seconds with dbt seconds, and the whole runs are kept beside them
        report["first_load"] = _step(_gated_run(["build", *EXCLUDE_UNIT], inc_env), "dbt")
        _land(daily_files)
        daily_run = _gated_run(["build", *EXCLUDE_UNIT], inc_env)
        report["daily_run"] = _step(daily_run, "dbt")
        report["daily_run_models"] = _per_model(inc_target, inc_db)[:15]
        report["daily_run_nodes"] = _node_seconds(inc_target)
        _land(intraday_files)
        report["intraday_refresh"] = _gated_run(["refresh"], inc_env)
        live_results = json.loads(inc_db.with_name("run_results_live.json").read_text())
        report["intraday_refresh_dbt_seconds"] = round(live_results.get("elapsed_time", 0), 3)
        report["intraday_refresh_models"] = _per_model(inc_target, inc_db)[:10]

        report["daily_run_share_of_full_build"] = round(report["daily_run"]["wall_seconds"] / full_seconds, 3)
        report["intraday_refresh_share_of_full_build"] = round(
            report["intraday_refresh"]["wall_seconds"] / full_seconds, 3)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return _finish(report, out, work)


def _finish(report: dict, out: Path, work: Path) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    keys = ("size", "days", "messages", "full_build", "dbt_fixed", "floor", "ratio_build_to_floor", "gate",
            "first_load", "daily_run", "daily_run_share_of_full_build", "intraday_refresh",
            "intraday_refresh_dbt_seconds", "intraday_refresh_share_of_full_build")
    print(json.dumps({k: report[k] for k in keys if k in report}, indent=2))
    print(f"wrote {out}")
    return report


TABLE_START = "<!-- bench-table:start (written by `kefu bench-table` from benchmarks/*.json; do not edit) -->"
TABLE_END = "<!-- bench-table:end -->"


def bench_table(folder: Path = ROOT / "benchmarks") -> str:
    """The performance table of docs/performance.md, one column per benchmarks/*.json."""
    reports = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        if "full_build" in data:
            reports.append((path.name, data))
    if not reports:
        return "(no benchmark JSON under benchmarks/ yet: run `make bench SIZE=M`)"
    rows = [("", *(f"{d['size']} ({name})" for name, d in reports)),
            ("messages", *(f"{d['messages']:,}" for _, d in reports)),
            ("days", *(str(d.get("days")) for _, d in reports))]

    def step(key: str, label: str) -> None:
        rows.append((label, *(f"{d[key]['wall_seconds']:.1f} s / {d[key].get('peak_memory_mib', '-')} MiB"
                              if key in d else "not run" for _, d in reports)))

    def share(key: str, label: str) -> None:
        rows.append((label, *(f"{100 * d[key]:.0f} %" if key in d else "-" for _, d in reports)))

    step("full_build", "full build: dbt step of `kefu build` (wall / peak RSS of the run)")
    step("dbt_fixed", "dbt fixed cost")
    rows.append(("floor (read every file once + message sort)",
                 *(f"{d['floor']['wall_seconds']:.1f} s" for _, d in reports)))
    rows.append(("(full build − fixed) ÷ floor", *(f"{d['ratio_build_to_floor']}×" for _, d in reports)))
    step("daily_run", "daily run: dbt step of `kefu build` after the last day lands")
    rows.append(("daily run, whole `kefu build` (check, dbt, gate, publish)",
                 *(f"{d['daily_run']['run_wall_seconds']:.1f} s" if "run_wall_seconds" in d.get("daily_run", {})
                   else "-" for _, d in reports)))
    share("daily_run_share_of_full_build", "daily run ÷ full build")
    rows.append(("daily run thread time: models / data tests",
                 *(f"{d['daily_run_nodes']['model_seconds']} s / {d['daily_run_nodes']['test_seconds']} s "
                   f"({d['daily_run_nodes']['tests']} tests)" if "daily_run_nodes" in d else "-" for _, d in reports)))
    step("intraday_refresh", "intraday refresh (`kefu refresh`, 10-minute file)")
    share("intraday_refresh_share_of_full_build", "intraday refresh ÷ full build")
    def history_ratio(key: str, label: str) -> None:
        """The same size at a longer history ÷ its shortest history (cost should follow new data, not history)."""
        cells = []
        for _, d in reports:
            shorter = [o for _, o in reports if o["size"] == d["size"] and (o.get("days") or 0) < (d.get("days") or 0)
                       and key in o]
            base = min(shorter, key=lambda o: o.get("days") or 0) if shorter else None
            cells.append(f"{d[key]['wall_seconds'] / base[key]['wall_seconds']:.2f} (vs {base.get('days')} d)"
                         if base and key in d else "-")
        if any(c != "-" for c in cells):
            rows.append((label, *cells))

    history_ratio("daily_run", "daily run ÷ the same at a shorter history")
    history_ratio("intraday_refresh", "intraday refresh ÷ the same at a shorter history")
    if any("gate" in d for _, d in reports):
        rows.append(("quality gate (gate step of the full `kefu build`) ÷ full build",
                     *(f"{d['gate']['wall_seconds']:.1f} s = {100 * d['gate']['wall_seconds'] / d['full_build']['wall_seconds']:.0f} %"
                       if "gate" in d else "-" for _, d in reports)))
    rows.append(("machine", *(f"{d['machine']['cpus']} cores, {d['machine'].get('memory_gib', '?')} GiB, "
                              f"DuckDB {d['machine']['duckdb']}" for _, d in reports)))
    rows.append(("commit", *(d.get("commit", "")[:10] or "-" for _, d in reports)))
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines + _history_growth(reports))


def _history_growth(reports: list[tuple[str, dict]], top: int = 8) -> list[str]:
    """For each size benchmarked at two histories: the daily-run models whose seconds grew most from the shorter to
    the longer one (the part of a daily run that still follows the history)."""
    out = []
    for name, longer in reports:
        shorter = [(n, o) for n, o in reports if o["size"] == longer["size"] and "daily_run_nodes" in o
                   and (o.get("days") or 0) < (longer.get("days") or 0)]
        if "daily_run_nodes" not in longer or not shorter:
            continue
        base_name, base = min(shorter, key=lambda item: item[1].get("days") or 0)
        now, then = longer["daily_run_nodes"], base["daily_run_nodes"]
        grown = sorted(((t - then["per_model_seconds"].get(m, 0.0), m) for m, t in now["per_model_seconds"].items()),
                       reverse=True)[:top]
        out += ["", f"Daily run, {base_name} → {name}: models {then['model_seconds']} → {now['model_seconds']} s, "
                    f"data tests {then['test_seconds']} → {now['test_seconds']} s (thread time); grew most: "
                    + ", ".join(f"{m} +{g:.1f} s" for g, m in grown) + "."]
    return out


def write_readme_table(readme: Path = ROOT / "docs" / "performance.md") -> None:
    text = readme.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        raise RuntimeError(f"{readme} has no bench-table markers")
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    readme.write_text(f"{head}{TABLE_START}\n{bench_table()}\n{TABLE_END}{tail}", encoding="utf-8")
