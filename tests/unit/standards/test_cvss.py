"""CVSS v3.x / v4.0 base scores as integers, and the severity band mirrored on chain."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from cvss import CVSS3
from hypothesis import given
from hypothesis import strategies as st

from sharing.errors import InputError
from sharing.standards.cvss import (
    BAND_NAMES,
    band_name,
    parse_cvss,
    score_x10,
    severity_band,
)

# Known scores.  v3.1: the FIRST specification's reference example (9.8) and
# well-known NVD entries (Heartbleed CVE-2014-0160 7.5, Log4Shell
# CVE-2021-44228 10.0).  v4.0: values published independently of the `cvss`
# package we use - the FIRST v4.0 specification examples as reproduced in
# other calculators' test suites (polycvss, cvss-rs, cvss4.js test tables).
KNOWN_V3 = [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 100),  # Log4Shell
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 75),  # Heartbleed
    ("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 78),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98),
]
KNOWN_V4 = [
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 93),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 100),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:H/SI:H/SA:H", 79),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 69),
    ("CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 73),
    ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 77),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N", 53),  # CVE-2024-7657
]


@pytest.mark.parametrize(("vector", "expected"), KNOWN_V3)
def test_parse_cvss__v3_known_scores(vector: str, expected: int) -> None:
    score = parse_cvss(vector)
    assert score.score_x10 == expected
    assert score.version == vector[5:8]
    assert score.band == severity_band(expected)
    assert score.base_score == Decimal(expected) / 10


@pytest.mark.parametrize(("vector", "expected"), KNOWN_V4)
def test_parse_cvss__v4_known_scores(vector: str, expected: int) -> None:
    score = parse_cvss(vector)
    assert score.score_x10 == expected
    assert score.version == "4.0"
    assert score.base_vector == vector


def test_parse_cvss__v31_reference_vector_is_critical() -> None:
    score = parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    assert (score.score_x10, score.band, score.band_name) == (98, 4, "critical")


def test_parse_cvss__v4_threat_metrics_do_not_change_base_score() -> None:
    # With E:U the full CVSS-BT score is 5.2 (FIRST example); the base (CVSS-B) stays 7.7.
    base = "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    score = parse_cvss(base + "/E:U")
    assert score.score_x10 == 77
    assert score.base_vector == base
    assert score.vector == base + "/E:U"


def test_parse_cvss__v3_temporal_metrics_do_not_change_base_score() -> None:
    score = parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R")
    assert score.score_x10 == 98
    assert score.base_vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def test_parse_cvss__whitespace_is_stripped() -> None:
    assert score_x10("  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n") == 98


def test_parse_cvss__every_v31_base_vector_is_exact() -> None:
    """All 2,592 v3.1 base vectors: x10 is the library's Decimal times ten, band is FIRST's."""
    values = [("AV", "NALP"), ("AC", "LH"), ("PR", "NLH"), ("UI", "NR"), ("S", "UC")] + [
        (m, "HLN") for m in ("C", "I", "A")
    ]
    for combo in itertools.product(*(v for _, v in values)):
        vector = "CVSS:3.1/" + "/".join(f"{m}:{x}" for (m, _), x in zip(values, combo, strict=True))
        decimal_score = CVSS3(vector).base_score
        score = parse_cvss(vector)
        assert Decimal(score.score_x10) == decimal_score * 10
        expected_band = (
            0
            if decimal_score == 0
            else 1
            if decimal_score <= Decimal("3.9")
            else 2
            if decimal_score <= Decimal("6.9")
            else 3
            if decimal_score <= Decimal("8.9")
            else 4
        )
        assert score.band == expected_band


@pytest.mark.parametrize(
    ("vector", "fragment"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "Missing mandatory"),
        ("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "Unknown value"),
        ("CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "Duplicate"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "trailing"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H", "Missing mandatory"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/ZZ:1", "Invalid metric"),
        ("AV:N/AC:L/Au:N/C:C/I:C/A:C", "unsupported version"),
        ("CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C", "unsupported version"),
        ("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unsupported version"),
        ("", "unsupported version"),
    ],
)
def test_parse_cvss__bad_vector__raises(vector: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_cvss(vector)
    message = str(info.value)
    assert "\n" not in message
    assert fragment in message
    assert repr(vector.strip()) in message


def test_parse_cvss__not_a_string__raises() -> None:
    with pytest.raises(InputError, match="expected a string"):
        parse_cvss(9.8)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("x10", "band"),
    [(0, 0), (1, 1), (39, 1), (40, 2), (69, 2), (70, 3), (89, 3), (90, 4), (100, 4)],
)
def test_severity_band__boundaries(x10: int, band: int) -> None:
    assert severity_band(x10) == band


@pytest.mark.parametrize("bad", [-1, 101, 1000, 9.8, True, "98", None])
def test_severity_band__out_of_range__raises(bad: object) -> None:
    with pytest.raises(InputError):
        severity_band(bad)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=100))
def test_severity_band__matches_first_decimal_bands(x10: int) -> None:
    score = Decimal(x10) / 10
    expected = next(
        i
        for i, upper in enumerate(
            (Decimal("0.0"), Decimal("3.9"), Decimal("6.9"), Decimal("8.9"), Decimal("10.0"))
        )
        if score <= upper
    )
    assert severity_band(x10) == expected


def test_band_name__all_codes() -> None:
    assert [band_name(b) for b in range(5)] == list(BAND_NAMES)
    assert BAND_NAMES == ("none", "low", "medium", "high", "critical")


@pytest.mark.parametrize("bad", [-1, 5, True])
def test_band_name__unknown__raises(bad: int) -> None:
    with pytest.raises(InputError):
        band_name(bad)
