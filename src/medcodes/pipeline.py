"""The build pipeline: the ordered post-build steps, the build's paths and its settings.

The store imports release records and runs the steps it is given; it names no feature. This module
owns the list. Steps are named by dotted path and resolved when a build runs, so the pipeline sits
below the features in the import layers (features import the store's context types, never this
module's step list) and a new feature adds itself with one line here.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from medcodes.models import CodeRecord, Source
from medcodes.store import build as store_build
from medcodes.store.build import BuildError, BuildReport
from medcodes.store.context import BuildContext, BuildPaths, Settings, Step, cache_for

__all__ = [
    "SETTINGS",
    "STEPS",
    "BuildContext",
    "BuildError",
    "BuildPaths",
    "Settings",
    "build",
    "cache_for",
    "settings_from_env",
    "steps",
]


def settings_from_env(env: dict[str, str] | os._Environ[str] = os.environ) -> Settings:
    cache = env.get("MEDCODES_CACHE")
    return Settings(
        semantic=env.get("MEDCODES_SEMANTIC", "").strip().lower() in ("1", "true", "yes", "on"),
        cache_dir=Path(cache) if cache else None,
    )


# Read once, here, when the pipeline is imported.
SETTINGS = settings_from_env()

# Post-build steps in the order they run on the new database before it is renamed into place:
# (name, "module:function"); each function takes a BuildContext.
STEPS: tuple[tuple[str, str], ...] = (
    ("search", "medcodes.search.index:build_index"),
    ("similar", "medcodes.similar.build:build_step"),
    ("history", "medcodes.history.build:build_step"),
    ("payment", "medcodes.payment.build:build_step"),
)


def _resolve(target: str) -> Callable[[BuildContext], None]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def steps(names: Iterable[str] | None = None) -> list[Step]:
    """The project's post-build steps (or only those named), in pipeline order."""
    wanted = set(names) if names is not None else None
    return [(name, _resolve(target)) for name, target in STEPS if wanted is None or name in wanted]


def build(
    db_path: Path,
    sources: list[Source],
    read: Callable[[Source], Iterable[CodeRecord]],
    *,
    on_system: Callable[[Source], Callable[[int], None]] | None = None,
    settings: Settings | None = None,
    data_dir: Path | None = None,
) -> BuildReport:
    """Build a database with every post-build step of the project. `data_dir` is the release
    folder, read again by steps that import more of its files (history, payment)."""
    return store_build.build(
        db_path,
        sources,
        read,
        on_system=on_system,
        steps=steps(),
        settings=settings or SETTINGS,
        data_dir=data_dir,
    )
