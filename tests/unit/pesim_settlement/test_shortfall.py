"""A tax above the collateral: the payer loses its whole collateral, receivers share the shortfall."""

from pesim_helpers import (
    WEI_PER_UNIT,
    assert_books_balanced,
    assert_matches_python,
    msg,
    registered_round,
    submit_all,
)

from sharing import pesim_fixed as fx

SMALL_COLLATERAL = 10**17  # 0.1 unit


def test_settle__tax_above_collateral__capped_and_shared(pesim, roles, design):
    members = roles.members + [roles.member_d]
    # member_a prices disagreement with member_b highly and disagrees a lot: a large penalty
    messages = [
        msg([3.0, 3.0, 3.0, 3.0], [2.0, 0.0, 0.0, 0.0]),
        msg([0.2, 0.0, 0.1, 0.0], [0.5, 0.0, 0.0, 0.0]),
        msg([0.0, 0.4, 0.0, 0.2], [0.5, 0.0, 0.0, 0.0]),
        msg([0.1, 0.1, 0.3, 0.0], [0.5, 0.0, 0.0, 0.0]),
    ]
    rid = registered_round(pesim, members, design, collateral=SMALL_COLLATERAL)
    submit_all(pesim, rid, members, messages)
    result = pesim.settle(rid, sender=roles.settler)
    expected = fx.settle(messages, WEI_PER_UNIT, SMALL_COLLATERAL)
    assert_matches_python(result, expected)

    taxes, moved = result.taxes, result.transfers
    assert taxes[0] > SMALL_COLLATERAL  # the case under test
    assert moved[0] == SMALL_COLLATERAL and result.credits[0] == 0
    assert result.shortfall == taxes[0] - SMALL_COLLATERAL
    payers = [i for i, t in enumerate(taxes) if t > 0]
    receivers = [i for i, t in enumerate(taxes) if t < 0]
    assert payers and receivers
    for i in payers:  # nobody pays more than its tax, nor more than its collateral
        assert 0 < moved[i] <= min(taxes[i], SMALL_COLLATERAL)
    for i in payers[1:]:  # a payer within its collateral pays exactly its tax
        assert moved[i] == taxes[i] or taxes[i] > SMALL_COLLATERAL
    for i in receivers:  # receivers get a pro-rata share, never lose collateral
        assert taxes[i] <= moved[i] <= 0
        assert result.credits[i] >= SMALL_COLLATERAL
    paid = sum(moved[i] for i in payers)
    owed = -sum(taxes[i] for i in receivers)
    for i in receivers:
        assert abs(-moved[i] - (-taxes[i]) * paid / owed) < 1
    assert sum(result.credits) == 4 * SMALL_COLLATERAL  # nothing lost, nothing created
    assert_books_balanced(pesim)


def test_settle__no_shortfall__transfers_are_the_taxes(pesim, roles):
    members = roles.members
    messages = [msg([0.3, 0.1, 0.7], [1.0, 0.0, 0.0]), msg([0.0, 0.9, 0.2], [1.2, 0.0, 0.0]),
                msg([1.1, 0.4, 0.0], [0.9, 0.0, 0.0])]
    rid = registered_round(pesim, members)
    submit_all(pesim, rid, members, messages)
    result = pesim.settle(rid)
    assert result.shortfall == 0 and result.transfers == result.taxes
