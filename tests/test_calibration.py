"""Tests of softmax_course.calibration: reliability bins, ECE and temperature scaling."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import logits

from softmax_course import cross_entropy, softmax
from softmax_course.calibration import (
    ReliabilityBins,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
)
from softmax_course.plotting import plot_reliability_diagram


def sample_labels(probs, rng):
    """One label per row, drawn from that row's distribution."""
    cumulative = probs.cumsum(axis=1)
    return np.minimum((rng.random((len(probs), 1)) > cumulative).sum(axis=1), probs.shape[1] - 1)


def calibrated_sample(n, num_classes, rng):
    """Probabilities from a Dirichlet, and labels drawn from them: calibrated by construction."""
    probs = rng.dirichlet(np.full(num_classes, 0.7), size=n)
    return probs, sample_labels(probs, rng)


# --- reliability_bins ---------------------------------------------------------------


def test_bins_by_hand():
    probs = np.array([[0.95, 0.05], [0.55, 0.45], [0.3, 0.7], [0.2, 0.8], [0.5, 0.5]])
    labels = np.array([0, 1, 1, 0, 0])
    bins = reliability_bins(probs, labels, n_bins=5)
    np.testing.assert_array_equal(bins.edges, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    # confidences 0.95, 0.55, 0.7, 0.8, 0.5 -> bins 4, 2, 3, 3 (0.8 is in (0.6, 0.8]), 2
    np.testing.assert_array_equal(bins.counts, [0, 0, 2, 2, 1])
    np.testing.assert_allclose(bins.confidence[2:], [0.525, 0.75, 0.95], rtol=1e-15)
    # correct: row 0 yes, row 1 no (argmax 0), row 2 yes, row 3 no, row 4 yes (tie -> class 0)
    np.testing.assert_allclose(bins.accuracy[2:], [0.5, 0.5, 1.0])
    assert np.isnan(bins.confidence[:2]).all() and np.isnan(bins.accuracy[:2]).all()
    assert isinstance(bins, ReliabilityBins)
    assert bins.counts.dtype == np.int64


def test_edge_values_go_to_the_lower_bin():
    # (b/M, (b+1)/M]: a confidence exactly at an edge belongs to the bin it closes
    probs = np.array([[0.5, 0.5], [1.0, 0.0], [0.75, 0.25]])
    bins = reliability_bins(probs, [0, 0, 0], n_bins=4)
    np.testing.assert_array_equal(bins.counts, [0, 1, 1, 1])


def test_float32_probs_are_accepted():
    probs = softmax(np.array([[2.0, 0.0, -1.0], [0.0, 3.0, 0.0]], dtype=np.float32))
    bins = reliability_bins(probs, [0, 1], n_bins=10)
    assert bins.counts.sum() == 2
    assert bins.confidence.dtype == np.float64


@given(
    logits(min_classes=2, max_classes=6, max_rows=30, magnitude=20.0),
    st.integers(1, 20),
    st.randoms(use_true_random=False),
)
def test_bins_properties(logits, n_bins, random):
    probs = softmax(logits)
    labels = np.array([random.randrange(logits.shape[1]) for _ in range(len(logits))])
    bins = reliability_bins(probs, labels, n_bins=n_bins)
    assert bins.counts.sum() == len(probs)
    occupied = bins.counts > 0
    conf = bins.confidence[occupied]
    # each bin's mean confidence lies in the bin
    assert np.all(conf >= bins.edges[:-1][occupied] - 1e-12)
    assert np.all(conf <= bins.edges[1:][occupied] + 1e-12)
    assert np.all((bins.accuracy[occupied] >= 0) & (bins.accuracy[occupied] <= 1))
    # the weighted mean of the bins' accuracies is the overall accuracy
    overall = np.mean(probs.argmax(axis=1) == labels)
    assert np.isclose(np.sum(bins.counts[occupied] * bins.accuracy[occupied]) / len(probs), overall)
    ece = expected_calibration_error(probs, labels, n_bins=n_bins)
    assert 0.0 <= ece <= 1.0


# --- expected_calibration_error -----------------------------------------------------


def test_ece_known_values():
    # always 90% sure, right 6 times in 10 -> ECE = 0.3 exactly (one bin)
    probs = np.tile([0.9, 0.05, 0.05], (10, 1))
    labels = np.array([0] * 6 + [1] * 4)
    assert expected_calibration_error(probs, labels) == pytest.approx(0.3, abs=1e-15)
    # two bins: 0.9 sure and always right (gap 0.1), 0.6 sure and never right (gap 0.6)
    probs = np.array([[0.9, 0.1]] * 3 + [[0.6, 0.4]] * 1)
    labels = np.array([0, 0, 0, 1])
    assert expected_calibration_error(probs, labels, n_bins=10) == pytest.approx(
        0.75 * 0.1 + 0.25 * 0.6, abs=1e-15
    )
    # one-hot and right: perfectly calibrated
    assert expected_calibration_error(np.eye(3), [0, 1, 2]) == 0.0
    # one-hot and always wrong: the worst case
    assert expected_calibration_error(np.eye(3), [1, 2, 0]) == 1.0


def test_ece_of_a_calibrated_sample_is_within_sampling_noise():
    rng = np.random.default_rng(12)
    probs, labels = calibrated_sample(20_000, 4, rng)
    bins = reliability_bins(probs, labels, n_bins=15)
    ece = expected_calibration_error(probs, labels, n_bins=15)
    # In bin b, E[accuracy] = mean confidence exactly (labels are drawn from the probs), so the
    # gap is noise of standard deviation at most sqrt(c(1-c)/n_b); E|gap| <= that, and 4 of it
    # bounds the sum with a wide margin.
    occupied = bins.counts > 0
    c = bins.confidence[occupied]
    noise = np.sqrt(c * (1 - c) / bins.counts[occupied])
    tolerance = 4 * np.sum(bins.counts[occupied] / len(probs) * noise)
    assert tolerance < 0.05
    assert ece < tolerance


def test_ece_of_an_overconfident_sample_is_large():
    rng = np.random.default_rng(13)
    logits = rng.normal(scale=2.0, size=(20_000, 4))
    labels = sample_labels(softmax(logits), rng)
    calibrated = expected_calibration_error(softmax(logits), labels)
    overconfident = expected_calibration_error(softmax(3 * logits), labels)
    assert calibrated < 0.02
    assert overconfident > 0.15


def test_ece_is_invariant_to_permuting_samples():
    rng = np.random.default_rng(14)
    probs, labels = calibrated_sample(500, 3, rng)
    order = rng.permutation(500)
    assert expected_calibration_error(probs, labels) == pytest.approx(
        expected_calibration_error(probs[order], labels[order]), abs=1e-15
    )


# --- fit_temperature ----------------------------------------------------------------


@pytest.mark.parametrize("true_temperature", [0.5, 1.0, 2.5])
def test_fit_temperature_recovers_a_known_temperature(true_temperature):
    rng = np.random.default_rng(15)
    logits = rng.normal(scale=3.0, size=(20_000, 5))
    labels = sample_labels(softmax(logits, temperature=true_temperature), rng)
    fitted = fit_temperature(logits, labels)
    assert fitted == pytest.approx(true_temperature, rel=0.05)


def test_fit_temperature_is_the_minimum_of_the_nll():
    rng = np.random.default_rng(16)
    logits = rng.normal(scale=3.0, size=(2000, 4))
    labels = sample_labels(softmax(logits, temperature=1.7), rng)
    fitted = fit_temperature(logits, labels)

    def nll(temperature):
        return float(cross_entropy(logits / temperature, labels))

    grid = np.linspace(1.0, 3.0, 2001)
    best_on_grid = grid[np.argmin([nll(t) for t in grid])]
    assert fitted == pytest.approx(best_on_grid, abs=1e-3)
    assert nll(fitted) <= min(nll(fitted * 0.999), nll(fitted * 1.001))


def test_fit_temperature_scales_with_the_logits():
    rng = np.random.default_rng(17)
    logits = rng.normal(scale=2.0, size=(3000, 3))
    labels = sample_labels(softmax(logits), rng)
    base = fit_temperature(logits, labels)
    assert fit_temperature(4.0 * logits, labels) == pytest.approx(4.0 * base, rel=1e-6)
    # a shift of every logit of a row changes nothing
    shifted = logits + rng.normal(size=(3000, 1)) * 10
    assert fit_temperature(shifted, labels) == pytest.approx(base, rel=1e-6)


def test_temperature_scaling_keeps_the_predictions():
    rng = np.random.default_rng(18)
    logits = rng.normal(scale=2.0, size=(1000, 6))
    labels = sample_labels(softmax(logits, temperature=2.0), rng)
    temperature = fit_temperature(logits, labels)
    scaled = softmax(logits, temperature=temperature)
    np.testing.assert_array_equal(scaled.argmax(axis=1), logits.argmax(axis=1))
    assert expected_calibration_error(scaled, labels) < expected_calibration_error(
        softmax(logits), labels
    )


def test_fit_temperature_returns_a_float_and_accepts_float32():
    logits = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.5, 0.0]], dtype=np.float32)
    fitted = fit_temperature(logits, np.array([0, 1, 1, 0]))
    assert type(fitted) is float
    assert 0.01 < fitted < 100


def test_fit_temperature_warns_at_a_bound_for_separable_data():
    logits = np.array([[2.0, 0.0], [0.0, 3.0]])
    with pytest.warns(RuntimeWarning, match="lies at a bound"):
        fitted = fit_temperature(logits, [0, 1], bounds=(0.1, 10.0))
    assert fitted == pytest.approx(0.1, rel=1e-3)


# --- validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probs", "labels", "error", "message"),
    [
        ([[0.5, 0.5]], [0.0], TypeError, "labels must be integers"),
        ([[0.5, 0.5]], [2], ValueError, r"labels must lie in \[0, 1\]"),
        ([[0.5, 0.5]], [0, 1], ValueError, r"labels must have shape \(1,\)"),
        ([0.5, 0.5], [0], ValueError, r"shape \(n, K\)"),
        (np.empty((0, 3)), np.empty(0, dtype=int), ValueError, "n >= 1"),
        ([[1.0]], [0], ValueError, "K >= 2"),
        ([[0.5, np.nan]], [0], ValueError, "must be finite"),
        ([[2.0, -1.0]], [0], ValueError, "did you pass logits"),
        ([[0.7, 0.7]], [0], ValueError, "sum to 1"),
        ([["a", "b"]], [0], TypeError, "real numbers"),
    ],
)
def test_bad_probs_and_labels(probs, labels, error, message):
    with pytest.raises(error, match=message):
        reliability_bins(probs, labels)
    with pytest.raises(error, match=message):
        expected_calibration_error(probs, labels)


@pytest.mark.parametrize(
    ("n_bins", "error"), [(0, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_bad_n_bins(n_bins, error):
    with pytest.raises(error, match="n_bins"):
        reliability_bins([[0.5, 0.5]], [0], n_bins=n_bins)


@pytest.mark.parametrize(
    ("logits", "labels", "bounds", "message"),
    [
        ([[1.0, np.inf]], [0], (0.1, 10), "must be finite"),
        ([1.0, 2.0], [0], (0.1, 10), r"shape \(n, K\)"),
        ([[1.0, 2.0]], [3], (0.1, 10), "labels must lie"),
        ([[1.0, 2.0]], [0], (0.0, 10), "0 < low < high"),
        ([[1.0, 2.0]], [0], (5, 1), "0 < low < high"),
        ([[1.0, 2.0]], [0], (1,), "two numbers"),
    ],
)
def test_fit_temperature_rejects_bad_input(logits, labels, bounds, message):
    with pytest.raises(ValueError, match=message):
        fit_temperature(logits, labels, bounds=bounds)


# --- plot_reliability_diagram -------------------------------------------------------


def test_plot_draws_one_bar_per_occupied_bin():
    probs = np.array([[0.95, 0.05], [0.55, 0.45], [0.3, 0.7], [0.2, 0.8]])
    bins = reliability_bins(probs, [0, 1, 1, 0], n_bins=5)
    fig, ax = plt.subplots()
    plot_reliability_diagram(bins, ax=ax, label="test")
    heights = sorted(patch.get_height() for patch in ax.patches)
    assert heights == sorted(bins.accuracy[bins.counts > 0].tolist())
    assert ax.get_xlim() == (0.0, 1.0)
    plt.close(fig)
    with pytest.raises(TypeError, match="ReliabilityBins"):
        plot_reliability_diagram((1, 2, 3, 4))


def test_plot_skips_bins_below_min_count():
    probs = np.array([[0.95, 0.05]] * 3 + [[0.55, 0.45]])
    bins = reliability_bins(probs, [0, 0, 0, 1], n_bins=5)
    fig, ax = plt.subplots()
    plot_reliability_diagram(bins, ax=ax, min_count=2)
    assert [patch.get_height() for patch in ax.patches] == [1.0]
    plt.close(fig)
    with pytest.raises(ValueError, match="min_count"):
        plot_reliability_diagram(bins, min_count=0)
