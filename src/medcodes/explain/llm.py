"""The LLM writer: any OpenAI-compatible chat-completions endpoint, given the grounded facts and the
section schema. Answers must validate against the schema (structured output where the server has
it, repair prompts otherwise) and pass the checker before they are stored."""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import random
import re
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import ValidationError

from medcodes.explain import Explanation, Section, checks
from medcodes.explain.facts import Facts
from medcodes.explain.storage import now
from medcodes.explain.templates import KIND_LABELS, json_schema, model_for, specs

PROMPT_VERSION = "1"
WRITER = "llm"


class LLMError(Exception):
    """A request that failed for good (bad config, 4xx, retries used up)."""


@dataclass
class LLMConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0
    max_retries: int = 5
    backoff: float = 1.0  # first retry wait in seconds; doubles each time
    max_backoff: float = 60.0
    rps: float | None = None  # requests per second across all workers
    price_in: float = 0.0  # USD per million prompt tokens
    price_out: float = 0.0  # USD per million completion tokens
    structured: str = "auto"  # auto | json_schema | json_object | none
    repair_attempts: int = 2
    temperature: float = 0.2

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides) -> LLMConfig:
        """Config file (TOML: $MEDCODES_LLM_CONFIG or ~/.config/medcodes/llm.toml), then
        MEDCODES_LLM_* environment variables, then explicit overrides."""
        data: dict = {}
        path = config_file or (Path(os.environ["MEDCODES_LLM_CONFIG"]) if os.environ.get("MEDCODES_LLM_CONFIG") else None)
        if path is None:
            default = Path.home() / ".config" / "medcodes" / "llm.toml"
            path = default if default.exists() else None
        if path is not None:
            try:
                data.update(tomllib.loads(Path(path).read_text(encoding="utf-8")).get("llm", {}))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise LLMError(f"cannot read LLM config {path}: {exc}") from None
        env = {
            "base_url": "MEDCODES_LLM_BASE_URL",
            "model": "MEDCODES_LLM_MODEL",
            "api_key": "MEDCODES_LLM_API_KEY",
            "timeout": "MEDCODES_LLM_TIMEOUT",
            "rps": "MEDCODES_LLM_RPS",
            "price_in": "MEDCODES_LLM_PRICE_IN",
            "price_out": "MEDCODES_LLM_PRICE_OUT",
            "structured": "MEDCODES_LLM_STRUCTURED",
            "max_retries": "MEDCODES_LLM_MAX_RETRIES",
            "backoff": "MEDCODES_LLM_BACKOFF",
        }
        for key, var in env.items():
            if os.environ.get(var):
                data[key] = os.environ[var]
        data.update({k: v for k, v in overrides.items() if v is not None})
        missing = [k for k in ("base_url", "model") if not data.get(k)]
        if missing:
            raise LLMError(
                "LLM endpoint not configured: set MEDCODES_LLM_BASE_URL and MEDCODES_LLM_MODEL "
                "(and MEDCODES_LLM_API_KEY if the server needs one), or write a config file"
            )
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise LLMError(f"unknown LLM config keys: {', '.join(sorted(unknown))}")
        cfg = cls(**{k: v for k, v in data.items() if k in known})
        for key in ("timeout", "backoff", "max_backoff", "price_in", "price_out", "temperature"):
            setattr(cfg, key, float(getattr(cfg, key)))
        for key in ("max_retries", "repair_attempts"):
            setattr(cfg, key, int(getattr(cfg, key)))
        cfg.rps = float(cfg.rps) if cfg.rps else None
        if cfg.structured not in ("auto", "json_schema", "json_object", "none"):
            raise LLMError(f"structured must be auto, json_schema, json_object or none, not {cfg.structured!r}")
        cfg.base_url = cfg.base_url.rstrip("/")
        return cfg


@dataclass
class Usage:
    requests: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def cost(self, cfg: LLMConfig) -> float:
        return (self.prompt_tokens * cfg.price_in + self.completion_tokens * cfg.price_out) / 1_000_000


class RateLimiter:
    """Spaces request starts at least 1/rps apart across all workers."""

    def __init__(self, rps: float | None):
        self.interval = 1.0 / rps if rps else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            t = time.monotonic()
            start = max(t, self._next)
            self._next = start + self.interval
        if start > t:
            await asyncio.sleep(start - t)


def retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class Completion:
    content: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class LLMClient:
    cfg: LLMConfig
    http: httpx.AsyncClient | None = None
    usage: Usage = field(default_factory=Usage)

    def __post_init__(self):
        self._own_http = self.http is None
        if self.http is None:
            limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
            self.http = httpx.AsyncClient(timeout=self.cfg.timeout, limits=limits)
        self._limiter = RateLimiter(self.cfg.rps)
        # Downgraded once for the whole run when a server rejects structured output.
        self._structured = "json_schema" if self.cfg.structured == "auto" else self.cfg.structured

    async def aclose(self) -> None:
        if self._own_http and self.http is not None:
            await self.http.aclose()

    def _headers(self) -> dict[str, str]:
        h = {"Content-Type": "application/json"}
        if self.cfg.api_key:
            h["Authorization"] = f"Bearer {self.cfg.api_key}"
            h["api-key"] = self.cfg.api_key  # Azure OpenAI reads this header
        return h

    def _body(self, messages: list[dict], schema_name: str, schema: dict) -> dict:
        body: dict = {"model": self.cfg.model, "messages": messages, "temperature": self.cfg.temperature}
        if self._structured == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": False},
            }
        elif self._structured == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    def _wait(self, attempt: int) -> float:
        base = min(self.cfg.max_backoff, self.cfg.backoff * (2**attempt))
        return base * (0.5 + random.random() / 2)

    async def complete(self, messages: list[dict], schema_name: str, schema: dict) -> Completion:
        url = f"{self.cfg.base_url}/chat/completions"
        last = "no attempt made"
        attempt = 0
        while attempt <= self.cfg.max_retries:
            await self._limiter.wait()
            self.usage.requests += 1
            try:
                resp = await self.http.post(url, json=self._body(messages, schema_name, schema), headers=self._headers())
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                await self._retry_sleep(attempt, None)
                attempt += 1
                continue
            if resp.status_code == 200:
                return self._parse(resp)
            last = f"HTTP {resp.status_code}: {resp.text[:200]}"
            if resp.status_code == 400 and self.cfg.structured == "auto" and self._structured != "none":
                if re.search(r"response_format|json_schema|json_object|structured", resp.text, re.I):
                    self._structured = "json_object" if self._structured == "json_schema" else "none"
                    continue  # not a failed attempt: same request in a form the server accepts
            if resp.status_code == 429 or resp.status_code >= 500 or resp.status_code == 408:
                await self._retry_sleep(attempt, retry_after(resp.headers.get("retry-after")))
                attempt += 1
                continue
            raise LLMError(last)
        raise LLMError(f"gave up after {self.cfg.max_retries + 1} attempts: {last}")

    async def _retry_sleep(self, attempt: int, server_wait: float | None) -> None:
        if attempt >= self.cfg.max_retries:
            return
        self.usage.retries += 1
        await asyncio.sleep(server_wait if server_wait is not None else self._wait(attempt))

    def _parse(self, resp: httpx.Response) -> Completion:
        try:
            data = resp.json()
            content = data["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError(f"the server's reply is not a chat completion: {resp.text[:200]}") from None
        usage = data.get("usage") or {}
        c = Completion(content, int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
        self.usage.prompt_tokens += c.prompt_tokens
        self.usage.completion_tokens += c.completion_tokens
        return c


# -- prompt and answer ---------------------------------------------------------------------------

SYSTEM_PROMPT = """You write plain-language explanations of medical billing codes for patients.
Rules:
- Write at a grade 8 reading level or below: short sentences, common words, explain medical terms.
- Stay true to the official descriptor and the facts given. Never contradict them. If the code is a
  laboratory test, describe a test (how the sample is taken, what the result means), never a treatment.
  If it is a diagnosis, describe a condition, not a procedure. If it is a drug, describe the drug and
  its billing unit. For ICD-10-PCS codes, name the body part and the approach exactly as the axes say.
  Keep the side of the body (right, left, bilateral) exactly as the descriptor says.
- Where you state something general, say so ("most people", "usually"). Do not invent code-specific facts.
- For an unlisted or not-otherwise-classified code, explain what an unlisted code means for the patient and the claim.
- Answer with one JSON object only, matching the schema: one key per section, each {"text": "...", "items": [...]}."""


def build_messages(facts: Facts) -> list[dict]:
    sections = [
        {"key": s.key, "heading": s.heading, "required": s.required, "shape": s.shape, "content": s.hint}
        for s in specs(facts.kind)
    ]
    user = (
        f"Explain this {KIND_LABELS[facts.kind]} code.\n\nFacts (official data):\n"
        + json.dumps(facts.to_prompt(), indent=1, ensure_ascii=False)
        + "\n\nSections to write:\n"
        + json.dumps(sections, indent=1)
        + "\n\nJSON schema of the answer:\n```json\n"
        + json.dumps(json_schema(facts.kind))
        + "\n```"
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


class AnswerError(ValueError):
    pass


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


def parse_answer(content: str, kind: str) -> list[Section]:
    """JSON text -> sections in template order. Lenient on shape (a bare string or list per section,
    a {"sections": ...} wrapper, code fences), strict on the schema."""
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0:
        raise AnswerError("the answer contains no JSON object")
    try:
        data = json.loads(text[start : end + 1] if end > start else text[start:])
    except json.JSONDecodeError as exc:
        raise AnswerError(f"the answer is not valid JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("sections"), dict) and len(data) == 1:
        data = data["sections"]
    if not isinstance(data, dict):
        raise AnswerError("the answer must be a JSON object with one key per section")
    known = {s.key for s in specs(kind)}
    fixed = {}
    for key, value in data.items():
        if key not in known:
            continue  # extra keys are dropped, not fatal
        if isinstance(value, str):
            value = {"text": value}
        elif isinstance(value, list):
            value = {"items": [str(v) for v in value]}
        fixed[key] = value
    try:
        model = model_for(kind).model_validate(fixed)
    except ValidationError as exc:
        missing = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "missing"]
        if missing:
            raise AnswerError("missing sections: " + ", ".join(missing)) from None
        raise AnswerError("the answer does not match the schema: " + "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5]
        )) from None
    out = []
    for spec in specs(kind):
        body = getattr(model, spec.key, None)
        if body is None:
            continue
        out.append(
            Section(spec.key, spec.heading, text=body.text.strip(), items=[i.strip() for i in body.items if i.strip()],
                    ordered=spec.shape == "steps")
        )
    return out


async def write(client: LLMClient, facts: Facts) -> Explanation:
    """One explanation from the LLM, checked. Raises LLMError only when the server cannot be used;
    answers that never validate come back as a failed explanation with the reason."""
    messages = build_messages(facts)
    schema = json_schema(facts.kind)
    reason = ""
    sections: list[Section] = []
    for _attempt in range(client.cfg.repair_attempts + 1):
        completion = await client.complete(messages, f"{facts.kind}_explanation", schema)
        try:
            sections = parse_answer(completion.content, facts.kind)
            reason = ""
            break
        except AnswerError as exc:
            reason = str(exc)
            messages = messages + [
                {"role": "assistant", "content": completion.content[:8000]},
                {"role": "user", "content": f"That answer was rejected: {exc}. Reply again with only the JSON object."},
            ]
    expl = Explanation(
        system=facts.system,
        code=facts.code,
        kind=facts.kind,
        writer=WRITER,
        sections=sections,
        model=client.cfg.model,
        created_at=now(),
        prompt_version=PROMPT_VERSION,
    )
    if reason:
        expl.checks = [{"name": "schema", "ok": False, "detail": reason, "severity": "error"}]
        expl.status, expl.reason = "failed", f"schema: {reason}"
        return expl
    expl.checks, expl.status, expl.reason = checks.run(expl, facts)
    return expl


def from_answer(facts: Facts, content: str, model: str = "answer") -> Explanation:
    """Check an answer text as if an LLM had written it (used by `explain check` and tests)."""
    expl = Explanation(facts.system, facts.code, facts.kind, WRITER, [], model=model, created_at=now(),
                       prompt_version=PROMPT_VERSION)
    try:
        expl.sections = parse_answer(content, facts.kind)
    except AnswerError as exc:
        expl.checks = [{"name": "schema", "ok": False, "detail": str(exc), "severity": "error"}]
        expl.status, expl.reason = "failed", f"schema: {exc}"
        return expl
    expl.checks, expl.status, expl.reason = checks.run(expl, facts)
    return expl
