"""Client for the CMS Coverage API (no key; CPT-bearing endpoints need the free licence-agreement token).

Throttled (a minimum gap between requests, and Retry-After on 429), cached on disk (responses are
keyed by path and query), and paged: a response whose `meta` carries `next_token` is followed until
the last page.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

DEFAULT_BASE = "https://api.coverage.cms.gov"
LICENSED = ("hcpc-code", "icd10", "bill-codes", "revenue-code", "code-table")


class CoverageApiError(Exception):
    pass


class CoverageClient:
    def __init__(
        self,
        base_url: str = DEFAULT_BASE,
        *,
        cache_dir: Path | None = None,
        cache_ttl: float = 7 * 86400,
        min_interval: float = 0.1,
        max_retries: int = 4,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.cache_ttl = cache_ttl
        self.min_interval = min_interval
        self.max_retries = max_retries
        self._sleep = sleep
        self._http = httpx.Client(timeout=timeout, headers={"Accept": "application/json"})
        self._lock = threading.Lock()
        self._last = 0.0
        self._token: tuple[str, float] | None = None
        self.requests = 0  # network requests made (cache hits excluded)

    def close(self) -> None:
        self._http.close()

    # -- transport --------------------------------------------------------------------------------
    def _throttle(self) -> None:
        with self._lock:
            wait = self._last + self.min_interval - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            self._last = time.monotonic()

    def _cache_path(self, path: str, params: dict) -> Path | None:
        if not self.cache_dir:
            return None
        key = hashlib.sha256(json.dumps([path, sorted(params.items())]).encode()).hexdigest()[:32]
        return self.cache_dir / f"{key}.json"

    def _get_json(self, path: str, params: dict, *, auth: bool = False) -> dict:
        cached = self._cache_path(path, params)
        if cached and cached.exists() and time.time() - cached.stat().st_mtime < self.cache_ttl:
            return json.loads(cached.read_text())
        headers = {"Authorization": f"Bearer {self.token()}"} if auth else {}
        for attempt in range(self.max_retries + 1):
            self._throttle()
            try:
                resp = self._http.get(self.base_url + path, params=params, headers=headers)
            except httpx.HTTPError as exc:
                if attempt == self.max_retries:
                    raise CoverageApiError(f"{path}: {exc}") from None
                self._sleep(min(2**attempt, 30))
                continue
            self.requests += 1
            if resp.status_code == 429 or resp.status_code >= 500:
                if attempt == self.max_retries:
                    raise CoverageApiError(f"{path}: HTTP {resp.status_code} after {attempt + 1} attempts")
                retry_after = resp.headers.get("Retry-After")
                self._sleep(float(retry_after) if retry_after and retry_after.isdigit() else min(2**attempt, 30))
                continue
            if resp.status_code == 401 and auth and attempt == 0:
                self._token = None  # expired token: fetch a fresh one once
                headers = {"Authorization": f"Bearer {self.token()}"}
                continue
            if resp.status_code != 200:
                try:
                    message = resp.json().get("message", resp.text[:200])
                except ValueError:
                    message = resp.text[:200]
                raise CoverageApiError(f"{path}: HTTP {resp.status_code}: {message}")
            try:
                data = resp.json()
            except ValueError:
                raise CoverageApiError(f"{path}: response is not JSON") from None
            if not isinstance(data, dict) or "data" not in data:
                raise CoverageApiError(f"{path}: response has no 'data' member")
            if cached:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(".tmp")
                tmp.write_text(json.dumps(data))
                tmp.replace(cached)
            return data
        raise CoverageApiError(f"{path}: gave up")

    def token(self) -> str:
        """Licence-agreement token (valid one hour per the API description; renewed after 50 minutes)."""
        if self._token and time.monotonic() < self._token[1]:
            return self._token[0]
        data = self._get_json_uncached("/v1/metadata/license-agreement/")
        rows = data.get("data") or []
        if not rows or not rows[0].get("token"):
            raise CoverageApiError("license-agreement: no token in the response")
        self._token = (rows[0]["token"], time.monotonic() + 50 * 60)
        return self._token[0]

    def _get_json_uncached(self, path: str) -> dict:
        saved, self.cache_dir = self.cache_dir, None
        try:
            return self._get_json(path, {})
        finally:
            self.cache_dir = saved

    def get(self, path: str, params: dict | None = None) -> list[dict[str, Any]]:
        """All rows of an endpoint, following `meta.next_token` across pages."""
        params = dict(params or {})
        auth = any(k in path for k in LICENSED)
        rows: list[dict] = []
        for _ in range(10000):
            data = self._get_json(path, params, auth=auth)
            rows.extend(data.get("data") or [])
            token = (data.get("meta") or {}).get("next_token")
            if not token:
                return rows
            params = {**params, "next_token": token}
        raise CoverageApiError(f"{path}: too many pages")

    # -- documents --------------------------------------------------------------------------------
    def lcd_tables(self, lcd_id: str, version: str | None = None) -> dict[str, list[dict]]:
        params = {"lcdid": lcd_id, **({"ver": version} if version else {})}
        return {name: self.get(f"/v1/data/lcd/{name}", params) for name in ("hcpc-code", "hcpc-code-group")}

    def article_tables(self, article_id: str, version: str | None = None) -> dict[str, list[dict]]:
        params = {"articleid": article_id, **({"ver": version} if version else {})}
        names = (
            "hcpc-code", "hcpc-code-group", "icd10-covered", "icd10-covered-group",
            "icd10-noncovered", "icd10-noncovered-group",
        )
        return {name: self.get(f"/v1/data/article/{name}", params) for name in names}

    def final_lcds(self) -> list[dict]:
        return self.get("/v1/reports/local-coverage-final-lcds/")

    def articles(self) -> list[dict]:
        return self.get("/v1/reports/local-coverage-articles/")
