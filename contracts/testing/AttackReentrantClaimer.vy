# pragma version 0.4.3
"""
@title Re-entrant claimer (test adversary, never deployed outside tests)
@license GNU Affero General Public License v3.0 only
@notice A member firm that is a contract. It commits and reveals like any
        firm, earns a reward, then pulls it with `attack_claim()`. When the
        alliance sends it ether, its `__default__` re-enters the alliance
        (`claim`, `finalise`, `fund`, or a view) according to `mode`, and
        records whether the re-entry succeeded and what it returned; or it
        refuses the ether outright. The attack tests read these records.
@dev Modes: 0 accept quietly; 1 re-enter `claim()`; 2 re-enter
     `finalise(target)`; 3 re-enter `fund()` with the ether just received;
     4 refuse every payment (revert); 5 re-enter `claim()` and let its
     failure propagate; 6 read `total_claimable()` while the outer call runs.
     Modes 1, 2, 3 and 6 swallow a failed re-entry so that the outer call's
     own outcome stays observable.
"""

interface IAisAlliance:
    def commit(commitment: bytes32): nonpayable
    def reveal(content_hash: bytes32, semantic_key: bytes32, category: uint256, claimed_class: uint256, salt: bytes32): nonpayable
    def claim() -> uint256: nonpayable

# @dev Behaviours of `__default__` (see the module docstring).
MODE_ACCEPT: constant(uint256) = 0
MODE_REENTER_CLAIM: constant(uint256) = 1
MODE_REENTER_FINALISE: constant(uint256) = 2
MODE_REENTER_FUND: constant(uint256) = 3
MODE_REFUSE: constant(uint256) = 4
MODE_REENTER_CLAIM_STRICT: constant(uint256) = 5
MODE_READ_DURING_CALL: constant(uint256) = 6
# @dev Longest revert payload kept (selector + offset + length + 100 bytes of reason).
MAX_RESPONSE: constant(uint256) = 196

# @dev The alliance under attack.
ALLIANCE: public(immutable(address))
# @dev Account that deployed the attacker; only it steers the attack.
OPERATOR: public(immutable(address))
# @dev What `__default__` does when ether arrives.
mode: public(uint256)
# @dev Indicator re-finalised in mode 2.
target: public(bytes32)
# @dev Wei received so far.
received: public(uint256)
# @dev Re-entries tried and re-entries that succeeded.
reentry_attempts: public(uint256)
reentry_successes: public(uint256)
# @dev Return data of the last re-entry (revert payload if it failed).
last_response: public(Bytes[MAX_RESPONSE])


@deploy
def __init__(alliance: address):
    """
    @param alliance The AisAlliance to attack.
    """
    ALLIANCE = alliance
    OPERATOR = msg.sender


@external
def set_mode(new_mode: uint256, new_target: bytes32):
    """
    @notice Choose what happens when ether arrives.
    """
    assert msg.sender == OPERATOR, "attack: not the operator"
    self.mode = new_mode
    self.target = new_target


# natrix: NTX4 accepted - false positive: the body makes an `extcall`, which a view cannot.
@external
def commit(commitment: bytes32):
    """
    @notice Commit as a member; the commitment binds this contract's address.
    """
    assert msg.sender == OPERATOR, "attack: not the operator"
    extcall IAisAlliance(ALLIANCE).commit(commitment)


# natrix: NTX4 accepted - false positive: the body makes an `extcall`, which a view cannot.
@external
def reveal(content_hash: bytes32, semantic_key: bytes32, category: uint256, claimed_class: uint256, salt: bytes32):
    """
    @notice Reveal a commitment made by `commit`.
    """
    assert msg.sender == OPERATOR, "attack: not the operator"
    extcall IAisAlliance(ALLIANCE).reveal(content_hash, semantic_key, category, claimed_class, salt)


# natrix: NTX4 accepted - false positive: the body makes an `extcall`, which a view cannot.
@external
def attack_claim() -> uint256:
    """
    @notice Pull this contract's reward; `__default__` runs inside it.
    """
    assert msg.sender == OPERATOR, "attack: not the operator"
    return extcall IAisAlliance(ALLIANCE).claim()


@external
@payable
def __default__():
    """
    @notice Receive ether and, by `mode`, re-enter the alliance or refuse.
    """
    m: uint256 = self.mode
    assert m != MODE_REFUSE, "attack: refusing ether"
    self.received += msg.value
    if m == MODE_ACCEPT or msg.sender != ALLIANCE:
        return
    if m == MODE_REENTER_CLAIM_STRICT:
        # Any failure of the re-entry reverts the whole outer claim.
        self.reentry_attempts += 1
        extcall IAisAlliance(ALLIANCE).claim()
        self.reentry_successes += 1
        return
    data: Bytes[36] = method_id("claim()")
    value: uint256 = 0
    if m == MODE_REENTER_FINALISE:
        data = abi_encode(self.target, method_id=method_id("finalise(bytes32)"))
    elif m == MODE_REENTER_FUND:
        data = method_id("fund()")
        value = msg.value
    elif m == MODE_READ_DURING_CALL:
        data = method_id("total_claimable()")
    self.reentry_attempts += 1
    ok: bool = False
    response: Bytes[MAX_RESPONSE] = b""
    ok, response = raw_call(ALLIANCE, data, max_outsize=MAX_RESPONSE, value=value, revert_on_failure=False)
    if ok:
        self.reentry_successes += 1
    self.last_response = response
