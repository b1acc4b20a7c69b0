"""The OASIS taxii2-client against the real server: discovery to objects, as a connector reads."""

from __future__ import annotations

import json

import pytest
import requests
import stix2validator
from server_helpers import Bearer, Served
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from sharing.pool.access import PoolAccessDenied

TAXII = "application/taxii+json;version=2.1"
VERIFIED = ("A", "B", "C", "D")


def _validator() -> stix2validator.ValidationOptions:
    return stix2validator.ValidationOptions(version="2.1", silent=True)


def expected_objects(served: Served, reader: str) -> list[tuple[str, str]]:
    """(id, version) of every object of the verified bundles ``reader`` may read, deduplicated,
    then the sightings of their indicators (members' reports come after the bundles)."""
    seen: list[tuple[str, str]] = []
    readable: set[bytes] = set()
    for label in VERIFIED:
        ind = served.ctx.extra["members"].indicators[label]
        try:
            stored = served.ctx.pool.get_for(reader, ind.content_hash)
        except PoolAccessDenied:
            continue
        readable.add(stored.content_hash)
        for obj in json.loads(stored.json_text)["objects"]:
            key = (obj["id"], obj.get("modified") or obj["created"])
            if key not in seen:
                seen.append(key)
    sightings = served.ctx.sightings.all() if served.ctx.sightings is not None else []
    seen += [(s.id, s.object["modified"]) for s in sightings if s.content_hash in readable]
    return seen


@pytest.fixture(scope="module")
def core_root(served: Served) -> ApiRoot:
    server = Server(served.discovery, auth=Bearer(served.token_of("core")))
    assert server.title == "AIS alliance (demo)"
    (root,) = server.api_roots
    assert root.url == f"{served.base}/taxii2/alliance/"
    assert root.versions == [TAXII]
    return root


def verified_of(root: ApiRoot) -> Collection:
    return next(c for c in root.collections if c.alias == "verified")


def test_discovery__api_root_and_collections_as_a_connector_sees_them(core_root: ApiRoot):
    aliases = {c.alias: c for c in core_root.collections}
    assert set(aliases) == {"verified", "tlp-clear", "tlp-green", "tlp-amber",
                            "tlp-amber-strict", "pending"}
    assert all(c.can_read for c in aliases.values())
    assert aliases["verified"].can_write and not aliases["tlp-green"].can_write
    assert aliases["verified"].media_types == ["application/stix+json;version=2.1"]


def test_objects__paged_by_the_client_equal_the_unpaged_read_and_the_pool_rule(
    served: Served, core_root: ApiRoot
):
    collection = verified_of(core_root)
    whole = collection.get_objects()
    assert whole["more"] is False and "next" not in whole
    pages = list(as_pages(collection.get_objects, per_request=4))
    assert len(pages) > 2 and all(len(p["objects"]) <= 4 for p in pages)
    assert all(p["more"] for p in pages[:-1]) and not pages[-1]["more"]
    paged = [o for p in pages for o in p["objects"]]
    assert [o["id"] for o in paged] == [o["id"] for o in whole["objects"]]
    keys = [(o["id"], o.get("modified") or o["created"]) for o in paged]
    assert keys == expected_objects(served, served.members["core"])
    # The pending indicator E is not in the verified collection.
    pending = served.ctx.extra["members"].indicators["E"]
    pending_ids = {o["id"] for o in json.loads(pending.bundle_json)["objects"]
                   if o["type"] == "indicator"}
    assert not pending_ids & {o["id"] for o in paged}


def test_objects__every_object_served_is_valid_stix_2_1(core_root: ApiRoot):
    for collection in core_root.collections:
        for obj in collection.get_objects().get("objects", []):
            result = stix2validator.validate_parsed_json(obj, _validator())
            assert result.is_valid, (obj["id"], [str(e) for e in result.errors])


def test_objects__amber_strict_only_for_the_named_recipient(served: Served):
    strict = served.ctx.extra["members"].indicators["D"]
    strict_ids = {o["id"] for o in json.loads(strict.bundle_json)["objects"]
                  if o["type"] == "indicator"}
    for tier, sees in (("core", True), ("small", False), ("critical", True)):
        root = Server(served.discovery, auth=Bearer(served.token_of(tier))).api_roots[0]
        ids = {o["id"] for o in verified_of(root).get_objects()["objects"]}
        assert bool(strict_ids & ids) is sees, tier
        assert expected_objects(served, served.members[tier]) == [
            (o["id"], o.get("modified") or o["created"])
            for o in verified_of(root).get_objects()["objects"]
        ]


def test_filters__match_type_id_version_and_added_after(core_root: ApiRoot):
    collection = verified_of(core_root)
    indicators = collection.get_objects(type="indicator")["objects"]  # A, B, C and D
    assert len(indicators) == 4 and {o["type"] for o in indicators} == {"indicator"}
    one = indicators[0]["id"]
    assert [o["id"] for o in collection.get_objects(id=one)["objects"]] == [one]
    assert collection.get_objects(id=one, version="all")["objects"][0]["id"] == one
    assert collection.get_objects(type="no-such-type") == {}
    manifest = collection.get_manifest()["objects"]
    assert all(m["media_type"] == "application/stix+json;version=2.1" for m in manifest)
    earliest = min(m["date_added"] for m in manifest)
    later = collection.get_manifest(added_after=earliest).get("objects", [])
    assert [m["id"] for m in later] == [m["id"] for m in manifest if m["date_added"] > earliest]


def test_object_and_versions__by_id(core_root: ApiRoot):
    collection = verified_of(core_root)
    indicator = collection.get_objects(type="indicator")["objects"][0]
    got = collection.get_object(indicator["id"])
    assert got["objects"] == [indicator] and got["more"] is False
    versions = collection.object_versions(indicator["id"])
    assert versions["versions"] == [indicator["modified"]]


def test_headers__date_added_first_and_last_bound_the_page(served: Served):
    response = requests.get(
        served.collection_url() + "objects/?limit=3",
        headers={"Accept": TAXII}, auth=Bearer(served.token_of("core")), timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == TAXII
    manifest = requests.get(
        served.collection_url() + "manifest/?limit=3",
        headers={"Accept": TAXII}, auth=Bearer(served.token_of("core")), timeout=10,
    ).json()["objects"]
    assert response.headers["X-TAXII-Date-Added-First"] == manifest[0]["date_added"]
    assert response.headers["X-TAXII-Date-Added-Last"] == manifest[-1]["date_added"]


@pytest.mark.parametrize(
    ("method", "path", "headers", "status", "code"),
    [
        ("GET", "objects/", {"Accept": "application/xml"}, 406, "media-type"),
        ("GET", "objects/", {"Accept": "application/taxii+json;version=2.0"}, 406, "media-type"),
        ("POST", "objects/", {"Accept": TAXII, "Content-Type": "application/json"}, 415,
         "media-type"),
        ("GET", "objects/?limit=0", {"Accept": TAXII}, 400, "filter"),
        ("GET", "objects/?added_after=yesterday", {"Accept": TAXII}, 400, "filter"),
        ("GET", "objects/?next=garbage", {"Accept": TAXII}, 400, "filter"),
        ("GET", "objects/indicator--00000000-0000-4000-8000-000000000000/", {"Accept": TAXII},
         404, "object"),
        ("DELETE", "objects/", {"Accept": TAXII}, 405, None),
    ],
)
def test_errors__are_taxii_error_messages(served, method, path, headers, status, code):
    response = requests.request(
        method, served.collection_url() + path, headers=headers, data=b"{}",
        auth=Bearer(served.token_of("core")), timeout=10,
    )
    assert response.status_code == status
    assert response.headers["content-type"] == TAXII
    body = response.json()
    assert body["http_status"] == str(status) and body.get("error_code") == code and body["title"]


def test_errors__a_node_that_cannot_be_read_is_a_503_taxii_error(served: Served, monkeypatch):
    def node_down(*_args, **_kwargs):
        raise requests.ConnectionError("connection refused by node at 10.0.0.7")

    monkeypatch.setattr(served.ctx.chain.w3.eth, "get_block", node_down)
    response = requests.get(served.collection_url() + "objects/", headers={"Accept": TAXII},
                            auth=Bearer(served.token_of("core")), timeout=10)
    assert response.status_code == 503 and response.headers["content-type"] == TAXII
    assert response.json()["error_code"] == "server" and "10.0.0.7" not in response.text


def test_errors__unknown_collection_and_path_are_404_taxii_errors(served: Served):
    for url in (served.collection_url("nope"), f"{served.base}/taxii2/alliance/nothing/"):
        response = requests.get(url, headers={"Accept": TAXII},
                                auth=Bearer(served.token_of("core")), timeout=10)
        assert response.status_code == 404
        assert response.headers["content-type"] == TAXII
        assert response.json()["http_status"] == "404"


def test_collections__pending_holds_the_undecided_and_tlp_collections_their_marking(
    served: Served, core_root: ApiRoot
):
    indicators = served.ctx.extra["members"].indicators

    def indicator_of(label: str) -> str:
        return next(o["id"] for o in json.loads(indicators[label].bundle_json)["objects"]
                    if o["type"] == "indicator")

    by_alias = {c.alias: c for c in core_root.collections}
    pending = {o["id"] for o in by_alias["pending"].get_objects(type="indicator")["objects"]}
    assert pending == {indicator_of("E")}
    for alias, label in (("tlp-green", "A"), ("tlp-amber", "B"), ("tlp-clear", "C"),
                         ("tlp-amber-strict", "D")):
        ids = {o["id"] for o in by_alias[alias].get_objects(type="indicator")["objects"]}
        assert ids == {indicator_of(label)}, alias
    everywhere = {o["id"] for c in by_alias.values()
                  for o in c.get_objects(type="indicator").get("objects", [])}
    assert indicator_of("F") not in everywhere  # rejected: served nowhere
