"""ICD-10-CM importer: the CDC tabular XML (packaged by simple-icd-10-cm, or a file), the CMS order
file (loose or inside the CMS zip), and the index supplements (External Cause Index, Neoplasm and
Drug tables) as extra search terms.

The newest release wins. When an order file is newer than the best XML, the XML still gives the
structure (chapters, blocks, notes) and the order file gives the code list and titles.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.codes import canonical, display
from medcodes.codesets import icd10cm_index, icd10cm_order, icd10cm_tabular
from medcodes.codesets.icd10cm_tabular import Node
from medcodes.models import CodeRecord, ReleaseFileError, Source

SYSTEM = "icd10cm"


@dataclass(slots=True)
class _Candidate:
    release_date: str
    kind: str  # "xml" | "order"
    path: Path
    label: str
    fiscal_year: int


def packaged_xml() -> Path | None:
    """The tabular XML that simple-icd-10-cm ships, found by pattern so a new package date still works."""
    # find_spec, not import: importing simple_icd_10_cm parses its whole XML (about 2 s).
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(list(spec.submodule_search_locations)[0], "data").glob("icd10c*tabular*.xml"))
    return found[-1] if found else None


def _xml_candidate(path: Path, label: str) -> _Candidate:
    version = icd10cm_tabular.peek_version(path)
    fy_name = icd10cm_tabular.fiscal_year_from_name(path.name)
    if version and fy_name and int(version) != fy_name:
        raise ReleaseFileError(path, f"file name says {fy_name} but <version> is {version} (wrong year)")
    fy = fy_name or (int(version) if version else 0)
    date = icd10cm_tabular.release_date_from_name(path.name, version) or ""
    return _Candidate(date, "xml", path, label, fy)


def _recognise_xml(path: Path) -> bool:
    name = path.name.lower()
    return (
        name.endswith(".xml") and "tabular" in name and icd10cm_tabular.root_tag(path) == icd10cm_tabular.ROOT
    )


def select(files: list[Path], packaged: bool = True, allow_fallback: bool = False) -> Source | None:
    candidates: list[_Candidate] = []
    supplements: dict[str, list[tuple[str, Path]]] = {}
    for path in files:
        path = Path(path)
        if _recognise_xml(path):
            candidates.append(_xml_candidate(path, f"tabular XML {path.name}"))
            continue
        of = icd10cm_order.recognise(path)
        if of is not None:
            candidates.append(_Candidate(of.release_date, "order", path, of.label, of.fiscal_year))
            continue
        role = icd10cm_index.role_of(path)
        if role:
            supplements.setdefault(role, []).append((_supplement_date(path), path))
    if packaged and (pkg := packaged_xml()) is not None:
        candidates.append(_xml_candidate(pkg, "packaged tabular XML"))
    if not candidates:
        return None
    # Newest first; on a tie the XML wins because it also carries the notes.
    candidates.sort(key=lambda c: (c.release_date, c.kind == "xml"), reverse=True)
    best = candidates[0]
    xmls = [c for c in candidates if c.kind == "xml"]
    orders = [c for c in candidates if c.kind == "order"]
    files_out: dict[str, Path] = {}
    notes: list[str] = []
    if best.kind == "xml":
        files_out["tabular"] = best.path
        if orders:
            files_out["order"] = orders[0].path  # short titles only
    else:
        files_out["order"] = best.path
        if xmls:
            files_out["tabular"] = xmls[0].path
            notes.append(
                f"ICD-10-CM: {best.label} ({best.release_date}) is newer than {xmls[0].label}"
                f" ({xmls[0].release_date}): codes and titles from the order file, structure and notes from the XML"
            )
    passed = [f"{c.label} ({c.release_date})" for c in candidates[1:]]
    line = f"ICD-10-CM: {best.label} {best.release_date} chosen"
    notes.insert(0, line + (" over " + ", ".join(passed) if passed else ""))
    for role, found in sorted(supplements.items()):
        found.sort(reverse=True)
        files_out[role] = found[0][1]
        if len(found) > 1:
            notes.append(
                f"ICD-10-CM {role}: {found[0][1].name} used, "
                + ", ".join(p.name for _, p in found[1:])
                + " passed over (older)"
            )
    version = best.release_date[:7] if best.release_date else str(best.fiscal_year)
    kind = "CDC tabular XML" if best.kind == "xml" else "CMS order file"
    return Source(
        system=SYSTEM,
        name=f"ICD-10-CM {kind} FY{best.fiscal_year}",
        version=version,
        files=files_out,
        release_date=best.release_date or None,
        notes=notes,
    )


def _supplement_date(path: Path) -> str:
    date = icd10cm_tabular.release_date_from_name(path.name, None)
    return date or "0000"


def _ascii(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def _is_newer(order_path: Path, xml_path: Path) -> bool:
    of = icd10cm_order.recognise(order_path)
    xml = _xml_candidate(xml_path, "")
    return of is not None and of.release_date > xml.release_date


def _order_nodes(order_rows, tab_nodes: list[Node] | None) -> list[Node]:
    """Nodes for an order-file code list, placed in the XML structure where there is one."""
    xml = {n.code: n for n in tab_nodes or []}
    sections = [n for n in tab_nodes or [] if n.kind == "section"]
    keep: dict[str, Node] = {n.code: n for n in tab_nodes or [] if n.kind in ("chapter", "section")}
    sort: dict[str, tuple[int, int]] = {}
    for i, n in enumerate(tab_nodes or []):
        sort[n.code] = (0, i)
    rows = list(order_rows)
    for row in rows:
        code = canonical(row.code)
        old = xml.get(code)
        kind = "category" if len(code) == 3 else ("code" if row.valid else "subcategory")
        node = Node(
            code,
            kind,
            row.long_title,
            None,
            list(old.notes) if old else [],
            list(old.inclusion) if old else [],
            dict(old.attrs) if old else {},
            billable=row.valid,
        )
        node.attrs["_short"] = row.short_title
        keep[code] = node
        sort[code] = (1, row.order)
    for code, node in keep.items():
        if node.kind in ("chapter", "section"):
            continue
        old = xml.get(code)
        if old is not None and old.parent in keep:
            node.parent = old.parent
            continue
        for cut in range(len(code) - 1, 2, -1):
            if code[:cut] in keep:
                node.parent = code[:cut]
                break
        else:
            cat = code[:3]
            if cat != code and cat in keep:
                node.parent = cat
            else:
                for sec in sections:
                    lo, _, hi = sec.code.partition("-")
                    if lo <= cat <= hi:
                        node.parent = sec.code
                        break
    children: dict[str | None, list[str]] = {}
    for code, node in keep.items():
        children.setdefault(node.parent, []).append(code)
    out: list[Node] = []
    stack = sorted(children.get(None, []), key=lambda c: sort[c], reverse=True)
    while stack:
        code = stack.pop()
        out.append(keep[code])
        stack.extend(sorted(children.get(code, []), key=lambda c: sort[c], reverse=True))
    return out


@dataclass(slots=True)
class _TermMap:
    terms: dict[str, list[tuple[str, str]]]
    skipped: int


def _index_terms(source: Source, codes: set[str]) -> _TermMap:
    """Every supplement's entries by target code, built once for the whole release."""
    terms: dict[str, list[tuple[str, str]]] = {}
    seen: set[tuple[str, str]] = set()
    skipped = 0
    for role in icd10cm_index.ROLES:
        path = source.files.get(role)
        if path is None:
            continue
        for target, text in icd10cm_index.read(role, path):
            code = canonical(target).rstrip("-")
            if code not in codes:
                skipped += 1
                continue
            if (code, text) in seen:
                continue
            seen.add((code, text))
            terms.setdefault(code, []).append((text, role))
    return _TermMap(terms, skipped)


def read(source: Source) -> Iterator[CodeRecord]:
    xml_path = source.files.get("tabular")
    order_path = source.files.get("order")
    tab = icd10cm_tabular.parse(xml_path) if xml_path else None
    order_file = icd10cm_order.recognise(order_path) if order_path else None
    if order_path and order_file is None:
        raise ReleaseFileError(order_path, "not an ICD-10-CM order file")
    short: dict[str, tuple[str, str]] = {}
    if tab is None or (order_file and order_path and xml_path and _is_newer(order_path, xml_path)):
        if order_file is None:
            raise ValueError(f"{source.name}: neither a tabular XML file nor an order file")
        nodes = _order_nodes(icd10cm_order.read(order_file), tab.nodes if tab else None)
    else:
        nodes = tab.nodes
        if order_file is not None:
            # Short titles only where the long titles agree, so a revised title never gets a stale one.
            short = {r.code: (r.long_title, r.short_title) for r in icd10cm_order.read(order_file)}
    codes = {n.code for n in nodes}
    index = _index_terms(source, codes)
    if index.skipped:
        source.notes.append(
            f"ICD-10-CM: {index.skipped} index entries point to codes not in this release (skipped)"
        )
    for n in nodes:
        attrs = n.attrs
        short_title = attrs.pop("_short", None) if "_short" in attrs else None
        if short_title is None and n.code in short:
            long_title, s = short[n.code]
            if long_title == n.title or _ascii(long_title) == _ascii(n.title):
                short_title = s
        terms: list = [(t, "inclusion") for t in n.inclusion]
        terms.extend(index.terms.get(n.code, ()))
        yield CodeRecord(
            system=SYSTEM,
            code=n.code,
            display=display(SYSTEM, n.code),
            kind=n.kind,
            title=n.title,
            short_title=short_title or None,
            billable=n.billable,
            parent=n.parent,
            notes=n.notes,
            terms=terms,
            attrs=attrs,
            source=source.name,
        )
