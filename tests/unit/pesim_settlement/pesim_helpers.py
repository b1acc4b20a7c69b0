"""Helpers shared by the PesimSettlement tests (fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

from chain_asserts import reverts as reverts  # re-exported for the tests here

from sharing import pesim_fixed as fx
from sharing.chain.pesim import Design, PesimSystem

COLLATERAL = 2 * 10**18
WEI_PER_UNIT = 10**18
REGISTRATION_S = 3_600
MESSAGE_S = 86_400


@dataclass
class Roles:
    governance: str
    member_a: str
    member_b: str
    member_c: str
    member_d: str
    outsider: str
    settler: str

    @property
    def members(self) -> list[str]:
        return [self.member_a, self.member_b, self.member_c]


def open_round(pesim: PesimSystem, members: list[str], design: Design = Design.CALLDATA,
               collateral: int = COLLATERAL, wei_per_unit: int = WEI_PER_UNIT) -> int:
    return pesim.open_round(members, collateral, wei_per_unit, design, REGISTRATION_S, MESSAGE_S)


def registered_round(pesim: PesimSystem, members: list[str], design: Design = Design.CALLDATA,
                     **kw) -> int:
    rid = open_round(pesim, members, design, **kw)
    pesim.register_all(rid)
    return rid


def msg(pi: list[float], x: list[float]) -> fx.FixedMessage:
    """A message from model-unit numbers."""
    return fx.FixedMessage.from_real(pi, x)


#: A three-user profile off equilibrium: disagreeing proposals, positive prices.
PROFILE3 = [
    msg([0.3, 0.1, 0.7], [1.5, 0.25, 0.5]),
    msg([0.0, 0.9, 0.2], [2.0, 0.0, 0.125]),
    msg([1.1, 0.4, 0.05], [1.0, 0.75, 0.0]),
]


def submit_all(pesim: PesimSystem, rid: int, members: list[str],
               messages: list[fx.FixedMessage | None]) -> None:
    for p, m in zip(members, messages, strict=True):
        if m is not None:
            pesim.submit(rid, p, m)


def assert_books_balanced(pesim: PesimSystem) -> None:
    """Every wei the contract holds is either locked in an open round or withdrawable."""
    assert pesim.balance() == pesim.call("total_withdrawable") + pesim.call("locked_collateral")


def assert_matches_python(result, expected: fx.Settlement) -> None:
    """The chain's settlement equals the Python mirror wei for wei."""
    assert result.taxes == expected.taxes
    assert result.transfers == expected.transfers
    assert result.credits == expected.credits
    assert result.x_sum == expected.x_sum
    assert result.submitted == expected.submitted
    assert result.shortfall == expected.shortfall
    assert sum(result.taxes) == 0 and sum(result.transfers) == 0
    assert all(abs(t - e) < 1 for t, e in zip(result.taxes, expected.exact_taxes, strict=True))
