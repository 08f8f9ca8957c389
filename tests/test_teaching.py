"""Tests of softmax_course.teaching: the naive formulas fail where chapter 5 says, and the gradient checker."""

import numpy as np

from softmax_course import softmax
from softmax_course.teaching import (
    naive_log_softmax,
    naive_softmax,
    numerical_gradient,
    shifted_softmax,
)
from softmax_course.testing import (
    reference_softmax,
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
