"""Semantic key: the normal form of a pattern, its keccak-256, and what it ignores."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stix2
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from stix2patterns.validator import run_validator

from sharing.errors import InputError
from sharing.standards.semantic_key import (
    HASH_ALGORITHMS,
    normalised_pattern,
    semantic_key,
    semantic_key_hex,
)
from sharing.standards.stix import IndicatorSpec, Tlp, build_indicator_bundle, content_hash

# --------------------------------------------------------------------------
# The vectors of docs/semantic_key.md
# --------------------------------------------------------------------------


def doc_bundle(
    pattern: str, seed: int, when: datetime, *, revoked: bool = False, **kwargs: Any
) -> dict[str, Any]:
    """Build a bundle exactly as the worked examples of docs/semantic_key.md do."""
    spec = IndicatorSpec(
        pattern,
        name=kwargs.pop("name", "C2 address"),
        category="command-and-control",
        created=when,
        **kwargs,
    )
    built = build_indicator_bundle(spec, random_state=seed)
    data: dict[str, Any] = json.loads(built.serialize())
    if revoked:
        indicator = next(o for o in data["objects"] if o["type"] == "indicator")
        indicator["revoked"] = True
        indicator["modified"] = "2025-06-01T00:00:00.000Z"
    return data


def bundle_a() -> dict[str, Any]:
    return doc_bundle("[ipv4-addr:value = '198.51.100.7']", 1, datetime(2025, 3, 1, tzinfo=UTC))


def bundle_a_prime() -> dict[str, Any]:
    return doc_bundle(
        "[ ipv4-addr:value == '198.51.100.7/32' ]",
        2,
        datetime(2025, 5, 2, 8, 30, tzinfo=UTC),
        revoked=True,
        name="Same C2, re-issued",
        tlp="amber",
        confidence=90,
    )


def bundle_b() -> dict[str, Any]:
    return doc_bundle("[ipv4-addr:value = '198.51.100.8']", 1, datetime(2025, 3, 1, tzinfo=UTC))


KEY_A = "0x2e13fd0341eb875ae6d2e7477a6dcfea0545f923a424c4930dada6fdca003248"
KEY_B = "0xc6cb4d8001dfbe3f4312c1d40f457f9958159063317f78c0fbeedc150b250b13"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

DOC_PATTERNS = [
    (
        "stix",
        "[file:name = 'invoice.exe' OR file:hashes.'SHA-256' = '" + EMPTY_SHA256.upper() + "']",
        "stix\n[file:hashes.'SHA-256' = '" + EMPTY_SHA256 + "' OR file:name = 'invoice.exe']",
        "0xcc6f7c8a5f041d61d91abb5da8e547ae817c99cd2a75e72b4f220a36368d8bb9",
    ),
    (
        "stix",
        "[file:hashes.sha256 = '" + EMPTY_SHA256 + "' OR file:name = 'invoice.exe']",
        "stix\n[file:hashes.'SHA-256' = '" + EMPTY_SHA256 + "' OR file:name = 'invoice.exe']",
        "0xcc6f7c8a5f041d61d91abb5da8e547ae817c99cd2a75e72b4f220a36368d8bb9",
    ),
    (
        "stix",
        "[domain-name:value = 'C2.Example.NET']",
        "stix\n[domain-name:value = 'c2.example.net']",
        "0x07858dde5c85eb22d8337a5953c109cfe493b73a092b738c7b92fa5c68b09de0",
    ),
    (
        "stix",
        "([domain-name:value = 'c2.example.net'] AND [ipv6-addr:value = '2001:DB8:0:0:0:0:0:7'])"
        " WITHIN 300 SECONDS",
        "stix\n([domain-name:value = 'c2.example.net'] AND [ipv6-addr:value = '2001:db8::7'])"
        " WITHIN 300 SECONDS",
        "0x948b7adab6a325b5aea9c85709669c787d97a3b385162d2ce5648233286ec17e",
    ),
    (
        "stix",
        "([ipv6-addr:value = '2001:db8::7'] AND [domain-name:value = 'c2.example.net'])"
        " WITHIN 600 SECONDS",
        "stix\n([domain-name:value = 'c2.example.net'] AND [ipv6-addr:value = '2001:db8::7'])"
        " WITHIN 600 SECONDS",
        "0xe01522dbda0f146505311113c4f5b5574ea66c3f864e537aef95f84456049a39",
    ),
    (
        "snort",
        'alert tcp any any -> 198.51.100.7 443 (msg:"C2"; sid:1000001;)\r\n',
        'snort\nalert tcp any any -> 198.51.100.7 443 (msg:"C2"; sid:1000001;)',
        "0x390a25303b7c4579d24238678be66491fb6a5c162cb35625293f8ebeab593cfe",
    ),
]


def test_doc_vectors__a_and_a_prime_share_a_key_b_does_not() -> None:
    a, a2, b = bundle_a(), bundle_a_prime(), bundle_b()
    # The documents differ (the content hashes of the doc's table) ...
    assert content_hash(a).hex() == (
        "4f97ad76da57fb3a7c6f35ad5959b5cd0dbe1002c32b0bf57779b244c641e437"
    )
    assert content_hash(a2).hex() == (
        "5464d17b02aced30d2f6afccc3e30b8be34e5498172ce5965f796092c251b1a3"
    )
    indicator_a2 = next(o for o in a2["objects"] if o["type"] == "indicator")
    assert indicator_a2["revoked"] is True
    assert indicator_a2["id"] == "indicator--c1586bd6-4803-4942-a471-fb1b63ea694c"
    # ... the observable does not.
    assert semantic_key_hex(a) == semantic_key_hex(a2) == KEY_A
    assert semantic_key_hex(b) == KEY_B
    indicator_a = next(o for o in a["objects"] if o["type"] == "indicator")
    indicator_b = next(o for o in b["objects"] if o["type"] == "indicator")
    assert indicator_a["id"] == indicator_b["id"]  # same id, other observable, other key


@pytest.mark.parametrize(("pattern_type", "pattern", "normal", "key"), DOC_PATTERNS)
def test_doc_vectors__patterns(pattern_type: str, pattern: str, normal: str, key: str) -> None:
    assert normalised_pattern(pattern, pattern_type) == normal
    assert "0x" + keccak(normal.encode()).hex() == key


def test_key__is_keccak256_not_sha3_256() -> None:
    normal = "stix\n[ipv4-addr:value = '198.51.100.7']"
    assert normal.encode().hex() == (
        "737469780a5b697076342d616464723a76616c7565203d20273139382e35312e3130302e37275d"
    )
    key = semantic_key(bundle_a())
    assert key == keccak(normal.encode())
    assert key != hashlib.sha3_256(normal.encode()).digest()
    assert hashlib.sha3_256(normal.encode()).hexdigest() == (
        "4aed9a273b5fdfeae0591758da43bdccab382f7fa5466bcbeb7f827d21d698e7"
    )


# --------------------------------------------------------------------------
# The normal form, rule by rule
# --------------------------------------------------------------------------

H64 = "ab" + "0" * 62

NORMAL_FORMS = [
    # layout, comments, operator synonyms
    ("[ ipv4-addr : value=='198.51.100.7' ] /* c2 */", "[ipv4-addr:value = '198.51.100.7']"),
    ("[x:y <> 'v'] // tail comment", "[x:y != 'v']"),
    ("[x:y NOT = 'v']", "[x:y NOT = 'v']"),
    ("[x:y NOT   <= 3]", "[x:y NOT <= 3]"),
    ("[ NOT  EXISTS  x:y ]", "[NOT EXISTS x:y]"),
    # object paths
    ("[file:'name' = 'a']", "[file:name = 'a']"),
    ("[x:'AND' = 'a']", "[x:'AND' = 'a']"),
    ("[x:'a b'.'c'[+1].d[*] = 'a']", "[x:'a b'.c[1].d[*] = 'a']"),
    ("[file:hashes.sha256 = '" + H64 + "']", "[file:hashes.'SHA-256' = '" + H64 + "']"),
    ("[file:hashes.'Sha_256' = '" + H64 + "']", "[file:hashes.'SHA-256' = '" + H64 + "']"),
    ("[file:hashes.md5 = '" + "A" * 32 + "']", "[file:hashes.MD5 = '" + "a" * 32 + "']"),
    (
        "[file:hashes.'sha3-512' = '" + "F" * 128 + "']",
        "[file:hashes.'SHA3-512' = '" + "f" * 128 + "']",
    ),
    (
        "[file:hashes.ssdeep = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']",
        "[file:hashes.SSDEEP = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']",
    ),
    ("[file:hashes.'X-CUSTOM' = 'AB']", "[file:hashes.'X-CUSTOM' = 'AB']"),
    (
        "[file:extensions.'windows-pebinary-ext'.sections[*].hashes.'sha-1' = '" + "C" * 40 + "']",
        "[file:extensions.'windows-pebinary-ext'.sections[*].hashes.'SHA-1' = '" + "c" * 40 + "']",
    ),
    ("[file:sha256 = 'AB']", "[file:sha256 = 'AB']"),  # not under hashes: a name like any other
    # literals
    ("[x:y = 'it\\'s a \\\\ path']", "[x:y = 'it\\'s a \\\\ path']"),
    ("[x:y = +7]", "[x:y = 7]"),
    ("[x:y = -0]", "[x:y = 0]"),
    ("[x:y = -12]", "[x:y = -12]"),
    ("[x:y = +01.50]", "[x:y = 1.5]"),
    ("[x:y = .5]", "[x:y = 0.5]"),
    ("[x:y = -0.0]", "[x:y = 0.0]"),
    ("[x:y = -.250]", "[x:y = -0.25]"),
    ("[x:y = 5.0]", "[x:y = 5.0]"),
    ("[x:y = h'0A1B']", "[x:y = h'0a1b']"),
    ("[x:y = b'AQID']", "[x:y = b'AQID']"),
    ("[x:y = true]", "[x:y = true]"),
    ("[x:y > t'2025-01-01T00:00:00.000Z']", "[x:y > t'2025-01-01T00:00:00Z']"),
    ("[x:y > t'2025-01-01T00:00:00.120Z']", "[x:y > t'2025-01-01T00:00:00.12Z']"),
    ("[x:y IN ('b', 'a', 2, 1, true)]", "[x:y IN ('a', 'b', 1, 2, true)]"),  # ' < 1 < t
    ("[x:y NOT IN ()]", "[x:y NOT IN ()]"),
    # values
    ("[domain-name:value = 'EVIL.Example.COM']", "[domain-name:value = 'evil.example.com']"),
    ("[email-addr:value = 'Bob@Example.COM']", "[email-addr:value = 'bob@example.com']"),
    (
        "[domain-name:value = 'ÉVIL.example.com']",
        "[domain-name:value = 'Évil.example.com']",
    ),  # ASCII only
    ("[domain-name:value LIKE '%.EXAMPLE.com']", "[domain-name:value LIKE '%.EXAMPLE.com']"),
    ("[domain-name:value MATCHES '^A\\\\D']", "[domain-name:value MATCHES '^A\\\\D']"),
    ("[domain-name:value > 'B']", "[domain-name:value > 'B']"),
    ("[url:value = 'HTTPS://Example.COM/A']", "[url:value = 'HTTPS://Example.COM/A']"),
    (
        "[network-traffic:dst_ref.value = '2001:DB8::1']",
        "[network-traffic:dst_ref.value = '2001:DB8::1']",
    ),
    ("[ipv4-addr:value = '198.51.100.7/32']", "[ipv4-addr:value = '198.51.100.7']"),
    ("[ipv4-addr:value = '198.51.100.7/24']", "[ipv4-addr:value = '198.51.100.7/24']"),
    ("[ipv4-addr:value = '198.51.100.007']", "[ipv4-addr:value = '198.51.100.007']"),
    ("[ipv4-addr:value = '198.51.100.7/024']", "[ipv4-addr:value = '198.51.100.7/024']"),
    ("[ipv4-addr:value = '198.51.100.7/33']", "[ipv4-addr:value = '198.51.100.7/33']"),
    ("[ipv4-addr:value = 'not an address']", "[ipv4-addr:value = 'not an address']"),
    ("[ipv4-addr:value ISSUBSET '198.51.100.0/32']", "[ipv4-addr:value ISSUBSET '198.51.100.0']"),
    (
        "[ipv4-addr:value IN ('198.51.100.9/32', '198.51.100.10')]",
        "[ipv4-addr:value IN ('198.51.100.10', '198.51.100.9')]",
    ),
    (
        "[ipv6-addr:value = '2001:0DB8:0000:0000:0000:0000:0000:0001/128']",
        "[ipv6-addr:value = '2001:db8::1']",
    ),
    (
        "[ipv6-addr:value = '2001:db8:0:0:1:0:0:1']",
        "[ipv6-addr:value = '2001:db8::1:0:0:1']",
    ),  # tie: leftmost
    (
        "[ipv6-addr:value = '2001:db8:0:1:1:1:1:1']",
        "[ipv6-addr:value = '2001:db8:0:1:1:1:1:1']",
    ),  # one zero group
    ("[ipv6-addr:value = '0:0:0:0:0:0:0:0']", "[ipv6-addr:value = '::']"),
    ("[ipv6-addr:value = '::FFFF:192.0.2.1']", "[ipv6-addr:value = '::ffff:c000:201']"),
    ("[ipv6-addr:value = '2001:DB8::/32']", "[ipv6-addr:value = '2001:db8::/32']"),
    ("[ipv6-addr:value = 'fe80::1%eth0']", "[ipv6-addr:value = 'fe80::1%eth0']"),
    # commutative operators, parentheses
    ("[x:b = 1 AND x:a = 1]", "[x:a = 1 AND x:b = 1]"),
    ("[x:c = 1 OR (x:b = 1 OR x:a = 1)]", "[x:a = 1 OR x:b = 1 OR x:c = 1]"),
    ("[(x:a = 1 AND x:b = 1) OR x:c = 1]", "[x:a = 1 AND x:b = 1 OR x:c = 1]"),
    ("[x:c = 1 AND (x:b = 1 OR x:a = 1)]", "[(x:a = 1 OR x:b = 1) AND x:c = 1]"),
    ("[x:a = 1 AND x:a = 1]", "[x:a = 1 AND x:a = 1]"),  # duplicates kept
    ("(([x:b = 1])) AND [x:a = 1]", "[x:a = 1] AND [x:b = 1]"),
    ("[x:b = 1] OR ([x:c = 1] OR [x:a = 1])", "[x:a = 1] OR [x:b = 1] OR [x:c = 1]"),
    ("[x:c = 1] AND ([x:b = 1] OR [x:a = 1])", "([x:a = 1] OR [x:b = 1]) AND [x:c = 1]"),
    ("[x:b = 1] FOLLOWEDBY [x:a = 1]", "[x:b = 1] FOLLOWEDBY [x:a = 1]"),
    (
        "([x:c = 1] FOLLOWEDBY [x:b = 1]) FOLLOWEDBY [x:a = 1]",
        "[x:c = 1] FOLLOWEDBY [x:b = 1] FOLLOWEDBY [x:a = 1]",
    ),
    (
        "[x:c = 1] FOLLOWEDBY ([x:b = 1] FOLLOWEDBY [x:a = 1])",
        "[x:c = 1] FOLLOWEDBY ([x:b = 1] FOLLOWEDBY [x:a = 1])",
    ),
    (
        "[x:c = 1] AND ([x:b = 1] FOLLOWEDBY [x:a = 1])",
        "([x:b = 1] FOLLOWEDBY [x:a = 1]) AND [x:c = 1]",
    ),
    ("[x:b = 1] OR [x:a = 1] AND [x:c = 1]", "[x:a = 1] AND [x:c = 1] OR [x:b = 1]"),
    # qualifiers
    (
        "([x:a = 1]) WITHIN 5.50 SECONDS REPEATS +2 TIMES",
        "[x:a = 1] WITHIN 5.5 SECONDS REPEATS 2 TIMES",
    ),
    ("[x:a = 1] REPEATS 2 TIMES WITHIN 5 SECONDS", "[x:a = 1] REPEATS 2 TIMES WITHIN 5 SECONDS"),
    (
        "([x:a = 1] WITHIN 5 SECONDS) REPEATS 2 TIMES",
        "([x:a = 1] WITHIN 5 SECONDS) REPEATS 2 TIMES",
    ),
    ("(([x:a = 1] WITHIN 5 SECONDS))", "[x:a = 1] WITHIN 5 SECONDS"),
    ("([x:b = 1] OR [x:a = 1]) WITHIN 9 SECONDS", "([x:a = 1] OR [x:b = 1]) WITHIN 9 SECONDS"),
    (
        "[x:a = 1] START t'2025-01-01T00:00:00.000Z' STOP t'2025-01-02T00:00:00.5Z'",
        "[x:a = 1] START t'2025-01-01T00:00:00Z' STOP t'2025-01-02T00:00:00.5Z'",
    ),
]


@pytest.mark.parametrize(("pattern", "body"), NORMAL_FORMS)
def test_normalised_pattern__rules(pattern: str, body: str) -> None:
    assert normalised_pattern(pattern) == "stix\n" + body
    assert normalised_pattern(body) == "stix\n" + body  # the body is normal already
    assert run_validator(body, "2.1") == []  # and a valid pattern


def test_hash_algorithms__are_the_stix21_vocabulary() -> None:
    assert HASH_ALGORITHMS == (
        "MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "pattern_type", "normal"),
    [
        ("  rule x { condition: true }\r\n\r\n", "yara", "yara\nrule x { condition: true }"),
        ("title: x\rdetection: y\r\n", "sigma", "sigma\ntitle: x\ndetection: y"),
        ("a  b\t\n", "pcre", "pcre\na  b"),
        ("\u00a0a\u00a0", "pcre", "pcre\n\u00a0a\u00a0"),  # only ASCII white space is stripped
        ("[x:y = 'a']", "STIX", "STIX\n[x:y = 'a']"),  # not "stix": opaque text
    ],
)
def test_normalised_pattern__non_stix(pattern: str, pattern_type: str, normal: str) -> None:
    assert normalised_pattern(pattern, pattern_type) == normal


# --------------------------------------------------------------------------
# Sensitivity: another detection, another key
# --------------------------------------------------------------------------

DIFFERENT = [
    ("[ipv4-addr:value = '198.51.100.7']", "[ipv4-addr:value = '198.51.100.8']"),  # value
    ("[ipv4-addr:value = '198.51.100.7']", "[ipv4-addr:value = '198.51.100.7/31']"),
    ("[ipv4-addr:value = '198.51.100.7']", "[ipv6-addr:value = '::ffff:c633:6407']"),  # type
    ("[file:name = 'a']", "[file:x_name = 'a']"),  # property
    ("[file:hashes.MD5 = '" + "a" * 32 + "']", "[file:hashes.'SHA-1' = '" + "a" * 40 + "']"),
    ("[file:hashes.SSDEEP = '3:AB:C']", "[file:hashes.SSDEEP = '3:ab:c']"),  # not hex
    ("[x:y = 'v']", "[x:y != 'v']"),  # operator
    ("[x:y != 'v']", "[x:y NOT = 'v']"),  # equivalent, not normalised
    ("[x:y = 'v']", "[x:y LIKE 'v']"),
    ("[x:y LIKE 'v']", "[x:y MATCHES 'v']"),
    ("[x:y < 3]", "[x:y <= 3]"),
    ("[x:y = 5]", "[x:y = 5.0]"),  # integer is not float
    ("[x:y = 'v']", "[x:y IN ('v')]"),
    ("[x:y = 'V']", "[x:y = 'v']"),  # case kept outside the listed paths
    ("[url:value = 'https://a.example.com/x']", "[url:value = 'https://A.example.com/x']"),
    ("[x:a = 1 AND x:b = 1]", "[x:a = 1 OR x:b = 1]"),  # AND is not OR
    ("[x:a = 1] AND [x:b = 1]", "[x:a = 1 AND x:b = 1]"),  # two observations, not one
    ("[x:a = 1 AND x:a = 1]", "[x:a = 1]"),
    ("[x:a = 1] FOLLOWEDBY [x:b = 1]", "[x:b = 1] FOLLOWEDBY [x:a = 1]"),  # order matters
    ("[x:a = 1] FOLLOWEDBY [x:b = 1]", "[x:a = 1] AND [x:b = 1]"),
    ("[x:a = 1] WITHIN 5 SECONDS", "[x:a = 1]"),  # qualifier
    ("[x:a = 1] WITHIN 5 SECONDS", "[x:a = 1] WITHIN 6 SECONDS"),
    ("[x:a = 1] REPEATS 2 TIMES", "[x:a = 1] REPEATS 3 TIMES"),
    ("[x:a = 1] REPEATS 2 TIMES WITHIN 5 SECONDS", "[x:a = 1] WITHIN 5 SECONDS REPEATS 2 TIMES"),
    ("([x:a = 1] WITHIN 5 SECONDS) REPEATS 2 TIMES", "[x:a = 1] WITHIN 5 SECONDS REPEATS 2 TIMES"),
    (
        "[x:a = 1] START t'2025-01-01T00:00:00Z' STOP t'2025-01-02T00:00:00Z'",
        "[x:a = 1] START t'2025-01-01T00:00:00Z' STOP t'2025-01-03T00:00:00Z'",
    ),
    ("[x:a = 1 OR x:b = 1] AND [x:c = 1]", "[x:a = 1] OR [x:b = 1] AND [x:c = 1]"),
]


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_normalised_pattern__different_detections_differ(one: str, other: str) -> None:
    assert normalised_pattern(one) != normalised_pattern(other)
    assert keccak(normalised_pattern(one).encode()) != keccak(normalised_pattern(other).encode())


def test_normalised_pattern__pattern_type_is_part_of_the_form() -> None:
    text = "alert ip any any -> any any (sid:1;)"
    assert normalised_pattern(text, "snort") != normalised_pattern(text, "suricata")


@given(st.ip_addresses(v=4), st.ip_addresses(v=4))
def test_semantic_key__distinct_ipv4_give_distinct_keys(a: Any, b: Any) -> None:
    one = normalised_pattern(f"[ipv4-addr:value = '{a}']")
    other = normalised_pattern(f"[ipv4-addr:value = '{b}']")
    assert (one == other) == (a == b)


@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_semantic_key__distinct_digests_give_distinct_keys(a: bytes, b: bytes) -> None:
    one = normalised_pattern(f"[file:hashes.'SHA-256' = '{a.hex().upper()}']")
    other = normalised_pattern(f"[file:hashes.sha256 = '{b.hex()}']")
    assert (one == other) == (a == b)


# --------------------------------------------------------------------------
# Invariance: random spellings of one detection
# --------------------------------------------------------------------------

WHITE = ["", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", " /* note */ "]
SEPARATOR = [w for w in WHITE if w]  # around keywords: "ANDx:y" would lex as one name
LEADING = [w for w in WHITE if "/" not in w]  # stix2-patterns wants "(" or "[" first


def _random_case(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if f else c.lower() for c, f in zip(text, flips, strict=True))


@st.composite
def terms(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """A comparison as (object type, property spellings, value spellings), all equivalent."""
    kind = draw(st.sampled_from(["ipv4", "ipv6", "domain", "email", "hash", "name"]))
    if kind == "ipv4":
        address = str(draw(st.ip_addresses(v=4)))
        return "ipv4-addr", "value", [address, address + "/32"]
    if kind == "ipv6":
        address = draw(st.ip_addresses(v=6))
        return "ipv6-addr", "value", [str(address), address.exploded.upper(), f"{address}/128"]
    if kind in ("domain", "email"):
        label = draw(st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True))
        host = f"{label}.example.org"
        value = host if kind == "domain" else f"{label}@{host}"
        return (
            "domain-name" if kind == "domain" else "email-addr",
            "value",
            [value, value.upper(), _random_case(draw, value)],
        )
    if kind == "hash":
        algorithm, size = draw(st.sampled_from([("SHA-256", 32), ("MD5", 16), ("SHA-1", 20)]))
        digest = draw(st.binary(min_size=size, max_size=size)).hex()
        squashed = algorithm.replace("-", "")
        names = [f"'{algorithm}'", squashed, squashed.lower(), f"'{algorithm.lower()}'"]
        path = "hashes." + draw(st.sampled_from(names))
        return "file", path, [digest, digest.upper(), _random_case(draw, digest)]
    name = draw(st.from_regex(r"[a-z]{1,8}\.exe", fullmatch=True))
    return "file", "name", [name]  # case-sensitive: one spelling


def _spell_term(draw: st.DrawFn, term: tuple[str, str, list[str]]) -> str:
    object_type, prop, values = term
    if prop == "value":
        prop = draw(st.sampled_from(["value", "'value'"]))
    elif prop.startswith("hashes."):
        prop = draw(st.sampled_from(["hashes.", "'hashes'."])) + prop.removeprefix("hashes.")
    operator = draw(st.sampled_from(["=", "=="]))
    value = draw(st.sampled_from(values))

    def ws() -> str:
        return draw(st.sampled_from(WHITE))

    return f"{object_type}{ws()}:{ws()}{prop}{ws()}{operator}{ws()}'{value}'"


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str]:
    """Two spellings of one random detection: operand order, white space, case, synonyms."""
    observations = draw(
        st.lists(
            st.tuples(st.sampled_from(["AND", "OR"]), st.lists(terms(), min_size=1, max_size=3)),
            min_size=1,
            max_size=3,
        )
    )
    between = draw(st.sampled_from(["AND", "OR"]))
    qualifier = draw(st.sampled_from(["", "WITHIN 300 SECONDS", "REPEATS 3 TIMES"]))

    def spell() -> str:
        def sep() -> str:
            return draw(st.sampled_from(SEPARATOR))

        def ws() -> str:
            return draw(st.sampled_from(WHITE))

        parts = []
        for op, group in draw(st.permutations(observations)):
            spelled = [_spell_term(draw, t) for t in draw(st.permutations(group))]
            parts.append(f"[{ws()}" + f"{sep()}{op}{sep()}".join(spelled) + f"{ws()}]")
        text = f"{sep()}{between}{sep()}".join(parts)
        if qualifier:
            lead = draw(st.sampled_from(LEADING))
            text = f"({lead}{text}{ws()}){sep()}{qualifier.replace(' ', sep())}"
        return draw(st.sampled_from(LEADING)) + text + ws()

    return spell(), spell()


@settings(max_examples=60, deadline=None)
@given(spellings())
def test_normalised_pattern__invariant_under_spelling(pair: tuple[str, str]) -> None:
    one, other = pair
    normal = normalised_pattern(one)
    assert normalised_pattern(other) == normal
    body = normal.removeprefix("stix\n")
    assert normalised_pattern(body) == normal  # a fixed point
    assert run_validator(body, "2.1") == []


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@st.composite
def dressed_bundles(draw: st.DrawFn, pattern: str) -> dict[str, Any]:
    """A bundle around ``pattern`` with random ids, times, flags, labels, markings, neighbours."""
    created = draw(
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1))
    ).replace(tzinfo=UTC)
    modified = created + timedelta(seconds=draw(st.integers(0, 10**8)))
    tlp = draw(st.sampled_from([Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]))
    text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
    indicator: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{draw(st.uuids(version=4))}",
        "created": _stamp(created),
        "modified": _stamp(modified),
        "name": draw(text),
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": _stamp(created),
        "revoked": draw(st.booleans()),
        "object_marking_refs": [tlp.marking_id],
    }
    if draw(st.booleans()):
        indicator["pattern_version"] = draw(st.sampled_from(["2.1", "2.0"]))
    if draw(st.booleans()):
        indicator["description"] = draw(text)
    if draw(st.booleans()):
        indicator["labels"] = draw(
            st.lists(st.from_regex(r"[a-z][a-z-]{0,10}", fullmatch=True), min_size=1, max_size=3)
        )
    if draw(st.booleans()):
        indicator["confidence"] = draw(st.integers(0, 100))
    if draw(st.booleans()):
        indicator["indicator_types"] = [
            draw(st.sampled_from(["malicious-activity", "compromised"]))
        ]
    if draw(st.booleans()):
        indicator["valid_until"] = _stamp(created + timedelta(days=draw(st.integers(1, 900))))
    if draw(st.booleans()):
        phase = draw(st.sampled_from(["initial-access", "command-and-control", "impact"]))
        indicator["kill_chain_phases"] = [{"kill_chain_name": "mitre-attack", "phase_name": phase}]
    objects: list[dict[str, Any]] = [tlp.marking_dict(), indicator]
    if draw(st.booleans()):
        objects.append(
            {
                "type": "malware",
                "spec_version": "2.1",
                "id": f"malware--{draw(st.uuids(version=4))}",
                "created": _stamp(created),
                "modified": _stamp(created),
                "name": draw(text.filter(bool)),
                "is_family": True,
            }
        )
    objects = draw(st.permutations(objects))
    return {"type": "bundle", "id": f"bundle--{draw(st.uuids(version=4))}", "objects": objects}


BASE_PATTERN = (
    "[file:hashes.'SHA-256' = '" + EMPTY_SHA256 + "' OR file:name = 'invoice.exe']"
    " AND [domain-name:value = 'c2.example.net']"
)
BASE_NORMAL = normalised_pattern(BASE_PATTERN)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_semantic_key__ignores_everything_but_the_detection(data: st.DataObject) -> None:
    # Same detection, respelt: operand order, digest case, algorithm spelling, white space.
    pattern = data.draw(
        st.sampled_from(
            [
                BASE_PATTERN,
                "[domain-name:value='C2.EXAMPLE.NET']\nAND\t[ file:name = 'invoice.exe' OR "
                "file:hashes.sha256 = '" + EMPTY_SHA256.upper() + "' ]",
                "([domain-name:value = 'c2.example.net']) AND ([file:name = 'invoice.exe' OR "
                "(file:hashes.'sha-256' == '" + EMPTY_SHA256 + "')])",
            ]
        )
    )
    bundle = data.draw(dressed_bundles(pattern))
    assert semantic_key(bundle) == keccak(BASE_NORMAL.encode())


@given(st.sampled_from(["dict", "str", "bytes", "stix2"]))
def test_semantic_key__accepts_every_bundle_form(form: str) -> None:
    data = bundle_a_prime()
    value: Any = {
        "dict": data,
        "str": json.dumps(data, indent=2),
        "bytes": json.dumps(data).encode(),
        "stix2": stix2.parse(data, version="2.1"),
    }[form]
    assert semantic_key_hex(value) == KEY_A
    assert semantic_key_hex(value, validate=True) == KEY_A


def _opaque_bundle(pattern: str, pattern_type: str) -> dict[str, Any]:
    data = bundle_a()
    indicator = next(o for o in data["objects"] if o["type"] == "indicator")
    indicator["pattern"] = pattern
    indicator["pattern_type"] = pattern_type
    del indicator["pattern_version"]
    return data


def test_semantic_key__non_stix_pattern_in_a_bundle() -> None:
    rule = 'alert tcp any any -> 198.51.100.7 443 (msg:"C2"; sid:1000001;)'
    crlf = _opaque_bundle("\r\n" + rule + "\r\n", "snort")
    lf = _opaque_bundle(rule + "\n", "snort")
    assert semantic_key(crlf) == semantic_key(lf) == keccak(("snort\n" + rule).encode())
    assert semantic_key(_opaque_bundle(rule, "suricata")) != semantic_key(lf)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("[ipv4-addr:value = ", "invalid STIX pattern"),
        ("ipv4-addr:value = '198.51.100.7'", "missing square brackets"),
        ("[x:y = 'a\\b']", "invalid STIX pattern"),
        ("[file:hashes.'SHA-256' = 'abc']", "not a valid"),
        ("[x:y = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", "Duplicate qualifier"),
        ("", "empty STIX pattern"),
        ("/* c */ [x:y = 1]", "missing square brackets"),  # stix2-patterns' own pre-check
        ("[x:y[-1] = 'a']", "rejected by stix2-patterns"),  # stix2 refuses it too
        ("(" * 20_000 + "[x:y = 1]" + ")" * 20_000, "nested too deeply"),  # whatever the limit
    ],
)
def test_normalised_pattern__invalid_stix__raises(pattern: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as info:
        normalised_pattern(pattern)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("pattern", "pattern_type", "fragment"),
    [
        ("x", "", "pattern_type"),
        ("x", "sn ort", "pattern_type"),
        ("x", "snort\n", "pattern_type"),
        ("x", "sñort", "pattern_type"),
        (" \r\n\t ", "snort", "empty snort pattern"),
        (b"[x:y = 1]", "stix", "pattern must be a string"),
    ],
)
def test_normalised_pattern__bad_arguments__raise(
    pattern: Any, pattern_type: str, fragment: str
) -> None:
    with pytest.raises(InputError, match=fragment):
        normalised_pattern(pattern, pattern_type)


def test_semantic_key__bundle_without_indicator__raises() -> None:
    data = bundle_a()
    data["objects"] = [o for o in data["objects"] if o["type"] != "indicator"]
    with pytest.raises(InputError, match="exactly one indicator, found 0"):
        semantic_key(data)


def test_semantic_key__two_indicators__raises() -> None:
    data = bundle_a()
    twin = dict(next(o for o in bundle_b()["objects"] if o["type"] == "indicator"))
    twin["id"] = "indicator--1b9b3e52-8b4e-4d55-9d3c-2e4c9d0a7f11"
    data["objects"].append(twin)
    with pytest.raises(InputError, match="exactly one indicator, found 2"):
        semantic_key(data)


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        {"type": "indicator"},
        b"\xff",
        42,
    ],
)
def test_semantic_key__not_a_bundle__raises(data: Any) -> None:
    with pytest.raises(InputError):
        semantic_key(data)


def test_semantic_key__invalid_pattern_in_bundle__raises() -> None:
    data = bundle_a()
    next(o for o in data["objects"] if o["type"] == "indicator")["pattern"] = "[x:y = "
    with pytest.raises(InputError, match="pattern"):
        semantic_key(data)


def test_semantic_key__lone_surrogate__raises() -> None:
    text = json.dumps(_opaque_bundle("alert \ud800", "snort"))  # valid JSON, not UTF-8
    with pytest.raises(InputError, match="surrogate"):
        semantic_key(text)


def test_semantic_key__validate_runs_the_oasis_validator() -> None:
    data = bundle_a()
    indicator = next(o for o in data["objects"] if o["type"] == "indicator")
    indicator["external_references"] = [{"source_name": "cve", "external_id": "CVE-12"}]
    assert semantic_key_hex(data) == KEY_A  # stix2 alone accepts it
    with pytest.raises(InputError, match="CVE"):
        semantic_key(data, validate=True)
