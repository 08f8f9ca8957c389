"""High-precision references computed with mpmath (50 significant digits by default).

They are slow (pure Python) and meant for tests, the benchmark and the accuracy
chapters, not for production use. The logits are taken as the exact values of
their floats, and the differences ``x_j - x_i`` are formed exactly.
"""

from __future__ import annotations

import mpmath
import numpy as np

DEFAULT_DIGITS = 50


def _rows(x, axis):
    arr = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    return arr.reshape(-1, arr.shape[-1]), arr.shape


def _apply_rows(x, axis, row_function, digits, keep_axis=True):
    rows, moved_shape = _rows(x, axis)
    with mpmath.workdps(digits):
        values = [row_function([mpmath.mpf(float(v)) for v in row]) for row in rows]
    if keep_axis:
        out = np.empty(rows.shape, dtype=object)
        for i, row in enumerate(values):
            out[i, :] = row
        return np.moveaxis(out.reshape(moved_shape), -1, axis)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(moved_shape[:-1])


def _scaled_differences(row, i, temperature):
    """(row[j] - row[i]) / T for every j, the differences computed exactly."""
    t = mpmath.mpf(temperature)
    return [mpmath.fsub(v, row[i], exact=True) / t for v in row]


def _log_normaliser_from(row, i, temperature):
    """log(sum_j exp((row[j] - row[i]) / T)) without cancellation.

    Written as ``log1p`` of the sum over ``j != i`` so that a log-probability
    near 0 (one dominant logit) keeps its relative accuracy.
    """
    diffs = _scaled_differences(row, i, temperature)
    rest = mpmath.fsum(mpmath.exp(d) for j, d in enumerate(diffs) if j != i)
    return mpmath.log1p(rest)


def _argmax(row):
    return max(range(len(row)), key=lambda j: row[j])


def _lse(row):
    top = _argmax(row)
    return row[top] + _log_normaliser_from(row, top, 1.0)


def reference_logsumexp(x, *, axis=-1, digits=DEFAULT_DIGITS) -> np.ndarray:
    """``log(sum(exp(x)))`` along ``axis`` as mpmath numbers (an object array).

    Introduced in chapter 5 (:ref:`sec-accuracy`).

    Examples
    --------
    >>> print(mpmath.nstr(reference_logsumexp([0.0, 0.0])[()], 15))
    0.693147180559945
    """
    return _apply_rows(x, axis, _lse, digits, keep_axis=False)


def reference_log_softmax(x, *, axis=-1, temperature=1.0, digits=DEFAULT_DIGITS) -> np.ndarray:
    """Log-softmax of ``x / temperature`` in ``digits`` digits (an object array).

    The logits are taken as the exact values of their floats; each
    log-probability is computed as ``(x_i - x_top) / T - log1p(s)``, with
    ``s = sum_{j != top} exp((x_j - x_top) / T)`` and the differences formed
    exactly. Both terms are ``<= 0``, so nothing cancels and values near 0
    are accurate to ``digits`` significant digits, not just absolutely.

    Examples
    --------
    >>> print(mpmath.nstr(reference_log_softmax([0.0, -40.0])[0], 10))
    -4.248354255e-18
    >>> print(mpmath.nstr(reference_log_softmax([0.0, -800.0])[0], 10))
    -3.667874584e-348
    """

    def row_function(row):
        top = _argmax(row)
        log_norm = _log_normaliser_from(row, top, temperature)
        # (x_i - x_top) / T <= 0 and -log_norm <= 0: the sum has no cancellation.
        return [d - log_norm for d in _scaled_differences(row, top, temperature)]

    return _apply_rows(x, axis, row_function, digits)


def reference_softmax(x, *, axis=-1, temperature=1.0, digits=DEFAULT_DIGITS) -> np.ndarray:
    """Softmax of ``x / temperature`` in ``digits`` digits (an object array).

    Examples
    --------
    >>> [mpmath.nstr(p, 8) for p in reference_softmax([0.7, 1.5, 4.8])]
    ['0.015731723', '0.035011593', '0.94925668']
    """

    def row_function(row):
        top = _argmax(row)
        exps = [mpmath.exp(d) for d in _scaled_differences(row, top, temperature)]
        total = mpmath.fsum(exps)
        return [e / total for e in exps]

    return _apply_rows(x, axis, row_function, digits)


def reference_sigmoid(x, *, digits=DEFAULT_DIGITS) -> np.ndarray:
    """The logistic sigmoid of each element, in ``digits`` digits (an object array).

    Examples
    --------
    >>> print(mpmath.nstr(reference_sigmoid([0.0])[0], 5))
    0.5
    """
    arr = np.asarray(x, dtype=np.float64)
    out = np.empty(arr.shape, dtype=object)
    with mpmath.workdps(digits):
        for index, value in np.ndenumerate(arr):
            out[index] = 1 / (1 + mpmath.exp(-mpmath.mpf(float(value))))
    return out


def reference_log_sigmoid(x, *, digits=DEFAULT_DIGITS) -> np.ndarray:
    """``log(sigmoid(x)) = -log1p(exp(-x))`` of each element, in ``digits`` digits.

    Computed with ``log1p`` so that values near 0 (large positive ``x``) keep
    their relative accuracy.

    Examples
    --------
    >>> print(mpmath.nstr(reference_log_sigmoid([120.0])[0], 10))
    -7.667648074e-53
    """
    arr = np.asarray(x, dtype=np.float64)
    out = np.empty(arr.shape, dtype=object)
    with mpmath.workdps(digits):
        for index, value in np.ndenumerate(arr):
            out[index] = -mpmath.log1p(mpmath.exp(-mpmath.mpf(float(value))))
    return out


def reference_cross_entropy(logits, labels, *, digits=DEFAULT_DIGITS) -> np.ndarray:
    """Per-sample ``-log softmax(logits)[label]`` for 2-D logits (an object array).

    Examples
    --------
    >>> print(mpmath.nstr(reference_cross_entropy([[0.0, 0.0]], [0])[0], 10))
    0.6931471806
    """
    log_probs = reference_log_softmax(logits, axis=-1, digits=digits)
    labels = np.asarray(labels)
    return np.array([-log_probs[i, c] for i, c in enumerate(labels)], dtype=object)
