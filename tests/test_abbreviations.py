"""The abbreviation lexicon: context rules, sentence case, the lexicon check, and readable CPT headings."""

from __future__ import annotations

import csv
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from medcodes.codesets import abbreviations as ab
from medcodes.codesets import cpt, hcpcs

FIX = Path(__file__).resolve().parent / "fixtures" / "cpt"

# ---------------------------------------------------------------------------------------------
# Context rules and case, on phrases written for these tests


def test_context_picks_the_meaning_of_ext():
    assert ab.expand("Rem ext fixation dev lt") == "Removal external fixation device left"
    assert "extremity" in ab.expand("Xray upr ext 2 views").split()
    assert "extension" in ab.expand("Knee flex & ext brace").split()


def test_context_picks_the_meaning_of_est():
    assert "established" in ab.expand("Home visit est pt 30 min").split()
    assert "estimated" in ab.expand("Blood loss est by wt").split()


def test_context_picks_the_meaning_of_reviewed_abbreviations():
    # Phrases written for the test; each pair shows one abbreviation read two ways by its neighbours.
    words = lambda short: ab.expand(short).split()  # noqa: E731
    assert "amplified" in words("Virus x amp probe")
    assert "amputation" in words("Leg amp below knee")
    assert "breakpoint" in words("Gene x major bp")
    assert "blood" in words("Ambl bp check")
    assert "calcium" in words("Serum ca total")
    assert "cancer" in words("Urothelial ca screen")
    assert "deep" in words("Exc leg tum dep 3 cm")
    assert "depression" in words("Neg dep screen")
    assert "disorder" in words("Mood do gene panel")
    assert ab.expand("Do genotype exon 5").startswith("Dombrock")
    assert "Sars-CoV-2" in ab.expand("Sars-cov-2 antb screen")
    assert "established" in words("Audio-video est pt visit")
    assert ab.expand("Tunneled cv cath rpr") == "Tunneled central venous catheter repair"
    assert "cardiovascular" in words("Lipid cv risk panel")


def test_with_without_and_ampersand():
    assert ab.expand("Foot scan w/o dye") == "Foot scan without dye"
    assert ab.expand("Foot scan w/dye") == "Foot scan with dye"
    assert ab.expand("Cyst i&d w/ drain") == "Cyst incision and drainage with drain"
    assert ab.expand("Skin&tis rpr") == "Skin and tissue repair"
    # "w/o" glued to a word only means "without" when what follows is no word on its own.
    assert ab.expand("Foot scan w/oral dye") == "Foot scan with oral dye"
    assert ab.expand("Foot scan w/odye") == "Foot scan without dye"
    assert ab.expand("Skin&/tis rpr") == "Skin and/or tissue repair"
    assert ab.expand("Skin rpr +-tis") == "Skin repair with or without tissue"


def test_sentence_case_keeps_acronyms_upper_case():
    assert ab.expand("mri knee w/o dye") == "MRI knee without dye"
    assert ab.expand("HIV dna quant") == "HIV DNA quantitative"
    assert ab.expand("CT CHEST W/ DYE").startswith("CT chest with")


def test_numbers_and_comparisons():
    assert ab.expand("Rpr arm wnd 2.5 cm/>") == "Repair arm wound 2.5 cm or more"
    assert ab.expand("Nrv blk ea addl 15min") == "Nerve block each additional 15 minutes"
    assert ab.expand("Nrv blk 3+ sites") == "Nerve block 3 or more sites"
    assert "or more" not in ab.expand("Cd4+ cell count")  # a marker's "+" is no count


def test_body_region_lists_read_as_regions_even_glued_to_a_size():
    # Test wording, not CMS descriptors: a region list known to the lexicon, then a size.
    assert ab.expand("Rpr s/n/ax/gen/trk7.6cm") == "Repair scalp, neck, armpits, genitals or trunk 7.6 cm"
    assert ab.expand("Rpr s/n/ax/gen/trk 7.6cm") == "Repair scalp, neck, armpits, genitals or trunk 7.6 cm"
    assert ab.expand("Exc t/a/l 2 cm") == "Excision trunk, arms or legs 2 cm"
    assert ab.expand("Rpr x/y/z3cm").startswith("Repair x/y/z")  # an unknown list stays as written


def test_unknown_tokens_are_kept_and_listed():
    assert ab.expand("Zqxv graft arm") == "Zqxv graft arm"
    assert ab.unknown_tokens("Zqxv graft arm", {"graft", "arm"}) == ["zqxv"]
    assert ab.unknown_tokens("Rem ext dev", set()) == []


def test_lexicon_rows_are_well_formed():
    lex = ab.lexicon()
    assert len(lex) > 1000
    with pytest.raises(ValueError, match="no default"):
        ab.parse_lexicon("abbr\texpansion\tcontext\nzz\tzebra\tnear:stripe\n")
    with pytest.raises(ValueError, match="unknown context rule"):
        ab.parse_lexicon("zz\tzebra\tbeside:x\nzz\tzoo\t\n")
    for abbr, senses in lex.senses.items():
        assert abbr == abbr.lower() and abbr.strip() == abbr
        for s in senses:
            assert s.expansion.strip() == s.expansion and s.expansion


def test_no_abbreviation_has_two_default_rows():
    """Two rows without a context for one abbreviation would leave its meaning to file order."""
    from importlib import resources

    text = resources.files("medcodes.codesets").joinpath("cms_abbreviations.tsv").read_text(encoding="utf-8")
    defaults: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if line.startswith("#") or parts[0] == "abbr" or len(parts) < 2:
            continue
        if len(parts) < 3 or not parts[2].strip():
            defaults[parts[0]] = defaults.get(parts[0], 0) + 1
    assert [a for a, n in defaults.items() if n > 1] == []


def test_wordfreq_decides_ordinary_english_but_not_clippings():
    assert ab.is_english("bilateral") and ab.is_english("removal")
    assert not ab.is_english("xcapsl") and not ab.is_english("rmvl") and not ab.is_english("ostectomy")
    vocab = ab.vocabulary(["Ostectomy of the jaw"])
    assert "ostectomy" in vocab and "removal" in vocab and "zqxv" not in vocab


def test_report_counts_texts_with_unknown_tokens():
    report = ab.lexicon_report(["Rem ext dev", "Qqq arm", "Qqq leg"], {"arm", "leg"})
    assert (report.texts, report.with_unknown, report.unknown) == (3, 2, {"qqq": 2})


# ---------------------------------------------------------------------------------------------
# Real files


def _short_descriptors(data: Path) -> list[str]:
    d = data / "cpt_cms"
    shorts = [e.short for e in cpt.read_pfs(d / "rvu25d/PPRRVU2025_Oct.csv", "csv").entries.values()]
    shorts += [
        e.short
        for e in cpt.read_opps(
            d / "opps_addendum_b/2023_January_Web_Addendum_B.12212022.xlsx", "xlsx"
        ).entries.values()
    ]
    shorts += [
        e.short for e in cpt.read_clfs(d / "clfs_26clabq2/PUF_CLFS_CY2026_Q2V1.csv", "csv").entries.values()
    ]
    # The PFS file's HCPCS Level II rows (the CPT reader skips them).
    with open(d / "rvu25d/PPRRVU2025_Oct.csv", encoding="utf-8-sig", errors="replace") as f:
        shorts += [row[2] for row in csv.reader(f) if row and re.fullmatch(r"[A-Z]\d{4}", row[0])]
    source = hcpcs.select([data / "hcpcs/HCPC2025_OCT_ANWEB.xlsx"])
    shorts += [r.short_title for r in hcpcs.read(source) if r.short_title]
    return [s for s in shorts if s]


def _vocabulary(db: sqlite3.Connection) -> ab.Vocabulary:
    """Official long texts of the build: ICD-10-CM, ICD-10-PCS and HCPCS titles, CLFS/AMA long descriptors."""
    vocab = ab.vocabulary(
        t for (t,) in db.execute("SELECT title FROM codes WHERE system IN ('icd10cm', 'icd10pcs', 'hcpcs')")
    )
    vocab |= ab.words_of(
        t
        for (t,) in db.execute(
            "SELECT title FROM codes WHERE system = 'cpt' AND json_extract(attrs, '$.title_source')"
            " IN ('clfs', 'ama', 'ama_medium')"
        )
    )
    return vocab


def test_lexicon_covers_every_short_descriptor(shared_data, real_db):
    db = sqlite3.connect(real_db)
    vocab = _vocabulary(db)
    report = ab.lexicon_report(sorted(set(_short_descriptors(shared_data))), vocab)
    assert report.texts > 15000
    top = list(report.unknown.items())[:30]
    assert report.with_unknown == 0, f"{report.with_unknown} descriptors hold unknown tokens, e.g. {top}"


EXPECTED = {
    "66984": "cataract",
    "99213": "established",
    "99214": "established",
    "36904": "dialysis",
    "36905": "dialysis",
    "36906": "dialysis",
    "90686": "vaccine",
    "70551": "brain",
    "77299": "radiology",
}


def test_headings_of_common_codes_are_readable(real_db):
    db = sqlite3.connect(real_db)
    vocab = _vocabulary(db)
    rows = dict(
        db.execute(
            f"SELECT code, title FROM codes WHERE system = 'cpt' AND code IN ({','.join('?' * len(EXPECTED))})",
            list(EXPECTED),
        ).fetchall()
    )
    shorts = dict(
        db.execute(
            f"SELECT code, short_title FROM codes WHERE system = 'cpt' AND code IN ({','.join('?' * len(EXPECTED))})",
            list(EXPECTED),
        ).fetchall()
    )
    for code, word in EXPECTED.items():
        title = rows[code]
        assert ab.unknown_tokens(title, vocab) == [], (code, title)
        assert word in title.lower().split(), (code, title)
        assert title[0].isupper() and title != title.upper(), (code, title)
        assert shorts[code] and shorts[code] != title  # the raw CMS wording is kept apart


def test_unknown_abbreviation_in_a_user_file_still_builds_and_is_reported(tmp_path):
    shutil.copy(FIX / "PPRRVU2031_Jan.csv", tmp_path / "PPRRVU2031_Jan.csv")
    ama = tmp_path / "SHORTU.txt"
    ama.write_text("99999\tQzzv rem ext dev\n")
    source = cpt.select(sorted(tmp_path.iterdir()))
    recs = {r.code: r for r in cpt.read(source)}
    rec = recs["99999"]
    assert rec.title == "Qzzv removal external device"
    assert rec.short_title == "Qzzv rem ext dev"
    assert ab.unknown_tokens(rec.title, {"removal", "external", "device"}) == ["qzzv"]
