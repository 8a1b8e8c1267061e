"""Similar codes: reasons on hand-made records, and the seed codes' lists on the real data."""

from __future__ import annotations

import pytest
from live import LiveServer

from medcodes.codes import canonical
from medcodes.models import CodeRecord, Source
from medcodes.similar import similar_for
from medcodes.similar.build import build_step
from medcodes.store import Store
from medcodes.store import build as store_build


def _cm(code, title, parent, kind="code"):
    c = canonical(code)
    return CodeRecord("icd10cm", c, code, kind, title, billable=kind == "code", parent=canonical(parent) if parent else None)


def _records():
    yield _cm("S50-S59", "Injuries to the elbow and forearm", None, "section")
    yield _cm("S52", "Fracture of forearm", "S50-S59", "category")
    yield _cm("S52.50", "Unspecified fracture of the lower end of radius", "S52", "subcategory")
    for side, digit in (("right", "1"), ("left", "2")):
        base = f"S52.50{digit}"
        yield _cm(base, f"Unspecified fracture of the lower end of {side} radius", "S52.50", "subcategory")
        for char, enc in (("A", "initial encounter for closed fracture"), ("D", "subsequent encounter")):
            yield _cm(f"{base}{char}", f"Unspecified fracture of the lower end of {side} radius, {enc}", base)
    yield _cm("S52.6", "Fracture of lower end of ulna", "S52", "subcategory")
    yield _cm("S52.60", "Unspecified fracture of lower end of ulna", "S52.6", "code")


def _pcs():
    def rec(code, title, parent, kind="code"):
        return CodeRecord("icd10pcs", code, code, kind, title, billable=kind == "code", parent=parent)

    yield rec("0DT", "Resection", None, "category")
    yield rec("0DTJ", "Resection of Appendix", "0DT", "subcategory")
    yield rec("0DTJ0ZZ", "Resection of Appendix, Open Approach", "0DTJ")
    yield rec("0DTJ4ZZ", "Resection of Appendix, Percutaneous Endoscopic Approach", "0DTJ")
    yield rec("0DTK", "Resection of Ascending Colon", "0DT", "subcategory")
    yield rec("0DTK4ZZ", "Resection of Ascending Colon, Percutaneous Endoscopic Approach", "0DTK")


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("similar") / "m.sqlite"
    sources = [Source("icd10cm", "test", "1"), Source("icd10pcs", "test", "1")]
    records = {"icd10cm": _records, "icd10pcs": _pcs}
    store_build.build(path, sources, lambda s: records[s.system](), steps=[("similar", build_step)])
    return Store(path)


def _reasons(store, system, code):
    return {s.display: s.reason for s in similar_for(store, system, code)}


def test_icd10cm_variants_have_their_reasons(small_db):
    reasons = _reasons(small_db, "icd10cm", "S52.501A")
    assert reasons["S52.501D"] == "other encounter"
    assert reasons["S52.502A"] == "other side"
    assert "S52.501A" not in reasons


def test_pcs_axis_variants(small_db):
    reasons = _reasons(small_db, "icd10pcs", "0DTJ4ZZ")
    assert reasons["0DTJ0ZZ"] == "other approach"
    assert reasons["0DTK4ZZ"] == "same procedure on another body part"


def test_headers_fall_back_to_their_level(small_db):
    items = similar_for(small_db, "icd10cm", "S52.6")
    assert [s.display for s in items] == ["S52.50"]
    assert items[0].reason == "same level in the hierarchy"


# -- the seed codes, on the real data: what a coder would pick instead ------------------------


def _top(store, code, n):
    return [s.code for s in similar_for(store, "cpt", code, n)]


def _in(codes, lo, hi):
    return [c for c in codes if lo <= c <= hi and c.isdigit()]


def test_seed_codes_similar_lists(real_db):
    store = Store(real_db)
    # 85230 (factor VII assay): other clotting-factor assays.
    top = _top(store, "85230", 8)
    assert len(_in(top, "85210", "85293")) >= 6, top
    # 36904 (dialysis circuit thrombectomy): 36905, 36906 and the other dialysis-circuit codes.
    top = _top(store, "36904", 6)
    assert {"36905", "36906"} <= set(top[:3]), top
    assert len(_in(top, "36901", "36909")) == len(top), top
    # 77299 (unlisted treatment planning): the other radiation treatment planning codes.
    top = _top(store, "77299", 5)
    assert len(_in(top, "77261", "77299")) == 5, top
    # 85999 (unlisted hematology): hematology and coagulation codes.
    top = _top(store, "85999", 8)
    assert len(_in(top, "85002", "85999")) == 8, top
    # 76496 (unlisted fluoroscopy): radiology codes of its own range, fluoroscopy among them.
    top = _top(store, "76496", 10)
    assert "76000" in top, top
    assert len(_in(top, "76000", "76499")) >= 6, top


def test_similar_api_through_a_real_server(real_db):
    with LiveServer(real_db) as server, server.client() as client:
        r = client.get("/api/v1/codes/cpt/36904/similar", params={"limit": 3})
        assert r.status_code == 200
        body = r.json()
        assert body["code"] == "36904" and len(body["similar"]) == 3
        assert body["similar"][0]["url"].startswith("/codes/cpt/369")
        assert client.get("/api/v1/codes/cpt/99999999/similar").status_code == 404
        assert client.get("/api/v1/codes/nope/36904/similar").status_code == 404
        assert client.get("/api/v1/codes/cpt/36904/similar", params={"limit": 0}).status_code == 422
