"""Errors shared by the kefu modules."""
from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix (missing folder, bad argument, bad landing file); printed as one line, exit 2."""


class PublishRefused(UserError):
    """The last dbt build or the quality gate did not pass: nothing was published (one line, exit 2)."""
