"""Two-player bimatrix games: every Nash equilibrium, cross-checked, degeneracy reported.

Three independent algorithms are run on the same game and their outputs
verified, deduplicated and compared (:mod:`~.solve`, on the algorithms of
:mod:`~.algorithms` and the degeneracy test of :mod:`~.degeneracy`).  The
2x2 helpers classify a game by the payoff orderings of each player
(:mod:`~.classify`: the taxonomy used by Simmons, section B.4, to call the
sharing game a "stag hunt") and select among pure equilibria by
Harsanyi-Selten risk dominance (product of deviation losses) and payoff
dominance (:mod:`~.selection`); :mod:`~.analysis` does all three for one
game.  :mod:`~.bimatrix` validates payoffs and tests the best-response
conditions.  The models are described in docs/models.md ("The sharing game").

Conventions: ``A`` holds the row player's payoffs, ``B`` the column player's;
in a 2x2 sharing game strategy 0 is C (share, cooperate) and 1 is D (withhold).
This module re-exports what the rest of the repository calls.
"""

from sharing.models.equilibria.algorithms import (
    LEMKE_HOWSON,
    SUPPORT_ENUMERATION,
    VERTEX_ENUMERATION,
    lemke_howson,
)
from sharing.models.equilibria.analysis import GameReport, analyse_game, strategy_names
from sharing.models.equilibria.bimatrix import (
    as_payoff_matrix,
    check_game,
    is_nash,
    pure_nash_equilibria,
)
from sharing.models.equilibria.classify import (
    CHICKEN,
    HARMONY,
    OTHER,
    PRISONERS_DILEMMA,
    STAG_HUNT,
    Classification,
    classify_2x2,
)
from sharing.models.equilibria.degeneracy import degeneracy_witness
from sharing.models.equilibria.selection import Selection, select_equilibrium
from sharing.models.equilibria.solve import (
    SHARING_NAMES,
    Equilibrium,
    EquilibriumSet,
    profile_label,
    solve_bimatrix,
)

__all__ = [
    "CHICKEN",
    "Classification",
    "Equilibrium",
    "EquilibriumSet",
    "GameReport",
    "HARMONY",
    "LEMKE_HOWSON",
    "OTHER",
    "PRISONERS_DILEMMA",
    "SHARING_NAMES",
    "STAG_HUNT",
    "SUPPORT_ENUMERATION",
    "Selection",
    "VERTEX_ENUMERATION",
    "analyse_game",
    "as_payoff_matrix",
    "check_game",
    "classify_2x2",
    "degeneracy_witness",
    "is_nash",
    "lemke_howson",
    "profile_label",
    "pure_nash_equilibria",
    "select_equilibrium",
    "solve_bimatrix",
    "strategy_names",
]
