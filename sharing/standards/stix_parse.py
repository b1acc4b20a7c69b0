"""Parse and validate STIX 2.1 indicator bundles; their canonical JSON and content hash.

An indicator's identity on chain is ``keccak256(canonical JSON of its
bundle)`` (docs/rules.md, "What a member commits to"; the recipe for other
languages, with a worked example, is docs/stix_ids.md).  Everything here
exists to make that hash well defined: two parties holding the same bundle
must compute the same 32 bytes, whatever whitespace, key order or number
spelling their tools produced.

Canonical form
--------------
:func:`canonical_json` is the JSON Canonicalization Scheme, RFC 8785
(:func:`sharing.standards.jcs.jcs_dumps`), of the bundle *as submitted*:
the JSON object exactly as decoded, with nothing added, dropped or
re-spelt.  No STIX library's normal form enters the hash (``stix2`` adds
``pattern_version``, drops ``"revoked": false`` and may re-print
timestamps, and those choices differ between its releases), so any client
with a JSON parser and RFC 8785 reproduces it.  Two bundles that differ in
any property, an explicit default included, are different documents.

Before it gets a hash, a bundle must pass:

1. ``stix2`` (STIX 2.1 only) on the bundle with its custom properties set
   aside: custom *properties* named ``x_...`` are kept in the bundle and in
   the hash (STIX 2.1 lets a consumer ignore them: ATT&CK's ``x_mitre_*``,
   OpenCTI's ``x_opencti_*``), any other unknown property or object type is
   refused;
2. the OASIS ``stix2-validator`` on the whole bundle (errors refuse it;
   "SHOULD" warnings do not);
3. STIX 2.0 content (a bundle ``spec_version`` of ``"2.0"``, or objects
   without ``spec_version``) is refused with a message naming 2.0.

The canonical bytes are also what the off-chain pool stores and serves, so
a reader can re-hash what it receives and compare with the chain.

:func:`load_indicator_bundle` does it all at once and also reads what the
chain and the pool need from the bundle: its one indicator, TLP marking
(:mod:`sharing.standards.tlp`), ATT&CK tactics
(:mod:`sharing.standards.categories`) and claimed CVSS vector.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import stix2
from eth_utils import keccak
from stix2.exceptions import STIXError

from sharing.errors import InputError
from sharing.standards.categories import ATTACK_KILL_CHAIN, tactic_code
from sharing.standards.cvss import CvssScore, parse_cvss
from sharing.standards.jcs import jcs_dumps
from sharing.standards.tlp import Tlp, tlp_of

__all__ = [
    "CVSS_SOURCE_NAME",
    "IndicatorBundle",
    "canonical_json",
    "content_hash",
    "cvss_vector_of",
    "decode_bundle",
    "indicator_of",
    "load_indicator_bundle",
    "one_line",
    "parse_bundle",
    "tactics_of",
    "validate_object",
]

# --------------------------------------------------------------------------
# Parsing, validation, the canonical JSON and the content hash
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _validator_options() -> Any:
    # Built once: the constructor sets module-level output state in stix2validator.
    # Imported here, not at module level: it costs ~4 s (jsonschema's format
    # checkers), which every command that only needs the category table or a
    # hash would otherwise pay.
    import stix2validator

    return stix2validator.ValidationOptions(version="2.1", silent=True)


def one_line(text: str) -> str:
    """One line of an error text, at most 300 characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= 300 else line[:297] + "..."


def _as_dict(data: Any) -> dict[str, Any]:
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"STIX bundle is not UTF-8: {error.reason}") from error
    if isinstance(data, str):
        try:
            decoded = json.loads(data)
        except json.JSONDecodeError as error:
            raise InputError(f"STIX bundle is not valid JSON: {error}") from error
    elif isinstance(data, stix2.v21.Bundle):
        decoded = json.loads(data.serialize())
    elif isinstance(data, Mapping):
        # Round-trip through JSON so stix2 objects nested in a dict are flattened.
        try:
            decoded = json.loads(json.dumps(data, cls=stix2.serialization.STIXJSONEncoder))
        except (TypeError, ValueError) as error:
            raise InputError(f"STIX bundle is not JSON-serialisable: {error}") from error
    else:
        raise InputError(f"expected a STIX bundle (JSON text or dict), got {type(data).__name__}")
    if not isinstance(decoded, dict):
        raise InputError("STIX bundle must be a JSON object")
    if decoded.get("type") != "bundle":
        raise InputError(f"expected a STIX object of type 'bundle', got {decoded.get('type')!r}")
    return decoded


#: A custom property name STIX 2.1 allows (section 11.1): ``x_`` then a-z, 0-9 or ``_``.
_CUSTOM_PROPERTY = re.compile(r"x_[a-z0-9_]{1,248}")
#: Object types whose ``spec_version`` is optional in STIX 2.1 (the cyber observables).
_SCO_TYPES: Final = frozenset(
    {
        "artifact", "autonomous-system", "directory", "domain-name", "email-addr",
        "email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex",
        "network-traffic", "process", "software", "url", "user-account",
        "windows-registry-key", "x509-certificate",
    }
)


def _refuse_stix_20(decoded: dict[str, Any]) -> None:
    """Name STIX 2.0 content, which ``stix2`` would only call unexpected properties."""
    objects = decoded.get("objects")
    if decoded.get("spec_version") == "2.0":
        where = 'the bundle has "spec_version": "2.0"'
    else:
        old = next(
            (
                o for o in objects or ()
                if isinstance(o, dict)
                and (o.get("spec_version") == "2.0"
                     or ("spec_version" not in o and o.get("type") not in _SCO_TYPES
                         and o.get("type") != "bundle"))
            ),
            None,
        )
        if old is None:
            return
        where = f"{old.get('id', old.get('type'))} has no STIX 2.1 spec_version"
    raise InputError(
        f"this is STIX 2.0 content ({where}); the pool takes STIX 2.1 only: convert it "
        "first (e.g. with the OASIS stix2-elevator), then import the 2.1 bundle"
    )


def _without_custom(decoded: dict[str, Any]) -> dict[str, Any]:
    """The bundle with every object's ``x_`` properties set aside, for the strict parse."""
    objects = decoded.get("objects")
    if not isinstance(objects, list):
        return decoded
    strict = dict(decoded)
    strict["objects"] = [
        {k: v for k, v in o.items() if not _CUSTOM_PROPERTY.fullmatch(k)}
        if isinstance(o, dict) else o
        for o in objects
    ]
    return strict


def decode_bundle(data: str | bytes | Mapping[str, Any] | Any) -> dict[str, Any]:
    """The bundle's JSON object exactly as submitted (nothing validated but its shape).

    Raises
    ------
    InputError
        Not UTF-8, not JSON, not a bundle, or STIX 2.0 content (named).
    """
    decoded = _as_dict(data)
    _refuse_stix_20(decoded)
    return decoded


def _parse(data: str | bytes | Mapping[str, Any] | Any, validate: bool) -> tuple[
    dict[str, Any], Any
]:
    """The decoded bundle (as submitted) and its ``stix2`` parse (without custom properties)."""
    decoded = decode_bundle(data)
    try:
        bundle = stix2.parse(_without_custom(decoded), allow_custom=False, version="2.1")
    except STIXError as error:
        raise InputError(f"invalid STIX 2.1 bundle: {one_line(str(error))}") from error
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise InputError(f"invalid STIX 2.1 bundle: {one_line(str(error))}") from error
    if validate:
        options = _validator_options()
        import stix2validator

        try:
            result = stix2validator.validate_parsed_json(decoded, options)
        except stix2validator.ValidationError as exc:  # raised, not reported, for some shapes
            raise InputError(f"invalid STIX 2.1 bundle: {one_line(str(exc))}") from None
        if not result.is_valid:
            first = result.errors[0] if result.errors else "rejected by stix2-validator"
            raise InputError(f"invalid STIX 2.1 bundle: {one_line(str(first))}")
    return decoded, bundle


def parse_bundle(data: str | bytes | Mapping[str, Any] | Any, *, validate: bool = True) -> Any:
    """Parse and validate a STIX 2.1 bundle.

    Parameters
    ----------
    data : str, bytes, Mapping or stix2.v21.Bundle
        JSON text (UTF-8 if bytes), a decoded JSON object or a ``stix2``
        bundle.
    validate : bool, default True
        Also run the OASIS ``stix2-validator`` (JSON schemas and the
        specification's MUST rules; about 5 ms a bundle).  ``stix2`` alone
        misses some MUST rules, such as a malformed ``external_id`` of a
        ``cve`` reference.

    Returns
    -------
    stix2.v21.Bundle
        The parsed bundle, without its custom ``x_`` properties (they are
        kept in :func:`canonical_json`).

    Raises
    ------
    InputError
        With one line naming the first problem: not JSON, not a bundle,
        STIX 2.0, an unknown property that is not a custom ``x_`` one or an
        unknown object type, an invalid pattern or value, or the
        validator's first error.
    """
    return _parse(data, validate)[1]


def validate_object(obj: Mapping[str, Any]) -> None:
    """Check one STIX 2.1 object (not a bundle) with the OASIS ``stix2-validator``.

    Custom ``x_`` properties are allowed (a consumer may ignore them);
    anything else the validator calls an error refuses the object.

    Raises
    ------
    InputError
        With the validator's first error.
    """
    import stix2validator

    options = _validator_options()
    try:
        result = stix2validator.validate_parsed_json(dict(obj), options)
    except stix2validator.ValidationError as exc:
        raise InputError(f"invalid STIX 2.1 object: {one_line(str(exc))}") from None
    if not result.is_valid:
        first = result.errors[0] if result.errors else "rejected by stix2-validator"
        raise InputError(f"invalid STIX 2.1 object: {one_line(str(first))}")


def canonical_json(bundle: str | bytes | Mapping[str, Any] | Any) -> bytes:
    """Canonical UTF-8 JSON of a bundle: the bytes whose keccak-256 is its identity.

    RFC 8785 of the bundle as submitted (see the module docstring).  The
    bundle is parsed and validated first, so invalid content never gets a
    hash.

    Parameters
    ----------
    bundle : str, bytes, Mapping or stix2.v21.Bundle
        The bundle in any form :func:`parse_bundle` accepts.

    Returns
    -------
    bytes
        The canonical JSON.

    Raises
    ------
    InputError
        If the bundle is invalid.
    """
    return jcs_dumps(_parse(bundle, True)[0])


def content_hash(bundle: str | bytes | Mapping[str, Any] | Any) -> bytes:
    """keccak-256 of :func:`canonical_json`, 32 bytes: the ``content_hash`` revealed on chain.

    Raises
    ------
    InputError
        If the bundle is invalid.
    """
    return bytes(keccak(canonical_json(bundle)))


# --------------------------------------------------------------------------
# Reading a parsed bundle
# --------------------------------------------------------------------------


def indicator_of(bundle: Any) -> Any:
    """Return the bundle's single indicator, which must have a STIX pattern.

    An on-chain hash stands for one indicator, so a bundle must carry
    exactly one ``indicator`` object, and its ``pattern_type`` must be
    ``stix`` (the pattern is then syntax-checked by ``stix2``).

    Raises
    ------
    InputError
        If there is no indicator, more than one, or its pattern is not STIX.
    """
    indicators = [o for o in bundle.get("objects", None) or () if o["type"] == "indicator"]
    if len(indicators) != 1:
        raise InputError(
            f"an indicator bundle needs exactly one indicator, found {len(indicators)}"
        )
    indicator = indicators[0]
    if indicator["pattern_type"] != "stix":
        raise InputError(
            f"indicator pattern_type must be 'stix', got {indicator['pattern_type']!r}"
        )
    return indicator


def tactics_of(bundle: Any) -> frozenset[int]:
    """Category codes of the ATT&CK tactics named in the indicator's kill chain phases.

    Phases of other kill chains and unknown phase names are ignored.
    """
    indicator = indicator_of(bundle)
    codes: set[int] = set()
    for phase in indicator.get("kill_chain_phases", None) or ():
        code = tactic_code(phase["phase_name"])
        if phase["kill_chain_name"] == ATTACK_KILL_CHAIN and code is not None:
            codes.add(code)
    return frozenset(codes)


#: ``source_name`` of the indicator's external reference that carries its CVSS vector.
CVSS_SOURCE_NAME: Final = "cvss"


def cvss_vector_of(bundle: Any) -> str | None:
    """Return the CVSS vector claimed by the indicator, if any.

    It is carried as an external reference of the indicator with
    ``source_name = "cvss"`` and the vector as ``external_id`` (STIX 2.1 has
    no CVSS property, and custom properties are refused by the pool).
    """
    indicator = indicator_of(bundle)
    for ref in indicator.get("external_references", None) or ():
        if ref["source_name"] == CVSS_SOURCE_NAME and ref.get("external_id", None):
            return str(ref["external_id"])
    return None


@dataclass(frozen=True)
class IndicatorBundle:
    """A validated indicator bundle with everything the chain and the pool need.

    Attributes
    ----------
    bundle : stix2.v21.Bundle
        The parsed bundle.
    canonical_json : bytes
        Its canonical JSON (see the module docstring).
    content_hash : bytes
        keccak-256 of ``canonical_json``, 32 bytes.
    indicator_id : str
        Id of the bundle's indicator.
    tlp : Tlp or None
        Most restrictive TLP marking, ``None`` if unmarked.
    tactics : frozenset of int
        Category codes named by the indicator's ATT&CK kill chain phases.
    cvss : CvssScore or None
        The claimed CVSS vector and its base score, if the bundle carries one.
    """

    bundle: Any
    canonical_json: bytes
    content_hash: bytes
    indicator_id: str
    tlp: Tlp | None
    tactics: frozenset[int]
    cvss: CvssScore | None

    @property
    def json_text(self) -> str:
        """The canonical JSON as text."""
        return self.canonical_json.decode("utf-8")

    @property
    def hash_hex(self) -> str:
        """``0x``-prefixed lower-case hex of the content hash."""
        return "0x" + self.content_hash.hex()


def load_indicator_bundle(
    data: str | bytes | Mapping[str, Any] | Any, *, validate: bool = True
) -> IndicatorBundle:
    """Parse, validate and describe an indicator bundle in one step.

    Parameters
    ----------
    data : str, bytes, Mapping or stix2.v21.Bundle
        The bundle.
    validate : bool, default True
        Run ``stix2-validator`` too (see :func:`parse_bundle`).  Only skip it
        for a bundle that has just come out of
        :func:`~sharing.standards.stix_build.build_indicator_bundle`, which
        validated it already.

    Returns
    -------
    IndicatorBundle
        The bundle, its canonical JSON and content hash, its TLP, tactics
        and claimed CVSS score.

    Raises
    ------
    InputError
        If the bundle is not valid STIX 2.1, does not hold exactly one
        indicator with a STIX pattern, misuses a TLP 2.0 id, or carries an
        invalid CVSS vector.
    """
    decoded, parsed = _parse(data, validate)
    canonical = jcs_dumps(decoded)
    indicator = indicator_of(parsed)
    vector = cvss_vector_of(parsed)
    return IndicatorBundle(
        bundle=parsed,
        canonical_json=canonical,
        content_hash=bytes(keccak(canonical)),
        indicator_id=str(indicator["id"]),
        tlp=tlp_of(parsed),
        tactics=tactics_of(parsed),
        cvss=parse_cvss(vector) if vector is not None else None,
    )
