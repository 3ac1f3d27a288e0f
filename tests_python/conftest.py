"""Shared fixtures: a small generated landing folder and one dbt build of it, reused by the scenario tests."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kefu.pipeline import dbt_command
from kefu.settings import dbt_env

ROOT = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).with_name("dbt"))


def target_dir(name: str) -> Path:
    """A dbt target folder of the tests; under pytest-xdist each worker has its own (dbt writes manifest and run
    results there)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return ROOT / (f"{name}_{worker}" if worker else name)


def project_copy(dest: Path) -> Path:
    """A private copy of the dbt project (for tests that edit a seed: other pytest workers keep reading the real one)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("dbt_project.yml", "models", "macros", "seeds", "tests", "analyses"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        elif source.exists():
            shutil.copy(source, dest / name)
    return dest


def run_dbt(args: list[str], db_path: Path, landing: Path, target: str, check: bool = False,
            project: Path = ROOT) -> subprocess.CompletedProcess:
    env = dbt_env(KEFU_DB_PATH=str(db_path), KEFU_LANDING_PATH=str(landing))
    cmd = dbt_command(args, target_dir(target).name, project=project, log_path=db_path.parent / "logs")
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")
    return proc


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory) -> Path:
    from kefu.generate import generate

    landing = tmp_path_factory.mktemp("landing")
    generate(str(landing), seed=7, shops=4, buyers=60, days=6)
    return landing


@pytest.fixture(scope="session")
def built_db(small_landing, tmp_path_factory) -> Path:
    """One full dbt build of the small sample with default vars."""
    db = tmp_path_factory.mktemp("default") / "kefu.duckdb"
    run_dbt(["build"], db, small_landing, "target_pytest_default", check=True)
    return db


@pytest.fixture()
def db_copy(built_db, tmp_path) -> Path:
    """A private copy of the built database that a test may tamper with."""
    copy = tmp_path / "kefu.duckdb"
    shutil.copy(built_db, copy)
    return copy


@pytest.fixture(scope="session")
def sample_db() -> Path:
    """The seed-42 sample's build database (KEFU_DB_PATH), which `make test` builds before pytest runs."""
    from kefu.publish import build_path

    db = build_path()
    if not db.exists():
        pytest.fail(f"{db} not found: build the seed-42 sample first (`make dbt-build`, which `make test` runs)")
    return db


@pytest.fixture(scope="session")
def published_sample(sample_db, tmp_path_factory) -> Path:
    """The sample's marts written as a published file (ungated copy step) in a temporary folder."""
    from kefu.publish import write_published

    return write_published(sample_db, tmp_path_factory.mktemp("published_sample") / "kefu.duckdb")
