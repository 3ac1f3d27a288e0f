"""The one run sequence: lock → landing check → dbt → quality gate → gated publish.

Two kinds of run share it (`kefu build`, `kefu refresh`, the Dagster jobs and the tests all come through here):

* ``daily`` — `dbt build` of the whole project (incremental models recompute their look-back); its results are kept
  at KEFU_RUN_RESULTS. It makes every figure final.
* ``live`` — the intraday refresh: `dbt build --selector live` (the 客服大屏's marts, their parents and the data tests
  whose every parent is in the selection; unit tests excluded) with KEFU_RUN_KIND=live, which makes the look-back
  models recompute the latest business date only (macro lookback_days). Its results are kept beside the daily ones
  (run_results_live.json). Publish accepts it only on a build database that a daily run has published before
  (kefu.publish).

After a publish, publish_step pushes the alert events the publish opened or closed (kefu.alerts) to the webhook of
KEFU_ALERT_WEBHOOK_URL; a failed push waits for the next run and never fails this one.

Each step is a function of its own, so Dagster can run them as separate assets (kefu.definitions).

Out of disk space: dbt reports a write that failed for lack of space as an error of the model that made it, and
carries on with the rest. `run_dbt` passes dbt's output through and watches it for the words of a full disk
(kefu.errors.disk_full_in_text); when dbt fails and its output said so, the run stops with that one line (the build
database keeps its last committed state, and the next run picks up from there without --full-refresh).
"""
from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from kefu import settings
from kefu.errors import DiskFull, UserError, disk_full_in_text
from kefu.runlock import run_lock

RUN_KINDS = ("daily", "live")
LIVE_SELECTOR = "live"
RUN_KIND_ENV = "KEFU_RUN_KIND"
# the last line of a gated run: wall seconds of its dbt, gate and publish steps as JSON (kefu bench reads it)
STEP_SECONDS_PREFIX = "kefu step seconds:"
UNIT_TESTS = "test_type:unit"
# imported by the gate's runner only when it validates (kefu.gate.expectations._Runner), so loaded ahead explicitly
GATE_LIBRARY = "great_expectations"


def _kind(kind: str) -> str:
    if kind not in RUN_KINDS:
        raise UserError(f"unknown run kind {kind!r} (expected one of {', '.join(RUN_KINDS)})")
    return kind


def dbt_executable() -> str:
    """The dbt of this virtualenv (next to the running Python), else dbt on PATH."""
    exe = Path(sys.executable).with_name("dbt")
    return str(exe) if exe.exists() else "dbt"


def dbt_command(args: list[str], target_path: Path | str | None = None, project: Path = settings.ROOT,
                log_path: Path | str | None = None) -> list[str]:
    """The command line of one dbt invocation on the project (the one place kefu spells it; the CLI, Dagster, the
    benchmark and the tests all build theirs here)."""
    cmd = [dbt_executable(), *args, "--project-dir", str(project)]
    if target_path:
        cmd += ["--target-path", str(target_path)]
    if log_path:
        cmd += ["--log-path", str(log_path)]
    return cmd


def without_unit_tests(extra: list[str] | tuple[str, ...]) -> list[str]:
    """The dbt unit tests pin each rule to the project's default (dbt_project.yml vars): they test the code, not the
    data. A run with the user's own --vars changes those rules, so it leaves them out (`make test` runs them)."""
    extra = list(extra)
    if "--vars" not in extra or UNIT_TESTS in extra:
        return extra
    if "--exclude" in extra:
        at = extra.index("--exclude") + 1
        return [*extra[:at], UNIT_TESTS, *extra[at:]]
    return [*extra, "--exclude", UNIT_TESTS]


def dbt_args(kind: str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """dbt arguments of a run of this kind."""
    if _kind(kind) == "live":
        return ["build", "--selector", LIVE_SELECTOR, *extra]
    return ["build", *without_unit_tests(extra)]


def dbt_run_env(kind: str, **extra: str) -> dict[str, str]:
    """Environment of a dbt process of this kind (KEFU_RUN_KIND tells the look-back macros which run this is)."""
    return settings.dbt_env(**{RUN_KIND_ENV: _kind(kind)}, **settings.config_env(), **extra)


def run_dbt(args: list[str], kind: str = "daily", target_path: Path | None = None,
            disk_full: list[DiskFull] | None = None) -> int:
    """Run dbt inside the project, its output passed through; returns dbt's exit code. Lines of the output that name
    a full disk are appended to `disk_full` (as DiskFull: the file the line names, else "during `dbt build`")."""
    proc = subprocess.Popen(dbt_command(args, target_path), cwd=settings.ROOT, env=dbt_run_env(kind),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1)
    assert proc.stdout is not None
    with proc.stdout:
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            found = disk_full_in_text(line, during=f"`dbt {' '.join(args)}`") if disk_full is not None else None
            if found is not None:
                disk_full.append(found)
    return proc.wait()


DEV_SALT_WARNING = (
    "WARNING: KEFU_BUYER_SALT is not set: buyer pseudonyms use the development salt, which is public. Set "
    "KEFU_BUYER_SALT to a secret of your own for real exports (the default is meant for the generated sample only)."
)


def is_generated_sample(landing: Path) -> bool:
    """True for a landing folder written by `kefu generate` (it leaves _manifest.json with the seed)."""
    manifest = landing / "_manifest.json"
    return manifest.is_file() and '"seed"' in manifest.read_text(encoding="utf-8", errors="replace")


def config_folder(landing: Path, config: str | Path | None = None) -> Path:
    """The configuration folder of a run on `landing`: --config, else KEFU_CONFIG_PATH, else landing/config."""
    if config:
        return Path(config)
    return settings.config_path() if os.environ.get("KEFU_CONFIG_PATH") else landing / "config"


def check_landing_step(landing: Path | None = None, config: str | Path | None = None,
                       catalog: Path | None = None):
    """Pre-flight check of the landing folder and the configuration (kefu.config); prints notices, writes the
    configuration dbt loads (settings.seed_path), raises UserError on a problem."""
    from kefu.config import prepare_config
    from kefu.landing import check_landing as inspect

    landing = landing or settings.landing_path()
    report = inspect(landing, catalog_path=catalog)
    for notice in report.notices:
        print(f"kefu landing: {notice}")
    config_report = prepare_config(config_folder(landing, config), settings.seed_path())
    for notice in config_report.notices:
        print(f"kefu config: {notice}")
    print(f"kefu config: {config_report.summary()}")
    if not os.environ.get("KEFU_BUYER_SALT") and not is_generated_sample(landing):
        print(DEV_SALT_WARNING, file=sys.stderr)
    return report


def keep_run_results(kind: str, target_path: Path) -> Path:
    """Copy dbt's run_results.json of this run to where publish reads it (later dbt commands overwrite target/)."""
    kept = settings.run_results_path(kind)
    produced = target_path / "run_results.json"
    kept.parent.mkdir(parents=True, exist_ok=True)
    if produced.exists():
        shutil.copyfile(produced, kept)
    else:
        kept.unlink(missing_ok=True)
    return kept


def gate_step(kind: str = "daily"):
    """The quality gate on the build database; returns its result (prints the summary). A refresh (kind live) checks
    the marts it rebuilt from the first date it recomputed (kefu.publish.refresh_scope), when its publish replaces
    just those marts in a copy of the published file; the whole checks stay in the daily run."""
    from kefu.gate import run_gate, summary

    scope = None
    if _kind(kind) == "live":
        from kefu.publish import refresh_scope

        scope = refresh_scope()
    result = run_gate(scope=scope)
    print(summary(result))
    return result


def publish_step(kind: str, run_results: Path | None = None) -> Path:
    """Gated publish, then the push of the alert events it opened or closed (and any left from earlier runs)."""
    from kefu.publish import publish

    path = publish(run_results=run_results or settings.run_results_path(kind), kind=_kind(kind))
    push_alerts_step(path)
    return path


def push_alerts_step(published: Path | None = None) -> dict[str, int]:
    """Post the pending alert events of the run-log file beside the published file to the webhook
    (KEFU_ALERT_WEBHOOK_URL / KEFU_ALERT_WEBHOOK_FORMAT, kefu.alerts). A failure is one warning line, never an error:
    the events stay pending for the next run."""
    from kefu.alerts import push_pending
    from kefu.publish import run_log_path

    try:
        return push_pending(run_log_path(published or settings.published_path()))
    except Exception as exc:  # noqa: BLE001 - a push never fails the run
        print(f"WARNING: kefu alerts: push skipped ({type(exc).__name__}: {exc}); events wait for the next run",
              file=sys.stderr)
        return {"sent": 0, "pending": 0, "skipped": 0}


def _import_in_background(*modules: str) -> threading.Thread:
    """Import `modules` in a thread while dbt runs in its own process: the gate's libraries (Great Expectations, pandas)
    take seconds to import, which the gate step would otherwise add after dbt. An import error is left to the step
    that imports the module again (it reports it there)."""
    def load() -> None:
        for module in modules:
            try:
                importlib.import_module(module)
            except Exception:  # noqa: BLE001, S110 - the gate step imports it again and reports the error
                pass

    thread = threading.Thread(target=load, name=f"import {', '.join(modules)}", daemon=True)
    thread.start()
    return thread


def run(kind: str, extra_dbt_args: list[str] | tuple[str, ...] = (), publish: bool = True,
        what: str | None = None) -> int:
    """The whole sequence for one run; returns the process exit code (0 published or --no-publish, 1 build or gate
    failed, dbt's code when dbt failed to start). UserErrors (landing, lock, refused publish, out of disk space)
    propagate."""
    _kind(kind)
    label = what or ("build" if kind == "daily" else "refresh")
    with run_lock(settings.build_db_path(), label):
        check_landing_step()
        target = settings.dbt_target_path()
        args = dbt_args(kind, extra_dbt_args)
        out_of_space: list[DiskFull] = []
        clock = time.perf_counter()
        gate_libraries = _import_in_background("kefu.gate.expectations", GATE_LIBRARY) if publish else None
        rc = run_dbt(args, kind, target, out_of_space)
        if gate_libraries is not None:
            gate_libraries.join()
        seconds = {"dbt": round(time.perf_counter() - clock, 2)}
        try:
            keep_run_results(kind, target)
        except OSError:
            if not out_of_space:
                raise
        if rc != 0 and out_of_space:
            raise out_of_space[0]
        if rc != 0:
            print(f"dbt {' '.join(args)} failed (exit {rc}); nothing published", file=sys.stderr)
            return rc
        if not publish:
            return 0
        clock = time.perf_counter()
        result = gate_step(kind)
        seconds["gate"] = round(time.perf_counter() - clock, 2)
        if not result.passed:
            print("quality gate failed; nothing published", file=sys.stderr)
            print(f"{STEP_SECONDS_PREFIX} {json.dumps(seconds)}")
            return 1
        clock = time.perf_counter()
        print(f"published: {publish_step(kind)}")
        seconds["publish"] = round(time.perf_counter() - clock, 2)
        print(f"{STEP_SECONDS_PREFIX} {json.dumps(seconds)}")
        return 0


def is_live_run() -> bool:
    return os.environ.get(RUN_KIND_ENV) == "live"
