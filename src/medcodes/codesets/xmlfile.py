"""Reading a release's XML file with errors that name the file and the line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from medcodes.models import ReleaseFileError


def parse_root(path: Path, tag: str) -> ET.Element:
    """The root element of `path`, which must be `<tag>`; a truncated, damaged or unreadable file, or
    one of another kind, raises ReleaseFileError naming the file (and line and column)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line, col = exc.position
        raise ReleaseFileError(
            path, f"not well-formed XML, truncated or damaged ({exc})", where=f"line {line}, column {col}"
        ) from exc
    except OSError as exc:
        raise ReleaseFileError(path, f"cannot be read ({exc.strerror})") from exc
    if root.tag != tag:
        raise ReleaseFileError(path, f"root element is <{root.tag}>, not <{tag}>")
    return root
