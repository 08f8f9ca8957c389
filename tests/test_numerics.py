"""Tests of the teaching implementations, the gradient checker and the ULP tools."""

import mpmath
import numpy as np
import pytest

from softmax_course import (
    naive_log_softmax,
    naive_softmax,
    numerical_gradient,
    reference_log_softmax,
    reference_logsumexp,
    reference_sigmoid,
    reference_softmax,
    shifted_softmax,
    softmax,
    ulp_error,
)


def test_naive_softmax_fails_where_the_seeds_say():
    with np.errstate(all="ignore"):
        assert np.isnan(naive_softmax([1000.0, 1000.0])).all()
        assert np.isnan(naive_softmax([-1000.0, -1000.0])).all()  # 0 / 0
        assert np.isnan(naive_softmax(np.float32([89.0, 0.0]))).any()  # exp overflows at 88.7
    np.testing.assert_allclose(naive_softmax([1.0, 2.0]), softmax([1.0, 2.0]), rtol=1e-15)


def test_shifted_softmax_is_stable_but_not_compensated():
    np.testing.assert_array_equal(shifted_softmax([1000.0, 1000.0]), [0.5, 0.5])
    x = np.random.default_rng(0).uniform(-50, 50, size=(20, 30))
    ref = reference_softmax(x)
    shifted_err = ulp_error(shifted_softmax(x), ref).max()
    ours = ulp_error(softmax(x), ref).max()
    assert ours <= 8 < shifted_err


def test_naive_log_softmax_gives_minus_inf():
    assert naive_log_softmax([0.0, -1000.0])[1] == -np.inf


def test_numerical_gradient_of_known_functions():
    np.testing.assert_allclose(
        numerical_gradient(lambda v: np.sin(v).sum(), [0.3, 1.2]), np.cos([0.3, 1.2]), rtol=1e-9
    )
    jac = numerical_gradient(lambda v: v[::-1] * 2, np.array([1.0, 2.0]))
    np.testing.assert_allclose(jac, [[0, 2], [2, 0]], atol=1e-9)


def test_references_agree_with_closed_forms():
    with mpmath.workdps(50):
        p = reference_softmax([0.0, np.log(3.0)])
        assert abs(float(p[1]) - 0.75) < 1e-15
        lse = reference_logsumexp([[0.0, 0.0], [1.0, 1.0]])
        assert mpmath.almosteq(lse[0], mpmath.log(2), 1e-45)
        assert mpmath.almosteq(lse[1], 1 + mpmath.log(2), 1e-45)
        assert mpmath.almosteq(reference_sigmoid([0.0])[0], mpmath.mpf("0.5"), 1e-45)
        # Exact differences: a log-probability of about -e^-800 is resolved.
        tiny = reference_log_softmax([0.0, -800.0])[0]
        assert mpmath.almosteq(tiny, -mpmath.exp(-800), 1e-40)
        hot = reference_softmax([1.0, 2.0], temperature=1e6)
        assert abs(float(hot[0]) - 0.5) < 1e-6


def test_ulp_error_units_and_special_cases():
    one = np.float64(1.0)
    assert ulp_error(one + np.spacing(one), 1.0) == 1.0
    assert ulp_error(np.float32(1.0), 1.0 + 2**-23) == 1.0
    assert ulp_error(np.float64(0.0), 0.0) == 0.0
    assert ulp_error(np.float64(-np.inf), -np.inf) == 0.0
    assert ulp_error(np.float64(np.nan), 1.0) == np.inf
    assert ulp_error(np.float64(np.inf), 1.0) == np.inf
    # With a scale, the unit is the ULP of the scale.
    assert ulp_error(np.float64(1e-3), 0.0, scale=1024.0) == pytest.approx(1e-3 / 2**-42)
    assert ulp_error(np.array([1.0, 2.0]), [1.0, 2.0]).shape == (2,)
