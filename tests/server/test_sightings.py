"""Sightings and false positives: TAXII POST, served in the collection, counted per indicator."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from server_helpers import Bearer, Served
from taxii2client.v21 import Collection, Server

from sharing.standards.tlp import Tlp

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture(scope="module", autouse=True)
def _settled() -> Iterator[None]:
    """Leave the sightings added here served (their second over) for the next module."""
    yield
    time.sleep(1.05)


def sighting_of(indicator_id: str, *, false_positive: bool = False) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": "2026-01-05T10:00:00.000Z",
        "modified": "2026-01-05T10:00:00.000Z",
        "sighting_of_ref": indicator_id,
        "count": 3,
        "object_marking_refs": [Tlp.GREEN.marking_id],
    }
    if false_positive:
        obj["x_opencti_negative"] = True
    return obj


def verified(served: Served, tier: str) -> Collection:
    root = Server(served.discovery, auth=Bearer(served.token_of(tier))).api_roots[0]
    return next(c for c in root.collections if c.alias == "verified")


def indicator_id(served: Served, label: str) -> str:
    import json

    bundle = json.loads(served.ctx.extra["members"].indicators[label].bundle_json)
    return next(o["id"] for o in bundle["objects"] if o["type"] == "indicator")


def counts(served: Served, tier: str) -> dict[str, dict[str, int]]:
    response = requests.get(f"{served.base}/sightings/", auth=Bearer(served.token_of(tier)),
                            timeout=10)
    assert response.status_code == 200
    return response.json()


def test_sightings__posted_served_after_the_last_poll_and_counted(served: Served):
    a = indicator_id(served, "A")  # critical's, TLP:GREEN, verified
    before = counts(served, "core")[a]
    seen = verified(served, "core")
    last_poll = seen.get_manifest()["objects"][-1]["date_added"]
    good, wrong = sighting_of(a), sighting_of(a, false_positive=True)
    status = seen.add_objects({"objects": [good, wrong]})
    assert status.status == "complete" and status.success_count == 2 and status.failure_count == 0
    assert counts(served, "small")[a] == {
        "sightings": before["sightings"] + 1,
        "false_positives": before["false_positives"] + 1,
    }
    time.sleep(1.05)  # served once their second is over
    new = seen.get_objects(added_after=last_poll)["objects"]
    assert [o["id"] for o in new] == [good["id"], wrong["id"]]
    assert new[1]["x_opencti_negative"] is True
    # Another member reads them in the collection; the status is the reporter's only.
    assert {good["id"], wrong["id"]} <= {o["id"] for o in verified(served, "small").get_objects(
        type="sighting")["objects"]}
    status_url = f"{served.base}/taxii2/alliance/status/{status.id}/"
    assert requests.get(status_url, auth=Bearer(served.token_of("core")),
                        timeout=10).json()["success_count"] == 2
    assert requests.get(status_url, auth=Bearer(served.token_of("small")),
                        timeout=10).status_code == 404


def test_sightings__refused_objects_are_listed_as_failures_and_not_stored(served: Served):
    a, e = indicator_id(served, "A"), indicator_id(served, "E")  # E is pending
    own = sighting_of(a)
    pending = sighting_of(e)
    bogus = sighting_of(a) | {"count": -1}
    not_a_sighting = {"type": "identity", "spec_version": "2.1", "id": f"identity--{uuid.uuid4()}",
                      "created": "2026-01-05T10:00:00.000Z",
                      "modified": "2026-01-05T10:00:00.000Z", "name": "x"}
    before = served.ctx.sightings.all() if served.ctx.sightings else []
    status = verified(served, "critical").add_objects(
        {"objects": [own, pending, bogus, not_a_sighting]})
    assert status.success_count == 0 and status.failure_count == 4
    reasons = {f["id"]: f["message"] for f in status.failures}
    assert "submitter cannot report" in reasons[own["id"]]
    assert "not a verified indicator" in reasons[pending["id"]]
    assert "count" in reasons[bogus["id"]]
    assert "only sightings" in reasons[not_a_sighting["id"]]
    assert (served.ctx.sightings.all() if served.ctx.sightings else []) == before
    # The same sighting twice: the second is refused.
    again = sighting_of(a)
    assert verified(served, "small").add_objects({"objects": [again]}).success_count == 1
    repeat = verified(served, "small").add_objects({"objects": [again]})
    assert repeat.failure_count == 1 and "already reported" in repeat.failures[0]["message"]


def test_sightings__read_only_collections_and_members_without_access_cannot_post(served: Served):
    a = indicator_id(served, "A")
    body = {"objects": [sighting_of(a)]}
    headers = {"Accept": TAXII, "Content-Type": TAXII}
    green = requests.post(served.collection_url("tlp-green") + "objects/", json=body,
                          headers=headers, auth=Bearer(served.token_of("core")), timeout=10)
    assert green.status_code == 403 and green.json()["error_code"] == "read-only"
    newcomer = requests.post(served.collection_url() + "objects/", json=body, headers=headers,
                             auth=Bearer(served.token_of("newcomer")), timeout=10)
    assert newcomer.status_code == 403 and newcomer.json()["error_code"] == "no-access"
    garbage = requests.post(served.collection_url() + "objects/", data=b"[1]", headers=headers,
                            auth=Bearer(served.token_of("core")), timeout=10)
    assert garbage.status_code == 400 and garbage.json()["error_code"] == "envelope"


def test_sightings__read_under_their_own_marking(served: Served):
    """A GREEN sighting of a CLEAR indicator is not served to a reader without access."""
    c = indicator_id(served, "C")  # small's TLP:CLEAR indicator
    green = sighting_of(c)  # marked GREEN
    unmarked = {k: v for k, v in sighting_of(c).items() if k != "object_marking_refs"}
    red = sighting_of(c) | {"object_marking_refs": [Tlp.RED.marking_id]}
    status = verified(served, "core").add_objects({"objects": [green, unmarked, red]})
    assert status.success_count == 1
    reasons = {f["id"]: f["message"] for f in status.failures}
    assert "needs a TLP marking" in reasons[unmarked["id"]] and "TLP:RED" in reasons[red["id"]]
    time.sleep(1.05)
    def ids_in_clear(tier: str) -> set[str]:
        response = requests.get(served.collection_url("tlp-clear") + "objects/?match[type]=sighting",
                                headers={"Accept": TAXII}, auth=Bearer(served.token_of(tier)),
                                timeout=10)
        return {o["id"] for o in response.json().get("objects", [])}

    assert green["id"] in ids_in_clear("small")
    assert green["id"] not in ids_in_clear("newcomer")  # no pool access: CLEAR only
