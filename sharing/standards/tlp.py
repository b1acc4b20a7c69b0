"""TLP 2.0 markings of STIX 2.1 bundles: the published objects, and reading a bundle's level.

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
meaning, ``red`` -> RED) so that older feeds keep their restriction
(:func:`tlp_of`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from typing import Any, Final

import stix2

from sharing.errors import InputError

__all__ = ["TLP2_CREATED", "TLP2_EXTENSION_ID", "Tlp", "tlp_of", "tlp_of_object"]

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

#: Properties a published TLP 2.0 marking definition may carry beyond its defining ones
#: (the OASIS schema allows them on any marking definition; some publishers add the
#: issuer and a link to the FIRST definition): they change nothing about the level.
_OPTIONAL_MARKING_PROPERTIES: Final = frozenset(
    {"created_by_ref", "external_references", "object_marking_refs", "granular_markings"}
)

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
# Reading a parsed bundle
# --------------------------------------------------------------------------


def _objects(bundle: Any) -> list[Any]:
    return list(bundle.get("objects", None) or [])


def _marking_refs(obj: Any) -> Iterable[str]:
    yield from obj.get("object_marking_refs", None) or ()
    for granular in obj.get("granular_markings", None) or ():
        ref = granular.get("marking_ref", None)
        if ref:
            yield ref


def tlp_of_object(obj: Any) -> Tlp | None:
    """The most restrictive TLP marking one object references (object-level or granular).

    For a lone object (a sighting posted to the server) there are no
    marking-definition objects to check: the published ids are trusted.
    """
    levels = [_TLP_BY_ID[ref] for ref in _marking_refs(obj) if ref in _TLP_BY_ID]
    return max(levels, key=lambda t: t.rank) if levels else None


def tlp_of(bundle: Any) -> Tlp | None:
    """Return the most restrictive TLP marking applied to any object of the bundle.

    Object-level and granular marking references both count: a bundle is as
    restricted as its most restricted part.  TLP 1.0 predefined markings are
    mapped to their TLP 2.0 equivalent (see the module docstring).

    Parameters
    ----------
    bundle : stix2.v21.Bundle
        A parsed bundle (:func:`sharing.standards.stix_parse.parse_bundle`).

    Returns
    -------
    Tlp or None
        ``None`` if no object carries a TLP marking.

    Raises
    ------
    InputError
        If the bundle carries a marking-definition object under a published
        TLP 2.0 id whose defining properties (type, id, created, name, the
        ``tlp_2_0`` extension) differ from the published object, or that
        carries anything but ``created_by_ref``, ``external_references`` and
        markings besides (a relabelled RED would otherwise pass as CLEAR to
        any reader that trusts the id).
    """
    for obj in _objects(bundle):
        # TLP 1.0 definitions are predefined by STIX 2.1 and checked by stix2
        # itself; the TLP 2.0 ones are only an extension, so check them here.
        if obj["type"] == "marking-definition" and obj["id"] in _TLP2_LEVEL_BY_ID:
            tlp = _TLP2_LEVEL_BY_ID[obj["id"]]
            served = json.loads(obj.serialize())
            defining = {k: served.get(k) for k in tlp.marking_dict()}
            extra = set(served) - set(defining) - _OPTIONAL_MARKING_PROPERTIES
            if defining != tlp.marking_dict() or extra:
                raise InputError(
                    f"marking-definition {obj['id']} does not match the published "
                    f"{tlp.label} object"
                    + (f" (unexpected {', '.join(sorted(extra))})" if extra else "")
                )
    levels = [
        _TLP_BY_ID[ref]
        for obj in _objects(bundle)
        for ref in _marking_refs(obj)
        if ref in _TLP_BY_ID
    ]
    return max(levels, key=lambda t: t.rank) if levels else None
