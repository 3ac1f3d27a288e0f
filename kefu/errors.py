"""Errors shared by the kefu modules."""
from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix (missing folder, bad argument, bad landing file); printed as one line, exit 2."""
