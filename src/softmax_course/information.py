"""Information measures of probability distributions: entropy and KL divergence.

Both work in nats (natural logarithms), along any class axis, with the
convention :math:`0 \\log 0 = 0`. Their inputs must be probability
distributions: finite, non-negative and summing to 1 along the class axis (to
the same tolerance as :func:`softmax_course.cross_entropy`: ``1e-6`` for
float64, ``1e-3`` for float16 and float32).
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_axis, check_class_axis_not_empty

__all__ = ["entropy", "kl_divergence"]


def _sum_tolerance(dtype: np.dtype) -> float:
    """Allowed deviation of a distribution's sum from 1 (as in cross_entropy)."""
    return 1e-3 if dtype.itemsize <= 4 else 1e-6


def _check_distribution(work: np.ndarray, out_dtype: np.dtype, axis: int, name: str) -> None:
    """Raise a ValueError unless ``work`` is a distribution along ``axis``."""
    if not np.all(np.isfinite(work)):
        raise ValueError(f"{name} must be finite; got NaN or infinite values.")
    if np.any(work < 0):
        raise ValueError(
            f"{name} must be non-negative; its smallest value is {float(work.min()):.6g}."
        )
    sums = work.sum(axis=axis, dtype=np.float64)
    if sums.size:
        worst = float(np.max(np.abs(sums - 1.0)))
        tolerance = _sum_tolerance(out_dtype)
        if worst > tolerance:
            raise ValueError(
                f"{name} must sum to 1 along axis {axis} (within {tolerance:g}); "
                f"the largest deviation from 1 is {worst:.6g}."
            )


def _as_distribution(probs, axis, name: str, function: str):
    """Validate ``probs``; return it as float64, its result dtype and the axis."""
    work, out_dtype = as_float_array(probs, name)
    ax = check_axis(axis, work.ndim, name)
    check_class_axis_not_empty(work.shape[ax], function)
    _check_distribution(work, out_dtype, ax, name)
    return work.astype(np.float64, copy=False), out_dtype, ax


def entropy(probs, axis=-1):
    r"""Shannon entropy in nats, :math:`H(p) = -\sum_k p_k \log p_k`, along an axis.

    Introduced in chapter 3 (:ref:`sec-softmax-maxent`).

    Parameters
    ----------
    probs : array_like
        Probability distributions: finite, non-negative, summing to 1 along
        ``axis`` (within ``1e-6`` for float64, ``1e-3`` for float16 and
        float32). float16, float32 and float64 keep their dtype; bool,
        integer and list input (for example one-hot labels) give float64.
    axis : int, default -1
        The class axis; every other axis is a batch axis.

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
    work, out_dtype, ax = _as_distribution(probs, axis, "probs", "entropy")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(work > 0, -work * np.log(work), 0.0)
    result = np.maximum(terms, 0.0).sum(axis=ax)
    return result.astype(out_dtype, copy=False)


def _broadcast_pair(p, q, axis):
    """Broadcast ``p`` and ``q`` to one shape without stretching the class axis."""
    try:
        shape = np.broadcast_shapes(p.shape, q.shape)
    except ValueError:
        raise ValueError(
            f"p and q must have broadcastable shapes, with the same number of classes "
            f"along axis {axis}; got {p.shape} and {q.shape}."
        ) from None
    ax = check_axis(axis, len(shape), "p")
    for arr in (p, q):
        own_axis = ax - (len(shape) - arr.ndim)
        if own_axis < 0 or arr.shape[own_axis] != shape[ax]:
            raise ValueError(
                f"p and q must have the same number of classes along axis {axis}; "
                f"got shapes {p.shape} and {q.shape}."
            )
    return shape, ax


def kl_divergence(p, q, axis=-1):
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
    axis : int, default -1
        The class axis, counted in the broadcast shape.

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
    p_work, p_dtype = as_float_array(p, "p")
    q_work, q_dtype = as_float_array(q, "q")
    shape, ax = _broadcast_pair(p_work, q_work, axis)
    check_class_axis_not_empty(shape[ax], "kl_divergence")
    for name, work, dtype in (("p", p_work, p_dtype), ("q", q_work, q_dtype)):
        _check_distribution(work, dtype, ax - (len(shape) - work.ndim), name)
    out_dtype = np.result_type(p_dtype, q_dtype)
    p64, q64 = np.broadcast_arrays(
        p_work.astype(np.float64, copy=False), q_work.astype(np.float64, copy=False)
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        ratio = p64 / q64
        log_ratio = np.log(ratio)
        extreme = (ratio < np.finfo(np.float64).tiny) | np.isinf(ratio)
        log_ratio = np.where(extreme, np.log(p64) - np.log(q64), log_ratio)
        terms = np.where(p64 > 0, p64 * log_ratio, 0.0)
    result = np.maximum(terms.sum(axis=ax), 0.0)
    return result.astype(out_dtype, copy=False)
