"""Tests of temperature / top-k / top-p sampling and the Gumbel tricks."""

import numpy as np
import pytest
import scipy.stats
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import logits

from softmax_course import softmax
from softmax_course.sampling import (
    gumbel_max_sample,
    gumbel_softmax,
    sample_logits,
    sampling_distribution,
)

inf = np.inf
LOGITS = np.log([0.4, 0.25, 0.15, 0.1, 0.06, 0.04])


def chi_square_p_value(samples, probs):
    """p-value of a chi-square goodness-of-fit test of ``samples`` against ``probs``."""
    keep = probs > 0
    counts = np.bincount(samples, minlength=len(probs))
    assert counts[~keep].sum() == 0, "a class with probability 0 was sampled"
    expected = probs[keep] / probs[keep].sum() * len(samples)
    return scipy.stats.chisquare(counts[keep], expected).pvalue


# --- The distribution ---------------------------------------------------------------------


def test_temperature_only_is_softmax_of_scaled_logits():
    np.testing.assert_allclose(
        sampling_distribution(LOGITS, temperature=0.5), softmax(LOGITS / 0.5), rtol=1e-15
    )
    np.testing.assert_allclose(sampling_distribution(LOGITS), [0.4, 0.25, 0.15, 0.1, 0.06, 0.04])


def test_top_k_keeps_the_k_largest_and_renormalises():
    probs = sampling_distribution(LOGITS, top_k=3)
    np.testing.assert_allclose(probs, [0.5, 0.3125, 0.1875, 0, 0, 0], rtol=1e-15)
    assert np.all(probs[3:] == 0)
    np.testing.assert_allclose(sampling_distribution(LOGITS, top_k=100), softmax(LOGITS))


def test_top_k_ties_go_to_the_lower_index():
    np.testing.assert_array_equal(
        sampling_distribution([1.0, 2.0, 2.0, 2.0], top_k=2), [0, 0.5, 0.5, 0]
    )


def test_top_p_keeps_the_nucleus():
    # Cumulative: 0.4, 0.65, 0.8, 0.9, ... ; p = 0.7 needs the first three.
    probs = sampling_distribution(LOGITS, top_p=0.7)
    np.testing.assert_allclose(probs, np.array([0.4, 0.25, 0.15, 0, 0, 0]) / 0.8, rtol=1e-14)
    # The most likely class is always kept, however small p is.
    np.testing.assert_array_equal(sampling_distribution(LOGITS, top_p=1e-9), [1, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(sampling_distribution(LOGITS, top_p=1.0), softmax(LOGITS))


def test_top_k_then_top_p_and_batches():
    batch = np.stack([LOGITS, LOGITS[::-1]])
    probs = sampling_distribution(batch, temperature=2.0, top_k=4, top_p=0.6)
    for row, logits_row in zip(probs, batch, strict=True):
        expected = sampling_distribution(np.where(row > 0, logits_row, -inf), temperature=2.0)
        np.testing.assert_allclose(row, expected, rtol=1e-14)
    np.testing.assert_array_equal(probs[0] > 0, (probs[1] > 0)[::-1])


@settings(max_examples=60)
@given(
    logits(max_classes=10, magnitude=20.0),
    st.floats(0.1, 5.0),
    st.integers(1, 10),
    st.floats(0.01, 1.0),
)
@example(np.array([[2.0, 0.0, 1e-16]]), 1.25, 3, 0.75)  # probabilities one ULP out of order
def test_distribution_properties(x, temperature, top_k, top_p):
    probs = sampling_distribution(x, temperature=temperature, top_k=top_k, top_p=top_p)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-12)
    kept = probs > 0
    assert np.all(kept.sum(axis=-1) >= 1)
    assert np.all(kept.sum(axis=-1) <= top_k)
    # The kept classes are the most likely ones: those of the largest logits (their
    # computed probabilities may be one ULP out of order when two logits are closer
    # than rounding, as for 0 and 1e-16), and the kept mass before the last one
    # kept is below top_p (the nucleus is the smallest such set).
    scaled = x / temperature
    full = softmax(scaled)
    for row_scaled, row_kept in zip(scaled, kept, strict=True):
        assert row_scaled[row_kept].min() >= row_scaled[~row_kept].max(initial=-np.inf)
    assert np.all(
        (full * kept).sum(axis=-1) - (full * kept).min(axis=-1, where=kept, initial=1) < top_p
    )


# --- Sampling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"temperature": 0.7},
        {"temperature": 2.0},
        {"top_k": 3},
        {"top_p": 0.8},
        {"top_k": 4, "top_p": 0.9},
    ],
    ids=str,
)
def test_samples_follow_the_sampling_distribution(options):
    rng = np.random.default_rng(20260)
    samples = sample_logits(LOGITS, rng, size=20_000, **options)
    probs = sampling_distribution(LOGITS, **options)
    assert samples.shape == (20_000,)
    assert chi_square_p_value(samples, probs) > 0.001


def test_sampling_is_reproducible_and_shaped():
    first = sample_logits(np.stack([LOGITS] * 3), np.random.default_rng(5), size=4)
    second = sample_logits(np.stack([LOGITS] * 3), np.random.default_rng(5), size=4)
    np.testing.assert_array_equal(first, second)
    assert first.shape == (3, 4)
    assert sample_logits(LOGITS, np.random.default_rng(5)).shape == ()
    assert sample_logits([[0.0, 1.0]] * 2, np.random.default_rng(5)).shape == (2,)


def test_masked_and_one_hot_logits():
    rng = np.random.default_rng(9)
    assert set(sample_logits([0.0, -inf, 0.0], rng, size=200).tolist()) == {0, 2}
    np.testing.assert_array_equal(sample_logits([1.0, inf, 3.0], rng, size=5), [1] * 5)
    np.testing.assert_array_equal(sample_logits(LOGITS, rng, top_k=1, size=5), [0] * 5)


# --- Gumbel -----------------------------------------------------------------------------


def test_gumbel_max_samples_follow_softmax():
    rng = np.random.default_rng(77)
    samples = gumbel_max_sample(LOGITS + 3.0, rng, size=20_000)
    assert chi_square_p_value(samples, softmax(LOGITS)) > 0.001


def test_gumbel_max_frequencies_for_a_batch():
    rng = np.random.default_rng(78)
    batch = np.array([[0.0, 1.0, 2.0], [2.0, 2.0, -inf]])
    samples = gumbel_max_sample(batch, rng, size=10_000)
    assert samples.shape == (2, 10_000)
    for row_samples, row in zip(samples, batch, strict=True):
        assert chi_square_p_value(row_samples, softmax(row)) > 0.001


def test_gumbel_softmax_is_on_the_simplex_and_its_argmax_is_gumbel_max():
    batch = np.broadcast_to(LOGITS, (500, len(LOGITS)))
    hard = gumbel_max_sample(batch, np.random.default_rng(11))
    for temperature in (0.1, 0.5, 1.0, 5.0):
        soft = gumbel_softmax(batch, np.random.default_rng(11), temperature=temperature)
        assert np.all(soft >= 0)
        np.testing.assert_allclose(soft.sum(axis=-1), 1.0, rtol=1e-14)
        np.testing.assert_array_equal(soft.argmax(axis=-1), hard)


def test_gumbel_softmax_temperature_limits():
    batch = np.broadcast_to(LOGITS, (200, len(LOGITS)))
    cold = gumbel_softmax(batch, np.random.default_rng(4), temperature=1e-3)
    hot = gumbel_softmax(batch, np.random.default_rng(4), temperature=1e3)
    assert np.mean(cold.max(axis=-1) > 0.999) > 0.95  # nearly one-hot
    np.testing.assert_allclose(hot, 1 / len(LOGITS), rtol=0.02)  # nearly uniform


# --- Bad input --------------------------------------------------------------------------


def test_bad_input_raises_clear_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="Generator"):
        sample_logits(LOGITS, np.random.RandomState(0))
    with pytest.raises(TypeError, match="Generator"):
        gumbel_max_sample(LOGITS, 0)
    with pytest.raises(ValueError, match="top_k"):
        sampling_distribution(LOGITS, top_k=0)
    with pytest.raises(TypeError, match="top_k"):
        sampling_distribution(LOGITS, top_k=2.5)
    with pytest.raises(ValueError, match="top_p"):
        sampling_distribution(LOGITS, top_p=0.0)
    with pytest.raises(ValueError, match="top_p"):
        sampling_distribution(LOGITS, top_p=1.5)
    with pytest.raises(ValueError, match="temperature"):
        sampling_distribution(LOGITS, temperature=0.0)
    with pytest.raises(ValueError, match="NaN"):
        sample_logits([0.0, np.nan], rng)
    with pytest.raises(ValueError, match="at least one class"):
        gumbel_softmax(np.ones((2, 0)), rng)
    with pytest.raises(ValueError, match="scalar"):
        gumbel_max_sample(1.0, rng)
    with pytest.raises(ValueError, match="size"):
        sample_logits(LOGITS, rng, size=-1)


def test_a_tiny_temperature_does_not_overflow():
    """Issue 20: dividing the logits first gave [nan, nan] and an overflow warning."""
    with np.errstate(all="raise"):
        probs = sampling_distribution([1e300, 1e299], temperature=1e-10)
    np.testing.assert_array_equal(probs, [1.0, 0.0])
    with np.errstate(all="raise"):
        top = sampling_distribution([1e300, 1e299, 0.0], temperature=1e-10, top_k=2, top_p=0.5)
    np.testing.assert_array_equal(top, [1.0, 0.0, 0.0])


@pytest.mark.parametrize("function", [sample_logits, gumbel_max_sample])
def test_a_row_of_masked_logits_is_refused(function):
    """Issue 20: a row that is entirely -inf has nothing to sample; it used to be sampled."""
    logits = np.array([[0.0, 1.0], [-np.inf, -np.inf]])
    with pytest.raises(ValueError, match=r"every logit of row \(1,\) is -inf") as raised:
        function(logits, np.random.default_rng(0))
    assert str(raised.value).startswith(function.__name__)
    function(logits[:1], np.random.default_rng(0))  # the other row alone is fine
