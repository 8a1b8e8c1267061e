"""The project's own search vocabularies (src/medcodes/search/vocab/*.tsv).

Every file in the folder has the same shape: `phrase<TAB>codes<TAB>note`, `#` comment lines, codes separated by
commas and written `system:CODE`. conditions.tsv may also give bare ICD-10-CM codes (`E11.9`), since that is its only
system. The shape tests run everywhere; the target tests check every code against a build of the real release files.
"""

from __future__ import annotations

import datetime
import functools
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from medcodes import codes as codenorm
from medcodes import systems

VOCAB = Path(__file__).resolve().parents[1] / "src" / "medcodes" / "search" / "vocab"

# Which code systems each known file may point at; a file not listed here may point at any system.
SYSTEMS = {
    "conditions.tsv": {"icd10cm"},
    "services.tsv": {"cpt", "hcpcs", "icd10pcs"},
    "drugs.tsv": {"hcpcs"},
    "equipment.tsv": {"hcpcs"},
}
ALL_SYSTEMS = set(systems.SYSTEMS)
BARE_SYSTEM = {"conditions.tsv": "icd10cm"}  # files whose codes may be written without `system:`
MIN_ROWS = {"conditions.tsv": 3000}
# Kinds of rows in the codes table a phrase may point at: never a chapter or a block/section heading.
TARGET_KINDS = {"category", "subcategory", "code"}


@dataclass(frozen=True)
class Target:
    system: str
    code: str  # canonical (no dot, upper case)
    written: str  # as written in the file, for messages


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    phrase: str
    targets: tuple[Target, ...]
    note: str


class VocabError(ValueError):
    pass


def parse_target(file: str, line: int, item: str) -> Target:
    item = item.strip()
    system, sep, code = item.partition(":")
    if not sep:
        if file not in BARE_SYSTEM:
            raise VocabError(f"{file}:{line}: {item!r} needs a system prefix (system:CODE)")
        system, code = BARE_SYSTEM[file], item
    system = system.strip().lower()
    if system not in ALL_SYSTEMS:
        raise VocabError(f"{file}:{line}: unknown system {system!r} in {item!r}")
    canon = codenorm.canonical(code)
    if not canon or not systems.get(system).shape.match(canon):
        raise VocabError(f"{file}:{line}: {item!r} is not shaped like a {system} code or category")
    return Target(system, canon, item)


def parse(path: Path) -> list[Row]:
    rows = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) not in (2, 3):
            raise VocabError(f"{path.name}:{n}: expected 2 or 3 tab-separated fields, got {len(fields)}")
        phrase = fields[0]
        if not phrase.strip() or phrase != phrase.strip() or phrase != phrase.lower() or "  " in phrase:
            raise VocabError(f"{path.name}:{n}: phrase {phrase!r} must be trimmed, lower case, single-spaced")
        items = [i for i in fields[1].split(",")]
        if not items or any(not i.strip() for i in items):
            raise VocabError(f"{path.name}:{n}: empty code in {fields[1]!r}")
        targets = tuple(parse_target(path.name, n, i) for i in items)
        rows.append(Row(path.name, n, phrase, targets, fields[2].strip() if len(fields) == 3 else ""))
    return rows


@functools.cache
def conditions() -> tuple[Row, ...]:
    return tuple(parse(VOCAB / "conditions.tsv"))


def vocab_files() -> list[Path]:
    return sorted(VOCAB.glob("*.tsv"))


@pytest.fixture(scope="module", params=[p.name for p in vocab_files()])
def vocab(request) -> list[Row]:
    return parse(VOCAB / request.param)


def test_conditions_file_is_present():
    assert (VOCAB / "conditions.tsv").is_file()


def test_file_parses_and_is_not_empty(vocab):
    name = vocab[0].file
    assert len(vocab) >= MIN_ROWS.get(name, 1), f"{name} has {len(vocab)} rows"


def test_no_duplicate_phrase_code_pairs(vocab):
    pairs = Counter((r.phrase, t.system, t.code) for r in vocab for t in r.targets)
    dups = sorted(p for p, n in pairs.items() if n > 1)
    assert not dups, f"{vocab[0].file}: repeated (phrase, code): {dups[:20]}"


def test_targets_stay_in_the_systems_the_file_is_for(vocab):
    allowed = SYSTEMS.get(vocab[0].file, ALL_SYSTEMS)
    wrong = [(r.line, t.written) for r in vocab for t in r.targets if t.system not in allowed]
    assert not wrong, f"{vocab[0].file}: codes outside {sorted(allowed)}: {wrong[:20]}"


@pytest.mark.parametrize(
    "text, message",
    [
        ("back ache\tM54.9", None),
        ("Back ache\tM54.9", "lower case"),
        ("back ache\tM54.9,", "empty code"),
        ("back ache", "2 or 3"),
        ("back ache\tmars:M54.9", "unknown system"),
        ("back ache\tE11.99999", "not shaped"),
        ("back ache\ticd10cm:M54.9\tnote", None),
    ],
)
def test_parser_rejects_malformed_rows(tmp_path, text, message):
    path = tmp_path / "conditions.tsv"
    path.write_text("# header\n\n" + text + "\n", encoding="utf-8")
    if message is None:
        (row,) = parse(path)
        assert (row.phrase, row.targets[0].system, row.targets[0].code) == ("back ache", "icd10cm", "M549")
    else:
        with pytest.raises(VocabError, match=message):
            parse(path)


def test_bare_codes_only_where_the_system_is_implied(tmp_path):
    path = tmp_path / "services.tsv"
    path.write_text("flu shot\t90686\n", encoding="utf-8")
    with pytest.raises(VocabError, match="system prefix"):
        parse(path)


def test_conditions_cover_every_chapter_that_people_search():
    """Consumer words reach every ICD-10-CM chapter that names a condition, a symptom, an injury or a visit reason."""
    letters = {t.code[0] for r in conditions() for t in r.targets}
    assert set("ABCDEFGHIJKLMNOPQRSTVWZ") <= letters


# --- every target against a build of the real release files -------------------------------------------------


@pytest.fixture(scope="module")
def built_codes(real_db) -> dict[tuple[str, str], tuple[str, str | None]]:
    con = sqlite3.connect(f"file:{real_db}?mode=ro", uri=True)
    try:
        return {
            (s, c): (k, t)
            for s, c, k, t in con.execute("SELECT system, code, kind, termination_date FROM codes")
        }
    finally:
        con.close()


@pytest.mark.shared
def test_every_target_exists_and_is_a_code_or_category(vocab, built_codes):
    today = datetime.date.today().isoformat()
    problems = []
    for r in vocab:
        for t in r.targets:
            found = built_codes.get((t.system, t.code))
            if found is None:
                problems.append(f"{r.file}:{r.line} {r.phrase!r}: {t.written} is not in the {t.system} build")
            elif found[0] not in TARGET_KINDS:
                problems.append(f"{r.file}:{r.line} {r.phrase!r}: {t.written} is a {found[0]}, not a code")
            elif found[1] and found[1] < today:
                problems.append(f"{r.file}:{r.line} {r.phrase!r}: {t.written} was terminated on {found[1]}")
    assert not problems, f"{len(problems)} bad targets:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize(
    "phrase, first",
    [
        ("type 2 diabetes", "E119"),
        ("ringing in ears", "H9319"),
        ("passing out", "R55"),
        ("water on the knee", "M25469"),
        ("blood clot in lung", "I2699"),
        ("tooth abscess", "K047"),
        ("loss of energy", "R5383"),
        ("degenerative joint disease", "M1990"),
        ("high blood sugar", "R739"),
        ("back ache", "M5450"),
        ("backache", "M5450"),
        ("head ache", "R519"),
        ("heart burn", "R12"),
        ("copd", "J449"),
        ("uti", "N390"),
        ("gerd", "K219"),
        ("adhd", "F909"),
        ("chf", "I509"),
        ("afib", "I4891"),
        ("broken wrist", "S52509A"),
        ("sprained ankle", "S93409A"),
        ("dog bite", "W540XXA"),
        ("breast cancer", "C50919"),
        ("annual physical", "Z0000"),
        ("flu shot reason", "Z23"),
        ("pregnant", "Z331"),
    ],
)
def test_consumer_words_lead_with_the_general_code(phrase, first):
    """The words the issue found missing map to the general or unspecified code first."""
    rows = [r for r in conditions() if r.phrase == phrase]
    assert rows and rows[0].targets[0].code == first
