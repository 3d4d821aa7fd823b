"""Shared fixtures: the project's real site, built once per test session."""

from __future__ import annotations

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
