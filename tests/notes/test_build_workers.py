"""test_build_workers.py's tests that name this log's own notes and pages (the rest of test_build_workers.py holds for any log)."""

from __future__ import annotations

import re
from tools.site.build import run_mkdocs
import gzip
from pathlib import Path

SERIAL = {"PAPERNOTES_PRERENDER": "0", "PAPERNOTES_SEARCH_WORKER": "0"}


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data  # gzip stamps its own time


def test_the_workers_did_the_work(site):
    converted = re.search(r"prerender: (\d+) of (\d+) pages converted by the worker", site.log)
    assert converted, site.log[-2000:]
    done, pages = map(int, converted.groups())
    assert pages > 40 and done >= pages // 4, f"the worker converted only {done} of {pages} pages"


def test_the_site_is_byte_for_byte_what_a_serial_build_writes(site, tmp_path, monkeypatch):
    for name, value in SERIAL.items():
        monkeypatch.setenv(name, value)
    result = run_mkdocs(tmp_path / "serial")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "converted by the worker" not in result.stderr
    ours = {p.relative_to(site.path) for p in site.path.rglob("*") if p.is_file()}
    serial = {p.relative_to(tmp_path / "serial") for p in (tmp_path / "serial").rglob("*") if p.is_file()}
    assert ours == serial
    differ = [str(p) for p in sorted(ours) if _read(site.path / p) != _read(tmp_path / "serial" / p)]
    assert differ == []
    # The comparison covers the search index whose terms the worker counted.
    shards = site.path / "search" / "shards"
    assert (shards / "index.json").stat().st_size > 20_000
    assert len(list(shards.glob("*/t*.json"))) > 1 and len(list(shards.glob("*/d*.json"))) > 1
