"""Shared fixtures.

Tests marked `shared` read the real release files in ../shared/data. They run whenever that folder
exists; under CI (CI set) a missing folder is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture()
def data_dir(fixtures, tmp_path) -> Path:
    """Every importer fixture copied into one writable folder, as a user would drop release files."""
    out = tmp_path / "releases"
    for system in ("cpt", "hcpcs", "icd10cm", "icd10pcs"):
        shutil.copytree(fixtures / system, out / system)
    return out


@pytest.fixture(scope="session")
def real_db(shared_data, tmp_path_factory) -> Path:
    """A database built once per test session from every release file in ../shared/data."""
    from medcodes import codesets, pipeline

    path = tmp_path_factory.mktemp("realdb") / "medcodes.sqlite"
    pipeline.build(path, codesets.choose(shared_data), codesets.read, data_dir=shared_data)
    return path


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory):
    """The shared test world: one database built, with every post-build step, from the official-format
    fixtures in tests/fixtures (no packaged data). Returns the build report (its db_path is the file)."""
    from medcodes import codesets, pipeline

    path = tmp_path_factory.mktemp("fixturedb") / "medcodes.sqlite"
    return pipeline.build(path, codesets.choose(FIXTURES, packaged=False), codesets.read, data_dir=FIXTURES)


@pytest.fixture(scope="session")
def fixture_db(fixture_build) -> Path:
    """The shared test world's database file (read-only: copy it before writing)."""
    return fixture_build.db_path
