"""Warm a server process before its first visitors: the search engine (index, speller, headings)
and the explanation profiles take 0.2 s and 1.3 s to load, which the first search or the first
explained bill would otherwise wait for.

Runs in a daemon thread started with the app, so the server answers at once; a request that comes
before the warm-up ends loads what it needs itself (the loaders are shared and idempotent)."""

from __future__ import annotations

import logging
import threading

from medcodes.explain import explanation_for
from medcodes.models import SYSTEMS
from medcodes.search import search
from medcodes.store.live import LiveStore

log = logging.getLogger(__name__)


def warm(live: LiveStore) -> None:
    try:
        store = live.current()
        search(store, "warm up")
        for system in SYSTEMS:
            first = next(store.iter_codes(system, leaves_only=True), None)
            if first is not None:
                explanation_for(store, system, first.code)
    except Exception:  # noqa: BLE001 - warming is an optimisation; a failure shows on the first request
        log.exception("warm-up failed")


def start(live: LiveStore) -> threading.Thread:
    thread = threading.Thread(target=warm, args=(live,), name="medcodes-warm", daemon=True)
    thread.start()
    return thread
