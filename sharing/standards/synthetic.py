"""Synthetic, valid STIX 2.1 indicator bundles with CVSS vectors, for the bots.

Each round of the simulation (docs/simulation.md) the firm bots "discover"
indicators.  They must be well-formed enough to go through the real
pipeline (validation, canonical hash, commit/reveal, the pool) and varied
enough that the reward formula's factors (severity band, class, scope,
category) all move.  This module draws them.

Realism, and what is assumed
----------------------------
* **Severity.** The band is drawn from :data:`DEFAULT_MIX` (low 3 %,
  medium 35 %, high 40 %, critical 22 %), then a CVSS vector is drawn
  uniformly among the vectors of that band.  The proportions are an
  **assumption** meant to resemble the published distribution of NVD CVSS
  v3 base scores (high the largest group, then medium, then critical, low
  rare); they are not fitted to NVD data.  One cross-check: with the v3.1
  vectors of each band, the expected base score under this mix is 7.2,
  close to the mean v3 score of 7.13 that J. Gamblin's "2023 First Half
  CVE Data Review" (CVE.ICU) reports for the CVEs of that half-year.
  Severity "none" is never drawn: a 0.0 indicator would not be shared.
* **Class, scope, category, TLP.** Also assumptions, stated in
  :data:`DEFAULT_MIX`: about 30 % root vulnerabilities; root
  vulnerabilities tend to be sector- or cross-sector-wide, specific
  indicators single-organisation; network indicators (command and
  control, initial access) dominate shared feeds; TLP:GREEN is the usual
  ISAC marking and TLP:RED is never drawn (the pool refuses it).  Pass
  your own :class:`SyntheticMix` to change any of them.
* **Content that cannot be mistaken for real intelligence.** IP addresses
  come from the IPv6 documentation prefix ``2001:db8::/32`` (RFC 3849),
  domains, URLs and e-mail addresses from the RFC 2606 reserved
  ``example.*`` domains, file hashes are random, CVE ids use the year 2099,
  and every description says "synthetic".

Unique observables
------------------
The contract refuses a second indicator with the same semantic key
(:mod:`sharing.standards.semantic_key`: the normalised pattern), so two
drawn indicators must not share an observable unless the same seed is
used twice (then the whole bundle repeats, on purpose).  Draws are
independent, with no memory across calls, firms or rounds, so uniqueness
comes from the size of each observable space: at least ``3 * 36**10``
(about ``1.1e16``) values for a domain, ``2**96`` for an IPv6 address,
more for URLs and e-mail addresses, ``2**256`` for a file hash.  By the
birthday bound, ten thousand indicators of one kind share an observable
with probability below ``5e-9``.  IPv4 is not used: RFC 5737's three
documentation ``/24`` blocks hold only 762 host addresses, so a few dozen
IPv4 indicators already repeat one (the earlier generator, which drew
them, repeated 73 patterns among 2,000 indicators of seed 5).

Reproducibility
---------------
``random_state`` (a seed, a numpy ``Generator`` or ``None``) drives every
choice, including the STIX ids (UUID version 4 built from generator bytes,
see :func:`sharing.standards.stix_build.stix_id`) and the timestamps (a fixed
epoch, 2025-01-01T00:00:00Z, plus a drawn offset within a year, unless
``created`` is given).  The same seed and arguments give byte-identical
bundles and hashes.  All random draws happen in a fixed order whatever the
overrides, so overriding one field does not reshuffle the others.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from cvss import CVSS3, CVSS4

from sharing.errors import InputError
from sharing.standards.categories import (
    CATEGORIES,
    NUM_CATEGORIES,
    IndicatorClass,
    Scope,
    category_code,
)
from sharing.standards.cvss import BAND_NAMES, parse_cvss, severity_band
from sharing.standards.semantic_key import semantic_key as _semantic_key
from sharing.standards.stix_build import (
    AttackPatternSpec,
    IndicatorSpec,
    MalwareSpec,
    RandomState,
    VulnerabilitySpec,
    build_indicator_bundle,
)
from sharing.standards.stix_parse import load_indicator_bundle
from sharing.standards.tlp import Tlp

__all__ = [
    "DEFAULT_MIX",
    "EPOCH",
    "SyntheticIndicator",
    "SyntheticMix",
    "generate_indicator",
    "generate_indicators",
]

#: Start of the synthetic timeline: ``created`` is drawn in the year after it.
EPOCH: Final = datetime(2025, 1, 1, tzinfo=UTC)
_YEAR_SECONDS: Final = 365 * 86_400

#: TLP levels a mix can weigh, in this order.
_TLP_ORDER: Final = (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED)


def _probabilities(weights: Sequence[float], what: str, size: int) -> npt.NDArray[np.float64]:
    array = np.asarray(weights, dtype=np.float64)
    if array.shape != (size,):
        raise InputError(f"{what} needs {size} weights, got {len(weights)}")
    if not np.all(np.isfinite(array)) or np.any(array < 0) or array.sum() <= 0:
        raise InputError(f"{what} weights must be non-negative, finite and not all zero")
    normalised: npt.NDArray[np.float64] = array / array.sum()
    return normalised


@dataclass(frozen=True)
class SyntheticMix:
    """The distributions synthetic indicators are drawn from (weights, normalised on use).

    Attributes
    ----------
    severity : tuple of 5 floats
        Weights of the CVSS bands none, low, medium, high, critical.
    root_share : float
        Probability that an indicator is a root vulnerability.
    scope_root, scope_specific : tuple of 3 floats
        Weights of single organisation, sector, cross-sector, by class.
    tlp : tuple of 5 floats
        Weights of TLP CLEAR, GREEN, AMBER, AMBER+STRICT, RED.
    category : tuple of 14 floats
        Weights of the ATT&CK tactics, in category-code order.
    """

    severity: tuple[float, ...] = (0.0, 0.03, 0.35, 0.40, 0.22)
    root_share: float = 0.30
    scope_root: tuple[float, ...] = (0.20, 0.40, 0.40)
    scope_specific: tuple[float, ...] = (0.50, 0.35, 0.15)
    tlp: tuple[float, ...] = (0.15, 0.45, 0.30, 0.10, 0.0)
    category: tuple[float, ...] = field(
        default=(
            # Assumption: network indicators of C2 and initial access dominate
            # shared feeds; post-exploitation tactics are scarcer.
            4.0,  # reconnaissance
            4.0,  # resource-development
            16.0,  # initial-access
            10.0,  # execution
            6.0,  # persistence
            4.0,  # privilege-escalation
            7.0,  # defense-evasion
            6.0,  # credential-access
            3.0,  # discovery
            4.0,  # lateral-movement
            3.0,  # collection
            20.0,  # command-and-control
            6.0,  # exfiltration
            7.0,  # impact
        )
    )

    def __post_init__(self) -> None:
        # Fail at construction, with the field's name, rather than mid-simulation.
        _probabilities(self.severity, "severity", len(BAND_NAMES))
        _probabilities(self.scope_root, "scope_root", len(Scope))
        _probabilities(self.scope_specific, "scope_specific", len(Scope))
        _probabilities(self.tlp, "tlp", len(_TLP_ORDER))
        _probabilities(self.category, "category", NUM_CATEGORIES)
        if not 0.0 <= self.root_share <= 1.0:
            raise InputError(f"root_share must be in [0, 1], got {self.root_share}")


#: The default mix (see the module docstring for what is assumed).
DEFAULT_MIX: Final = SyntheticMix()


@dataclass(frozen=True)
class SyntheticIndicator:
    """One synthetic indicator, ready to commit, reveal and put in the pool.

    Attributes
    ----------
    bundle_json : str
        Canonical JSON of the bundle (what is hashed and stored).
    content_hash : bytes
        keccak-256 of ``bundle_json``, 32 bytes.
    category : int
        ATT&CK tactic code (:data:`sharing.standards.categories.CATEGORIES`).
    indicator_class : int
        :class:`~sharing.standards.categories.IndicatorClass` code.
    cvss_vector : str
        The CVSS base vector the bundle claims.
    score_x10 : int
        Its base score times ten.
    scope : int
        :class:`~sharing.standards.categories.Scope` code the panel should find.
    tlp : Tlp
        The bundle's TLP 2.0 marking.
    """

    bundle_json: str
    content_hash: bytes
    category: int
    indicator_class: int
    cvss_vector: str
    score_x10: int
    scope: int
    tlp: Tlp

    @property
    def band(self) -> int:
        """Severity band code of ``score_x10``."""
        return severity_band(self.score_x10)

    @property
    def hash_hex(self) -> str:
        """``0x``-prefixed hex of the content hash."""
        return "0x" + self.content_hash.hex()

    @cached_property
    def semantic_key(self) -> bytes:
        """The bundle's semantic key (32 bytes), committed with the content hash.

        Computed on first use (about 4 ms): most callers only need the hash.
        """
        return _semantic_key(self.bundle_json)


# --------------------------------------------------------------------------
# CVSS vectors by band
# --------------------------------------------------------------------------

_CVSS31_VALUES: Final = (
    ("AV", "NALP"),
    ("AC", "LH"),
    ("PR", "NLH"),
    ("UI", "NR"),
    ("S", "UC"),
    ("C", "HLN"),
    ("I", "HLN"),
    ("A", "HLN"),
)
_CVSS40_VALUES: Final = (
    ("AV", "NALP"),
    ("AC", "LH"),
    ("AT", "NP"),
    ("PR", "NLH"),
    ("UI", "NPA"),
    ("VC", "HLN"),
    ("VI", "HLN"),
    ("VA", "HLN"),
    ("SC", "HLN"),
    ("SI", "HLN"),
    ("SA", "HLN"),
)
_V4_MAX_TRIES: Final = 100_000


def _band_of(score: object) -> int:
    # Scores have one decimal; go through Decimal so 9.8 is exactly 98.
    return severity_band(int(Decimal(str(score)) * 10))


@lru_cache(maxsize=1)
def _cvss31_by_band() -> tuple[tuple[str, ...], ...]:
    """All 2,592 CVSS v3.1 base vectors, grouped by band, in a fixed order (~40 ms once)."""
    groups: list[list[str]] = [[] for _ in BAND_NAMES]
    for combo in itertools.product(*(values for _, values in _CVSS31_VALUES)):
        vector = "CVSS:3.1/" + "/".join(
            f"{metric}:{value}" for (metric, _), value in zip(_CVSS31_VALUES, combo, strict=True)
        )
        groups[_band_of(CVSS3(vector).base_score)].append(vector)
    return tuple(tuple(g) for g in groups)


def _draw_cvss31(rng: np.random.Generator, band: int) -> str:
    candidates = _cvss31_by_band()[band]
    return candidates[int(rng.integers(len(candidates)))]


def _draw_cvss40(rng: np.random.Generator, band: int) -> str:
    # 104,976 base vectors are too many to score up front (~5 s), and every
    # band holds at least ~0.2 % of them, so rejection sampling is cheap.
    for _ in range(_V4_MAX_TRIES):
        picks = [values[int(rng.integers(len(values)))] for _, values in _CVSS40_VALUES]
        vector = "CVSS:4.0/" + "/".join(
            f"{metric}:{value}" for (metric, _), value in zip(_CVSS40_VALUES, picks, strict=True)
        )
        if _band_of(CVSS4(vector).base_score) == band:
            return vector
    raise InputError(f"no CVSS 4.0 vector found in band {BAND_NAMES[band]!r}")  # pragma: no cover


# --------------------------------------------------------------------------
# Observables and related objects by tactic
# --------------------------------------------------------------------------

# Observable kinds a tactic's indicators typically carry.
_KINDS_BY_TACTIC: Final = {
    "reconnaissance": ("ip",),
    "resource-development": ("domain", "url"),
    "initial-access": ("url", "email", "file"),
    "execution": ("file",),
    "persistence": ("file",),
    "privilege-escalation": ("file",),
    "defense-evasion": ("file",),
    "credential-access": ("url", "domain"),
    "discovery": ("file", "ip"),
    "lateral-movement": ("ip", "file"),
    "collection": ("file",),
    "command-and-control": ("ip", "domain", "url"),
    "exfiltration": ("domain", "ip"),
    "impact": ("file",),
}

# One representative ATT&CK Enterprise technique per tactic.
_TECHNIQUE_BY_TACTIC: Final = {
    "reconnaissance": ("T1595", "Active Scanning"),
    "resource-development": ("T1583", "Acquire Infrastructure"),
    "initial-access": ("T1190", "Exploit Public-Facing Application"),
    "execution": ("T1059", "Command and Scripting Interpreter"),
    "persistence": ("T1053", "Scheduled Task/Job"),
    "privilege-escalation": ("T1068", "Exploitation for Privilege Escalation"),
    "defense-evasion": ("T1027", "Obfuscated Files or Information"),
    "credential-access": ("T1110", "Brute Force"),
    "discovery": ("T1046", "Network Service Discovery"),
    "lateral-movement": ("T1021", "Remote Services"),
    "collection": ("T1005", "Data from Local System"),
    "command-and-control": ("T1071", "Application Layer Protocol"),
    "exfiltration": ("T1041", "Exfiltration Over C2 Channel"),
    "impact": ("T1486", "Data Encrypted for Impact"),
}

_INDICATOR_TYPE_BY_TACTIC: Final = {
    "reconnaissance": "anomalous-activity",
    "discovery": "anomalous-activity",
    "credential-access": "compromised",
    "lateral-movement": "compromised",
}

_MALWARE_TYPE_BY_TACTIC: Final = {
    "impact": "ransomware",
    "command-and-control": "remote-access-trojan",
    "credential-access": "spyware",
    "exfiltration": "spyware",
    "initial-access": "dropper",
}

#: RFC 3849 IPv6 documentation prefix ``2001:db8::/32``; the other 96 bits are drawn.
_DOC_IPV6_PREFIX: Final = 0x20010DB8 << 96
_DOC_DOMAINS: Final = ("example.com", "example.net", "example.org")  # RFC 2606
_ALPHABET: Final = "abcdefghijklmnopqrstuvwxyz0123456789"


def _label(rng: np.random.Generator, length: int = 10) -> str:
    return "".join(_ALPHABET[int(i)] for i in rng.integers(len(_ALPHABET), size=length))


def _observable(rng: np.random.Generator, kind: str) -> tuple[str, str]:
    """Draw (pattern, short description) of an observable of ``kind`` from reserved spaces.

    Every kind draws from a space large enough that independent draws do not
    repeat (see "Unique observables" in the module docstring).
    """
    if kind == "ip":
        # RFC 5952 text (what ipaddress prints): already the semantic key's normal form.
        address = str(ipaddress.IPv6Address(_DOC_IPV6_PREFIX | int.from_bytes(rng.bytes(12))))
        return f"[ipv6-addr:value = '{address}']", f"IPv6 address {address}"
    host = f"{_label(rng)}.{_DOC_DOMAINS[int(rng.integers(3))]}"
    if kind == "domain":
        return f"[domain-name:value = '{host}']", f"domain {host}"
    if kind == "url":
        url = f"https://{host}/{_label(rng, 8)}"
        return f"[url:value = '{url}']", f"URL {url}"
    if kind == "email":
        address = f"{_label(rng, 6)}@{host}"
        return f"[email-addr:value = '{address}']", f"e-mail sender {address}"
    digest = rng.bytes(32).hex()
    return f"[file:hashes.'SHA-256' = '{digest}']", f"file SHA-256 {digest[:16]}..."


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------


def _pick(rng: np.random.Generator, weights: Sequence[float], what: str) -> int:
    p = _probabilities(weights, what, len(weights))
    return int(rng.choice(len(p), p=p))


def generate_indicator(
    random_state: RandomState = None,
    *,
    mix: SyntheticMix = DEFAULT_MIX,
    category: int | str | None = None,
    indicator_class: int | None = None,
    scope: int | None = None,
    band: int | None = None,
    tlp: Tlp | str | None = None,
    cvss_version: str = "3.1",
    created: datetime | None = None,
    author: str | None = None,
    consent: str | None = None,
) -> SyntheticIndicator:
    """Draw one synthetic indicator bundle.

    Parameters
    ----------
    random_state : int, numpy Generator or None
        Seed or generator.  A generator is advanced, so successive calls
        with it give different indicators; a seed gives the same one each
        time.
    mix : SyntheticMix, default DEFAULT_MIX
        Distributions to draw from.
    category, indicator_class, scope, band, tlp : optional
        Force a value instead of drawing it (the draw still happens, so the
        other fields are unchanged).  ``tlp=Tlp.RED`` is allowed, to test
        that the pool refuses it.
    cvss_version : {"3.1", "4.0"}, default "3.1"
        CVSS version of the vector.
    created : datetime, optional
        Timezone-aware creation time; drawn within a year of :data:`EPOCH`
        by default.
    author, consent : str, optional
        The submitter's alliance pseudonym and AIS consent
        (:class:`~sharing.standards.stix_build.IndicatorSpec`); they change
        the bundle, not the draw.

    Returns
    -------
    SyntheticIndicator
        The bundle's canonical JSON, hash and on-chain metadata.

    Raises
    ------
    InputError
        For an override outside its table or an unknown CVSS version.

    Examples
    --------
    >>> a = generate_indicator(7)
    >>> a.content_hash == generate_indicator(7).content_hash
    True
    """
    if cvss_version not in ("3.1", "4.0"):
        raise InputError(f"cvss_version must be '3.1' or '4.0', got {cvss_version!r}")
    rng = np.random.default_rng(random_state)

    # Fixed draw order: do not reorder, seeds would change meaning.
    drawn_class = IndicatorClass.ROOT if rng.random() < mix.root_share else IndicatorClass.SPECIFIC
    klass = (
        drawn_class
        if indicator_class is None
        else IndicatorClass(_checked(indicator_class, "indicator_class", len(IndicatorClass)))
    )
    scope_weights = mix.scope_root if klass is IndicatorClass.ROOT else mix.scope_specific
    drawn_scope = _pick(rng, scope_weights, "scope")
    final_scope = drawn_scope if scope is None else _checked(scope, "scope", len(Scope))
    drawn_category = _pick(rng, mix.category, "category")
    final_category = drawn_category if category is None else category_code(category)
    drawn_band = _pick(rng, mix.severity, "severity")
    final_band = drawn_band if band is None else _checked(band, "band", len(BAND_NAMES))
    drawn_tlp = _TLP_ORDER[_pick(rng, mix.tlp, "tlp")]
    final_tlp = drawn_tlp if tlp is None else Tlp.parse(tlp)

    if cvss_version == "3.1":
        vector = _draw_cvss31(rng, final_band)
    else:
        vector = _draw_cvss40(rng, final_band)
    score = parse_cvss(vector)

    tactic = CATEGORIES[final_category]
    kinds = _KINDS_BY_TACTIC[tactic.name]
    kind = kinds[int(rng.integers(len(kinds)))]
    pattern, what = _observable(rng, kind)
    offset = int(rng.integers(_YEAR_SECONDS))
    when = created if created is not None else EPOCH + timedelta(seconds=offset)
    confidence = int(rng.integers(50, 101))
    cve_number = int(rng.integers(10_000, 100_000))
    with_attack_pattern = bool(rng.random() < 0.5)
    with_malware = bool(rng.random() < 0.5)
    malware_tag = _label(rng, 4)

    technique_id, technique_name = _TECHNIQUE_BY_TACTIC[tactic.name]
    attack_pattern = None
    vulnerability = None
    malware = None
    if klass is IndicatorClass.ROOT:
        vulnerability = VulnerabilitySpec(
            cve_id=f"CVE-2099-{cve_number}",
            description="Synthetic root vulnerability for simulation; not a real CVE.",
        )
        attack_pattern = AttackPatternSpec(technique_name, technique_id)
    else:
        if with_attack_pattern:
            attack_pattern = AttackPatternSpec(technique_name, technique_id)
        if with_malware:
            malware_type = _MALWARE_TYPE_BY_TACTIC.get(tactic.name, "trojan")
            malware = MalwareSpec(
                name=f"SynthMal-{malware_tag}",
                is_family=True,
                malware_types=(malware_type,),
                description="Synthetic malware family for simulation.",
            )

    spec = IndicatorSpec(
        pattern,
        name=f"{tactic.title}: {what}",
        description=(
            f"Synthetic {klass.name.lower()} indicator ({tactic.tactic_id} {tactic.title}, "
            f"CVSS {score.base_score} {score.band_name}) generated for simulation; "
            "not real threat intelligence."
        ),
        category=final_category,
        tlp=final_tlp,
        indicator_types=(_INDICATOR_TYPE_BY_TACTIC.get(tactic.name, "malicious-activity"),),
        cvss_vector=vector,
        vulnerability=vulnerability,
        attack_pattern=attack_pattern,
        malware=malware,
        created=when,
        confidence=confidence,
        author=author,
        consent=consent,
    )
    bundle = build_indicator_bundle(spec, random_state=rng)
    described = load_indicator_bundle(bundle, validate=False)
    return SyntheticIndicator(
        bundle_json=described.json_text,
        content_hash=described.content_hash,
        category=final_category,
        indicator_class=int(klass),
        cvss_vector=vector,
        score_x10=score.score_x10,
        scope=final_scope,
        tlp=final_tlp,
    )


def _checked(value: int, what: str, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise InputError(f"{what} must be an integer in 0..{size - 1}, got {value!r}")
    return value


def generate_indicators(
    n: int,
    random_state: RandomState = None,
    **overrides: Any,
) -> list[SyntheticIndicator]:
    """Draw ``n`` synthetic indicators from one random stream.

    Parameters
    ----------
    n : int
        How many (about 20 ms each).
    random_state : int, numpy Generator or None
        Seed or generator; the same seed gives the same list.
    **overrides
        Keyword arguments passed to :func:`generate_indicator` (``mix``,
        ``category``, ``tlp``, ``cvss_version``...).

    Returns
    -------
    list of SyntheticIndicator
        Distinct indicators: their ids differ, hence their hashes, and so do
        their observables, hence their semantic keys (see the module
        docstring).

    Raises
    ------
    InputError
        If ``n`` is negative or an override is invalid.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InputError(f"n must be a non-negative integer, got {n!r}")
    rng = np.random.default_rng(random_state)
    return [generate_indicator(rng, **overrides) for _ in range(n)]
