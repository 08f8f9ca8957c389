"""Activation functions: the sigmoid, the softmax and their logarithms.

Every function here is numerically stable for finite input of any magnitude and
accurate to a few units in the last place (ULPs) against a 50-digit mpmath
reference; see :mod:`softmax_course.reference` and the tests.
"""

from __future__ import annotations

import math

import numpy as np

from . import _kernels
from ._validation import (
    as_float_array,
    check_axis,
    check_class_axis_not_empty,
    check_temperature,
)

__all__ = [
    "log_sigmoid",
    "log_softmax",
    "logit",
    "logsumexp",
    "sigmoid",
    "softmax",
    "softmax_jacobian",
]


def _as_rows(x, axis: int, name: str = "x"):
    """Move ``axis`` last and view the array as C-contiguous ``(rows, K)``.

    No copy is made when ``axis`` is already last and ``x`` is C-contiguous.
    """
    moved = x if axis == x.ndim - 1 else np.moveaxis(x, axis, -1)
    shape = moved.shape
    if not moved.flags.c_contiguous:
        moved = np.ascontiguousarray(moved)
    return moved.reshape(math.prod(shape[:-1]), shape[-1]), shape


def _from_rows(rows, moved_shape, axis: int):
    result = rows.reshape(moved_shape)
    if axis == len(moved_shape) - 1:
        return result
    return np.moveaxis(result, -1, axis)


def _last_axis_or_check(axis, ndim: int, name: str = "x") -> int:
    """``check_axis``, with a shortcut for the default ``axis=-1`` (hot path)."""
    if type(axis) is int and axis == -1 and ndim > 0:
        return ndim - 1
    return check_axis(axis, ndim, name)


def _is_small_vector(work):
    return work.ndim == 1 and 0 < work.shape[0] <= _kernels.SMALL_VECTOR


def _softmax_like(x, axis, temperature, mode, function):
    work, out_dtype = as_float_array(x)
    axis = _last_axis_or_check(axis, work.ndim)
    if not (type(temperature) is float and temperature == 1.0):  # the default is valid
        temperature = check_temperature(temperature)
    check_class_axis_not_empty(work.shape[axis], function)
    if _is_small_vector(work) and temperature == 1.0:
        result = _kernels.small_vector(work, mode)
        if result is not None:
            return result.astype(out_dtype, copy=False)
    rows, moved_shape = _as_rows(work, axis)
    out = np.empty(rows.shape, dtype=out_dtype)
    if rows.size:
        _kernels.row_kernel(rows, temperature, mode, out=out)
    return _from_rows(out, moved_shape, axis)


def softmax(x, axis=-1, temperature=1.0):
    r"""Softmax of logits along an axis: :math:`p_i = e^{z_i/T} / \sum_j e^{z_j/T}`.

    Introduced in chapter 3 (:ref:`sec-softmax-definition`).

    Parameters
    ----------
    x : array_like
        Logits. float16, float32 and float64 keep their dtype (float16 is
        computed in float32); bool, integer and list input give float64.
    axis : int, default -1
        The class axis; every other axis is a batch axis.
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
    ``[1000, 1000]`` or ``[1e308, 0]``. When a slice's largest logit lies
    between 0 and about ``log(largest float) - log K`` (the usual case),
    ``exp`` is taken of the logits themselves, which are exact, in one pass;
    otherwise the max is subtracted first and the rounding error of that
    subtraction is compensated (see ``softmax_course._kernels``).

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
    return _softmax_like(x, axis, temperature, "softmax", "softmax")


def log_softmax(x, axis=-1, temperature=1.0):
    r"""Logarithm of the softmax: :math:`z_i/T - \log\sum_j e^{z_j/T}`.

    Introduced in chapter 5 (:ref:`sec-log-softmax`).

    Parameters
    ----------
    x : array_like
        Logits (dtype rules as in :func:`softmax`).
    axis : int, default -1
        The class axis.
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
    return _softmax_like(x, axis, temperature, "log_softmax", "log_softmax")


def logsumexp(x, axis=-1, keepdims=False):
    r"""Log of the sum of exponentials, :math:`\log\sum_j e^{x_j}`, along an axis.

    Introduced in chapter 5 (:ref:`sec-logsumexp`).

    Parameters
    ----------
    x : array_like
        Values (dtype rules as in :func:`softmax`).
    axis : int, default -1
        The axis to reduce.
    keepdims : bool, default False
        Keep the reduced axis with length 1.

    Returns
    -------
    numpy.ndarray
        The reduction; shape of ``x`` without ``axis`` (or with length 1).

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
    work, out_dtype = as_float_array(x)
    ax = _last_axis_or_check(axis, work.ndim)
    if _is_small_vector(work):
        stats = _kernels.small_vector(work, "stats")
        if stats is not None:
            result = np.array(stats[0] + stats[1], dtype=out_dtype)
            return np.expand_dims(result, ax) if keepdims else result
    rows, moved_shape = _as_rows(work, ax)
    if rows.shape[-1] == 0:
        result = np.full(moved_shape[:-1], -np.inf, dtype=out_dtype)
    else:
        result = np.empty(rows.shape[0], dtype=out_dtype)
        if rows.shape[0]:
            m, lse = _kernels.row_kernel(rows, 1.0, "stats")
            with np.errstate(invalid="ignore"):
                np.add(m, lse, out=result)
        result = result.reshape(moved_shape[:-1])
    if keepdims:
        result = np.expand_dims(result, ax)
    return result


def sigmoid(x):
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
    arr, out_dtype = _elementwise_input(x)
    with np.errstate(over="ignore", under="ignore"):
        e = np.exp(-np.abs(arr))
        numerator = np.where(arr >= 0, 1.0, e)
        result = numerator / (1.0 + e)
    return result.astype(out_dtype, copy=False)


def log_sigmoid(x):
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
    arr, out_dtype = _elementwise_input(x)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        result = np.minimum(arr, 0.0) - np.log1p(np.exp(-np.abs(arr)))
    return result.astype(out_dtype, copy=False)


def logit(p):
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
    arr, out_dtype = _elementwise_input(p, name="p")
    if np.any((arr < 0) | (arr > 1)):
        raise ValueError("logit needs probabilities in [0, 1]; got values outside it.")
    with np.errstate(divide="ignore"):
        result = np.log(arr) - np.log1p(-arr)
    return result.astype(out_dtype, copy=False)


def _elementwise_input(x, name="x"):
    work, out_dtype = as_float_array(x, name)
    return work.astype(np.float64, copy=False), out_dtype


def softmax_jacobian(x, axis=-1):
    r"""Jacobian of the softmax at logits ``x``: :math:`J_{ij} = p_i(\delta_{ij} - p_j)`.

    Introduced in chapter 3 (:ref:`sec-softmax-jacobian`).

    Parameters
    ----------
    x : array_like
        Logits; ``axis`` is the class axis of length K.
    axis : int, default -1
        The class axis.

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
    work, _ = as_float_array(x)
    ax = check_axis(axis, work.ndim)
    probs = np.moveaxis(softmax(x, axis=ax), ax, -1)
    jac = -probs[..., :, None] * probs[..., None, :]
    k = np.arange(probs.shape[-1])
    jac[..., k, k] += probs
    return jac
