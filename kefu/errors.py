"""Errors shared by the kefu modules, and the one rule that says when a failure means the disk is full.

A write that runs out of space fails with ENOSPC ("No space left on device"), or with EFBIG ("File too large") when a
file reaches the file system's or the process's size limit (`ulimit -f`). Python reports them as OSError with that
errno; DuckDB as an IO, transaction or fatal error whose text ends in the same words (`Could not write file "…": No
space left on device`); dbt prints DuckDB's text. `disk_full` recognises all three and turns them into one line:
kefu never writes the published file in place (kefu.publish swaps a finished copy in), so a run that stops this way
has not changed it.
"""
from __future__ import annotations

import errno
import os
import re
from pathlib import Path

DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EFBIG)
DISK_FULL_TEXTS = tuple(os.strerror(code) for code in DISK_FULL_ERRNOS)  # the C library's words, as DuckDB prints them
_QUOTED_PATH = re.compile(r'"(/[^"]+)"')


class UserError(Exception):
    """A mistake the user can fix (missing folder, bad argument, bad landing file); printed as one line, exit 2."""


class PublishRefused(UserError):
    """The last dbt build or the quality gate did not pass: nothing was published (one line, exit 2)."""


class DiskFull(UserError):
    """A write ran out of disk space or hit the file size limit; the run stopped, the published file is unchanged."""

    def __init__(self, reason: str, path: str | Path | None = None, during: str | None = None):
        where = f" writing {path}" if path else f" during {during}" if during else ""
        super().__init__(f"out of disk space{where} ({reason}): free space and run again; "
                         "the published file was not changed")
        self.reason = reason
        self.path = path


def disk_full_in_text(text: str, path: str | Path | None = None, during: str | None = None) -> DiskFull | None:
    """DiskFull when the text (an error message, a line of dbt's output) names a full disk, else None; the file is
    the one quoted in the text when it names one, else `path`; `during` says what ran when it names neither."""
    for reason in DISK_FULL_TEXTS:
        if reason in text:
            quoted = _QUOTED_PATH.search(text)
            return DiskFull(reason, quoted.group(1) if quoted else path, during)
    return None


def disk_full(exc: BaseException, path: str | Path | None = None) -> DiskFull | None:
    """DiskFull when the exception (or one it was raised from) is a full disk, else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DiskFull):
            return current
        if isinstance(current, OSError) and current.errno in DISK_FULL_ERRNOS:
            return DiskFull(os.strerror(current.errno), current.filename or path)
        found = disk_full_in_text(str(current), path)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None
