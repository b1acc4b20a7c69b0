"""Build validated STIX 2.1 indicator bundles from an :class:`IndicatorSpec`.

A bundle holds the TLP 2.0 marking definition (:mod:`sharing.standards.tlp`),
one ``indicator`` whose ``mitre-attack`` kill chain phase is its category
(:mod:`sharing.standards.categories`), the optional ``vulnerability`` /
``attack-pattern`` / ``malware`` SDOs, and the relationships STIX 2.1
suggests between them.  What comes out has been through
:func:`sharing.standards.stix_parse.parse_bundle`: what we build is what we
accept.

Object ids are ``<type>--<uuid4>`` (:func:`stix_id`); with a seed or a
numpy ``Generator`` as ``random_state`` (and a fixed ``created``) the bundle
and its content hash are reproducible.  The ids are drawn in a fixed order:
indicator, vulnerability, attack-pattern, malware, the relationships,
the bundle.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np
import stix2
from stix2.exceptions import STIXError

from sharing.errors import InputError
from sharing.standards.categories import ATTACK_KILL_CHAIN, CATEGORIES, Category, category_code
from sharing.standards.cvss import parse_cvss
from sharing.standards.stix_parse import CVSS_SOURCE_NAME, one_line, parse_bundle
from sharing.standards.tlp import Tlp

__all__ = [
    "AttackPatternSpec",
    "IndicatorSpec",
    "MalwareSpec",
    "RandomState",
    "VulnerabilitySpec",
    "build_indicator_bundle",
    "stix_id",
]

#: Anything accepted as a source of randomness: a seed, a numpy Generator,
#: or ``None`` for fresh OS entropy (QuantEcon / Nashpy convention).
RandomState = int | np.random.Generator | None

_CVE_RE: Final = re.compile(r"^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$")
_TECHNIQUE_RE: Final = re.compile(r"^T\d{4}(\.\d{3})?$")


@dataclass(frozen=True, slots=True)
class VulnerabilitySpec:
    """A ``vulnerability`` SDO to include: a CVE and an optional description."""

    cve_id: str
    name: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class AttackPatternSpec:
    """An ``attack-pattern`` SDO to include, optionally tied to an ATT&CK technique id."""

    name: str
    technique_id: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class MalwareSpec:
    """A ``malware`` SDO to include."""

    name: str
    is_family: bool = True
    malware_types: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """What an indicator bundle says: everything :func:`build_indicator_bundle` needs but ids.

    Nothing is checked here; :func:`build_indicator_bundle` checks it all.

    Attributes
    ----------
    pattern : str
        A STIX 2.1 pattern, e.g. ``"[ipv4-addr:value = '203.0.113.7']"``.
    name : str
        Indicator name.
    category : int or str
        ATT&CK tactic (code, short name or id); becomes the indicator's
        ``mitre-attack`` kill chain phase.
    tlp : Tlp or str, default GREEN
        TLP 2.0 level.  GREEN by default: "limited disclosure, recipients
        can spread this within their community", which is what an ISAC
        pool is.
    description : str, optional
        Indicator description.
    indicator_types : sequence of str, default ``("malicious-activity",)``
        Values from STIX's open ``indicator-type-ov`` vocabulary (a single
        string is one value).
    cvss_vector : str, optional
        The submitter's CVSS v3.1/v4.0 vector; checked, then stored as an
        external reference of the indicator
        (:func:`sharing.standards.stix_parse.cvss_vector_of`).
    vulnerability, attack_pattern, malware : spec, optional
        Related SDOs to include.
    created : datetime, optional
        Timezone-aware creation time of every object (truncated to
        milliseconds); now by default.
    valid_from : datetime, optional
        Start of the indicator's validity; ``created`` by default.
    confidence : int, optional
        STIX confidence, 0-100.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> spec = IndicatorSpec("[ipv4-addr:value = '203.0.113.7']", name="C2", category=11,
    ...                      created=datetime(2025, 1, 1, tzinfo=UTC))
    >>> bundle = build_indicator_bundle(spec, random_state=1)
    >>> [o["type"] for o in bundle.objects]
    ['marking-definition', 'indicator']
    >>> bundle.objects[1]["kill_chain_phases"][0]["phase_name"]
    'command-and-control'
    """

    pattern: str
    name: str
    category: int | str
    tlp: Tlp | str = Tlp.GREEN
    description: str | None = None
    indicator_types: Sequence[str] = ("malicious-activity",)
    cvss_vector: str | None = None
    vulnerability: VulnerabilitySpec | None = None
    attack_pattern: AttackPatternSpec | None = None
    malware: MalwareSpec | None = None
    created: datetime | None = None
    valid_from: datetime | None = None
    confidence: int | None = None


def stix_id(object_type: str, rng: np.random.Generator | None = None) -> str:
    """Make a STIX identifier ``<type>--<uuid4>``.

    With ``rng`` the UUID's 122 random bits come from the generator (version
    and variant bits set as RFC 4122 version 4 requires), so seeded runs
    produce the same ids; without it, from :func:`uuid.uuid4`.
    """
    if rng is None:
        return f"{object_type}--{uuid.uuid4()}"
    return f"{object_type}--{uuid.UUID(bytes=rng.bytes(16), version=4)}"


def build_indicator_bundle(spec: IndicatorSpec, *, random_state: RandomState = None) -> Any:
    """Build a validated STIX 2.1 indicator bundle.

    The bundle holds the TLP 2.0 marking definition, one ``indicator``, the
    optional ``vulnerability`` / ``attack-pattern`` / ``malware`` SDOs, and
    the relationships STIX 2.1 suggests between them (indicator *indicates*
    attack-pattern and malware; attack-pattern *targets* and malware
    *exploits* the vulnerability).  Every object carries the TLP marking.

    Parameters
    ----------
    spec : IndicatorSpec
        What the bundle says.
    random_state : int, numpy Generator or None
        Source of the object ids.  Give a seed or generator (and a
        ``spec.created``) for a reproducible bundle and hash.

    Returns
    -------
    stix2.v21.Bundle
        The bundle, already validated as
        :func:`~sharing.standards.stix_parse.parse_bundle` would.

    Raises
    ------
    InputError
        For an invalid pattern, category, TLP, CVSS vector, CVE id,
        technique id or any value ``stix2`` refuses.
    """
    rng = None if random_state is None else np.random.default_rng(random_state)
    level = Tlp.parse(spec.tlp)
    tactic = CATEGORIES[category_code(spec.category)]
    when = _timestamp(spec.created)
    valid = _timestamp(spec.valid_from) if spec.valid_from is not None else when
    marking = level.marking_definition()
    common: dict[str, Any] = {
        "created": when,
        "modified": when,
        "object_marking_refs": [marking.id],
    }
    cvss_refs = _cvss_references(spec.cvss_vector)
    with _stix_content():
        indicator = _indicator(spec, tactic, valid, cvss_refs, common, rng)
        objects: list[Any] = [marking, indicator]
        vulnerability = None
        if spec.vulnerability is not None:
            vulnerability = _vulnerability(spec.vulnerability, common, rng)
            objects.append(vulnerability)
        related: list[tuple[Any, str, Any]] = []
        if spec.attack_pattern is not None:
            attack_pattern = _attack_pattern(spec.attack_pattern, tactic, common, rng)
            objects.append(attack_pattern)
            related.append((indicator, "indicates", attack_pattern))
            if vulnerability is not None:
                related.append((attack_pattern, "targets", vulnerability))
        if spec.malware is not None:
            malware = _malware(spec.malware, common, rng)
            objects.append(malware)
            related.append((indicator, "indicates", malware))
            if vulnerability is not None:
                related.append((malware, "exploits", vulnerability))
        objects += _relationships(related, common, rng)
        bundle = stix2.v21.Bundle(objects=objects, id=stix_id("bundle", rng))
    # Round-trip through the validator: what we build must be what we accept.
    return parse_bundle(bundle.serialize())


# --------------------------------------------------------------------------
# The parts of a bundle
# --------------------------------------------------------------------------


def _timestamp(value: datetime | None) -> datetime:
    moment = datetime.now(UTC) if value is None else value
    if moment.tzinfo is None:
        raise InputError("timestamps must be timezone-aware (UTC)")
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@contextmanager
def _stix_content() -> Iterator[None]:
    """Report what ``stix2`` refuses as an :class:`InputError` of one line."""
    try:
        yield
    except InputError:
        raise
    except (STIXError, ValueError, TypeError) as error:
        raise InputError(f"invalid STIX 2.1 content: {one_line(str(error))}") from error


def _cvss_references(vector: str | None) -> list[dict[str, str]]:
    """The indicator's external reference carrying its checked CVSS vector, if any."""
    if vector is None:
        return []
    score = parse_cvss(vector)
    return [
        {
            "source_name": CVSS_SOURCE_NAME,
            "external_id": score.vector,
            "url": f"https://www.first.org/cvss/calculator/{score.version}#{score.vector}",
        }
    ]


def _indicator(
    spec: IndicatorSpec,
    tactic: Category,
    valid_from: datetime,
    external: list[dict[str, str]],
    common: dict[str, Any],
    rng: np.random.Generator | None,
) -> Any:
    types = spec.indicator_types
    kwargs: dict[str, Any] = {
        "id": stix_id("indicator", rng),
        "name": spec.name,
        "pattern": spec.pattern,
        "pattern_type": "stix",
        "valid_from": valid_from,
        "indicator_types": [types] if isinstance(types, str) else list(types),
        "kill_chain_phases": [{"kill_chain_name": ATTACK_KILL_CHAIN, "phase_name": tactic.name}],
        **common,
    }
    if spec.description is not None:
        kwargs["description"] = spec.description
    if external:
        kwargs["external_references"] = external
    if spec.confidence is not None:
        kwargs["confidence"] = spec.confidence
    return stix2.v21.Indicator(**kwargs)


def _vulnerability(
    spec: VulnerabilitySpec, common: dict[str, Any], rng: np.random.Generator | None
) -> Any:
    if not _CVE_RE.match(spec.cve_id):
        raise InputError(f"invalid CVE id {spec.cve_id!r} (expected CVE-YYYY-NNNN)")
    kwargs: dict[str, Any] = {
        "id": stix_id("vulnerability", rng),
        "name": spec.name or spec.cve_id,
        "external_references": [
            {
                "source_name": "cve",
                "external_id": spec.cve_id,
                "url": f"https://www.cve.org/CVERecord?id={spec.cve_id}",
            }
        ],
        **common,
    }
    if spec.description is not None:
        kwargs["description"] = spec.description
    return stix2.v21.Vulnerability(**kwargs)


def _attack_pattern(
    spec: AttackPatternSpec,
    tactic: Category,
    common: dict[str, Any],
    rng: np.random.Generator | None,
) -> Any:
    kwargs: dict[str, Any] = {
        "id": stix_id("attack-pattern", rng),
        "name": spec.name,
        "kill_chain_phases": [{"kill_chain_name": ATTACK_KILL_CHAIN, "phase_name": tactic.name}],
        **common,
    }
    if spec.technique_id is not None:
        tid = spec.technique_id
        if not _TECHNIQUE_RE.match(tid):
            raise InputError(f"invalid ATT&CK technique id {tid!r} (expected T1234 or T1234.001)")
        kwargs["external_references"] = [
            {
                "source_name": ATTACK_KILL_CHAIN,
                "external_id": tid,
                "url": "https://attack.mitre.org/techniques/" + tid.replace(".", "/"),
            }
        ]
    if spec.description is not None:
        kwargs["description"] = spec.description
    return stix2.v21.AttackPattern(**kwargs)


def _malware(spec: MalwareSpec, common: dict[str, Any], rng: np.random.Generator | None) -> Any:
    kwargs: dict[str, Any] = {
        "id": stix_id("malware", rng),
        "name": spec.name,
        "is_family": spec.is_family,
        **common,
    }
    if spec.malware_types:
        kwargs["malware_types"] = list(spec.malware_types)
    if spec.description is not None:
        kwargs["description"] = spec.description
    return stix2.v21.Malware(**kwargs)


def _relationships(
    related: list[tuple[Any, str, Any]], common: dict[str, Any], rng: np.random.Generator | None
) -> list[Any]:
    return [
        stix2.v21.Relationship(
            id=stix_id("relationship", rng),
            relationship_type=rel_type,
            source_ref=source.id,
            target_ref=target.id,
            **common,
        )
        for source, rel_type, target in related
    ]
