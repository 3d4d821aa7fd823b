"""Verification records: snippets/verified.json says which version of each
module passed its tests on which device. Test runs write it; nothing else does.

    {
      "moco": {
        "sha256": "<sha256 of snippets/moco.py without its block-line comments>",
        "devices": {
          "cpu": {"date": "2026-11-23", "device_name": "AMD EPYC 7763 64-Core Processor",
                  "tests_passed": 12, "torch": "2.13.0+cpu"}
        }
      }
    }

The tests of snippets/<name>.py are tests/notes/test_<name>.py (or
tests/test_<name>.py, where a log made before tests/notes/ keeps them). A device's record is
written at the end of a run in which every one of that file's tests for the
device ran and passed: those that take the ``device`` fixture with that device,
and those that take no device (they count for every device; a file with only
such tests records the CPU). Nothing is recorded for a module whose file was
cut by ``-k``, ``-m``, ``--deselect``, ``--lf`` or a ``file::test`` argument, had
a test fail, skip or xfail, or whose snippets/<name>.py changed during the run;
nothing at all from an interrupted run or ``--collect-only``. A test that
fails removes the record of that version for its device (for every device
when the test takes none): the record no longer holds.

Stability. The file is rewritten only when a record's substance changes: the
module's hash, the device kind, the torch version or the number of tests that
passed. A record whose substance is unchanged keeps its old date and the name
of the machine it was made on, so a clean run on any machine with the locked
torch leaves the file (and ``git status``) as it was; new code, another torch
or another test count changes it, and those changes are meant to be committed. The hash is of the
generated file without its block-line comments (``# docs/x.md:12``,
tools.extract.code_digest): editing the text above a block in its note moves
those lines, not the code, and the records stay. A change to the code makes
the module "not verified for this version" until the tests run again; when a
module's hash changes, the records of other devices for the old hash go.
Records that name the whole file's hash, as they did before, are read as
records of the code the module has now when that hash is still the file's.
Modules that no longer exist are dropped.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import platform
from pathlib import Path

import pytest

from tests.plugins.devices import DEVICES, item_device
from tools.log.snippets import code_digest

RECORDS = Path("snippets") / "verified.json"
# What a record asserts, besides the module's hash and the device kind (its key):
# a run that finds these unchanged keeps the earlier record, date and machine name
# included, so re-verifying the same code on another machine of the same kind
# leaves the file as it was.
SUBSTANCE = ("tests_passed", "torch")
UNFINISHED = (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR)


def sha256(path: Path) -> str:
    """What a record names: the module's hash without its block-line comments."""
    return code_digest(path.read_text(encoding="utf-8"))


def whole_file_sha256(path: Path) -> str:
    """What a record named before block-line comments were left out (read when carrying it over)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def carried_over(old: dict, snippets: Path) -> dict:
    """``old`` with each record that names its module's whole-file hash renamed to the module's
    code_digest: a record written before the hash left block-line comments out, for the code
    the module has now."""
    new = {}
    for name, entry in old.items():
        file = snippets / f"{name}.py"
        if file.is_file() and entry.get("sha256") == whole_file_sha256(file):
            entry = {**entry, "sha256": sha256(file)}
        new[name] = entry
    return new


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def device_name(device: str) -> str:
    if device == "cuda":
        import torch

        return torch.cuda.get_device_name()
    return cpu_name()


def torch_version() -> str:
    import torch

    return torch.__version__


def passed_per_device(tests: dict[str, str | None], outcomes: dict[str, str]) -> dict[str, int]:
    """Device -> tests passed, for each device all of whose tests passed.

    ``tests`` maps a test's node id to its device (None: independent of it);
    ``outcomes`` maps node ids to "passed", "failed", "skipped" or "xfail".
    """
    free = [test for test, device in tests.items() if device is None]
    if any(outcomes.get(test) != "passed" for test in free):
        return {}
    by_device: dict[str, list[str]] = {}
    for test, device in tests.items():
        if device is not None:
            by_device.setdefault(device, []).append(test)
    if not by_device:
        return {"cpu": len(free)} if free else {}
    return {
        device: len(group) + len(free)
        for device, group in sorted(by_device.items())
        if all(outcomes.get(test) == "passed" for test in group)
    }


def failed_devices(tests: dict[str, str | None], outcomes: dict[str, str]) -> set[str]:
    """The devices for which a test failed (all of them when a device-free test failed)."""
    failed = {device for test, device in tests.items() if outcomes.get(test) == "failed"}
    return set(DEVICES) if None in failed else failed


def updated(
    old: dict,
    verified: dict[str, tuple[str, dict[str, int]]],
    modules: set[str],
    about: dict[str, dict[str, str]],
    failed: dict[str, tuple[str, set[str]]] | None = None,
) -> dict:
    """The new content of verified.json.

    ``verified``: module -> (sha256, {device: tests passed}) from this run;
    ``modules``: the modules that exist; ``about``: device -> its torch,
    device_name and date; ``failed``: module -> (sha256, devices on which one
    of its tests failed in this run): a record of that version goes.
    """
    new = {name: entry for name, entry in old.items() if name in modules}
    for name, (digest, devices) in (failed or {}).items():
        entry = new.get(name)
        if entry and entry.get("sha256") == digest and devices & set(entry.get("devices", {})):
            records = {device: record for device, record in entry["devices"].items() if device not in devices}
            if records:
                new[name] = {"sha256": digest, "devices": records}
            else:
                del new[name]
    for name, (digest, devices) in verified.items():
        if not devices:
            continue
        entry = new.get(name) or {}
        records = dict(entry.get("devices", {})) if entry.get("sha256") == digest else {}
        for device, passed in devices.items():
            record = {"tests_passed": passed, **about[device]}
            previous = records.get(device)
            if previous and all(previous.get(field) == record[field] for field in SUBSTANCE):
                record = previous
            records[device] = record
        new[name] = {"sha256": digest, "devices": records}
    return new


def dumps(records: dict) -> str:
    return json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Recorder:
    """Follows a test run and writes the records at its end."""

    def __init__(self, config: pytest.Config) -> None:
        self.root = config.rootpath
        self.config = config
        self.tests: dict[str, dict[str, str | None]] = {}  # module -> node id -> device
        self.cut: set[str] = set()  # modules whose tests were not all collected
        self.hashes: dict[str, str] = {}
        self.outcomes: dict[str, str] = {}
        self.summary: list[str] = []

    def module_of(self, path: Path) -> str | None:
        if path.parent not in (self.root / "tests", self.root / "tests" / "notes") or not (path.name.startswith("test_") and path.suffix == ".py"):
            return None
        name = path.stem.removeprefix("test_")
        return name if (self.root / "snippets" / f"{name}.py").is_file() else None

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            module = self.module_of(item.path)
            if module:
                self.cut.add(module)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for arg in self.config.args:
            if "::" in arg:
                module = self.module_of((self.config.invocation_params.dir / arg.split("::")[0]).resolve())
                if module:
                    self.cut.add(module)
        for item in session.items:
            module = self.module_of(item.path)
            if module:
                self.tests.setdefault(module, {})[item.nodeid] = item_device(item)
        for module in self.tests:
            self.hashes[module] = sha256(self.root / "snippets" / f"{module}.py")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
        elif hasattr(report, "wasxfail"):
            self.outcomes[report.nodeid] = "xfail"
        elif report.skipped:
            self.outcomes.setdefault(report.nodeid, "skipped")
        elif report.when == "call":
            self.outcomes.setdefault(report.nodeid, "passed")

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if exitstatus in UNFINISHED or self.config.option.collectonly:
            return
        verified: dict[str, tuple[str, dict[str, int]]] = {}
        failed: dict[str, tuple[str, set[str]]] = {}
        for module, tests in self.tests.items():
            file = self.root / "snippets" / f"{module}.py"
            if not file.is_file() or sha256(file) != self.hashes[module]:
                continue
            if failed_devices(tests, self.outcomes):
                failed[module] = (self.hashes[module], failed_devices(tests, self.outcomes))
            devices = {} if module in self.cut else passed_per_device(tests, self.outcomes)
            if devices:
                verified[module] = (self.hashes[module], devices)
        path = self.root / RECORDS
        if not path.exists() and not verified:
            return
        try:
            old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except ValueError as error:
            self.summary.append(f"{RECORDS}: unreadable ({error}); written anew")
            old = {}
        old = carried_over(old, self.root / "snippets")
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        devices = {device for _, found in verified.values() for device in found}
        about = {
            device: {"date": today, "device_name": device_name(device), "torch": torch_version()}
            for device in devices
        }
        modules = {file.stem for file in (self.root / "snippets").glob("*.py") if file.name != "__init__.py"}
        text = dumps(updated(old, verified, modules, about, failed))
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            self.summary.append(f"{RECORDS}: updated")
        for module, (_, devices) in sorted(failed.items()):
            self.summary.append(f"not verified snippets/{module}.py: a test failed on {', '.join(sorted(devices))}")
        for module, (_, found) in sorted(verified.items()):
            counts = ", ".join(f"{device} {passed}" for device, passed in found.items())
            self.summary.append(f"verified snippets/{module}.py ({counts} tests passed)")

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for line in self.summary:
            terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Recorder(config), "papernotes-verified")
