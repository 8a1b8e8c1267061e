"""A served worker warms its caches in the background: the search engine and the explanation
profiles are loaded before the first visitor asks for them, and a failed warm-up breaks nothing."""

from __future__ import annotations

from medcodes.explain import profiles
from medcodes.search import service
from medcodes.store import Store
from medcodes.store.live import LiveStore
from medcodes.web import warm
from medcodes.web.app import app_from_env


def test_app_from_env_warms_search_and_explanations(fixture_db, monkeypatch):
    monkeypatch.setenv("MEDCODES_DB", str(fixture_db))
    for cached in vars(profiles).values():  # every profile cache empty, as in a new process
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    started = []
    monkeypatch.setattr(warm, "start", lambda live: started.append(warm.warm(live)))
    app_from_env()
    assert started, "the factory the server runs starts the warm-up"
    store = Store(fixture_db)
    assert (str(store.path), store.build_id) in service._contexts  # the search engine is open
    assert profiles._service_data.cache_info().currsize == 1  # the profiles are loaded


def test_a_failed_warm_up_is_logged_not_raised(fixture_db, caplog, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("index unreadable")

    monkeypatch.setattr(warm, "search", broken)
    warm.warm(LiveStore(fixture_db))
    assert "warm-up failed" in caplog.text


def test_the_warm_up_runs_in_a_daemon_thread(fixture_db):
    thread = warm.start(LiveStore(fixture_db))
    thread.join(timeout=60)
    assert thread.daemon and not thread.is_alive()
