"""Tests of sparsemax: the Euclidean projection onto the probability simplex."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import logits

from softmax_course.sparsemax import sparsemax, sparsemax_threshold

inf, nan = np.inf, np.nan


def projection_by_bisection(z, iterations=200):
    """Independent reference: the simplex projection max(z - t, 0), with t found by
    bisection on the decreasing function t -> sum(max(z - t, 0)) - 1."""
    low, high = z.max() - 1.0, z.max()  # the sum is >= 1 at low and 0 at high
    for _ in range(iterations):
        middle = 0.5 * (low + high)
        if np.maximum(z - middle, 0).sum() >= 1:
            low = middle
        else:
            high = middle
    return np.maximum(z - 0.5 * (low + high), 0)


def test_known_values():
    np.testing.assert_array_equal(sparsemax([0.7, 1.5, 4.8]), [0, 0, 1])
    np.testing.assert_allclose(sparsemax([1.0, 0.8, -1.0]), [0.6, 0.4, 0], rtol=1e-15)
    np.testing.assert_array_equal(sparsemax([2.0, 2.0, 2.0, 2.0]), [0.25] * 4)
    np.testing.assert_allclose(sparsemax([0.5, 0.0]), [0.75, 0.25], rtol=1e-15)
    assert float(sparsemax_threshold([1.0, 0.8, -1.0])) == pytest.approx(0.4, rel=1e-15)


def test_two_classes_is_a_clipped_line():
    # For K = 2, sparsemax(t, 0)[0] = clip((t + 1) / 2, 0, 1): the "hard sigmoid".
    t = np.linspace(-3, 3, 61)
    pairs = np.stack([t, np.zeros_like(t)], axis=1)
    np.testing.assert_allclose(sparsemax(pairs)[:, 0], np.clip((t + 1) / 2, 0, 1), atol=1e-15)


@settings(max_examples=100)
@given(logits(max_classes=16, magnitude=10.0))
def test_on_the_simplex_with_exact_zeros(x):
    probs = sparsemax(x)
    assert np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=0, atol=1e-13)
    tau = sparsemax_threshold(x)[:, None]
    # Classes below the threshold get exactly 0; those above get z - tau. The returned
    # tau is rounded (the kernel works with logits shifted by their max), so a class
    # within a few ULPs of it may fall on either side and gets at most a few ULPs: in
    # [10 - ulp(10), 9.0] the exact share of 9.0 is 8.9e-16, and tau rounds to 9.0.
    margin = 4 * np.spacing(np.maximum(np.abs(tau), np.abs(x).max(axis=-1, keepdims=True)))
    below, above = x < tau - margin, x > tau + margin
    assert np.all(probs[below] == 0)
    assert np.all(probs[~below & ~above] <= 2 * margin.max())
    np.testing.assert_allclose(probs[above], (x - tau)[above], rtol=1e-12, atol=1e-13)


@settings(max_examples=100)
@given(logits(max_classes=16, magnitude=10.0))
def test_equals_the_euclidean_projection_by_bisection(x):
    probs = sparsemax(x)
    for row, row_probs in zip(x, probs, strict=True):
        np.testing.assert_allclose(row_probs, projection_by_bisection(row), rtol=0, atol=1e-12)


@settings(max_examples=50)
@given(logits(max_classes=10, magnitude=10.0), st.floats(-1e6, 1e6))
def test_shift_invariance_and_order(x, shift):
    np.testing.assert_allclose(sparsemax(x + shift), sparsemax(x), rtol=0, atol=1e-9)
    probs = sparsemax(x)
    order = np.argsort(x, axis=-1, kind="stable")
    assert np.all(np.diff(np.take_along_axis(probs, order, axis=-1), axis=-1) >= 0)


def test_no_other_simplex_point_is_closer():
    rng = np.random.default_rng(12)
    z = rng.normal(size=6)
    projection = sparsemax(z)
    others = rng.dirichlet(np.ones(6), size=2000)
    assert np.all(np.linalg.norm(others - z, axis=1) >= np.linalg.norm(projection - z))


def test_axis_and_dtype():
    x = np.random.default_rng(1).normal(size=(4, 3, 5))
    np.testing.assert_allclose(
        sparsemax(x, axis=1), np.moveaxis(sparsemax(np.moveaxis(x, 1, -1)), -1, 1), rtol=1e-15
    )
    assert sparsemax(np.float32([1, 2])).dtype == np.float32
    assert sparsemax([1, 2]).dtype == np.float64
    assert sparsemax(np.ones((0, 3))).shape == (0, 3)


@pytest.mark.parametrize(
    "row, expected",
    [
        ([0.0, -inf, 0.5], [0.25, 0.0, 0.75]),
        ([1e308, -1e308, 0.0], [1.0, 0.0, 0.0]),
        ([1.0, inf, 3.0], [0.0, 1.0, 0.0]),
        ([inf, inf, 0.0], [nan] * 3),
        ([nan, 1.0, 2.0], [nan] * 3),
        ([-inf, -inf], [nan] * 2),
    ],
)
def test_special_values(row, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = sparsemax([row, [0.0] * len(row)])
    np.testing.assert_allclose(got[0], expected, rtol=1e-15)
    np.testing.assert_allclose(got[1], 1 / len(row), rtol=1e-15)  # other rows unaffected


def test_bad_input_raises_clear_errors():
    with pytest.raises(TypeError, match="complex"):
        sparsemax([1j])
    with pytest.raises(ValueError, match="at least one class"):
        sparsemax(np.ones((2, 0)))
    with pytest.raises(TypeError, match="axis"):
        sparsemax([1.0], axis=0.5)
    with pytest.raises(ValueError, match="scalar"):
        sparsemax_threshold(1.0)
