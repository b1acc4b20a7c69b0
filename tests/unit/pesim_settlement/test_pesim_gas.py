"""Settlement at N = 32 fits a 30M block in both designs, even with worst-case messages."""

import pytest

from sharing import pesim_fixed as fx
from sharing.chain.connect import embedded_chain
from sharing.chain.pesim import BLOCK_GAS_LIMIT, Design, PesimSystem, settle_gas_cap

N = fx.MAX_N


@pytest.fixture(scope="module")
def big_chain():
    return embedded_chain(N + 2)


def worst_messages(silent: int) -> list[fx.FixedMessage | None]:
    # prices and investments at their bounds (every coordinate non-zero), disagreeing proposals
    msgs: list[fx.FixedMessage | None] = [
        fx.FixedMessage(tuple(fx.MAX_PI - i - k for k in range(N)),
                        tuple(fx.MAX_ABS_X - 3 * i - k for k in range(N)))
        for i in range(N)
    ]
    for i in range(silent):
        msgs[2 * i] = None
    return msgs


@pytest.mark.parametrize("design", [Design.STORAGE, Design.CALLDATA], ids=["storage", "calldata"])
@pytest.mark.parametrize("silent", [0, N // 2], ids=["all-submit", "half-silent"])
def test_settle__n32_worst_case_fits_the_block(big_chain, design, silent):
    system = PesimSystem.deploy(big_chain)
    members = big_chain.accounts[1 : N + 1]
    messages = worst_messages(silent)
    result = system.run_round(members, messages, collateral_wei=10**18, design=design)
    assert sum(result.taxes) == 0 and len(result.defaults) == silent
    assert result.gas_used < settle_gas_cap(N) < BLOCK_GAS_LIMIT
    expected = fx.settle(messages, fx.DEFAULT_WEI_PER_UNIT, 10**18)
    assert result.taxes == expected.taxes and result.transfers == expected.transfers
