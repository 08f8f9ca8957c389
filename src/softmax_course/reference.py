"""High-precision references computed with mpmath, and errors measured in ULPs.

These are slow (pure Python, 50 significant digits by default) and meant for
testing and for the accuracy chapters, not for production use.
"""

from __future__ import annotations

import mpmath
import numpy as np

__all__ = [
    "reference_cross_entropy",
    "reference_log_softmax",
    "reference_logsumexp",
    "reference_sigmoid",
    "reference_softmax",
    "ulp_error",
]

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


def _lse(row):
    return mpmath.log(mpmath.fsum(mpmath.exp(v) for v in row))


def reference_logsumexp(x, axis=-1, digits=DEFAULT_DIGITS):
    """``log(sum(exp(x)))`` along ``axis`` as mpmath numbers (an object array).

    Introduced in chapter 5 (:ref:`sec-accuracy`).

    Examples
    --------
    >>> print(mpmath.nstr(reference_logsumexp([0.0, 0.0])[()], 15))
    0.693147180559945
    """
    return _apply_rows(x, axis, _lse, digits, keep_axis=False)


def reference_log_softmax(x, axis=-1, temperature=1.0, digits=DEFAULT_DIGITS):
    """Log-softmax of ``x / temperature`` in ``digits`` digits (an object array).

    The logits are taken as the exact values of their floats and divided by
    ``temperature`` in high precision.

    Examples
    --------
    >>> print(mpmath.nstr(reference_log_softmax([0.0, -40.0])[0], 10))
    -4.248354255e-18
    """

    def row_function(row):
        scaled = [v / mpmath.mpf(temperature) for v in row]
        lse = _lse(scaled)
        return [v - lse for v in scaled]

    return _apply_rows(x, axis, row_function, digits)


def reference_softmax(x, axis=-1, temperature=1.0, digits=DEFAULT_DIGITS):
    """Softmax of ``x / temperature`` in ``digits`` digits (an object array).

    Examples
    --------
    >>> [mpmath.nstr(p, 8) for p in reference_softmax([0.7, 1.5, 4.8])]
    ['0.01573172', '0.03501159', '0.9492567']
    """

    def row_function(row):
        scaled = [v / mpmath.mpf(temperature) for v in row]
        top = max(scaled)
        exps = [mpmath.exp(v - top) for v in scaled]
        total = mpmath.fsum(exps)
        return [e / total for e in exps]

    return _apply_rows(x, axis, row_function, digits)


def reference_sigmoid(x, digits=DEFAULT_DIGITS):
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


def reference_cross_entropy(logits, labels, digits=DEFAULT_DIGITS):
    """Per-sample ``-log softmax(logits)[label]`` for 2-D logits (an object array).

    Examples
    --------
    >>> print(mpmath.nstr(reference_cross_entropy([[0.0, 0.0]], [0])[0], 10))
    0.6931471806
    """
    log_probs = reference_log_softmax(logits, axis=-1, digits=digits)
    labels = np.asarray(labels)
    return np.array([-log_probs[i, c] for i, c in enumerate(labels)], dtype=object)


def ulp_error(computed, reference, dtype=None, scale=None):
    """Error of ``computed`` against ``reference`` in units in the last place.

    Introduced in chapter 5 (:ref:`sec-accuracy`).

    Parameters
    ----------
    computed : array_like of float
        The values to judge.
    reference : array_like of mpmath numbers or floats
        The exact (or high-precision) values.
    dtype : data-type, optional
        The precision whose ULP is the unit; defaults to ``computed``'s dtype.
    scale : array_like, optional
        Measure the error in ULPs of ``scale`` instead of the reference value
        (for example the largest logit, for ``logsumexp``).

    Returns
    -------
    numpy.ndarray of float64
        ``|computed - reference| / ulp(reference)``, where ``ulp(v)`` is the
        spacing of the floats of ``dtype`` at ``|v|`` (the smallest subnormal
        near 0). Equal infinities count as 0; a NaN or an infinity that the
        reference does not have counts as ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> float(ulp_error(np.float32(1.0) + np.spacing(np.float32(1.0)), [1.0]))
    1.0
    """
    computed = np.asarray(computed)
    dtype = np.dtype(dtype or computed.dtype)
    ref = np.asarray(reference, dtype=object)
    unit_source = ref if scale is None else np.asarray(scale, dtype=object)
    out = np.empty(computed.shape, dtype=np.float64)
    for index in np.ndindex(computed.shape):
        c = float(computed[index])
        r = ref[index]
        r_float = float(r)
        if np.isnan(c) or np.isinf(c) or np.isinf(r_float):
            out[index] = 0.0 if c == r_float else np.inf
            continue
        unit = np.spacing(np.abs(dtype.type(float(unit_source[index]))))
        with mpmath.workdps(DEFAULT_DIGITS):
            out[index] = float(abs(mpmath.mpf(c) - mpmath.mpf(r)) / mpmath.mpf(float(unit)))
    return out
