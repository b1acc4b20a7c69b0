"""The code tables shared with the contracts: category (an ATT&CK tactic), class and scope.

``category`` (a ``uint8`` on chain) is the MITRE ATT&CK Enterprise tactic
the indicator detects; the 14 tactics are numbered in the order of the
ATT&CK matrix (see :data:`CATEGORIES`).  Tactics rather than the seven
values of STIX's ``indicator-type-ov`` because the reward's dynamic
``price_index[category]`` needs categories that differ in scarcity, and
almost every shared indicator would be ``malicious-activity``.  The tactic is
carried in the bundle itself, as the indicator's ``kill_chain_phases``
entry with ``kill_chain_name = "mitre-attack"``, so a panellist can check a
revealed category against the content
(:func:`sharing.standards.stix_parse.tactics_of`).

``class`` is :class:`IndicatorClass` (``ROOT = 0`` root vulnerability,
``SPECIFIC = 1``), after Simmons B.1-B.2; ``scope`` is :class:`Scope`
(single organisation, sector, cross-sector).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from sharing.errors import InputError

__all__ = [
    "ATTACK_ENTERPRISE_VERSION",
    "ATTACK_KILL_CHAIN",
    "CATEGORIES",
    "NUM_CATEGORIES",
    "Category",
    "IndicatorClass",
    "Scope",
    "category_code",
    "category_name",
    "class_code",
    "scope_code",
    "tactic_code",
]

#: ``kill_chain_name`` of MITRE ATT&CK phases in STIX.
ATTACK_KILL_CHAIN: Final = "mitre-attack"

#: The ATT&CK Enterprise release the table is checked against.  Its 14 tactics have been
#: the same since v8 (October 2020: Reconnaissance and Resource Development came in with
#: the PRE-ATT&CK merge).  A release that adds a tactic gets a new code appended here,
#: never a renumbering: codes are stored on chain.
ATTACK_ENTERPRISE_VERSION: Final = "17"


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


def tactic_code(phase_name: str) -> int | None:
    """Category code of a STIX ``mitre-attack`` kill chain ``phase_name``, as written.

    Unlike :func:`category_code` nothing is forgiven: the phase name must be
    a tactic short name or a lower-case tactic id exactly.

    Returns
    -------
    int or None
        ``None`` for a name that is not in the table.

    Examples
    --------
    >>> tactic_code("command-and-control"), tactic_code("Command and Control")
    (11, None)
    """
    return _CATEGORY_LOOKUP.get(phase_name)


class IndicatorClass(IntEnum):
    """Claim of class revealed on chain (Simmons B.1-B.2).

    ``ROOT`` is a root vulnerability (the underlying flaw, useful to every
    firm that runs the component); ``SPECIFIC`` is an indicator of one
    attack or campaign.
    """

    ROOT = 0
    SPECIFIC = 1


class Scope(IntEnum):
    """How widely an indicator applies, as voted by the panel.

    The panel's medians decide it: docs/rules.md, "The decision".
    """

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


def resolve_category(
    tactics: frozenset[int] | set[int],
    requested: int | None,
    *,
    claim_untagged: bool = False,
    subject: str = "the bundle",
) -> tuple[int, str]:
    """The category a submission declares, checked against the tactics its content names.

    The panel compares the declared category with the content, so a category
    the content does not name would be voted invalid: it is refused here, before
    anything is sent. Content that names no tactic gives the panel nothing to
    compare with; its submitter must say so explicitly (``claim_untagged``) to
    declare a category anyway. Returns the code and where it came from
    (``"bundle"``, ``"bundle (--category)"`` or ``"claimed (--claim-untagged)"``).
    """
    if not tactics:
        if requested is None or not claim_untagged:
            raise InputError(
                f"{subject} names no ATT&CK tactic (no mitre-attack kill chain phase on "
                "the indicator or its attack pattern), so the panel could not check a "
                "category: add the phase to the bundle, or give --category with "
                "--claim-untagged to submit it as your claim; nothing sent"
            )
        return requested, "claimed (--claim-untagged)"
    if requested is None:
        if len(tactics) != 1:
            names = ", ".join(sorted(category_name(c) for c in tactics))
            raise InputError(
                f"{subject} names {len(tactics)} ATT&CK tactics ({names}); choose one "
                "with --category; nothing sent"
            )
        return next(iter(tactics)), "bundle"
    if requested not in tactics:
        names = ", ".join(sorted(category_name(c) for c in tactics))
        raise InputError(
            f"--category {category_name(requested)} is not a tactic of {subject} "
            f"({names}); the panel would reject it; nothing sent"
        )
    return requested, "bundle (--category)"
