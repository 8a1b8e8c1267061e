"""Common names (codesets/common_names/*.tsv): format, existence in a real build, no descriptor wording, fact agreement.

The real-data tests build from ../shared/data (the `real_db` fixture) and read the CLFS long descriptors
at run time, so no descriptor text is stored in the repository.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

import pytest

from medcodes.codesets import common_names
from medcodes.codesets import descriptor_facts as df

RUN = 6  # longest run of consecutive descriptor words a name may share


# --- loader ---------------------------------------------------------------------------------------
def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_loader_reads_every_file(tmp_path):
    _write(tmp_path, "a.tsv", "# comment\n\ncpt\t70551\tBrain MRI without contrast\n")
    _write(tmp_path, "b.tsv", "hcpcs\tE0601\tCPAP machine for sleep apnea\n")
    assert common_names.load(tmp_path) == {
        ("cpt", "70551"): "Brain MRI without contrast",
        ("hcpcs", "E0601"): "CPAP machine for sleep apnea",
    }


@pytest.mark.parametrize(
    "line, message",
    [
        ("cpt\t70551", "expected system<TAB>code<TAB>name"),
        ("cpx\t70551\tBrain MRI", "unknown system 'cpx'"),
        ("cpt\t705.51\tBrain MRI", "not a canonical code"),
        ("cpt\t70551\t", "empty name"),
        ("cpt\t70551\t" + " ".join(["word"] * 13), "13 words (max 12)"),
    ],
)
def test_loader_rejects_malformed_lines_naming_file_and_line(tmp_path, line, message):
    _write(tmp_path, "bad.tsv", "# header\n" + line + "\n")
    with pytest.raises(common_names.CommonNameError) as err:
        common_names.load(tmp_path)
    assert "bad.tsv line 2" in str(err.value)
    assert message in str(err.value)


def test_loader_rejects_duplicates_across_files(tmp_path):
    _write(tmp_path, "a.tsv", "cpt\t70551\tBrain MRI without contrast\n")
    _write(tmp_path, "b.tsv", "cpt\t70552\tBrain MRI with contrast\ncpt\t70551\tHead MRI\n")
    with pytest.raises(
        common_names.CommonNameError, match=r"b.tsv line 2: cpt 70551 already named in a.tsv line 1"
    ):
        common_names.load(tmp_path)


def test_packaged_files_load_and_are_short():
    names = common_names.load()
    assert names[("cpt", "70551")] == "Brain MRI without contrast"
    assert names[("cpt", "66984")] == "Cataract surgery with lens implant"
    assert all(len(n.split()) <= common_names.MAX_WORDS for n in names.values())


# --- descriptor facts -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, attr, expected",
    [
        ("Mri brain stem w/o dye", "contrast", {df.WITHOUT}),
        ("Ct head/brain w/dye", "contrast", {df.WITH}),
        ("Mri lumbar spine w/o & w/dye", "contrast", {df.WITHOUT_THEN_WITH}),
        ("Ct abd&plv wo cntr flwd cntr", "contrast", {df.WITHOUT_THEN_WITH}),
        ("Ct thorax dx c-/c+", "contrast", {df.WITHOUT_THEN_WITH}),
        ("Brain MRI without and with contrast", "contrast", {df.WITHOUT_THEN_WITH}),
        ("Xcapsl ctrc rmvl w/o ecp", "contrast", set()),
        ("X-ray exam hips bi 3-4 views", "laterality", {df.BILATERAL}),
        ("X-ray exam ribs uni 2 views", "laterality", {df.UNILATERAL}),
        ("Tactile breast img uni/bi", "laterality", set()),
        ("Knee X-ray, left side", "laterality", {df.LEFT}),
        ("Office o/p est low 20 min", "patient", {df.ESTABLISHED}),
        ("Office o/p new low 30 min", "patient", {df.NEW}),
        ("Ip/obs consltj new/est sf 35", "patient", set()),
        ("Office o/p est low 20 min", "minutes", {20}),
        ("Chemo iv infusion addl hr", "minutes", {60}),
        ("Lap jejunostomy", "approach", {df.LAPAROSCOPIC}),
        ("Perq vertebral augmentation", "approach", {df.PERCUTANEOUS}),
        ("Drain appendix abscess open", "approach", {df.OPEN}),
        ("Knee arthroscopy/surgery", "approach", {df.ENDOSCOPIC}),
        ("Endo knee-shin polyc mch sta", "approach", set()),
        ("Dbrdmt subq tiss each addl", "count", {df.EACH_ADDITIONAL}),
        ("Tangntl bx skin single les", "count", {df.SINGLE}),
    ],
)
def test_parse_facts(text, attr, expected):
    assert set(getattr(df.parse(text), attr)) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("X-ray exam chest 2 views", df.Range(2, 2)),
        ("X-ray exam chest 4+ views", df.Range(4, None)),
        ("X-ray exam ribs/chest4/> vws", df.Range(4, None)),
        ("X-ray exam of jaw <4views", df.Range(1, 3)),
        ("X-ray exam neck spine 2-3 vw", df.Range(2, 3)),
        ("Chest X-ray, 3 or more views", df.Range(3, None)),
        ("Ct head/brain w/o dye", None),
    ],
)
def test_parse_views(text, expected):
    assert df.views(text) == expected


@pytest.mark.parametrize(
    "descriptor, name, problem",
    [
        ("Mri brain stem w/o dye", "Brain MRI with contrast", "contrast"),
        ("Mri brain stem w/o & w/dye", "Brain MRI with contrast", "contrast"),
        ("Dx mammo incl cad bi", "Diagnostic mammogram, one breast", "laterality"),
        ("X-ray exam chest 2 views", "Chest X-ray, 3 views", "views"),
        ("Office o/p est low 20 min", "Office visit, new patient, 20 minutes", "patient"),
        ("Office o/p est low 20 min", "Office visit, established patient, 30 minutes", "minutes"),
        ("Lap jejunostomy", "Open feeding tube into the small bowel", "approach"),
        ("Dbrdmt subq tiss each addl", "Wound debridement, single area", "count"),
    ],
)
def test_contradictions_found(descriptor, name, problem):
    found = df.contradictions(df.parse(descriptor), df.parse(name))
    assert found and found[0].startswith(problem)


def test_name_may_omit_facts():
    assert df.contradictions(df.parse("Mri brain stem w/o dye"), df.parse("Brain MRI")) == []
    assert (
        df.contradictions(df.parse("X-ray exam ribs uni 2 views"), df.parse("Rib X-rays, one side, 2 views"))
        == []
    )


# --- every packaged name against a real build -----------------------------------------------------
def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _clfs_descriptors(shared_data: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted((shared_data / "cpt_cms").glob("clfs_*/*.csv")):
        with path.open(encoding="latin-1", newline="") as fh:
            rows = csv.reader(fh)
            header = None
            for row in rows:
                if header is None:
                    if row and row[0] == "YEAR":
                        header = row
                    continue
                rec = dict(zip(header, row, strict=False))
                texts = [rec.get(k, "") for k in ("SHORTDESC", "LONGDESC", "EXTENDEDLONGDESC")]
                out.setdefault(rec.get("HCPCS", "").strip(), []).extend(t for t in texts if t)
    return out


@pytest.fixture(scope="module")
def build_descriptors(real_db, shared_data):
    """(system, code) -> (descriptors, terminated) from the real build, plus every descriptor text."""
    con = sqlite3.connect(real_db)
    codes = {}
    texts: list[str] = []
    for system, code, title, short, term in con.execute(
        "SELECT system, code, title, short_title, termination_date FROM codes"
    ):
        own = [t for t in (title, short) if t]
        codes[(system, code)] = (own, term)
        texts.extend(own)
    con.close()
    clfs = _clfs_descriptors(shared_data)
    for code, extra in clfs.items():
        texts.extend(extra)
        if ("cpt", code) in codes:
            codes[("cpt", code)][0].extend(extra)
    return codes, texts


@pytest.mark.shared
def test_every_named_code_exists_and_is_current(build_descriptors):
    codes, _ = build_descriptors
    missing = [
        f"{e.file}:{e.line} {e.system} {e.code}"
        for e in common_names.read_entries()
        if (e.system, e.code) not in codes or codes[(e.system, e.code)][1]
    ]
    assert missing == []


@pytest.mark.shared
def test_no_name_repeats_six_descriptor_words(build_descriptors):
    _, texts = build_descriptors
    runs = set()
    for text in texts:
        w = _words(text)
        runs.update(tuple(w[i : i + RUN]) for i in range(len(w) - RUN + 1))
    copied = []
    for e in common_names.read_entries():
        w = _words(e.name)
        if any(tuple(w[i : i + RUN]) in runs for i in range(len(w) - RUN + 1)):
            copied.append(f"{e.file}:{e.line} {e.code} {e.name}")
    assert copied == []


@pytest.mark.shared
def test_every_name_agrees_with_its_descriptor_facts(build_descriptors):
    codes, _ = build_descriptors
    problems = []
    for e in common_names.read_entries():
        descriptors = codes.get((e.system, e.code), ([], None))[0]
        facts = df.merge(*(df.parse(t) for t in descriptors))
        for p in df.contradictions(facts, df.parse(e.name)):
            problems.append(f"{e.file}:{e.line} {e.system} {e.code} {e.name!r}: {p}")
    assert problems == []


@pytest.mark.shared
def test_radiology_covers_every_radiology_code(real_db):
    con = sqlite3.connect(real_db)
    wanted = {
        c
        for (c,) in con.execute(
            "SELECT code FROM codes WHERE system='cpt' AND kind='code' AND code BETWEEN '70010' AND '79999'"
        )
        if c.isdigit()
    }
    con.close()
    named = {
        e.code for e in common_names.read_entries() if e.system == "cpt"
    }  # lab.tsv names the breath tests
    assert wanted - named == set()


@pytest.mark.shared
def test_named_siblings_read_differently(real_db):
    """Codes that share a parent and a CMS short descriptor never share a common name."""
    names = common_names.load()
    con = sqlite3.connect(real_db)
    groups: dict[tuple, list[str]] = {}
    for system, code, parent, short in con.execute(
        "SELECT system, code, parent, short_title FROM codes WHERE system IN ('cpt','hcpcs') AND kind='code'"
    ):
        groups.setdefault((system, parent, short), []).append(code)
    con.close()
    clashes = []
    for (system, _, _), members in groups.items():
        seen: dict[str, str] = {}
        for code in members:
            name = names.get((system, code))
            if name is None:
                continue
            if name.lower() in seen:
                clashes.append(f"{system} {seen[name.lower()]} and {code}: {name}")
            seen[name.lower()] = code
    assert clashes == []
