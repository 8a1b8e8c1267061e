"""The command-line face: `medcodes = "medcodes.cli:app"`. Commands call feature functions and print
the same JSON documents as the API (medcodes.documents)."""

from medcodes.cli.app import app, main

__all__ = ["app", "main"]
