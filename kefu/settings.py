"""Paths and switches from the environment, each with its one default.

Every kefu module (CLI, pipeline, gate, publish, Dagster, dashboard, tests) reads its paths here; the Makefile exports
KEFU_DB_PATH from build_db_path() (the one place its default lives; profiles/profiles.yml falls back to the same
DEFAULT_DB_PATH for a plain `dbt build`, and a test keeps the two equal).

| variable                  | default                              | what                                            |
|---------------------------|--------------------------------------|-------------------------------------------------|
| KEFU_LANDING_PATH         | data/landing                         | the landing folder (one folder per raw table)   |
| KEFU_CONFIG_PATH          | config/ inside the landing folder    | the shops' configuration files (kefu.config)    |
| KEFU_DB_PATH              | data/build/kefu.duckdb               | the build database dbt writes                   |
| KEFU_PUBLISHED_PATH       | data/published/kefu.duckdb           | the published file BI tools and the screen read |
| KEFU_RUN_RESULTS          | run_results.json beside the build db | the last daily `dbt build`'s results            |
| KEFU_DBT_TARGET_PATH      | target                               | dbt's target folder for kefu's own dbt runs     |
| KEFU_LOCK_WAIT_SECONDS    | 300                                  | how long a run waits for another run's lock     |
| KEFU_PUBLISH_WAIT_SECONDS | 60                                   | how long publish waits for a DuckDB file lock   |
| KEFU_LANDING_SCAN         | 1                                    | 0: dbt skips the landing scan (`make lint` only) |

Relative paths are taken from the project folder, not from the working directory.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILES_DIR = ROOT / "profiles"
# the build database when KEFU_DB_PATH is unset (relative to the project; profiles/profiles.yml repeats it for a plain
# `dbt build`, and test_settings_defaults.py keeps the two equal)
DEFAULT_DB_PATH = "data/build/kefu.duckdb"
DEFAULT_LOCK_WAIT_SECONDS = 300.0
DEFAULT_PUBLISH_WAIT_SECONDS = 60.0


def _path(variable: str, default: str) -> Path:
    path = Path(os.environ.get(variable) or default)
    return path if path.is_absolute() else ROOT / path


def landing_path() -> Path:
    return _path("KEFU_LANDING_PATH", "data/landing")


def config_path() -> Path:
    """The user's configuration folder (kefu.config); it may be absent (every file at its default)."""
    return _path("KEFU_CONFIG_PATH", str(landing_path() / "config"))


def seed_path() -> Path:
    """Where kefu writes the configuration files dbt loads as seeds (kefu.config.prepare_config)."""
    return build_db_path().parent / "config"


def config_env() -> dict[str, str]:
    """The environment telling dbt which configuration to load: KEFU_SEED_PATH (seed-paths in dbt_project.yml) and
    KEFU_CONFIG_LABEL (the folder the configuration checks name in their messages)."""
    return {"KEFU_SEED_PATH": str(seed_path()), "KEFU_CONFIG_LABEL": str(config_path())}


def build_db_path() -> Path:
    return _path("KEFU_DB_PATH", DEFAULT_DB_PATH)


def published_path() -> Path:
    return _path("KEFU_PUBLISHED_PATH", "data/published/kefu.duckdb")


def run_results_path(kind: str = "daily") -> Path:
    """Where a run's dbt results are kept: the daily build's at KEFU_RUN_RESULTS (default beside the build database),
    the intraday refresh's beside it as run_results_live.json (a refresh never overwrites the daily build's)."""
    daily = Path(os.environ["KEFU_RUN_RESULTS"]) if os.environ.get("KEFU_RUN_RESULTS") else (
        build_db_path().parent / "run_results.json")
    return daily if kind == "daily" else daily.with_name(f"run_results_{kind}.json")


def dbt_target_path() -> Path:
    return _path("KEFU_DBT_TARGET_PATH", "target")


def _seconds(variable: str, default: float) -> float:
    from kefu.errors import UserError

    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{variable} must be a number of seconds, not {text!r}") from None
    if value < 0:
        raise UserError(f"{variable} must be 0 or more, not {text!r}")
    return value


if __name__ == "__main__":  # `python -m kefu.settings db-path` (the Makefile): stdlib only
    import sys

    print({"db-path": build_db_path, "landing-path": landing_path}[sys.argv[1]]())


def lock_wait_seconds() -> float:
    return _seconds("KEFU_LOCK_WAIT_SECONDS", DEFAULT_LOCK_WAIT_SECONDS)


def publish_wait_seconds() -> float:
    """How long publish waits for DuckDB's lock on a file another process holds open (a reader of the run log, a
    run still writing the build database)."""
    return _seconds("KEFU_PUBLISH_WAIT_SECONDS", DEFAULT_PUBLISH_WAIT_SECONDS)


def dbt_env(**extra: str) -> dict[str, str]:
    """The environment of a dbt process: the committed profile, the build database (KEFU_DB_PATH, its default
    here), this project first on PYTHONPATH (the profile's plugin kefu.dbt_plugin), no usage statistics, plus
    `extra`."""
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "DBT_PROFILES_DIR": str(PROFILES_DIR), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "KEFU_DB_PATH": str(build_db_path()), "PYTHONPATH": python_path, **extra}
