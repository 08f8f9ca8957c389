"""Calibration: are a classifier's softmax outputs probabilities of being right?

A classifier is *calibrated* when, among the predictions made with confidence
about :math:`c`, a fraction :math:`c` is correct. This module bins predictions
by confidence (the data of a reliability diagram), summarises the gaps as the
expected calibration error (ECE), and fits the one-parameter fix of
temperature scaling (Guo et al., 2017).

SciPy and Matplotlib are imported inside the functions that need them.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._validation import as_float_array, check_distribution, check_integer, check_labels
from .losses import cross_entropy

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["ReliabilityBins", "expected_calibration_error", "fit_temperature", "reliability_bins"]


class ReliabilityBins(NamedTuple):
    """Predictions binned by confidence: the data of a reliability diagram.

    ``edges`` has ``n_bins + 1`` entries; bin ``b`` holds the predictions with
    confidence in ``(edges[b], edges[b + 1]]`` (the first bin also holds 0).
    ``confidence`` and ``accuracy`` are NaN for empty bins.
    """

    edges: np.ndarray
    counts: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray


def _check_matrix(x, name, function):
    work, dtype = as_float_array(x, function, name)
    if work.ndim != 2 or work.shape[0] == 0 or work.shape[1] < 2:
        raise ValueError(
            f"{function}: {name} must have shape (n, K) with n >= 1 samples and K >= 2 "
            f"classes; got shape {work.shape}."
        )
    if not np.all(np.isfinite(work)):
        raise ValueError(f"{function}: {name} must be finite; found NaN or infinity.")
    return work, dtype


def _check_row_labels(labels, work, name, function):
    labels = check_labels(labels, work.shape[1], function)
    if labels.shape != (work.shape[0],):
        raise ValueError(
            f"{function}: labels must have shape ({work.shape[0]},), one per row of {name}; "
            f"got {labels.shape}."
        )
    return labels


def _bins(probs, labels, n_bins, function):
    """Validated inputs of :func:`reliability_bins`, binned."""
    probs, dtype = _check_matrix(probs, "probs", function)
    check_distribution(probs, dtype, (1,), "each row of probs", function)
    labels = _check_row_labels(labels, probs, "probs", function)
    n_bins = check_integer(n_bins, "n_bins", function, minimum=1)
    confidence = probs.max(axis=1).astype(np.float64)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    edges = np.arange(n_bins + 1) / n_bins
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, confidence, minlength=n_bins) / counts
        accuracy = np.bincount(index, correct, minlength=n_bins) / counts
    return ReliabilityBins(edges, counts, mean_confidence, accuracy)


def reliability_bins(probs: ArrayLike, labels: ArrayLike, *, n_bins: int = 15) -> ReliabilityBins:
    """Bin predictions by their confidence and measure each bin's accuracy.

    Introduced in chapter 9 (:ref:`sec-calibration-reliability`).

    The confidence of a prediction is its largest probability, and the
    prediction is correct when that class is the label. Bins split
    :math:`[0, 1]` into ``n_bins`` equal intervals :math:`(b/M, (b+1)/M]`.

    Parameters
    ----------
    probs : array_like, shape (n, K)
        Predicted probabilities, one row per sample (rows sum to 1 within the
        tolerance of their dtype, as for :func:`~softmax_course.entropy`, so
        float16 output of :func:`~softmax_course.softmax` is accepted).
    labels : array_like of int, shape (n,)
        The true classes, in ``[0, K)``.
    n_bins : int, default 15
        The number of equal-width bins (at least 1).

    Returns
    -------
    ReliabilityBins
        ``edges`` (float64, ``n_bins + 1``), ``counts`` (int64), and the mean
        ``confidence`` and the ``accuracy`` of each bin (float64, NaN if empty).

    Raises
    ------
    TypeError
        If labels or ``n_bins`` are not integers, or probs are not real numbers.
    ValueError
        If probs is not a non-empty ``(n, K)`` array of finite distributions,
        labels do not match it, or ``n_bins < 1``.

    Examples
    --------
    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.4, 0.6]]
    >>> bins = reliability_bins(probs, [0, 1, 1, 1], n_bins=2)
    >>> bins.counts.tolist(), bins.confidence.round(3).tolist(), bins.accuracy.tolist()
    ([0, 4], [nan, 0.75], [nan, 0.75])
    """
    return _bins(probs, labels, n_bins, "reliability_bins")


def expected_calibration_error(probs: ArrayLike, labels: ArrayLike, *, n_bins: int = 15) -> float:
    r"""The expected calibration error (ECE): the average gap between confidence and accuracy.

    Introduced in chapter 9 (:ref:`sec-calibration-ece`).

    .. math::

        \mathrm{ECE} = \sum_{b=1}^{M} \frac{n_b}{n}\,
        \bigl|\mathrm{acc}(b) - \mathrm{conf}(b)\bigr|,

    over the bins of :func:`reliability_bins` (empty bins contribute 0). It is
    0 for a calibrated classifier (up to sampling noise) and at most 1.

    Parameters
    ----------
    probs : array_like, shape (n, K)
        Predicted probabilities (rows sum to 1).
    labels : array_like of int, shape (n,)
        The true classes.
    n_bins : int, default 15
        The number of equal-width confidence bins.

    Returns
    -------
    float
        The ECE, in :math:`[0, 1]`.

    Raises
    ------
    TypeError, ValueError
        As for :func:`reliability_bins`.

    Examples
    --------
    Always 90% sure, right 3 times out of 5: the gap is 0.9 - 0.6.

    >>> probs = [[0.9, 0.1]] * 5
    >>> round(expected_calibration_error(probs, [0, 0, 0, 1, 1]), 12)
    0.3
    """
    bins = _bins(probs, labels, n_bins, "expected_calibration_error")
    occupied = bins.counts > 0
    weights = bins.counts[occupied] / bins.counts.sum()
    gaps = np.abs(bins.accuracy[occupied] - bins.confidence[occupied])
    return float(np.sum(weights * gaps))


def fit_temperature(
    logits: ArrayLike, labels: ArrayLike, *, bounds: tuple[float, float] = (0.01, 100.0)
) -> float:
    r"""The temperature that minimises the negative log-likelihood of the labels.

    Introduced in chapter 9 (:ref:`sec-calibration-temperature`).

    Temperature scaling divides every logit by one number :math:`T > 0`,
    fitted on held-out data:

    .. math::

        T^\star = \arg\min_{T} \; -\frac{1}{n}\sum_{i=1}^{n}
        \log \mathrm{softmax}(z_i / T)_{y_i}.

    The search runs over :math:`\log T` with SciPy's bounded scalar minimiser
    (Brent's method on an interval), on float64 copies of the logits. Dividing
    by :math:`T` keeps the order of the logits, so predictions do not change.

    Parameters
    ----------
    logits : array_like, shape (n, K)
        Finite logits of held-out samples (not the training data).
    labels : array_like of int, shape (n,)
        Their true classes.
    bounds : tuple of two floats, default (0.01, 100.0)
        The interval searched for :math:`T`, with ``0 < low < high``.

    Returns
    -------
    float
        The fitted temperature :math:`T^\star`. Above 1 means the model was
        overconfident (its logits are scaled down); below 1, underconfident.

    Raises
    ------
    TypeError
        If labels are not integers or logits are not real numbers.
    ValueError
        If logits is not a non-empty finite ``(n, K)`` array, labels do not
        match it, or ``bounds`` is not an increasing pair of positive numbers.

    Warns
    -----
    RuntimeWarning
        If the optimum lies at a bound of the search interval, as it does when
        every sample is classified correctly (then the likelihood keeps
        improving as :math:`T \to 0`).

    Examples
    --------
    Logits twice too large for labels drawn from ``softmax(logits / 2)``:

    >>> import numpy as np
    >>> from softmax_course import softmax
    >>> rng = np.random.default_rng(0)
    >>> logits = rng.normal(scale=4.0, size=(4000, 3))
    >>> cumulative = softmax(logits, temperature=2.0).cumsum(axis=1)
    >>> labels = (rng.random((4000, 1)) > cumulative).sum(axis=1)
    >>> round(fit_temperature(logits, labels), 1)
    2.0
    """
    from scipy.optimize import minimize_scalar

    function = "fit_temperature"
    logits = _check_matrix(logits, "logits", function)[0].astype(np.float64)
    labels = _check_row_labels(labels, logits, "logits", function)
    low, high = _check_bounds(bounds, function)

    def mean_nll(log_temperature):
        scaled = logits / np.exp(log_temperature)
        return float(cross_entropy(scaled, labels))

    log_bounds = (np.log(low), np.log(high))
    result = minimize_scalar(
        mean_nll, bounds=log_bounds, method="bounded", options={"xatol": 1e-10}
    )
    if min(abs(result.x - log_bounds[0]), abs(result.x - log_bounds[1])) < 1e-4:
        warnings.warn(
            f"{function}: the fitted temperature {np.exp(result.x):.4g} lies at a bound of "
            f"{(low, high)}; the likelihood may keep improving beyond it "
            "(for example when every sample is classified correctly).",
            RuntimeWarning,
            stacklevel=2,
        )
    return float(np.exp(result.x))


def _check_bounds(bounds, function):
    try:
        low, high = (float(value) for value in bounds)
    except (TypeError, ValueError):
        raise ValueError(
            f"{function}: bounds must be two numbers (low, high); got {bounds!r}."
        ) from None
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low < high):
        raise ValueError(
            f"{function}: bounds must be finite with 0 < low < high; got {(low, high)}."
        )
    return low, high
