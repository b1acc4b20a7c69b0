"""Accounts and ether for a simulation, sized to the run and checked before anything is sent.

A default anvil unlocks ten accounts with 10,000 ether each; a simulation
of N firms needs N + 6 actors (governance, the firms, the panel). The actors
beyond the node's own accounts are derived locally from the development
mnemonic (``m/44'/60'/0'/0/i``) and sign their transactions here; the
funder (governance, the node's first account) gives each actor the gas its
share of the run can cost, and funds the reward pool with what the run can
pay out - not a fixed amount that a default account cannot cover.

:func:`plan` computes both from the run's size, :func:`check_and_fund`
checks the funder's balance *before the first transaction* and, if it is
short, stops with one line saying how much is missing; nothing is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sharing.chain.batch import PINNED_BASE_FEE, BatchDriver, derive_keys
from sharing.chain.connect import ANVIL_MNEMONIC, Chain
from sharing.errors import ChainError

WEI_PER_ETHER = 10**18
#: Gas of one round, per actor role, with headroom (commit + reveal + PESIM for a firm;
#: one vote per indicator for a panellist; one finalise per indicator for governance).
FIRM_GAS_PER_ROUND = 600_000
VOTE_GAS = 150_000
FINALISE_GAS = 200_000
#: Deploying and configuring the alliance and the PESIM contract, with headroom.
SETUP_GAS = 40_000_000
#: What a firm may lock or pay in one PESIM round (collateral and tax), with headroom: the
#: recommended collateral is about 0.1 to 0.2 ether for the regime's groups (unit 0.1 ether).
PESIM_ROUND_WEI = 10**18
#: Rounds played outside the dynamics in one regime: the 2x2 game and the N-firm game's profiles.
EXTRA_ROUNDS = 16


@dataclass(frozen=True)
class FundingPlan:
    """What a run needs: the reward pool, and gas for each actor (wei)."""

    pool_wei: int
    firm_gas_wei: int
    panellist_gas_wei: int
    governance_gas_wei: int


def plan(
    firms: int,
    panellists: int,
    rounds: int,
    max_reward_wei: int,
    gas_price_wei: int,
    pesim: bool = False,
) -> FundingPlan:
    """The ether a run of ``rounds`` per regime can use.

    Every regime, every strategy's dynamics and every measured profile
    starts from a snapshot that is reverted afterwards, so the largest
    spend is one regime's longest sequence: ``rounds`` rounds of dynamics
    (each firm paid at most one reward per round) plus one round of margin.
    Gas is priced at twice the larger of the node's price and the pinned
    base fee. With the PESIM regime each firm also gets its collateral and
    tax for every round (:data:`PESIM_ROUND_WEI`).
    """
    price = 2 * max(gas_price_wei, PINNED_BASE_FEE)
    played = rounds + EXTRA_ROUNDS
    indicators = firms + 1  # every firm, and the colluders' junk
    return FundingPlan(
        pool_wei=max_reward_wei * firms * (rounds + 1),
        firm_gas_wei=played * (FIRM_GAS_PER_ROUND * price + (PESIM_ROUND_WEI if pesim else 0)),
        panellist_gas_wei=played * indicators * VOTE_GAS * price,
        governance_gas_wei=(SETUP_GAS + firms * 200_000 + played * indicators * FINALISE_GAS)
        * price,
    )


def actors(chain: Chain, count: int, driver: BatchDriver | None) -> list[str]:
    """``count`` accounts: the node's own first, then keys derived here (dev nodes only)."""
    own: list[str] = list(chain.accounts[:count])
    if len(own) >= count:
        return own
    if driver is None:
        raise ChainError(
            f"the simulation needs {count} accounts, the chain has {len(own)} "
            f"(start anvil with --accounts {count}, or use anvil, where the simulation "
            "derives and funds the accounts it needs)"
        )
    keys = derive_keys(ANVIL_MNEMONIC, range(len(own), count))
    return own + [chain.add_key(k) for k in keys]


def _ether(wei: int) -> str:
    return f"{wei / WEI_PER_ETHER:,.4f} ether"


def check_and_fund(
    chain: Chain,
    driver: BatchDriver | None,
    funder: str,
    firms: Sequence[str],
    panel: Sequence[str],
    need: FundingPlan,
) -> None:
    """Check the funder can pay for the run, then top up every actor short of its gas.

    Raises
    ------
    ChainError
        One line: the funder's balance, what the run needs and what is
        missing. Raised before any transaction is sent.
    """
    targets = [(a, need.firm_gas_wei) for a in firms] + [(a, need.panellist_gas_wei) for a in panel]
    addresses = [funder] + [a for a, _ in targets]
    if driver is not None:
        balances = driver.balances(addresses)
    else:
        balances = [int(chain.w3.eth.get_balance(a)) for a in addresses]  # type: ignore[arg-type]
    top_ups = sum(
        max(0, want - have) for (_, want), have in zip(targets, balances[1:], strict=True)
    )
    total = need.pool_wei + need.governance_gas_wei + top_ups
    if balances[0] < total:
        raise ChainError(
            f"the funder {funder} holds {_ether(balances[0])}; this run needs {_ether(total)} "
            f"(reward pool {_ether(need.pool_wei)}, gas {_ether(need.governance_gas_wei)}, "
            f"gas for the other accounts {_ether(top_ups)}): {_ether(total - balances[0])} "
            "short; nothing was sent. Fund the account or run fewer firms or rounds"
        )
    if top_ups and driver is None:
        raise ChainError(
            f"{sum(1 for (_, w), h in zip(targets, balances[1:], strict=True) if h < w)} accounts "
            "hold too little ether for their gas, and only a development node (anvil) can be "
            "topped up by the simulation; nothing was sent"
        )
    if driver is not None:
        driver.top_up(funder, targets)
