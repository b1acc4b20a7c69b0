# pragma version 0.4.3
"""
@title Test harness for `pesim_math`
@license GNU Affero General Public License v3.0 only
@notice Exposes each internal function of the stateless `pesim_math`
        module, so that the tests compare it with its Python mirror in
        `sharing/pesim_fixed.py` on random inputs without sending a
        transaction. Never deployed in production.
"""

import pesim_math


@external
@pure
def floor_div(a: int256, b: int256) -> (int256, int256):
    return pesim_math._floor_div(a, b)


@external
@pure
def apportion(nums: DynArray[int256, pesim_math.MAX_N], den: int256, total: int256) -> DynArray[int256, pesim_math.MAX_N]:
    return pesim_math._apportion(nums, den, total)


@external
@pure
def default_x(xs: DynArray[DynArray[int256, pesim_math.MAX_N], pesim_math.MAX_N], submitted: uint256, n: uint256) -> DynArray[int256, pesim_math.MAX_N]:
    return pesim_math._default_x(xs, submitted, n)


@external
@pure
def taxes(pis: DynArray[DynArray[int256, pesim_math.MAX_N], pesim_math.MAX_N], xs: DynArray[DynArray[int256, pesim_math.MAX_N], pesim_math.MAX_N], wei_per_unit: uint256) -> (DynArray[int256, pesim_math.MAX_N], DynArray[int256, pesim_math.MAX_N]):
    return pesim_math._taxes(pis, xs, wei_per_unit)


@external
@pure
def transfers(taxes: DynArray[int256, pesim_math.MAX_N], collateral: uint256) -> (DynArray[int256, pesim_math.MAX_N], uint256):
    return pesim_math._transfers(taxes, collateral)
