"""Tests of the input checks (softmax_course._validation) as a user meets them.

Every public function validates its input once, at the door, and every message
names the function that raised it.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.exceptions import AxisError

import softmax_course as sc
from softmax_course._validation import class_axes, distribution_tolerance

rng = np.random.default_rng(0)
x2 = np.zeros((2, 3))
pair = sc.normalizer(x2)

#: One bad call per public function: (function name, call, expected error).
BAD_CALLS = [
    ("softmax", lambda: sc.softmax(3.0), ValueError),
    ("log_softmax", lambda: sc.log_softmax(x2, temperature=0.0), ValueError),
    ("logsumexp", lambda: sc.logsumexp(3.0), ValueError),
    ("softmax_jacobian", lambda: sc.softmax_jacobian(x2, axis=2), AxisError),
    ("sigmoid", lambda: sc.sigmoid("a"), TypeError),
    ("log_sigmoid", lambda: sc.log_sigmoid([1j]), TypeError),
    ("logit", lambda: sc.logit([2.0]), ValueError),
    ("cross_entropy", lambda: sc.cross_entropy(x2, [0, 5]), ValueError),
    ("cross_entropy", lambda: sc.cross_entropy(x2, [0, 1], reduction="max"), ValueError),
    ("one_hot", lambda: sc.one_hot([0], 0), ValueError),
    ("entropy", lambda: sc.entropy([0.2, 0.2]), ValueError),
    ("kl_divergence", lambda: sc.kl_divergence([0.5, 0.5], [1.0, 0.0, 0.0]), ValueError),
    ("naive_softmax", lambda: sc.naive_softmax(x2, axis=(0, 0)), ValueError),
    ("shifted_softmax", lambda: sc.shifted_softmax(x2, axis=1.5), TypeError),
    ("naive_log_softmax", lambda: sc.naive_log_softmax(["a"]), TypeError),
    ("reliability_bins", lambda: sc.reliability_bins([[2.0, -1.0]], [0]), ValueError),
    (
        "expected_calibration_error",
        lambda: sc.expected_calibration_error(x2 + 0.5, [0, 0], n_bins=0),
        ValueError,
    ),
    ("fit_temperature", lambda: sc.fit_temperature(x2, [0, 1], bounds=(2.0, 1.0)), ValueError),
    ("plot_reliability_diagram", lambda: sc.plot_reliability_diagram(None), TypeError),
    ("sampling_distribution", lambda: sc.sampling_distribution([np.nan, 0.0]), ValueError),
    ("sample_logits", lambda: sc.sample_logits([0.0], None), TypeError),
    ("gumbel_max_sample", lambda: sc.gumbel_max_sample([0.0], rng, size=-1), ValueError),
    ("gumbel_softmax", lambda: sc.gumbel_softmax([0.0], rng, temperature=-1.0), ValueError),
    ("sparsemax", lambda: sc.sparsemax(np.zeros((2, 0))), ValueError),
    ("sparsemax_threshold", lambda: sc.sparsemax_threshold(3.0), ValueError),
    ("softmax_steps", lambda: sc.softmax_steps([[1.0]]), ValueError),
    ("SoftmaxSteps.table", lambda: sc.softmax_steps([1.0]).table(digits=-1), ValueError),
    ("normalizer", lambda: sc.normalizer(x2, axis=(0, 1)), ValueError),
    ("update_normalizer", lambda: sc.update_normalizer(None, x2), TypeError),
    ("merge_normalizers", lambda: sc.merge_normalizers(pair, 1.0), TypeError),
    ("online_softmax", lambda: sc.online_softmax(x2, block_size=0), ValueError),
    ("online_logsumexp", lambda: sc.online_logsumexp(x2, block_size=1.5), TypeError),
    ("softmax_from_normalizer", lambda: sc.softmax_from_normalizer(x2.T, pair), ValueError),
    ("log_softmax_from_normalizer", lambda: sc.log_softmax_from_normalizer(x2, None), TypeError),
    ("pack_normalizer", lambda: sc.pack_normalizer(x2, axis=None), ValueError),
    ("unpack_normalizer", lambda: sc.unpack_normalizer(np.ones(4)), ValueError),
    ("merge_packed", lambda: sc.merge_packed(np.ones(5)), ValueError),
    ("logsumexp_from_packed", lambda: sc.logsumexp_from_packed(np.ones(2)), ValueError),
    ("shard_statistics", lambda: sc.shard_statistics(x2, [0, 1], class_offset=-1), ValueError),
    ("sharded_cross_entropy", lambda: sc.sharded_cross_entropy([x2], [0, 9]), ValueError),
    (
        "streaming_attention",
        lambda: sc.streaming_attention([1.0], [[1.0]], [[1.0], [2.0]]),
        ValueError,
    ),
    ("make_blobs_split", lambda: sc.make_blobs_split(n_samples=10, test_size=10), ValueError),
    ("decision_grid", lambda: sc.decision_grid((0, 1), (1, 0)), ValueError),
]


@pytest.mark.parametrize(("function", "call", "error"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_every_error_names_the_function_that_raised_it(function, call, error):
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value).startswith(function), str(raised.value)


def test_options_cannot_be_passed_positionally():
    with pytest.raises(TypeError, match="positional"):
        sc.softmax([1.0, 2.0], -1, 2.0)
    with pytest.raises(TypeError, match="positional"):
        sc.logsumexp([1.0, 2.0], -1)


@pytest.mark.parametrize(
    ("axis", "ndim", "expected"),
    [
        (-1, 3, (2,)),
        (0, 3, (0,)),
        ((2, 0), 3, (0, 2)),
        ((-1,), 2, (1,)),
        (None, 3, (0, 1, 2)),
        ((), 2, ()),
        (None, 0, ()),
        ((), 0, ()),
        (np.int64(1), 2, (1,)),
    ],
)
def test_axis_takes_an_integer_a_tuple_or_none(axis, ndim, expected):
    assert class_axes(axis, ndim, "f") == expected


@pytest.mark.parametrize(
    ("axis", "ndim", "error", "match"),
    [
        (True, 2, TypeError, "axis must be an integer"),
        ([0, 1], 2, TypeError, "axis must be an integer"),
        (2, 2, AxisError, "out of bounds"),
        ((0, -2), 2, ValueError, "twice"),
        (0, 0, ValueError, "scalar"),
    ],
)
def test_bad_axes_are_refused_with_the_function_named(axis, ndim, error, match):
    with pytest.raises(error, match=match) as raised:
        class_axes(axis, ndim, "softmax")
    assert str(raised.value).startswith("softmax")


def test_distribution_tolerance_follows_the_dtype():
    assert distribution_tolerance(np.float64) == 1e-6
    assert distribution_tolerance(np.int64) == 1e-6
    assert 3e-4 < distribution_tolerance(np.float32) < 4e-4
    assert 0.03 < distribution_tolerance(np.float16) < 0.032


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_the_package_accepts_its_own_softmax_output_as_a_distribution(dtype):
    logits = np.random.default_rng(1).normal(0, 3, (200, 10)).astype(dtype)
    probs = sc.softmax(logits)
    labels = np.random.default_rng(2).integers(0, 10, 200)
    sc.reliability_bins(probs, labels)
    sc.expected_calibration_error(probs, labels)
    sc.entropy(probs)
    sc.kl_divergence(probs, probs)
    sc.cross_entropy(logits, probs)
