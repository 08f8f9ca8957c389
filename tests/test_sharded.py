"""Tests of softmax_course.online.sharded: cross-entropy over a class axis split into shards."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SPECIAL_ROWS, logits

from softmax_course import cross_entropy, logsumexp
from softmax_course.online import shard_statistics, sharded_cross_entropy
from softmax_course.testing import (
    ULP_BOUNDS,
    reference_cross_entropy,
    ulp_error,
)

inf, nan = np.inf, np.nan


@settings(max_examples=60)
@given(logits(max_classes=16), st.data())
def test_sharded_cross_entropy_equals_cross_entropy(x, data):
    num_classes = x.shape[1]
    labels = np.array(
        data.draw(st.lists(st.integers(0, num_classes - 1), min_size=len(x), max_size=len(x)))
    )
    cuts = sorted(data.draw(st.lists(st.integers(0, num_classes), max_size=5)))
    shards = np.split(x, cuts, axis=1)
    losses = sharded_cross_entropy(shards, labels, reduction="none")
    assert (
        ulp_error(losses, reference_cross_entropy(x, labels)).max() <= ULP_BOUNDS["cross_entropy"]
    )
    np.testing.assert_allclose(
        sharded_cross_entropy(shards, labels), cross_entropy(x, labels), rtol=1e-14
    )


def test_sharded_cross_entropy_batch_axis_and_reductions():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(7, 4, 3))  # classes on axis 0
    labels = rng.integers(0, 7, size=(4, 3))
    shards = [x[:2], x[2:3], x[3:]]
    for reduction in ("none", "sum", "mean"):
        np.testing.assert_allclose(
            sharded_cross_entropy(shards, labels, axis=0, reduction=reduction),
            cross_entropy(x, labels, axis=0, reduction=reduction),
            rtol=1e-14,
        )


@pytest.mark.parametrize("row", SPECIAL_ROWS[:4] + SPECIAL_ROWS[5:])
@pytest.mark.parametrize("label", [0, 1, 2])
def test_sharded_cross_entropy_special_values(row, label):
    x = np.array([row])
    expected = cross_entropy(x, [label], reduction="none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = sharded_cross_entropy([x[:, :1], x[:, 1:3], x[:, 3:]], [label], reduction="none")
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_shard_statistics_reports_the_target_it_holds():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    pair, target = shard_statistics(x, [4, 1], class_offset=3)
    np.testing.assert_array_equal(target, [2.0, 0.0])
    np.testing.assert_allclose(pair.logsumexp(), logsumexp(x), rtol=1e-15)


def test_bad_input_raises_clear_errors_sharded():
    with pytest.raises(ValueError, match=r"lie in \[0, 2\]"):
        sharded_cross_entropy([np.ones((1, 2)), np.ones((1, 1))], [3])
    with pytest.raises(ValueError, match="same batch shape"):
        sharded_cross_entropy([np.ones((1, 2)), np.ones((2, 1))], [0])
    with pytest.raises(TypeError, match="non-empty list"):
        sharded_cross_entropy([], [0])
    with pytest.raises(ValueError, match="reduction"):
        sharded_cross_entropy([np.ones((1, 2))], [0], reduction="max")
    with pytest.raises(ValueError, match="class_offset"):
        shard_statistics(np.ones((1, 2)), [0], class_offset=-1)
