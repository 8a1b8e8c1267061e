"""The FHIR R4 terminology facade driven by an unmodified FHIR client (fhirpy, from PyPI) against a
real server on loopback, over the shared fixture world; every answer is validated as an R4 resource
with the `fhir.resources` models (their R4B package, whose terminology resources are R4's)."""

from __future__ import annotations

import shutil
import sqlite3

import httpx
import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import OperationOutcome, ResourceNotFound
from live import LiveServer

CM = "http://hl7.org/fhir/sid/icd-10-cm"
PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS_URIS = (
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "urn:oid:2.16.840.1.113883.6.285",
)


def r4(resource) -> dict:
    """Validate as the FHIR resource its resourceType names; return it as a plain dict."""
    data = dict(resource)
    model = get_fhir_model_class(data["resourceType"])
    model.model_validate(data)
    return data


def params(resource) -> dict[str, list]:
    """Parameters -> {name: [value or parts]}."""
    out: dict[str, list] = {}
    for p in r4(resource)["parameter"]:
        value = p.get("part") or next(v for k, v in p.items() if k.startswith("value"))
        out.setdefault(p["name"], []).append(value)
    return out


def props(resource) -> dict[str, list]:
    out: dict[str, list] = {}
    for parts in params(resource).get("property", []):
        d = {p["name"]: next(v for k, v in p.items() if k.startswith("value")) for p in parts}
        out.setdefault(d["code"], []).append(d["value"])
    return out


@pytest.fixture(scope="module")
def server(fixture_db):
    with LiveServer(fixture_db) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server) -> SyncFHIRClient:
    return SyncFHIRClient(server.url + "/fhir")


def outcome_of(exc: Exception) -> dict:
    resource = getattr(exc, "resource", None)
    assert resource is not None, f"no OperationOutcome in {exc!r}"
    return r4(resource)


# -- metadata and CodeSystem resources --------------------------------------------------------


def test_capability_statement_and_terminology_capabilities(client, fixture_db):
    cap = r4(client.execute("metadata", method="get"))
    assert cap["resourceType"] == "CapabilityStatement" and cap["fhirVersion"] == "4.0.1"
    ops = {o["name"] for res in cap["rest"][0]["resource"] for o in res.get("operation", [])}
    assert ops == {"lookup", "validate-code", "subsumes", "expand", "translate"}
    tc = r4(client.execute("metadata", method="get", params={"mode": "terminology"}))
    versions = {c["uri"]: c["version"][0]["code"] for c in tc["codeSystem"]}
    from medcodes.store import Store

    have = {s["system"]: s["version"] for s in Store(fixture_db).sources()}
    assert versions[CM] == have["icd10cm"] and versions[HCPCS_URIS[0]] == have["hcpcs"]
    assert set(versions) == {CM, PCS, CPT, HCPCS_URIS[0]}


def test_code_system_read_and_search_by_every_url(client):
    cs = r4(client.reference("CodeSystem", "icd10cm").to_resource())
    assert cs["url"] == CM and cs["content"] == "not-present" and cs["count"] == 40
    for uri in (CM, PCS, CPT, *HCPCS_URIS):
        found = client.resources("CodeSystem").search(url=uri).fetch()
        assert len(found) == 1, uri
        r4(found[0])
    assert found[0]["url"] == HCPCS_URIS[0]
    assert client.resources("CodeSystem").search(url="http://example.org/none").fetch() == []
    assert len(client.resources("CodeSystem").fetch()) == 4
    with pytest.raises(ResourceNotFound):
        client.reference("CodeSystem", "snomed").to_resource()


# -- $lookup ----------------------------------------------------------------------------------


def test_lookup_seventh_character_code(client):
    res = client.execute("CodeSystem/$lookup", method="get", params={"system": CM, "code": "S52.501A"})
    p = params(res)
    assert p["name"] == ["ICD-10-CM"]
    assert p["display"][0].startswith("Unspecified fracture of the lower end of right radius, initial")
    uses = {
        next(x["valueCoding"]["code"] for x in d if x["name"] == "use"): next(
            x["valueString"] for x in d if x["name"] == "value"
        )
        for d in p["designation"]
    }
    assert uses["readable-title"] == p["display"][0]
    assert uses["short-descriptor"] == "Unsp fracture of the lower end of right radius, init"
    pr = props(res)
    assert pr["parent"] == ["S52.501"] and pr["billable"] == [True] and pr["status"] == ["active"]
    assert "child" not in pr


def test_lookup_post_parameters_properties_and_notes(client):
    body = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "coding", "valueCoding": {"system": CM, "code": "E11"}},
            {"name": "property", "valueCode": "child"},
            {"name": "property", "valueCode": "billable"},
        ],
    }
    pr = props(client.execute("CodeSystem/$lookup", method="post", data=body))
    assert set(pr) == {"child", "billable"}
    assert {"E11.2", "E11.9"} <= set(pr["child"]) and pr["billable"] == [False]
    every = props(client.execute("CodeSystem/$lookup", method="get", params={"system": CM, "code": "E11"}))
    assert any(c.startswith("excludes1: diabetes mellitus due to underlying") for c in every["comment"])


def test_lookup_all_three_hcpcs_uris_and_dates(client):
    for uri in HCPCS_URIS:
        pr = props(
            client.execute("CodeSystem/$lookup", method="get", params={"system": uri, "code": "g8891"})
        )
        assert pr["effectiveDate"] == ["2012-01-01"] and pr["retirementDate"] == ["2014-12-31"]
        assert pr["status"] == ["inactive"]
    old = props(
        client.execute(
            "CodeSystem/$lookup",
            method="get",
            params={"system": HCPCS_URIS[2], "code": "G8891", "date": "2013"},
        )
    )
    assert old["status"] == ["active"]


def test_lookup_bogus_code_unknown_system_and_wrong_version(client):
    with pytest.raises(ResourceNotFound) as exc:
        client.execute("CodeSystem/$lookup", method="get", params={"system": CM, "code": "Q99.BOGUS"})
    assert "is not a code of ICD-10-CM" in str(exc.value)  # fhirpy puts the OperationOutcome's text in it
    with pytest.raises(ResourceNotFound):
        client.execute(
            "CodeSystem/$lookup", method="get", params={"system": "http://snomed.info/sct", "code": "1"}
        )
    with pytest.raises(ResourceNotFound):
        client.execute(
            "CodeSystem/$lookup", method="get", params={"system": CM, "code": "E11.9", "version": "1999"}
        )
    with pytest.raises(OperationOutcome) as bad:
        client.execute("CodeSystem/$lookup", method="get", params={"system": CM})
    assert outcome_of(bad.value)["issue"][0]["code"] == "invalid"


# -- $validate-code ---------------------------------------------------------------------------


def test_code_system_validate_code_with_display_check(client):
    ok = params(
        client.execute(
            "CodeSystem/$validate-code",
            method="get",
            params={
                "url": CM,
                "code": "S52.501A",
                "display": "unspecified fracture of the lower end of right radius, initial encounter for closed fracture",
            },
        )
    )
    assert ok["result"] == [True]
    short = params(
        client.execute(
            "CodeSystem/$validate-code",
            method="get",
            params={"url": PCS, "code": "0DTJ0ZZ", "display": "Resection of Appendix, Open Approach"},
        )
    )
    assert short["result"] == [True], short
    wrong = params(
        client.execute(
            "CodeSystem/$validate-code",
            method="get",
            params={"url": CM, "code": "E11.9", "display": "Asthma"},
        )
    )
    assert wrong["result"] == [False] and "Asthma" in wrong["message"][0]
    assert wrong["display"] == ["Type 2 diabetes mellitus without complications"]
    bogus = params(
        client.execute("CodeSystem/$validate-code", method="get", params={"url": CPT, "code": "ZZZZZ"})
    )
    assert bogus["result"] == [False] and "ZZZZZ" in bogus["message"][0]
    for uri in HCPCS_URIS:
        body = {
            "resourceType": "Parameters",
            "parameter": [{"name": "url", "valueUri": uri}, {"name": "code", "valueCode": "K0001"}],
        }
        assert params(client.execute("CodeSystem/$validate-code", method="post", data=body))["result"] == [
            True
        ]
    gone = params(
        client.execute(
            "CodeSystem/$validate-code",
            method="get",
            params={"url": HCPCS_URIS[1], "code": "G8891", "date": "2020-01-01"},
        )
    )
    assert gone["result"] == [False] and "2020-01-01" in gone["message"][0]


def test_value_set_validate_code(client):
    def check(url, code, **extra):
        return params(
            client.execute(
                "ValueSet/$validate-code",
                method="get",
                params={"url": url, "system": CM, "code": code, **extra},
            )
        )

    assert check(f"{CM}?fhir_vs=isa/E11", "E11.21")["result"] == [True]
    out = check(f"{CM}?fhir_vs=isa/E11", "S52.501A")
    assert out["result"] == [False] and "E11" in out["message"][0]
    assert check(f"{CM}?fhir_vs", "S52.501A")["result"] == [True]
    assert check(f"{CM}?fhir_vs", "E11.9", display="wrong name")["result"] == [False]
    with pytest.raises(ResourceNotFound, match="unknown value set"):
        client.execute(
            "ValueSet/$validate-code", method="get", params={"url": "http://example.org/vs", "code": "x"}
        )


# -- $subsumes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "a", "b", "outcome"),
    [
        (CM, "E11", "E11.21", "subsumes"),
        (CM, "S52.501A", "S52", "subsumed-by"),
        (CM, "E11.9", "E119", "equivalent"),
        (CM, "E11.9", "S52.501A", "not-subsumed"),
        (CPT, "85002-85999", "85230", "subsumes"),
        (HCPCS_URIS[2], "K0001", "E1130", "not-subsumed"),
    ],
)
def test_subsumes(client, system, a, b, outcome):
    res = client.execute(
        "CodeSystem/$subsumes", method="get", params={"system": system, "codeA": a, "codeB": b}
    )
    assert params(res)["outcome"] == [outcome]


def test_subsumes_post_codings_and_bogus(client):
    body = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "codingA", "valueCoding": {"system": PCS, "code": "0DT"}},
            {"name": "codingB", "valueCoding": {"system": PCS, "code": "0DTJ4ZZ"}},
        ],
    }
    assert params(client.execute("CodeSystem/$subsumes", method="post", data=body))["outcome"] == ["subsumes"]
    with pytest.raises(ResourceNotFound):
        client.execute(
            "CodeSystem/$subsumes", method="get", params={"system": CM, "codeA": "E11", "codeB": "NOPE1"}
        )


# -- $expand ----------------------------------------------------------------------------------


def expansion(client, **kw) -> dict:
    vs = r4(client.execute("ValueSet/$expand", method="get", params=kw))
    assert vs["resourceType"] == "ValueSet"
    return vs["expansion"]


def test_expand_all_codes_with_paging(client):
    first = expansion(client, url=f"{CM}?fhir_vs", count=5)
    assert first["total"] == 40 and len(first["contains"]) == 5
    second = expansion(client, url=f"{CM}?fhir_vs", count=5, offset=5)
    assert not {c["code"] for c in first["contains"]} & {c["code"] for c in second["contains"]}
    assert all(c["system"] == CM for c in first["contains"])


def test_expand_isa_includes_seventh_character_codes(client):
    exp = expansion(client, url=f"{CM}?fhir_vs=isa/S52.501")
    assert [c["code"] for c in exp["contains"]] == ["S52.501", "S52.501A", "S52.501D", "S52.501S"]
    assert exp["total"] == 4


def test_expand_filter_runs_search_with_typos(client):
    exp = expansion(client, url=f"{CM}?fhir_vs", filter="diabetis", count=10)
    codes = [c["code"] for c in exp["contains"]]
    assert exp["total"] >= 1 and any(c.startswith("E11") for c in codes), codes
    inside = expansion(client, url=f"{CM}?fhir_vs=isa/E11.2", filter="diabetes", count=10)
    assert {c["code"] for c in inside["contains"]} <= {"E11.2", "E11.21"} and inside["contains"]
    chair = expansion(client, url=f"{HCPCS_URIS[1]}?fhir_vs", filter="wheelchiar")
    assert {"K0001", "E1130"} <= {c["code"] for c in chair["contains"]}


def test_expand_active_only_and_date(client):
    uri = HCPCS_URIS[0]
    everything = {c["code"] for c in expansion(client, url=f"{uri}?fhir_vs", count=1000)["contains"]}
    active = {
        c["code"] for c in expansion(client, url=f"{uri}?fhir_vs", activeOnly="true", count=1000)["contains"]
    }
    assert "G8891" in everything and "G8891" not in active and "K0001" in active
    in_2013 = {
        c["code"] for c in expansion(client, url=f"{uri}?fhir_vs", date="2013-06-01", count=1000)["contains"]
    }
    assert "G8891" in in_2013


def test_expand_post_and_errors(client):
    body = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "url", "valueUri": f"{PCS}?fhir_vs=isa/0DT"},
            {"name": "count", "valueInteger": 3},
        ],
    }
    vs = r4(client.execute("ValueSet/$expand", method="post", data=body))
    assert vs["expansion"]["total"] > 3 and len(vs["expansion"]["contains"]) == 3
    with pytest.raises(ResourceNotFound):
        client.execute("ValueSet/$expand", method="get", params={"url": f"{CM}?fhir_vs=isa/BOGUS9"})
    with pytest.raises(OperationOutcome) as exc:
        client.execute("ValueSet/$expand", method="get", params={"url": f"{CM}?fhir_vs", "count": "lots"})
    assert outcome_of(exc.value)["issue"][0]["code"] == "invalid"


# -- $translate -------------------------------------------------------------------------------


def test_translate_without_history_says_so(fixture_db, tmp_path):
    db = tmp_path / "no-history.sqlite"
    shutil.copy(fixture_db, db)
    with sqlite3.connect(db) as conn:  # a database built without the history step
        conn.execute("DROP TABLE IF EXISTS code_successors")
    with LiveServer(db) as srv:
        client = SyncFHIRClient(srv.url + "/fhir")
        with pytest.raises(OperationOutcome) as exc:
            client.execute("ConceptMap/$translate", method="get", params={"system": CM, "code": "E11.9"})
    issue = outcome_of(exc.value)["issue"][0]
    assert issue["code"] == "not-supported" and "not loaded" in issue["diagnostics"]


def test_translate_with_successors(fixture_db, tmp_path):
    db = tmp_path / "history.sqlite"
    shutil.copy(fixture_db, db)
    with sqlite3.connect(db) as conn:  # the table the history step writes
        conn.execute(
            "CREATE TABLE IF NOT EXISTS code_successors"
            " (system TEXT, old TEXT, new_system TEXT, new TEXT, date TEXT, source TEXT)"
        )
        conn.execute(
            "INSERT INTO code_successors VALUES ('hcpcs', 'G8891', 'hcpcs', 'K0001', '2015-01-01', 'test')"
        )
    with LiveServer(db) as srv:
        client = SyncFHIRClient(srv.url + "/fhir")
        for uri in HCPCS_URIS:
            p = params(
                client.execute("ConceptMap/$translate", method="get", params={"system": uri, "code": "G8891"})
            )
            assert p["result"] == [True]
            match = {x["name"]: x for x in p["match"][0]}
            assert match["concept"]["valueCoding"]["code"] == "K0001"
            assert match["concept"]["valueCoding"]["display"] == "Standard wheelchair"
        none = params(
            client.execute("ConceptMap/$translate", method="get", params={"system": CM, "code": "E11.9"})
        )
        assert none["result"] == [False]


# -- plain HTTP: content type and status of errors -------------------------------------------


def test_content_type_and_error_statuses(server):
    with httpx.Client(base_url=server.url + "/fhir", timeout=10) as c:
        r = c.get("/metadata")
        assert r.headers["content-type"].startswith("application/fhir+json")
        for path, status in [
            ("/CodeSystem/nope", 404),
            ("/Patient/1", 404),
            ("/metadata?mode=bogus", 400),
            ("/ValueSet/$expand?url=" + CM + "?fhir_vs&count=-1", 400),
        ]:
            r = c.get(path)
            assert r.status_code == status, (path, r.text)
            assert r.headers["content-type"].startswith("application/fhir+json")
            r4(r.json())
        r = c.post(
            "/CodeSystem/$lookup", content=b"not json", headers={"content-type": "application/fhir+json"}
        )
        assert r.status_code == 400 and r.json()["resourceType"] == "OperationOutcome"
        r = c.post("/CodeSystem/$lookup", json={"resourceType": "Patient"})
        assert r.status_code == 400 and "Parameters" in r.json()["issue"][0]["diagnostics"]
