"""CVSS v3.x and v4.0 base scores as exact integers, and the severity band.

The chain cannot hold decimals, so every score crosses the Python/contract
boundary as ``score_x10``: the base score times ten, an integer in
``0..100`` (``9.8`` -> ``98``).  The conversion goes through
:class:`decimal.Decimal` built from the score's shortest decimal repr, so a
binary float such as ``0.1 * 3`` can never turn ``3.0`` into ``29``.

The qualitative band is the FIRST rating scale shared by CVSS v3.1
(specification, section 5) and v4.0 (section 6): *none* 0.0, *low* 0.1-3.9,
*medium* 4.0-6.9, *high* 7.0-8.9, *critical* 9.0-10.0.  On ``score_x10``
that is ``0 -> 0``, ``1..39 -> 1``, ``40..69 -> 2``, ``70..89 -> 3``,
``90..100 -> 4``; :func:`severity_band` is that function, and the reward
contract mirrors it exactly (``severity_mult`` is indexed by the band).

Scores come from the ``cvss`` package (Red Hat's implementation of the FIRST
formulas): :class:`cvss.CVSS3` for ``CVSS:3.0/`` and ``CVSS:3.1/`` vectors,
:class:`cvss.CVSS4` for ``CVSS:4.0/``.  CVSS v2 vectors are refused: the
panel votes v3.1/v4.0 base scores (docs/rules.md).

Only the **base** score is used, because the base group is what a panel can
judge from the indicator alone; threat, temporal and environmental metrics
describe one consumer's situation.  For v3.x the library's ``base_score``
already ignores them.  For v4.0 the library scores *all* metrics present
(CVSS-BT, CVSS-BE, CVSS-BTE in the v4.0 nomenclature), so the vector is cut
down to its eleven base metrics first and the CVSS-B score is computed from
that.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError

from sharing.errors import InputError

__all__ = [
    "BAND_CRITICAL",
    "BAND_HIGH",
    "BAND_LOW",
    "BAND_MEDIUM",
    "BAND_NAMES",
    "BAND_NONE",
    "CVSS4_BASE_METRICS",
    "CvssScore",
    "MAX_SCORE_X10",
    "band_name",
    "parse_cvss",
    "score_x10",
    "severity_band",
]

#: Largest valid ``score_x10`` (a base score of 10.0).
MAX_SCORE_X10: Final = 100

BAND_NONE: Final = 0
BAND_LOW: Final = 1
BAND_MEDIUM: Final = 2
BAND_HIGH: Final = 3
BAND_CRITICAL: Final = 4

#: Band code -> FIRST qualitative rating, lower case.
BAND_NAMES: Final = ("none", "low", "medium", "high", "critical")

#: The eleven CVSS v4.0 base metrics, in the order of the specification's
#: vector string (section 7).
CVSS4_BASE_METRICS: Final = ("AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA")

_CVSS3_BASE_METRICS: Final = ("AV", "AC", "PR", "UI", "S", "C", "I", "A")
_PREFIXES: Final = {"CVSS:3.0/": "3.0", "CVSS:3.1/": "3.1", "CVSS:4.0/": "4.0"}


@dataclass(frozen=True, slots=True)
class CvssScore:
    """A parsed CVSS vector and its base score in the on-chain encoding.

    Attributes
    ----------
    vector : str
        The vector as given (surrounding white space removed).
    version : str
        ``"3.0"``, ``"3.1"`` or ``"4.0"``.
    base_vector : str
        The vector reduced to its base metrics, in specification order: the
        part of the vector that ``score_x10`` actually depends on.
    score_x10 : int
        Base score times ten, ``0..100``.
    band : int
        Severity band code, ``0..4`` (see :func:`severity_band`).
    """

    vector: str
    version: str
    base_vector: str
    score_x10: int
    band: int

    @property
    def band_name(self) -> str:
        """FIRST qualitative rating of the band (``"none"`` .. ``"critical"``)."""
        return BAND_NAMES[self.band]

    @property
    def base_score(self) -> Decimal:
        """The base score as an exact decimal, e.g. ``Decimal("9.8")``."""
        return Decimal(self.score_x10) / 10

    @property
    def nomenclature(self) -> str:
        """What the score is called: ``"CVSS-B"`` (v4.0), ``"CVSS v3.1 base score"`` (v3.x).

        Only base metrics are scored, which v4.0 names CVSS-B (its nomenclature,
        section 1.3).
        """
        return "CVSS-B" if self.version == "4.0" else f"CVSS v{self.version} base score"

    @property
    def has_other_metrics(self) -> bool:
        """Whether the vector carries threat, temporal or environmental metrics (not scored)."""
        return len(self.vector.split("/")) != len(self.base_vector.split("/"))

    def describe(self) -> str:
        """One line for a report: ``"CVSS-B 9.3 (critical)"``, noting unscored metrics."""
        text = f"{self.nomenclature} {self.base_score} ({self.band_name})"
        if self.has_other_metrics:
            text += "; the vector's other metrics describe one consumer and are not scored"
        return text


def severity_band(score_x10: int) -> int:
    """Map a base score times ten to its FIRST severity band code.

    This is the exact function the reward contract applies on chain, so it
    takes the integer encoding, not a float.

    Parameters
    ----------
    score_x10 : int
        Base score times ten, ``0..100``.

    Returns
    -------
    int
        ``0`` none (0.0), ``1`` low (0.1-3.9), ``2`` medium (4.0-6.9),
        ``3`` high (7.0-8.9), ``4`` critical (9.0-10.0).

    Raises
    ------
    InputError
        If ``score_x10`` is not an integer in ``0..100``.

    Examples
    --------
    >>> [severity_band(s) for s in (0, 1, 39, 40, 69, 70, 89, 90, 100)]
    [0, 1, 1, 2, 2, 3, 3, 4, 4]
    """
    if isinstance(score_x10, bool) or not isinstance(score_x10, int):
        raise InputError(f"CVSS score_x10 must be an integer, got {score_x10!r}")
    if not 0 <= score_x10 <= MAX_SCORE_X10:
        raise InputError(f"CVSS score_x10 must be in 0..100, got {score_x10}")
    if score_x10 == 0:
        return BAND_NONE
    if score_x10 < 40:
        return BAND_LOW
    if score_x10 < 70:
        return BAND_MEDIUM
    if score_x10 < 90:
        return BAND_HIGH
    return BAND_CRITICAL


def band_name(band: int) -> str:
    """Name of a band code (``0`` -> ``"none"`` ... ``4`` -> ``"critical"``).

    Raises
    ------
    InputError
        If ``band`` is not in ``0..4``.
    """
    if isinstance(band, bool) or not isinstance(band, int) or not 0 <= band < len(BAND_NAMES):
        raise InputError(f"CVSS band must be an integer in 0..4, got {band!r}")
    return BAND_NAMES[band]


def _to_x10(score: object, vector: str) -> int:
    """Convert a one-decimal score (Decimal or float) to an exact integer times ten."""
    # repr() of a float is its shortest round-tripping decimal, so 9.3 -> "9.3".
    exact = score if isinstance(score, Decimal) else Decimal(repr(score))
    scaled = exact * 10
    if scaled != scaled.to_integral_value():
        # The FIRST formulas round to one decimal; anything else is a library bug.
        raise InputError(f"invalid CVSS vector {vector!r}: score {exact} has more than one decimal")
    value = int(scaled)
    if not 0 <= value <= MAX_SCORE_X10:
        raise InputError(f"invalid CVSS vector {vector!r}: score {exact} is outside 0.0..10.0")
    return value


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def parse_cvss(vector: str) -> CvssScore:
    """Parse a CVSS v3.0, v3.1 or v4.0 vector and compute its base score.

    Parameters
    ----------
    vector : str
        A vector string with its version prefix, e.g.
        ``"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"``.  Threat, temporal
        and environmental metrics may be present; they are validated but do
        not change the base score.

    Returns
    -------
    CvssScore
        The base score times ten and its band.

    Raises
    ------
    InputError
        With one line naming the vector and the reason: not a string,
        unsupported version prefix, unknown or missing metric, duplicated
        metric.

    Examples
    --------
    >>> parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").score_x10
    98
    >>> parse_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").band_name
    'critical'
    """
    if not isinstance(vector, str):
        raise InputError(f"invalid CVSS vector {vector!r}: expected a string")
    text = vector.strip()
    version = next((v for p, v in _PREFIXES.items() if text.startswith(p)), None)
    if version is None:
        raise InputError(
            f"invalid CVSS vector {text!r}: unsupported version "
            "(expected a CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/ prefix)"
        )
    try:
        if version == "4.0":
            full4 = CVSS4(text)
            base_vector = "CVSS:4.0/" + "/".join(
                f"{m}:{full4.metrics[m]}" for m in CVSS4_BASE_METRICS
            )
            raw_score: object = CVSS4(base_vector).base_score
        else:
            full3 = CVSS3(text)
            base_vector = f"CVSS:{version}/" + "/".join(
                f"{m}:{full3.metrics[m]}" for m in _CVSS3_BASE_METRICS
            )
            raw_score = full3.base_score
    except CVSSError as error:
        raise InputError(f"invalid CVSS vector {text!r}: {_first_line(error)}") from error
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        # Defensive: the library occasionally leaks a plain exception on odd input.
        raise InputError(f"invalid CVSS vector {text!r}: {_first_line(error)}") from error
    x10 = _to_x10(raw_score, text)
    return CvssScore(
        vector=text,
        version=version,
        base_vector=base_vector,
        score_x10=x10,
        band=severity_band(x10),
    )


def score_x10(vector: str) -> int:
    """Return the base score times ten of a CVSS v3.x/v4.0 vector (see :func:`parse_cvss`).

    Raises
    ------
    InputError
        If the vector is invalid (see :func:`parse_cvss`).
    """
    return parse_cvss(vector).score_x10
