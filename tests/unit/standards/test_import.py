"""Splitting real-shaped reports into indicator bundles: what each part holds, what is left out."""

from __future__ import annotations

import json

import pytest
import stix2validator
from stix_fixtures import (
    MITRE_IDENTITY,
    MITRE_STATEMENT,
    apt1_like,
    as_stix_20,
    attack_object_bundle,
    malicious_email_like,
    poisonivy_like,
)

from sharing.errors import InputError
from sharing.pool.admission import BundleRejected, RejectReason, admit
from sharing.standards.categories import category_code
from sharing.standards.semantic_key import semantic_key
from sharing.standards.stix_parse import load_indicator_bundle
from sharing.standards.stix_split import attack_tactics, split_bundle
from sharing.standards.tlp import Tlp


def _types(part) -> list[str]:
    return [o["type"] for o in part.bundle["objects"]]


def test_split__apt1_shape_twelve_parts_with_group_identity_and_markings():
    source = apt1_like()
    split = split_bundle(source)
    assert len(split.parts) == 12
    assert [p.indicator_id for p in split.parts] == [
        o["id"] for o in source["objects"] if o["type"] == "indicator"]
    assert [o.split("--")[0] for o in split.left_out] == ["report"]
    keys = set()
    for part in split.parts:
        assert sorted(_types(part)) == sorted(["marking-definition", "marking-definition",
                                               "identity", "intrusion-set", "indicator",
                                               "relationship"])
        described = load_indicator_bundle(part.bundle)
        assert described.indicator_id == part.indicator_id and described.tlp is Tlp.GREEN
        indicator = next(o for o in part.bundle["objects"] if o["type"] == "indicator")
        assert indicator["x_example_source_report"] == "APT1 2013"  # custom property kept
        assert b'"x_example_source_report":"APT1 2013"' in described.canonical_json
        keys.add(semantic_key(described.canonical_json))
    assert len(keys) == 12  # twelve observables, twelve on-chain lives


def test_split__objects_keep_their_bytes_and_order():
    source = apt1_like()
    position = {o["id"]: i for i, o in enumerate(source["objects"])}
    by_id = {o["id"]: o for o in source["objects"]}
    for part in split_bundle(source).parts:
        ids = part.object_ids
        assert ids == sorted(ids, key=position.__getitem__)
        assert all(o == by_id[o["id"]] for o in part.bundle["objects"])


def test_split__part_ids_are_derived_so_anyone_gets_the_same_hashes():
    first = [load_indicator_bundle(p.bundle).content_hash for p in split_bundle(apt1_like()).parts]
    again = split_bundle(json.dumps(apt1_like(), indent=3).encode())
    assert [load_indicator_bundle(p.bundle).content_hash for p in again.parts] == first
    assert len(set(first)) == 12


@pytest.mark.parametrize(
    ("source", "count", "tlp", "tactic"),
    [
        (poisonivy_like(), 25, Tlp.AMBER, "command-and-control"),
        (malicious_email_like(), 2, Tlp.GREEN, "initial-access"),
        (attack_object_bundle(), 1, Tlp.GREEN, "command-and-control"),
    ],
    ids=["poisonivy", "malicious-email", "attack-object"],
)
def test_split__each_shape_gives_valid_admitted_parts(source, count, tlp, tactic):
    parts = split_bundle(source).parts
    assert len(parts) == count
    options = stix2validator.ValidationOptions(version="2.1", silent=True)
    for part in parts:
        described = load_indicator_bundle(part.bundle)
        assert admit(described) is tlp
        assert attack_tactics(described.bundle) == {category_code(tactic)}
        assert stix2validator.validate_parsed_json(part.bundle, options).is_valid


def test_split__attack_object_keeps_mitre_provenance_and_leaves_the_tactic_object_out():
    split = split_bundle(attack_object_bundle())
    (part,) = split.parts
    ids = set(part.object_ids)
    assert {MITRE_IDENTITY, MITRE_STATEMENT} <= ids
    technique = next(o for o in part.bundle["objects"] if o["type"] == "attack-pattern")
    assert technique["x_mitre_version"] == "1.3" and technique["revoked"] is False
    assert [i.split("--")[0] for i in split.left_out] == ["x-mitre-tactic"]
    # The indicator names no tactic itself: its attack pattern does.
    described = load_indicator_bundle(part.bundle)
    assert described.tactics == frozenset()
    assert attack_tactics(described.bundle) == {category_code("command-and-control")}


def test_split__stix_2_0_is_named():
    with pytest.raises(InputError, match="STIX 2.0"):
        split_bundle(as_stix_20(malicious_email_like()))
    with pytest.raises(InputError, match="STIX 2.0"):
        load_indicator_bundle(as_stix_20(malicious_email_like()))


def test_split__no_indicator_and_conflicting_ids_refused():
    source = malicious_email_like()
    with pytest.raises(InputError, match="no indicator"):
        split_bundle(dict(source, objects=[o for o in source["objects"]
                                           if o["type"] != "indicator"]))
    twin = dict(source["objects"][3], name="other")
    with pytest.raises(InputError, match="two different objects"):
        split_bundle(dict(source, objects=[*source["objects"], twin]))


@pytest.mark.parametrize(
    ("tlp", "reason"), [(Tlp.RED, RejectReason.TLP_RED), (None, RejectReason.NO_TLP)]
)
def test_admission__red_and_unmarked_parts_refused_offline(tlp, reason):
    source = malicious_email_like(Tlp.RED if tlp is Tlp.RED else Tlp.GREEN)
    if tlp is None:
        for obj in source["objects"]:
            obj.pop("object_marking_refs", None)
    for part in split_bundle(source).parts:
        with pytest.raises(BundleRejected) as info:
            admit(load_indicator_bundle(part.bundle))
        assert info.value.reason is reason


def test_admission__recipients_only_with_amber_strict():
    (part, _) = split_bundle(malicious_email_like(Tlp.AMBER_STRICT)).parts
    described = load_indicator_bundle(part.bundle)
    assert admit(described, ["0x" + "11" * 20]) is Tlp.AMBER_STRICT
    (green, _) = split_bundle(malicious_email_like(Tlp.GREEN)).parts
    with pytest.raises(BundleRejected, match="recipients"):
        admit(load_indicator_bundle(green.bundle), ["0x" + "11" * 20])


def test_split__custom_object_types_and_their_links_stay_out_of_parts():
    from stix_fixtures import relationship

    source = attack_object_bundle()
    tactic = next(o for o in source["objects"] if o["type"] == "x-mitre-tactic")
    beacon = next(o for o in source["objects"] if o["type"] == "indicator")
    link = relationship(beacon, "related-to", tactic, beacon["created_by_ref"],
                        beacon["object_marking_refs"])
    source["objects"].append(link)
    split = split_bundle(source)
    (part,) = split.parts
    assert tactic["id"] not in part.object_ids and link["id"] not in part.object_ids
    assert {tactic["id"], link["id"]} <= set(split.left_out)
    load_indicator_bundle(part.bundle)  # valid: no custom type inside


def test_split__opencti_export_extensions_and_custom_properties_import():
    """OpenCTI writes its scores both as x_ properties and in its extension definition."""
    source = malicious_email_like()
    for obj in source["objects"]:
        if obj["type"] == "indicator":
            obj["x_opencti_score"] = 50
            obj["extensions"] = {
                "extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba": {
                    "extension_type": "property-extension", "score": 50, "detection": True,
                    "main_observable_type": "Email-Message",
                }
            }
    for part in split_bundle(source).parts:
        described = load_indicator_bundle(part.bundle)
        assert b'"x_opencti_score":50' in described.canonical_json
        assert b'"main_observable_type":"Email-Message"' in described.canonical_json
        assert admit(described) is Tlp.GREEN
