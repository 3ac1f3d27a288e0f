"""One default build database: a plain `dbt build` (the profile's fallback) and kefu (kefu/settings.py) write the
same file when KEFU_DB_PATH is unset."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

from kefu import settings


def test_profile_falls_back_to_the_settings_default():
    profile = (ROOT / "profiles" / "profiles.yml").read_text()
    assert f"env_var('KEFU_DB_PATH', '{settings.DEFAULT_DB_PATH}')" in profile
    env = {k: v for k, v in os.environ.items() if k != "KEFU_DB_PATH"}
    printed = subprocess.run([sys.executable, "-m", "kefu.settings", "db-path"], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True).stdout.strip()
    assert printed == str(ROOT / settings.DEFAULT_DB_PATH)
