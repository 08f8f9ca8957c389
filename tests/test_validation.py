"""Tests of the input checks (softmax_course._validation) as a user meets them.

Every public function validates its input once, at the door, and every message
names the function that raised it.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.exceptions import AxisError

import softmax_course as sc
from softmax_course import calibration, data, online, plotting, regression, sampling, teaching
from softmax_course import sparsemax as sparse
from softmax_course._validation import check_real, class_axes, distribution_tolerance

rng = np.random.default_rng(0)
x2 = np.zeros((2, 3))
pair = online.normalizer(x2)

#: One bad call per public function: (function, the argument at fault, call, error).
BAD_CALLS = [
    ("softmax", "x", lambda: sc.softmax(3.0), ValueError),
    ("log_softmax", "temperature", lambda: sc.log_softmax(x2, temperature=0.0), ValueError),
    ("logsumexp", "x", lambda: sc.logsumexp([1j]), TypeError),
    ("softmax_jacobian", "axis", lambda: sc.softmax_jacobian(x2, axis=2), AxisError),
    ("sigmoid", "x", lambda: sc.sigmoid("a"), TypeError),
    ("log_sigmoid", "x", lambda: sc.log_sigmoid([1j]), TypeError),
    ("logit", "p", lambda: sc.logit([2.0]), ValueError),
    ("cross_entropy", "labels", lambda: sc.cross_entropy(x2, [0, 5]), ValueError),
    (
        "cross_entropy",
        "reduction",
        lambda: sc.cross_entropy(x2, [0, 1], reduction="max"),
        ValueError,
    ),
    ("one_hot", "num_classes", lambda: sc.one_hot([0], 0), ValueError),
    ("one_hot", "labels", lambda: sc.one_hot([0.0, 1.0], 2), TypeError),
    ("entropy", "probs", lambda: sc.entropy([0.2, 0.2]), ValueError),
    ("kl_divergence", "q", lambda: sc.kl_divergence([0.5, 0.5], [1.0, 0.0, 0.0]), ValueError),
    ("naive_softmax", "axis", lambda: teaching.naive_softmax(x2, axis=(0, 0)), ValueError),
    ("shifted_softmax", "axis", lambda: teaching.shifted_softmax(x2, axis=1.5), TypeError),
    ("naive_log_softmax", "x", lambda: teaching.naive_log_softmax(["a"]), TypeError),
    (
        "numerical_gradient",
        "step",
        lambda: teaching.numerical_gradient(sum, [1.0], step=0.0),
        ValueError,
    ),
    ("softmax_steps", "logits", lambda: teaching.softmax_steps([[1.0]]), ValueError),
    (
        "SoftmaxSteps.table",
        "digits",
        lambda: teaching.softmax_steps([1.0]).table(digits=-1),
        ValueError,
    ),
    (
        "reliability_bins",
        "probs",
        lambda: calibration.reliability_bins([[2.0, -1.0]], [0]),
        ValueError,
    ),
    (
        "expected_calibration_error",
        "n_bins",
        lambda: calibration.expected_calibration_error(x2 + 1 / 3, [0, 0], n_bins=0),
        ValueError,
    ),
    (
        "fit_temperature",
        "bounds",
        lambda: calibration.fit_temperature(x2, [0, 1], bounds=(2.0, 1.0)),
        ValueError,
    ),
    (
        "plot_reliability_diagram",
        "bins",
        lambda: plotting.plot_reliability_diagram(None),
        TypeError,
    ),
    ("plot_weight_images", "weights", lambda: plotting.plot_weight_images(np.ones(3)), ValueError),
    (
        "plot_decision_regions",
        "bias",
        lambda: plotting.plot_decision_regions(
            np.ones((2, 2)), [np.nan, 0.0], x_range=(0, 1), y_range=(0, 1)
        ),
        ValueError,
    ),
    (
        "sampling_distribution",
        "logits",
        lambda: sampling.sampling_distribution([np.nan, 0.0]),
        ValueError,
    ),
    (
        "sampling_distribution",
        "top_p",
        lambda: sampling.sampling_distribution([0.0], top_p=1.5),
        ValueError,
    ),
    ("sample_logits", "rng", lambda: sampling.sample_logits([0.0], None), TypeError),
    (
        "gumbel_max_sample",
        "size",
        lambda: sampling.gumbel_max_sample([0.0], rng, size=-1),
        ValueError,
    ),
    (
        "gumbel_softmax",
        "temperature",
        lambda: sampling.gumbel_softmax([0.0], rng, temperature=-1.0),
        ValueError,
    ),
    ("sparsemax", "x", lambda: sparse.sparsemax(np.zeros((2, 0))), ValueError),
    ("sparsemax_threshold", "x", lambda: sparse.sparsemax_threshold(3.0), ValueError),
    ("normalizer", "axis", lambda: online.normalizer(x2, axis=(0, 1)), ValueError),
    ("update_normalizer", "pair", lambda: online.update_normalizer(None, x2), TypeError),
    ("merge_normalizers", "second", lambda: online.merge_normalizers(pair, 1.0), TypeError),
    ("online_softmax", "block_size", lambda: online.online_softmax(x2, block_size=0), ValueError),
    (
        "online_logsumexp",
        "block_size",
        lambda: online.online_logsumexp(x2, block_size=1.5),
        TypeError,
    ),
    (
        "softmax_from_normalizer",
        "pair",
        lambda: online.softmax_from_normalizer(x2.T, pair),
        ValueError,
    ),
    (
        "log_softmax_from_normalizer",
        "pair",
        lambda: online.log_softmax_from_normalizer(x2, None),
        TypeError,
    ),
    ("pack_normalizer", "axis", lambda: online.pack_normalizer(x2, axis=None), ValueError),
    ("unpack_normalizer", "packed", lambda: online.unpack_normalizer(np.ones(4)), ValueError),
    ("merge_packed", "packed", lambda: online.merge_packed(np.ones(5)), ValueError),
    (
        "logsumexp_from_packed",
        "packed",
        lambda: online.logsumexp_from_packed(np.ones(2)),
        ValueError,
    ),
    (
        "shard_statistics",
        "class_offset",
        lambda: online.shard_statistics(x2, [0, 1], class_offset=-1),
        ValueError,
    ),
    (
        "sharded_cross_entropy",
        "labels",
        lambda: online.sharded_cross_entropy([x2], [0, 9]),
        ValueError,
    ),
    (
        "streaming_attention",
        "values",
        lambda: online.streaming_attention([1.0], [[1.0]], [[1.0], [2.0]]),
        ValueError,
    ),
    (
        "streaming_attention",
        "scale",
        lambda: online.streaming_attention([1.0], [[1.0]], [[1.0]], scale=np.inf),
        ValueError,
    ),
    (
        "softmax_regression_loss_grad",
        "l2",
        lambda: regression.softmax_regression_loss_grad(
            np.ones((2, 2)), np.ones(2), np.ones((1, 2)), [0], l2=-1.0
        ),
        ValueError,
    ),
    (
        "make_blobs_split",
        "test_size",
        lambda: data.make_blobs_split(n_samples=10, test_size=10),
        ValueError,
    ),
    ("decision_grid", "y_range", lambda: data.decision_grid((0, 1), (1, 0)), ValueError),
    (
        "standardized_split",
        "val_size",
        lambda: data.standardized_split(np.ones((10, 2)), np.zeros(10, int), val_size=1.0),
        ValueError,
    ),
]


@pytest.mark.parametrize(
    ("function", "argument", "call", "error"), BAD_CALLS, ids=[f"{c[0]}-{c[1]}" for c in BAD_CALLS]
)
def test_every_error_names_its_function_and_its_argument(function, argument, call, error):
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    assert message.startswith(function), message
    assert argument in message, message


def _public_functions():
    modules = [sc, calibration, data, online, plotting, regression, sampling, teaching, sparse]
    for module in modules:
        for name in module.__all__:
            value = getattr(module, name)
            if callable(value) and not isinstance(value, type):
                yield name
    yield "SoftmaxSteps.table"


def test_every_public_function_has_a_bad_call():
    """The keras_models functions need TensorFlow: tests/test_keras_models.py checks them."""
    named = {function for function, *_ in BAD_CALLS}
    missing = set(_public_functions()) - named
    assert not missing, sorted(missing)


def test_no_message_leaks_from_another_function():
    with pytest.raises(TypeError) as raised:
        sc.one_hot([0.0, 1.0], 2)
    assert "distribution" not in str(raised.value)
    with pytest.raises(TypeError) as raised:
        sc.logsumexp([1j])
    assert "Softmax" not in str(raised.value) and "logits" not in str(raised.value)


@pytest.mark.parametrize(
    ("value", "kwargs", "error", "match"),
    [
        ("1", {}, TypeError, "must be a real number"),
        (True, {}, TypeError, "must be a real number"),
        (np.nan, {}, ValueError, "finite"),
        (0.0, {"low": 0.0, "low_open": True}, ValueError, "greater than 0"),
        (1.0, {"low": 0.0, "high": 1.0, "high_open": True}, ValueError, r"\[0, 1\)"),
        (-1.0, {"low": 0.0}, ValueError, "at least 0"),
    ],
)
def test_check_real_names_the_function_the_argument_and_the_range(value, kwargs, error, match):
    with pytest.raises(error, match=match) as raised:
        check_real(value, "gain", "amplify", **kwargs)
    assert str(raised.value).startswith("amplify: gain")


@pytest.mark.parametrize("value", [0.5, 1, np.float32(0.25)])
def test_check_real_returns_a_float(value):
    result = check_real(value, "gain", "amplify", low=0.0, high=1.0)
    assert type(result) is float and result == float(value)


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
    calibration.reliability_bins(probs, labels)
    calibration.expected_calibration_error(probs, labels)
    sc.entropy(probs)
    sc.kl_divergence(probs, probs)
    sc.cross_entropy(logits, probs)
