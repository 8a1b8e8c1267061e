"""LLM writer against an OpenAI-compatible test server on loopback: valid, invalid JSON, missing
sections, contradictions, slow replies, 429 with Retry-After, 500, servers without structured output."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "explain"))
from explain_fixtures import build_db  # noqa: E402
from fake_llm import FakeLLM  # noqa: E402

from medcodes.explain import batch, explanation_for, llm, storage  # noqa: E402
from medcodes.explain.facts import gather  # noqa: E402
from medcodes.store import Store  # noqa: E402


@pytest.fixture(scope="module")
def server():
    srv = FakeLLM().start()
    yield srv
    srv.stop()


@pytest.fixture()
def fake(server):
    server.mode, server.queue, server.answer, server.delay, server.retry_after = "valid", [], None, 0.0, "1"
    server.requests.clear()
    server.codes.clear()
    return server


@pytest.fixture()
def store(tmp_path) -> Store:
    return Store(build_db(tmp_path / "m.sqlite"), readonly=False)


def _cfg(fake, **kw) -> llm.LLMConfig:
    base = {"base_url": fake.base_url, "model": "test-model", "api_key": "k", "backoff": 0.01, "timeout": 5.0}
    base.update(kw)
    return llm.LLMConfig.load(None, **base)


def _write(store, fake, system, code, **kw):
    cfg = _cfg(fake, **kw)

    async def go():
        client = llm.LLMClient(cfg)
        try:
            return await llm.write(client, gather(store, store.get(system, code))), client.usage
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_valid_answer_is_checked_stored_and_shown(store, fake):
    expl, usage = _write(store, fake, "icd10cm", "E119")
    assert expl.status == "ok", expl.reason
    assert expl.writer == "llm" and expl.model == "test-model" and expl.created_at
    assert fake.requests[0]["response_format"]["type"] == "json_schema"
    assert usage.prompt_tokens == 100 and usage.completion_tokens == 50
    storage.save(store.conn, expl)
    shown = explanation_for(store, "icd10cm", "E11.9")
    assert shown.writer == "llm" and shown.model == "test-model"
    assert [s.key for s in shown.sections] == [s.key for s in expl.sections]


def test_invalid_json_is_repaired_by_asking_again(store, fake):
    fake.queue = ["invalid_json"]
    expl, usage = _write(store, fake, "icd10cm", "E119")
    assert expl.status == "ok" and usage.requests == 2


def test_invalid_json_every_time_fails_with_the_reason_and_page_falls_back(store, fake):
    fake.mode = "invalid_json"
    expl, usage = _write(store, fake, "icd10cm", "E119", repair_attempts=1)
    assert expl.status == "failed" and "not valid JSON" in expl.reason
    assert usage.requests == 2
    storage.save(store.conn, expl)
    assert storage.load(store.conn, "icd10cm", "E119").status == "failed"
    assert explanation_for(store, "icd10cm", "E11.9").writer == "grounded"


def test_missing_sections_are_named(store, fake):
    fake.mode = "missing"
    expl, _ = _write(store, fake, "icd10cm", "E119", repair_attempts=0)
    assert expl.status == "failed"
    assert "missing sections" in expl.reason and "what_it_is" in expl.reason


def test_contradiction_is_rejected(store, fake):
    fake.mode = "fixed"
    answer = {k: {"text": "Most people do well.", "items": []} for k in
              ("name", "causes", "symptoms", "diagnosis", "treatment", "outlook", "coding_notes", "questions")}
    answer["what_it_is"] = {"text": "This procedure involves removing part of the pancreas in an operating room."}
    fake.answer = answer
    expl, _ = _write(store, fake, "icd10cm", "E119")
    assert expl.status == "failed"
    assert "is a diagnosis, but the text describes a procedure" in expl.reason


def test_slow_server_times_out_and_the_retry_succeeds(store, fake):
    fake.queue = ["hang"]
    t0 = time.perf_counter()
    expl, usage = _write(store, fake, "icd10cm", "E119", timeout=0.5)
    assert expl.status == "ok" and usage.retries == 1
    assert time.perf_counter() - t0 < 5


def test_slow_server_without_retries_is_an_error(store, fake):
    fake.mode = "hang"
    with pytest.raises(llm.LLMError, match="gave up after 1 attempts: ReadTimeout"):
        _write(store, fake, "icd10cm", "E119", timeout=0.3, max_retries=0)


def test_429_honours_retry_after(store, fake):
    fake.queue = ["429"]
    fake.retry_after = "1"
    t0 = time.perf_counter()
    expl, usage = _write(store, fake, "icd10cm", "E119", backoff=0.001)
    elapsed = time.perf_counter() - t0
    assert expl.status == "ok" and usage.retries == 1
    assert elapsed >= 0.95, f"Retry-After: 1 was not honoured ({elapsed:.2f}s)"


def test_retry_after_forms():
    assert llm.retry_after("3") == 3.0
    assert llm.retry_after(None) is None
    assert llm.retry_after("garbage") is None
    from email.utils import formatdate

    assert 8 <= llm.retry_after(formatdate(time.time() + 10, usegmt=True)) <= 10.5


def test_500_is_retried_with_backoff_then_gives_up(store, fake):
    fake.queue = ["500", "500"]
    expl, usage = _write(store, fake, "icd10cm", "E119")
    assert expl.status == "ok" and usage.retries == 2
    fake.mode = "500"
    with pytest.raises(llm.LLMError, match=r"gave up after 3 attempts: HTTP 500"):
        _write(store, fake, "icd10cm", "E119", max_retries=2)


def test_server_without_structured_output_gets_plain_json_requests(store, fake):
    fake.mode = "no_structured"
    expl, _ = _write(store, fake, "icd10cm", "E119")
    assert expl.status == "ok"
    formats = [r["response_format"] for r in fake.requests]
    assert formats[0]["type"] == "json_schema" and formats[-1] is None


def test_rate_limit_spaces_requests(store, fake):
    async def go():
        limiter = llm.RateLimiter(20)
        t0 = time.perf_counter()
        for _ in range(11):
            await limiter.wait()
        return time.perf_counter() - t0

    assert asyncio.run(go()) >= 0.45


def test_config_from_env_and_file(tmp_path, monkeypatch):
    for var in ("MEDCODES_LLM_BASE_URL", "MEDCODES_LLM_MODEL", "MEDCODES_LLM_API_KEY", "MEDCODES_LLM_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(llm.LLMError, match="MEDCODES_LLM_BASE_URL"):
        llm.LLMConfig.load()
    cfg_file = tmp_path / "llm.toml"
    cfg_file.write_text('[llm]\nbase_url = "http://127.0.0.1:9/v1/"\nmodel = "m1"\nprice_in = 2.5\n')
    monkeypatch.setenv("MEDCODES_LLM_CONFIG", str(cfg_file))
    cfg = llm.LLMConfig.load()
    assert cfg.base_url == "http://127.0.0.1:9/v1" and cfg.model == "m1" and cfg.price_in == 2.5
    monkeypatch.setenv("MEDCODES_LLM_MODEL", "m2")
    assert llm.LLMConfig.load().model == "m2"
    cfg_file.write_text('[llm]\nbase_url = "x"\nmodel = "m"\nbogus = 1\n')
    with pytest.raises(llm.LLMError, match="bogus"):
        llm.LLMConfig.load()


def test_batch_run_counts_tokens_cost_and_skips_stored(store, fake):
    cfg = _cfg(fake, price_in=1.0, price_out=2.0)
    todo = batch.select(store, "icd10cm", None, False)
    report = asyncio.run(batch.run(store, todo, cfg, concurrency=4))
    assert report.ok == len(todo) and report.errors == 0
    assert report.usage.prompt_tokens == 100 * len(todo)
    assert report.cost_usd == pytest.approx(len(todo) * (100 * 1.0 + 50 * 2.0) / 1e6)
    again = asyncio.run(batch.run(store, todo, cfg, concurrency=4))
    assert again.skipped == len(todo) and again.selected == 0
    rows = store.conn.execute("SELECT COUNT(*), COUNT(DISTINCT code) FROM explanations WHERE writer='llm'").fetchone()
    assert rows == (len(todo), len(todo))
    json.dumps(report.as_dict())
