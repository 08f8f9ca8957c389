"""Tests of softmax_course.information: entropy and KL divergence."""

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from strategies import distributions

from softmax_course import entropy, kl_divergence, softmax
from softmax_course._validation import distribution_tolerance


def reference_entropy(row):
    with mpmath.workdps(50):
        return float(-mpmath.fsum(mpmath.mpf(p) * mpmath.log(p) for p in row if p > 0))


def reference_kl(p_row, q_row):
    with mpmath.workdps(50):
        total = mpmath.mpf(0)
        for p, q in zip(p_row, q_row, strict=True):
            if p > 0:
                if q == 0:
                    return float("inf")
                total += mpmath.mpf(p) * mpmath.log(mpmath.mpf(p) / mpmath.mpf(q))
        return float(total)


# ---------------------------------------------------------------- entropy


def test_entropy_known_values():
    assert entropy([1.0, 0.0, 0.0]) == 0.0
    assert entropy([0.5, 0.5]) == pytest.approx(np.log(2), rel=1e-15)
    assert entropy(np.full(10, 0.1)) == pytest.approx(np.log(10), rel=1e-15)
    # H(0.25, 0.25, 0.5) = 1.5 log 2.
    assert entropy([0.25, 0.25, 0.5]) == pytest.approx(1.5 * np.log(2), rel=1e-15)


def test_entropy_single_class_is_zero():
    assert entropy([1.0]) == 0.0


def test_entropy_zero_probabilities_contribute_nothing():
    assert entropy([0.5, 0.0, 0.5, 0.0]) == entropy([0.5, 0.5])


def test_entropy_axis_and_shape():
    probs = softmax(np.arange(24.0).reshape(2, 3, 4) / 7.0, axis=1)
    result = entropy(probs, axis=1)
    assert result.shape == (2, 4)
    expected = np.array([[entropy(probs[i, :, j]) for j in range(4)] for i in range(2)])
    np.testing.assert_allclose(result, expected, rtol=1e-15)
    np.testing.assert_allclose(entropy(probs, axis=-2), result, rtol=0)


def test_entropy_empty_batch():
    result = entropy(np.empty((0, 3)))
    assert result.shape == (0,)
    assert result.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_entropy_keeps_float_dtype(dtype):
    probs = np.array([0.25, 0.25, 0.5], dtype=dtype)
    result = entropy(probs)
    assert result.dtype == dtype
    assert float(result) == pytest.approx(1.5 * np.log(2), rel=float(np.finfo(dtype).eps))


@pytest.mark.parametrize("probs", [[0, 1, 0], [False, True], np.array([1], dtype=np.uint8)])
def test_entropy_of_integer_one_hot_is_float64_zero(probs):
    result = entropy(probs)
    assert result.dtype == np.float64
    assert result == 0.0


def test_entropy_matches_scipy():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.full(7, 0.5), size=200)
    np.testing.assert_allclose(entropy(probs), scipy.stats.entropy(probs, axis=-1), rtol=1e-13)


@given(distributions())
def test_entropy_matches_mpmath(probs):
    expected = np.array([reference_entropy(row) for row in probs])
    np.testing.assert_allclose(entropy(probs), expected, rtol=1e-13, atol=1e-300)


@given(distributions())
def test_entropy_between_zero_and_log_k(probs):
    result = entropy(probs)
    num_classes = probs.shape[-1]
    assert np.all(result >= 0)
    assert np.all(result <= np.log(num_classes) * (1 + 1e-13) + 1e-15)


@given(st.integers(1, 1000))
def test_entropy_of_uniform_is_log_k(num_classes):
    result = entropy(np.full(num_classes, 1.0 / num_classes))
    assert result == pytest.approx(np.log(num_classes), rel=1e-13, abs=1e-15)


@given(distributions(), st.data())
def test_entropy_is_permutation_invariant(probs, data):
    permutation = data.draw(st.permutations(range(probs.shape[-1])))
    np.testing.assert_allclose(entropy(probs[:, permutation]), entropy(probs), rtol=1e-14)


@pytest.mark.parametrize(
    ("probs", "message"),
    [
        ([0.5, np.nan, 0.5], "finite"),
        ([0.5, np.inf], "finite"),
        ([1.5, -0.5], "non-negative"),
        ([0.5, 0.4], "sum to 1"),
        ([0.3333, 0.3333, 0.3333], "sum to 1"),
        (np.empty((2, 0)), "at least one class"),
    ],
)
def test_entropy_rejects_non_distributions(probs, message):
    with pytest.raises(ValueError, match=message):
        entropy(probs)


def test_entropy_tolerance_depends_on_dtype():
    almost = [0.5, 0.5003]
    assert distribution_tolerance(np.float64) == 1e-6
    assert 3e-4 < distribution_tolerance(np.float32) < 4e-4
    entropy(np.array(almost, dtype=np.float32))  # within 3.5e-4: accepted
    with pytest.raises(ValueError, match="sum to 1"):
        entropy(np.array(almost, dtype=np.float64))


@pytest.mark.parametrize(
    ("probs", "axis", "error"),
    [
        ([0.5 + 0j, 0.5], -1, TypeError),
        (["a", "b"], -1, TypeError),
        (np.array(0.5), -1, ValueError),
        ([0.5, 0.5], 1, ValueError),
        ([0.5, 0.5], 0.0, TypeError),
    ],
)
def test_entropy_rejects_bad_input(probs, axis, error):
    with pytest.raises(error):
        entropy(probs, axis=axis)


# ----------------------------------------------------------- KL divergence


def test_kl_known_values():
    # KL(p || q) for p = (1/2, 1/2), q = (1/4, 3/4): 1/2 log 2 + 1/2 log(2/3).
    expected = 0.5 * np.log(2) + 0.5 * np.log(2 / 3)
    assert kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(expected, rel=1e-14)
    # KL(one-hot at k || q) = -log q_k.
    assert kl_divergence([0.0, 1.0, 0.0], [0.2, 0.3, 0.5]) == pytest.approx(-np.log(0.3))


def test_kl_is_not_symmetric():
    p, q = [0.9, 0.1], [0.5, 0.5]
    assert kl_divergence(p, q) != pytest.approx(kl_divergence(q, p), rel=1e-3)


def test_kl_zero_mass_conventions():
    # p_k = 0 contributes 0, even where q_k = 0.
    assert kl_divergence([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0
    # p_k > 0 where q_k = 0 makes the divergence infinite.
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf


def test_kl_extreme_ratios_stay_finite():
    tiny = 1e-310  # subnormal: 1 / tiny overflows
    q = np.array([tiny, 1.0 - tiny])
    p = np.array([0.5, 0.5])
    expected = reference_kl(p, q)
    assert np.isfinite(kl_divergence(p, q))
    assert kl_divergence(p, q) == pytest.approx(expected, rel=1e-14)
    # and the reverse: p_k / q_k underflows to 0
    assert kl_divergence(q, p) == pytest.approx(reference_kl(q, p), rel=1e-14)


def test_kl_matches_scipy_rel_entr():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.full(6, 0.7), size=100)
    q = rng.dirichlet(np.full(6, 0.7), size=100)
    expected = scipy.special.rel_entr(p, q).sum(axis=-1)
    np.testing.assert_allclose(kl_divergence(p, q), expected, rtol=1e-12)


def test_kl_broadcasts_a_single_reference():
    rng = np.random.default_rng(2)
    p = rng.dirichlet(np.ones(4), size=5)
    uniform = np.full(4, 0.25)
    result = kl_divergence(p, uniform)
    assert result.shape == (5,)
    # KL(p || uniform) = log K - H(p).
    np.testing.assert_allclose(result, np.log(4) - entropy(p), rtol=1e-12, atol=1e-15)


def test_kl_axis():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(3), size=(2, 4)).transpose(0, 2, 1)  # class axis 1
    q = rng.dirichlet(np.ones(3), size=(2, 4)).transpose(0, 2, 1)
    result = kl_divergence(p, q, axis=1)
    assert result.shape == (2, 4)
    expected = kl_divergence(p.transpose(0, 2, 1), q.transpose(0, 2, 1))
    np.testing.assert_allclose(result, expected, rtol=1e-15)


@pytest.mark.parametrize(
    ("p_dtype", "q_dtype", "expected"),
    [
        (np.float16, np.float16, np.float16),
        (np.float32, np.float32, np.float32),
        (np.float16, np.float32, np.float32),
        (np.float32, np.float64, np.float64),
        (np.int64, np.float32, np.float64),
    ],
)
def test_kl_result_dtype(p_dtype, q_dtype, expected):
    p = np.array([1, 0], dtype=p_dtype)
    q = np.array([0.5, 0.5], dtype=q_dtype)
    result = kl_divergence(p, q)
    assert result.dtype == expected
    assert float(result) == pytest.approx(np.log(2), rel=float(np.finfo(expected).eps))


@given(distributions(max_rows=1), st.data())
def test_kl_matches_mpmath(p, data):
    num_classes = p.shape[-1]
    q = data.draw(distributions(min_classes=num_classes, max_classes=num_classes, max_rows=1))
    expected = reference_kl(p[0], q[0])
    result = float(kl_divergence(p[0], q[0]))
    if np.isinf(expected):
        assert result == np.inf
    else:
        assert result == pytest.approx(expected, rel=1e-12, abs=1e-15)


@given(distributions(min_classes=2, max_classes=8, max_rows=1), st.data())
def test_kl_is_non_negative(p, data):
    q = data.draw(distributions(min_classes=p.shape[-1], max_classes=p.shape[-1], max_rows=1))
    assert np.all(kl_divergence(p, q) >= 0)


@given(distributions(), st.floats(-1e-9, 1e-9))
def test_kl_is_non_negative_for_nearly_equal_distributions(p, nudge):
    q = np.abs(p * (1 + nudge * np.arange(p.shape[-1])))
    q = q / q.sum(axis=-1, keepdims=True)
    assert np.all(kl_divergence(p, q) >= 0)


@given(distributions())
def test_kl_of_a_distribution_with_itself_is_exactly_zero(p):
    assert np.all(kl_divergence(p, p) == 0.0)


@given(distributions(allow_zeros=False))
def test_kl_to_uniform_is_log_k_minus_entropy(p):
    num_classes = p.shape[-1]
    uniform = np.full(num_classes, 1.0 / num_classes)
    np.testing.assert_allclose(
        kl_divergence(p, uniform), np.log(num_classes) - entropy(p), rtol=1e-10, atol=1e-14
    )


@pytest.mark.parametrize(
    ("p", "q", "message"),
    [
        ([0.5, 0.5], [0.2, 0.3, 0.5], "same number of classes"),
        (np.full((2, 3), 1 / 3), np.full((3, 3), 1 / 3), "broadcastable"),
        (np.full((2, 3), 1 / 3), np.ones((2, 1)), "same number of classes"),
        ([0.5, 0.5], [0.7, 0.7], "q must sum to 1"),
        ([0.5, 0.6], [0.5, 0.5], "p must sum to 1"),
        ([-0.5, 1.5], [0.5, 0.5], "p must be non-negative"),
        ([0.5, 0.5], [np.nan, 0.5], "q must be finite"),
        (np.empty((1, 0)), np.empty((1, 0)), "at least one class"),
    ],
)
def test_kl_rejects_bad_input(p, q, message):
    with pytest.raises(ValueError, match=message):
        kl_divergence(p, q)


def test_kl_rejects_complex():
    with pytest.raises(TypeError, match="real"):
        kl_divergence([0.5, 0.5], [0.5 + 0j, 0.5])
