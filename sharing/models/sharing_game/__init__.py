"""The indicator-sharing game of Simmons (sections B.4-B.5), as restated in docs/models.md.

Firm i holds knowledge ``K_i``, pays a risk ``r_i`` when it shares and receives
the mechanism's reward ``R_i`` for sharing.  The shared pool is *open* (anyone
reads it) or *gated* (only contributors read it).  With absorption ``beta``::

    u_i(a) = K_i + beta * sum_{j != i, a_j = C} K_j * [open or a_i = C]
                 - [a_i = C] * (r_i - R_i)

so the gain of sharing over withholding, the others' actions fixed, is::

    gain_i = beta * K(others sharing) * [gated] + R_i - r_i

Open pool: the gain does not depend on the others, so each firm's choice is
dominant (defection when ``R_i < r_i``: a prisoner's dilemma).  Gated pool: the
gain grows with the others' sharing - a supermodular game (strategic
complements).  Its smallest and largest pure equilibria are reached by
best-response cascades from all-withhold and all-share, and every equilibrium,
mixed ones included, lies between them (Milgrom and Roberts 1990, Thm 5).  So
cooperation is the *unique* equilibrium exactly when the cascade from
all-withhold, where a firm joins only if it strictly gains, ends with everyone
sharing.  The reward designs below are built on that cascade: the cheapest
rewards making (C, ..., C) unique are those of the cheapest activation order.

Strategy index 0 is C (share), 1 is D (withhold); a profile is a sequence of
booleans, True meaning share.  The literal Tables 1 and 2 of the paper and the
paper's own verbal parameters are checked by :func:`check_simmons_tables` and
:func:`reconstruct_simmons_tables`.

Modules: :mod:`~.game` (payoffs, equilibria, :class:`SharingGame`),
:mod:`~.designs` and :mod:`~.cascades` (the reward designs and the
activation orders they rest on), :mod:`~.simmons` (the paper's tables
checked and rebuilt).  Bimatrix games in general are
:mod:`sharing.models.equilibria`.  This module re-exports what the rest of
the repository calls.
"""

from sharing.models.sharing_game.designs import (
    CheckedDesign,
    DesignReport,
    RewardDesign,
    Thresholds,
    design_per_firm,
    design_per_tier,
    design_proportional,
    design_report,
    design_uniform,
    thresholds,
)
from sharing.models.sharing_game.game import (
    DEFAULT_EPSILON,
    GATED,
    OPEN,
    POOLS,
    EquilibriumSummary,
    Pool,
    Profile,
    SharingGame,
    cooperation_is_equilibrium,
    cooperation_is_unique,
    extremal_equilibria,
    payoff_by_sharers,
    payoff_matrices,
    pure_equilibria,
    sharing_gain,
    utilities,
    validate,
)
from sharing.models.sharing_game.simmons import (
    SIMMONS_READING,
    SIMMONS_TABLES,
    PaperClaim,
    PrintedTable,
    Reconstruction,
    SimmonsReport,
    TableCheck,
    check_simmons_tables,
    reconstruct_simmons_tables,
    simmons_report,
)

__all__ = [
    "CheckedDesign",
    "DEFAULT_EPSILON",
    "DesignReport",
    "EquilibriumSummary",
    "GATED",
    "OPEN",
    "POOLS",
    "PaperClaim",
    "Pool",
    "PrintedTable",
    "Profile",
    "Reconstruction",
    "RewardDesign",
    "SIMMONS_READING",
    "SIMMONS_TABLES",
    "SharingGame",
    "SimmonsReport",
    "TableCheck",
    "Thresholds",
    "check_simmons_tables",
    "cooperation_is_equilibrium",
    "cooperation_is_unique",
    "design_per_firm",
    "design_per_tier",
    "design_proportional",
    "design_report",
    "design_uniform",
    "extremal_equilibria",
    "payoff_by_sharers",
    "payoff_matrices",
    "pure_equilibria",
    "reconstruct_simmons_tables",
    "sharing_gain",
    "simmons_report",
    "thresholds",
    "utilities",
    "validate",
]
