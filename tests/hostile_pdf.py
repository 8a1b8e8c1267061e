"""Hand-assembled PDFs that attack a reader: a decompression bomb and deeply nested arrays."""

from __future__ import annotations

import zlib


def _pdf(content: bytes, filter_: str | None = None) -> bytes:
    """A one-page PDF whose page content stream is `content` (already encoded for `filter_`)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(content), b" /Filter /" + filter_.encode() if filter_ else b"")
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def text_pdf(text: str) -> bytes:
    lines = b"".join(
        b"(%s) Tj T* " % ln.encode("latin-1").replace(b"(", b"\\(").replace(b")", b"\\)")
        for ln in text.splitlines()
    )
    return _pdf(b"BT /F1 10 Tf 14 TL 40 750 Td " + lines + b"ET")


def flate_bomb(megabytes: int = 200) -> bytes:
    """A content stream that inflates to `megabytes` MB of spaces from a few hundred KB."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(comp.compress(chunk) for _ in range(megabytes)) + comp.flush()
    return _pdf(data, "FlateDecode")


def nested_arrays(depth: int = 20_000) -> bytes:
    return _pdf(b"BT /F1 10 Tf 40 750 Td " + b"[" * depth + b"(x)" + b"]" * depth + b" TJ ET")
