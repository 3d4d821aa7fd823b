"""The run's count, for CI: what was collected, deselected and executed.

When ``PAPERNOTES_RUN_REPORT`` names a file, the session writes there at its
end (a temporary file, then ``os.replace``: the file is whole or absent)::

    {"collected": 412, "deselected": 0, "executed": 412,
     "outcomes": {"passed": 400, "skipped": 12}, "exitstatus": 0}

``collected`` counts the items before ``-k``/``-m``/``--deselect``/``--lf``
took any away, ``deselected`` those taken away, ``executed`` the items whose
run finished (pytest_runtest_logfinish), ``outcomes`` the reports: passed,
failed, skipped, xfailed, xpassed, and error for a failing setup or teardown.

A session that would end with exit status 0 although it executed fewer items
than it selected fails with one line: something skipped the running of a
test without a report. A session that stopped early (``-x``, ``--maxfail``,
Ctrl-C, ``pytest.exit``) already ends with a non-zero status. A test that ends
the pytest process leaves no report at all, which .ci/run checks.
"""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path

import pytest

from tools.log import files

ENV = "PAPERNOTES_RUN_REPORT"


class RunCount:
    def __init__(self, target: str | None) -> None:
        self.target = target
        self.session: pytest.Session | None = None
        self.deselected = 0
        self.selected = 0
        self.executed = 0
        self.outcomes: collections.Counter[str] = collections.Counter()

    def pytest_deselected(self, items) -> None:
        self.deselected += len(items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = len(session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.failed and report.when != "call":
                outcome = "error"
            elif hasattr(report, "wasxfail"):
                outcome = "xfailed" if report.skipped else "xpassed"
            else:
                outcome = report.outcome
            self.outcomes[outcome] += 1
        elif report.when == "teardown" and report.failed:
            self.outcomes["error"] += 1

    def pytest_runtest_logfinish(self) -> None:
        self.executed += 1

    def report(self, exitstatus: int) -> dict:
        return {
            "collected": self.selected + self.deselected,
            "deselected": self.deselected,
            "executed": self.executed,
            "outcomes": dict(sorted(self.outcomes.items())),
            "exitstatus": int(exitstatus),
        }

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config = session.config
        stopped = session.shouldstop or session.shouldfail or config.option.collectonly
        if exitstatus == pytest.ExitCode.OK and not stopped and self.executed < self.selected:
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            line = (
                f"runcount: {self.selected} tests were selected but only {self.executed} ran to the end, "
                "and nothing stopped the session: the run is incomplete"
            )
            if reporter is not None:
                reporter.write_line(line, red=True, bold=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.target and self.session is not None:
            report = self.report(self.session.exitstatus)
            write_atomically(Path(self.target), json.dumps(report, indent=1) + "\n")

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session


def write_atomically(path: Path, text: str) -> None:
    """The report whole under its name, or not at all (.ci/run reads it as soon as pytest ends)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = files.write_temporary(path, text.encode("utf-8"), files.new_file_mode(), ".tmp")
    try:
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def pytest_configure(config: pytest.Config) -> None:
    # Taken out of the environment: a pytest that a test starts (pytester, in this
    # process or another) must not write the outer run's report.
    config.pluginmanager.register(RunCount(os.environ.pop(ENV, None)), "papernotes-runcount")
