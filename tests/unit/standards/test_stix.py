"""STIX 2.1 bundles: TLP 2.0 markings, code tables, RFC 8785 canonical form, hash, validation."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import stix2
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing.errors import InputError
from sharing.standards.stix import (
    CATEGORIES,
    NUM_CATEGORIES,
    TLP2_EXTENSION_ID,
    AttackPatternSpec,
    IndicatorClass,
    IndicatorSpec,
    MalwareSpec,
    Scope,
    Tlp,
    VulnerabilitySpec,
    build_indicator_bundle,
    canonical_json,
    category_code,
    category_name,
    class_code,
    content_hash,
    cvss_vector_of,
    indicator_of,
    jcs_dumps,
    load_indicator_bundle,
    parse_bundle,
    scope_code,
    stix_id,
    tactics_of,
    tlp_of,
)

GREEN_ID = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
CREATED = datetime(2025, 1, 1, tzinfo=UTC)

# ---------------------------------------------------------------------------
# TLP 2.0
# ---------------------------------------------------------------------------

# Copied from oasis-open/cti-stix-common-objects,
# extension-definition-specifications/tlp-2.0 (marking-definition.json and
# examples/tlp-amber+strict.json): the ids consumers recognise.
PUBLISHED_TLP2_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
PUBLISHED_AMBER_STRICT = json.loads(
    """
    {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "created": "2022-10-01T00:00:00.000Z",
        "name": "TLP:AMBER+STRICT",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": "amber+strict"
            }
        }
    }
    """
)


@pytest.mark.parametrize("level", list(Tlp))
def test_tlp__marking_ids_are_the_published_ones(level: Tlp) -> None:
    assert level.marking_id == PUBLISHED_TLP2_IDS[level.value]
    definition = json.loads(level.marking_definition().serialize())
    assert definition["id"] == PUBLISHED_TLP2_IDS[level.value]
    assert definition["name"] == "TLP:" + level.value.upper()
    assert definition["created"] == "2022-10-01T00:00:00.000Z"
    assert definition["extensions"][TLP2_EXTENSION_ID] == {
        "extension_type": "property-extension",
        "tlp_2_0": level.value,
    }


def test_tlp__amber_strict_matches_published_object_exactly() -> None:
    assert json.loads(Tlp.AMBER_STRICT.marking_definition().serialize()) == PUBLISHED_AMBER_STRICT
    assert TLP2_EXTENSION_ID == "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"


def test_tlp__rank_orders_restrictiveness() -> None:
    assert [t.rank for t in (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED)] == [
        0,
        1,
        2,
        3,
        4,
    ]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("amber+strict", Tlp.AMBER_STRICT),
        ("TLP:AMBER+STRICT", Tlp.AMBER_STRICT),
        ("amber_strict", Tlp.AMBER_STRICT),
        ("  Green ", Tlp.GREEN),
        ("tlp:clear", Tlp.CLEAR),
        (Tlp.RED, Tlp.RED),
    ],
)
def test_tlp_parse__spellings(text: str, level: Tlp) -> None:
    assert Tlp.parse(text) is level


@pytest.mark.parametrize("bad", ["white", "amber+", "", 3])
def test_tlp_parse__unknown__raises(bad: Any) -> None:
    with pytest.raises(InputError, match="unknown TLP level"):
        Tlp.parse(bad)


# ---------------------------------------------------------------------------
# Code tables
# ---------------------------------------------------------------------------


def test_categories__table_is_the_14_attack_tactics_in_matrix_order() -> None:
    assert NUM_CATEGORIES == 14
    assert [c.code for c in CATEGORIES] == list(range(14))
    assert [c.name for c in CATEGORIES] == [
        "reconnaissance",
        "resource-development",
        "initial-access",
        "execution",
        "persistence",
        "privilege-escalation",
        "defense-evasion",
        "credential-access",
        "discovery",
        "lateral-movement",
        "collection",
        "command-and-control",
        "exfiltration",
        "impact",
    ]
    assert len({c.tactic_id for c in CATEGORIES}) == 14


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("reconnaissance", 0),
        ("command-and-control", 11),
        ("Command and Control", 11),
        ("command_and_control", 11),
        ("TA0011", 11),
        ("ta0040", 13),
        (5, 5),
    ],
)
def test_category_code__names_ids_and_codes(name: str | int, code: int) -> None:
    assert category_code(name) == code


def test_category_name__round_trips_every_code() -> None:
    for category in CATEGORIES:
        assert category_code(category_name(category.code)) == category.code


@pytest.mark.parametrize("bad", ["benign", "", 14, -1, True, 2.0])
def test_category_code__unknown__raises(bad: Any) -> None:
    with pytest.raises(InputError):
        category_code(bad)


def test_class_and_scope_codes() -> None:
    assert (IndicatorClass.ROOT, IndicatorClass.SPECIFIC) == (0, 1)
    assert class_code("root") == 0 and class_code("Specific") == 1 and class_code(1) == 1
    assert (Scope.SINGLE_ORGANISATION, Scope.SECTOR, Scope.CROSS_SECTOR) == (0, 1, 2)
    assert scope_code("cross-sector") == 2 and scope_code("single organisation") == 0
    for bad in ("branch", 2, True):
        with pytest.raises(InputError):
            class_code(bad)
    with pytest.raises(InputError):
        scope_code(3)


# ---------------------------------------------------------------------------
# RFC 8785
# ---------------------------------------------------------------------------


def test_jcs_dumps__rfc8785_section_3_2_4_example() -> None:
    value = json.loads(
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert jcs_dumps(value) == expected.encode("utf-8")


def test_jcs_dumps__rfc8785_sorts_by_utf16_code_units() -> None:
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = [v for v in json.loads(jcs_dumps(value)).values()]
    assert order == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]


@pytest.mark.parametrize(
    ("number", "text"),
    [  # RFC 8785 appendix B
        (0.0, "0"),
        (-0.0, "0"),
        (5e-324, "5e-324"),
        (-5e-324, "-5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992.0, "9007199254740992"),
        (1e21, "1e+21"),
        (999999999999999900000.0, "999999999999999900000"),
        (0.000001, "0.000001"),
        (9.999999999999997e-7, "9.999999999999997e-7"),
        (333333333.3333332, "333333333.3333332"),
        (-1.5, "-1.5"),
        (100.0, "100"),
    ],
)
def test_jcs_dumps__es6_number_form(number: float, text: str) -> None:
    assert jcs_dumps(number) == text.encode()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), {1: "x"}, {"a": object()}, "\ud800"])
def test_jcs_dumps__unrepresentable__raises(bad: Any) -> None:
    with pytest.raises(InputError):
        jcs_dumps(bad)


# ---------------------------------------------------------------------------
# Canonical JSON and content hash
# ---------------------------------------------------------------------------

LITERAL_PRETTY = """
{
  "type": "bundle",
  "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
  "objects": [
    {
      "type": "marking-definition", "spec_version": "2.1",
      "id": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
      "created": "2022-10-01T00:00:00.000Z", "name": "TLP:GREEN",
      "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                     {"extension_type": "property-extension", "tlp_2_0": "green"}}
    },
    {
      "valid_from": "2025-01-01T00:00:00Z", "type": "indicator", "spec_version": "2.1",
      "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
      "name": "Caf\\u00e9 C2", "pattern": "[ipv4-addr:value = '198.51.100.1']",
      "pattern_type": "stix", "revoked": false,
      "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]
    }
  ]
}
"""
# Written by hand from the rules in the stix module docstring: keys sorted,
# no white space, raw UTF-8, nothing added or dropped (no pattern_version
# added, the explicit "revoked": false kept: the bundle as submitted).
LITERAL_CANONICAL = (
    '{"id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"created":'
    '"2022-10-01T00:00:00.000Z","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-'
    '9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"green"}},"id":'
    '"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","name":"TLP:GREEN",'
    '"spec_version":"2.1","type":"marking-definition"},{"created":"2025-01-01T00:00:00.000Z",'
    '"id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","modified":'
    '"2025-01-01T00:00:00.000Z","name":"Café C2","object_marking_refs":'
    '["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],"pattern":'
    '"[ipv4-addr:value = \'198.51.100.1\']","pattern_type":"stix","revoked":false,'
    '"spec_version":"2.1","type":"indicator","valid_from":"2025-01-01T00:00:00Z"}],'
    '"type":"bundle"}'
).encode()


def literal() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(LITERAL_PRETTY)
    return data


def test_canonical_json__matches_hand_written_form() -> None:
    assert canonical_json(LITERAL_PRETTY) == LITERAL_CANONICAL


def test_content_hash__is_keccak_of_canonical_json() -> None:
    digest = content_hash(LITERAL_PRETTY)
    assert isinstance(digest, bytes) and len(digest) == 32
    assert digest == keccak(LITERAL_CANONICAL)


def test_content_hash__independent_of_spelling() -> None:
    reference = content_hash(LITERAL_PRETTY)
    data = literal()
    reordered = {k: data[k] for k in reversed(list(data))}
    reordered["objects"] = [{k: o[k] for k in sorted(o, reverse=True)} for o in data["objects"]]
    assert content_hash(json.dumps(reordered, indent=7, ensure_ascii=True)) == reference
    assert content_hash(json.dumps(data).encode("utf-8")) == reference
    assert content_hash(data) == reference
    # A stix2 object is hashed as stix2 writes it (pattern_version added): the document
    # that would be sent, not the text it was parsed from.
    assert content_hash(parse_bundle(data)) != reference
    # No STIX library's normal form: an explicit default is part of the document,
    # and what stix2 would add (pattern_version) is not.
    del data["objects"][1]["revoked"]
    assert content_hash(data) != reference
    assert b"pattern_version" not in canonical_json(LITERAL_PRETTY)


def test_content_hash__changes_with_content() -> None:
    data = literal()
    data["objects"][1]["name"] = "Cafe C2"
    assert content_hash(data) != content_hash(LITERAL_PRETTY)


def test_canonical_json__is_a_fixed_point() -> None:
    once = canonical_json(LITERAL_PRETTY)
    assert canonical_json(once) == once


@settings(max_examples=20, deadline=None)
@given(
    name=st.text(min_size=1, max_size=40),
    description=st.text(max_size=80),
    confidence=st.integers(min_value=0, max_value=100),
)
def test_canonical_json__stable_under_reserialisation(
    name: str, description: str, confidence: int
) -> None:
    bundle = build_indicator_bundle(
        IndicatorSpec(
            "[domain-name:value = 'a.example.com']",
            name=name,
            description=description or None,
            category="initial-access",
            confidence=confidence,
            created=CREATED,
        ),
        random_state=1,
    )
    canonical = canonical_json(bundle)
    assert json.loads(canonical) == json.loads(bundle.serialize())
    noisy = json.dumps(json.loads(canonical), indent=2, ensure_ascii=True, sort_keys=False)
    assert canonical_json(noisy) == canonical
    assert content_hash(noisy) == keccak(canonical)


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _mutate(path: str, value: Any) -> dict[str, Any]:
    data = literal()
    target: Any = data
    *parents, leaf = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DELETE:
        del target[leaf]
    else:
        target[leaf] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("{not json", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        ("[]", "must be a JSON object"),
        (42, "expected a STIX bundle"),
        (_mutate("type", "indicator"), "type 'bundle'"),
        (_mutate("objects.1.custom", 1), "Unexpected properties"),
        (_mutate("objects.1.X_Custom", 1), "Unexpected properties"),
        (_mutate("objects.1.pattern", "[ipv4-addr:value = "), "pattern"),
        (_mutate("objects.1.pattern", _DELETE), "pattern"),
        (_mutate("objects.1.id", "indicator--not-a-uuid"), "id"),
        (_mutate("objects.1.created", "yesterday"), "created"),
        (_mutate("objects.1.spec_version", "2.0"), "STIX 2.0"),
        (_mutate("spec_version", "2.0"), "STIX 2.0"),
        (_mutate("objects.1.spec_version", _DELETE), "STIX 2.0"),
        (
            _mutate(
                "objects.1.external_references",
                [{"source_name": "cve", "external_id": "CVE-12"}],
            ),
            "CVE",
        ),
    ],
)
def test_parse_bundle__invalid__raises_one_line(data: Any, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_bundle(data)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_parse_bundle__validator_catches_what_stix2_misses() -> None:
    data = _mutate(
        "objects.1.external_references", [{"source_name": "cve", "external_id": "CVE-12"}]
    )
    parse_bundle(data, validate=False)  # stix2 alone accepts it
    with pytest.raises(InputError, match="CVE"):
        parse_bundle(data)


def test_indicator_of__needs_exactly_one_stix_indicator() -> None:
    data = literal()
    assert indicator_of(parse_bundle(data))["id"].startswith("indicator--")
    marking_only = literal()
    marking_only["objects"] = marking_only["objects"][:1]
    with pytest.raises(InputError, match="exactly one indicator, found 0"):
        load_indicator_bundle(marking_only)
    twice = literal()
    second = copy.deepcopy(twice["objects"][1])
    second["id"] = "indicator--0d8c2a3e-8a3c-4f43-9d1b-1c4bd8b1b0a1"
    twice["objects"].append(second)
    with pytest.raises(InputError, match="exactly one indicator, found 2"):
        load_indicator_bundle(twice)
    sigma = _mutate("objects.1.pattern_type", "sigma")
    sigma["objects"][1]["pattern"] = "title: x"
    with pytest.raises(InputError, match="pattern_type must be 'stix'"):
        load_indicator_bundle(sigma)


# ---------------------------------------------------------------------------
# TLP of a bundle
# ---------------------------------------------------------------------------


def test_tlp_of__literal_is_green() -> None:
    assert tlp_of(parse_bundle(LITERAL_PRETTY)) is Tlp.GREEN


def test_tlp_of__unmarked_is_none() -> None:
    data = literal()
    data["objects"] = data["objects"][1:]
    del data["objects"][0]["object_marking_refs"]
    assert tlp_of(parse_bundle(data)) is None


def test_tlp_of__most_restrictive_wins() -> None:
    bundle = build_indicator_bundle(
        IndicatorSpec(
            "[ipv4-addr:value = '192.0.2.1']",
            name="x",
            category=0,
            tlp="green",
            attack_pattern=AttackPatternSpec("Active Scanning", "T1595"),
            created=CREATED,
        ),
        random_state=3,
    )
    data = json.loads(bundle.serialize())
    data["objects"].append(Tlp.AMBER.marking_dict())
    ap = next(o for o in data["objects"] if o["type"] == "attack-pattern")
    ap["object_marking_refs"] = [Tlp.AMBER.marking_id]
    assert tlp_of(parse_bundle(data)) is Tlp.AMBER


def test_tlp_of__granular_marking_counts() -> None:
    data = literal()
    data["objects"].append(Tlp.RED.marking_dict())
    data["objects"][1]["granular_markings"] = [
        {"marking_ref": Tlp.RED.marking_id, "selectors": ["pattern"]}
    ]
    assert tlp_of(parse_bundle(data)) is Tlp.RED


def test_tlp_of__tlp1_amber_reads_as_amber_strict() -> None:
    data = literal()
    data["objects"] = data["objects"][1:]
    data["objects"][0]["object_marking_refs"] = [stix2.v21.TLP_AMBER.id]
    assert tlp_of(parse_bundle(data)) is Tlp.AMBER_STRICT
    data["objects"][0]["object_marking_refs"] = [stix2.v21.TLP_WHITE.id]
    assert tlp_of(parse_bundle(data)) is Tlp.CLEAR


def test_tlp_of__forged_published_id__raises() -> None:
    # The CLEAR id relabelled as RED: a reader trusting the id would leak it.
    forged = Tlp.CLEAR.marking_dict()
    forged["name"] = "TLP:RED"
    forged["extensions"][TLP2_EXTENSION_ID]["tlp_2_0"] = "red"
    data = literal()
    data["objects"][0] = forged
    data["objects"][1]["object_marking_refs"] = [forged["id"]]
    with pytest.raises(InputError, match="does not match the published TLP:CLEAR"):
        load_indicator_bundle(data)


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------


def _full(random_state: int = 11, **overrides: Any) -> Any:
    kwargs: dict[str, Any] = {
        "name": "C2 server",
        "description": "Beacon target",
        "category": "command-and-control",
        "tlp": Tlp.AMBER_STRICT,
        "cvss_vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "vulnerability": VulnerabilitySpec("CVE-2099-12345", description="synthetic"),
        "attack_pattern": AttackPatternSpec("Application Layer Protocol", "T1071.001"),
        "malware": MalwareSpec("SynthRAT", malware_types=("remote-access-trojan",)),
        "created": CREATED,
        "confidence": 80,
    } | overrides
    spec = IndicatorSpec("[ipv4-addr:value = '203.0.113.9']", **kwargs)
    return build_indicator_bundle(spec, random_state=random_state)


def test_build_indicator_bundle__full_bundle_is_valid_and_described() -> None:
    described = load_indicator_bundle(_full())
    types = sorted(o["type"] for o in described.bundle.objects)
    assert types == [
        "attack-pattern",
        "indicator",
        "malware",
        "marking-definition",
        "relationship",
        "relationship",
        "relationship",
        "relationship",
        "vulnerability",
    ]
    relationships = {
        (o["relationship_type"], o["source_ref"].split("--")[0], o["target_ref"].split("--")[0])
        for o in described.bundle.objects
        if o["type"] == "relationship"
    }
    assert relationships == {
        ("indicates", "indicator", "attack-pattern"),
        ("indicates", "indicator", "malware"),
        ("targets", "attack-pattern", "vulnerability"),
        ("exploits", "malware", "vulnerability"),
    }
    assert described.tlp is Tlp.AMBER_STRICT
    assert described.tactics == {11}
    assert described.cvss is not None and described.cvss.score_x10 == 93
    assert cvss_vector_of(described.bundle) == (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    )
    assert tactics_of(described.bundle) == {11}
    vuln = next(o for o in described.bundle.objects if o["type"] == "vulnerability")
    assert vuln["external_references"][0]["source_name"] == "cve"
    assert vuln["external_references"][0]["external_id"] == "CVE-2099-12345"
    for obj in described.bundle.objects:
        if obj["type"] != "marking-definition":
            assert obj["object_marking_refs"] == [Tlp.AMBER_STRICT.marking_id]
    assert described.hash_hex == "0x" + described.content_hash.hex()
    assert described.json_text.encode() == described.canonical_json


def test_build_indicator_bundle__seeded_is_reproducible() -> None:
    assert canonical_json(_full(5)) == canonical_json(_full(5))
    assert content_hash(_full(5)) != content_hash(_full(6))


def test_build_indicator_bundle__unseeded_ids_are_random() -> None:
    a = build_indicator_bundle(IndicatorSpec("[ipv4-addr:value = '192.0.2.1']", name="x", category=0))
    b = build_indicator_bundle(IndicatorSpec("[ipv4-addr:value = '192.0.2.1']", name="x", category=0))
    assert a.id != b.id
    assert tlp_of(a) is Tlp.GREEN  # the default marking


def test_stix_id__uuid4_from_generator() -> None:
    import uuid

    import numpy as np

    ident = stix_id("indicator", np.random.default_rng(0))
    value = uuid.UUID(ident.split("--")[1])
    assert value.version == 4 and value.variant == uuid.RFC_4122
    assert ident == stix_id("indicator", np.random.default_rng(0))


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"category": "benign"}, "unknown category"),
        ({"tlp": "white"}, "unknown TLP level"),
        ({"cvss_vector": "CVSS:3.1/AV:N"}, "invalid CVSS vector"),
        ({"vulnerability": VulnerabilitySpec("CVE-99")}, "invalid CVE id"),
        ({"attack_pattern": AttackPatternSpec("x", "TA0001")}, "technique id"),
        ({"created": datetime(2025, 1, 1)}, "timezone-aware"),
        ({"confidence": 101}, "confidence"),
        ({"confidence": -1}, "confidence"),
        ({"valid_from": datetime(1, 1, 1, tzinfo=UTC)}, "valid_from"),
    ],
)
def test_build_indicator_bundle__bad_input__raises(
    overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InputError, match=fragment):
        _full(**overrides)


def test_build_indicator_bundle__single_indicator_type_string() -> None:
    bundle = _full(indicator_types="compromised")
    assert indicator_of(bundle)["indicator_types"] == ["compromised"]


def test_build_indicator_bundle__bad_pattern__raises() -> None:
    with pytest.raises(InputError, match="pattern"):
        build_indicator_bundle(IndicatorSpec("[ipv4-addr:value = ", name="x", category=0))


def test_parse_bundle__bundle_without_id__one_line_input_error():
    from sharing.errors import InputError
    from sharing.standards.stix import parse_bundle

    with pytest.raises(InputError, match="invalid STIX 2.1 bundle: Input must be an object"):
        parse_bundle('{"type": "bundle"}')


def test_canonical_json__keeps_custom_x_properties_in_the_hash() -> None:
    data = literal()
    data["objects"][1]["x_mitre_version"] = "1.2"
    data["objects"][1]["x_opencti_score"] = 80
    canonical = canonical_json(data)
    assert b'"x_mitre_version":"1.2"' in canonical and b'"x_opencti_score":80' in canonical
    assert content_hash(data) == keccak(canonical) != content_hash(LITERAL_PRETTY)
    described = load_indicator_bundle(data)
    assert described.canonical_json == canonical and described.tlp is Tlp.GREEN


def test_tlp_of__published_marking_with_issuer_and_reference_is_accepted() -> None:
    data = literal()
    data["objects"][0]["created_by_ref"] = "identity--e50ab59c-5c4f-4d40-bf6a-d58418d89bcd"
    data["objects"][0]["external_references"] = [
        {"source_name": "FIRST", "url": "https://www.first.org/tlp/"}
    ]
    assert load_indicator_bundle(data).tlp is Tlp.GREEN
    relabelled = literal()
    relabelled["objects"][0]["name"] = "TLP:CLEAR"
    with pytest.raises(InputError, match="does not match the published"):
        load_indicator_bundle(relabelled)
