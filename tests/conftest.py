"""Shared fixtures: the project's real site, built once per test session; one torch thread
for the notes' tests that ask for it; the report of each module's largest differences."""

from __future__ import annotations

import sys

import pytest

from tools.site.build import SiteBuild, build_site


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> SiteBuild:
    """The site as `mkdocs build --strict` makes it from this checkout."""
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory) -> SiteBuild:
    """The offline variant (OFFLINE=true), meant to be opened from file://."""
    return build_site(tmp_path_factory.mktemp("site-offline"), offline=True)


@pytest.fixture(scope="module")
def one_thread():
    """torch computes on one thread while the module's tests run, and on as many as before
    afterwards. For modules of small tensors (``pytestmark = pytest.mark.usefixtures("one_thread")``):
    on a busy machine a second OpenMP thread only spin-waits, which made them several times
    slower and gains nothing."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module", autouse=True)
def _report_largest(request: pytest.FixtureRequest):
    """At the end of a module, prints each tests.support.Largest table it holds at module level."""
    yield
    support = sys.modules.get("tests.support")  # not imported: no module has a table
    if support is None:
        return
    for value in vars(request.module).values():
        if isinstance(value, support.Largest):
            value.report()
