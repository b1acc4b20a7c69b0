# pragma version 0.4.3
"""
@title Reward arithmetic of the indicator-sharing alliance
@license GNU Affero General Public License v3.0 only
@notice Stateless integer arithmetic shared by `AisAlliance`: the CVSS
        severity band, the median of panel votes, the reward formula and
        the dynamic price index. Each function is mirrored by exactly one
        Python function in `sharing/quote.py`; the rounding rule is a single
        floor division at the end of each formula, never an intermediate one.
"""

# @dev Basis points: 10_000 = 1.0x.
BPS: constant(uint256) = 10_000
# @dev The reward product carries four basis-point factors.
BPS4: constant(uint256) = 10_000 * 10_000 * 10_000 * 10_000
# @dev Number of CVSS qualitative bands: none, low, medium, high, critical.
SEVERITY_BANDS: constant(uint256) = 5
# @dev Largest number of votes a median is taken over (the panel size).
MAX_VOTES: constant(uint256) = 16


@internal
@pure
def _severity_band(score_x10: uint256) -> uint256:
    """
    @notice CVSS v3.1/v4.0 qualitative band of a base score times ten.
    @dev 0 -> none, 1..39 -> low, 40..69 -> medium, 70..89 -> high,
         90..100 -> critical (FIRST CVSS specification, section 5).
    @param score_x10 The base score times ten, 0..100.
    @return uint256 The band code 0..4.
    """
    if score_x10 == 0:
        return 0
    if score_x10 < 40:
        return 1
    if score_x10 < 70:
        return 2
    if score_x10 < 90:
        return 3
    return 4


@internal
@pure
def _median(values: DynArray[uint256, MAX_VOTES]) -> uint256:
    """
    @notice Median of at most `MAX_VOTES` values; for an even count, the
            floor of the mean of the two middle values.
    @dev Insertion sort in memory: bounded by `MAX_VOTES`.
    @param values The values, in any order; must not be empty.
    @return uint256 The median.
    """
    n: uint256 = len(values)
    assert n > 0, "reward_math: median of nothing"
    s: DynArray[uint256, MAX_VOTES] = values
    for i: uint256 in range(1, MAX_VOTES):
        if i >= n:
            break
        key: uint256 = s[i]
        j: uint256 = i
        # natrix: NTX8 accepted - `_k` only bounds the loop (Vyper needs a loop variable); `j` moves.
        for _k: uint256 in range(MAX_VOTES):
            if j == 0 or s[j - 1] <= key:
                break
            s[j] = s[j - 1]
            j -= 1
        s[j] = key
    if n % 2 == 1:
        return s[n // 2]
    return (s[n // 2 - 1] + s[n // 2]) // 2


@internal
@pure
def _reward(
    base_wei: uint256,
    class_mult_bps: uint256,
    severity_mult_bps: uint256,
    scope_mult_bps: uint256,
    price_bps: uint256,
) -> uint256:
    """
    @notice reward = base * class * severity * scope * price / 10_000^4,
            rounded down once.
    @param base_wei The tier's base reward in wei.
    @param class_mult_bps The class multiplier (root / specific).
    @param severity_mult_bps The severity band multiplier.
    @param scope_mult_bps The scope multiplier.
    @param price_bps The category's price index.
    @return uint256 The reward in wei.
    """
    return base_wei * class_mult_bps * severity_mult_bps * scope_mult_bps * price_bps // BPS4


@internal
@pure
def _current_price(
    stored_bps: uint256,
    stored_epoch_plus_one: uint256,
    now_epoch: uint256,
    base_bps: uint256,
    min_bps: uint256,
    max_bps: uint256,
    recovery_bps_per_epoch: uint256,
) -> uint256:
    """
    @notice The price index of a category now: it starts at `base_bps`,
            recovers linearly by `recovery_bps_per_epoch` each epoch since
            it last fell, and always lies in [min_bps, max_bps].
    @param stored_bps The index after the category's last verified report.
    @param stored_epoch_plus_one The epoch of that report plus one; 0 if
           the category never had a verified report.
    @param now_epoch The current epoch.
    @param base_bps The starting index of an untouched category.
    @param min_bps The floor.
    @param max_bps The ceiling.
    @param recovery_bps_per_epoch The linear recovery rate.
    @return uint256 The index in basis points.
    """
    p: uint256 = base_bps
    if stored_epoch_plus_one != 0:
        elapsed: uint256 = now_epoch - (stored_epoch_plus_one - 1)
        # Saturate before multiplying: the ceiling bounds the result anyway.
        if elapsed > max_bps:
            elapsed = max_bps
        p = stored_bps + recovery_bps_per_epoch * elapsed
    return max(min_bps, min(p, max_bps))


@internal
@pure
def _decayed_price(price_bps: uint256, decay_bps: uint256, min_bps: uint256) -> uint256:
    """
    @notice The index after one more verified report in the category:
            price * decay / 10_000 rounded down, never below the floor.
    @param price_bps The index the report was priced at.
    @param decay_bps The decay factor in basis points (<= 10_000).
    @param min_bps The floor.
    @return uint256 The new index.
    """
    return max(min_bps, price_bps * decay_bps // BPS)
