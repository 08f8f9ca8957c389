"""Activation functions: the sigmoid, the softmax and their logarithms.

Every function here is numerically stable for finite input of any magnitude and
accurate to a few units in the last place (ULPs) against a 50-digit mpmath
reference; see :mod:`softmax_course.testing` and the tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _core
from ._rows import to_rows
from ._validation import (
    as_float_array,
    check_class_axis_not_empty,
    check_temperature,
    class_axes,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ._validation import AxisLike

__all__ = [
    "log_sigmoid",
    "log_softmax",
    "logit",
    "logsumexp",
    "sigmoid",
    "softmax",
    "softmax_jacobian",
]


def _softmax_like(x, axis, temperature, mode):
    """softmax or log_softmax (``mode``): validate once, then run the kernel."""
    work, out_dtype = as_float_array(x, mode)
    axes = class_axes(axis, work.ndim, mode)
    temperature = check_temperature(temperature, mode)
    rows, layout = to_rows(work, axes)
    check_class_axis_not_empty(layout.num_classes, mode)
    return layout.from_rows(_core.softmax_rows(rows, mode, temperature, out_dtype))


def softmax(x: ArrayLike, *, axis: AxisLike = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Softmax of logits along an axis: :math:`p_i = e^{z_i/T} / \sum_j e^{z_j/T}`.

    Introduced in chapter 3 (:ref:`sec-softmax-definition`).

    Parameters
    ----------
    x : array_like
        Logits. float16, float32 and float64 keep their dtype (float16 is
        computed in float32); bool, integer and list input give float64.
    axis : int, tuple of int or None, default -1
        The class axis; every other axis is a batch axis. A tuple takes those
        axes together as one axis of classes, and None takes every axis (as
        in :func:`scipy.special.softmax`).
    temperature : float, default 1.0
        A finite number greater than 0; the logits are divided by it. Small
        temperatures sharpen the distribution, large ones flatten it.

    Returns
    -------
    numpy.ndarray
        Probabilities of the same shape as ``x``: each slice along ``axis``
        is non-negative and sums to 1.

    Raises
    ------
    TypeError
        For complex, string or object input, or a non-integer axis.
    ValueError
        If the class axis has length 0, ``axis`` is out of range, or
        ``temperature`` is not a finite positive number.

    Notes
    -----
    The result is accurate to a few ULPs for any finite logits, e.g.
    ``[1000, 1000]`` or ``[1e308, 0]`` (within 8 ULPs for probabilities in
    the normal range: ``softmax_course.testing.ULP_BOUNDS``). ``exp`` amplifies
    an error in its argument, so ``x - max`` is formed exactly: in float64
    for float16 and float32 logits, and for float64 logits with its rounding
    error recovered by TwoSum and fed into the exponential (see
    ``softmax_course._core``). A row's result does not depend on the batch it
    is in. No floating-point flag is raised, whatever the input.

    Special values: a ``-inf`` logit is masked (probability 0); a slice that is
    all ``-inf`` gives NaN; a single ``+inf`` in a slice takes all the
    probability; two or more ``+inf``, or any NaN, make that slice NaN. Other
    slices are unaffected.

    Examples
    --------
    >>> softmax([0.7, 1.5, 4.8]).round(8)
    array([0.01573172, 0.03501159, 0.94925668])
    >>> softmax([1000.0, 1000.0])
    array([0.5, 0.5])
    >>> softmax([[1.0, 2.0], [3.0, 3.0]], axis=0).round(4)
    array([[0.1192, 0.2689],
           [0.8808, 0.7311]])
    """
    return _softmax_like(x, axis, temperature, "softmax")


def log_softmax(x: ArrayLike, *, axis: AxisLike = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Logarithm of the softmax: :math:`z_i/T - \log\sum_j e^{z_j/T}`.

    Introduced in chapter 5 (:ref:`sec-log-softmax`).

    Parameters
    ----------
    x : array_like
        Logits (dtype rules as in :func:`softmax`).
    axis : int, tuple of int or None, default -1
        The class axis, or axes taken together (as in :func:`softmax`).
    temperature : float, default 1.0
        A finite number greater than 0.

    Returns
    -------
    numpy.ndarray
        Log-probabilities, same shape as ``x``; all are ``<= 0``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`softmax`.

    Notes
    -----
    Computed as ``(z - max) - log1p(s)``, where ``s`` sums the exponentials
    of every shifted logit except the max. Unlike ``log(softmax(z))``, this
    stays finite where a probability underflows to 0, and keeps full relative
    accuracy where a log-probability is close to 0. Special values follow
    :func:`softmax` (masked logits give ``-inf``).

    Examples
    --------
    >>> log_softmax([0.0, -40.0])
    array([-4.24835426e-18, -4.00000000e+01])
    >>> log_softmax([0.0, -1000.0])
    array([    0., -1000.])
    """
    return _softmax_like(x, axis, temperature, "log_softmax")


def logsumexp(x: ArrayLike, *, axis: AxisLike = -1, keepdims: bool = False) -> np.ndarray:
    r"""Log of the sum of exponentials, :math:`\log\sum_j e^{x_j}`, along an axis.

    Introduced in chapter 5 (:ref:`sec-logsumexp`).

    Parameters
    ----------
    x : array_like
        Values (dtype rules as in :func:`softmax`).
    axis : int, tuple of int or None, default -1
        The axis to reduce, or several (None: every axis), as in
        :func:`scipy.special.logsumexp`.
    keepdims : bool, default False
        Keep the reduced axes with length 1.

    Returns
    -------
    numpy.ndarray
        The reduction; shape of ``x`` without ``axis`` (or with length 1),
        the dtype of :func:`softmax`'s result.

    Raises
    ------
    TypeError, ValueError
        For bad input, as for :func:`softmax`.

    Notes
    -----
    ``max + log1p(sum of exp(x - max) over the other terms)``. An empty axis
    gives ``-inf`` (the log of an empty sum), a slice of all ``-inf`` gives
    ``-inf``, any ``+inf`` gives ``+inf``, any NaN gives NaN.

    Examples
    --------
    >>> float(logsumexp([1000.0, 1000.0]))
    1000.6931471805599
    >>> logsumexp([[0.0, 0.0], [-1000.0, -1000.0]]).round(6).tolist()
    [0.693147, -999.306853]
    """
    work, out_dtype = as_float_array(x, "logsumexp")
    axes = class_axes(axis, work.ndim, "logsumexp")
    rows, layout = to_rows(work, axes)
    return layout.reduced(_logsumexp_rows(rows, out_dtype), keepdims)


def _logsumexp_rows(rows, out_dtype):
    """The log-sum-exp ``m + log1p(s)`` of each row of validated ``(n, K)`` logits."""
    m, s = _core.row_pairs(rows)
    with np.errstate(all="ignore"):  # inf - inf in special rows; float16 overflow
        return (m + np.log1p(s)).astype(out_dtype)


def sigmoid(x: ArrayLike) -> np.ndarray:
    r"""The logistic sigmoid, :math:`\sigma(x) = 1 / (1 + e^{-x})`, element-wise.

    Introduced in chapter 2 (:ref:`sec-sigmoid-definition`).

    Parameters
    ----------
    x : array_like
        Logits (dtype rules as in :func:`softmax`).

    Returns
    -------
    numpy.ndarray
        Values in [0, 1], same shape and dtype rules as ``x``.

    Raises
    ------
    TypeError
        For complex, string or object input.

    Notes
    -----
    Uses ``1 / (1 + exp(-x))`` for ``x >= 0`` and ``exp(x) / (1 + exp(x))``
    for ``x < 0``, so ``exp`` never overflows. float16 and float32 are
    computed in float64 and rounded once. ``sigmoid(-inf) = 0``,
    ``sigmoid(inf) = 1``, NaN stays NaN.

    Examples
    --------
    >>> sigmoid([-1000.0, 0.0, 1000.0])
    array([0. , 0.5, 1. ])
    """
    arr, out_dtype = _elementwise_input(x, "sigmoid")
    with np.errstate(over="ignore", under="ignore"):
        e = np.exp(-np.abs(arr))
        numerator = np.where(arr >= 0, 1.0, e)
        result = numerator / (1.0 + e)
    return result.astype(out_dtype, copy=False)


def log_sigmoid(x: ArrayLike) -> np.ndarray:
    r"""Log of the sigmoid, :math:`\log\sigma(x) = -\log(1 + e^{-x})`, element-wise.

    Introduced in chapter 2 (:ref:`sec-sigmoid-stable`).

    Parameters
    ----------
    x : array_like
        Logits (dtype rules as in :func:`sigmoid`).

    Returns
    -------
    numpy.ndarray
        Values ``<= 0``.

    Raises
    ------
    TypeError
        For complex, string or object input.

    Notes
    -----
    ``min(x, 0) - log1p(exp(-|x|))``: both terms are ``<= 0``, so nothing
    cancels, and ``exp`` never overflows.

    Examples
    --------
    >>> log_sigmoid([-1000.0, 0.0, 50.0])
    array([-1.00000000e+03, -6.93147181e-01, -1.92874985e-22])
    """
    arr, out_dtype = _elementwise_input(x, "log_sigmoid")
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        result = np.minimum(arr, 0.0) - np.log1p(np.exp(-np.abs(arr)))
    return result.astype(out_dtype, copy=False)


def logit(p: ArrayLike) -> np.ndarray:
    r"""The inverse of the sigmoid, :math:`\log(p / (1 - p))`, element-wise.

    Introduced in chapter 2 (:ref:`sec-sigmoid-inverse`).

    Parameters
    ----------
    p : array_like
        Probabilities in [0, 1].

    Returns
    -------
    numpy.ndarray
        Logits; ``logit(0) = -inf`` and ``logit(1) = inf``.

    Raises
    ------
    TypeError
        For complex, string or object input.
    ValueError
        If any value lies outside [0, 1].

    Examples
    --------
    >>> logit([0.5, 0.75]).round(6)
    array([0.      , 1.098612])
    """
    arr, out_dtype = _elementwise_input(p, "logit", name="p")
    if np.any((arr < 0) | (arr > 1)):
        raise ValueError("logit: p must be probabilities in [0, 1]; got values outside it.")
    with np.errstate(divide="ignore"):
        result = np.log(arr) - np.log1p(-arr)
    return result.astype(out_dtype, copy=False)


def _elementwise_input(x, function, name="x"):
    work, out_dtype = as_float_array(x, function, name)
    return work.astype(np.float64, copy=False), out_dtype


def softmax_jacobian(x: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    r"""Jacobian of the softmax at logits ``x``: :math:`J_{ij} = p_i(\delta_{ij} - p_j)`.

    Introduced in chapter 4 (:ref:`sec-softmax-jacobian`).

    Parameters
    ----------
    x : array_like
        Logits; ``axis`` is the class axis of length K.
    axis : int, tuple of int or None, default -1
        The class axis, or axes taken together as one axis of K classes (in
        C order, as in :func:`softmax`).

    Returns
    -------
    numpy.ndarray
        Shape ``(..., K, K)``: the batch axes of ``x`` (in order, ``axis``
        removed), then ``J[..., i, j] = d p_i / d x_j``. Each ``J`` is
        symmetric and its rows sum to 0.

    Raises
    ------
    TypeError, ValueError
        For bad input, as for :func:`softmax`.

    Examples
    --------
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    work, out_dtype = as_float_array(x, "softmax_jacobian")
    axes = class_axes(axis, work.ndim, "softmax_jacobian")
    rows, layout = to_rows(work, axes)
    check_class_axis_not_empty(layout.num_classes, "softmax_jacobian")
    probs = _core.softmax_rows(rows, "softmax", 1.0, out_dtype)
    with np.errstate(all="ignore"):  # products of tiny probabilities underflow to 0
        jac = -probs[:, :, None] * probs[:, None, :]
        k = np.arange(layout.num_classes)
        jac[:, k, k] += probs
    return jac.reshape(layout.batch_shape + (layout.num_classes, layout.num_classes))
