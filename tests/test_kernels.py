"""Tests of the numerical core: the exact shift, the routes through the kernel, TwoSum.

The public functions choose a route per row (shift 0, an exact shift, or the
compensated path) and take a shortcut for short vectors; these tests check
that every shift is exact where it must be, that every route gives the same
answer within the ULP bounds against mpmath, and that no route raises a
floating-point flag.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from softmax_course import (
    _kernels,
    cross_entropy,
    log_softmax,
    logsumexp,
    softmax,
    softmax_jacobian,
)
from softmax_course.testing import (
    ULP_BOUNDS,
    adversarial_logits,
    max_ulp_error,
    reference_log_softmax,
    reference_softmax,
    ulp_error,
)

DTYPES = [np.float32, np.float64]


def _rows_of_every_route(dtype, classes=9, seed=12):
    """Rows for each route of the kernel (see the module doc of _kernels)."""
    rng = np.random.default_rng(seed)
    const = _kernels._CONSTANTS[np.dtype(dtype)]
    limit = _kernels.direct_limit(dtype, classes)
    base = rng.normal(0, 5, (10, classes))
    shifts = [
        0.0,  # mixed signs, max in [0, limit]: shift 0
        -0.3 - base.max(),  # all negative, max near 0: rounded shift
        -1000.0,  # all negative, far below 0
        -3 * const.relevant,  # max <= -R: shift = max
        3 * const.relevant,  # max >= 2R: shift = max
        limit + 5.0,  # between limit and 2R, row within [m/2, m]: shift = max
    ]
    rows = [(base[i] + shift) for i, shift in enumerate(shifts)]
    window = base[6] - base[6].max() + limit + 5.0
    window[0] = 0.25  # a small logit: x - m is not exact, the compensated path
    rows.append(window)
    rows.append(np.log(rng.dirichlet(np.ones(classes))))  # log-probabilities
    return np.array(rows).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_shift_is_exact_for_every_logit_that_matters(dtype):
    x = _rows_of_every_route(dtype)
    m = x.max(axis=1)
    c, exact = _kernels.exact_shifts(x, m, _kernels.direct_limit(dtype, x.shape[1]))
    relevant = x > (m - _kernels._CONSTANTS[np.dtype(dtype)].relevant)[:, None]
    assert exact.tolist() == [True] * 6 + [False, True]
    for row, shift, keep, ok in zip(x, c, relevant, exact, strict=True):
        if ok:
            difference = row[keep] - shift
            exact_difference = [Fraction(float(v)) - Fraction(float(shift)) for v in row[keep]]
            assert [Fraction(float(v)) for v in difference] == exact_difference


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_route_is_within_the_ulp_bounds(dtype):
    x = _rows_of_every_route(dtype)
    tiny = np.finfo(dtype).tiny
    ref_p, ref_lp = reference_softmax(x), reference_log_softmax(x)
    normal = np.abs(np.array(ref_p, dtype=float)) >= tiny
    for block_bytes in (x.itemsize * x.shape[1], x.itemsize * x.shape[1] * 3, 1 << 18):
        saved = _kernels.BLOCK_BYTES
        _kernels.BLOCK_BYTES = block_bytes
        try:
            probs, log_probs = softmax(x), log_softmax(x)
        finally:
            _kernels.BLOCK_BYTES = saved
        assert ulp_error(probs, ref_p)[normal].max() <= ULP_BOUNDS["softmax"]
        assert ulp_error(log_probs, ref_lp).max() <= ULP_BOUNDS["log_softmax"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_special_rows_keep_their_rules_inside_mixed_blocks(dtype):
    x = _rows_of_every_route(dtype)
    x[2, 4] = np.inf
    x[5, 1] = np.nan
    probs, log_probs = softmax(x), log_softmax(x)
    assert np.array_equal(probs[2], np.eye(x.shape[1], dtype=dtype)[4])
    assert np.isnan(probs[5]).all() and np.isnan(log_probs[5]).all()
    others = [0, 1, 3, 4, 6, 7]
    np.testing.assert_array_equal(probs[others], softmax(x[others]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shift", [0.0, -0.3, -50.0, -1000.0, 30.0, 1000.0])
def test_small_vector_shortcut_matches_the_block_kernel(dtype, shift):
    rng = np.random.default_rng(13)
    x = (rng.normal(0, 3, 10) + shift).astype(dtype)
    batch = x[None, :]  # 2-D: never takes the shortcut
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(softmax(x), softmax(batch)[0], rtol=4 * eps, atol=0)
    np.testing.assert_allclose(log_softmax(x), log_softmax(batch)[0], rtol=4 * eps, atol=0)
    np.testing.assert_allclose(logsumexp(x), logsumexp(batch)[0], rtol=2 * eps)
    np.testing.assert_allclose(
        cross_entropy(x, 3, reduction="none"),
        cross_entropy(batch, [3], reduction="none")[0],
        rtol=4 * eps,
    )


FLAG_INPUTS = [
    [-700.0, 700.0],  # the quotient underflows (the bug of the first edition)
    [0.0, -1000.0, -800.0, 1.0],
    [[0.0, -1000.0]] * 3,
    [800.0, 0.0],
    [1e308, -1e308],
    [-np.inf, 0.0, np.inf],
    [np.nan, 1.0],
    [[-np.inf, -np.inf], [0.0, 1.0]],
    [-1e-300, -745.0, -1e30],
]


@pytest.mark.parametrize("x", FLAG_INPUTS, ids=range(len(FLAG_INPUTS)))
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_the_softmax_family_raises_no_floating_point_flag(x, dtype):
    with np.errstate(all="ignore"):
        x = np.array(x).astype(dtype)
    labels = np.zeros(x.shape[:-1], dtype=int)
    with np.errstate(all="raise"):
        for temperature in (1.0, 0.5, 3.0):
            softmax(x, temperature=temperature)
            log_softmax(x, temperature=temperature)
        softmax(x, axis=None)
        logsumexp(x)
        logsumexp(x, axis=None)
        cross_entropy(x, labels, reduction="sum")
        cross_entropy(x, softmax(np.zeros_like(x)))

        softmax_jacobian(x)


def test_float16_keeps_its_dtype_on_every_route():
    x = np.array([1.0, 2.0, -3.0], dtype=np.float16)
    for result in (softmax(x), log_softmax(x), softmax(x[None])[0], logsumexp(x)):
        assert result.dtype == np.float16
    np.testing.assert_allclose(softmax(x), softmax(x.astype(np.float32)), rtol=1e-3)


def test_direct_limit_keeps_the_sum_finite():
    for dtype in DTYPES:
        for classes in (1, 10, 32000):
            limit = _kernels.direct_limit(dtype, classes)
            total = classes * np.exp(np.float64(limit))
            assert total < np.finfo(dtype).max


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_probabilities_take_the_fast_route_and_stay_accurate(dtype):
    # Every logit negative (log-probabilities): the case that was slow before the shift.
    rng = np.random.default_rng(15)
    x = np.log(rng.dirichlet(np.ones(50), size=6)).astype(dtype)
    m = x.max(axis=1)
    _, exact = _kernels.exact_shifts(x, m, _kernels.direct_limit(dtype, 50))
    assert exact.all()
    assert max_ulp_error(softmax, x, reference_softmax(x)) <= ULP_BOUNDS["softmax"]


def test_cross_entropy_of_one_sample_raises_no_flag_when_the_difference_overflows():
    x = np.array([[1e308, -1e308, 0.0, 1e308]])
    with np.errstate(all="raise"):
        assert cross_entropy(x, [1], reduction="none")[0] == np.inf


@pytest.mark.parametrize("dtype", DTYPES)
def test_wide_rows_normalised_by_a_reciprocal_stay_within_the_bound(dtype):
    # From MULTIPLY_FROM classes on, the probabilities are e * (1 / sum).
    rng = np.random.default_rng(16)
    classes = _kernels.MULTIPLY_FROM + 100
    for spread in (1.0, 100.0, 1000.0):
        x = adversarial_logits(rng, 4, classes, spread, dtype=dtype)
        assert max_ulp_error(softmax, x, reference_softmax(x)) <= ULP_BOUNDS["softmax"]
