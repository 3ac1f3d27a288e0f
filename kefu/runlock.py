"""One kefu run at a time per build database.

DuckDB lets one process write a database file; a second dbt run on the same file ends in a lock traceback. Every
kefu step that writes or reads the build database (the CLI's build and refresh, each Dagster step) first takes an
exclusive lock on ``<build db>.lock`` (fcntl, released by the kernel when the process ends, so a crash leaves no
stale lock). The holder writes who it is into the file; a later run waits up to KEFU_LOCK_WAIT_SECONDS (default 300)
for the lock, then stops with one line naming the holder. Nothing is written before the lock is held.

DuckDB's own file lock is the other thing a run can meet: a process that holds a database file open read-write
keeps every other process out, and one that holds it open read-only keeps writers out (a BI tool or a person reading
the run log ``kefu_runs.duckdb``, a `dbt build` started by hand on the build database). `wait_for_file` retries the
open for up to KEFU_PUBLISH_WAIT_SECONDS (default 60), then stops with one line naming the process (DuckDB says its
pid). Readers of the published file itself never meet this: publish writes a new file and swaps it in.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import time
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from kefu.errors import UserError
from kefu.settings import lock_wait_seconds, publish_wait_seconds

POLL_SECONDS = 0.5
DUCKDB_LOCK_CONFLICT = "Could not set lock on file"
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")
T = TypeVar("T")


class RunLocked(UserError):
    """Another kefu run holds the build database's lock (one line, exit 2)."""


class FileBusy(UserError):
    """Another process holds a database file open, so DuckDB will not lock it for us (one line, exit 2)."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another kefu run"
    return f"`kefu {info.get('what', '?')}` (pid {info.get('pid', '?')}, started {info.get('started_at', '?')})"


@contextlib.contextmanager
def run_lock(db: Path, what: str, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the build database's lock while the block runs; `what` names this run for whoever waits on it."""
    wait = lock_wait_seconds() if wait_seconds is None else wait_seconds
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")
    try:
        deadline = time.monotonic() + wait
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RunLocked(f"{db} is in use by {_holder(path)}; waited {wait:g} s "
                                    "(KEFU_LOCK_WAIT_SECONDS), nothing done") from None
                if not announced:
                    print(f"kefu: {db} is in use by {_holder(path)}; waiting up to {wait:g} s", flush=True)
                    announced = True
                time.sleep(POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"what": what, "pid": os.getpid(),
                                 "started_at": dt.datetime.now().astimezone().isoformat(timespec="seconds")}))
        handle.flush()
        yield
    finally:
        handle.close()  # closing the descriptor releases the lock


def _duckdb_holder(message: str) -> str:
    found = _DUCKDB_HOLDER.search(message)
    return f"process {found.group(2)} ({found.group(1)})" if found else "another process"


def wait_for_file(open_file: Callable[[], T], path: Path, wait_seconds: float | None = None) -> T:
    """open_file() (a duckdb.connect or an ATTACH of `path`), retried while another process holds DuckDB's lock on
    the file, for up to KEFU_PUBLISH_WAIT_SECONDS; then FileBusy naming that process."""
    import duckdb

    wait = publish_wait_seconds() if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + wait
    announced = False
    while True:
        try:
            return open_file()
        except duckdb.IOException as exc:
            if DUCKDB_LOCK_CONFLICT not in str(exc):
                raise
            holder = _duckdb_holder(str(exc))
        if time.monotonic() >= deadline:
            raise FileBusy(f"{path} is held open by {holder}; waited {wait:g} s (KEFU_PUBLISH_WAIT_SECONDS); "
                           "the published file was not changed")
        if not announced:
            print(f"kefu: {path} is held open by {holder}; waiting up to {wait:g} s", flush=True)
            announced = True
        time.sleep(POLL_SECONDS)
