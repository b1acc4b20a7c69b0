"""STIX 2.1 indicator bundles: build, validate, canonicalise, hash - every public name in one place.

An indicator's identity on chain is ``keccak256(canonical JSON of its
bundle)`` (docs/rules.md, "What a member commits to").  The work is
done in one module per concept; this module only re-exports their public
names, so ``from sharing.standards.stix import ...`` keeps working:

=================================== ==============================================
:mod:`sharing.standards.stix_build` :class:`IndicatorSpec` and
                                    :func:`build_indicator_bundle`
:mod:`sharing.standards.stix_parse` parsing, validation, the canonical JSON and
                                    content hash, reading a parsed bundle,
                                    :func:`load_indicator_bundle`
:mod:`sharing.standards.jcs`        RFC 8785 canonical JSON of any JSON value
:mod:`sharing.standards.tlp`        TLP 2.0 markings (:class:`Tlp`, :func:`tlp_of`)
:mod:`sharing.standards.categories` the on-chain code tables: ATT&CK tactic
                                    (category), class, scope
=================================== ==============================================
"""

from __future__ import annotations

from sharing.standards.categories import (
    ATTACK_KILL_CHAIN,
    CATEGORIES,
    NUM_CATEGORIES,
    Category,
    IndicatorClass,
    Scope,
    category_code,
    category_name,
    class_code,
    scope_code,
)
from sharing.standards.jcs import jcs_dumps
from sharing.standards.stix_build import (
    AttackPatternSpec,
    IndicatorSpec,
    MalwareSpec,
    RandomState,
    VulnerabilitySpec,
    build_indicator_bundle,
    stix_id,
)
from sharing.standards.stix_parse import (
    CVSS_SOURCE_NAME,
    IndicatorBundle,
    canonical_json,
    content_hash,
    cvss_vector_of,
    indicator_of,
    load_indicator_bundle,
    parse_bundle,
    tactics_of,
)
from sharing.standards.tlp import TLP2_CREATED, TLP2_EXTENSION_ID, Tlp, tlp_of

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
    "IndicatorSpec",
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
