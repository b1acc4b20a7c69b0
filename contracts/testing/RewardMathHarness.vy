# pragma version 0.4.3
"""
@title Test harness for `reward_math`
@license GNU Affero General Public License v3.0 only
@notice Exposes each internal function of the stateless `reward_math`
        module, so that the tests compare it with its Python mirror in
        `sharing/quote.py` on random inputs. Never deployed in production.
"""

import reward_math


@external
@pure
def severity_band(score_x10: uint256) -> uint256:
    return reward_math._severity_band(score_x10)


@external
@pure
def median(values: DynArray[uint256, reward_math.MAX_VOTES]) -> uint256:
    return reward_math._median(values)


@external
@pure
def reward(base_wei: uint256, class_bps: uint256, severity_bps: uint256, scope_bps: uint256, price_bps: uint256) -> uint256:
    return reward_math._reward(base_wei, class_bps, severity_bps, scope_bps, price_bps)


@external
@pure
def current_price(stored_bps: uint256, stored_epoch_plus_one: uint256, now_epoch: uint256, base_bps: uint256, min_bps: uint256, max_bps: uint256, recovery_bps: uint256) -> uint256:
    return reward_math._current_price(stored_bps, stored_epoch_plus_one, now_epoch, base_bps, min_bps, max_bps, recovery_bps)


@external
@pure
def decayed_price(price_bps: uint256, decay_bps: uint256, min_bps: uint256) -> uint256:
    return reward_math._decayed_price(price_bps, decay_bps, min_bps)
