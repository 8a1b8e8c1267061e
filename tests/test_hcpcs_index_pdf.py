"""The CMS HCPCS index and Table of Drugs PDFs -> (term, code) pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.codesets.hcpcs_index_pdf import (
    IndexPair,
    drug_pairs_from_text,
    find_pdfs,
    hcpcs_pdf_pairs,
    index_pairs_from_text,
)


def _pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF whose text is ``lines``, written by hand so the test needs no PDF writer."""
    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT", "/F1 10 Tf", "12 TL", "40 760 Td"]
    for line in lines:
        body.append(f"({esc(line)}) Tj T*")
    body.append("ET")
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


INDEX_LINES = [
    "2019 HCPCS Alpha-Numeric Index 3",
    "Cane, E0100, E0105",
    "Amputee",
    "adapter, wheelchair, E0959",
    "prosthesis, L5000-L7510",
    "Arm, wheelchair, E0973",
    "Anti-hemophilic factor (Factor VIII), J7190-J7192",
    "Corvert, see Ibutilide fumarate",
    "Bad code, Z9999",
]
DRUG_LINES = [
    "Amikacin sulfate 100 mg IM, IV J0278",
    "Cefazolin sodium 500 mg IV, IM J0690",
    "Ancef, see Cefazolin sodium",
    "Infliximab 10 mg IV J1745",
    "Remicade, see Infliximab",
    "Mucomyst, see Amikacin sulfate or Dextran 40",
    "Acetylcysteine, IVection 100 mg IV J0132",
    "Dextran 40 500 ml IV J7100",
    "Nobody, see Nothing at all",
]


def test_index_pairs_join_subterms_and_expand_short_ranges_only():
    pairs = list(index_pairs_from_text(["\n".join(INDEX_LINES)]))
    got = {(p.term, p.code) for p in pairs}
    assert ("Cane", "E0100") in got and ("Cane", "E0105") in got
    assert ("Amputee adapter, wheelchair", "E0959") in got
    assert {c for t, c in got if t.startswith("Anti-hemophilic")} == {"J7190", "J7191", "J7192"}
    # A chapter-wide range names no code; a "see" line has none of its own.
    assert not any(c.startswith("L5") or c.startswith("L7") for _, c in got)
    assert not any(t.startswith("Corvert") for t, _ in got)
    assert ("Arm, wheelchair", "E0973") in got  # a new main entry closes the Amputee group
    assert all(p.source == "index" for p in pairs)


def test_drug_pairs_strip_dose_and_route_and_resolve_brands():
    got = {(p.term, p.code) for p in drug_pairs_from_text(["\n".join(DRUG_LINES)])}
    assert ("Amikacin sulfate", "J0278") in got
    assert ("Ancef", "J0690") in got
    assert ("Remicade", "J1745") in got
    assert ("Dextran 40", "J7100") in got
    assert {c for t, c in got if t == "Mucomyst"} == {"J0278", "J7100"}
    assert ("Acetylcysteine, injection", "J0132") in got
    assert not any(t == "Nobody" for t, _ in got)


def test_pairs_from_generated_pdfs_with_a_keep_filter(tmp_path):
    index = _pdf(tmp_path / "2019-HCPCS-Index.pdf", INDEX_LINES)
    drugs = _pdf(tmp_path / "2019-Table-of-Drugs.pdf", DRUG_LINES)
    assert find_pdfs(tmp_path) == (index, drugs)
    pairs = hcpcs_pdf_pairs(index, drugs)
    assert IndexPair("Remicade", "J1745", "drugs") in pairs
    assert IndexPair("Cane", "E0100", "index") in pairs
    assert ("Bad code", "Z9999") not in {(p.term, p.code) for p in pairs}  # not a Level II shape
    kept = hcpcs_pdf_pairs(index, drugs, keep=lambda code: code.startswith("J"))
    assert kept and all(p.code.startswith("J") for p in kept)
    assert len({(p.term.lower(), p.code) for p in pairs}) == len(pairs)


@pytest.mark.shared
def test_real_2019_pdfs(shared_data):
    index, drugs = find_pdfs(shared_data / "hcpcs" / "2019")
    assert index is not None and drugs is not None
    pairs = hcpcs_pdf_pairs(index, drugs)
    by_source = {s: [p for p in pairs if p.source == s] for s in ("index", "drugs")}
    assert len(by_source["index"]) > 3000 and len(by_source["drugs"]) > 900
    got = {(p.term.lower(), p.code) for p in pairs}
    assert ("aminophylline", "J0280") in got
    assert ("cpap (continuous positive airway pressure) device", "E0601") in got
    assert ("ancef", "J0690") in got  # a brand reached through its "see" line
    assert ("amikacin sulfate", "J0278") in got
