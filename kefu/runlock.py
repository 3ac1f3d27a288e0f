"""One kefu run at a time per build database.

DuckDB lets one process write a database file; a second dbt run on the same file ends in a lock traceback. Every
kefu step that writes or reads the build database (the CLI's build and refresh, each Dagster step) first takes an
exclusive lock on ``<build db>.lock`` (fcntl, released by the kernel when the process ends, so a crash leaves no
stale lock). The holder writes who it is into the file; a later run waits up to KEFU_LOCK_WAIT_SECONDS (default 300)
for the lock, then stops with one line naming the holder. Nothing is written before the lock is held.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import time
from pathlib import Path
from typing import Iterator

from kefu.errors import UserError
from kefu.settings import lock_wait_seconds

POLL_SECONDS = 0.5


class RunLocked(UserError):
    """Another kefu run holds the build database's lock (one line, exit 2)."""


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
