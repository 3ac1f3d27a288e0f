# kefu — two commands: `make build` (set up, sample data, `kefu build`: dbt build, gate, publish) and `make test`
# (everything CI checks, the Spark parity included).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export KEFU_LANDING_PATH ?= $(CURDIR)/data/landing
# the build database: its default lives in kefu/settings.py only (stdlib, so any Python 3.11 reads it)
ifndef KEFU_DB_PATH
export KEFU_DB_PATH := $(shell cd $(CURDIR) && $(PYTHON) -m kefu.settings db-path)
endif
# this worktree's `kefu` first (the dbt profile's plugin kefu.dbt_plugin, and the CLI)
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))
# the Spark build (dbt --target spark): warehouse, metastore and Derby files (profiles/profiles.yml)
export KEFU_SPARK_DIR ?= $(CURDIR)/data/spark
# the landing file catalog `kefu check-landing --catalog` writes for the Spark build (macro spark__prepare_landing)
export KEFU_LANDING_CATALOG ?= $(KEFU_SPARK_DIR)/landing_catalog.jsonl
export KEFU_PUBLISHED_PATH ?= $(CURDIR)/data/published/kefu.duckdb
# the last `dbt build`'s results, kept beside the build database (later dbt commands such as docs overwrite target/)
export KEFU_RUN_RESULTS ?= $(dir $(KEFU_DB_PATH))run_results.json
export GX_ANALYTICS_ENABLED := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: build test install install-dev install-dashboard sample dbt-build docs check publish lint pytest bench dashboard \
	chromium e2e clean spark-install spark-build spark-parity spark-check test-spark spark-bench

# the sample through the one run sequence (kefu.pipeline.run: lock, landing and configuration check, dbt build,
# quality gate, gated publish), from an empty build database
build: install sample
	rm -f $(KEFU_DB_PATH) $(KEFU_DB_PATH).wal
	KEFU_GATE_VOLUME_LOW=$${KEFU_GATE_VOLUME_LOW:-0.25} $(BIN)/kefu build
	@$(MAKE) --no-print-directory docs

# spark-check (Java 17 and .venv-spark from spark-install, the Spark build, kefu spark-parity, test_spark_parity.py)
# runs against the sample's DuckDB build; pytest comes last, so .ci/run's last line is its summary (in .venv,
# without pyspark, it skips test_spark_parity.py).
test: install-dev chromium lint sample dbt-build spark-check pytest

# the core (generator, dbt on DuckDB, gate, publish); install-dev adds the dashboard, Dagster, MetricFlow and the test
# tools (pyproject.toml extras)
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "kefu: $(PYTHON) not found (Python 3.11 is required)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install-dashboard: $(VENV)/.installed
	$(BIN)/python -c "import streamlit" 2>/dev/null || $(BIN)/pip install --quiet -e '.[dashboard]'

sample: install
	$(BIN)/kefu generate --out $(KEFU_LANDING_PATH)

dbt-build: install
	mkdir -p $(dir $(KEFU_DB_PATH))
	rm -f $(KEFU_DB_PATH) $(KEFU_DB_PATH).wal
	$(BIN)/kefu check-landing --landing $(KEFU_LANDING_PATH)
	rm -f $(KEFU_RUN_RESULTS)
	$(BIN)/dbt build --project-dir .; rc=$$?; cp target/run_results.json $(KEFU_RUN_RESULTS); exit $$rc

# dbt docs (models, columns, lineage, exposures) as static HTML: open target/index.html, or `dbt docs serve`.
docs: install
	$(BIN)/dbt docs generate --project-dir . --static
	@echo "dbt docs: $(CURDIR)/target/static_index.html"

# Quality gate (kefu/gate.py). The synthetic sample's shop-days swing to 0.33x their trailing median (buyers come in
# bursts), so the sample build judges volume at 0.25x; real data keeps kefu's default 0.5x unless this is set.
check: install
	KEFU_GATE_VOLUME_LOW=$${KEFU_GATE_VOLUME_LOW:-0.25} $(BIN)/kefu check

# Publishes only when the last dbt build and the gate passed; refusals exit 2 and leave the published file unchanged.
publish: install
	$(BIN)/kefu publish

# The dbt templater opens a DuckDB connection while compiling: give it its own file in an existing folder, and no
# landing scan (kefu/dbt_plugin.py; lint runs before the sample exists and reads no data).
lint: install-dev
	mkdir -p $(CURDIR)/data/build
	KEFU_LANDING_SCAN=0 KEFU_DB_PATH=$(CURDIR)/data/build/lint.duckdb $(BIN)/sqlfluff lint models tests/singular analyses --processes 2

# two workers, one test file each at a time (module fixtures stay in one worker); dbt target folders per worker
pytest: install-dev
	$(BIN)/python -m pytest tests_python -q -n 2 --dist loadfile

bench: install
	$(BIN)/kefu bench --size $${SIZE:-M}
	$(BIN)/kefu bench-table

# Streamlit dashboard on the published file (read-only): make dashboard PORT=8501
dashboard: install-dashboard
	$(BIN)/kefu dashboard --port $${PORT:-8501}

# Headless browser for the dashboard test (Debian packages; needs root or sudo-less apt).
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null) || \
	  echo "WARNING: could not install chromium (needs Debian apt as root): the browser test will be skipped"

# Browser test: dashboard pages rendered in headless Chromium, figures checked against the marts;
# screenshots in test-output/screenshots/.
e2e: install-dev chromium
	$(BIN)/python -m pytest tests_python/test_dashboard_e2e.py -q

# Apache Spark: Java 17 (Debian package, needs root) and the optional `spark` extra (dbt-spark, pyspark) in
# a virtualenv of its own, .venv-spark: with pyspark installed, importing great_expectations (the quality gate) ends
# the process in subprocesses without a main file (Dagster steps, pytest-xdist workers), so .venv stays Spark-free.
SPARK_VENV := .venv-spark
SPARK_BIN := $(SPARK_VENV)/bin

spark-install: install $(SPARK_VENV)/.installed
	@command -v java >/dev/null || \
	  (command -v apt-get >/dev/null && apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null) || \
	  echo "WARNING: java not found and could not install openjdk-17-jre-headless (needs Debian apt as root): install Java 17 yourself, Spark cannot start without it"

$(SPARK_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_BIN)/pip install --quiet --upgrade pip
	$(SPARK_BIN)/pip install --quiet -e '.[spark]'
	touch $@

# The same dbt project on Spark local mode (pyspark in-process; tables are Parquet folders under KEFU_SPARK_DIR).
spark-build: spark-install
	rm -rf $(KEFU_SPARK_DIR)
	mkdir -p $(KEFU_SPARK_DIR)
	$(BIN)/kefu check-landing --landing $(KEFU_LANDING_PATH) --catalog $(KEFU_LANDING_CATALOG)
	$(SPARK_BIN)/dbt build --project-dir . --target spark --target-path target/spark --log-path $(KEFU_SPARK_DIR)/logs

# Every published mart of the Spark build equals the DuckDB build's (amounts to the cent, rates to 1e-9); reads the
# Parquet folders with DuckDB, so it runs in .venv.
spark-parity: install
	$(BIN)/kefu spark-parity

# Spark build, parity of every published mart and its pytest, against the DuckDB build already there (`make test`
# runs it after dbt-build; Java 17 and .venv-spark come from spark-install).
spark-check: spark-build spark-parity
	$(SPARK_BIN)/python -m pytest tests_python/test_spark_parity.py -q -p no:cacheprovider

test-spark: spark-install sample dbt-build spark-check

# Wall time of a full dbt build on DuckDB and on Spark local mode (own folders under data/bench_spark/):
# benchmarks/spark_S.json
spark-bench: spark-install sample
	$(SPARK_BIN)/python -m kefu.spark_bench --scale S

clean:
	rm -rf target logs data test-output $(VENV) $(SPARK_VENV)
