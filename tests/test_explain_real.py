"""Explanations on the database built from ../shared/data, and the seed pages fed back as LLM answers."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "explain"))
from explain_fixtures import SEEDS  # noqa: E402
from fake_llm import FakeLLM  # noqa: E402

from medcodes.explain import explanation_for, llm  # noqa: E402
from medcodes.explain.facts import gather  # noqa: E402
from medcodes.explain.templates import required_keys  # noqa: E402
from medcodes.store import Store  # noqa: E402

SEED_CODES = {"85999": "lab", "76496": "imaging", "85230": "lab", "36904": "procedure", "77299": "procedure"}


@pytest.fixture(scope="module")
def seeds() -> Path:
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {SEEDS} does not exist: seed tests must run in CI")
        pytest.skip("../shared/seeds is not present")
    return SEEDS


@pytest.fixture(scope="module")
def store(real_db) -> Store:
    return Store(real_db)


def _text(expl) -> str:
    return "\n".join(s.text + "\n" + "\n".join(s.items) for s in expl.sections)


@pytest.mark.shared
@pytest.mark.parametrize("code,kind", sorted(SEED_CODES.items()))
def test_seed_codes_have_every_section_of_their_kind(store, code, kind):
    expl = explanation_for(store, "cpt", code)
    assert expl is not None and expl.kind == kind
    keys = {s.key for s in expl.sections}
    assert set(required_keys(kind)) <= keys
    assert all(s.text or s.items for s in expl.sections)
    assert expl.status == "ok", expl.reason


@pytest.mark.shared
def test_85230_is_a_blood_test_of_factor_vii_activity(store):
    text = _text(explanation_for(store, "cpt", "85230"))
    summary = text.lower()
    assert "blood test" in summary
    assert re.search(r"activity of clotting factor vii", summary)
    assert not re.search(r"replacement therapy|administer", summary)


@pytest.mark.shared
def test_unlisted_seed_codes_explain_unlisted(store):
    for code in ("85999", "76496", "77299"):
        assert "unlisted code" in _text(explanation_for(store, "cpt", code)), code


def _seed_file(seeds: Path, code_title_word: str) -> str:
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if code_title_word in text.splitlines()[2]:
            return text
    raise AssertionError(f"no seed page for {code_title_word}")


_SEED_TO_LAB = {
    "Name of the Procedure:": "name",
    "Summary": "summary",
    "Purpose": "purpose",
    "Indications": "indications",
    "Preparation": "preparation",
    "Procedure Description": "sample",
    "Duration": "turnaround",
    "Setting": "setting",
    "Personnel": "personnel",
    "Risks and Complications": "risks",
    "Benefits": "results",
    "Alternatives": "questions",
    "Patient Experience": "patient_experience",
}


def seed_as_lab_answer(page: str) -> dict:
    """The seed page's sections in the lab schema, the way an LLM answer would arrive."""
    answer: dict[str, dict] = {}
    current = None
    for raw in page.splitlines():
        line = raw.strip()
        if line in _SEED_TO_LAB:
            current = answer.setdefault(_SEED_TO_LAB[line], {"text": "", "items": []})
            continue
        if line.startswith(("Medical Policies", "Similar Codes", "Related policies")):
            current = None
        if current is None or not line:
            continue
        item = re.sub(r"^(?:\u2022|\d+\.)\s*", "", line)
        if item != line:
            current["items"].append(item)
        else:
            current["text"] = (current["text"] + " " + line).strip()
    return answer


@pytest.mark.shared
def test_checker_rejects_the_seed_85230_page_as_an_llm_answer(store, seeds):
    page = _seed_file(seeds, "factor VII")
    answer = seed_as_lab_answer(page)
    assert {"summary", "sample", "risks"} <= set(answer)
    server = FakeLLM().start()
    try:
        server.mode, server.answer = "fixed", answer
        cfg = llm.LLMConfig.load(None, base_url=server.base_url, model="seed-replay", backoff=0.01)

        async def go():
            client = llm.LLMClient(cfg)
            try:
                return await llm.write(client, gather(store, store.get("cpt", "85230")))
            finally:
                await client.aclose()

        expl = asyncio.run(go())
    finally:
        server.stop()
    assert expl.status == "failed"
    assert "CPT 85230 is a laboratory test, but the text describes a treatment" in expl.reason
    assert re.search(r"replacement therapy|administer", expl.reason)
    # The same text through the command-line checker.
    failing = [c for c in expl.checks if not c["ok"] and c["severity"] == "error"]
    # The seed page also carries surgical wording, which the facts checker (issue 12) flags on a lab test.
    assert [c["name"] for c in failing][0] == "consistency_kind"
    assert {c["name"] for c in failing} <= {"consistency_kind", "consistency_surgical"}


@pytest.mark.shared
def test_a_sample_of_every_system_explains_and_passes(store):
    n = 0
    for rec in store.iter_codes():
        if rec.sort % 97:
            continue
        expl = explanation_for(store, rec.system, rec.code)
        assert expl is not None
        assert expl.status == "ok", (rec.system, rec.code, rec.title, expl.reason)
        n += 1
    assert n > 1000
    json.dumps([c for c in expl.checks])
