"""Shared fixtures.

Tests marked `shared` read the real release files in ../shared/data. They run whenever that folder
exists; under CI (CI set) a missing folder is a failure, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = Path(os.environ.get("MEDCODES_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {SHARED_DATA} does not exist: real-data tests must run in CI")
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def real_db(shared_data, tmp_path_factory) -> Path:
    """A database built once per test session from every release file in ../shared/data."""
    from medcodes import codesets
    from medcodes.store import build

    path = tmp_path_factory.mktemp("realdb") / "medcodes.sqlite"
    build.build(path, codesets.choose(shared_data), codesets.read, data_dir=shared_data)
    return path


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Path:
    """A small database built from the hand-written fixtures in tests/fixtures (no packaged data)."""
    from medcodes import codesets
    from medcodes.store import build

    path = tmp_path_factory.mktemp("fixturedb") / "medcodes.sqlite"
    build.build(path, codesets.choose(FIXTURES, packaged=False), codesets.read, data_dir=FIXTURES)
    return path
