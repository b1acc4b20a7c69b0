# pragma version 0.4.3
# pragma nonreentrancy on
# pragma optimize codesize
"""
@title Automated Indicator Sharing alliance
@license GNU Affero General Public License v3.0 only
@notice The whole on-chain life of a threat indicator in an information
        sharing alliance (an ISAC): member firms commit and reveal the
        keccak-256 of a STIX 2.1 bundle, an appointed panel votes on it
        (valid, CVSS base score x10, scope), anyone finalises, and the pool
        credits the submitter by the reward formula of `reward_math`.
        Rewards are pulled with `claim()`; a reward the pool cannot pay yet
        is queued as a debt and paid, in order, when the pool is funded.
        Reputation and pool access follow verified contributions.
@dev Storage of an indicator is packed into words (head, ballot, and the
     outcome once verified) because reveal and vote are the calls members
     make most: a vote only ever updates the ballot word.
     The panel is a set of at most `MAX_PANEL` seats; each seat votes once
     per indicator. Every state change emits an event, so that the history
     of every indicator and every wei can be rebuilt from logs alone.
"""

from snekmate.auth import access_control
from snekmate.utils import pausable

import packing
import reward_math

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

# @dev Role that runs membership, the panel and the reward schedule.
GOVERNOR_ROLE: public(constant(bytes32)) = keccak256("GOVERNOR_ROLE")
# @dev Role that may pause and unpause.
PAUSER_ROLE: public(constant(bytes32)) = keccak256("PAUSER_ROLE")

# @dev Largest panel (seats); bounds every loop over votes.
MAX_PANEL: public(constant(uint256)) = 16
# @dev Number of indicator categories: the 14 MITRE ATT&CK Enterprise tactics
#      (codes 0..13; the table lives in `sharing/standards/stix.py`).
MAX_CATEGORIES: public(constant(uint256)) = 14
# @dev Sector tiers: 0 critical infrastructure, 1 core business, 2 small business.
TIERS: constant(uint256) = 3
# @dev Indicator classes: 0 root vulnerability, 1 specific.
CLASSES: constant(uint256) = 2
# @dev Scopes: 0 single organisation, 1 sector-wide, 2 cross-sector.
SCOPES: constant(uint256) = 3
# @dev CVSS base score x10 ceiling.
MAX_SCORE_X10: constant(uint256) = 100

# @dev Hard bounds that governance can never leave. Not exported as getters
#      (the runtime code must stay under EIP-170's 24,576 bytes); the same
#      numbers are `sharing.quote.BOUNDS` in Python.
MAX_BASE_REWARD_WEI: constant(uint256) = 100 * 10**18
MAX_MULT_BPS: constant(uint256) = 50_000
MIN_CLASS_SCOPE_MULT_BPS: constant(uint256) = 1_000
PRICE_FLOOR_BPS: constant(uint256) = 1_000
PRICE_CEILING_BPS: constant(uint256) = 30_000
MIN_DECAY_BPS: constant(uint256) = 5_000
MAX_RECOVERY_BPS: constant(uint256) = 10_000
MIN_WINDOW_S: constant(uint256) = 60
MAX_WINDOW_S: constant(uint256) = 30 * 86_400
MIN_EPOCH_S: constant(uint256) = 60
MAX_EPOCH_S: constant(uint256) = 365 * 86_400
MAX_ACCESS_EPOCHS: constant(uint256) = 520
MAX_REJECT_PENALTY: constant(uint256) = 10_000
# @dev Debts settled automatically by one `fund()`; more via `settle_debts`.
AUTO_SETTLE_DEBTS: constant(uint256) = 8
MAX_SETTLE_DEBTS: constant(uint256) = 64

# @dev Indicator status codes.
STATUS_NONE: constant(uint256) = 0
STATUS_PENDING: constant(uint256) = 1
STATUS_VERIFIED: constant(uint256) = 2
STATUS_REJECTED: constant(uint256) = 3
STATUS_EXPIRED: constant(uint256) = 4
STATUS_SUPERSEDED: constant(uint256) = 5


# ------------------------------------------------------------ storage layout
# @dev Every packed word, written down once: the shift of each field (its
#      lowest bit); widths are the `packing` masks named in each comment.
# _head[h]: submitter (160) | sequence (64) | category (8) | class (8) | status (8).
HEAD_SEQUENCE: constant(uint256) = 160
HEAD_CATEGORY: constant(uint256) = 224
HEAD_CLASS: constant(uint256) = 232
HEAD_STATUS: constant(uint256) = 240
# _ballot[h]: seats voted (16) | valid (8) | invalid (8) | 16 entries of 9 bits
#             (score << 2 | scope) | vote opens (40) | vote window (24) | quorum (8).
BALLOT_VALID: constant(uint256) = 16
BALLOT_INVALID: constant(uint256) = 24
BALLOT_ENTRIES: constant(uint256) = 32
BALLOT_ENTRY_BITS: constant(uint256) = 9
BALLOT_OPENS: constant(uint256) = 176
BALLOT_WINDOW: constant(uint256) = 216
BALLOT_QUORUM: constant(uint256) = 240
# _outcome[h]: severity (8) | scope (8) | reward (128), decided at finalisation;
#              eligible seats (16) | price at reveal (16) | appointment mark (64), fixed at reveal.
OUTCOME_SCOPE: constant(uint256) = 8
OUTCOME_REWARD: constant(uint256) = 16
TERMS_ELIGIBLE: constant(uint256) = 144
TERMS_PRICE: constant(uint256) = 160
TERMS_MARK: constant(uint256) = 176
# _commits[firm][c]: timestamp (64) | block (64) | sequence (128).
COMMIT_BLOCK: constant(uint256) = 64
COMMIT_SEQUENCE: constant(uint256) = 128
# _price[category]: index after the last verified report (128) | epoch + 1 (128).
PRICE_EPOCH: constant(uint256) = 128

# --------------------------------------------------------------- immutables

# @dev Timestamp of epoch 0.
GENESIS_TIME: public(immutable(uint256))
# @dev Length of an epoch in seconds (access and price recovery count epochs).
EPOCH_LENGTH: public(immutable(uint256))

# ------------------------------------------------------------------ storage

# @dev Member tier plus one (0 = not a member).
_tier_plus_one: HashMap[address, uint256]
# @dev Epoch of the member's last verified indicator plus one (0 = never).
last_verified_epoch_plus_one: public(HashMap[address, uint256])
# @dev Last epoch (plus one) of an access right granted by governance.
access_granted_until_plus_one: public(HashMap[address, uint256])
# @dev Reputation points; rises with verified value, falls with rejections.
reputation: public(HashMap[address, int256])

# @dev Panel seat (plus one) held by an address (0 = not a panellist).
_seat_plus_one: HashMap[address, uint256]
# @dev Holder of each seat.
seat_holder: public(address[MAX_PANEL])
# @dev Firm a panellist belongs to (it never votes on that firm's indicators).
panellist_affiliation: public(HashMap[address, address])
# @dev Appointments made so far. Every appointment gets the next number, and an
#      indicator's panel is the seats held at its reveal by appointments numbered
#      at most the count then: a seat filled again, or a panellist re-seated,
#      is a new voter that cannot vote on what was revealed before it.
appointment_count: public(uint256)
# @dev Number of the appointment that gave the panellist its current seat.
appointment_number: public(HashMap[address, uint256])
# @dev Per firm, bit i set when seat i is held by a panellist affiliated with it.
_affiliated_seats: HashMap[address, uint256]
# @dev Number of occupied seats.
panel_size: public(uint256)
# @dev Bit i set when seat i is occupied (finalise reads only those seats).
_occupied_seats: uint256
# @dev Governance's quorum (a strict majority of the whole panel, or more). An
#      indicator's own quorum is fixed at its reveal from its n eligible seats:
#      max(n // 2 + 1, ceil(quorum * n / panel_size)).
quorum: public(uint256)

# @dev Commitment -> packed (sequence << 128 | block << 64 | timestamp), per sender.
_commits: HashMap[address, HashMap[bytes32, uint256]]
# @dev Commitments made so far; orders "who committed first".
commit_count: public(uint256)

# @dev Packed head: submitter | sequence << 160 | category << 224 | class << 232 | status << 240.
_head: HashMap[bytes32, uint256]
# @dev Packed ballot, written at reveal so that every vote only updates it:
#      seat bitmap (16) | valid (8) << 16 | invalid (8) << 24 | 16 x 9-bit
#      entries (score << 2 | scope) << 32 | vote opens (40) << 176 |
#      vote window (24) << 216 | quorum (8) << 240.
_ballot: HashMap[bytes32, uint256]
# @dev Terms fixed at reveal and the outcome decided at finalisation:
#      severity (8) | scope (8) << 8 | reward (128) << 16 | eligible seats (16) << 144 |
#      price index at reveal (16) << 160 | appointment high-water mark (64) << 176.
_outcome: HashMap[bytes32, uint256]
# @dev Semantic key (the normalised observable) -> the content hash that holds it:
#      one observable is revealed, and paid, once.
_key_holder: HashMap[bytes32, bytes32]

# @dev Seconds after a commit during which it may be revealed; voting opens after.
reveal_window: public(uint256)
# @dev Seconds the panel has to vote.
vote_window: public(uint256)
# @dev A verified contribution grants pool access for this many epochs.
access_epochs: public(uint256)
# @dev When True every member reads the pool (the "open pool" regime).
pool_open: public(bool)
# @dev Reputation points lost per rejected indicator.
reject_penalty: public(uint256)

# @dev Reward schedule (see `reward_math._reward`).
base_reward_wei: public(uint256[TIERS])
class_mult_bps: public(uint256[CLASSES])
severity_mult_bps: public(uint256[reward_math.SEVERITY_BANDS])
scope_mult_bps: public(uint256[SCOPES])

# @dev Dynamic price index rule.
price_base_bps: public(uint256)
price_min_bps: public(uint256)
price_max_bps: public(uint256)
price_decay_bps: public(uint256)
price_recovery_bps: public(uint256)
# @dev Per category: index after its last verified report | (epoch + 1) << 128.
_price: HashMap[uint256, uint256]

# @dev Wei each firm can pull now.
claimable: public(HashMap[address, uint256])
# @dev Sum of `claimable`.
total_claimable: public(uint256)
# @dev Funded wei not yet allocated to anyone.
unallocated: public(uint256)
# @dev Wei owed to each firm that the pool could not pay yet.
owed: public(HashMap[address, uint256])
# @dev Sum of `owed` (a liability not backed by the balance).
total_owed: public(uint256)
# @dev FIFO queue of debts: index -> firm and amount still owed.
debt_firm: public(HashMap[uint256, address])
debt_amount: public(HashMap[uint256, uint256])
debt_head: public(uint256)
debt_tail: public(uint256)

# ------------------------------------------------------------------- events

event MemberRegistered:
    firm: indexed(address)
    tier: uint256

event MemberTierChanged:
    firm: indexed(address)
    tier: uint256

event MemberRemoved:
    firm: indexed(address)

event AccessGranted:
    firm: indexed(address)
    until_epoch: uint256

event PanellistAppointed:
    panellist: indexed(address)
    seat: uint256
    affiliation: address

event PanellistRemoved:
    panellist: indexed(address)
    seat: uint256

event QuorumChanged:
    quorum: uint256

event WindowsChanged:
    reveal_window: uint256
    vote_window: uint256

event AccessRuleChanged:
    access_epochs: uint256
    pool_open: bool

event RejectPenaltyChanged:
    penalty: uint256

event RewardScheduleChanged:
    base_reward_wei: uint256[TIERS]
    class_mult_bps: uint256[CLASSES]
    severity_mult_bps: uint256[reward_math.SEVERITY_BANDS]
    scope_mult_bps: uint256[SCOPES]

event PriceRuleChanged:
    base_bps: uint256
    min_bps: uint256
    max_bps: uint256
    decay_bps: uint256
    recovery_bps: uint256

event IndicatorCommitted:
    firm: indexed(address)
    commitment: indexed(bytes32)
    sequence: uint256

event IndicatorRevealed:
    content_hash: indexed(bytes32)
    firm: indexed(address)
    semantic_key: indexed(bytes32)
    category: uint256
    claimed_class: uint256
    sequence: uint256
    vote_opens: uint256
    vote_closes: uint256
    eligible_seats: uint256
    quorum: uint256
    price_bps: uint256

event IndicatorSuperseded:
    content_hash: indexed(bytes32)
    displaced: indexed(address)
    firm: indexed(address)
    by_content_hash: bytes32

event VoteCast:
    content_hash: indexed(bytes32)
    panellist: indexed(address)
    seat: uint256
    valid: bool
    score_x10: uint256
    scope: uint256

event IndicatorFinalised:
    content_hash: indexed(bytes32)
    firm: indexed(address)
    status: uint256
    severity_x10: uint256
    scope: uint256
    reward: uint256

event PriceIndexUpdated:
    category: indexed(uint256)
    priced_bps: uint256
    new_bps: uint256

event ReputationChanged:
    firm: indexed(address)
    delta: int256
    reputation: int256

event PoolFunded:
    funder: indexed(address)
    amount: uint256

event RewardCredited:
    firm: indexed(address)
    content_hash: indexed(bytes32)
    amount: uint256

event RewardOwed:
    firm: indexed(address)
    content_hash: indexed(bytes32)
    amount: uint256
    debt_index: uint256

event DebtSettled:
    firm: indexed(address)
    debt_index: uint256
    amount: uint256
    remaining: uint256

event RewardClaimed:
    firm: indexed(address)
    amount: uint256

event SurplusSwept:
    recipient: indexed(address)
    amount: uint256


# ------------------------------------------------------------- constructor

@deploy
def __init__(epoch_length: uint256):
    """
    @dev The deployer holds every role at first; hand them to a multisig
         or a governor contract after set-up.
    @param epoch_length Seconds per epoch, in [MIN_EPOCH_S, MAX_EPOCH_S].
    """
    assert epoch_length >= MIN_EPOCH_S and epoch_length <= MAX_EPOCH_S, "ais_alliance: epoch length out of bounds"
    access_control.__init__()
    pausable.__init__()
    access_control._grant_role(GOVERNOR_ROLE, msg.sender)
    access_control._grant_role(PAUSER_ROLE, msg.sender)
    GENESIS_TIME = block.timestamp
    EPOCH_LENGTH = epoch_length

    self.quorum = 1
    self.reveal_window = 3_600
    self.vote_window = 86_400
    self.access_epochs = 4
    self.reject_penalty = 50
    log QuorumChanged(quorum=1)
    log WindowsChanged(reveal_window=3_600, vote_window=86_400)
    log AccessRuleChanged(access_epochs=4, pool_open=False)
    log RejectPenaltyChanged(penalty=50)
    self._set_reward_schedule(
        [5 * 10**17, 3 * 10**17, 2 * 10**17],
        [15_000, 10_000],
        [0, 2_500, 5_000, 10_000, 20_000],
        [10_000, 15_000, 20_000],
    )
    self._set_price_rule(10_000, 5_000, 20_000, 9_000, 500)


# ------------------------------------------------------------- governance

@external
def pause():
    """
    @notice Stop commits, reveals, votes and finalisation. Claims and
            funding stay open: nobody's money is trapped by a pause.
    """
    access_control._check_role(PAUSER_ROLE, msg.sender)
    pausable._pause()


@external
def unpause():
    """
    @notice Resume normal operation.
    """
    access_control._check_role(PAUSER_ROLE, msg.sender)
    pausable._unpause()


@external
def register_member(firm: address, tier: uint256):
    """
    @notice Admit `firm` to the alliance in sector `tier`.
    @param firm The firm's account.
    @param tier 0 critical infrastructure, 1 core business, 2 small business.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    assert firm != empty(address), "ais_alliance: zero address"
    assert tier < TIERS, "ais_alliance: unknown tier"
    assert self._tier_plus_one[firm] == 0, "ais_alliance: already a member"
    self._tier_plus_one[firm] = tier + 1
    log MemberRegistered(firm=firm, tier=tier)


@external
def set_member_tier(firm: address, tier: uint256):
    """
    @notice Move a member to another sector tier (applies to later finalisations).
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    assert self._tier_plus_one[firm] != 0, "ais_alliance: not a member"
    assert tier < TIERS, "ais_alliance: unknown tier"
    self._tier_plus_one[firm] = tier + 1
    log MemberTierChanged(firm=firm, tier=tier)


@external
def remove_member(firm: address):
    """
    @notice Remove a member. It can no longer commit, reveal or read the
            pool; what it is owed or can claim stays its own, and its
            pending indicators are still decided and paid.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    assert self._tier_plus_one[firm] != 0, "ais_alliance: not a member"
    self._tier_plus_one[firm] = 0
    log MemberRemoved(firm=firm)


@external
def grant_access(firm: address, until_epoch: uint256):
    """
    @notice Grant `firm` pool access up to and including `until_epoch`
            (e.g. a paid membership), independent of contributions.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    assert self._tier_plus_one[firm] != 0, "ais_alliance: not a member"
    self.access_granted_until_plus_one[firm] = until_epoch + 1
    log AccessGranted(firm=firm, until_epoch=until_epoch)


@external
def appoint_panellist(panellist: address, affiliation: address):
    """
    @notice Give `panellist` a free panel seat; the quorum is raised if
            needed so that it stays a strict majority of the panel. The
            new seat votes only on indicators revealed after it.
    @param panellist The voter's account.
    @param affiliation The member firm it belongs to, or the zero address
           for an independent panellist.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    assert panellist != empty(address), "ais_alliance: zero address"
    assert self._seat_plus_one[panellist] == 0, "ais_alliance: already a panellist"
    size: uint256 = self.panel_size
    assert size < MAX_PANEL, "ais_alliance: panel is full"
    seat: uint256 = MAX_PANEL
    for i: uint256 in range(MAX_PANEL):
        if self.seat_holder[i] == empty(address):
            seat = i
            break
    self.seat_holder[seat] = panellist
    self._occupied_seats |= 1 << seat
    self._seat_plus_one[panellist] = seat + 1
    self.panellist_affiliation[panellist] = affiliation
    if affiliation != empty(address):
        self._affiliated_seats[affiliation] |= 1 << seat
    number: uint256 = self.appointment_count + 1
    self.appointment_count = number
    self.appointment_number[panellist] = number
    self.panel_size = size + 1
    log PanellistAppointed(panellist=panellist, seat=seat, affiliation=affiliation)
    # Keep the quorum a strict majority of the larger panel.
    majority: uint256 = (size + 1) // 2 + 1
    if self.quorum < majority:
        self.quorum = majority
        log QuorumChanged(quorum=majority)


@external
def remove_panellist(panellist: address):
    """
    @notice Free `panellist`'s seat; its earlier votes stand. If the quorum
            would exceed the smaller panel, it is lowered to the panel size.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    seat_plus_one: uint256 = self._seat_plus_one[panellist]
    assert seat_plus_one != 0, "ais_alliance: not a panellist"
    self.seat_holder[seat_plus_one - 1] = empty(address)
    self._occupied_seats &= ~(1 << (seat_plus_one - 1))
    self._seat_plus_one[panellist] = 0
    affiliation: address = self.panellist_affiliation[panellist]
    if affiliation != empty(address):
        self._affiliated_seats[affiliation] &= ~(1 << (seat_plus_one - 1))
    self.panellist_affiliation[panellist] = empty(address)
    self.appointment_number[panellist] = 0
    size: uint256 = self.panel_size - 1
    self.panel_size = size
    log PanellistRemoved(panellist=panellist, seat=seat_plus_one - 1)
    if self.quorum > size and size > 0:
        self.quorum = size
        log QuorumChanged(quorum=size)


@external
def set_quorum(new_quorum: uint256):
    """
    @notice Votes on one side needed to decide an indicator: at least 1,
            at most the panel size, and a strict majority of it, so that
            a colluding minority can never decide alone.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    size: uint256 = self.panel_size
    assert new_quorum >= 1 and new_quorum <= max(size, 1), "ais_alliance: quorum out of bounds"
    assert 2 * new_quorum > size, "ais_alliance: quorum would not be a majority"
    self.quorum = new_quorum
    log QuorumChanged(quorum=new_quorum)


@external
def set_windows(new_reveal_window: uint256, new_vote_window: uint256):
    """
    @notice Set the reveal and vote windows (seconds), each in
            [MIN_WINDOW_S, MAX_WINDOW_S]; they apply to later reveals.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    assert new_reveal_window >= MIN_WINDOW_S and new_reveal_window <= MAX_WINDOW_S, "ais_alliance: window out of bounds"
    assert new_vote_window >= MIN_WINDOW_S and new_vote_window <= MAX_WINDOW_S, "ais_alliance: window out of bounds"
    self.reveal_window = new_reveal_window
    self.vote_window = new_vote_window
    log WindowsChanged(reveal_window=new_reveal_window, vote_window=new_vote_window)


@external
def set_access_rule(new_access_epochs: uint256, open_pool: bool):
    """
    @notice Gate the pool: a verified contribution grants access for
            `new_access_epochs` epochs (1..MAX_ACCESS_EPOCHS); with
            `open_pool` every member reads it.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    assert new_access_epochs >= 1 and new_access_epochs <= MAX_ACCESS_EPOCHS, "ais_alliance: access epochs out of bounds"
    self.access_epochs = new_access_epochs
    self.pool_open = open_pool
    log AccessRuleChanged(access_epochs=new_access_epochs, pool_open=open_pool)


@external
def set_reject_penalty(penalty: uint256):
    """
    @notice Reputation points a rejected indicator costs its submitter.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    assert penalty <= MAX_REJECT_PENALTY, "ais_alliance: penalty out of bounds"
    self.reject_penalty = penalty
    log RejectPenaltyChanged(penalty=penalty)


@external
def set_reward_schedule(
    base_wei: uint256[TIERS],
    class_bps: uint256[CLASSES],
    severity_bps: uint256[reward_math.SEVERITY_BANDS],
    scope_bps: uint256[SCOPES],
):
    """
    @notice Replace the reward tables, within the hard bounds: bases at
            most MAX_BASE_REWARD_WEI and non-increasing from critical to
            small business; multipliers at most MAX_MULT_BPS; class and
            scope multipliers at least MIN_CLASS_SCOPE_MULT_BPS; severity
            and scope multipliers non-decreasing.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    self._set_reward_schedule(base_wei, class_bps, severity_bps, scope_bps)


@external
def set_price_rule(base_bps: uint256, min_bps: uint256, max_bps: uint256, decay_bps: uint256, recovery_bps: uint256):
    """
    @notice Set the dynamic price rule within its hard bounds:
            PRICE_FLOOR_BPS <= min <= base <= max <= PRICE_CEILING_BPS,
            MIN_DECAY_BPS <= decay <= 10_000, recovery <= MAX_RECOVERY_BPS.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    self._set_price_rule(base_bps, min_bps, max_bps, decay_bps, recovery_bps)


# ---------------------------------------------------------------- members

@external
def commit(commitment: bytes32):
    """
    @notice Commit to an indicator without showing it, binding everything
            that decides its reward: commitment = keccak256(abi_encode(
            content_hash, semantic_key, category, claimed_class, salt, sender)).
    @dev Keyed by sender, so a copied commitment neither blocks the
         original nor can ever be revealed by the copier. Refused while
         the panel is empty: nobody could ever vote on the reveal.
    """
    pausable._require_not_paused()
    self._require_member()
    assert commitment != empty(bytes32), "ais_alliance: empty commitment"
    assert self.panel_size != 0, "ais_alliance: no panel"
    assert self._commits[msg.sender][commitment] == 0, "ais_alliance: commitment exists"
    seq: uint256 = self.commit_count + 1
    self.commit_count = seq
    self._commits[msg.sender][commitment] = (seq << COMMIT_SEQUENCE) | (block.number << COMMIT_BLOCK) | block.timestamp
    log IndicatorCommitted(firm=msg.sender, commitment=commitment, sequence=seq)


@external
def reveal(content_hash: bytes32, semantic_key: bytes32, category: uint256, claimed_class: uint256, salt: bytes32):
    """
    @notice Reveal a committed indicator, in a later block than the commit
            and before the reveal window closes. Fixed here, for good: the
            seats eligible to vote on it (the panel now, less the
            submitter's own seats), its quorum (a strict majority of them)
            and the category's price index it will be paid at.
    @dev The duplicate rule: one semantic key (one observable) is held by
         one content hash. A reveal whose key is held by a pending
         indicator committed later, whose voting has not opened, takes the
         key over (first committer wins; the displaced one is SUPERSEDED and
         its own commitments may still win it back); a submitter may
         re-reveal an observable of its own that EXPIRED; an observable
         whose holder was REJECTED may be reported again in other bytes (so
         junk cannot squat on it); any other reveal of a held key is a
         duplicate. A content hash already revealed (and not superseded) may
         only come back under the key it holds.
    @param content_hash keccak-256 of the bundle's canonical JSON.
    @param semantic_key keccak-256 of the indicator's normalised observable.
    @param category The ATT&CK tactic code, below MAX_CATEGORIES.
    @param claimed_class 0 root vulnerability, 1 specific.
    @param salt The secret used in the commitment.
    """
    pausable._require_not_paused()
    self._require_member()
    assert category < MAX_CATEGORIES, "ais_alliance: unknown category"
    assert claimed_class < CLASSES, "ais_alliance: unknown class"
    assert semantic_key != empty(bytes32), "ais_alliance: empty semantic key"
    commitment: bytes32 = keccak256(abi_encode(content_hash, semantic_key, category, claimed_class, salt, msg.sender))
    packed: uint256 = self._commits[msg.sender][commitment]
    assert packed != 0, "ais_alliance: no such commitment"
    assert block.number > (packed >> COMMIT_BLOCK) & packing.MASK64, "ais_alliance: reveal in the commit block"
    # Voting opens when the reveal window closes, counted from the commit.
    vote_opens: uint256 = (packed & packing.MASK64) + self.reveal_window
    assert block.timestamp < vote_opens, "ais_alliance: reveal window closed"
    seq: uint256 = packed >> COMMIT_SEQUENCE

    holder_hash: bytes32 = self._key_holder[semantic_key]
    own: uint256 = self._head[content_hash]
    if own != 0 and (own >> HEAD_STATUS) & packing.MASK8 != STATUS_SUPERSEDED:
        assert holder_hash == content_hash, "ais_alliance: duplicate content"
    if holder_hash != empty(bytes32):
        held: uint256 = self._head[holder_hash]
        holder: address = convert(held & packing.MASK160, address)
        status: uint256 = (held >> HEAD_STATUS) & packing.MASK8
        if status == STATUS_PENDING and seq < (held >> HEAD_SEQUENCE) & packing.MASK64 and block.timestamp < (self._ballot[holder_hash] >> BALLOT_OPENS) & packing.MASK40:
            log IndicatorSuperseded(content_hash=holder_hash, displaced=holder, firm=msg.sender, by_content_hash=content_hash)
            if holder_hash != content_hash:
                self._head[holder_hash] = (held & ~(packing.MASK8 << HEAD_STATUS)) | (STATUS_SUPERSEDED << HEAD_STATUS)
        elif status == STATUS_EXPIRED and holder == msg.sender:
            pass
        elif status == STATUS_REJECTED and holder_hash != content_hash:
            pass
        elif holder_hash == content_hash:
            raise "ais_alliance: duplicate content"
        else:
            raise "ais_alliance: duplicate observable"

    # The eligible seats: occupied now, not the submitter's, not affiliated with it.
    eligible: uint256 = self._occupied_seats & ~self._affiliated_seats[msg.sender]
    own_seat: uint256 = self._seat_plus_one[msg.sender]
    if own_seat != 0:
        eligible &= ~(1 << (own_seat - 1))
    n_eligible: uint256 = self._popcount16(eligible)
    assert n_eligible != 0, "ais_alliance: no eligible panel"
    # Governance's quorum as a fraction of the whole panel, applied to the eligible
    # seats (rounded up), and never below a strict majority of them.
    q: uint256 = max(n_eligible // 2 + 1, (self.quorum * n_eligible + self.panel_size - 1) // self.panel_size)
    price: uint256 = self._price_now(category, self._epoch())

    self._commits[msg.sender][commitment] = 0
    self._key_holder[semantic_key] = content_hash
    vote_window: uint256 = self.vote_window
    self._head[content_hash] = (
        convert(msg.sender, uint256) | (seq << HEAD_SEQUENCE) | (category << HEAD_CATEGORY) | (claimed_class << HEAD_CLASS) | (STATUS_PENDING << HEAD_STATUS)
    )
    self._ballot[content_hash] = (vote_opens << BALLOT_OPENS) | (vote_window << BALLOT_WINDOW) | (q << BALLOT_QUORUM)
    self._outcome[content_hash] = (eligible << TERMS_ELIGIBLE) | (price << TERMS_PRICE) | (self.appointment_count << TERMS_MARK)
    log IndicatorRevealed(
        content_hash=content_hash,
        firm=msg.sender,
        semantic_key=semantic_key,
        category=category,
        claimed_class=claimed_class,
        sequence=seq,
        vote_opens=vote_opens,
        vote_closes=vote_opens + vote_window,
        eligible_seats=eligible,
        quorum=q,
        price_bps=price,
    )


@external
def vote(content_hash: bytes32, valid: bool, score_x10: uint256, scope: uint256):
    """
    @notice Cast this panel seat's vote on a pending indicator, once, while
            its voting window is open. Only the seats eligible for the
            indicator, held by the panellist that held them at its reveal,
            vote; a panellist never votes on its own firm's indicator.
    @param valid True when the indicator is genuine and its declared
           category, class and semantic key match its content; a panellist
           who finds any of them wrong votes invalid.
    @param score_x10 CVSS base score times ten (0..100); ignored if invalid.
    @param scope 0 single organisation, 1 sector-wide, 2 cross-sector; ignored if invalid.
    """
    pausable._require_not_paused()
    seat_plus_one: uint256 = self._seat_plus_one[msg.sender]
    assert seat_plus_one != 0, "ais_alliance: caller is not a panellist"
    head: uint256 = self._head[content_hash]
    assert (head >> HEAD_STATUS) & packing.MASK8 == STATUS_PENDING, "ais_alliance: indicator not pending"
    submitter: address = convert(head & packing.MASK160, address)
    assert msg.sender != submitter and self.panellist_affiliation[msg.sender] != submitter, "ais_alliance: panellist votes on own firm"
    votes: uint256 = self._ballot[content_hash]
    vote_opens: uint256 = (votes >> BALLOT_OPENS) & packing.MASK40
    assert block.timestamp >= vote_opens, "ais_alliance: voting not open"
    seat: uint256 = seat_plus_one - 1
    terms: uint256 = self._outcome[content_hash]
    assert (terms >> (TERMS_ELIGIBLE + seat)) & 1 != 0 and self.appointment_number[msg.sender] <= (terms >> TERMS_MARK) & packing.MASK64, "ais_alliance: seat not eligible"
    assert block.timestamp < vote_opens + ((votes >> BALLOT_WINDOW) & packing.MASK24), "ais_alliance: voting closed"
    assert votes & (1 << seat) == 0, "ais_alliance: seat already voted"
    score: uint256 = 0
    scp: uint256 = 0
    if valid:
        assert score_x10 <= MAX_SCORE_X10, "ais_alliance: score out of range"
        assert scope < SCOPES, "ais_alliance: unknown scope"
        score = score_x10
        scp = scope
        n_valid: uint256 = (votes >> BALLOT_VALID) & packing.MASK8
        entry: uint256 = (score << 2) | scp  # 7-bit score, 2-bit scope
        votes = votes + (1 << BALLOT_VALID) + (entry << (BALLOT_ENTRIES + BALLOT_ENTRY_BITS * n_valid))
    else:
        votes = votes + (1 << BALLOT_INVALID)
    self._ballot[content_hash] = votes | (1 << seat)
    log VoteCast(content_hash=content_hash, panellist=msg.sender, seat=seat, valid=valid, score_x10=score, scope=scp)


@internal
@pure
def _popcount16(bits: uint256) -> uint256:
    """
    @dev Number of set bits among the low 16 (a seat bitmap).
    """
    n: uint256 = 0
    b: uint256 = bits & packing.MASK16
    for i: uint256 in range(MAX_PANEL):
        if b >> i == 0:
            break
        n += (b >> i) & 1
    return n


@internal
@view
def _awaiting_votes(votes: uint256, terms: uint256) -> bool:
    """
    @dev Whether a seat eligible for this indicator, still held by the
         panellist that held it at the reveal, has not voted yet. At most
         MAX_PANEL seats; only eligible, silent seats are read.
    """
    mark: uint256 = (terms >> TERMS_MARK) & packing.MASK64
    silent: uint256 = (terms >> TERMS_ELIGIBLE) & ~votes & packing.MASK16
    for i: uint256 in range(MAX_PANEL):
        if silent == 0:
            break
        if silent & 1 != 0:
            holder: address = self.seat_holder[i]
            if holder != empty(address) and self.appointment_number[holder] <= mark:
                return True
        silent = silent >> 1
    return False


@internal
@pure
def _decided(votes: uint256) -> uint256:
    """
    @dev The side the ballot has decided, whatever the time: VERIFIED when
         the valid votes reach the indicator's quorum and outnumber the
         invalid ones, REJECTED when the invalid votes do, else PENDING.
    """
    q: uint256 = (votes >> BALLOT_QUORUM) & packing.MASK8
    n_valid: uint256 = (votes >> BALLOT_VALID) & packing.MASK8
    n_invalid: uint256 = (votes >> BALLOT_INVALID) & packing.MASK8
    if n_valid >= q and n_valid > n_invalid:
        return STATUS_VERIFIED
    if n_invalid >= q and n_invalid > n_valid:
        return STATUS_REJECTED
    return STATUS_PENDING


@external
def finalise(content_hash: bytes32):
    """
    @notice Decide a pending indicator once its voting window has closed,
            or earlier once a side has the quorum and every seat eligible
            for it has voted (so that the first voters - a colluding
            minority, say - cannot fix the medians). Anyone may call it;
            the reward does not depend on who calls it or when, since the
            price index was fixed at the reveal.
            Verified (valid votes >= quorum and > invalid votes): severity
            and scope are the medians of the valid votes, the submitter is
            credited (or owed) the reward; when its severity is above
            zero its reputation and access rise and the category's price
            falls (a verified indicator of no severity - CVSS "none" -
            earns no access and crowds no category).
            Rejected: reputation falls. Otherwise, once the window closes:
            expired, nothing paid, the submitter may submit it again.
    """
    pausable._require_not_paused()
    head: uint256 = self._head[content_hash]
    assert (head >> HEAD_STATUS) & packing.MASK8 == STATUS_PENDING, "ais_alliance: indicator not pending"
    votes: uint256 = self._ballot[content_hash]
    terms: uint256 = self._outcome[content_hash]
    status: uint256 = self._decided(votes)
    closed: bool = block.timestamp >= ((votes >> BALLOT_OPENS) & packing.MASK40) + ((votes >> BALLOT_WINDOW) & packing.MASK24)
    assert status != STATUS_PENDING or closed, "ais_alliance: not decided yet"
    assert closed or not self._awaiting_votes(votes, terms), "ais_alliance: panel still voting"
    submitter: address = convert(head & packing.MASK160, address)

    if status == STATUS_PENDING:
        status = STATUS_EXPIRED
    self._head[content_hash] = (head & ~(packing.MASK8 << HEAD_STATUS)) | (status << HEAD_STATUS)
    if status == STATUS_VERIFIED:
        n_valid: uint256 = (votes >> BALLOT_VALID) & packing.MASK8
        scores: DynArray[uint256, MAX_PANEL] = []
        scopes: DynArray[uint256, MAX_PANEL] = []
        for i: uint256 in range(MAX_PANEL):
            if i >= n_valid:
                break
            entry: uint256 = (votes >> (BALLOT_ENTRIES + BALLOT_ENTRY_BITS * i)) & packing.MASK9
            scores.append(entry >> 2)
            scopes.append(entry & 3)
        severity: uint256 = reward_math._median(scores)
        scope: uint256 = reward_math._median(scopes)
        category: uint256 = (head >> HEAD_CATEGORY) & packing.MASK8
        claimed_class: uint256 = (head >> HEAD_CLASS) & packing.MASK8
        tier: uint256 = self._tier_at_finalisation(submitter)
        reward: uint256 = reward_math._reward(
            self.base_reward_wei[tier],
            self.class_mult_bps[claimed_class],
            self.severity_mult_bps[reward_math._severity_band(severity)],
            self.scope_mult_bps[scope],
            (terms >> TERMS_PRICE) & packing.MASK16,
        )
        self._outcome[content_hash] = (terms & ~packing.MASK144) | severity | (scope << OUTCOME_SCOPE) | (reward << OUTCOME_REWARD)
        log IndicatorFinalised(content_hash=content_hash, firm=submitter, status=status, severity_x10=severity, scope=scope, reward=reward)
        if severity != 0:
            epoch: uint256 = self._epoch()
            price: uint256 = self._price_now(category, epoch)
            new_price: uint256 = reward_math._decayed_price(price, self.price_decay_bps, self.price_min_bps)
            self._price[category] = new_price | ((epoch + 1) << PRICE_EPOCH)
            self.last_verified_epoch_plus_one[submitter] = epoch + 1
            log PriceIndexUpdated(category=category, priced_bps=price, new_bps=new_price)
            self._change_reputation(submitter, convert(severity * (scope + 1), int256))
        self._allocate(submitter, content_hash, reward)
    else:
        log IndicatorFinalised(content_hash=content_hash, firm=submitter, status=status, severity_x10=0, scope=0, reward=0)
        if status == STATUS_REJECTED:
            self._change_reputation(submitter, -convert(self.reject_penalty, int256))


# ------------------------------------------------------------------ money

@external
@payable
def fund():
    """
    @notice Add wei to the reward pool; anyone may. Outstanding debts are
            settled first, in order (up to AUTO_SETTLE_DEBTS of them).
    """
    assert msg.value > 0, "ais_alliance: nothing to fund"
    self.unallocated += msg.value
    log PoolFunded(funder=msg.sender, amount=msg.value)
    self._settle_debts(AUTO_SETTLE_DEBTS)


@external
def settle_debts(max_count: uint256) -> uint256:
    """
    @notice Pay queued debts in order from the unallocated pool; anyone may.
    @param max_count At most this many debts (1..MAX_SETTLE_DEBTS).
    @return uint256 The wei moved from the pool to claimable balances.
    """
    assert max_count >= 1 and max_count <= MAX_SETTLE_DEBTS, "ais_alliance: count out of bounds"
    assert self.debt_head < self.debt_tail, "ais_alliance: no debts"
    return self._settle_debts(max_count)


@external
def claim() -> uint256:
    """
    @notice Pull the caller's claimable rewards. Works while paused.
    @return uint256 The wei sent.
    """
    amount: uint256 = self.claimable[msg.sender]
    assert amount > 0, "ais_alliance: nothing to claim"
    self.claimable[msg.sender] = 0
    self.total_claimable -= amount
    log RewardClaimed(firm=msg.sender, amount=amount)
    raw_call(msg.sender, b"", value=amount)
    return amount


# natrix: NTX4 accepted - false positive: the body logs and sends ether, which a view cannot.
@external
def sweep_surplus(recipient: address) -> uint256:
    """
    @notice Send the surplus (wei forced into the contract outside `fund`,
            which no book accounts for) to `recipient`; governance only.
            Nothing anyone is owed or can claim is ever touched.
    @return uint256 The wei sent.
    """
    access_control._check_role(GOVERNOR_ROLE, msg.sender)
    assert recipient != empty(address), "ais_alliance: zero address"
    amount: uint256 = self.balance - self.unallocated - self.total_claimable
    assert amount > 0, "ais_alliance: no surplus"
    log SurplusSwept(recipient=recipient, amount=amount)
    raw_call(recipient, b"", value=amount)
    return amount


# ------------------------------------------------------------------- views

@external
@view
def is_member(firm: address) -> bool:
    """
    @notice Whether `firm` is a current member.
    """
    return self._tier_plus_one[firm] != 0


@external
@view
def tier_of(firm: address) -> uint256:
    """
    @notice The member's tier; reverts for a non-member.
    """
    t: uint256 = self._tier_plus_one[firm]
    assert t != 0, "ais_alliance: not a member"
    return t - 1


@external
@view
def is_panellist(account: address) -> bool:
    """
    @notice Whether `account` holds a panel seat.
    """
    return self._seat_plus_one[account] != 0


@external
@view
def current_epoch() -> uint256:
    """
    @notice The current epoch number.
    """
    return self._epoch()


@external
@view
def has_access(firm: address) -> bool:
    """
    @notice The pool access rule: a current member that has a verified
            indicator within the last `access_epochs` epochs, or holds an
            access right from governance, or any member if the pool is open.
    """
    if self._tier_plus_one[firm] == 0:
        return False
    if self.pool_open:
        return True
    epoch: uint256 = self._epoch()
    if self.access_granted_until_plus_one[firm] > epoch:
        return True
    last: uint256 = self.last_verified_epoch_plus_one[firm]
    return last != 0 and epoch < last - 1 + self.access_epochs


@external
@view
def commitment_of(firm: address, commitment: bytes32) -> (uint256, uint256, uint256):
    """
    @notice A pending commitment's sequence number, block and timestamp
            (zeros if absent or already revealed).
    """
    packed: uint256 = self._commits[firm][commitment]
    return packed >> COMMIT_SEQUENCE, (packed >> COMMIT_BLOCK) & packing.MASK64, packed & packing.MASK64


@external
@view
def indicator(content_hash: bytes32) -> (address, uint256, uint256, uint256, uint256, uint256, uint256, uint256, uint256, uint256, uint256, uint256, uint256):
    """
    @notice Everything the chain knows of an indicator: submitter, commit
            sequence, category, claimed class, status (0 none, 1 pending,
            2 verified, 3 rejected, 4 expired, 5 superseded), vote opens, vote closes,
            quorum, valid votes, invalid votes, severity x10, scope, reward.
    """
    head: uint256 = self._head[content_hash]
    votes: uint256 = self._ballot[content_hash]
    outcome: uint256 = self._outcome[content_hash]
    vote_opens: uint256 = (votes >> BALLOT_OPENS) & packing.MASK40
    return (
        convert(head & packing.MASK160, address),
        (head >> HEAD_SEQUENCE) & packing.MASK64,
        (head >> HEAD_CATEGORY) & packing.MASK8,
        (head >> HEAD_CLASS) & packing.MASK8,
        (head >> HEAD_STATUS) & packing.MASK8,
        vote_opens,
        vote_opens + ((votes >> BALLOT_WINDOW) & packing.MASK24),
        (votes >> BALLOT_QUORUM) & packing.MASK8,
        (votes >> BALLOT_VALID) & packing.MASK8,
        (votes >> BALLOT_INVALID) & packing.MASK8,
        outcome & packing.MASK8,
        (outcome >> OUTCOME_SCOPE) & packing.MASK8,
        (outcome >> OUTCOME_REWARD) & packing.MASK128,
    )


@external
@view
def indicator_terms(content_hash: bytes32) -> (uint256, uint256, uint256):
    """
    @notice What the reveal fixed for an indicator: the bitmap of the seats
            eligible to vote on it (bit i = seat i), the price index it is
            paid at (basis points) and the appointment high-water mark (a
            seat votes only while held by an appointment numbered at most this).
    """
    terms: uint256 = self._outcome[content_hash]
    return (terms >> TERMS_ELIGIBLE) & packing.MASK16, (terms >> TERMS_PRICE) & packing.MASK16, (terms >> TERMS_MARK) & packing.MASK64


@external
@view
def key_holder(semantic_key: bytes32) -> bytes32:
    """
    @notice The content hash that holds an observable's semantic key
            (zero if none was ever revealed).
    """
    return self._key_holder[semantic_key]


@external
@view
def surplus() -> uint256:
    """
    @notice Wei held beyond what the books account for (forced in by a
            selfdestruct or a block reward): balance - unallocated - claimable.
    """
    return self.balance - self.unallocated - self.total_claimable


@external
@view
def can_finalise(content_hash: bytes32) -> bool:
    """
    @notice Whether `finalise` would decide the indicator now (pending,
            and its window closed or a side at quorum with every seat
            that may vote having voted); pausing is not considered.
    """
    head: uint256 = self._head[content_hash]
    if (head >> HEAD_STATUS) & packing.MASK8 != STATUS_PENDING:
        return False
    votes: uint256 = self._ballot[content_hash]
    if block.timestamp >= ((votes >> BALLOT_OPENS) & packing.MASK40) + ((votes >> BALLOT_WINDOW) & packing.MASK24):
        return True
    if self._decided(votes) == STATUS_PENDING:
        return False
    return not self._awaiting_votes(votes, self._outcome[content_hash])


@external
@view
def has_voted(content_hash: bytes32, panellist: address) -> bool:
    """
    @notice Whether `panellist`'s seat has voted on the indicator.
    """
    seat_plus_one: uint256 = self._seat_plus_one[panellist]
    if seat_plus_one == 0:
        return False
    return self._ballot[content_hash] & (1 << (seat_plus_one - 1)) != 0


@external
@view
def price_index(category: uint256) -> uint256:
    """
    @notice The category's dynamic price index now, in basis points.
    """
    assert category < MAX_CATEGORIES, "ais_alliance: unknown category"
    return self._price_now(category, self._epoch())


@external
@view
def quote(tier: uint256, claimed_class: uint256, score_x10: uint256, scope: uint256, category: uint256) -> uint256:
    """
    @notice The reward an indicator with these attributes would earn if it
            were revealed now, when its price index is fixed (same
            arithmetic as `finalise`).
    """
    assert tier < TIERS, "ais_alliance: unknown tier"
    assert claimed_class < CLASSES, "ais_alliance: unknown class"
    assert score_x10 <= MAX_SCORE_X10, "ais_alliance: score out of range"
    assert scope < SCOPES, "ais_alliance: unknown scope"
    assert category < MAX_CATEGORIES, "ais_alliance: unknown category"
    return reward_math._reward(
        self.base_reward_wei[tier],
        self.class_mult_bps[claimed_class],
        self.severity_mult_bps[reward_math._severity_band(score_x10)],
        self.scope_mult_bps[scope],
        self._price_now(category, self._epoch()),
    )


# ---------------------------------------------------------------- internal

@internal
@view
def _require_member():
    assert self._tier_plus_one[msg.sender] != 0, "ais_alliance: caller is not a member"


@internal
@view
def _epoch() -> uint256:
    return (block.timestamp - GENESIS_TIME) // EPOCH_LENGTH


@internal
@view
def _price_now(category: uint256, epoch: uint256) -> uint256:
    packed: uint256 = self._price[category]
    return reward_math._current_price(
        packed & packing.MASK128,
        packed >> PRICE_EPOCH,
        epoch,
        self.price_base_bps,
        self.price_min_bps,
        self.price_max_bps,
        self.price_recovery_bps,
    )


@internal
@view
def _tier_at_finalisation(firm: address) -> uint256:
    # A firm removed while its indicator was pending is paid at the lowest tier.
    t: uint256 = self._tier_plus_one[firm]
    if t == 0:
        return TIERS - 1
    return t - 1


@internal
def _change_reputation(firm: address, delta: int256):
    rep: int256 = self.reputation[firm] + delta
    self.reputation[firm] = rep
    log ReputationChanged(firm=firm, delta=delta, reputation=rep)


@internal
def _allocate(firm: address, content_hash: bytes32, reward: uint256):
    """
    @dev Credit what the pool can pay now; queue the rest as a debt. While
         older debts are outstanding, a new reward joins the queue behind
         them instead of jumping ahead.
    """
    if reward == 0:
        return
    paid: uint256 = 0
    if self.debt_head == self.debt_tail:
        paid = min(reward, self.unallocated)
    if paid > 0:
        self.unallocated -= paid
        self.claimable[firm] += paid
        self.total_claimable += paid
        log RewardCredited(firm=firm, content_hash=content_hash, amount=paid)
    rest: uint256 = reward - paid
    if rest > 0:
        index: uint256 = self.debt_tail
        self.debt_firm[index] = firm
        self.debt_amount[index] = rest
        self.debt_tail = index + 1
        self.owed[firm] += rest
        self.total_owed += rest
        log RewardOwed(firm=firm, content_hash=content_hash, amount=rest, debt_index=index)


@internal
def _settle_debts(max_count: uint256) -> uint256:
    moved: uint256 = 0
    head: uint256 = self.debt_head
    tail: uint256 = self.debt_tail
    for _i: uint256 in range(MAX_SETTLE_DEBTS):
        if _i >= max_count or head == tail or self.unallocated == 0:
            break
        firm: address = self.debt_firm[head]
        amount: uint256 = self.debt_amount[head]
        pay: uint256 = min(amount, self.unallocated)
        self.unallocated -= pay
        self.claimable[firm] += pay
        self.total_claimable += pay
        self.owed[firm] -= pay
        self.total_owed -= pay
        moved += pay
        log DebtSettled(firm=firm, debt_index=head, amount=pay, remaining=amount - pay)
        if pay == amount:
            self.debt_amount[head] = 0
            self.debt_firm[head] = empty(address)
            head += 1
        else:
            self.debt_amount[head] = amount - pay
    self.debt_head = head
    return moved


@internal
def _set_reward_schedule(
    base_wei: uint256[TIERS],
    class_bps: uint256[CLASSES],
    severity_bps: uint256[reward_math.SEVERITY_BANDS],
    scope_bps: uint256[SCOPES],
):
    for i: uint256 in range(TIERS):
        assert base_wei[i] <= MAX_BASE_REWARD_WEI, "ais_alliance: reward out of bounds"
        if i > 0:
            assert base_wei[i] <= base_wei[i - 1], "ais_alliance: tiers out of order"
    for i: uint256 in range(CLASSES):
        assert class_bps[i] >= MIN_CLASS_SCOPE_MULT_BPS and class_bps[i] <= MAX_MULT_BPS, "ais_alliance: multiplier out of bounds"
    for i: uint256 in range(reward_math.SEVERITY_BANDS):
        assert severity_bps[i] <= MAX_MULT_BPS, "ais_alliance: multiplier out of bounds"
        if i > 0:
            assert severity_bps[i] >= severity_bps[i - 1], "ais_alliance: severity out of order"
    for i: uint256 in range(SCOPES):
        assert scope_bps[i] >= MIN_CLASS_SCOPE_MULT_BPS and scope_bps[i] <= MAX_MULT_BPS, "ais_alliance: multiplier out of bounds"
        if i > 0:
            assert scope_bps[i] >= scope_bps[i - 1], "ais_alliance: scope out of order"
    self.base_reward_wei = base_wei
    self.class_mult_bps = class_bps
    self.severity_mult_bps = severity_bps
    self.scope_mult_bps = scope_bps
    log RewardScheduleChanged(base_reward_wei=base_wei, class_mult_bps=class_bps, severity_mult_bps=severity_bps, scope_mult_bps=scope_bps)


@internal
def _set_price_rule(base_bps: uint256, min_bps: uint256, max_bps: uint256, decay_bps: uint256, recovery_bps: uint256):
    assert PRICE_FLOOR_BPS <= min_bps and min_bps <= base_bps and base_bps <= max_bps and max_bps <= PRICE_CEILING_BPS, "ais_alliance: price bounds out of order"
    assert decay_bps >= MIN_DECAY_BPS and decay_bps <= reward_math.BPS, "ais_alliance: decay out of bounds"
    assert recovery_bps <= MAX_RECOVERY_BPS, "ais_alliance: recovery out of bounds"
    self.price_base_bps = base_bps
    self.price_min_bps = min_bps
    self.price_max_bps = max_bps
    self.price_decay_bps = decay_bps
    self.price_recovery_bps = recovery_bps
    log PriceRuleChanged(base_bps=base_bps, min_bps=min_bps, max_bps=max_bps, decay_bps=decay_bps, recovery_bps=recovery_bps)
