"""Read a policy document (PDF, HTML or plain text) into numbered pages of text.

Every way a file can be unusable (empty, encrypted, truncated, image-only) becomes a
`DocumentError` with a reason a person can act on; nothing here writes anywhere.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

# pypdf logs every recoverable oddity of real-world PDFs; our errors are reported per file instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

MIN_TEXT_CHARS = 40  # below this a PDF has no usable text layer


@dataclass(frozen=True, slots=True)
class Limits:
    """What one document may cost. A hostile file (decompression bomb, nesting, endless pages) stops
    at one of these with a reason, and the batch moves on to the next file."""

    max_bytes: int = 100_000_000  # the file itself (also the download cap for URLs)
    max_pages: int = 2_000
    max_text_chars: int = 20_000_000  # extracted text over all pages
    max_decompressed: int = 50_000_000  # one stream, inflated
    max_seconds: float = 120.0


LIMITS = Limits()

# Text extracts carry their page footers inline: "Page 3 of 14" marks where a page ends.
_PAGE_MARK = re.compile(r"\bPage\s+(\d{1,3})\s+of\s+(\d{1,3})\b", re.I)


class DocumentError(Exception):
    """A document could not be read; the message says why."""


@dataclass(slots=True)
class Page:
    number: int | None  # 1-based; None when the source has no page structure
    text: str


@dataclass(slots=True)
class Document:
    path: str  # file path or URL it came from
    kind: str  # pdf | html | text
    pages: list[Page]
    checksum: str
    size: int
    attrs: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sniff_kind(name: str, data: bytes) -> str:
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    low = name.lower()
    if low.endswith(".pdf"):
        return "pdf"
    if low.endswith((".html", ".htm")) or head[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def load_bytes(name: str, data: bytes, limits: Limits = LIMITS) -> Document:
    if not data or not data.strip():
        raise DocumentError("empty file")
    if len(data) > limits.max_bytes:
        raise DocumentError(f"file too large: {len(data):,} bytes (limit {limits.max_bytes:,})")
    kind = sniff_kind(name, data)
    if kind == "pdf":
        pages = _pdf_pages(data, limits)
    elif kind == "html":
        pages = _split_pages(_html_text(data))
    else:
        pages = _split_pages(plain_text(_decode(data)))
    if sum(len(p.text) for p in pages) > limits.max_text_chars:
        raise DocumentError(f"too much text: over {limits.max_text_chars:,} characters")
    if not any(p.text.strip() for p in pages):
        raise DocumentError("no text in the document")
    return Document(path=name, kind=kind, pages=pages, checksum=checksum(data), size=len(data))


def load(path: Path | str) -> Document:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError("file not found") from None
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror or exc}") from None
    doc = load_bytes(path.name, data)
    doc.path = str(path)
    return doc


_MARKUP = re.compile(r"</?(?:p|li|ul|ol|em|strong|span|div|h[1-6]|br|td|tr|table|a)\b[^>]*>", re.I)
_BLOCK_MARKUP = re.compile(r"</?(?:p|li|ul|ol|div|h[1-6]|br|tr|table)\b[^>]*>", re.I)


def plain_text(text: str) -> str:
    """A text extract that still carries HTML (a crawler kept a page's embedded markup, with escaped line
    breaks and entities) becomes plain text, so that contexts and snippets never show markup."""
    if len(_MARKUP.findall(text[:200000])) < 3 and "&nbsp;" not in text:
        return text
    import html

    s = text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\r", "\n").replace('\\"', '"')
    s = s.replace("\\&", "&")
    s = _BLOCK_MARKUP.sub("\n", s)
    s = re.sub(r"<[^<>]{0,400}>", " ", s)
    s = html.unescape(html.unescape(s)).replace("\u00a0", " ")
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in s.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text[:2000]:
        raise DocumentError("binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _pdf_pages(data: bytes, limits: Limits = LIMITS) -> list[Page]:
    from pypdf import apply_configuration

    caps = {
        name: limits.max_decompressed
        for name in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "maximum_declared_stream_length",
        )
    }
    try:
        with apply_configuration(None, **caps):
            return _pdf_pages_limited(data, limits)
    except RecursionError:
        raise DocumentError("damaged or hostile PDF: objects nested too deeply to read") from None
    except MemoryError:
        raise DocumentError("damaged or hostile PDF: reading it needs too much memory") from None


def _pdf_pages_limited(data: bytes, limits: Limits) -> list[Page]:
    import time

    from pypdf import PdfReader
    from pypdf.errors import (
        DependencyError,
        FileNotDecryptedError,
        LimitReachedError,
        PdfReadError,
        PdfStreamError,
    )

    deadline = time.monotonic() + limits.max_seconds

    if b"%%EOF" not in data[-2048:]:
        # pypdf may still parse a file cut short, silently dropping its tail: refuse it instead.
        raise DocumentError("truncated or damaged PDF (no end-of-file marker)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except (NotImplementedError, DependencyError) as exc:
                raise DocumentError(f"encrypted PDF that cannot be opened ({exc})") from None
            if not ok:
                raise DocumentError("encrypted PDF: a password is required")
        if len(reader.pages) > limits.max_pages:
            raise DocumentError(f"too many pages: {len(reader.pages):,} (limit {limits.max_pages:,})")
        pages, chars = [], 0
        for i, page in enumerate(reader.pages, start=1):
            try:
                text = page.extract_text() or ""
            except LimitReachedError:
                raise DocumentError(
                    f"decompression bomb: page {i} inflates past {limits.max_decompressed:,} bytes"
                ) from None
            except (PdfReadError, PdfStreamError, KeyError, ValueError, TypeError) as exc:
                raise DocumentError(f"damaged PDF: page {i} cannot be read ({exc})") from None
            chars += len(text)
            if chars > limits.max_text_chars:
                raise DocumentError(f"too much text: over {limits.max_text_chars:,} characters by page {i}")
            if time.monotonic() > deadline:
                raise DocumentError(f"took longer than {limits.max_seconds:.0f} s; stopped at page {i}")
            pages.append(Page(i, text))
    except LimitReachedError:
        raise DocumentError(
            f"decompression bomb: a stream inflates past {limits.max_decompressed:,} bytes"
        ) from None
    except FileNotDecryptedError:
        raise DocumentError("encrypted PDF: a password is required") from None
    except DocumentError:
        raise
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DocumentError(f"truncated or damaged PDF ({exc})") from None
    if not pages:
        raise DocumentError("PDF has no pages")
    if sum(len(p.text.strip()) for p in pages) < MIN_TEXT_CHARS:
        raise DocumentError(
            f"image-only PDF: no text layer on its {len(pages)} page(s) (OCR is not supported)"
        )
    return pages


_BLOCK_TAGS = "p,div,br,li,h1,h2,h3,h4,h5,h6,tr,table,section,article,header,footer,dt,dd,caption,title"


def _html_text(data: bytes) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_decode(data))
    for node in tree.css("script,style,noscript,template"):
        node.decompose()
    # A table row becomes one line so that a code keeps its row as context.
    for tr in tree.css("tr"):
        cells = [c.text(deep=True, separator=" ").strip() for c in tr.css("td,th")]
        tr.replace_with(" | ".join(c for c in cells if c) + "\n")
    for node in tree.css(_BLOCK_TAGS):
        node.insert_after("\n")
    root = tree.body or tree.root
    text = root.text(deep=True, separator="") if root is not None else ""
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _split_pages(text: str) -> list[Page]:
    """Cut a flat text at its "Page N of M" footers; a text without them is one unnumbered page."""
    marks = list(_PAGE_MARK.finditer(text))
    numbers = [int(m.group(1)) for m in marks]
    # Only trust the markers when they count up like real footers.
    if len(marks) < 2 or numbers != sorted(numbers) or numbers[0] > 2:
        return [Page(None, text)]
    pages, start = [], 0
    for m in marks:
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end + 1
        pages.append(Page(int(m.group(1)), text[start:end]))
        start = end
    if text[start:].strip():
        pages.append(Page(numbers[-1] + 1, text[start:]))
    return pages
