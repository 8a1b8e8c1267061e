"""Issue 17 on the real payer documents in ../shared/data: every failure a billing clerk met (wrong titles,
numbers and dates, missed and false codes, stances lost in tables, no prior authorization, markup in
snippets, links that are not URLs) has a test here. Runs whenever ../shared/data exists; never skips in CI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from medcodes.policies import disposition, docmeta, documents
from medcodes.policies import metadata as md
from medcodes.policies.codeindex import CodeIndex
from medcodes.policies.documents import Page
from medcodes.policies.extract import Extractor
from medcodes.policies.ingest import links_from_mentions, wide_ranges

TEXT = "policies/openonco_text_extracts/"
ORIG = "policies/original/"


@pytest.fixture(scope="module")
def index(real_db) -> CodeIndex:
    conn = sqlite3.connect(f"file:{real_db}?mode=ro", uri=True)
    try:
        return CodeIndex.from_conn(conn)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def manifests(shared_data) -> dict:
    return md.load_manifest(shared_data / "policies" / "INDEX.csv").entries


@pytest.fixture(scope="module")
def meta(shared_data, manifests):
    def _meta(rel: str) -> docmeta.DocMeta:
        path = shared_data / rel
        return docmeta.resolve(documents.load(path), path, manifests.get(str(Path(path).resolve())))

    return _meta


@pytest.fixture(scope="module")
def mentions(shared_data, index):
    cache: dict[str, list] = {}

    def _mentions(rel: str):
        if rel not in cache:
            doc = documents.load(shared_data / rel)
            found = Extractor(index).extract(doc.pages)
            disposition.assign(doc.pages, found)
            cache[rel] = found
        return cache[rel]

    return _mentions


def codes(found, system: str | None = None) -> set[str]:
    return {c for m in found for c in m.codes if system is None or m.system == system}


def at(found, code: str, page: int | None = None) -> list[str]:
    return [m.disposition for m in found if code in m.codes and (page is None or m.page == page)]


# -- metadata -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "rel, title",
    [
        ("policies/pdf/uhc_bariatric-surgery_2025T0362PP.pdf", "Bariatric Surgery"),
        (ORIG + "uhc_2026D0017AN_botulinum-toxins-a-b.pdf", "Botulinum Toxins A and B"),
        (ORIG + "cigna_0070_allergy-testing_mm_0070.pdf", "Allergy Testing and Non-Pharmacologic Treatment"),
        (
            TEXT + "excellus_excellus-ctdna-liquid-biopsy_2026-03-22_f04931f27c51.pdf.txt",
            "Circulating Tumor DNA for Management of Cancer (Liquid Biopsy)",
        ),
        (
            TEXT + "bcbsri_bcbsri-ctdna-2026_2026-03-22_c8bef01960b3.pdf.txt",
            "Circulating Tumor DNA and Circulating Tumor Cells for Cancer Management (Liquid Biopsy)",
        ),
        (
            TEXT + "kaiser_kaiser-wa-genetic-screening_2026-03-22_ab205ac0ecc8.pdf.txt",
            "Genetic Screening & Testing",
        ),
        (
            TEXT + "cigna_cigna-0520_2026-03-22_64f6125365ea.pdf.txt",
            "Molecular and Proteomic Diagnostic Testing for Hematology and Oncology Indications",
        ),
        (TEXT + "highmark_highmark-l267-navdx_2026-03-22_66bdeb4a45d0.html.txt", "NavDx"),
        (
            ORIG + "floridablue_02-33000-31_varicose-veins.pdf",
            "Treatments for Varicose Veins/Venous Insufficiency",
        ),
    ],
)
def test_title_is_the_policys_name(meta, rel, title):
    got = meta(rel)
    assert got.title == title and "title" not in got.guessed


def test_no_title_is_a_plan_name_or_a_file_slug(shared_data, meta):
    bad = {"Blue Shield of California", "Medical Benefit Drug Policy", "Criteria | Codes | Revision History"}
    for path in sorted((shared_data / "policies").rglob("*")):
        if path.suffix not in (".pdf", ".txt") or "nymedicaid_emedny" in path.name or "bcbssc" in path.name:
            continue  # the eMedNY manual and a BCBS SC web-page shell name no policy at all
        got = meta(str(path.relative_to(shared_data)))
        assert got.title not in bad and not got.title.startswith(
            ("UnitedHealthcare", "Proprietary", "500 ")
        ), path
        assert "title" not in got.guessed, path


@pytest.mark.parametrize(
    "rel, number",
    [
        (TEXT + "aetna_aetna-cpb-0715_2026-03-22_2e7fb25dd026.html.txt", "0715"),
        (TEXT + "cigna_cigna-0520_2026-03-22_64f6125365ea.pdf.txt", "0520"),
        (TEXT + "centene_centene-ctdna-mp239_2026-03-22_d62dba99c014.pdf.txt", "CP.MP.239"),
        (TEXT + "highmark_highmark-l267-navdx_2026-03-22_66bdeb4a45d0.html.txt", "L-267-001"),
        (
            ORIG + "floridablue_09-J0000-66_bevacizumab.pdf",
            "09-J0000-66",
        ),  # not the cross-referenced 09-J1000-78
    ],
)
def test_policy_number_is_the_documents_own(meta, rel, number):
    assert meta(rel).number == number


def test_dates_in_the_common_layouts(meta):
    cigna = meta(TEXT + "cigna_cigna-0520_2026-03-22_64f6125365ea.pdf.txt")  # dot leaders
    assert cigna.effective_date == "2025-11-09" and cigna.next_review == "2026-07-15"
    assert cigna.last_reviewed is None  # the next review is not a review that happened
    varicose = meta(ORIG + "floridablue_02-33000-31_varicose-veins.pdf")  # "Revised: 08/15/25"
    assert (varicose.effective_date, varicose.last_reviewed) == ("2025-08-15", "2025-07-24")
    anthem = meta(TEXT + "anthem_anthem-gene-59_2026-03-22_404195f9e6bf.pdf.txt")  # "Publish Date"
    assert anthem.effective_date == "2022-07-06"


def test_original_link_only_for_http_addresses(shared_data, meta):
    for path in sorted((shared_data / "policies" / "original").glob("*.pdf")):
        got = meta(str(path.relative_to(shared_data)))
        assert got.url is None and got.origin and got.origin.startswith("github:")
    assert meta(TEXT + "cigna_cigna-0520_2026-03-22_64f6125365ea.pdf.txt").url.startswith("https://")


# -- codes ------------------------------------------------------------------------------------------
def test_icd10_ranges_follow_the_official_code_list(mentions):
    found = mentions(TEXT + "aetna_aetna-cpb-0715_2026-03-22_2e7fb25dd026.html.txt")
    gout = next(m for m in found if m.code == "M0500-M1489")
    assert len([c for c in gout.codes if c.startswith("M1A")]) == 242
    mds = next(m for m in found if m.code == "D460-D469")
    assert {"D46A", "D46B", "D46C", "D46Z"} <= set(mds.codes)
    assert any(m.code == "G300-G309" for m in found)  # "G30. 0 - G30.9": a stray space inside the code


def test_billable_three_character_codes(mentions):
    bev = mentions(ORIG + "floridablue_09-J0000-66_bevacizumab.pdf")
    assert {"C19", "C20", "C55"} <= codes(bev, "icd10cm")  # inside "C19 – C20" and on its own table row
    assert "C61" in codes(
        mentions(TEXT + "excellus_excellus-ctdna-liquid-biopsy_2026-03-22_f04931f27c51.pdf.txt")
    )


def test_line_start_cpt_codes_are_never_dropped(mentions):
    uhc = codes(mentions("policies/pdf/uhc_bariatric-surgery_2025T0362PP.pdf"), "cpt")
    table = {
        "0813T",
        "43290",
        "43291",
        "43644",
        "43645",
        "43647",
        "43648",
        "43659",
        "43770",
        "43771",
        "43772",
        "43773",
        "43774",
        "43775",
        "43843",
        "43845",
        "43846",
        "43847",
        "43848",
        "43860",
        "43865",
        "43881",
        "43882",
        "43886",
        "43887",
        "43888",
        "43999",
        "64590",
        "64595",
        "64999",
    }
    assert table <= uhc
    assert "81479" in codes(
        mentions(TEXT + "anthem_anthem-gene-59_2026-03-22_404195f9e6bf.pdf.txt")
    )  # "81479Unlisted"


def test_code_shapes_agree_with_the_code_sets(index):
    found = Extractor(index).extract(
        [Page(1, "Vaccine administration codes\n0001A first dose\nICD-10-CM codes: QA0.0101\n")]
    )
    assert ("cpt", "0001A") in {(m.system, m.code) for m in found}
    assert "QA00101" in codes(found, "icd10cm")


def test_identifiers_are_not_codes(mentions):
    assert "J1000" not in codes(
        mentions(ORIG + "floridablue_09-J0000-66_bevacizumab.pdf")
    )  # MCG # 09-J1000-78
    assert "14001" not in codes(mentions(TEXT + "aetna_aetna-cpb-0715_2026-03-22_2e7fb25dd026.html.txt"))
    assert "S0500" not in codes(mentions(TEXT + "anthem_anthem-lab-00015_2026-03-22_185474c0c32a.html.txt"))
    assert not mentions(TEXT + "fepblue_fep-ctdna-204141_2026-03-22_1fd443453cb7.pdf.txt")  # SWOG S0500 only


def test_ranges_keep_their_family_and_wide_ranges_stay_text(mentions):
    for rel in (
        TEXT + "aetna_aetna-cpb-0715_2026-03-22_2e7fb25dd026.html.txt",
        ORIG + "anthem_SURG.00129_osa-surgical-treatment_2023-09-27.pdf",
    ):
        for m in mentions(rel):
            if m.is_range and m.system == "cpt" and not m.code[:5].isdigit():
                assert all(c[-1] == m.code[4] for c in m.codes), m.code
    found = mentions(TEXT + "bcbsm_bcbsm-genetic-testing-counseling_2026-03-22_c494cf33f78a.pdf.txt")
    wide = next(m for m in found if m.code == "81200-88291")
    assert wide.extra.get("flag")
    linked = {(ln.system, ln.code) for ln in links_from_mentions(found)}
    assert ("cpt", "87070") not in linked and ("cpt", "81225") not in linked  # a strep culture, a gene test
    assert wide_ranges(found)["wide_ranges"][0]["range"] == "81200-88291"


# -- stances ----------------------------------------------------------------------------------------
def test_table_stance_survives_multiline_headers_and_page_headers(mentions):
    cigna = mentions(ORIG + "cigna_0529_cardiac-ablation_mm_0529.pdf")
    assert at(cigna, "93620", 3) == ["covered"]  # caption, then "CPT®*" / "Codes" / "Description"
    assert at(cigna, "93655", 4) == ["covered"]  # after "Page 4 of 22" and the running header
    assert set(at(cigna, "33254", 4)) == {"investigational"}


def test_sub_caption_keeps_the_stance(mentions):
    anthem = mentions(ORIG + "anthem_SURG.00129_osa-surgical-treatment_2023-09-27.pdf")
    assert at(anthem, "C1767", 20) == [
        "covered"
    ]  # "For the following codes when specified as a component of"


def test_revision_log_is_neutral_and_row_notes_decide(mentions):
    varicose = mentions(ORIG + "floridablue_02-33000-31_varicose-veins.pdf")
    assert set(at(varicose, "36473", 14)) == {"listed"}  # GUIDELINE UPDATE INFORMATION
    assert at(varicose, "36473", 5) == ["investigational"]  # "(Investigational)" on the row's wrapped line
    assert at(varicose, "36468", 4) == ["not_medically_necessary"]


def test_prior_authorization_from_a_restricted_products_program(mentions):
    bcbsnc = mentions(ORIG + "bcbsnc_preferred-injectable-oncology-program.pdf")
    assert at(bcbsnc, "J9035", 12) == ["prior_auth"]
    assert set(at(bcbsnc, "Q5123")) == {"listed"}  # named in the revision log only


# -- display ----------------------------------------------------------------------------------------
def test_snippets_are_plain_text(mentions):
    found = mentions(TEXT + "bcbsnc_bcbsnc-liquid-biopsy-g2054_2026-03-22_a1c8540075f9.html.txt")
    assert found
    for m in found:
        for text in (m.context, m.sentence, m.evidence or ""):
            assert "</" not in text and "<p>" not in text and "&nbsp;" not in text and "\\r\\n" not in text


# -- stances, second pass (issue 17 follow-up) -------------------------------------------------------
def on_line(found, code: str, line: int) -> list[str]:
    return [m.disposition for m in found if code in m.codes and m.line == line]


def test_prostate_lead_in_reaches_no_code(mentions):
    # "For individuals diagnosed with castration-resistant prostate cancer, cfDNA/ctDNA testing of the
    # following biomarkers is considered MEDICALLY NECESSARY :" names no code; the coding section far below
    # it (a breast-tissue PIK3CA test among them) is a plain list.
    sc = mentions(TEXT + "bcbssc_bcbssc-liquid-biopsy_2026-03-22_fc389b663979.html.txt")
    assert sc and {m.disposition for m in sc} == {"listed"}
    assert at(sc, "0155U") == ["listed"]


def test_gene_variants_are_not_codes(mentions):
    sc = mentions(TEXT + "bcbssc_bcbssc-liquid-biopsy_2026-03-22_fc389b663979.html.txt")
    assert "V600" not in codes(sc)  # "BRAF V600 -mutant", "gene analysis, V600 variant(s)"


def test_code_dash_name_list_item_is_a_code(mentions):
    bcbsm = mentions(TEXT + "bcbsm_bcbsm-ctdna_2026-03-22_00cdf7069ec7.pdf.txt")
    assert on_line(bcbsm, "86153", 549) == ["listed"]  # "o 86153-CTC, physician interpretation and report"


def test_wrapped_lead_in_and_wrapped_code_lists(mentions):
    ma = mentions(TEXT + "bcbsma_bcbsma-ctdna-797_2026-03-22_e4bfb11dc3a5.pdf.txt")
    # "... MUST be met for the following codes to be covered for" / "Commercial Members: ...:"
    assert at(ma, "81445") == ["covered"]
    wc = mentions(TEXT + "wellcare_wellcare-ctdna-liquid-biopsy_2026-03-22_ba1b50a65ccd.pdf.txt")
    # "(0179U, 0388U," / "81210, 81235, 81275, 81462, 81479) are considered investigational": no table row
    assert on_line(wc, "81235", 334) == ["investigational"]
    ri = mentions(TEXT + "bcbsri_bcbsri-ctdna-2026_2026-03-22_c8bef01960b3.pdf.txt")
    assert at(ri, "0091U") == ["not_medically_necessary"]  # after "This CPT code can be used for ..."
    carelon = mentions(TEXT + "carelon_carelon-liquid-biopsy-2025_2026-03-22_7b656afb3d46.pdf.txt")
    assert on_line(carelon, "0612U", 924) == ["not_medically_necessary"]  # after "...code assignment)"


def test_caption_below_a_table_and_diagnosis_caption(mentions):
    cigna = mentions(ORIG + "cigna_0070_allergy-testing_mm_0070.pdf")
    # the last row before "Not Covered or Reimbursable:" (the next table's caption) stays covered
    assert at(cigna, "95024", 3) == ["covered"]
    fb = mentions(ORIG + "floridablue_02-61000-35_intracranial-endovascular.pdf")
    # "ICD-10 Diagnosis Codes That Support Medical Necessity for codes 61635, 61645:" decides the diagnoses
    assert at(fb, "61635", 4) == ["listed"]
