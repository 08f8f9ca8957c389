"""The deliberately naive formulas of the chapters, and a finite-difference gradient.

The naive formulas here are deliberately unstable: chapter 5 uses them to show
what goes wrong. Use :func:`softmax_course.softmax` and friends for real work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ._validation import as_float_array, class_axes

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ._validation import AxisLike


def _prepare(x, axis, function):
    work, out_dtype = as_float_array(x, function)
    return work.astype(out_dtype, copy=False), class_axes(axis, np.ndim(work), function)


def naive_softmax(x: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    """The textbook formula ``exp(x) / sum(exp(x))``, with no protection.

    Introduced in chapter 5 (:ref:`sec-naive-softmax`). Overflows for logits
    above about 709.8 (float64) or 88.7 (float32) and gives NaN there.

    Examples
    --------
    >>> naive_softmax([1.0, 1.0])
    array([0.5, 0.5])
    """
    work, axes = _prepare(x, axis, "naive_softmax")
    with np.errstate(all="ignore"):
        e = np.exp(work)
        return e / e.sum(axis=axes, keepdims=True)


def shifted_softmax(x: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    """``exp(x - max) / sum(exp(x - max))``: stable, but without error compensation.

    Introduced in chapter 5 (:ref:`sec-max-trick`). This is what most libraries
    compute; it never overflows, but the rounding of ``x - max`` is amplified
    by ``exp`` into errors of many ULPs when logits spread widely.

    Examples
    --------
    >>> shifted_softmax([1000.0, 1000.0])
    array([0.5, 0.5])
    """
    work, axes = _prepare(x, axis, "shifted_softmax")
    with np.errstate(all="ignore"):
        e = np.exp(work - work.max(axis=axes, keepdims=True))
        return e / e.sum(axis=axes, keepdims=True)


def naive_log_softmax(x: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    """``log(shifted_softmax(x))``: finite logits can give ``-inf``.

    Introduced in chapter 5 (:ref:`sec-log-softmax`).

    Examples
    --------
    >>> naive_log_softmax([0.0, -1000.0])
    array([  0., -inf])
    """
    work, axes = _prepare(x, axis, "naive_log_softmax")
    with np.errstate(all="ignore"):
        e = np.exp(work - work.max(axis=axes, keepdims=True))
        return np.log(e / e.sum(axis=axes, keepdims=True))


def numerical_gradient(
    function: Callable[[np.ndarray], ArrayLike], x: ArrayLike, *, step: float | None = None
) -> np.ndarray:
    """Central finite-difference gradient of a scalar ``function`` at ``x``.

    Introduced in chapter 3 (:ref:`sec-softmax-jacobian`).

    Parameters
    ----------
    function : callable
        Maps an array shaped like ``x`` to a scalar, or to an array (then the
        result is the Jacobian, with the output axes first).
    x : array_like of float
        The point.
    step : float, optional
        The difference step; defaults to ``eps ** (1/3) * max(1, |x|)``, which
        balances truncation and rounding error for central differences.

    Returns
    -------
    numpy.ndarray of float64
        ``d function / d x``, of shape ``out.shape + x.shape``.

    Examples
    --------
    >>> g = numerical_gradient(lambda v: (v ** 2).sum(), [1.0, -2.0])
    >>> g.round(6)
    array([ 2., -4.])
    """
    x = np.array(x, dtype=np.float64)
    base = np.asarray(function(x), dtype=np.float64)
    grad = np.empty(base.shape + x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        h = (
            step
            if step is not None
            else np.finfo(np.float64).eps ** (1 / 3) * max(1.0, abs(x[index]))
        )
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        diff = np.asarray(function(plus), dtype=np.float64) - np.asarray(
            function(minus), dtype=np.float64
        )
        grad[(...,) + index] = diff / (plus[index] - minus[index])
    return grad
