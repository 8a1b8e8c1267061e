"""The "What Medicare pays" and "Limits" panels of CPT and HCPCS code pages (templates/_payment.html).

The locality comes from `?locality=` (a plain GET form, so the choice works without JavaScript and
stays in the URL); a bad one is explained in the panel while national amounts are shown."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from medcodes.models import CodeRecord
from medcodes.payment import LOCALITY_FORMAT, Payment, UnknownLocality, localities, payment_for
from medcodes.payment.serialize import label
from medcodes.store import Store

log = logging.getLogger(__name__)
SYSTEMS = ("cpt", "hcpcs")
INDICATOR_LABELS = {
    "pctc": "Professional/technical split",
    "multiple_procedure": "Multiple procedures (modifier 51)",
    "bilateral_surgery": "Bilateral (modifier 50)",
    "assistant_at_surgery": "Assistant at surgery (modifiers 80-82, AS)",
    "co_surgeons": "Co-surgeons (modifier 62)",
    "team_surgery": "Team surgery (modifier 66)",
}


@dataclass
class PaymentPanel:
    payment: Payment | None
    selected: str  # locality id or "national"
    states: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # state -> [(id, name)]
    error: str | None = None
    failed: bool = False
    indicator_labels: dict[str, str] = field(default_factory=lambda: dict(INDICATOR_LABELS))

    @property
    def label(self) -> str:
        return label(self.payment.pfs.year if self.payment else None)

    @staticmethod
    def money(amount: Decimal | None) -> str:
        return f"${amount:,.2f}" if amount is not None else "—"

    @property
    def sources(self) -> list[str]:
        p = self.payment
        if p is None:
            return []
        srcs = [part.source for part in (p.pfs, p.clfs, p.opps, p.anesthesia) if part.source]
        srcs += [x.source for x in p.mue if x.source]
        seen: dict[str, str] = {}
        for s in srcs:
            seen.setdefault(s.file, f"{s.file} ({s.year})" if s.year else s.file)
        return list(seen.values())

    @property
    def has_data(self) -> bool:
        return self.payment is not None and self.payment.mue_reason != "no payment data in this build"


def panel(store: Store, rec: CodeRecord, locality: str | None) -> PaymentPanel | None:
    """The panel for a CPT/HCPCS code or modifier page; None on other pages."""
    if rec.system not in SYSTEMS or rec.kind not in ("code", "modifier"):
        return None
    try:
        locs = localities(store)
        states: dict[str, list[tuple[str, str]]] = {}
        for loc in locs:
            states.setdefault(loc.state, []).append((loc.id, loc.name.title()))
        out = PaymentPanel(None, "national", sorted(states.items()))
        try:
            out.payment = payment_for(store, rec.system, rec.code, locality)
            out.selected = out.payment.locality.id
        except UnknownLocality as exc:
            out.error = f"{exc}. National amounts are shown instead."
            out.payment = payment_for(store, rec.system, rec.code, None)
        return out
    except Exception:  # one failing panel must not take the page down
        log.exception("payment panel failed for %s %s", rec.system, rec.code)
        return PaymentPanel(None, "national", failed=True)


__all__ = ["INDICATOR_LABELS", "LOCALITY_FORMAT", "PaymentPanel", "panel"]
