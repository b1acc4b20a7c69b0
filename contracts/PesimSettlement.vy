# pragma version 0.4.3
# pragma nonreentrancy on
"""
@title PESIM settlement of security-investment taxes
@license GNU Affero General Public License v3.0 only
@notice Runs rounds of the Positive Externality Security Investment
        Mechanism (Naghizadeh & Liu) among alliance members without trusting
        an operator with money. Governance opens a round for N members
        (2 <= N <= 32) with a collateral, a wei value of one utility unit and
        two windows. Each member registers by posting the collateral; once
        all N have, each sends one message m_i = (pi_i >= 0, x_i >= 0) in
        fixed point. When every message is in, or the message window has closed,
        anyone settles: the contract computes x_hat = (1/N) sum_i x_i and
        every tax t_i of eq. (7), rounded to wei by one rule that keeps the
        sum of the taxes at exactly zero, and credits each member
        collateral - t_i (pull payments, `withdraw()`).
@dev Two storage designs, chosen per round:
     DESIGN_STORAGE  `submit` stores the message (one word per coordinate,
                     O(N^2) words per round); `settle` reads it back.
     DESIGN_CALLDATA `submit` stores only keccak256(abi_encode(pi, x)) and
                     logs the message; `settle_with_messages` receives every
                     message again as calldata and checks it against the
                     hashes. Same rules, same events, same arithmetic.
     A member that sends no message is given the default message pi = 0,
     x = the mean of the submitted x (see `pesim_math._default_x`). A tax
     above the collateral takes the whole collateral and the shortfall is
     shared pro rata by the receivers (`pesim_math._transfers`). A message
     with the wrong length, a negative price, a negative investment or a
     coordinate out of bounds is refused: every investment proposal is in
     [0, MAX_ABS_X], so the outcome x_hat and every default message are
     >= 0 (PESIM's incentive argument compares outcomes in the non-negative
     orthant only; a negative x_hat_k let a member facing a positive
     Lindahl price for k lower its own tax, see docs/pesim_onchain.md). Pausing only stops new rounds and registrations: messages,
     settlement, cancellation and withdrawals never stop, so a pauser can
     neither trap collateral nor silence a member.
"""

from snekmate.auth import access_control
from snekmate.utils import pausable

import packing
import pesim_math

initializes: access_control
initializes: pausable

# `set_role_admin` is left out: the role scheme (admin > governor, pauser)
# is fixed at deployment so that a governor cannot re-parent roles.
exports: (
    access_control.supportsInterface,
    access_control.hasRole,
    access_control.getRoleAdmin,
    access_control.grantRole,
    access_control.revokeRole,
    access_control.renounceRole,
    access_control.DEFAULT_ADMIN_ROLE,
    pausable.paused,
)

# ---------------------------------------------------------------- constants

# @dev Role that opens rounds.
GOVERNOR_ROLE: public(constant(bytes32)) = keccak256("GOVERNOR_ROLE")
# @dev Role that may pause and unpause.
PAUSER_ROLE: public(constant(bytes32)) = keccak256("PAUSER_ROLE")

# @dev Participants per round.
MIN_N: public(constant(uint256)) = 2
MAX_N: public(constant(uint256)) = pesim_math.MAX_N
# @dev Fixed-point scales and message bounds (see `pesim_math`).
X_SCALE: public(constant(int256)) = pesim_math.X_SCALE
PI_SCALE: public(constant(int256)) = pesim_math.PI_SCALE
MAX_ABS_X: public(constant(int256)) = pesim_math.MAX_ABS_X
MAX_PI: public(constant(int256)) = pesim_math.MAX_PI
# @dev Largest wei value of one utility unit.
MAX_WEI_PER_UNIT: public(constant(uint256)) = pesim_math.MAX_WEI_PER_UNIT
# @dev Largest collateral per participant, in wei (keeps pro-rata products in range).
MAX_COLLATERAL_WEI: public(constant(uint256)) = 2**96
# @dev Bounds of the registration and message windows, in seconds.
MIN_PERIOD_S: public(constant(uint256)) = 60
MAX_PERIOD_S: public(constant(uint256)) = 30 * 86_400

# @dev Designs.
DESIGN_STORAGE: public(constant(uint256)) = 0
DESIGN_CALLDATA: public(constant(uint256)) = 1

# @dev Round status codes.
STATUS_NONE: constant(uint256) = 0
STATUS_OPEN: constant(uint256) = 1
STATUS_SETTLED: constant(uint256) = 2
STATUS_CANCELLED: constant(uint256) = 3

# @dev A stored investment is x + X_OFFSET (always positive, below 2^128).
X_OFFSET: constant(int256) = 2**127

# ------------------------------------------------------------ storage layout
# @dev Every packed word, written down once: the shift of each field (its
#      lowest bit); widths are the `packing` masks named in each comment.
# _head[round]: status (8) | design (8) | n (8, in 16 bits) | registered (32) |
#               submitted (32) | registration deadline (64) | message deadline (64).
HEAD_DESIGN: constant(uint256) = 8
HEAD_N: constant(uint256) = 16
HEAD_REGISTERED: constant(uint256) = 32
HEAD_SUBMITTED: constant(uint256) = 64
HEAD_REGISTRATION_DEADLINE: constant(uint256) = 96
HEAD_MESSAGE_DEADLINE: constant(uint256) = 160
# _terms[round]: collateral wei (128) | wei per unit (128).
TERMS_WEI_PER_UNIT: constant(uint256) = 128
# _packed[round][i][k] (storage design): x + X_OFFSET (128) | pi (128).
MESSAGE_PI: constant(uint256) = 128

# ------------------------------------------------------------------ storage

# @dev Rounds opened so far; round ids are 1..round_count.
round_count: public(uint256)
# @dev Packed round head: status | design << 8 | n << 16 | registered << 32
#      | submitted << 64 | registration deadline << 96 | message deadline << 160.
_head: HashMap[uint256, uint256]
# @dev Packed round terms: collateral wei | wei per unit << 128.
_terms: HashMap[uint256, uint256]
# @dev Participants of each round, in PESIM's cyclic order.
_roster: HashMap[uint256, DynArray[address, MAX_N]]
# @dev Index plus one of each participant in a round (0 = not a participant).
_index_plus_one: HashMap[uint256, HashMap[address, uint256]]
# @dev DESIGN_STORAGE messages: round -> index -> coordinate -> pi << 128 | (x + X_OFFSET).
_packed: HashMap[uint256, HashMap[uint256, uint256[MAX_N]]]
# @dev Hash of every message, keccak256(abi_encode(pi, x)), both designs.
_digest: HashMap[uint256, HashMap[uint256, bytes32]]

# @dev Wei each account can pull now.
withdrawable: public(HashMap[address, uint256])
# @dev Sum of `withdrawable`.
total_withdrawable: public(uint256)
# @dev Collateral held by rounds that are neither settled nor cancelled.
locked_collateral: public(uint256)

# ------------------------------------------------------------------- events

event RoundOpened:
    round_id: indexed(uint256)
    participants: DynArray[address, MAX_N]
    design: uint256
    collateral_wei: uint256
    wei_per_unit: uint256
    registration_deadline: uint256
    message_deadline: uint256

event ParticipantRegistered:
    round_id: indexed(uint256)
    participant: indexed(address)
    index: uint256
    collateral_wei: uint256

event RegistrationCompleted:
    round_id: indexed(uint256)
    message_deadline: uint256

event MessageSubmitted:
    round_id: indexed(uint256)
    participant: indexed(address)
    index: uint256
    digest: bytes32
    pi: DynArray[int256, MAX_N]
    x: DynArray[int256, MAX_N]

event DefaultMessageApplied:
    round_id: indexed(uint256)
    participant: indexed(address)
    index: uint256
    x: DynArray[int256, MAX_N]

event TaxSettled:
    round_id: indexed(uint256)
    participant: indexed(address)
    index: uint256
    tax_wei: int256
    transfer_wei: int256
    credited_wei: uint256

event RoundSettled:
    round_id: indexed(uint256)
    settler: indexed(address)
    x_sum: DynArray[int256, MAX_N]
    submitted: uint256
    shortfall_wei: uint256

event CollateralRefunded:
    round_id: indexed(uint256)
    participant: indexed(address)
    amount: uint256

event RoundCancelled:
    round_id: indexed(uint256)
    refunded_wei: uint256

event Withdrawn:
    account: indexed(address)
    amount: uint256


# ------------------------------------------------------------- constructor

@deploy
def __init__():
    """
    @dev The deployer holds every role at first.
    """
    access_control.__init__()
    pausable.__init__()
    access_control._grant_role(GOVERNOR_ROLE, msg.sender)
    access_control._grant_role(PAUSER_ROLE, msg.sender)


# ------------------------------------------------------------- governance

@external
def pause():
    """
    @notice Stop new rounds and registrations. Messages, settlement,
            cancellation and withdrawals go on.
    @dev Only PAUSER_ROLE.
    """
    access_control._check_role(PAUSER_ROLE, msg.sender)
    pausable._pause()


@external
def unpause():
    """
    @notice Resume opening rounds and registering.
    @dev Only PAUSER_ROLE.
    """
    access_control._check_role(PAUSER_ROLE, msg.sender)
    pausable._unpause()


@external
def open_round(
    participants: DynArray[address, MAX_N],
    collateral_wei: uint256,
    wei_per_unit: uint256,
    registration_period: uint256,
    message_period: uint256,
    design: uint256,
) -> uint256:
    """
    @notice Open a PESIM round among `participants`, in that cyclic order.
    @dev Registration closes `registration_period` seconds from now; the
         message window closes `message_period` seconds after that.
         Messages are accepted as soon as every participant has registered.
    @param participants 2..32 distinct non-zero accounts.
    @param collateral_wei Collateral each posts, in (0, MAX_COLLATERAL_WEI].
    @param wei_per_unit Wei value of one utility unit, in [1, MAX_WEI_PER_UNIT].
    @param registration_period Seconds, in [MIN_PERIOD_S, MAX_PERIOD_S].
    @param message_period Seconds, in [MIN_PERIOD_S, MAX_PERIOD_S].
    @param design DESIGN_STORAGE or DESIGN_CALLDATA.
    @return uint256 The round id.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    pausable._require_not_paused()
    n: uint256 = len(participants)
    assert n >= MIN_N, "pesim_settlement: too few participants"
    assert collateral_wei > 0 and collateral_wei <= MAX_COLLATERAL_WEI, "pesim_settlement: collateral out of bounds"
    assert wei_per_unit > 0 and wei_per_unit <= MAX_WEI_PER_UNIT, "pesim_settlement: wei per unit out of bounds"
    assert registration_period >= MIN_PERIOD_S and registration_period <= MAX_PERIOD_S, "pesim_settlement: period out of bounds"
    assert message_period >= MIN_PERIOD_S and message_period <= MAX_PERIOD_S, "pesim_settlement: period out of bounds"
    assert design == DESIGN_STORAGE or design == DESIGN_CALLDATA, "pesim_settlement: unknown design"
    round_id: uint256 = self.round_count + 1
    self.round_count = round_id
    for i: uint256 in range(n, bound=MAX_N):
        p: address = participants[i]
        assert p != empty(address), "pesim_settlement: zero address"
        assert self._index_plus_one[round_id][p] == 0, "pesim_settlement: duplicate participant"
        self._index_plus_one[round_id][p] = i + 1
    self._roster[round_id] = participants
    registration_deadline: uint256 = block.timestamp + registration_period
    message_deadline: uint256 = registration_deadline + message_period
    self._head[round_id] = (
        STATUS_OPEN | (design << HEAD_DESIGN) | (n << HEAD_N) | (registration_deadline << HEAD_REGISTRATION_DEADLINE) | (message_deadline << HEAD_MESSAGE_DEADLINE)
    )
    self._terms[round_id] = collateral_wei | (wei_per_unit << TERMS_WEI_PER_UNIT)
    log RoundOpened(
        round_id=round_id,
        participants=participants,
        design=design,
        collateral_wei=collateral_wei,
        wei_per_unit=wei_per_unit,
        registration_deadline=registration_deadline,
        message_deadline=message_deadline,
    )
    return round_id


# ------------------------------------------------------------ participants

@external
@payable
def register(round_id: uint256):
    """
    @notice Join a round as one of its participants by posting exactly its
            collateral, before registration closes.
    @param round_id The round.
    """
    pausable._require_not_paused()
    head: uint256 = self._open_head(round_id)
    index: uint256 = self._index_of(round_id, msg.sender)
    registered: uint256 = (head >> HEAD_REGISTERED) & packing.MASK32
    assert registered & (1 << index) == 0, "pesim_settlement: already registered"
    assert block.timestamp < (head >> HEAD_REGISTRATION_DEADLINE) & packing.MASK64, "pesim_settlement: registration closed"
    collateral: uint256 = self._terms[round_id] & packing.MASK128
    assert msg.value == collateral, "pesim_settlement: wrong collateral"
    registered |= 1 << index
    self._head[round_id] = head | (registered << HEAD_REGISTERED)
    self.locked_collateral += collateral
    log ParticipantRegistered(round_id=round_id, participant=msg.sender, index=index, collateral_wei=collateral)
    n: uint256 = (head >> HEAD_N) & packing.MASK8
    if registered == (1 << n) - 1:
        log RegistrationCompleted(round_id=round_id, message_deadline=(head >> HEAD_MESSAGE_DEADLINE) & packing.MASK64)


@external
def submit(round_id: uint256, pi: DynArray[int256, MAX_N], x: DynArray[int256, MAX_N]):
    """
    @notice Send the caller's PESIM message m_i = (pi_i, x_i), once, after
            every participant has registered and before the message window
            closes.
    @dev Fixed point: pi_i[k] * PI_SCALE and x_i[k] * X_SCALE. Both vectors
         have length N, 0 <= pi <= MAX_PI and 0 <= x <= MAX_ABS_X.
    @param round_id The round.
    @param pi The price proposal pi_i (one entry per participant).
    @param x The investment proposal x_i (one entry per participant).
    """
    head: uint256 = self._open_head(round_id)
    index: uint256 = self._index_of(round_id, msg.sender)
    n: uint256 = (head >> HEAD_N) & packing.MASK8
    full: uint256 = (1 << n) - 1
    assert (head >> HEAD_REGISTERED) & packing.MASK32 == full, "pesim_settlement: registration incomplete"
    assert block.timestamp < (head >> HEAD_MESSAGE_DEADLINE) & packing.MASK64, "pesim_settlement: messages closed"
    submitted: uint256 = (head >> HEAD_SUBMITTED) & packing.MASK32
    assert submitted & (1 << index) == 0, "pesim_settlement: already submitted"
    self._check_message(pi, x, n)
    digest: bytes32 = keccak256(abi_encode(pi, x))
    if (head >> HEAD_DESIGN) & packing.MASK8 == DESIGN_STORAGE:
        for k: uint256 in range(n, bound=MAX_N):
            self._packed[round_id][index][k] = (convert(pi[k], uint256) << MESSAGE_PI) | convert(x[k] + X_OFFSET, uint256)
    self._digest[round_id][index] = digest
    self._head[round_id] = head | ((submitted | (1 << index)) << HEAD_SUBMITTED)
    log MessageSubmitted(round_id=round_id, participant=msg.sender, index=index, digest=digest, pi=pi, x=x)


# natrix: NTX1 accepted - the frame holds N messages of N coordinates, bounded by MAX_N = 32; the worst settlement measured is 5.67M gas (docs/pesim_onchain.md, test_pesim_gas.py)
@external
def settle(round_id: uint256):
    """
    @notice Settle a DESIGN_STORAGE round from its stored messages, once
            every message is in or the message window has closed. Anyone
            may call it.
    @param round_id The round.
    """
    head: uint256 = self._settleable_head(round_id)
    assert (head >> HEAD_DESIGN) & packing.MASK8 == DESIGN_STORAGE, "pesim_settlement: wrong design"
    n: uint256 = (head >> HEAD_N) & packing.MASK8
    submitted: uint256 = (head >> HEAD_SUBMITTED) & packing.MASK32
    pis: DynArray[DynArray[int256, MAX_N], MAX_N] = []
    xs: DynArray[DynArray[int256, MAX_N], MAX_N] = []
    for i: uint256 in range(n, bound=MAX_N):
        p: DynArray[int256, MAX_N] = []
        q: DynArray[int256, MAX_N] = []
        if submitted & (1 << i) != 0:
            for k: uint256 in range(n, bound=MAX_N):
                word: uint256 = self._packed[round_id][i][k]
                p.append(convert(word >> MESSAGE_PI, int256))
                q.append(convert(word & packing.MASK128, int256) - X_OFFSET)
        pis.append(p)
        xs.append(q)
    self._settle(round_id, head, pis, xs)


# natrix: NTX1 accepted - the frame holds N messages of N coordinates, bounded by MAX_N = 32; the worst settlement measured is 5.67M gas (docs/pesim_onchain.md, test_pesim_gas.py)
@external
def settle_with_messages(
    round_id: uint256,
    pis: DynArray[DynArray[int256, MAX_N], MAX_N],
    xs: DynArray[DynArray[int256, MAX_N], MAX_N],
):
    """
    @notice Settle a DESIGN_CALLDATA round, once every message is in or the
            message window has closed, from the messages given as calldata
            (as logged by `MessageSubmitted`). Anyone may call it.
    @dev One entry per participant, in round order: the participant's
         message, which must hash to its commitment, or two empty arrays for
         a participant that sent none.
    @param round_id The round.
    @param pis The price proposals.
    @param xs The investment proposals.
    """
    head: uint256 = self._settleable_head(round_id)
    assert (head >> HEAD_DESIGN) & packing.MASK8 == DESIGN_CALLDATA, "pesim_settlement: wrong design"
    n: uint256 = (head >> HEAD_N) & packing.MASK8
    assert len(pis) == n and len(xs) == n, "pesim_settlement: wrong message count"
    submitted: uint256 = (head >> HEAD_SUBMITTED) & packing.MASK32
    for i: uint256 in range(n, bound=MAX_N):
        if submitted & (1 << i) != 0:
            assert keccak256(abi_encode(pis[i], xs[i])) == self._digest[round_id][i], "pesim_settlement: message does not match commitment"
        else:
            assert len(pis[i]) == 0 and len(xs[i]) == 0, "pesim_settlement: message for a non-submitter"
    self._settle(round_id, head, pis, xs)


@external
def cancel(round_id: uint256):
    """
    @notice Cancel a round whose registration closed before every
            participant registered; each registered participant can then
            withdraw its collateral in full. Anyone may call it.
    @param round_id The round.
    """
    head: uint256 = self._open_head(round_id)
    n: uint256 = (head >> HEAD_N) & packing.MASK8
    registered: uint256 = (head >> HEAD_REGISTERED) & packing.MASK32
    assert registered != (1 << n) - 1, "pesim_settlement: registration complete"
    assert block.timestamp >= (head >> HEAD_REGISTRATION_DEADLINE) & packing.MASK64, "pesim_settlement: registration still open"
    collateral: uint256 = self._terms[round_id] & packing.MASK128
    refunded: uint256 = 0
    for i: uint256 in range(n, bound=MAX_N):
        if registered & (1 << i) != 0:
            p: address = self._roster[round_id][i]
            self.withdrawable[p] += collateral
            refunded += collateral
            log CollateralRefunded(round_id=round_id, participant=p, amount=collateral)
    self.total_withdrawable += refunded
    self.locked_collateral -= refunded
    self._head[round_id] = (head & ~packing.MASK8) | STATUS_CANCELLED
    log RoundCancelled(round_id=round_id, refunded_wei=refunded)


@external
def withdraw() -> uint256:
    """
    @notice Pull everything the caller can withdraw (settled balances and
            refunds of every round). Never paused.
    @return uint256 The wei sent.
    """
    amount: uint256 = self.withdrawable[msg.sender]
    assert amount > 0, "pesim_settlement: nothing to withdraw"
    self.withdrawable[msg.sender] = 0
    self.total_withdrawable -= amount
    log Withdrawn(account=msg.sender, amount=amount)
    raw_call(msg.sender, b"", value=amount)
    return amount


# ------------------------------------------------------------------- views

@external
@view
def round_info(round_id: uint256) -> (uint256, uint256, uint256, uint256, uint256, uint256, uint256, uint256, uint256):
    """
    @notice A round's state.
    @param round_id The round.
    @return (uint256, uint256, uint256, uint256, uint256, uint256, uint256, uint256, uint256)
            N, design, status (0 none, 1 open, 2 settled, 3 cancelled),
            collateral in wei, wei per unit, registration deadline, message
            deadline, registered bitmap, submitted bitmap.
    """
    head: uint256 = self._head[round_id]
    terms: uint256 = self._terms[round_id]
    return (
        (head >> HEAD_N) & packing.MASK8,
        (head >> HEAD_DESIGN) & packing.MASK8,
        head & packing.MASK8,
        terms & packing.MASK128,
        terms >> TERMS_WEI_PER_UNIT,
        (head >> HEAD_REGISTRATION_DEADLINE) & packing.MASK64,
        (head >> HEAD_MESSAGE_DEADLINE) & packing.MASK64,
        (head >> HEAD_REGISTERED) & packing.MASK32,
        (head >> HEAD_SUBMITTED) & packing.MASK32,
    )


@external
@view
def participants(round_id: uint256) -> DynArray[address, MAX_N]:
    """
    @notice The participants of a round, in cyclic order.
    @param round_id The round.
    @return DynArray[address, MAX_N] The participants (empty for an unknown round).
    """
    return self._roster[round_id]


@external
@view
def index_of(round_id: uint256, account: address) -> uint256:
    """
    @notice A participant's index in its round; reverts for anyone else.
    @param round_id The round.
    @param account The account.
    @return uint256 Its index, 0..N-1.
    """
    return self._index_of(round_id, account)


@external
@view
def digest_of(round_id: uint256, index: uint256) -> bytes32:
    """
    @notice keccak256(abi_encode(pi, x)) of a participant's message (zero if none).
    @param round_id The round.
    @param index The participant's index.
    @return bytes32 The message hash.
    """
    return self._digest[round_id][index]


@external
@view
def stored_message(round_id: uint256, index: uint256) -> (DynArray[int256, MAX_N], DynArray[int256, MAX_N]):
    """
    @notice The message a participant stored in a DESIGN_STORAGE round.
    @param round_id The round.
    @param index The participant's index.
    @return (DynArray[int256, MAX_N], DynArray[int256, MAX_N]) Its pi and x, fixed point.
    """
    head: uint256 = self._head[round_id]
    assert (head >> HEAD_DESIGN) & packing.MASK8 == DESIGN_STORAGE, "pesim_settlement: wrong design"
    assert (head >> HEAD_SUBMITTED) & (1 << index) != 0, "pesim_settlement: no such message"
    n: uint256 = (head >> HEAD_N) & packing.MASK8
    p: DynArray[int256, MAX_N] = []
    q: DynArray[int256, MAX_N] = []
    for k: uint256 in range(n, bound=MAX_N):
        word: uint256 = self._packed[round_id][index][k]
        p.append(convert(word >> MESSAGE_PI, int256))
        q.append(convert(word & packing.MASK128, int256) - X_OFFSET)
    return p, q


# ---------------------------------------------------------------- internal

@internal
@view
def _open_head(round_id: uint256) -> uint256:
    head: uint256 = self._head[round_id]
    assert head != 0, "pesim_settlement: unknown round"
    assert head & packing.MASK8 == STATUS_OPEN, "pesim_settlement: round not open"
    return head


@internal
@view
def _index_of(round_id: uint256, account: address) -> uint256:
    i: uint256 = self._index_plus_one[round_id][account]
    assert i != 0, "pesim_settlement: caller is not a participant"
    return i - 1


@internal
@view
def _settleable_head(round_id: uint256) -> uint256:
    head: uint256 = self._open_head(round_id)
    n: uint256 = (head >> HEAD_N) & packing.MASK8
    full: uint256 = (1 << n) - 1
    assert (head >> HEAD_REGISTERED) & packing.MASK32 == full, "pesim_settlement: registration incomplete"
    assert (head >> HEAD_SUBMITTED) & packing.MASK32 == full or block.timestamp >= (head >> HEAD_MESSAGE_DEADLINE) & packing.MASK64, "pesim_settlement: messages still open"
    return head


@internal
@pure
def _check_message(pi: DynArray[int256, MAX_N], x: DynArray[int256, MAX_N], n: uint256):
    assert len(pi) == n and len(x) == n, "pesim_settlement: wrong message length"
    for k: uint256 in range(n, bound=MAX_N):
        assert pi[k] >= 0, "pesim_settlement: negative price"
        assert pi[k] <= MAX_PI, "pesim_settlement: price out of range"
        assert x[k] >= 0, "pesim_settlement: negative investment"
        assert x[k] <= MAX_ABS_X, "pesim_settlement: investment out of range"


# natrix: NTX1 accepted - the frame holds N messages of N coordinates, bounded by MAX_N = 32; the worst settlement measured is 5.67M gas (docs/pesim_onchain.md, test_pesim_gas.py)
@internal
def _settle(
    round_id: uint256,
    head: uint256,
    given_pis: DynArray[DynArray[int256, MAX_N], MAX_N],
    given_xs: DynArray[DynArray[int256, MAX_N], MAX_N],
):
    """
    @dev Complete the profile with default messages, compute the taxes and
         the transfers, credit every participant collateral - transfer, and
         close the round. Every credited wei was posted as collateral in
         this round: the credits sum to N * collateral exactly.
    """
    n: uint256 = (head >> HEAD_N) & packing.MASK8
    submitted: uint256 = (head >> HEAD_SUBMITTED) & packing.MASK32
    terms: uint256 = self._terms[round_id]
    collateral: uint256 = terms & packing.MASK128
    pis: DynArray[DynArray[int256, MAX_N], MAX_N] = given_pis
    xs: DynArray[DynArray[int256, MAX_N], MAX_N] = given_xs
    roster: DynArray[address, MAX_N] = self._roster[round_id]
    if submitted != (1 << n) - 1:
        dx: DynArray[int256, MAX_N] = pesim_math._default_x(xs, submitted, n)
        # N zeros (the default price): a copy of dx, which has length N, cleared.
        zeros: DynArray[int256, MAX_N] = dx
        for k: uint256 in range(n, bound=MAX_N):
            zeros[k] = 0
        for i: uint256 in range(n, bound=MAX_N):
            if submitted & (1 << i) == 0:
                pis[i] = zeros
                xs[i] = dx
                log DefaultMessageApplied(round_id=round_id, participant=roster[i], index=i, x=dx)
    taxes: DynArray[int256, MAX_N] = []
    sums: DynArray[int256, MAX_N] = []
    taxes, sums = pesim_math._taxes(pis, xs, terms >> TERMS_WEI_PER_UNIT)
    transfers: DynArray[int256, MAX_N] = []
    shortfall: uint256 = 0
    transfers, shortfall = pesim_math._transfers(taxes, collateral)
    credited_total: uint256 = 0
    for i: uint256 in range(n, bound=MAX_N):
        credit: uint256 = convert(convert(collateral, int256) - transfers[i], uint256)
        p: address = roster[i]
        self.withdrawable[p] += credit
        credited_total += credit
        log TaxSettled(round_id=round_id, participant=p, index=i, tax_wei=taxes[i], transfer_wei=transfers[i], credited_wei=credit)
    self.total_withdrawable += credited_total
    self.locked_collateral -= n * collateral
    self._head[round_id] = (head & ~packing.MASK8) | STATUS_SETTLED
    log RoundSettled(round_id=round_id, settler=msg.sender, x_sum=sums, submitted=submitted, shortfall_wei=shortfall)
