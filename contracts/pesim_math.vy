# pragma version 0.4.3
"""
@title PESIM tax arithmetic in exact integers
@license GNU Affero General Public License v3.0 only
@notice Stateless arithmetic of `PesimSettlement`: the outcome and the taxes
        of the Positive Externality Security Investment Mechanism
        (Naghizadeh & Liu, eqs. (6)-(7)) on fixed-point messages, the one
        rounding rule that turns exact rational taxes into wei, and the
        settlement of taxes against collateral. Each function is mirrored
        by exactly one Python function in `sharing/pesim_fixed.py`.
@dev Fixed point: a price pi is the integer pi * PI_SCALE, an investment
     x is the integer x * X_SCALE, and a round values one utility unit at
     `wei_per_unit` wei. With P, X the integer messages, S_k = sum_i X_ik,
     pen_i = sum_k P_ik (X_ik - X_(i+1)k)^2 and
     A_i = sum_k (P_(i+1)k - P_(i+2)k) S_k, the exact tax in wei is
         t_i = wei_per_unit * (A_i * X_SCALE + N * (pen_i - pen_(i+1)))
               / (N * PI_SCALE * X_SCALE^2),
     a rational with one common denominator. The numerators sum to exactly
     zero (the price terms telescope around the cycle, the penalty terms
     cancel in pairs), so the rounding rule of `_apportion` keeps the sum of
     the rounded taxes at exactly zero.
     Bounds: |X| <= MAX_ABS_X = 2^60, 0 <= P <= MAX_PI = 2^60, N <= 32 and
     wei_per_unit <= 10^18 < 2^60 keep every intermediate below 2^254:
     |S_k| <= 2^65, |A_i| <= 2^130, pen_i <= 32 * 2^60 * 2^122 = 2^187,
     N |pen_i - pen_(i+1)| <= 2^192, |numerator| <= 2^60 * 2^194.
"""

# @dev Largest number of participants; bounds every loop.
MAX_N: constant(uint256) = 32
# @dev Fixed-point scale of investments: 1.0 unit of investment = 10^12.
X_SCALE: constant(int256) = 10**12
# @dev Fixed-point scale of prices: 1.0 utility unit per unit of investment = 10^12.
PI_SCALE: constant(int256) = 10**12
# @dev Largest |x| in fixed point (about 1.15e6 units).
MAX_ABS_X: constant(int256) = 2**60
# @dev Largest price in fixed point (about 1.15e6 utility units per unit).
MAX_PI: constant(int256) = 2**60
# @dev Largest value of one utility unit, in wei.
MAX_WEI_PER_UNIT: constant(uint256) = 10**18


@internal
@pure
def _floor_div(a: int256, b: int256) -> (int256, int256):
    """
    @notice Floor division with a non-negative remainder.
    @dev The EVM's signed division truncates toward zero; this rounds toward
         minus infinity, so that a = q * b + r with 0 <= r < b.
    @param a The numerator.
    @param b The denominator, positive.
    @return (int256, int256) The quotient q and the remainder r.
    """
    q: int256 = a // b
    r: int256 = a % b
    if r < 0:
        q -= 1
        r += b
    return q, r


@internal
@pure
def _apportion(nums: DynArray[int256, MAX_N], den: int256, total: int256) -> DynArray[int256, MAX_N]:
    """
    @notice THE rounding rule: turn the exact rationals nums[i] / den, whose
            sum is the integer `total`, into integers that sum to `total`,
            each less than 1 away from its exact value.
    @dev Floor every value; the residual total - sum(floors) is then an
         integer in [0, n). One unit each goes to the `residual` values with
         the largest remainders, ties to the lower index (the largest
         remainder method). Because the remainders are below `den` and sum
         to residual * den, more than `residual` of them are positive, so
         only values with a positive remainder are rounded up.
    @param nums The numerators; sum(nums) == total * den.
    @param den The common denominator, positive.
    @param total The exact sum of the values.
    @return DynArray[int256, MAX_N] The rounded values.
    """
    n: uint256 = len(nums)
    out: DynArray[int256, MAX_N] = []
    rems: DynArray[int256, MAX_N] = []
    floors: int256 = 0
    for i: uint256 in range(n, bound=MAX_N):
        q: int256 = 0
        r: int256 = 0
        q, r = self._floor_div(nums[i], den)
        out.append(q)
        rems.append(r)
        floors += q
    residual: int256 = total - floors
    assert residual >= 0 and (residual == 0 or residual < convert(n, int256)), "pesim_math: residual out of range"
    if residual == 0:
        return out
    for i: uint256 in range(n, bound=MAX_N):
        if rems[i] == 0:
            continue
        rank: int256 = 0
        for j: uint256 in range(n, bound=MAX_N):
            if rems[j] > rems[i] or (rems[j] == rems[i] and j < i):
                rank += 1
        if rank < residual:
            out[i] += 1
    return out


@internal
@pure
def _default_x(
    xs: DynArray[DynArray[int256, MAX_N], MAX_N], submitted: uint256, n: uint256
) -> DynArray[int256, MAX_N]:
    """
    @notice The investment proposal given to a participant that sent no
            message: the mean of the submitted proposals, truncated toward
            zero, coordinate by coordinate (all zero if nobody submitted).
    @dev With it, a silent participant agrees with the others: at an
         equilibrium where every submitted x_i = x*, the default is x*
         exactly and nobody's penalty term moves.
    @param xs The investment proposals; rows of non-submitters are ignored.
    @param submitted Bitmap of the participants that submitted.
    @param n The number of participants.
    @return DynArray[int256, MAX_N] The default proposal.
    """
    count: int256 = 0
    for i: uint256 in range(n, bound=MAX_N):
        if submitted & (1 << i) != 0:
            count += 1
    out: DynArray[int256, MAX_N] = []
    for k: uint256 in range(n, bound=MAX_N):
        s: int256 = 0
        for i: uint256 in range(n, bound=MAX_N):
            if submitted & (1 << i) != 0:
                s += xs[i][k]
        if count == 0:
            out.append(0)
        else:
            out.append(s // count)
    return out


@internal
@pure
def _taxes(
    pis: DynArray[DynArray[int256, MAX_N], MAX_N],
    xs: DynArray[DynArray[int256, MAX_N], MAX_N],
    wei_per_unit: uint256,
) -> (DynArray[int256, MAX_N], DynArray[int256, MAX_N]):
    """
    @notice PESIM taxes in wei (eq. (7), indices modulo N) and the outcome
            numerators S_k = N * X_SCALE * x_hat_k (eq. (6)) of a complete
            fixed-point message profile.
    @dev The caller has checked the shapes and the bounds (see the module
         notes). Positive tax = the participant pays.
    @param pis N price proposals of length N, in PI_SCALE fixed point.
    @param xs N investment proposals of length N, in X_SCALE fixed point.
    @param wei_per_unit Wei per utility unit.
    @return (DynArray[int256, MAX_N], DynArray[int256, MAX_N]) The rounded
            taxes in wei (summing to exactly zero) and the sums S_k.
    """
    n: uint256 = len(xs)
    ni: int256 = convert(n, int256)
    w: int256 = convert(wei_per_unit, int256)
    sums: DynArray[int256, MAX_N] = []
    for k: uint256 in range(n, bound=MAX_N):
        s: int256 = 0
        for i: uint256 in range(n, bound=MAX_N):
            s += xs[i][k]
        sums.append(s)
    pens: DynArray[int256, MAX_N] = []
    for i: uint256 in range(n, bound=MAX_N):
        i1: uint256 = (i + 1) % n
        p: int256 = 0
        for k: uint256 in range(n, bound=MAX_N):
            d: int256 = xs[i][k] - xs[i1][k]
            p += pis[i][k] * d * d
        pens.append(p)
    nums: DynArray[int256, MAX_N] = []
    for i: uint256 in range(n, bound=MAX_N):
        i1: uint256 = (i + 1) % n
        i2: uint256 = (i + 2) % n
        a: int256 = 0
        for k: uint256 in range(n, bound=MAX_N):
            a += (pis[i1][k] - pis[i2][k]) * sums[k]
        nums.append(w * (a * X_SCALE + ni * (pens[i] - pens[i1])))
    den: int256 = ni * PI_SCALE * X_SCALE * X_SCALE
    return self._apportion(nums, den, 0), sums


@internal
@pure
def _transfers(
    taxes: DynArray[int256, MAX_N], collateral: uint256
) -> (DynArray[int256, MAX_N], uint256):
    """
    @notice What each participant actually pays (positive) or receives
            (negative) when taxes meet collateral.
    @dev A payer pays min(tax, collateral): at most its whole collateral.
         If some payer's tax exceeds its collateral, the shortfall is
         shared by the receivers in proportion to what the mechanism owes
         them: receiver j gets |t_j| * paid / owed, rounded by
         `_apportion`, so that the transfers still sum to exactly zero. A
         payer never pays more than its tax; a receiver never ends below its
         collateral. Without a shortfall the transfers are the taxes.
    @param taxes Rounded taxes in wei, summing to zero.
    @param collateral Each participant's collateral in wei.
    @return (DynArray[int256, MAX_N], uint256) The transfers and the shortfall in wei.
    """
    n: uint256 = len(taxes)
    c: int256 = convert(collateral, int256)
    out: DynArray[int256, MAX_N] = []
    paid: int256 = 0
    owed: int256 = 0
    shortfall: int256 = 0
    for i: uint256 in range(n, bound=MAX_N):
        t: int256 = taxes[i]
        if t > c:
            out.append(c)
            paid += c
            shortfall += t - c
        else:
            out.append(t)
            if t > 0:
                paid += t
            else:
                owed -= t
    if shortfall == 0:
        return out, 0
    nums: DynArray[int256, MAX_N] = []
    for i: uint256 in range(n, bound=MAX_N):
        if taxes[i] < 0:
            nums.append(-taxes[i] * paid)
        else:
            nums.append(0)
    shares: DynArray[int256, MAX_N] = self._apportion(nums, owed, paid)
    for i: uint256 in range(n, bound=MAX_N):
        if taxes[i] < 0:
            out[i] = -shares[i]
    return out, convert(shortfall, uint256)
