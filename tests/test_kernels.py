"""Tests of the kernel's two paths (direct and compensated) and its shortcuts.

The public functions choose a path per block of rows and take a shortcut for
short vectors; these tests check that every route gives the same answer to a
few ULPs, against mpmath, and that no route changes the special-value rules.
"""

from __future__ import annotations

import numpy as np
import pytest

from softmax_course import (
    _kernels,
    cross_entropy,
    log_softmax,
    logsumexp,
    reference_log_softmax,
    reference_softmax,
    softmax,
    ulp_error,
)
from softmax_course.activations import _as_rows

DTYPES = [np.float32, np.float64]


def _exact_shift(x, shift):
    """``x`` on a grid of 2**-16 so that ``x + shift`` is exact."""
    return np.round(x * 2.0**16) / 2.0**16 + shift


@pytest.mark.parametrize("dtype", DTYPES)
def test_direct_and_compensated_paths_agree(dtype):
    rng = np.random.default_rng(11)
    x = _exact_shift(rng.normal(0, 6, (40, 50)), 0.0)
    x[:, 0] = np.abs(x[:, 0]) + 1  # every row max > 0: the direct path
    shifted = x - 64.0  # every logit < 0: the compensated path; exact on the grid
    x, shifted = x.astype(dtype), shifted.astype(dtype)
    assert np.all(shifted.astype(np.float64) + 64.0 == x.astype(np.float64))
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(softmax(x), softmax(shifted), rtol=16 * eps, atol=0)
    np.testing.assert_allclose(log_softmax(x), log_softmax(shifted), rtol=8 * eps, atol=0)
    np.testing.assert_allclose(logsumexp(x), logsumexp(shifted) + 64.0, rtol=4 * eps)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mixed_blocks_match_the_reference(dtype):
    # Rows that alternate between the paths, in blocks of several sizes, so that
    # the per-block fallback and the "probe" for all-bad blocks are exercised.
    rng = np.random.default_rng(12)
    rows = rng.normal(0, 5, (30, 9))
    rows[::3] -= 100.0  # all negative: compensated
    rows[1::3] += 10.0  # max > 0: direct
    rows[2, 4] = np.inf
    rows[5, 1] = np.nan
    x = rows.astype(dtype)
    for block_bytes in (x.itemsize * 9, x.itemsize * 9 * 4, 1 << 18):
        saved = _kernels.BLOCK_BYTES
        _kernels.BLOCK_BYTES = block_bytes
        try:
            probs, log_probs = softmax(x), log_softmax(x)
        finally:
            _kernels.BLOCK_BYTES = saved
        finite = np.isfinite(x).all(axis=1)
        ref_p = reference_softmax(x[finite])
        ref_lp = reference_log_softmax(x[finite])
        normal = np.abs(np.array(ref_p, dtype=float)) >= np.finfo(dtype).tiny
        assert ulp_error(probs[finite], ref_p)[normal].max() <= 8
        assert ulp_error(log_probs[finite], ref_lp).max() <= 4
        assert np.array_equal(probs[2], np.eye(9, dtype=dtype)[4])  # one +inf
        assert np.isnan(probs[5]).all() and np.isnan(log_probs[5]).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shift", [0.0, -50.0, 30.0])
def test_small_vector_shortcut_matches_the_block_kernel(dtype, shift):
    rng = np.random.default_rng(13)
    x = (rng.normal(0, 3, 10) + shift).astype(dtype)
    batch = x[None, :]  # 2-D: never takes the shortcut
    np.testing.assert_allclose(softmax(x), softmax(batch)[0], rtol=4 * np.finfo(dtype).eps, atol=0)
    np.testing.assert_allclose(
        log_softmax(x), log_softmax(batch)[0], rtol=4 * np.finfo(dtype).eps, atol=0
    )
    np.testing.assert_allclose(logsumexp(x), logsumexp(batch)[0], rtol=2 * np.finfo(dtype).eps)
    np.testing.assert_allclose(
        cross_entropy(x, 3, reduction="none"),
        cross_entropy(batch, [3], reduction="none")[0],
        rtol=4 * np.finfo(dtype).eps,
    )


def test_no_floating_point_error_escapes_with_errstate_raise():
    x = np.array([0.0, -1000.0, -800.0, 1.0])
    with np.errstate(all="raise"):
        assert softmax(x)[1] == 0.0
        assert log_softmax(x)[1] < -1000
        assert np.isfinite(logsumexp(x))
        assert softmax(np.array([[0.0, -1000.0]] * 3))[0, 1] == 0.0
        assert softmax(np.array([800.0, 0.0]))[0] == 1.0


def test_float16_keeps_its_dtype_on_every_route():
    x = np.array([1.0, 2.0, -3.0], dtype=np.float16)
    for result in (softmax(x), log_softmax(x), softmax(x[None])[0], logsumexp(x)):
        assert result.dtype == np.float16
    np.testing.assert_allclose(softmax(x), softmax(x.astype(np.float32)), rtol=1e-3)


def test_last_axis_input_is_not_copied():
    x = np.random.default_rng(14).normal(size=(64, 100))
    rows, shape = _as_rows(x, 1)
    assert np.shares_memory(rows, x) and shape == (64, 100)


def test_direct_limit_keeps_the_sum_finite():
    for dtype in DTYPES:
        for classes in (1, 10, 32000):
            limit = _kernels.direct_limit(dtype, classes)
            total = classes * np.exp(np.float64(limit))
            assert total < np.finfo(dtype).max
