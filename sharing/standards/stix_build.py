"""Build validated STIX 2.1 indicator bundles from an :class:`IndicatorSpec`.

A bundle holds the TLP 2.0 marking definition (:mod:`sharing.standards.tlp`),
one ``indicator`` whose ``mitre-attack`` kill chain phase is its category
(:mod:`sharing.standards.categories`), the optional ``vulnerability`` /
``attack-pattern`` / ``malware`` SDOs, and the relationships STIX 2.1
suggests between them.  What comes out has been through
:func:`sharing.standards.stix_parse.parse_bundle`: what we build is what we
accept.

The fields CTI platforms look for are there when the spec asks for them:
``confidence``; an ``identity`` named by the submitter's alliance
*pseudonym* (:func:`member_pseudonym`: never the firm's name or address)
with ``created_by_ref`` on every object; the AIS consent marking
(:func:`ais_consent_marking`); and the CVSS vector on the ``vulnerability``
too, described as what is scored (``CVSS-B`` for v4.0: base metrics only).

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
    "AIS_CONSENT_VALUES",
    "AttackPatternSpec",
    "IndicatorSpec",
    "MalwareSpec",
    "RandomState",
    "VulnerabilitySpec",
    "ais_consent_marking",
    "build_indicator_bundle",
    "identity_id",
    "member_pseudonym",
    "stix_id",
]

#: Anything accepted as a source of randomness: a seed, a numpy Generator,
#: or ``None`` for fresh OS entropy (QuantEcon / Nashpy convention).
RandomState = int | np.random.Generator | None

#: The AIS consent values (DHS AIS Consent Marking, ``AISConsentMarking-2``): to whom the
#: submitter consents to be attributed - everyone, the U.S. government only, or nobody.
AIS_CONSENT_VALUES: Final = ("everyone", "usg", "none")
#: ``created`` of the pseudonym identities and consent markings: fixed, so that every
#: bundle of a member carries the same object (one version, whatever the bundle).
_FIXED_CREATED: Final = "2026-01-01T00:00:00.000Z"
_NAMESPACE: Final = uuid.UUID("2d1f0b6c-8a47-4b0e-9d3c-5e6f7a8b9c0d")

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
    author : str, optional
        The submitter's alliance pseudonym (:func:`member_pseudonym`): adds
        an ``identity`` of that name and ``created_by_ref`` on every object.
    consent : {"everyone", "usg", "none"}, optional
        Adds the AIS consent marking (:func:`ais_consent_marking`) to every
        object.

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
    author: str | None = None
    consent: str | None = None


def stix_id(object_type: str, rng: np.random.Generator | None = None) -> str:
    """Make a STIX identifier ``<type>--<uuid4>``.

    With ``rng`` the UUID's 122 random bits come from the generator (version
    and variant bits set as RFC 4122 version 4 requires), so seeded runs
    produce the same ids; without it, from :func:`uuid.uuid4`.
    """
    if rng is None:
        return f"{object_type}--{uuid.uuid4()}"
    return f"{object_type}--{uuid.UUID(bytes=rng.bytes(16), version=4)}"


def member_pseudonym(secret: bytes) -> str:
    """A member's alliance pseudonym, from a secret only the member holds.

    ``"AIS member "`` and the first 6 bytes of keccak-256 of
    ``b"sharing-pseudonym/1" + secret``, in hex.  Not derived from the
    address: members are listed on chain, so any function of an address
    alone could be reversed by trying them all.
    """
    from eth_utils import keccak

    if len(secret) < 16:
        raise InputError("a pseudonym secret must be at least 16 bytes")
    return "AIS member " + bytes(keccak(b"sharing-pseudonym/1" + secret))[:6].hex()


def identity_id(pseudonym: str) -> str:
    """The STIX id of a pseudonym's identity (UUIDv5: the same in every bundle)."""
    return f"identity--{uuid.uuid5(_NAMESPACE, 'identity/' + pseudonym)}"


def ais_consent_marking(consent: str) -> dict[str, Any]:
    """The AIS consent marking as a STIX 2.1 statement marking definition.

    STIX 2.1 has no published AIS marking object, so the consent value of
    the DHS AIS Consent Marking (``AISConsentMarking-2``: EVERYONE, USG or
    NONE) is stated in a ``statement`` marking whose id is derived from the
    value, the same in every bundle.

    Raises
    ------
    InputError
        If ``consent`` is not one of :data:`AIS_CONSENT_VALUES`.
    """
    value = str(consent).strip().lower()
    if value not in AIS_CONSENT_VALUES:
        raise InputError(f"unknown AIS consent {consent!r} (expected everyone, usg or none)")
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid5(_NAMESPACE, 'ais-consent/' + value)}",
        "created": _FIXED_CREATED,
        "name": f"AIS Consent: {value.upper()}",
        "definition_type": "statement",
        "definition": {
            "statement": f"AIS Consent Marking (AISConsentMarking-2): consent={value.upper()}. "
            "Attribution of this content may be shared with: "
            + {"everyone": "everyone", "usg": "the U.S. government only",
               "none": "nobody"}[value] + "."
        },
    }


def _identity(pseudonym: str) -> Any:
    return stix2.v21.Identity(
        id=identity_id(pseudonym),
        name=pseudonym,
        identity_class="organization",
        description="A member of the alliance, under its alliance pseudonym.",
        created=_FIXED_CREATED,
        modified=_FIXED_CREATED,
    )


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
    header: list[Any] = [marking]
    with _stix_content():
        if spec.consent is not None:
            consent = stix2.v21.MarkingDefinition(**ais_consent_marking(spec.consent))
            header.append(consent)
            common["object_marking_refs"] = [marking.id, consent.id]
        if spec.author is not None:
            author = _identity(spec.author)
            header.append(author)
            common["created_by_ref"] = author.id
    cvss_refs = _cvss_references(spec.cvss_vector)
    with _stix_content():
        indicator = _indicator(spec, tactic, valid, cvss_refs, common, rng)
        objects: list[Any] = [*header, indicator]
        vulnerability = None
        if spec.vulnerability is not None:
            vulnerability = _vulnerability(spec.vulnerability, spec.cvss_vector, common, rng)
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
    spec: VulnerabilitySpec,
    cvss_vector: str | None,
    common: dict[str, Any],
    rng: np.random.Generator | None,
) -> Any:
    """The vulnerability, its CVE, and its scored CVSS vector.

    STIX 2.1 has no CVSS property: the vector is an external reference whose
    description says what the score is (``CVSS-B`` for v4.0).
    """
    if not _CVE_RE.match(spec.cve_id):
        raise InputError(f"invalid CVE id {spec.cve_id!r} (expected CVE-YYYY-NNNN)")
    references: list[dict[str, str]] = [
        {
            "source_name": "cve",
            "external_id": spec.cve_id,
            "url": f"https://www.cve.org/CVERecord?id={spec.cve_id}",
        }
    ]
    if cvss_vector is not None:
        score = parse_cvss(cvss_vector)
        references.append(
            {
                "source_name": CVSS_SOURCE_NAME,
                "external_id": score.vector,
                "description": score.describe(),
                "url": f"https://www.first.org/cvss/calculator/{score.version}#{score.vector}",
            }
        )
    kwargs: dict[str, Any] = {
        "id": stix_id("vulnerability", rng),
        "name": spec.name or spec.cve_id,
        "external_references": references,
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
