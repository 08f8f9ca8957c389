"""Information measures of probability distributions: entropy and KL divergence.

Both work in nats (natural logarithms), along any class axis, with the
convention :math:`0 \\log 0 = 0`. Their inputs must be probability
distributions: finite, non-negative and summing to 1 along the class axis, to
a tolerance that follows the dtype (the same check as
:func:`softmax_course.cross_entropy` and the calibration tools: ``1e-6`` for
float64, ``3.5e-4`` for float32, ``0.031`` for float16).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._rows import RowLayout
from ._validation import (
    as_float_array,
    check_class_axis_not_empty,
    check_distribution,
    class_axes,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ._validation import AxisLike

__all__ = ["entropy", "kl_divergence"]


def entropy(probs: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    r"""Shannon entropy in nats, :math:`H(p) = -\sum_k p_k \log p_k`, along an axis.

    Introduced in chapter 3 (:ref:`sec-softmax-maxent`).

    Parameters
    ----------
    probs : array_like
        Probability distributions: finite, non-negative, summing to 1 along
        ``axis`` (within ``1e-6`` for float64, ``3.5e-4`` for float32 and
        ``0.031`` for float16). float16, float32 and float64 keep their dtype; bool,
        integer and list input (for example one-hot labels) give float64.
    axis : int, tuple of int or None, default -1
        The class axis, or several taken together (None: every axis); every
        other axis is a batch axis.

    Returns
    -------
    numpy.ndarray
        The entropies: the shape of ``probs`` without ``axis``. Each lies in
        :math:`[0, \log K]` for K classes: 0 for a one-hot distribution,
        :math:`\log K` for the uniform one.

    Raises
    ------
    TypeError
        For complex, string or object input, or a non-integer axis.
    ValueError
        If ``probs`` is not a distribution along ``axis``, the class axis has
        length 0, or ``axis`` is out of range.

    Notes
    -----
    Zero probabilities contribute 0 (the limit of :math:`p \log p` as
    :math:`p \to 0`). Every term :math:`-p_k \log p_k` is non-negative, so the
    sum suffers no cancellation; it is computed in float64 and rounded once to
    the result dtype.

    Examples
    --------
    >>> entropy([0.5, 0.5]).round(6)
    np.float64(0.693147)
    >>> entropy([[1.0, 0.0, 0.0], [0.25, 0.25, 0.5]]).round(6)
    array([0.      , 1.039721])
    """
    work, out_dtype = as_float_array(probs, "entropy", "probs")
    axes = class_axes(axis, work.ndim, "entropy", "probs")
    check_class_axis_not_empty(RowLayout(work.shape, axes).num_classes, "entropy")
    check_distribution(work, out_dtype, axes, "probs", "entropy")
    work = work.astype(np.float64, copy=False)
    with np.errstate(all="ignore"):
        terms = np.where(work > 0, -work * np.log(work), 0.0)
        result = np.maximum(terms, 0.0).sum(axis=axes)
        return result.astype(out_dtype, copy=False)


def _broadcast_pair(p, q, axis):
    """Broadcast ``p`` and ``q`` to one shape without stretching the class axes."""
    function = "kl_divergence"
    try:
        shape = np.broadcast_shapes(p.shape, q.shape)
    except ValueError:
        raise ValueError(
            f"{function}: p and q must have broadcastable shapes, with the same number of "
            f"classes along axis {axis}; got {p.shape} and {q.shape}."
        ) from None
    axes = class_axes(axis, len(shape), function, "p")
    for arr in (p, q):
        offset = len(shape) - arr.ndim
        if any(ax < offset or arr.shape[ax - offset] != shape[ax] for ax in axes):
            raise ValueError(
                f"{function}: p and q must have the same number of classes along axis "
                f"{axis}; got shapes {p.shape} and {q.shape}."
            )
    return shape, axes


def kl_divergence(p: ArrayLike, q: ArrayLike, *, axis: AxisLike = -1) -> np.ndarray:
    r"""Kullback-Leibler divergence in nats, :math:`\sum_k p_k \log(p_k / q_k)`.

    Introduced in chapter 3 (:ref:`sec-softmax-maxent`).

    :math:`D_{\mathrm{KL}}(p \,\|\, q)` measures how much a distribution ``q``
    differs from a reference ``p``: it is :math:`\ge 0`, equal to 0 exactly
    when ``p == q``, and not symmetric in its arguments.

    Parameters
    ----------
    p, q : array_like
        Probability distributions along ``axis`` (validated as in
        :func:`entropy`). Their shapes must broadcast to one shape in which
        both have the same number of classes along ``axis``, so one ``q`` of
        shape ``(K,)`` can be compared with a batch ``p`` of shape ``(N, K)``.
    axis : int, tuple of int or None, default -1
        The class axis (or axes), counted in the broadcast shape.

    Returns
    -------
    numpy.ndarray
        The divergences: the broadcast shape without ``axis``; the dtype is
        the common result dtype of ``p`` and ``q`` (float64 if either is
        float64, bool, integer or a list). ``+inf`` where some
        :math:`q_k = 0` while :math:`p_k > 0`.

    Raises
    ------
    TypeError
        For complex, string or object input, or a non-integer axis.
    ValueError
        If ``p`` or ``q`` is not a distribution, their shapes are not
        compatible, or the class axis has length 0.

    Notes
    -----
    Terms with :math:`p_k = 0` are 0, whatever :math:`q_k`. Each term is
    computed as :math:`p_k \log(p_k / q_k)` (one rounding inside the log),
    falling back to :math:`p_k(\log p_k - \log q_k)` where the ratio
    overflows or underflows. Near :math:`p = q` the terms cancel, so the
    result is accurate to a few units of ``eps`` in absolute terms; rounding
    can then make the sum slightly negative, and since the divergence is never
    negative the result is clipped at 0. ``kl_divergence(p, p)`` is exactly 0.

    Examples
    --------
    >>> kl_divergence([0.5, 0.5], [0.9, 0.1]).round(6)
    np.float64(0.510826)
    >>> kl_divergence([0.9, 0.1], [0.5, 0.5]).round(6)
    np.float64(0.368064)
    >>> kl_divergence([[1.0, 0.0], [0.5, 0.5]], [0.5, 0.5]).round(6)
    array([0.693147, 0.      ])
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])
    np.float64(inf)
    """
    p_work, p_dtype = as_float_array(p, "kl_divergence", "p")
    q_work, q_dtype = as_float_array(q, "kl_divergence", "q")
    shape, axes = _broadcast_pair(p_work, q_work, axis)
    check_class_axis_not_empty(RowLayout(shape, axes).num_classes, "kl_divergence")
    for name, work, dtype in (("p", p_work, p_dtype), ("q", q_work, q_dtype)):
        own_axes = tuple(ax - (len(shape) - work.ndim) for ax in axes)
        check_distribution(work, dtype, own_axes, name, "kl_divergence")
    out_dtype = np.result_type(p_dtype, q_dtype)
    p64, q64 = np.broadcast_arrays(
        p_work.astype(np.float64, copy=False), q_work.astype(np.float64, copy=False)
    )
    with np.errstate(all="ignore"):
        ratio = p64 / q64
        log_ratio = np.log(ratio)
        extreme = (ratio < np.finfo(np.float64).tiny) | np.isinf(ratio)
        log_ratio = np.where(extreme, np.log(p64) - np.log(q64), log_ratio)
        terms = np.where(p64 > 0, p64 * log_ratio, 0.0)
        result = np.maximum(terms.sum(axis=axes), 0.0)
        return result.astype(out_dtype, copy=False)
