"""Fetch official release files from CMS into a local cache.

A download goes to a temporary file in the cache folder and is renamed into place only once it is
verified to be the expected release (a readable zip with the expected members, or a workbook the
importer recognises), so the cache never holds a half-written or wrong file. Cache entries are keyed
by URL: a cached, valid file is returned without any request.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from medcodes.models import ReleaseFileError


@dataclass(frozen=True, slots=True)
class Release:
    kind: str
    url: str  # the default URL; `--url` overrides it
    members: tuple[str, ...]  # regexes: each must match some member name of the zip
    description: str


RELEASES: dict[str, Release] = {
    "hcpcs": Release(
        "hcpcs",
        "https://www.cms.gov/files/zip/january-2026-alpha-numeric-hcpcs-file.zip",
        (r"(^|/)HCPC\d{4}[^/]*ANWEB[^/]*\.(txt|xlsx)$",),
        "CMS quarterly HCPCS Level II alpha-numeric file",
    ),
    "icd10pcs": Release(
        "icd10pcs",
        "https://www.cms.gov/files/zip/2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip",
        (r"(^|/)icd10pcs_order_\d{4}\.txt$",),
        "CMS ICD-10-PCS order file (long and abbreviated titles)",
    ),
    "icd10cm": Release(
        "icd10cm",
        "https://www.cms.gov/files/zip/2026-code-descriptions-tabular-order.zip",
        (r"(^|/)icd10cm_order_\d{4}\.txt$",),
        "CMS ICD-10-CM code descriptions in tabular order",
    ),
}

TIMEOUT = httpx.Timeout(30.0, read=120.0)
CHUNK = 1 << 16


class FetchError(Exception):
    """A release could not be downloaded or is not the expected file. Nothing was cached."""


def default_cache_dir() -> Path:
    env = os.environ.get("MEDCODES_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "medcodes"


def cache_path(kind: str, url: str, cache_dir: Path | None = None) -> Path:
    """Where the file from `url` is cached: a folder per URL, keeping the file's own name
    (importers recognise releases by name)."""
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    name = unquote(Path(urlparse(url).path).name) or "download"
    name = re.sub(r"[^\w.\- ]", "_", name)
    return Path(cache_dir or default_cache_dir()) / kind / key / name


def verify(kind: str, path: Path) -> None:
    """Raise FetchError unless `path` is the kind of release expected."""
    release = _release(kind)
    head = path.read_bytes()[:512] if path.exists() else b""
    if not head:
        raise FetchError(f"{path.name}: empty file, not a {release.description}")
    if not zipfile.is_zipfile(path):
        what = "an HTML page" if b"<html" in head.lower() or b"<!doctype" in head.lower() else "not a zip file"
        raise FetchError(f"{path.name}: {what}, expected the {release.description} (a zip)")
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FetchError(f"{path.name}: damaged or truncated zip ({exc})") from None
    if bad is not None:
        raise FetchError(f"{path.name}: member {bad} is damaged (CRC mismatch)")
    is_workbook = "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)
    if not is_workbook:
        for pattern in release.members:
            if not any(re.search(pattern, n, re.I) for n in names):
                raise FetchError(
                    f"{path.name}: no member matching {pattern} ({len(names)} members: "
                    f"{', '.join(names[:6])}{', ...' if len(names) > 6 else ''}); not the {release.description}"
                )
    elif kind != "hcpcs":
        raise FetchError(f"{path.name}: a workbook, expected the {release.description} (a zip)")
    if kind == "hcpcs":
        _verify_with_importer(path)


def _verify_with_importer(path: Path) -> None:
    from medcodes.codesets import hcpcs

    try:
        source = hcpcs.select([path])
    except ReleaseFileError as exc:
        raise FetchError(str(exc)) from None
    if source is None:
        raise FetchError(f"{path.name}: not recognised as a HCPCS Level II release (name or content)")


def fetch(
    kind: str,
    url: str | None = None,
    cache_dir: Path | None = None,
    *,
    progress: bool = True,
) -> Path:
    """Download the official release of `kind` (or `url`) into the cache and return its path."""
    release = _release(kind)
    url = url or release.url
    if urlparse(url).scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http(s) URLs can be fetched")
    target = cache_path(kind, url, cache_dir)
    if target.exists():
        try:
            verify(kind, target)
            return target
        except FetchError:
            target.unlink()  # a cached file that no longer verifies is fetched again
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temporary file keeps the release's own name (the importer recognises releases by name)
    # inside a private folder next to the cache entry.
    tmp = target.parent / f".part-{os.getpid()}-{threading.get_ident()}" / target.name
    tmp.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        _download(url, tmp, digest, progress)
        verify(kind, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        _remove_empty(tmp.parent)
        _remove_empty(target.parent)
        raise
    _remove_empty(tmp.parent)
    meta = {
        "url": url,
        "kind": kind,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sha256": digest.hexdigest(),
        "size": target.stat().st_size,
    }
    target.with_name(".source.json").write_text(json.dumps(meta, indent=2) + "\n")
    return target


def _download(url: str, tmp: Path, digest, progress: bool) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    try:
        with httpx.stream("GET", url, timeout=TIMEOUT, follow_redirects=True) as resp:
            if resp.status_code != 200:
                raise FetchError(f"{url}: HTTP {resp.status_code} {resp.reason_phrase}")
            total = int(resp.headers.get("content-length") or 0) or None
            with (
                Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    DownloadColumn(),
                    TransferSpeedColumn(),
                    console=Console(stderr=True),
                    disable=not progress,
                    transient=True,
                ) as bar,
                open(tmp, "wb") as fh,
            ):
                task = bar.add_task(Path(urlparse(url).path).name or url, total=total)
                for chunk in resp.iter_bytes(CHUNK):
                    fh.write(chunk)
                    digest.update(chunk)
                    bar.advance(task, len(chunk))
            if total is not None and tmp.stat().st_size != total:
                raise FetchError(f"{url}: download ended after {tmp.stat().st_size} of {total} bytes")
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: download failed ({type(exc).__name__}: {exc})") from None


def _release(kind: str) -> Release:
    if kind not in RELEASES:
        raise FetchError(f"unknown release kind {kind!r}; choose from {', '.join(RELEASES)}")
    return RELEASES[kind]


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
