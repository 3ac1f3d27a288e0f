"""The rule registry (var `rule_registry` in dbt_project.yml) read from Python: the README's vars table.

The registry names every var of the project with its kind, whether seeds/shop_rules.csv may set it per shop, and
its meaning; the default is the var's own value in dbt_project.yml. The dbt macros validate_vars and
assert_valid_shop_rules read the same registry, so the table, the var check and the seed check cannot drift apart.
"""
from __future__ import annotations

from pathlib import Path


from kefu.settings import ROOT
from kefu.yamlfile import read_yaml

PROJECT = ROOT / "dbt_project.yml"
README = ROOT / "README.md"
TABLE_START = "<!-- vars-table:start (written by `kefu vars-table` from the rule registry in dbt_project.yml) -->"
TABLE_END = "<!-- vars-table:end -->"
KIND_WORDS = {
    "text": "text", "date": "date", "date_or_null": "date or null", "share": "share 0–1", "share_open": "share, 0 < x < 1",
    "whole_1": "whole number ≥ 1", "whole_0": "whole number ≥ 0", "boolean": "true / false",
    "time": "HH:MM (00:00–24:00)", "choice": "one of",
}


def project_vars(project: Path = PROJECT) -> dict:
    return read_yaml(project)["vars"]


def registry(project: Path = PROJECT) -> dict[str, dict]:
    return project_vars(project)["rule_registry"]


def _default(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{value}`"


def vars_table(project: Path = PROJECT) -> str:
    """The vars table: var, default, kind, per shop, meaning — one row per registry entry, in registry order."""
    values = project_vars(project)
    lines = ["| var | default | values | per shop | meaning |", "|---|---|---|---|---|"]
    for name, spec in registry(project).items():
        kind = KIND_WORDS[spec["kind"]]
        if spec["kind"] == "choice":
            kind += " " + ", ".join(f"`{v}`" for v in spec["allowed"])
        lines.append(f"| `{name}` | {_default(values.get(name))} | {kind} | {'yes' if spec.get('per_shop') else ''} | "
                     f"{spec['meaning']} |")
    return "\n".join(lines)


def readme_vars_section(readme: Path = README) -> str:
    text = readme.read_text(encoding="utf-8")
    return text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()


def write_readme_vars_table(readme: Path = README) -> None:
    text = readme.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        raise RuntimeError(f"{readme} has no vars-table markers")
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    readme.write_text(f"{head}{TABLE_START}\n{vars_table()}\n{TABLE_END}{tail}", encoding="utf-8")
