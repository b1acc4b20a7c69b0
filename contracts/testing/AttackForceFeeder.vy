# pragma version 0.4.3
"""
@title Force feeder (test adversary, never deployed outside tests)
@license GNU Affero General Public License v3.0 only
@notice Forces ether into a contract without calling it, as a block reward
        or a `selfdestruct` can: no function of the target runs, so its
        books never hear of the wei. The attack tests use it to show that
        the alliance reports such wei as surplus, never as a broken ledger.
@dev Since EIP-6780 `selfdestruct` outside the creating transaction only
     sends the balance (the code stays); that is exactly the forced
     transfer the tests need.
"""


@deploy
@payable
def __init__():
    """
    @dev Deployed with the ether it will force.
    """
    pass


@external
def force(target: address):
    """
    @notice Send this contract's whole balance to `target` without calling it.
    """
    selfdestruct(target)
