"""Tests of softmax_course.online: softmax and log-sum-exp over a class axis read in blocks."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SPECIAL_ROWS, logits, lse_ulps

from softmax_course import log_softmax, logsumexp, softmax
from softmax_course.online import (
    log_softmax_from_normalizer,
    normalizer,
    online_logsumexp,
    online_softmax,
    softmax_from_normalizer,
)
from softmax_course.testing import (
    ULP_BOUNDS,
    reference_softmax,
    ulp_error,
)

inf, nan = np.inf, np.nan


@settings(max_examples=40)
@given(logits(max_classes=20), st.integers(1, 25), st.sampled_from([0, 1]))
def test_online_functions_agree_with_the_in_memory_ones(x, block_size, axis):
    lse = online_logsumexp(x, axis=axis, block_size=block_size)
    np.testing.assert_allclose(lse, logsumexp(x, axis=axis), rtol=4e-16 * 8, atol=0)
    probs = online_softmax(x, axis=axis, block_size=block_size)
    reference = reference_softmax(x, axis=axis)
    assert ulp_error(probs, reference).max() <= ULP_BOUNDS["softmax"]


@settings(max_examples=30)
@given(logits(dtype=np.float32, max_classes=20), st.integers(1, 25))
def test_float32_accuracy_in_float32_ulps(x, block_size):
    lse = online_logsumexp(x, block_size=block_size)
    assert lse.dtype == np.float32
    assert lse_ulps(lse, x).max() <= ULP_BOUNDS["logsumexp"]
    probs = online_softmax(x, block_size=block_size)
    assert ulp_error(probs, reference_softmax(x)).max() <= ULP_BOUNDS["softmax"]


@pytest.mark.parametrize("row", SPECIAL_ROWS)
@pytest.mark.parametrize("block_size", [1, 2, 3])
def test_special_values_follow_softmax(row, block_size):
    row = np.array(row)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lse = online_logsumexp(row, block_size=block_size)
        probs = online_softmax(row, block_size=block_size)
    np.testing.assert_allclose(lse, logsumexp(row), rtol=5e-16, atol=0)
    np.testing.assert_allclose(probs, softmax(row), rtol=1e-15, atol=0)
    pair = normalizer(row)
    np.testing.assert_allclose(
        log_softmax_from_normalizer(row, pair), log_softmax(row), rtol=1e-15, atol=0
    )


def test_bad_input_raises_clear_errors_online():
    pair = normalizer([1.0, 2.0])
    with pytest.raises(ValueError, match="batch shape"):
        softmax_from_normalizer(np.ones((3, 2)), pair)
    with pytest.raises(ValueError, match="block_size"):
        online_logsumexp([1.0], block_size=0)
    with pytest.raises(TypeError, match="block_size"):
        online_softmax([1.0], block_size=2.0)
    with pytest.raises(ValueError, match="at least one class"):
        online_softmax(np.ones((2, 0)))
