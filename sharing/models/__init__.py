"""The incentive models: pure maths, no chain; one subpackage per game or mechanism.

* :mod:`~sharing.models.sharing_game`: Simmons' indicator-sharing game, the
  least rewards that make sharing unique, the paper's tables checked
  (docs/models.md, "The sharing game");
* :mod:`~sharing.models.equilibria`: every Nash equilibrium of a small
  bimatrix game, found three ways and cross-checked;
* :mod:`~sharing.models.ids_game`: Naghizadeh & Liu's interdependent
  security game, and :mod:`~sharing.models.pesim` the PESIM mechanism built
  on it (docs/models.md, "Interdependent security and PESIM");
* :mod:`~sharing.models.duopoly`: Gal-Or & Ghose's duopoly and its
  propositions (docs/models.md, "The duopoly");
* :mod:`~sharing.models.numerics`: the finite differences they share.

Here, loaded on first use, are only the objects one starts from:
:class:`SharingGame`, :func:`solve_bimatrix`, :class:`IDSGame` and
:func:`parse_instance`, :class:`Duopoly` and :class:`DuopolyParams`.
Everything else is imported from its subpackage, e.g.
``sharing.models.pesim.solve`` or ``sharing.models.duopoly.social_optimum``:
several models have a ``social_optimum``, a ``nash_equilibrium`` or
``utilities``, and none of them is re-exported here.
"""

from sharing._lazy import lazy

__getattr__, __dir__ = lazy(
    __name__,
    {
        "SharingGame": "sharing.models.sharing_game",
        "solve_bimatrix": "sharing.models.equilibria",
        "IDSGame": "sharing.models.ids_game",
        "parse_instance": "sharing.models.ids_game",
        "Duopoly": "sharing.models.duopoly",
        "DuopolyParams": "sharing.models.duopoly",
    },
)

__all__ = [
    "Duopoly",
    "DuopolyParams",
    "IDSGame",
    "SharingGame",
    "parse_instance",
    "solve_bimatrix",
]
