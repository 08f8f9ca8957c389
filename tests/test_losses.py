"""Tests of softmax_course.losses: cross_entropy and one_hot."""

import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st
from strategies import adversarial, logits

from softmax_course import cross_entropy, log_softmax, one_hot, softmax
from softmax_course.teaching import numerical_gradient
from softmax_course.testing import ULP_BOUNDS, reference_cross_entropy, ulp_error

inf, nan = np.inf, np.nan


def test_one_hot_values_and_errors():
    np.testing.assert_array_equal(one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert one_hot(np.array([[1]]), 2).shape == (1, 1, 2)
    assert one_hot([0], 2, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        one_hot([3], 3)
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        one_hot([-1], 3)
    with pytest.raises(TypeError, match="integers"):
        one_hot([0.0, 1.0], 3)
    with pytest.raises(ValueError, match="at least 1"):
        one_hot([0], 0)
    with pytest.raises(TypeError, match="num_classes"):
        one_hot([0], 2.0)


def test_cross_entropy_known_values():
    # -log softmax([2, 1, 0.1])[0]
    expected = -np.log(np.exp(2) / (np.exp(2) + np.exp(1) + np.exp(0.1)))
    np.testing.assert_allclose(cross_entropy([2.0, 1.0, 0.1], 0), expected, rtol=1e-15)
    np.testing.assert_allclose(cross_entropy([[0.0, 0.0]], [1]), np.log(2.0), rtol=1e-15)
    losses = cross_entropy([[0.0, 0.0], [0.0, 1000.0], [1000.0, 0.0]], [0, 0, 0], reduction="none")
    np.testing.assert_allclose(losses, [np.log(2.0), 1000.0, 0.0], rtol=1e-15)
    # A tiny loss keeps its relative accuracy: -log(1 - e^-40) ~ e^-40.
    np.testing.assert_allclose(cross_entropy([[40.0, 0.0]], [0]), np.exp(-40.0), rtol=1e-15)


def test_labels_and_one_hot_targets_agree():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 6)) * 5
    labels = rng.integers(0, 6, size=30)
    for reduction in ("mean", "sum", "none"):
        np.testing.assert_allclose(
            cross_entropy(x, labels, reduction=reduction),
            cross_entropy(x, one_hot(labels, 6), reduction=reduction),
            rtol=1e-14,
        )


def test_reductions():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(8, 4))
    labels = rng.integers(0, 4, size=8)
    per_sample = cross_entropy(x, labels, reduction="none")
    assert per_sample.shape == (8,)
    np.testing.assert_allclose(cross_entropy(x, labels), per_sample.mean(), rtol=1e-15)
    np.testing.assert_allclose(
        cross_entropy(x, labels, reduction="sum"), per_sample.sum(), rtol=1e-15
    )
    assert cross_entropy(x, labels).shape == ()


def test_axis_and_batch_shapes():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 3))  # classes on axis 1
    labels = rng.integers(0, 5, size=(2, 3))
    moved = np.moveaxis(x, 1, -1)
    np.testing.assert_allclose(
        cross_entropy(x, labels, axis=1, reduction="none"),
        cross_entropy(moved, labels, reduction="none"),
        rtol=1e-15,
    )
    target = softmax(rng.normal(size=(2, 5, 3)), axis=1)
    np.testing.assert_allclose(
        cross_entropy(x, target, axis=1, reduction="none"),
        -(target * log_softmax(x, axis=1)).sum(axis=1),
        rtol=1e-14,
    )


def test_distribution_target_matches_scipy_composition():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(10, 7)) * 3
    target = softmax(rng.normal(size=(10, 7)))
    expected = -(target * scipy.special.log_softmax(x, axis=-1)).sum(axis=-1)
    np.testing.assert_allclose(cross_entropy(x, target, reduction="none"), expected, rtol=1e-13)


def test_dtype_follows_logits():
    x32 = np.array([[1.0, 2.0]], dtype=np.float32)
    assert cross_entropy(x32, [0]).dtype == np.float32
    assert cross_entropy(x32.astype(np.float16), [0]).dtype == np.float16
    assert cross_entropy([[1, 2]], [0]).dtype == np.float64


def test_masked_and_special_logits():
    # The true class masked: infinite loss. Another class masked: ignored.
    losses = cross_entropy([[0.0, -inf], [0.0, -inf]], [1, 0], reduction="none")
    np.testing.assert_array_equal(losses, [inf, 0.0])
    # A zero-probability target on a masked class contributes nothing.
    np.testing.assert_array_equal(cross_entropy([[0.0, -inf]], [[1.0, 0.0]]), 0.0)
    # +inf at the label: loss 0; elsewhere: inf; NaN row: NaN; other rows unaffected.
    losses = cross_entropy(
        [[inf, 0.0], [0.0, inf], [nan, 0.0], [1.0, 1.0]], [0, 0, 0, 0], reduction="none"
    )
    assert losses[0] == 0.0 and losses[1] == inf and np.isnan(losses[2])
    np.testing.assert_allclose(losses[3], np.log(2.0), rtol=1e-15)


def test_empty_batch():
    assert cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int), reduction="none").shape == (0,)
    assert cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int), reduction="sum") == 0.0
    assert np.isnan(cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)))


@pytest.mark.parametrize(
    "target, error, match",
    [
        ([0, 3], ValueError, r"\[0, 2\]"),
        ([0, -1], ValueError, r"\[0, 2\]"),
        ([0.0, 1.0], TypeError, "integers"),
        ([[0, 1, 0]], ValueError, "shape"),
        ([[0, 1, 0], [1, 0, 0]], TypeError, "must be float"),
        ([[0.5, 0.6, 0.0], [1.0, 0.0, 0.0]], ValueError, "sum to 1"),
        ([[1.5, -0.5, 0.0], [1.0, 0.0, 0.0]], ValueError, "non-negative"),
        ([[nan, 1.0, 0.0], [1.0, 0.0, 0.0]], ValueError, "finite"),
    ],
)
def test_bad_targets(target, error, match):
    with pytest.raises(error, match=match):
        cross_entropy(np.zeros((2, 3)), target)


def test_bad_reduction_and_logits():
    with pytest.raises(ValueError, match="reduction"):
        cross_entropy([[0.0, 1.0]], [0], reduction="average")
    with pytest.raises(ValueError, match="at least one class"):
        cross_entropy(np.zeros((2, 0)), [0, 0])
    with pytest.raises(TypeError, match="real"):
        cross_entropy([[1j, 0]], [0])


@given(logits(min_classes=2, magnitude=300.0))
def test_gradient_is_softmax_minus_target(x):
    labels = np.arange(x.shape[0]) % x.shape[1]
    target = one_hot(labels, x.shape[1])
    grad = numerical_gradient(lambda z: cross_entropy(z, labels, reduction="sum"), x)
    np.testing.assert_allclose(grad, softmax(x) - target, atol=2e-6)


@given(logits(min_classes=2, magnitude=50.0), st.floats(0.0, 0.5))
def test_label_smoothing_target_is_accepted_and_bounded_below(x, smoothing):
    k = x.shape[1]
    labels = np.zeros(x.shape[0], dtype=int)
    target = (1 - smoothing) * one_hot(labels, k) + smoothing / k
    loss = cross_entropy(x, target, reduction="none")
    # Gibbs' inequality: the cross-entropy is at least the target's entropy.
    entropy = -(target * np.log(np.where(target > 0, target, 1))).sum(axis=-1)
    assert np.all(loss >= entropy - 1e-12)


def test_agreement_with_keras_losses():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(4)
    x = (rng.normal(size=(64, 10)) * 4).astype(np.float32)
    labels = rng.integers(0, 10, size=64)
    sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    np.testing.assert_allclose(
        cross_entropy(x, labels, reduction="none"),
        keras.ops.convert_to_numpy(sparse(labels, x)),
        rtol=1e-5,
        atol=1e-6,
    )
    categorical = keras.losses.CategoricalCrossentropy(from_logits=True)
    target = softmax(rng.normal(size=(64, 10))).astype(np.float32)
    np.testing.assert_allclose(
        cross_entropy(x, target),
        keras.ops.convert_to_numpy(categorical(target, x)),
        rtol=1e-5,
    )


# --- Accuracy against the 50-digit mpmath reference, in ULPs ---------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("spread", [1.0, 30.0, 300.0])
def test_cross_entropy_per_sample_within_bounds(dtype, spread):
    x = adversarial(int(spread) + 5, 8, 10, spread, dtype)
    labels = np.array([0, 1, 2, 3, 4, 5, 6, int(x[7].argmax())])
    err = ulp_error(cross_entropy(x, labels, reduction="none"), reference_cross_entropy(x, labels))
    assert err.max() <= ULP_BOUNDS["cross_entropy"]
