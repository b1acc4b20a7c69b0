r"""STIX 2.1 indicator bundles: build, validate, canonicalise, hash.

An indicator's identity on chain is ``keccak256(canonical JSON of its
bundle)`` (SPEC section 2, step 1).  Everything here exists to make that
hash well defined: two parties holding the same bundle must compute the
same 32 bytes, whatever whitespace, key order or optional defaults their
tools produced.

Canonical form
--------------
:func:`canonical_json` is defined as:

1. parse the bundle with ``stix2`` (STIX 2.1, no custom content) and check it
   with the OASIS ``stix2-validator`` (errors refuse the bundle; "SHOULD"
   warnings do not);
2. take the JSON object that ``stix2`` serialises for the *parsed* object:
   this normalises the representation (for example ``pattern_version``
   defaults to ``"2.1"``, properties equal to their default such as
   ``"revoked": false`` are dropped, timestamps are printed the way
   ``stix2`` prints them);
3. serialise that object with the JSON Canonicalization Scheme, RFC 8785:
   object members sorted by the UTF-16 code units of their names, no
   insignificant white space, strings escaped as ECMAScript's
   ``JSON.stringify`` does (only ``"``, ``\`` and control characters,
   everything else as raw UTF-8), floating-point numbers in ECMAScript's
   shortest round-trip form, all encoded as UTF-8.  The one deliberate
   departure: integers are written exactly, where RFC 8785 would first
   round them to an IEEE double (they differ only beyond 2**53, which no
   STIX integer property reaches).

Step 2 makes the hash identify a *document*, not a meaning: two bundles
that differ in an id or a timestamp are different indicators.  The
canonical bytes are also what the off-chain pool stores and serves, so a
reader can re-hash what it receives and compare with the chain.

Tables shared with the contracts
--------------------------------
``category`` (a ``uint8`` on chain) is the MITRE ATT&CK Enterprise tactic
the indicator detects; the 14 tactics are numbered in the order of the
ATT&CK matrix (see :data:`CATEGORIES`).  Tactics rather than the seven
values of STIX's ``indicator-type-ov`` because the reward's dynamic
``price_index[category]`` needs categories that differ in scarcity, and
almost every shared indicator would be ``malicious-activity``.  The tactic is
carried in the bundle itself, as the indicator's ``kill_chain_phases``
entry with ``kill_chain_name = "mitre-attack"``, so a panellist can check a
revealed category against the content (:func:`tactics_of`).

``class`` is :class:`IndicatorClass` (``ROOT = 0`` root vulnerability,
``SPECIFIC = 1``), after Simmons B.1-B.2; ``scope`` is :class:`Scope`
(single organisation, sector, cross-sector).

TLP 2.0 markings
----------------
``stix2`` 3.0.2 ships only the four TLP 1.0 marking definitions that STIX
2.1 predefines (section 7.2.1.4).  The TLP 2.0 ones are published by the
OASIS CTI TC as a STIX 2.1 property extension,
``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d``
(``oasis-open/cti-stix-common-objects``,
``extension-definition-specifications/tlp-2.0``): fixed ids, ``created``
``2022-10-01T00:00:00.000Z``, a ``name`` such as ``"TLP:AMBER+STRICT"``
and the extension property ``tlp_2_0``.  :meth:`Tlp.marking_definition`
builds exactly those objects as ``stix2`` ``MarkingDefinition`` instances
(``stix2`` accepts ``extension-definition--`` extensions without
``allow_custom``).  Consumers recognise them by id, so the ids below are
copied from that publication and pinned by the tests.  The TLP 1.0
predefined markings are still *read* (``white`` -> CLEAR, ``green`` ->
GREEN, ``amber`` -> AMBER+STRICT, the TLP 2.0 name of TLP 1.0 AMBER's
meaning, ``red`` -> RED) so that older feeds keep their restriction.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from functools import cache, lru_cache
from typing import Any, Final

import numpy as np
import stix2
from eth_utils import keccak
from stix2.exceptions import STIXError

from sharing.errors import InputError
from sharing.standards.cvss import CvssScore, parse_cvss

__all__ = [
    "ATTACK_KILL_CHAIN",
    "CATEGORIES",
    "CVSS_SOURCE_NAME",
    "NUM_CATEGORIES",
    "TLP2_CREATED",
    "TLP2_EXTENSION_ID",
    "AttackPatternSpec",
    "Category",
    "IndicatorBundle",
    "IndicatorClass",
    "MalwareSpec",
    "RandomState",
    "Scope",
    "Tlp",
    "VulnerabilitySpec",
    "build_indicator_bundle",
    "canonical_json",
    "category_code",
    "category_name",
    "class_code",
    "content_hash",
    "cvss_vector_of",
    "indicator_of",
    "jcs_dumps",
    "load_indicator_bundle",
    "parse_bundle",
    "scope_code",
    "stix_id",
    "tactics_of",
    "tlp_of",
]

#: Anything accepted as a source of randomness: a seed, a numpy Generator,
#: or ``None`` for fresh OS entropy (QuantEcon / Nashpy convention).
RandomState = int | np.random.Generator | None

# --------------------------------------------------------------------------
# TLP 2.0
# --------------------------------------------------------------------------

#: Id of the OASIS TLP 2.0 marking extension definition.
TLP2_EXTENSION_ID: Final = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#: ``created`` timestamp of every published TLP 2.0 marking definition.
TLP2_CREATED: Final = "2022-10-01T00:00:00.000Z"

_TLP2_IDS: Final = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

# STIX 2.1 predefined TLP 1.0 markings (stix2.v21.TLP_WHITE etc.), read-only support.
_TLP1_IDS: Final = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber+strict",  # TLP:AMBER
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}

_TLP_RANK: Final = {"clear": 0, "green": 1, "amber": 2, "amber+strict": 3, "red": 4}


class Tlp(StrEnum):
    """A TLP 2.0 level (FIRST Traffic Light Protocol 2.0, August 2022).

    The value is the extension's ``tlp_2_0`` string, e.g. ``"amber+strict"``.
    Members compare by restrictiveness through :attr:`rank`.
    """

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def label(self) -> str:
        """The marking's published name, e.g. ``"TLP:AMBER+STRICT"``."""
        return "TLP:" + self.value.upper()

    @property
    def marking_id(self) -> str:
        """Id of the published TLP 2.0 marking definition for this level."""
        return _TLP2_IDS[self.value]

    @property
    def rank(self) -> int:
        """Restrictiveness, ``0`` (CLEAR) to ``4`` (RED)."""
        return _TLP_RANK[self.value]

    def marking_dict(self) -> dict[str, Any]:
        """Return the published marking-definition object as a JSON-ready dict."""
        return {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": self.marking_id,
            "created": TLP2_CREATED,
            "name": self.label,
            "extensions": {
                TLP2_EXTENSION_ID: {
                    "extension_type": "property-extension",
                    "tlp_2_0": self.value,
                }
            },
        }

    def marking_definition(self) -> Any:
        """Return the published marking definition as a ``stix2`` ``MarkingDefinition``."""
        return _marking_definition(self.value)

    @classmethod
    def parse(cls, value: str | Tlp) -> Tlp:
        """Read a TLP level leniently.

        ``"amber+strict"``, ``"TLP:AMBER+STRICT"`` and ``"amber_strict"`` all
        name the same level; a :class:`Tlp` is returned unchanged.

        Raises
        ------
        InputError
            If the text names no TLP 2.0 level.
        """
        if isinstance(value, Tlp):
            return value
        if not isinstance(value, str):
            raise InputError(f"unknown TLP level {value!r}")
        text = value.strip().lower()
        text = text.removeprefix("tlp:").removeprefix("tlp_").removeprefix("tlp-")
        text = text.replace("_", "+").replace(" ", "+").replace("-", "+")
        try:
            return cls(text)
        except ValueError:
            raise InputError(
                f"unknown TLP level {value!r} (expected clear, green, amber, amber+strict or red)"
            ) from None


@cache
def _marking_definition(level: str) -> Any:
    return stix2.v21.MarkingDefinition(**Tlp(level).marking_dict())


_TLP2_LEVEL_BY_ID: Final = {v: Tlp(k) for k, v in _TLP2_IDS.items()}
_TLP_BY_ID: Final = _TLP2_LEVEL_BY_ID | {k: Tlp(v) for k, v in _TLP1_IDS.items()}

# --------------------------------------------------------------------------
# On-chain code tables
# --------------------------------------------------------------------------

#: ``kill_chain_name`` of MITRE ATT&CK phases in STIX.
ATTACK_KILL_CHAIN: Final = "mitre-attack"


@dataclass(frozen=True, slots=True)
class Category:
    """One row of the category table: an ATT&CK Enterprise tactic.

    Attributes
    ----------
    code : int
        The ``uint8`` used on chain.
    name : str
        ATT&CK tactic short name, also the STIX ``phase_name``.
    tactic_id : str
        ATT&CK tactic id, e.g. ``"TA0001"``.
    title : str
        Human-readable name.
    """

    code: int
    name: str
    tactic_id: str
    title: str


#: The category table: the 14 MITRE ATT&CK Enterprise tactics, numbered in
#: the order of the ATT&CK matrix.  Append-only: codes are stored on chain.
CATEGORIES: Final[tuple[Category, ...]] = tuple(
    Category(code, name, tactic_id, title)
    for code, (name, tactic_id, title) in enumerate(
        (
            ("reconnaissance", "TA0043", "Reconnaissance"),
            ("resource-development", "TA0042", "Resource Development"),
            ("initial-access", "TA0001", "Initial Access"),
            ("execution", "TA0002", "Execution"),
            ("persistence", "TA0003", "Persistence"),
            ("privilege-escalation", "TA0004", "Privilege Escalation"),
            ("defense-evasion", "TA0005", "Defense Evasion"),
            ("credential-access", "TA0006", "Credential Access"),
            ("discovery", "TA0007", "Discovery"),
            ("lateral-movement", "TA0008", "Lateral Movement"),
            ("collection", "TA0009", "Collection"),
            ("command-and-control", "TA0011", "Command and Control"),
            ("exfiltration", "TA0010", "Exfiltration"),
            ("impact", "TA0040", "Impact"),
        )
    )
)

#: Number of categories; valid codes are ``0 .. NUM_CATEGORIES - 1``.
NUM_CATEGORIES: Final = len(CATEGORIES)

_CATEGORY_LOOKUP: Final = {c.name: c.code for c in CATEGORIES} | {
    c.tactic_id.lower(): c.code for c in CATEGORIES
}


def category_code(name: str | int) -> int:
    """On-chain code of a category.

    Parameters
    ----------
    name : str or int
        An ATT&CK tactic short name (``"command-and-control"``; case, spaces
        and underscores are forgiven), a tactic id (``"TA0011"``), or a code
        (returned after a range check).

    Returns
    -------
    int
        The code, ``0 .. NUM_CATEGORIES - 1``.

    Raises
    ------
    InputError
        If the name or code is not in the table.

    Examples
    --------
    >>> category_code("Command and Control")
    11
    """
    if isinstance(name, bool):
        raise InputError(f"unknown category {name!r}")
    if isinstance(name, int):
        if 0 <= name < NUM_CATEGORIES:
            return name
        raise InputError(f"category code must be in 0..{NUM_CATEGORIES - 1}, got {name}")
    if not isinstance(name, str):
        raise InputError(f"unknown category {name!r}")
    key = re.sub(r"[\s_]+", "-", name.strip().lower())
    try:
        return _CATEGORY_LOOKUP[key]
    except KeyError:
        names = ", ".join(c.name for c in CATEGORIES)
        raise InputError(
            f"unknown category {name!r} (expected an ATT&CK tactic: {names})"
        ) from None


def category_name(code: int) -> str:
    """ATT&CK tactic short name of an on-chain category code.

    Raises
    ------
    InputError
        If ``code`` is outside the table.
    """
    return CATEGORIES[category_code(code)].name


class IndicatorClass(IntEnum):
    """Claim of class revealed on chain (Simmons B.1-B.2).

    ``ROOT`` is a root vulnerability (the underlying flaw, useful to every
    firm that runs the component); ``SPECIFIC`` is an indicator of one
    attack or campaign.
    """

    ROOT = 0
    SPECIFIC = 1


class Scope(IntEnum):
    """How widely an indicator applies, as voted by the panel (SPEC section 2, step 4)."""

    SINGLE_ORGANISATION = 0
    SECTOR = 1
    CROSS_SECTOR = 2


def _enum_code(enum: type[IntEnum], what: str, value: str | int) -> int:
    if isinstance(value, bool):
        raise InputError(f"unknown {what} {value!r}")
    if isinstance(value, int):
        try:
            return int(enum(value))
        except ValueError:
            raise InputError(f"unknown {what} code {value}") from None
    if isinstance(value, str):
        key = re.sub(r"[\s\-]+", "_", value.strip().upper())
        if key in enum.__members__:
            return int(enum.__members__[key])
    names = ", ".join(m.lower() for m in enum.__members__)
    raise InputError(f"unknown {what} {value!r} (expected one of: {names})")


def class_code(name: str | int) -> int:
    """On-chain code of an indicator class: ``"root"`` -> 0, ``"specific"`` -> 1.

    Raises
    ------
    InputError
        If the name or code is unknown.
    """
    return _enum_code(IndicatorClass, "indicator class", name)


def scope_code(name: str | int) -> int:
    """On-chain code of a scope: single-organisation (or single) 0, sector 1, cross-sector 2.

    Raises
    ------
    InputError
        If the name or code is unknown.
    """
    if isinstance(name, str) and name.strip().lower() == "single":
        name = "single-organisation"  # the short name used in tables and quotes
    return _enum_code(Scope, "scope", name)


# --------------------------------------------------------------------------
# Canonical JSON (RFC 8785)
# --------------------------------------------------------------------------


def _es6_number(value: float) -> str:
    """Format a finite float as ECMAScript ``Number.prototype.toString`` does (RFC 8785 3.2.2.3)."""
    if not math.isfinite(value):
        raise InputError(f"canonical JSON cannot represent {value!r}")
    if value == 0:
        return "0"  # also for -0.0
    sign = "-" if value < 0 else ""
    # repr gives the shortest decimal that round-trips, like ECMAScript.
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0")
    # Value = 0.<int_part><frac_part> * 10**point, with leading zeros stripped.
    point = len(int_part) + (int(exp_text) if exp_text else 0)
    point -= len(int_part + frac_part) - len((int_part + frac_part).lstrip("0"))
    digits = digits.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        exponent = n - 1
        exp_sign = "+" if exponent >= 0 else "-"
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{head}e{exp_sign}{abs(exponent)}"
    return sign + text


def _jcs_parts(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_es6_number(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Mapping):
        out.append("{")
        keys = sorted(value, key=lambda k: str(k).encode("utf-16-be", "surrogatepass"))
        for i, key in enumerate(keys):
            if not isinstance(key, str):
                raise InputError(f"canonical JSON needs string keys, got {key!r}")
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _jcs_parts(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _jcs_parts(item, out)
        out.append("]")
    else:
        raise InputError(f"canonical JSON cannot represent a {type(value).__name__}")


def jcs_dumps(value: Any) -> bytes:
    """Serialise a JSON value with the JSON Canonicalization Scheme (RFC 8785), UTF-8.

    Parameters
    ----------
    value : Any
        ``dict`` (string keys), ``list``/``tuple``, ``str``, ``int``,
        ``float`` (finite), ``bool`` or ``None``, nested.

    Returns
    -------
    bytes
        The canonical UTF-8 bytes.

    Raises
    ------
    InputError
        For a non-finite float, a non-string key, a lone surrogate or a
        non-JSON type.

    Examples
    --------
    >>> jcs_dumps({"b": [1, 2.5, 1e21], "a": "é"}).decode()
    '{"a":"é","b":[1,2.5,1e+21]}'
    """
    parts: list[str] = []
    _jcs_parts(value, parts)
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as error:
        raise InputError("canonical JSON cannot encode a lone surrogate") from error


# --------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _validator_options() -> Any:
    # Built once: the constructor sets module-level output state in stix2validator.
    # Imported here, not at module level: it costs ~4 s (jsonschema's format
    # checkers), which every command that only needs the category table or a
    # hash would otherwise pay.
    import stix2validator

    return stix2validator.ValidationOptions(version="2.1", silent=True)


def _one_line(text: str) -> str:
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
        The parsed bundle.

    Raises
    ------
    InputError
        With one line naming the first problem: not JSON, not a bundle, a
        custom or unknown property or object (custom content is refused: the
        pool is a shared standard), an invalid pattern or value, or the
        validator's first error.
    """
    decoded = _as_dict(data)
    try:
        bundle = stix2.parse(decoded, allow_custom=False, version="2.1")
    except STIXError as error:
        raise InputError(f"invalid STIX 2.1 bundle: {_one_line(str(error))}") from error
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise InputError(f"invalid STIX 2.1 bundle: {_one_line(str(error))}") from error
    if validate:
        options = _validator_options()
        import stix2validator

        try:
            result = stix2validator.validate_parsed_json(decoded, options)
        except stix2validator.ValidationError as exc:  # raised, not reported, for some shapes
            raise InputError(f"invalid STIX 2.1 bundle: {_one_line(str(exc))}") from None
        if not result.is_valid:
            first = result.errors[0] if result.errors else "rejected by stix2-validator"
            raise InputError(f"invalid STIX 2.1 bundle: {_one_line(str(first))}")
    return bundle


def canonical_json(bundle: str | bytes | Mapping[str, Any] | Any) -> bytes:
    """Canonical UTF-8 JSON of a bundle: the bytes whose keccak-256 is its identity.

    See the module docstring for the exact definition (stix2 normal form,
    then RFC 8785).  The bundle is parsed and validated first, so invalid
    content never gets a hash.

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
    parsed = parse_bundle(bundle)
    return jcs_dumps(json.loads(parsed.serialize()))


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


def _objects(bundle: Any) -> list[Any]:
    return list(bundle.get("objects", None) or [])


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
    indicators = [o for o in _objects(bundle) if o["type"] == "indicator"]
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


def _marking_refs(obj: Any) -> Iterable[str]:
    yield from obj.get("object_marking_refs", None) or ()
    for granular in obj.get("granular_markings", None) or ():
        ref = granular.get("marking_ref", None)
        if ref:
            yield ref


def tlp_of(bundle: Any) -> Tlp | None:
    """Return the most restrictive TLP marking applied to any object of the bundle.

    Object-level and granular marking references both count: a bundle is as
    restricted as its most restricted part.  TLP 1.0 predefined markings are
    mapped to their TLP 2.0 equivalent (see the module docstring).

    Returns
    -------
    Tlp or None
        ``None`` if no object carries a TLP marking.

    Raises
    ------
    InputError
        If the bundle carries a marking-definition object under a published
        TLP 2.0 id whose content differs from the published object (a
        relabelled RED would otherwise pass as CLEAR to any reader that
        trusts the id).
    """
    for obj in _objects(bundle):
        # TLP 1.0 definitions are predefined by STIX 2.1 and checked by stix2
        # itself; the TLP 2.0 ones are only an extension, so check them here.
        if obj["type"] == "marking-definition" and obj["id"] in _TLP2_LEVEL_BY_ID:
            tlp = _TLP2_LEVEL_BY_ID[obj["id"]]
            if json.loads(obj.serialize()) != tlp.marking_dict():
                raise InputError(
                    f"marking-definition {obj['id']} does not match the published "
                    f"{tlp.label} object"
                )
    levels = [
        _TLP_BY_ID[ref]
        for obj in _objects(bundle)
        for ref in _marking_refs(obj)
        if ref in _TLP_BY_ID
    ]
    return max(levels, key=lambda t: t.rank) if levels else None


def tactics_of(bundle: Any) -> frozenset[int]:
    """Category codes of the ATT&CK tactics named in the indicator's kill chain phases.

    Phases of other kill chains and unknown phase names are ignored.
    """
    indicator = indicator_of(bundle)
    codes: set[int] = set()
    for phase in indicator.get("kill_chain_phases", None) or ():
        name = phase["phase_name"]
        if phase["kill_chain_name"] == ATTACK_KILL_CHAIN and name in _CATEGORY_LOOKUP:
            codes.add(_CATEGORY_LOOKUP[name])
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
        for a bundle that has just come out of :func:`build_indicator_bundle`,
        which validated it already.

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
    parsed = parse_bundle(data, validate=validate)
    canonical = jcs_dumps(json.loads(parsed.serialize()))
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


# --------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------

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


def stix_id(object_type: str, rng: np.random.Generator | None = None) -> str:
    """Make a STIX identifier ``<type>--<uuid4>``.

    With ``rng`` the UUID's 122 random bits come from the generator (version
    and variant bits set as RFC 4122 version 4 requires), so seeded runs
    produce the same ids; without it, from :func:`uuid.uuid4`.
    """
    if rng is None:
        return f"{object_type}--{uuid.uuid4()}"
    return f"{object_type}--{uuid.UUID(bytes=rng.bytes(16), version=4)}"


def _timestamp(value: datetime | None) -> datetime:
    moment = datetime.now(UTC) if value is None else value
    if moment.tzinfo is None:
        raise InputError("timestamps must be timezone-aware (UTC)")
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def build_indicator_bundle(
    pattern: str,
    *,
    name: str,
    category: int | str,
    tlp: Tlp | str = Tlp.GREEN,
    description: str | None = None,
    indicator_types: Sequence[str] = ("malicious-activity",),
    cvss_vector: str | None = None,
    vulnerability: VulnerabilitySpec | None = None,
    attack_pattern: AttackPatternSpec | None = None,
    malware: MalwareSpec | None = None,
    created: datetime | None = None,
    valid_from: datetime | None = None,
    confidence: int | None = None,
    random_state: RandomState = None,
) -> Any:
    """Build a validated STIX 2.1 indicator bundle.

    The bundle holds the TLP 2.0 marking definition, one ``indicator``, the
    optional ``vulnerability`` / ``attack-pattern`` / ``malware`` SDOs, and
    the relationships STIX 2.1 suggests between them (indicator *indicates*
    attack-pattern and malware; attack-pattern *targets* and malware
    *exploits* the vulnerability).  Every object carries the TLP marking.

    Parameters
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
        external reference of the indicator (see :func:`cvss_vector_of`).
    vulnerability, attack_pattern, malware : spec, optional
        Related SDOs to include.
    created : datetime, optional
        Timezone-aware creation time of every object (truncated to
        milliseconds); now by default.
    valid_from : datetime, optional
        Start of the indicator's validity; ``created`` by default.
    confidence : int, optional
        STIX confidence, 0-100.
    random_state : int, numpy Generator or None
        Source of the object ids.  Give a seed or generator (and a
        ``created``) for a reproducible bundle and hash.

    Returns
    -------
    stix2.v21.Bundle
        The bundle, already validated as :func:`parse_bundle` would.

    Raises
    ------
    InputError
        For an invalid pattern, category, TLP, CVSS vector, CVE id,
        technique id or any value ``stix2`` refuses.
    """
    rng = None if random_state is None else np.random.default_rng(random_state)
    level = Tlp.parse(tlp)
    tactic = CATEGORIES[category_code(category)]
    when = _timestamp(created)
    valid = _timestamp(valid_from) if valid_from is not None else when
    marking = level.marking_definition()
    common: dict[str, Any] = {
        "created": when,
        "modified": when,
        "object_marking_refs": [marking.id],
    }
    external: list[dict[str, str]] = []
    if cvss_vector is not None:
        score = parse_cvss(cvss_vector)
        external.append(
            {
                "source_name": CVSS_SOURCE_NAME,
                "external_id": score.vector,
                "url": f"https://www.first.org/cvss/calculator/{score.version}#{score.vector}",
            }
        )
    try:
        indicator_kwargs: dict[str, Any] = {
            "id": stix_id("indicator", rng),
            "name": name,
            "pattern": pattern,
            "pattern_type": "stix",
            "valid_from": valid,
            "indicator_types": (
                [indicator_types] if isinstance(indicator_types, str) else list(indicator_types)
            ),
            "kill_chain_phases": [
                {"kill_chain_name": ATTACK_KILL_CHAIN, "phase_name": tactic.name}
            ],
            **common,
        }
        if description is not None:
            indicator_kwargs["description"] = description
        if external:
            indicator_kwargs["external_references"] = external
        if confidence is not None:
            indicator_kwargs["confidence"] = confidence
        indicator = stix2.v21.Indicator(**indicator_kwargs)
        objects: list[Any] = [marking, indicator]

        vuln_obj = None
        if vulnerability is not None:
            if not _CVE_RE.match(vulnerability.cve_id):
                raise InputError(
                    f"invalid CVE id {vulnerability.cve_id!r} (expected CVE-YYYY-NNNN)"
                )
            vuln_kwargs: dict[str, Any] = {
                "id": stix_id("vulnerability", rng),
                "name": vulnerability.name or vulnerability.cve_id,
                "external_references": [
                    {
                        "source_name": "cve",
                        "external_id": vulnerability.cve_id,
                        "url": f"https://www.cve.org/CVERecord?id={vulnerability.cve_id}",
                    }
                ],
                **common,
            }
            if vulnerability.description is not None:
                vuln_kwargs["description"] = vulnerability.description
            vuln_obj = stix2.v21.Vulnerability(**vuln_kwargs)
            objects.append(vuln_obj)

        related: list[tuple[Any, str, Any]] = []
        if attack_pattern is not None:
            ap_kwargs: dict[str, Any] = {
                "id": stix_id("attack-pattern", rng),
                "name": attack_pattern.name,
                "kill_chain_phases": [
                    {"kill_chain_name": ATTACK_KILL_CHAIN, "phase_name": tactic.name}
                ],
                **common,
            }
            if attack_pattern.technique_id is not None:
                tid = attack_pattern.technique_id
                if not _TECHNIQUE_RE.match(tid):
                    raise InputError(
                        f"invalid ATT&CK technique id {tid!r} (expected T1234 or T1234.001)"
                    )
                ap_kwargs["external_references"] = [
                    {
                        "source_name": ATTACK_KILL_CHAIN,
                        "external_id": tid,
                        "url": "https://attack.mitre.org/techniques/" + tid.replace(".", "/"),
                    }
                ]
            if attack_pattern.description is not None:
                ap_kwargs["description"] = attack_pattern.description
            ap_obj = stix2.v21.AttackPattern(**ap_kwargs)
            objects.append(ap_obj)
            related.append((indicator, "indicates", ap_obj))
            if vuln_obj is not None:
                related.append((ap_obj, "targets", vuln_obj))
        if malware is not None:
            mw_kwargs: dict[str, Any] = {
                "id": stix_id("malware", rng),
                "name": malware.name,
                "is_family": malware.is_family,
                **common,
            }
            if malware.malware_types:
                mw_kwargs["malware_types"] = list(malware.malware_types)
            if malware.description is not None:
                mw_kwargs["description"] = malware.description
            mw_obj = stix2.v21.Malware(**mw_kwargs)
            objects.append(mw_obj)
            related.append((indicator, "indicates", mw_obj))
            if vuln_obj is not None:
                related.append((mw_obj, "exploits", vuln_obj))
        for source, rel_type, target in related:
            objects.append(
                stix2.v21.Relationship(
                    id=stix_id("relationship", rng),
                    relationship_type=rel_type,
                    source_ref=source.id,
                    target_ref=target.id,
                    **common,
                )
            )
        bundle = stix2.v21.Bundle(objects=objects, id=stix_id("bundle", rng))
    except STIXError as error:
        raise InputError(f"invalid STIX 2.1 content: {_one_line(str(error))}") from error
    except (ValueError, TypeError) as error:
        if isinstance(error, InputError):
            raise
        raise InputError(f"invalid STIX 2.1 content: {_one_line(str(error))}") from error
    # Round-trip through the validator: what we build must be what we accept.
    return parse_bundle(bundle.serialize())
