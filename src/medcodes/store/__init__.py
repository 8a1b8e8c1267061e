"""The SQLite store: schema, atomic build, and the read API."""

from medcodes.store.db import Store, default_db_path

__all__ = ["Store", "default_db_path"]
