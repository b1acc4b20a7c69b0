"""The fields CTI platforms look for: a pseudonymous identity, confidence, AIS consent, CVSS-B."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import stix2validator

from sharing.errors import InputError
from sharing.standards.cvss import parse_cvss
from sharing.standards.stix_build import (
    IndicatorSpec,
    VulnerabilitySpec,
    ais_consent_marking,
    build_indicator_bundle,
    identity_id,
    member_pseudonym,
)
from sharing.standards.stix_parse import load_indicator_bundle
from sharing.standards.tlp import Tlp

V40_BASE = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"


def _bundle(**extra) -> dict:
    spec = IndicatorSpec("[domain-name:value = 'c2.example.org']", name="C2", category=11,
                         tlp=Tlp.AMBER, created=datetime(2026, 2, 1, tzinfo=UTC),
                         cvss_vector=V40_BASE, vulnerability=VulnerabilitySpec("CVE-2026-1234"),
                         confidence=70, **extra)
    return json.loads(build_indicator_bundle(spec, random_state=5).serialize())


def test_identity__pseudonym_on_every_object_and_the_same_in_every_bundle():
    pseudonym = member_pseudonym(b"a secret the member keeps")
    assert pseudonym.startswith("AIS member ") and len(pseudonym) == len("AIS member ") + 12
    bundle = _bundle(author=pseudonym)
    (identity,) = [o for o in bundle["objects"] if o["type"] == "identity"]
    assert identity["name"] == pseudonym and identity["id"] == identity_id(pseudonym)
    authored = [o for o in bundle["objects"]
                if o["type"] not in ("marking-definition", "identity")]
    assert authored and all(o["created_by_ref"] == identity["id"] for o in authored)
    other = _bundle(author=pseudonym)
    assert next(o for o in other["objects"] if o["type"] == "identity") == identity
    assert member_pseudonym(b"another member's secret") != pseudonym
    with pytest.raises(InputError, match="16 bytes"):
        member_pseudonym(b"short")


def test_confidence_and_ais_consent_marking_on_every_object():
    bundle = _bundle(consent="usg")
    consent = ais_consent_marking("usg")
    assert consent in bundle["objects"] and consent["name"] == "AIS Consent: USG"
    indicator = next(o for o in bundle["objects"] if o["type"] == "indicator")
    assert indicator["confidence"] == 70
    marked = [o for o in bundle["objects"] if o["type"] != "marking-definition"]
    assert all(o["object_marking_refs"] == [Tlp.AMBER.marking_id, consent["id"]] for o in marked)
    assert load_indicator_bundle(bundle).tlp is Tlp.AMBER  # the consent marking is not a TLP
    options = stix2validator.ValidationOptions(version="2.1", silent=True)
    assert stix2validator.validate_parsed_json(bundle, options).is_valid
    with pytest.raises(InputError, match="AIS consent"):
        ais_consent_marking("maybe")


def test_cvss__on_the_vulnerability_named_cvss_b():
    bundle = _bundle()
    vulnerability = next(o for o in bundle["objects"] if o["type"] == "vulnerability")
    (cvss,) = [r for r in vulnerability["external_references"] if r["source_name"] == "cvss"]
    assert cvss["external_id"] == V40_BASE
    assert cvss["description"] == "CVSS-B 9.3 (critical)"
    assert load_indicator_bundle(bundle).cvss.score_x10 == 93  # the indicator's claim, unchanged


def test_cvss__naming_says_what_is_scored():
    assert parse_cvss(V40_BASE).nomenclature == "CVSS-B"
    threat = parse_cvss(V40_BASE + "/E:U")
    assert threat.score_x10 == parse_cvss(V40_BASE).score_x10
    assert threat.describe().startswith("CVSS-B 9.3 (critical); the vector's other metrics")
    v31 = parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    assert v31.describe() == "CVSS v3.1 base score 9.8 (critical)"


def test_attack_table__versioned_and_matches_the_tactic_ids_of_that_release():
    from sharing.standards.categories import ATTACK_ENTERPRISE_VERSION, CATEGORIES

    assert ATTACK_ENTERPRISE_VERSION == "17"
    # ATT&CK Enterprise v17's tactics, in matrix order, with their ids.
    assert [(c.tactic_id, c.name) for c in CATEGORIES] == [
        ("TA0043", "reconnaissance"), ("TA0042", "resource-development"),
        ("TA0001", "initial-access"), ("TA0002", "execution"), ("TA0003", "persistence"),
        ("TA0004", "privilege-escalation"), ("TA0005", "defense-evasion"),
        ("TA0006", "credential-access"), ("TA0007", "discovery"),
        ("TA0008", "lateral-movement"), ("TA0009", "collection"),
        ("TA0011", "command-and-control"), ("TA0010", "exfiltration"), ("TA0040", "impact"),
    ]
