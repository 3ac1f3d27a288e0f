"""The rule registry (dbt_project.yml `rule_registry`) is the one list of rules: every var has an entry, the README's
vars table is generated from it, and the var check and the shop_rules.csv check read the same kinds, so they accept
and refuse the same values (a time of 24:59 is refused by both)."""
from __future__ import annotations

import json
import shutil

from conftest import project_copy, run_dbt
from kefu.rules import project_vars, readme_vars_section, registry, vars_table


def test_every_var_has_a_registry_entry_and_the_readme_table_is_generated():
    names = set(project_vars()) - {"rule_registry"}
    assert names == set(registry()), "vars without a registry entry, or entries without a var"
    assert readme_vars_section() == vars_table().strip(), "README vars table out of date: run `kefu vars-table`"


def test_var_check_and_shop_rules_check_refuse_the_same_bad_time(small_landing, tmp_path):
    proc = run_dbt(["seed", "--select", "shops", "--vars", json.dumps({"assessment_end": "24:59"})],
                   tmp_path / "vars.duckdb", small_landing, "target_pytest_registry_vars")
    assert proc.returncode != 0
    assert "Invalid var assessment_end=24:59: expected a time HH:MM (00:00 to 24:00)." in proc.stdout

    project = project_copy(tmp_path / "project")
    seed = project / "seeds" / "shop_rules.csv"
    header = seed.read_text(encoding="utf-8").splitlines()[0].split(",")
    row = {c: "" for c in header} | {"platform": "taobao", "shop_id": "tb01", "effective_from": "2026-11-01",
                                     "assessment_end": "24:59"}
    seed.write_text(",".join(header) + "\n" + ",".join(row[c] for c in header) + "\n", encoding="utf-8")
    proc = run_dbt(["seed"], tmp_path / "seed.duckdb", small_landing, "target_pytest_registry_seed", project=project)
    proc = run_dbt(["run", "--select", "stg_config__shop_rules"], tmp_path / "seed.duckdb", small_landing,
                   "target_pytest_registry_seed", project=project)
    assert proc.returncode != 0
    assert "assessment_end must be a time HH:MM (00:00 to 24:00), not 24:59" in proc.stdout
    shutil.rmtree(project)
