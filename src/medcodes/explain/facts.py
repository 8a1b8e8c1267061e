"""What is officially known about a code, gathered once: both writers and the checker read it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from medcodes.codesets import descriptor_facts as df
from medcodes.explain.kinds import betos_of, kind_of
from medcodes.explain.profiles import Profile, profile_for
from medcodes.models import CodeRecord, CodeView, Note
from medcodes.systems import LABELS, NAMES

if TYPE_CHECKING:
    from medcodes.store import Store
    from medcodes.store.lab_ncd import LabNcd

_UNLISTED = re.compile(
    r"^unlisted\b|^unclassified\b|\bunlisted (?:procedure|service)|\bnot otherwise (?:classified|specified)\b|\bnoc\b",
    re.IGNORECASE,
)
_PCS_APPROACH_IN_TITLE = re.compile(r",\s*([^,]+?) Approach\s*$")


@dataclass(slots=True)
class Axis:
    position: int
    title: str  # e.g. "Body Part", "Approach"
    code: str
    label: str  # e.g. "Kidney, Right"
    definition: str = ""


@dataclass(slots=True)
class Facts:
    record: CodeRecord
    kind: str
    path: list[str]  # ancestor titles, root first
    notes: list[Note]
    terms: list[str]
    profile: Profile
    axes: list[Axis] = field(default_factory=list)
    chapter: str | None = None  # title of the top-level chapter, when the hierarchy has one
    # Inclusion terms of the ICD-10-CM category and subcategories above the code, narrowest first, as
    # (ancestor display, text). Chapters and blocks are left out: their includes are broader than any one code.
    ancestor_terms: list[tuple[str, str]] = field(default_factory=list)
    # Excludes, code-first and use-additional notes of the category and subcategories above an ICD-10-CM
    # code: the official conventions apply them to every code below.
    ancestor_notes: list[tuple[str, Note]] = field(default_factory=list)
    common_name: str | None = None  # the project's plain name (codesets/common_names)
    service: df.ServiceFacts = field(
        default_factory=df.ServiceFacts
    )  # what the descriptors say the service is
    descriptor: df.DescriptorFacts = field(
        default_factory=df.DescriptorFacts
    )  # side, contrast, patient, approach
    lab_ncds: list[LabNcd] = field(
        default_factory=list
    )  # Medicare lab NCDs that list the code, when ingested

    @property
    def contrast(self) -> frozenset[str]:
        """Contrast stated by the descriptor, the PCS contrast axis, or implied: a plain X-ray that names no
        contrast uses none."""
        axis = self.axis("contrast")
        if axis is not None and axis.label:
            return frozenset({df.WITHOUT if axis.label.lower() == "none" else df.WITH})
        if self.descriptor.contrast:
            return self.descriptor.contrast
        if self.kind == "imaging" and self.service.modality in (
            df.XRAY,
            df.MAMMOGRAPHY,
            df.DEXA,
            df.ULTRASOUND,
        ):
            return frozenset({df.WITHOUT})
        return frozenset()

    def attr(self, *path: str) -> Any:
        """A nested value of the code's attrs (e.g. attr("pfs", "global")), or None."""
        value: Any = self.record.attrs or {}
        for key in path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    @property
    def system(self) -> str:
        return self.record.system

    @property
    def code(self) -> str:
        return self.record.code

    @property
    def title(self) -> str:
        return self.record.title

    @property
    def label(self) -> str:
        return LABELS[self.system]

    @property
    def system_name(self) -> str:
        return NAMES[self.system]

    @property
    def unlisted(self) -> bool:
        if self.record.kind not in ("code", "modifier"):
            return False
        return bool(self.record.attrs.get("not_otherwise_classified")) or bool(_UNLISTED.search(self.title))

    @property
    def category(self) -> str | None:
        """The narrowest category name: the profile's, else the parent's title."""
        return self.profile.label or (self.path[-1] if self.path else None)

    def axis(self, *titles: str) -> Axis | None:
        wanted = {t.lower() for t in titles}
        for a in self.axes:
            if a.title.lower() in wanted:
                return a
        return None

    @property
    def approach(self) -> str | None:
        a = self.axis("approach")
        if a:
            return a.label
        if self.system == "icd10pcs":
            m = _PCS_APPROACH_IN_TITLE.search(self.title)
            return m.group(1).strip() if m else None
        return None

    @property
    def body_part(self) -> Axis | None:
        return self.axis("body part", "body region", "body system / region")

    def to_prompt(self) -> dict[str, Any]:
        """The grounded facts an LLM writer gets, as plain JSON."""
        rec = self.record
        out: dict[str, Any] = {
            "code_system": self.label,
            "code": rec.display,
            "official_descriptor": rec.title,
            "kind": self.kind,
            "hierarchy": self.path,
            "category": self.category,
            "unlisted_code": self.unlisted,
        }
        if rec.short_title and rec.short_title != rec.title:
            out["short_descriptor"] = rec.short_title
        if self.notes:
            out["official_notes"] = [{"type": n.type, "text": n.text} for n in self.notes]
        if self.terms:
            out["other_names"] = self.terms[:20]
        if self.ancestor_terms:
            out["category_inclusion_terms"] = [text for _where, text in self.ancestor_terms[:20]]
        if self.axes:
            out["axes"] = [
                {"position": a.position, "axis": a.title, "value": a.label, "definition": a.definition}
                for a in self.axes
            ]
        betos = betos_of(rec)
        if betos:
            out["betos"] = betos
        if rec.attrs.get("coverage"):
            out["medicare_coverage"] = rec.attrs["coverage"]
        return out


def parse_axes(attrs: dict[str, Any]) -> list[Axis]:
    """PCS axes in whatever shape the importer stored: a list of dicts or a {title: value} mapping."""
    raw = attrs.get("axes") if attrs else None
    if not raw:
        return []
    out: list[Axis] = []
    if isinstance(raw, dict):
        raw = [{"title": k, **(v if isinstance(v, dict) else {"label": v})} for k, v in raw.items()]
    for i, a in enumerate(raw, start=1):
        if not isinstance(a, dict):
            continue
        title = a.get("title") or a.get("name") or a.get("axis") or ""
        label = a.get("label") or a.get("meaning") or ""
        if isinstance(label, dict):
            label = label.get("label") or label.get("text") or ""
        out.append(
            Axis(
                position=int(a.get("pos") or a.get("position") or i),
                title=str(title),
                code=str(a.get("code") or a.get("char") or a.get("value") or ""),
                label=str(label),
                definition=str(a.get("definition") or a.get("def") or ""),
            )
        )
    return out


_INCLUDES = ("inclusion", "includes")


_INHERITED = ("excludes1", "excludes2", "code_first", "use_additional", "code_also")


def _ancestor_terms(view: CodeView, inherited: list[tuple[str, Note]] | None = None) -> list[tuple[str, str]]:
    rec, crumbs = view.record, view.breadcrumb
    if rec.system != "icd10cm":
        return []
    own = {n.text.lower() for n in view.notes}
    out: list[tuple[str, str]] = []
    for anc in reversed(crumbs):
        if anc.kind not in ("category", "subcategory"):
            continue
        for n in view.notes_of(anc.code):
            if inherited is not None and n.type in _INHERITED and n.text.lower() not in own:
                own.add(n.text.lower())
                inherited.append((anc.display, n))
            # A text ending in ":" only introduces a list, it is not a name of its own.
            if n.type in _INCLUDES and n.text.lower() not in own and not n.text.rstrip().endswith(":"):
                own.add(n.text.lower())
                out.append((anc.display, n.text))
    return out


def gather(store: Store, rec: CodeRecord, view: CodeView | None = None) -> Facts:
    """The facts about a code; `view` (from Store.code_view) saves reading the breadcrumb and notes again."""
    if view is None or view.record.code != rec.code or view.record.system != rec.system:
        view = store.code_view(rec)
    crumbs = view.breadcrumb
    path = [c.title for c in crumbs]
    term_rows = store.terms(rec.system, rec.code)
    terms = [t for t, _origin in term_rows]
    common = rec.common_name  # stored beside the titles by the build
    # The descriptors of the code, most trusted first: the project's plain name, the long and short
    # descriptors, the CLFS long descriptor.
    texts = [
        t for t in (common, rec.title, rec.short_title, *(t for t, o in term_rows if o == "clfs_long")) if t
    ]
    kind = kind_of(rec, path, [t for t in texts if t not in (rec.title, rec.short_title)])
    service = (
        df.merge_service(*(df.parse_service(t) for t in texts))
        if rec.system != "icd10cm"
        else df.ServiceFacts(body_part=df.body_part(rec.title))
    )
    inherited: list[tuple[str, Note]] = []
    anc_terms = _ancestor_terms(view, inherited)
    return Facts(
        ancestor_notes=inherited,
        common_name=common,
        service=service,
        descriptor=df.merge(*(df.parse(t) for t in texts)),
        record=rec,
        kind=kind,
        path=path,
        notes=view.notes,
        terms=terms,
        profile=profile_for(rec.system, rec.code, kind),
        axes=parse_axes(rec.attrs),
        chapter=next((c.title for c in crumbs if c.kind == "chapter"), None),
        ancestor_terms=anc_terms,
        lab_ncds=store.lab_ncds(rec.system, rec.code) if kind == "lab" and rec.system != "icd10cm" else [],
    )
