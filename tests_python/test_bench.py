"""The benchmark's figures: the performance table comes from benchmarks/*.json, and memory is the measured tree's own."""
from __future__ import annotations

import sys

from kefu.bench import ROOT, TABLE_END, TABLE_START, _timed, bench_table


def test_readme_performance_table_is_generated_from_benchmark_json():
    readme = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    section = readme.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    assert section == bench_table().strip(), "docs/performance.md table out of date: run `kefu bench-table`"


def test_peak_memory_is_the_child_process_tree_not_the_caller():
    # a child holding ~300 MiB is seen; a child that allocates nothing is not charged this process's memory
    big = _timed([sys.executable, "-c", "import time; b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
                  "time.sleep(1.0)"], {})
    small = _timed([sys.executable, "-c", "import time; time.sleep(1.0)"], {})
    assert big["peak_memory_mib"] >= 250, big
    assert small["peak_memory_mib"] < 100, small
