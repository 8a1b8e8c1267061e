"""Ingest policy sources into the database: payer documents (PDF, HTML, text; files, folders or URLs),
the CMS lab NCD spreadsheet and the MCD document list. Each file succeeds or fails on its own, with a
reason; a failed file writes nothing and the rest of the batch goes on."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from medcodes.policies import criteria, disposition, docmeta, documents, mcd, ncd, repo
from medcodes.policies import metadata as md
from medcodes.policies.codeindex import CodeIndex
from medcodes.policies.documents import Document, DocumentError
from medcodes.policies.download import fetch, public_url
from medcodes.policies.extract import Extractor, Mention

DOCUMENT_SUFFIXES = (".pdf", ".html", ".htm", ".txt")
_DISPOSITION_RANK = {d: i for i, d in enumerate(disposition.DISPOSITIONS)}


@dataclass(slots=True)
class FileResult:
    path: str
    source: str  # payer-document | cms-ncd-lab | cms-mcd | manifest | unknown
    status: str  # added | updated | unchanged | failed
    policies: int = 0
    links: int = 0
    reason: str | None = None
    policy_id: str | None = None
    pages: int = 0
    seconds: float = 0.0


@dataclass(slots=True)
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    def by_source(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for f in self.files:
            s = out.setdefault(
                f.source, {"files": 0, "policies": 0, "links": 0, "failures": 0, "unchanged": 0}
            )
            s["files"] += 1
            s["policies"] += f.policies
            s["links"] += f.links
            s["failures"] += f.status == "failed"
            s["unchanged"] += f.status == "unchanged"
        return out

    @property
    def failures(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]


def links_from_mentions(mentions: list[Mention]) -> list[repo.CodeLink]:
    """One link per code and disposition (first context wins); a code that the policy places somewhere
    definite is not also kept as merely "listed"."""
    seen: dict[tuple[str, str, str], repo.CodeLink] = {}
    for m in mentions:
        if m.extra.get("flag"):
            continue  # an over-wide range stays text (see wide_ranges), never one link per code
        for code in m.codes:
            key = (m.system, code, m.disposition)
            if key not in seen:
                ctx = m.context if not m.is_range else f"{m.code} (range): {m.context}"
                seen[key] = repo.CodeLink(m.system, code, m.disposition, m.evidence, ctx[:300], m.page)
    definite = {(s, c) for (s, c, d) in seen if d != "listed"}
    return [ln for (s, c, d), ln in seen.items() if d != "listed" or (s, c) not in definite]


def wide_ranges(mentions: list[Mention]) -> dict:
    """Ranges too wide to link code by code, kept as written with the reason (for the policy page)."""
    out = [
        {
            "system": m.system,
            "range": m.code,
            "codes": m.extra.get("range_size"),
            "reason": m.extra["flag"],
            "context": m.context[:200],
        }
        for m in mentions
        if m.extra.get("flag")
    ]
    return {"wide_ranges": out} if out else {}


class Ingester:
    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        progress: Callable[[FileResult], None] | None = None,
        allow_hosts: Iterable[str] = (),
    ):
        conn.isolation_level = None  # explicit transactions, one per file
        self.conn = conn
        self.allow_hosts = tuple(allow_hosts)
        self.progress = progress
        self._index: CodeIndex | None = None
        self.report = IngestReport()

    @property
    def index(self) -> CodeIndex:
        if self._index is None:
            self._index = CodeIndex.from_conn(self.conn)
        return self._index

    # -- entry point ----------------------------------------------------------------------------
    def ingest(self, targets: Iterable[str | Path], manifest: Path | None = None) -> IngestReport:
        manifests: dict[str, md.Meta] = {}
        if manifest is not None:
            self._read_manifest(Path(manifest), manifests)
        files: list[str | Path] = []
        for target in targets:
            if isinstance(target, str) and re.match(r"^https?://", target):
                files.append(target)
                continue
            path = Path(target)
            if path.is_dir():
                for m in sorted(path.rglob("*")):
                    if (
                        m.is_file()
                        and m.name in md.MANIFEST_NAMES
                        and m.resolve() != (manifest and Path(manifest).resolve())
                    ):
                        self._read_manifest(m, manifests)
                files.extend(p for p in sorted(path.rglob("*")) if p.is_file() and self._is_candidate(p))
            elif path.is_file():
                if path.name in md.MANIFEST_NAMES:
                    self._read_manifest(path, manifests)
                else:
                    for m in (path.parent / n for n in md.MANIFEST_NAMES):
                        if m.exists() and m.resolve() != (manifest and Path(manifest).resolve()):
                            self._read_manifest(m, manifests)
                    files.append(path)
            else:
                self._add(FileResult(str(target), "unknown", "failed", reason="no such file or folder"))
        for f in dict.fromkeys(files):
            self._one(f, manifests)
        return self.report

    # -- helpers --------------------------------------------------------------------------------
    def _add(self, result: FileResult) -> None:
        self.report.files.append(result)
        if self.progress:
            self.progress(result)

    def _read_manifest(self, path: Path, into: dict[str, md.Meta]) -> None:
        try:
            manifest = md.load_manifest(path)
        except md.ManifestError as exc:
            self._add(FileResult(str(path), "manifest", "failed", reason=str(exc)))
            return
        into.update(manifest.entries)
        for name, reason in manifest.problems:
            self._add(FileResult(name, "manifest", "failed", reason=reason))

    @staticmethod
    def _is_candidate(path: Path) -> bool:
        name = path.name.lower()
        if name.endswith(".meta.json") or path.name in md.MANIFEST_NAMES or name.startswith("."):
            return False
        return name.endswith(DOCUMENT_SUFFIXES) or name.endswith((".xlsx", ".csv"))

    def _one(self, target: str | Path, manifests: dict[str, md.Meta]) -> None:
        t0 = time.perf_counter()
        name = public_url(target) if isinstance(target, str) else str(target)
        try:
            if isinstance(target, str):
                result = self._url(target, manifests)
            elif target.suffix.lower() == ".xlsx":
                result = self._ncd(target)
            elif target.suffix.lower() == ".csv":
                result = self._csv(target)
            else:
                result = self._document(documents.load(target), target, manifests.get(str(target.resolve())))
        except (DocumentError, ncd.NcdFormatError, mcd.McdFormatError) as exc:
            result = FileResult(name, self._source_guess(target), "failed", reason=str(exc))
        except sqlite3.Error as exc:
            result = FileResult(name, self._source_guess(target), "failed", reason=f"database error: {exc}")
        except (RecursionError, MemoryError) as exc:
            result = FileResult(
                name,
                self._source_guess(target),
                "failed",
                reason=f"hostile or damaged file ({type(exc).__name__})",
            )
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
            result = FileResult(
                name,
                self._source_guess(target),
                "failed",
                reason=f"unreadable ({type(exc).__name__}: {str(exc)[:200]})",
            )
        result.seconds = time.perf_counter() - t0
        self._add(result)

    @staticmethod
    def _source_guess(target: str | Path) -> str:
        s = str(target).lower()
        if s.endswith(".xlsx"):
            return "cms-ncd-lab"
        if s.endswith(".csv"):
            return "cms-mcd"
        return "payer-document"

    def _url(self, url: str, manifests: dict[str, md.Meta]) -> FileResult:
        got = fetch(url, allow_hosts=self.allow_hosts)
        clean = public_url(url)
        name = urlsplit(got.url).path.rstrip("/").rsplit("/", 1)[-1] or "document"
        if "pdf" in got.content_type and not name.lower().endswith(".pdf"):
            name += ".pdf"
        doc = documents.load_bytes(name, got.data)
        doc.path = clean
        return self._document(doc, Path(name), manifests.get(url) or manifests.get(clean), url=clean)

    def _document(
        self, doc: Document, path: Path, manifest: md.Meta | None, url: str | None = None
    ) -> FileResult:
        meta = docmeta.resolve(doc, path, manifest, url)
        extractor = Extractor(self.index)
        mentions = extractor.extract(doc.pages)
        disposition.assign(doc.pages, mentions)
        links = links_from_mentions(mentions)
        npages = sum(1 for p in doc.pages) if doc.kind == "pdf" else max((p.number or 1) for p in doc.pages)
        if not links:
            raise DocumentError(f"no CPT, HCPCS or ICD-10 codes found in {npages} page(s)")
        record = repo.PolicyRecord(
            id=meta.id,
            source="payer-document",
            title=meta.title,
            payer=meta.payer,
            number=meta.number,
            type=meta.type,
            effective_date=meta.effective_date,
            last_reviewed=meta.last_reviewed,
            url=meta.url,
            file=str(path) if not url else None,
            checksum=doc.checksum,
            pages=npages,
            attrs={
                "kind": doc.kind,
                "mentions": len(mentions),
                **meta.attrs(),
                **wide_ranges(mentions),
                **({"criteria": crit} if (crit := criteria.excerpts(doc)) else {}),
            },
        )
        saved = repo.save(self.conn, record, links)
        return FileResult(
            doc.path,
            "payer-document",
            saved.status,
            1,
            saved.links,
            reason=saved.summary,
            policy_id=meta.id,
            pages=npages,
        )

    def _ncd(self, path: Path) -> FileResult:
        data = path.read_bytes()
        if not data:
            raise DocumentError("empty file")
        result = ncd.read(path, self.index, documents.checksum(data))
        saved = repo.save_many(self.conn, result.policies)
        status = "unchanged" if all(s.status == "unchanged" for s in saved) else "added"
        reason = f"{result.skipped_codes} codes not in the database skipped" if result.skipped_codes else None
        return FileResult(str(path), "cms-ncd-lab", status, len(saved), sum(s.links for s in saved), reason)

    def _csv(self, path: Path) -> FileResult:
        head = path.read_text(encoding="utf-8-sig", errors="replace")[:4000]
        if not head.strip():
            raise DocumentError("empty file")
        header = next(csv.reader(io.StringIO(head)), [])
        if not mcd.is_document_list([h.strip() for h in header]):
            raise mcd.McdFormatError(
                f"{path.name}: CSV header not recognised ({', '.join(header[:8])}); expected the MCD document list"
                f" ({', '.join(mcd.REQUIRED)}) or a manifest named manifest.csv"
            )
        records = list({r.id: r for r in mcd.read_document_list(path)}.values())
        saved = repo.save_many(self.conn, [(r, []) for r in records])
        status = "unchanged" if all(s.status == "unchanged" for s in saved) else "added"
        return FileResult(str(path), "cms-mcd", status, len(saved), 0)


def fetch_mcd_codes(ingester: Ingester, client, policy_ids: list[str]) -> IngestReport:
    """Fill MCD policies (from the document list) with their Coverage API code tables."""
    import hashlib
    import json

    from medcodes.policies.coverage_api import CoverageApiError

    for pid in policy_ids:
        t0 = time.perf_counter()
        stored = repo.get(ingester.conn, pid)
        if stored is None or stored.source != "cms-mcd":
            ingester._add(
                FileResult(pid, "cms-coverage-api", "failed", reason="not an MCD policy in the database")
            )
            continue
        attrs = stored.attrs
        doc_id, version = attrs.get("document_id") or (stored.number or "").lstrip("LA"), attrs.get("version")
        try:
            if pid.startswith("lcd-"):
                tables = ingester_client_tables(client.lcd_tables, doc_id, version)
            else:
                tables = ingester_client_tables(client.article_tables, doc_id, version)
        except CoverageApiError as exc:
            ingester._add(FileResult(pid, "cms-coverage-api", "failed", reason=str(exc)))
            continue
        links, skipped = mcd.links_from_api(ingester.index, tables)
        record = repo.PolicyRecord(
            id=pid,
            source="cms-mcd",
            title=stored.title,
            payer=stored.payer,
            number=stored.number,
            type=stored.type,
            effective_date=stored.effective_date,
            last_reviewed=stored.last_reviewed,
            url=stored.url,
            file=stored.file,
            checksum=hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest(),
            attrs=attrs,
        )
        saved = repo.save(ingester.conn, record, links)
        reason = f"{skipped} codes not in the database skipped" if skipped else saved.summary
        ingester._add(
            FileResult(
                pid,
                "cms-coverage-api",
                saved.status,
                1,
                saved.links,
                reason,
                pid,
                seconds=time.perf_counter() - t0,
            )
        )
    return ingester.report


def ingester_client_tables(fetch, doc_id: str, version: str | None) -> dict[str, list[dict]]:
    return fetch(str(doc_id), version)
