"""The feature modules as the pages see them.

A failure in one feature never takes the whole page down: its section shows a clearly marked error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from medcodes.explain import explanation_for as _explanation_for
from medcodes.models import CodeView
from medcodes.policies import get_policy as _get_policy
from medcodes.policies import policies_for as _policies_for
from medcodes.similar import similar_for as _similar_for
from medcodes.store import Store

log = logging.getLogger(__name__)


@dataclass
class Section:
    """What a page section has to show: items, or the reason why there are none."""

    available: bool  # the feature exists in this build
    items: Any = None
    error: bool = False  # the feature failed for this code
    extra: dict = field(default_factory=dict)


def _call(name: str, fn, *args, **kw) -> Section:
    try:
        return Section(available=True, items=fn(*args, **kw))
    except Exception:
        log.exception("%s failed for %s", name, args[1:])
        return Section(available=True, error=True)


def explanation(store: Store, system: str, code: str, view: CodeView | None = None) -> Section:
    return _call("explanation_for", _explanation_for, store, system, code, view=view)


def policies(store: Store, system: str, code: str) -> Section:
    sec = _call("policies_for", _policies_for, store, system, code)
    if sec.items:
        from medcodes.policies.compare import rows

        sec.extra["comparison"] = rows(sec.items)  # one row per policy: the payer comparison table
    return sec


def policy(store: Store, policy_id: str) -> Section:
    return _call("get_policy", _get_policy, store, policy_id)


def similar(store: Store, system: str, code: str, limit: int = 12) -> Section:
    return _call("similar_for", _similar_for, store, system, code, limit=limit)
