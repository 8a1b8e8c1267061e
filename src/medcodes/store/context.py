"""What a post-build step receives: the database being built, the build's paths and the settings.

These types sit in the store (below the features) so that feature steps can name them without the
store naming any feature; `medcodes.pipeline` decides which steps run, in which order."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from medcodes.store.build import BuildReport

SEARCH_DIR = "search"


@dataclass(frozen=True, slots=True)
class Settings:
    """Build settings; `medcodes.pipeline` reads them from the environment once."""

    semantic: bool = False  # blend sentence embeddings into similar codes (MEDCODES_SEMANTIC)
    cache_dir: Path | None = None  # where caches go instead of beside the database (MEDCODES_CACHE)


@dataclass(frozen=True, slots=True)
class BuildPaths:
    """Every path a build writes or reads, decided once."""

    database: Path  # the finished database (what the rename produces)
    building: Path  # the temporary file written during the build
    artefacts: Path  # folder of derived files, named after the build
    search: Path  # the full-text index, inside `artefacts`
    cache: Path  # kept across builds (embeddings), so a rebuild does not recompute them

    @classmethod
    def of(cls, database: Path, build_id: str, cache_dir: Path | None = None) -> BuildPaths:
        database = Path(database)
        artefacts = database.parent / f"{database.stem}-{build_id}"
        return cls(
            database=database,
            building=database.with_name(f".{database.name}.building-{build_id}"),
            artefacts=artefacts,
            search=artefacts / SEARCH_DIR,
            cache=cache_for(database, cache_dir),
        )


def cache_for(database: Path, cache_dir: Path | None = None) -> Path:
    """Beside the database file, in a folder the build's stale-artefact sweep leaves alone."""
    return Path(cache_dir) if cache_dir else Path(database).parent / f"{Path(database).stem}.cache"


@dataclass
class BuildContext:
    """What a post-build step gets: the new database, the build's paths and settings."""

    conn: sqlite3.Connection
    paths: BuildPaths
    report: BuildReport
    settings: Settings = field(default_factory=Settings)
    progress: Callable[[str, int | None], Callable[[int], None]] | None = None
    data_dir: Path | None = None  # the release folder, for steps that import more files from it

    @property
    def artefacts(self) -> Path:
        return self.paths.artefacts


Step = tuple[str, Callable[[BuildContext], None]]
