"""Tests of the shared finite differences and input helpers (sharing.models.numerics)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from sharing.errors import InputError
from sharing.models import numerics as nm

Q = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, -0.3], [0.0, -0.3, 4.0]])
B = np.array([1.0, -2.0, 0.5])


def quadratic(x: np.ndarray) -> float:
    """f(x) = x' Q x / 2 + b' x with a known gradient Q x + b and Hessian Q."""
    return float(0.5 * x @ Q @ x + B @ x)


def smooth(x: np.ndarray) -> float:
    return float(np.exp(-x[0]) * np.sin(2.0 * x[1]) + x[0] ** 3 * x[1])


def smooth_grad(x: np.ndarray) -> np.ndarray:
    return np.array(
        [
            -np.exp(-x[0]) * np.sin(2.0 * x[1]) + 3.0 * x[0] ** 2 * x[1],
            2.0 * np.exp(-x[0]) * np.cos(2.0 * x[1]) + x[0] ** 3,
        ]
    )


def smooth_hess(x: np.ndarray) -> np.ndarray:
    e = np.exp(-x[0])
    return np.array(
        [
            [
                e * np.sin(2.0 * x[1]) + 6.0 * x[0] * x[1],
                -2.0 * e * np.cos(2.0 * x[1]) + 3 * x[0] ** 2,
            ],
            [-2.0 * e * np.cos(2.0 * x[1]) + 3 * x[0] ** 2, -4.0 * e * np.sin(2.0 * x[1])],
        ]
    )


X0 = np.array([0.7, -0.4, 1.3])
Y0 = np.array([0.3, 0.8])


# --------------------------------------------------------------------------- inputs


def test_as_float_vector__accepts_a_finite_vector_of_the_right_length() -> None:
    out = nm.as_float_vector([1, 2, 3], 3, "x0")
    assert out.dtype == np.float64 and out.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("value", "message"),
    [([1.0, 2.0], r"x0 must have shape \(3,\), got \(2,\)"), ([1.0, np.nan, 2.0], "finite")],
)
def test_as_float_vector__rejects_wrong_shape_or_non_finite(
    value: list[float], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        nm.as_float_vector(value, 3, "x0")


def test_as_rng__seed_generator_and_none() -> None:
    g = np.random.default_rng(5)
    assert nm.as_rng(g) is g
    assert nm.as_rng(7).random() == np.random.default_rng(7).random()
    assert isinstance(nm.as_rng(None), np.random.Generator)


# --------------------------------------------------------------------------- first derivatives


def test_relative_step__relative_far_from_zero_absolute_near_it() -> None:
    assert nm.relative_step(0.0, 1e-5) == 1e-5
    assert nm.relative_step(-99.0, 1e-5) == pytest.approx(1e-3)


def test_central_difference__is_elementwise_for_arrays() -> None:
    x = np.array([0.0, 1.0, 2.0])
    d = nm.central_difference(np.sin, x, 1e-5 * (1.0 + np.abs(x)))
    np.testing.assert_allclose(d, np.cos(x), rtol=0, atol=1e-9)


def test_central_gradient__exact_on_a_quadratic() -> None:
    g = nm.central_gradient(quadratic, X0)
    np.testing.assert_allclose(g, Q @ X0 + B, rtol=0, atol=1e-9)


def test_central_gradient__of_a_smooth_function() -> None:
    np.testing.assert_allclose(nm.central_gradient(smooth, Y0), smooth_grad(Y0), atol=1e-9)


def test_central_gradient__vector_function_gives_jacobian_columns_for_chosen_coords() -> None:
    def fun(x: np.ndarray) -> np.ndarray:
        return np.array([x[0] * x[1], x[1] ** 2 + x[2]])

    x = np.array([1.5, -2.0, 0.25])
    jac = nm.central_gradient(fun, x, 1e-4)
    np.testing.assert_allclose(jac, [[-2.0, 1.5, 0.0], [0.0, -4.0, 1.0]], atol=1e-8)
    only = nm.central_gradient(fun, x, 1e-4, coords=[2, 0])
    np.testing.assert_allclose(only, jac[:, [2, 0]], rtol=0, atol=0)


def test_central_gradient__formula_is_the_documented_stencil() -> None:
    """Bit for bit the stencil (f(x + h e_k) - f(x - h e_k)) / 2h with h = 1e-5 (1 + |x_k|)."""
    g = nm.central_gradient(smooth, Y0)
    for k in range(2):
        h = 1e-5 * (1.0 + abs(float(Y0[k])))
        e = np.zeros(2)
        e[k] = h
        assert g[k] == (smooth(Y0 + e) - smooth(Y0 - e)) / (2.0 * h)


def test_richardson_gradient__more_accurate_than_plain_central_at_the_same_step() -> None:
    exact = smooth_grad(Y0)
    rich = nm.richardson_gradient(smooth, Y0, 1e-3)
    plain = nm.central_gradient(smooth, Y0, 1e-3)
    assert np.max(np.abs(rich - exact)) < 1e-10
    assert np.max(np.abs(rich - exact)) < 0.01 * np.max(np.abs(plain - exact))


def test_forward_jacobian__of_an_analytic_gradient_is_the_hessian() -> None:
    jac = nm.forward_jacobian(smooth_grad, Y0)
    np.testing.assert_allclose(jac, smooth_hess(Y0), atol=1e-3)
    np.testing.assert_allclose(nm.forward_jacobian(lambda x: Q @ x + B, X0), Q, atol=1e-9)


# --------------------------------------------------------------------------- second derivatives


def test_central_hessian__exact_on_a_quadratic_and_symmetric() -> None:
    h = nm.central_hessian(quadratic, X0, 1e-3 * (1.0 + np.abs(X0)))
    np.testing.assert_allclose(h, Q, atol=1e-6)
    assert np.array_equal(h, h.T)


def test_richardson_hessian__accurate_to_1e_8_on_a_smooth_function() -> None:
    steps = nm.RICHARDSON_STEP * (1.0 + np.abs(Y0))
    rich = nm.richardson_hessian(smooth, Y0, steps)
    plain = nm.central_hessian(smooth, Y0, steps)
    exact = smooth_hess(Y0)
    assert np.max(np.abs(rich - exact)) < 1e-8
    assert np.max(np.abs(rich - exact)) < np.max(np.abs(plain - exact))
    assert np.array_equal(
        rich,
        (4.0 * plain - nm.central_hessian(smooth, Y0, 2.0 * steps)) / 3.0,
    )


# --------------------------------------------------------------------------- orthant


def test_orthant_difference__central_inside_one_sided_at_the_boundary() -> None:
    calls: list[float] = []

    def shifted_at(t: float) -> Callable[[float], float]:
        def shifted(d: float) -> float:
            u = t + d
            calls.append(u)
            assert u >= 0.0, "evaluated below zero"
            return float(np.exp(-u) + u * u)

        return shifted

    inside = nm.orthant_difference(shifted_at(1.0), 1.0, 1e-5)
    assert inside == pytest.approx(-np.exp(-1.0) + 2.0, abs=1e-9)
    calls.clear()
    edge = nm.orthant_difference(shifted_at(0.0), 0.0, 1e-5)
    assert edge == pytest.approx(-1.0, abs=1e-9)
    assert min(calls) == 0.0 and len(calls) == 3
    calls.clear()
    nm.orthant_difference(shifted_at(0.0), 0.0, 1e-5, value=1.0)
    assert len(calls) == 2  # the known value is not recomputed


def test_orthant_gradient__jacobian_of_exponential_risks_never_leaves_the_orthant() -> None:
    w = np.array([[1.0, 0.4], [0.3, 1.2]])

    def risks(x: np.ndarray) -> np.ndarray:
        assert np.all(x >= 0.0), "evaluated outside the orthant"
        return np.exp(-(w @ x))

    for x in (np.zeros(2), np.array([0.5, 2.0])):
        jac = nm.orthant_gradient(risks, x, 1e-6)
        np.testing.assert_allclose(jac, -risks(x)[:, None] * w, atol=1e-8)
