"""A shop's own configuration, apart from the sample's: the files kefu reads besides the landing exports.

The configuration is a folder of CSV files, each optional, each one of the project's seeds (their contracts, columns
and checks are in models/staging/config/_config__seeds.yml and the stg_config__* models):

    shops.csv             the shops: name, category and tier (同行同层), time zone
    shop_rules.csv        per-shop rules from a date on (自定义绩效配置)
    kpi_plan.csv          绩效考核 bands per shop (or group) and month
    commission_plan.csv   提成 tiers per shop (or group)
    filter_accounts.csv   buyer accounts whose receptions are filtered (test / internal / vendor accounts)
    ad_patterns.csv       ad message patterns (广告过滤)
    peer_benchmarks.csv   同行同层 优秀 / 平均 figures per platform, category, tier and month

Where it lives (kefu.settings.config_path): `KEFU_CONFIG_PATH`, else the folder `config/` inside the landing folder.
A file the folder does not hold — or no folder at all — takes its default from kefu/config_defaults/ (no shops
listed, no rules, no plans, no filtered accounts, no peer figures; the common ad patterns). A shop listed nowhere
builds with the global vars and the default time zone.

The sample's configuration is seeds/ itself (dbt's seed folder when dbt runs alone, as the tests and `make build`
run it); `kefu generate` copies it into the sample landing's config/ folder, so `kefu build` of the sample reads it
the same way as a user's. A user's files never mix with the sample's.

Before dbt runs, `kefu check-landing` (and every `kefu build` / `kefu refresh` / Dagster run through it) checks the
folder — known file names, UTF-8, the header of each file, the field count of each line — reporting one line per
problem, then writes the files dbt loads (the user's, else the defaults) to
`config/` beside the build database (kefu.settings.seed_path), which dbt reads through env KEFU_SEED_PATH. The
checks of the values (known shop, platform, dates, bands, …) run in dbt and name the user's file and line.
"""
from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path


from kefu.errors import UserError
from kefu.yamlfile import read_yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "seeds"
DEFAULTS_DIR = Path(__file__).resolve().parent / "config_defaults"
PROPERTIES = ROOT / "models" / "staging" / "config" / "_config__seeds.yml"


@dataclass(frozen=True)
class ConfigFile:
    columns: list[str]  # in the seed's order (its column_types in the seeds' properties)
    required: list[str]  # the columns a user's file must have (meta.required_columns); the others may be left out


def config_files() -> dict[str, ConfigFile]:
    """Configuration file name -> its contract, from the seeds' properties (PROPERTIES)."""
    seeds = read_yaml(PROPERTIES)["seeds"]
    return {f"{seed['name']}.csv": ConfigFile(list(seed["config"]["column_types"]),
                                              list(seed["config"]["meta"]["required_columns"])) for seed in seeds}


@dataclass
class ConfigReport:
    folder: Path | None
    provided: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rows: dict[str, list[list[str]]] = field(default_factory=dict)  # file -> data rows in the contract's order

    def summary(self) -> str:
        if self.folder is None:
            return "configuration: none (every file at its default)"
        given = ", ".join(self.provided) or "no file"
        rest = [name for name in config_files() if name not in self.provided]
        return f"configuration {self.folder}: {given}" + (f"; defaults for {', '.join(rest)}" if rest else "")


def _read(path: Path, name: str, contract: ConfigFile, report: ConfigReport) -> None:
    """Check one configuration file and keep its rows in the contract's columns (a column left out = empty)."""
    columns = contract.columns
    label = f"{path}"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.problems.append(f"{label}: not valid UTF-8 at byte {exc.start} (save it as UTF-8 CSV)")
        return
    if not text.strip():
        report.notices.append(f"{label} is empty: {name} at its default")
        return
    lines = list(csv.reader(io.StringIO(text)))
    header = [cell.strip() for cell in lines[0]]
    missing = [c for c in contract.required if c not in header]
    unknown = [c for c in header if c not in columns]
    if missing or unknown or len(set(header)) != len(header):
        parts = ([f"missing column {', '.join(missing)}"] if missing else []) + (
            [f"unknown column {', '.join(unknown)}"] if unknown else []) + (
            ["a column appears twice"] if len(set(header)) != len(header) else [])
        report.problems.append(f"{label}: line 1 (header): {'; '.join(parts)} (required: "
                               f"{', '.join(contract.required)}; optional: "
                               f"{', '.join(c for c in columns if c not in contract.required) or 'none'})")
        return
    position = [header.index(c) if c in header else None for c in columns]
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not cells or all(not cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            report.problems.append(f"{label}: line {number}: {len(cells)} fields, the header has {len(header)}")
            continue
        rows.append(["" if i is None else cells[i] for i in position])
    report.provided.append(name)
    report.rows[name] = rows


def check_config(folder: Path | None) -> ConfigReport:
    """Every problem of a configuration folder, one line each (never raises); None or a missing folder = no
    configuration."""
    if folder is None or not folder.exists():
        return ConfigReport(folder=None)
    report = ConfigReport(folder=folder)
    if not folder.is_dir():
        report.problems.append(f"{folder}: the configuration path is not a folder (KEFU_CONFIG_PATH)")
        return report
    files = config_files()
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix.lower() != ".csv":
            continue
        if path.name not in files:
            report.problems.append(f"{path}: unknown configuration file (kefu reads: {', '.join(files)})")
            continue
        _read(path, path.name, files[path.name], report)
    return report


def _write_csv(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def prepare_config(folder: Path | None, out: Path) -> ConfigReport:
    """Check the configuration folder, then write the files dbt loads into `out` (replaced whole): the user's
    files, the defaults for the rest, and the seeds' properties. Raises UserError listing every problem."""
    report = check_config(folder)
    if report.problems:
        raise UserError(f"{len(report.problems)} configuration problem(s), nothing built:\n  "
                        + "\n  ".join(report.problems))
    staging = out.with_name(out.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, columns in config_files().items():
        if name in report.rows:
            _write_csv(staging / name, columns.columns, report.rows[name])
        else:
            shutil.copyfile(DEFAULTS_DIR / name, staging / name)
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return report


def write_sample_config(landing: Path) -> Path:
    """The sample's configuration (seeds/*.csv) as the config/ folder of a generated landing."""
    target = landing / "config"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in config_files():
        shutil.copyfile(SAMPLE_DIR / name, target / name)
    return target
