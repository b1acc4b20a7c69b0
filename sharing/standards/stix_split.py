"""Split a multi-indicator STIX 2.1 bundle into one indicator bundle per indicator.

Real content arrives as reports: the OASIS examples (apt1: 12 indicators,
poisonivy, malicious-email), a vendor's feed, an ATT&CK export.  The chain
holds one content hash per indicator (one reward, one vote, one observable),
so :func:`split_bundle` makes one *part* per ``indicator`` object, holding

* the indicator;
* every ``relationship`` whose ``source_ref`` or ``target_ref`` is the
  indicator, and the objects at their other end (the malware it indicates,
  the intrusion set, an ATT&CK ``attack-pattern``), when the bundle has them;
* every ``sighting`` of the indicator;
* then, repeatedly, what those objects point at for provenance and
  handling: the ``identity`` of each ``created_by_ref`` and the
  ``marking-definition`` of each ``object_marking_refs`` / granular
  marking, when the bundle has them.

Objects keep their order in the source bundle and their bytes exactly
(custom ``x_`` properties included: :mod:`sharing.standards.stix_parse`).
Objects of custom *types* (``x-mitre-tactic``, ``x-opencti-...``) never
enter a part, nor the relationships that lead to them: the pool takes STIX
2.1 objects only.  Objects that belong to no part (a ``report`` that lists
everything, those custom objects) are reported, not submitted.

A part's bundle id is derived, so anyone splitting the same source gets
the same parts and the same content hashes (docs/stix_ids.md):
``bundle--`` + UUIDv5(:data:`PART_NAMESPACE`, ``<source bundle id> <indicator id>``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sharing.errors import InputError
from sharing.standards.categories import ATTACK_KILL_CHAIN, tactic_code
from sharing.standards.stix_parse import decode_bundle

__all__ = ["PART_NAMESPACE", "BundlePart", "SplitBundle", "attack_tactics", "split_bundle"]

#: Namespace of the UUIDv5 part ids (a fixed random UUID; never change it).
PART_NAMESPACE: Final = uuid.UUID("7b3b6d4e-2f43-4a59-9a0e-5d0f5b3c8a11")


@dataclass(frozen=True)
class BundlePart:
    """One indicator with its related objects, as a bundle to submit."""

    indicator_id: str
    bundle: dict[str, Any]

    @property
    def object_ids(self) -> list[str]:
        """Ids of the part's objects, in order."""
        return [str(o["id"]) for o in self.bundle["objects"]]


@dataclass(frozen=True)
class SplitBundle:
    """The parts of a source bundle and what was left out of every part."""

    source_id: str
    parts: list[BundlePart]
    left_out: list[str]


def _refs(obj: Mapping[str, Any]) -> Iterable[str]:
    """The provenance and marking references of an object."""
    ref = obj.get("created_by_ref")
    if isinstance(ref, str):
        yield ref
    for marking in obj.get("object_marking_refs") or ():
        if isinstance(marking, str):
            yield marking
    for granular in obj.get("granular_markings") or ():
        if isinstance(granular, Mapping) and isinstance(granular.get("marking_ref"), str):
            yield granular["marking_ref"]


def _custom_type(ident: object) -> bool:
    """Whether an id names an object of a custom type (``x-...--``), e.g. ``x-mitre-tactic``."""
    return isinstance(ident, str) and ident.startswith("x-")


def _part_ids(indicator_id: str, objects: list[dict[str, Any]], by_id: dict[str, Any]) -> set[str]:
    wanted = {indicator_id}
    for obj in objects:
        kind = obj.get("type")
        ends = (obj.get("source_ref"), obj.get("target_ref"))
        if kind == "relationship" and indicator_id in ends:
            other = ends[1] if ends[0] == indicator_id else ends[0]
            if _custom_type(other):
                continue  # the pool takes STIX 2.1 objects only: left out, with its link
            wanted.add(str(obj["id"]))
            if other in by_id:
                wanted.add(str(other))
        elif kind == "sighting" and obj.get("sighting_of_ref") == indicator_id:
            wanted.add(str(obj["id"]))
    frontier = list(wanted)
    while frontier:
        found = by_id.get(frontier.pop())
        if found is None:
            continue
        for ref in _refs(found):
            if ref in by_id and ref not in wanted and not _custom_type(ref):
                wanted.add(ref)
                frontier.append(ref)
    return wanted


def split_bundle(data: str | bytes | Mapping[str, Any]) -> SplitBundle:
    """One part per indicator of a STIX 2.1 bundle (see the module docstring).

    Each part still has to pass
    :func:`~sharing.standards.stix_parse.load_indicator_bundle` (validation,
    TLP) and the pool's admission rule before it is submitted.

    Raises
    ------
    InputError
        Not JSON, not a bundle, STIX 2.0, duplicate object ids, or no
        indicator at all.
    """
    decoded = decode_bundle(data)
    objects = decoded.get("objects")
    if not isinstance(objects, list) or not all(
        isinstance(o, dict) and isinstance(o.get("id"), str) for o in objects
    ):
        raise InputError("the bundle's objects must be STIX objects with an id")
    by_id: dict[str, dict[str, Any]] = {}
    for obj in objects:
        ident = obj["id"]
        if ident in by_id and by_id[ident] != obj:
            raise InputError(f"the bundle holds two different objects with id {ident}")
        by_id[ident] = obj
    indicators = [o["id"] for o in objects if o.get("type") == "indicator"]
    if not indicators:
        raise InputError("the bundle holds no indicator: nothing to submit")
    source_id = str(decoded.get("id", ""))
    parts: list[BundlePart] = []
    used: set[str] = set()
    for indicator_id in dict.fromkeys(indicators):
        wanted = _part_ids(indicator_id, objects, by_id)
        used |= wanted
        seen: set[str] = set()
        kept = []
        for obj in objects:
            if obj["id"] in wanted and obj["id"] not in seen:
                seen.add(obj["id"])
                kept.append(obj)
        part_id = uuid.uuid5(PART_NAMESPACE, f"{source_id} {indicator_id}")
        parts.append(
            BundlePart(
                indicator_id=indicator_id,
                bundle={"type": "bundle", "id": f"bundle--{part_id}", "objects": kept},
            )
        )
    left_out = [str(o["id"]) for o in objects if o["id"] not in used]
    return SplitBundle(source_id=source_id, parts=parts, left_out=left_out)


def attack_tactics(bundle: Any) -> frozenset[int]:
    """ATT&CK tactic codes named by the indicator *and* the attack patterns of a bundle.

    A split part carries the ``attack-pattern`` its indicator is related
    to (ATT&CK's own object, with its ``mitre-attack`` kill chain phases),
    so a panellist can check a category against either.
    """
    codes: set[int] = set()
    for obj in bundle.get("objects", None) or ():
        if obj["type"] not in ("indicator", "attack-pattern"):
            continue
        for phase in obj.get("kill_chain_phases", None) or ():
            code = tactic_code(phase["phase_name"])
            if phase["kill_chain_name"] == ATTACK_KILL_CHAIN and code is not None:
                codes.add(code)
    return frozenset(codes)
