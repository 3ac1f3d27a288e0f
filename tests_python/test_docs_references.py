"""The docs name only what exists: every project path and every model-like name (stg_/base_/int_/fct_/agg_/dim_) in
README.md, DECISIONLOG.md and docs/*.md is a tracked file or folder, a model, seed or test, or a table kefu's Python
writes (fct_alerts). A renamed module or dropped model makes this fail until the docs follow."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath

from conftest import ROOT

PATH = re.compile(r"(?<![\w/.])((?:kefu|macros|models|tests_python|tests|docs|seeds|benchmarks|profiles|analyses|"
                  r"\.ci)/[\w./\-*]+)")
MODEL_LIKE = re.compile(r"\b((?:stg|base|int|fct|agg|dim)_[a-z0-9_]*[a-z0-9])\b")


def _tracked() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()


def test_docs_name_only_existing_paths_and_models():
    tracked = _tracked()
    folders = {str(parent) for t in tracked for parent in PurePosixPath(t).parents}
    names = {PurePosixPath(t).stem for t in tracked if t.startswith(("models/", "seeds/", "tests/", "analyses/"))}
    python = "\n".join((ROOT / t).read_text() for t in tracked if t.startswith("kefu/") and t.endswith(".py"))
    docs = [ROOT / "README.md", ROOT / "DECISIONLOG.md", *sorted((ROOT / "docs").glob("*.md"))]
    stale = []
    for doc in docs:
        text = doc.read_text()
        for path in {m.rstrip("./") for m in PATH.findall(text)}:
            if "*" not in path and path not in tracked and path not in folders:
                stale.append(f"{doc.name}: {path}")
        for name in set(MODEL_LIKE.findall(text)):
            if name not in names and f"'{name}'" not in python and f'"{name}"' not in python \
                    and f".{name}" not in python:
                stale.append(f"{doc.name}: {name}")
    assert len(docs) >= 8
    assert not sorted(stale), sorted(stale)
